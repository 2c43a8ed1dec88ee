//! `carnet-server migrate-to-postgres`: copies a SQLite database into an empty PostgreSQL
//! one, in one PostgreSQL transaction, from one consistent SQLite snapshot, then checks
//! that every table has as many rows on both sides and that the person-code key is the
//! same (a new key would change every person code and split the counts of persons).

use std::path::Path;

use thiserror::Error;
use tokio_postgres::types::ToSql;

use crate::store::records;
use crate::store::sqlite::{SqliteOptions, SqliteStore};
use crate::store::{Counts, PgStore, Store, StoreError};

#[derive(Debug, Error)]
pub enum MigrateError {
    #[error("no SQLite database at {0}")]
    NoSource(String),
    #[error("the PostgreSQL database is not empty ({0}); migrate into a new, empty database")]
    TargetNotEmpty(String),
    #[error(
        "the counts differ after copying, nothing was kept: SQLite {sqlite:?}, PostgreSQL {postgres:?}"
    )]
    CountsDiffer { sqlite: Counts, postgres: Counts },
    #[error("the person-code key differs after copying; nothing was kept")]
    KeyDiffers,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<tokio_postgres::Error> for MigrateError {
    fn from(err: tokio_postgres::Error) -> Self {
        MigrateError::Store(err.into())
    }
}

/// Rows are copied this many at a time (one statement of arrays each).
const CHUNK: usize = 1000;

/// id, hash, worker, label, created, last seen, revoked.
type DeviceRow = (i64, String, i64, String, i64, Option<i64>, Option<i64>);
/// id, at, actor, action, worker, device, detail.
type AuditRow = (
    i64,
    i64,
    String,
    String,
    Option<String>,
    Option<i64>,
    Option<String>,
);

/// id, version, worker, deleted, body, received, local day.
type RecordRow = (String, i64, i64, bool, String, i64, Option<String>);

/// Every row of the SQLite database.
#[derive(Default)]
struct Dump {
    workers: Vec<(i64, String, String, i64, Option<i64>, String)>,
    devices: Vec<DeviceRow>,
    audit: Vec<AuditRow>,
    pairing_codes: Vec<(String, i64, i64, Option<i64>)>,
    taxonomies: Vec<(i64, String, i64)>,
    settings: Vec<(String, String)>,
    records: Vec<RecordRow>,
    record_owners: Vec<(String, i64)>,
}

impl Dump {
    fn counts(&self) -> Counts {
        let n = |len: usize| len as i64;
        Counts {
            workers: n(self.workers.len()),
            devices: n(self.devices.len()),
            pairing_codes: n(self.pairing_codes.len()),
            records: n(self.records.len()),
            record_owners: n(self.record_owners.len()),
            taxonomies: n(self.taxonomies.len()),
            settings: n(self.settings.len()),
            audit: n(self.audit.len()),
        }
    }

    fn person_code_key(&self) -> Option<&str> {
        self.settings
            .iter()
            .find(|(name, _)| name == "person_code_key")
            .map(|(_, value)| value.as_str())
    }
}

