//! Reads of records and taxonomies, and the row counts: each written once for both
//! backends (over [`Conn`]). The batch write path is each backend's own (see
//! [`super::batch`] for its rules).

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use uuid::Uuid;

use super::sql::{Conn, Sql, params};
use super::{Counts, StoreError, StoredVersion, WorkerId};

static LATEST_TAXONOMY: Sql = Sql::both("SELECT MAX(version) FROM taxonomies");

/// The version of the last taxonomy loaded; `None` when only the built-in one exists.
pub(crate) async fn latest_taxonomy<C: Conn>(c: &mut C) -> Result<Option<i64>, StoreError> {
    c.one(&LATEST_TAXONOMY, params![]).await?.opt_int(0)
}

static TAXONOMY_DOCUMENT: Sql = Sql::both("SELECT document FROM taxonomies WHERE version = $1");

pub(crate) async fn taxonomy_document<C: Conn>(
    c: &mut C,
    version: i64,
) -> Result<Option<String>, StoreError> {
    match c.optional(&TAXONOMY_DOCUMENT, params![version]).await? {
        Some(row) => Ok(Some(row.text(0)?)),
        None => Ok(None),
    }
}

/// The version is the key: of two documents stored at once, the second changes nothing.
static INSERT_TAXONOMY: Sql = Sql::both(
    "INSERT INTO taxonomies (version, document, loaded_ms) VALUES ($1, $2, $3)
     ON CONFLICT (version) DO NOTHING",
);

/// Stores a taxonomy document; false when that version exists already.
pub(crate) async fn insert_taxonomy<C: Conn>(
    c: &mut C,
    version: u32,
    document: String,
    now: i64,
) -> Result<bool, StoreError> {
    Ok(c.execute(&INSERT_TAXONOMY, params![version, document, now])
        .await?
        == 1)
}

/// Each record's latest version. PostgreSQL finds it in one pass with `DISTINCT ON`,
/// which SQLite does not have; SQLite looks up each id's `MAX(version)` in the primary
/// key. A null worker means every worker's (`CAST`: PostgreSQL types a null parameter).
static LATEST_BODIES: Sql = Sql::each(
    "SELECT r.worker_id, r.body FROM records r
     WHERE ($1 IS NULL OR r.worker_id = $1)
       AND r.version = (SELECT MAX(version) FROM records WHERE id = r.id)",
    "SELECT DISTINCT ON (id COLLATE \"C\") worker_id, body FROM records
     WHERE (CAST($1 AS BIGINT) IS NULL OR worker_id = $1)
     ORDER BY id COLLATE \"C\", version DESC",
);

/// The latest version of every record (of one worker, or all), with its worker.
pub(crate) async fn latest_bodies<C: Conn>(
    c: &mut C,
    worker: Option<WorkerId>,
) -> Result<Vec<(WorkerId, String)>, StoreError> {
    c.query(&LATEST_BODIES, params![worker.map(|w| w.0)])
        .await?
        .into_iter()
        .map(|mut r| Ok((WorkerId(r.int(0)?), r.take_text(1)?)))
        .collect()
}

/// The versions whose local date falls in a period, with the rows whose date could not be
/// read (`NULL`), which every period reads: the report's own filter decides them; with each
/// row's id and version. A row is a latest version when no later version of its id exists.
/// SQLite looks that up in the index of versions after the first (`n.version > 1`, which
/// it is told to use: it has no statistics to choose it by). PostgreSQL is not asked to:
/// its planner, with statistics taken before corrections came (autovacuum analyses a table
/// once a tenth of it changed), estimated one later version, scanned them all for each row
/// of the period, and took 11 s instead of 0.1 s for a quarter after 1 500 corrections.
/// It returns the later versions themselves instead (`NULL` worker and body, from the
/// same index, a few per correction), in the same statement, so one snapshot, and
/// [`latest_bodies_in`] leaves out the rows they replace: no join to plan. (SQLite's rows
/// carry an empty id and version in their place: reading its ids cost its year's read a
/// third more.) PostgreSQL types a null parameter (`CAST`).
static LATEST_BODIES_IN: Sql = Sql::each(
    "SELECT r.worker_id, r.body, '', 0 FROM records r
     WHERE (r.local_date BETWEEN $2 AND $3 OR r.local_date IS NULL)
       AND ($1 IS NULL OR r.worker_id = $1)
       AND NOT EXISTS (SELECT 1 FROM records n INDEXED BY records_later_versions
                       WHERE n.id = r.id AND n.version > 1 AND n.version > r.version)",
    "SELECT r.worker_id, r.body, r.id, r.version FROM records r
     WHERE (r.local_date BETWEEN $2 AND $3 OR r.local_date IS NULL)
       AND (CAST($1 AS BIGINT) IS NULL OR r.worker_id = $1)
     UNION ALL
     SELECT NULL, NULL, id, version FROM records WHERE version > 1",
);

/// The latest version of every record (of one worker, or all) whose local date is in
/// `from..=to`, with its worker; and any whose date the store could not read.
pub(crate) async fn latest_bodies_in<C: Conn>(
    c: &mut C,
    worker: Option<WorkerId>,
    (from, to): (NaiveDate, NaiveDate),
) -> Result<Vec<(WorkerId, String)>, StoreError> {
    let mut rows = c
        .query(
            &LATEST_BODIES_IN,
            params![worker.map(|w| w.0), bound(from), bound(to)],
        )
        .await?;
    // The latest version of each record that has later versions (PostgreSQL's rows with
    // no worker; none from SQLite, which left out the replaced rows itself).
    let mut latest: HashMap<String, i64> = HashMap::new();
    for row in &mut rows {
        if row.opt_int(0)?.is_none() {
            let version = row.int(3)?;
            let at = latest.entry(row.take_text(2)?).or_insert(version);
            *at = (*at).max(version);
        }
    }
    let mut bodies = Vec::with_capacity(rows.len());
    for mut row in rows {
        let Some(worker) = row.opt_int(0)? else {
            continue;
        };
        if !latest.is_empty() {
            let version = row.int(3)?;
            if latest.get(row.str(2)?).is_some_and(|&at| at > version) {
                continue;
            }
        }
        bodies.push((WorkerId(worker), row.take_text(1)?));
    }
    Ok(bodies)
}

/// What each month of a period holds, counted in one statement (one snapshot on both
/// backends): per month (`YYYY-MM`, `NULL` for versions without a local day), kind 0 the
/// versions whose day is in it, kind 1 the pairs of such a version and a later version of
/// its record. Rows are never changed nor removed, so both counts only grow, and a month's
/// latest versions change exactly when one of its counts does: a new record or version in
/// it (kind 0), or a later version of one of its records — a correction, wherever it moves
/// the record, or a tombstone (kind 1). The later versions are few (corrections): they are
/// read from their own index (SQLite is told to, and to start from them: `CROSS JOIN`;
/// PostgreSQL reads them first as a materialized CTE, whatever its statistics say: before
/// autovacuum's first `ANALYZE` of a loaded table it started from the period's records,
/// 0.9 s for five years). PostgreSQL counts the days without a local day apart, so the
/// period's count is an index-only scan of `records_by_local_date` once the table is
/// vacuumed (83 → 55 ms for five years, 262 000 rows).
static MONTH_COUNTS: Sql = Sql::each(
    "SELECT substr(local_date, 1, 7), 0, COUNT(*) FROM records
     WHERE local_date BETWEEN $1 AND $2 OR local_date IS NULL
     GROUP BY 1
     UNION ALL
     SELECT substr(e.local_date, 1, 7), 1, COUNT(*)
     FROM records n INDEXED BY records_later_versions CROSS JOIN records e
     WHERE n.version > 1 AND e.id = n.id AND e.version < n.version
       AND (e.local_date BETWEEN $1 AND $2 OR e.local_date IS NULL)
     GROUP BY 1",
    "WITH later AS MATERIALIZED (SELECT id, version FROM records WHERE version > 1)
     SELECT substr(local_date, 1, 7), 0, COUNT(*) FROM records
     WHERE local_date BETWEEN $1 AND $2
     GROUP BY 1
     UNION ALL
     SELECT NULL, 0, COUNT(*) FROM records WHERE local_date IS NULL HAVING COUNT(*) > 0
     UNION ALL
     SELECT substr(e.local_date, 1, 7), 1, COUNT(*)
     FROM later n JOIN records e ON e.id = n.id AND e.version < n.version
     WHERE e.local_date BETWEEN $1 AND $2 OR e.local_date IS NULL
     GROUP BY 1",
);

/// Per month of `from..=to` (`None`: versions without a local day), the count of its
/// versions and of later versions of its records: see [`MONTH_COUNTS`].
pub(crate) async fn month_counts<C: Conn>(
    c: &mut C,
    (from, to): (NaiveDate, NaiveDate),
) -> Result<Vec<(Option<String>, bool, i64)>, StoreError> {
    c.query(&MONTH_COUNTS, params![bound(from), bound(to)])
        .await?
        .into_iter()
        .map(|r| Ok((r.opt_text(0)?, r.int(1)? == 1, r.int(2)?)))
        .collect()
}