/// Every row of `sql`, each read as a tuple of its columns in order.
fn read_all<T>(tx: &rusqlite::Transaction<'_>, sql: &str) -> Result<Vec<T>, StoreError>
where
    T: for<'a> TryFrom<&'a rusqlite::Row<'a>, Error = rusqlite::Error>,
{
    let mut stmt = tx.prepare(sql)?;
    let rows = stmt
        .query_map([], |row| T::try_from(row))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

fn dump(tx: &rusqlite::Transaction<'_>) -> Result<Dump, StoreError> {
    Ok(Dump {
        workers: read_all(
            tx,
            "SELECT id, name, token_hash, created_ms, revoked_ms, role FROM workers",
        )?,
        devices: read_all(
            tx,
            "SELECT id, hash, worker_id, label, created_ms, last_seen_ms, revoked_ms FROM devices",
        )?,
        audit: read_all(
            tx,
            "SELECT id, at_ms, actor, action, worker, device_id, detail FROM audit",
        )?,
        pairing_codes: read_all(
            tx,
            "SELECT hash, worker_id, expires_ms, used_ms FROM pairing_codes",
        )?,
        taxonomies: read_all(tx, "SELECT version, document, loaded_ms FROM taxonomies")?,
        settings: read_all(tx, "SELECT name, value FROM settings")?,
        records: read_all(
            tx,
            "SELECT id, version, worker_id, deleted, body, received_ms, local_date FROM records",
        )?,
        record_owners: read_all(tx, "SELECT id, worker_id FROM record_owners")?,
    })
}

/// Runs one `INSERT … SELECT FROM unnest(…)` per chunk of `rows`.
async fn insert_chunks<R>(
    tx: &deadpool_postgres::Transaction<'_>,
    sql: &str,
    rows: &[R],
    columns: impl Fn(&[R]) -> Vec<Box<dyn ToSql + Sync + Send>>,
) -> Result<(), MigrateError> {
    let stmt = tx.prepare(sql).await?;
    for chunk in rows.chunks(CHUNK) {
        let values = columns(chunk);
        let params: Vec<&(dyn ToSql + Sync)> = values
            .iter()
            .map(|v| v.as_ref() as &(dyn ToSql + Sync))
            .collect();
        tx.execute(&stmt, &params).await?;
    }
    Ok(())
}

fn column<R, T: ToSql + Sync + Send + 'static>(
    rows: &[R],
    f: impl Fn(&R) -> T,
) -> Box<dyn ToSql + Sync + Send> {
    Box::new(rows.iter().map(f).collect::<Vec<T>>())
}

/// Copies `file` into the PostgreSQL database at `url`, which must hold no data yet.
/// Returns the counts, checked equal on both sides.
pub async fn sqlite_to_postgres(file: &Path, url: &str) -> Result<Counts, MigrateError> {
    if !file.is_file() {
        return Err(MigrateError::NoSource(file.display().to_string()));
    }
    let path = file.to_owned();
    let source =
        tokio::task::spawn_blocking(move || SqliteStore::open(&path, SqliteOptions::default()))
            .await
            .map_err(|e| StoreError::Task(e.to_string()))??;
    let dump = source.dump(dump).await?;
    let expected = dump.counts();

    let target = PgStore::open(url).await?;
    let mut client = target.connection().await?;
    let mut tx = client.transaction().await?;
    tx.execute(
        "SELECT pg_advisory_xact_lock($1)",
        &[&crate::store::postgres::MIGRATION_LOCK],
    )
    .await?;
    let before = records::counts(&mut tx).await?;
    let holding = [
        ("workers", before.workers),
        ("devices", before.devices),
        ("audit entries", before.audit),
        ("pairing codes", before.pairing_codes),
        ("records", before.records),
        ("taxonomies", before.taxonomies),
    ]
    .into_iter()
    .filter(|(_, n)| *n > 0)
    .map(|(table, n)| format!("{n} {table}"))
    .collect::<Vec<_>>();
    if !holding.is_empty() {
        return Err(MigrateError::TargetNotEmpty(holding.join(", ")));
    }

    insert_chunks(
        &tx,
        "INSERT INTO workers (id, name, token_hash, created_ms, revoked_ms, role)
         SELECT * FROM unnest($1::BIGINT[], $2::TEXT[], $3::TEXT[], $4::BIGINT[], $5::BIGINT[], $6::TEXT[])",
        &dump.workers,
        |rows| {
            vec![
                column(rows, |r| r.0),
                column(rows, |r| r.1.clone()),
                column(rows, |r| r.2.clone()),
                column(rows, |r| r.3),
                column(rows, |r| r.4),
                column(rows, |r| r.5.clone()),
            ]
        },
    )
    .await?;
    // New workers made in PostgreSQL must not reuse a copied id.
    tx.execute(
        "SELECT setval(pg_get_serial_sequence('workers', 'id'), COALESCE(MAX(id), 0) + 1, false)
         FROM workers",
        &[],
    )
    .await?;
    insert_chunks(
        &tx,
        "INSERT INTO devices (id, hash, worker_id, label, created_ms, last_seen_ms, revoked_ms)
         SELECT * FROM unnest($1::BIGINT[], $2::TEXT[], $3::BIGINT[], $4::TEXT[], $5::BIGINT[], $6::BIGINT[], $7::BIGINT[])",
        &dump.devices,
        |rows| {
            vec![
                column(rows, |r| r.0),
                column(rows, |r| r.1.clone()),
                column(rows, |r| r.2),
                column(rows, |r| r.3.clone()),
                column(rows, |r| r.4),
                column(rows, |r| r.5),
                column(rows, |r| r.6),
            ]
        },
    )
    .await?;
    insert_chunks(
        &tx,
        "INSERT INTO audit (id, at_ms, actor, action, worker, device_id, detail)
         SELECT * FROM unnest($1::BIGINT[], $2::BIGINT[], $3::TEXT[], $4::TEXT[], $5::TEXT[], $6::BIGINT[], $7::TEXT[])",
        &dump.audit,
        |rows| {
            vec![
                column(rows, |r| r.0),
                column(rows, |r| r.1),
                column(rows, |r| r.2.clone()),
                column(rows, |r| r.3.clone()),
                column(rows, |r| r.4.clone()),
                column(rows, |r| r.5),
                column(rows, |r| r.6.clone()),
            ]
        },
    )
    .await?;
    // Devices and audit entries made in PostgreSQL must not reuse a copied number.
    for table in ["devices", "audit"] {
        tx.execute(
            &format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(MAX(id), 0) + 1, false)
                 FROM {table}"
            ),
            &[],
        )
        .await?;
    }
    insert_chunks(
        &tx,
        "INSERT INTO pairing_codes (hash, worker_id, expires_ms, used_ms)
         SELECT * FROM unnest($1::TEXT[], $2::BIGINT[], $3::BIGINT[], $4::BIGINT[])",
        &dump.pairing_codes,
        |rows| {
            vec![
                column(rows, |r| r.0.clone()),
                column(rows, |r| r.1),
                column(rows, |r| r.2),
                column(rows, |r| r.3),
            ]
        },
    )
    .await?;
    insert_chunks(
        &tx,
        "INSERT INTO taxonomies (version, document, loaded_ms)
         SELECT * FROM unnest($1::BIGINT[], $2::TEXT[], $3::BIGINT[])",
        &dump.taxonomies,
        |rows| {
            vec![
                column(rows, |r| r.0),
                column(rows, |r| r.1.clone()),
                column(rows, |r| r.2),
            ]
        },
    )
    .await?;
    // The target made its own person-code key when it was created: the copied one wins.
    insert_chunks(
        &tx,
        "INSERT INTO settings (name, value) SELECT * FROM unnest($1::TEXT[], $2::TEXT[])
         ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value",
        &dump.settings,
        |rows| vec![column(rows, |r| r.0.clone()), column(rows, |r| r.1.clone())],
    )
    .await?;
    insert_chunks(
        &tx,
        "INSERT INTO records (id, version, worker_id, deleted, body, received_ms, local_date)
         SELECT * FROM unnest($1::TEXT[], $2::BIGINT[], $3::BIGINT[], $4::BOOLEAN[], $5::TEXT[], $6::BIGINT[], $7::TEXT[])",
        &dump.records,
        |rows| {
            vec![
                column(rows, |r| r.0.clone()),
                column(rows, |r| r.1),
                column(rows, |r| r.2),
                column(rows, |r| r.3),
                column(rows, |r| r.4.clone()),
                column(rows, |r| r.5),
                column(rows, |r| r.6.clone()),
            ]
        },
    )
    .await?;
    insert_chunks(
        &tx,
        "INSERT INTO record_owners (id, worker_id) SELECT * FROM unnest($1::TEXT[], $2::BIGINT[])",
        &dump.record_owners,
        |rows| vec![column(rows, |r| r.0.clone()), column(rows, |r| r.1)],
    )
    .await?;
    let copied = records::counts(&mut tx).await?;
    if copied != expected {
        return Err(MigrateError::CountsDiffer {
            sqlite: expected,
            postgres: copied,
        });
    }
    let key: Option<String> = tx
        .query_opt(
            "SELECT value FROM settings WHERE name = 'person_code_key'",
            &[],
        )
        .await?
        .map(|r| r.get(0));
    if key.as_deref() != dump.person_code_key() {
        return Err(MigrateError::KeyDiffers);
    }
    tx.commit().await?;
    drop(client);

    // Checked again once committed, through the store the servers will use.
    let target = Store::Postgres(target);
    let after = target.counts().await?;
    if after != expected {
        return Err(MigrateError::CountsDiffer {
            sqlite: expected,
            postgres: after,
        });
    }
    if target.person_code_key().await?.as_str() != dump.person_code_key().unwrap_or_default() {
        return Err(MigrateError::KeyDiffers);
    }
    Ok(after)
}