/// The `local_date` column of a record: its local day as `YYYY-MM-DD`, which sorts as the
/// days do, for years of four digits; `None` (read by every period) for any other year.
/// Migration 8 fills old rows with the same text, the body's own `occurred_at` up to the
/// `T`: a time is written in the worker's offset, so its date part is the local day.
pub(crate) fn local_date(day: NaiveDate) -> Option<String> {
    (0..=9999)
        .contains(&day.year())
        .then(|| day.format("%Y-%m-%d").to_string())
}

/// A period's end as compared with `local_date`: a year before 0 below every stored date,
/// one after 9999 above.
fn bound(day: NaiveDate) -> String {
    match day.year() {
        y if y < 0 => String::new(),
        y if y > 9999 => "~".into(),
        _ => day.format("%Y-%m-%d").to_string(),
    }
}

/// One worker's records, latest versions, in the order they first reached the server:
/// the same choice of rows and order as [`LATEST_BODIES`], each dialect its own way.
static LATEST_VERSIONS: Sql = Sql::each(
    "SELECT r.id, r.version, r.deleted FROM records r
     WHERE r.worker_id = $1
       AND r.version = (SELECT MAX(version) FROM records WHERE id = r.id)
     ORDER BY (SELECT MIN(received_ms) FROM records WHERE id = r.id), r.id",
    "SELECT id, version, deleted FROM (
        SELECT DISTINCT ON (id COLLATE \"C\") id, version, deleted,
               MIN(received_ms) OVER (PARTITION BY id) AS first_ms
        FROM records WHERE worker_id = $1
        ORDER BY id COLLATE \"C\", version DESC
     ) latest
     ORDER BY first_ms, id COLLATE \"C\"",
);

pub(crate) async fn latest_versions<C: Conn>(
    c: &mut C,
    worker: WorkerId,
) -> Result<Vec<StoredVersion>, StoreError> {
    let mut versions = Vec::new();
    for r in c.query(&LATEST_VERSIONS, params![worker.0]).await? {
        // Ids are written by this server from UUIDs; another text is not a record of ours.
        let Ok(id) = Uuid::parse_str(&r.text(0)?) else {
            continue;
        };
        versions.push(StoredVersion {
            id,
            version: version(r.int(1)?)?,
            deleted: r.bool(2)?,
        });
    }
    Ok(versions)
}

/// A record's version as stored.
pub(crate) fn version(v: i64) -> Result<u32, StoreError> {
    u32::try_from(v).map_err(|_| StoreError::OutOfRange(format!("record version {v}")))
}

static VERSION_BODIES: Sql =
    Sql::both("SELECT body FROM records WHERE worker_id = $1 AND id = $2 ORDER BY version");

/// Every version of one record of one worker, oldest first.
pub(crate) async fn version_bodies<C: Conn>(
    c: &mut C,
    worker: WorkerId,
    id: Uuid,
) -> Result<Vec<String>, StoreError> {
    c.query(&VERSION_BODIES, params![worker.0, id.to_string()])
        .await?
        .into_iter()
        .map(|mut r| r.take_text(0))
        .collect()
}

/// One statement, so the counts are of one moment.
static COUNTS: Sql = Sql::both(
    "SELECT (SELECT COUNT(*) FROM workers), (SELECT COUNT(*) FROM devices),
            (SELECT COUNT(*) FROM pairing_codes), (SELECT COUNT(*) FROM records),
            (SELECT COUNT(*) FROM record_owners), (SELECT COUNT(*) FROM taxonomies),
            (SELECT COUNT(*) FROM settings), (SELECT COUNT(*) FROM audit)",
);

/// Rows per table.
pub(crate) async fn counts<C: Conn>(c: &mut C) -> Result<Counts, StoreError> {
    let r = c.one(&COUNTS, params![]).await?;
    Ok(Counts {
        workers: r.int(0)?,
        devices: r.int(1)?,
        pairing_codes: r.int(2)?,
        records: r.int(3)?,
        record_owners: r.int(4)?,
        taxonomies: r.int(5)?,
        settings: r.int(6)?,
        audit: r.int(7)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn local_dates_sort_as_the_days_and_other_years_are_left_to_every_period() {
        let days = [
            day(0, 1, 1),
            day(999, 12, 31),
            day(2019, 4, 1),
            day(9999, 12, 31),
        ];
        let keys: Vec<String> = days.iter().map(|d| local_date(*d).unwrap()).collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]), "{keys:?}");
        assert_eq!(keys[2], "2019-04-01");
        assert_eq!(local_date(day(-1, 6, 1)), None);
        assert_eq!(local_date(day(10_000, 1, 1)), None);
        // A period's ends past either side of four digits take in every stored date.
        assert!(bound(day(-5, 1, 1)) < keys[0] && bound(day(12_000, 1, 1)) > keys[3]);
        assert_eq!(bound(day(2019, 4, 1)), keys[2]);
    }
}
