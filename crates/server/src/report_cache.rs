//! The annual report over long periods, without reading closed months again at each request.
//!
//! Stored rows never change: a record changes by a new version, and a month's latest
//! versions change only when a version is added in it or a later version of one of its
//! records comes. So each month's report, kept as [`ReportPart`]s (one per program, which
//! merge into any set of programs), stays right for as long as two counts of the month do
//! (`Store::month_counts`: its versions, and the later versions of its records), and the
//! versions without a local day, which every period reads. Those counts are read from the
//! database at every request, in one statement: whichever server or command wrote, and in
//! whatever order their transactions committed, a count that moved means the month is
//! read again. Nothing is added to the write path.
//!
//! A request reads the counts of its months (one moment of the database, « A »), takes the
//! months whose parts are kept for those counts, and reads the others — in chunks, each on
//! its own connection and parsed on the blocking pool at once. It then reads the counts of
//! those months again: a month read is used only if its counts did not move, so that every
//! month of an answer is the month as it was at A (the counts only grow: equal counts,
//! equal rows). If one moved, the whole period's counts are read again (a later moment)
//! and the months that moved read again, a few times; past that, one plain read.
//!
//! Keyed by scope (the team, or one worker) and month: one worker's months never answer
//! for another's or the team's. The team's months also keep, for each worker, the few
//! columns « Équipe » compares ([`TeamPart`]), so its table comes from the same months.
//! Only whole months are kept: a period's first and last months, when cut, are read each
//! time. The months kept hold at most [`MAX_RECORDS`] records between them (about 330
//! bytes a record with the team's `TeamPart`s: 87 MB for a team's five years of 260 000,
//! see BENCHMARKS.md); past that the least recently used months leave first.
//!
//! A server fills the team's closed months once at start ([`ReportCache::warm`], in the
//! background), so that the first coordinator after a deploy or a restart does not wait
//! for years of records to be read; and again after the writes it takes, once they pause
//! ([`ReportCache::refill_after_writes`]), so that a past spreadsheet imported or a late
//! record of last month is read by the server in the background, not by the next
//! coordinator's request.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use carnet_core::team::TeamRow;
use carnet_core::{Record, Report, ReportFilter, ReportPart, TeamPart};
use chrono::{Datelike, Days, NaiveDate};

use crate::store::{MonthCount, Store, StoreError, WorkerId};

/// Records the kept months may hold between them (all scopes): a team of 50's seven years
/// and a half, about 130 MB.
pub const MAX_RECORDS: usize = 400_000;

/// Periods longer than this (twenty years) are read whole, as before: a month kept each
/// would cost more than it saves (and a query from year 1 to 9999 must not make 120 000).
const MAX_SPAN_MONTHS: usize = 240;

/// Reads of the months missing from a request, at once, each on its own connection.
const CHUNKS: usize = 4;

/// Times the months a write moved are read again before one plain read of the period.
const ATTEMPTS: usize = 3;

/// The records a start fills the team's months with at most: three quarters of
/// [`MAX_RECORDS`] (a team of 50's five years and a half), the rest left to other scopes and
/// to the months read after.
const WARM_RECORDS: i64 = MAX_RECORDS as i64 / 4 * 3;

/// How far back a start looks for the team's months: ten years.
const WARM_MONTHS: u32 = 120;

/// Under writes that never pause for the quiet wanted, the kept months are brought up to
/// date after this many quiet periods anyway.
const BURST_QUIETS: u32 = 10;

/// A calendar month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct Month {
    year: i32,
    month: u32,
}

impl Month {
    fn of(day: NaiveDate) -> Month {
        Month {
            year: day.year(),
            month: day.month(),
        }
    }

    fn first(self) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(self.year, self.month, 1)
    }

    fn next(self) -> Month {
        match self.month {
            12 => Month {
                year: self.year + 1,
                month: 1,
            },
            m => Month {
                year: self.year,
                month: m + 1,
            },
        }
    }

    fn previous(self) -> Month {
        match self.month {
            1 => Month {
                year: self.year - 1,
                month: 12,
            },
            m => Month {
                year: self.year,
                month: m - 1,
            },
        }
    }

    fn last(self) -> Option<NaiveDate> {
        self.next().first()?.checked_sub_days(Days::new(1))
    }

    /// As `Store::month_counts` names it (`substr(local_date, 1, 7)`).
    fn key(self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }
}

/// A month's counts at one moment, with those of the versions without a local day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Fingerprint {
    versions: i64,
    later: i64,
    undated_versions: i64,
    undated_later: i64,
}

/// `Store::month_counts` of a span, by month.
struct Counts {
    months: HashMap<String, (i64, i64)>,
    undated: (i64, i64),
}

impl Counts {
    fn new(rows: Vec<MonthCount>) -> Counts {
        let mut counts = Counts {
            months: HashMap::new(),
            undated: (0, 0),
        };
        for row in rows {
            let slot = match row.month {
                Some(month) => counts.months.entry(month).or_default(),
                None => &mut counts.undated,
            };
            if row.later {
                slot.1 += row.count;
            } else {
                slot.0 += row.count;
            }
        }
        counts
    }

    fn of(&self, month: Month) -> Fingerprint {
        let (versions, later) = self.months.get(&month.key()).copied().unwrap_or_default();
        Fingerprint {
            versions,
            later,
            undated_versions: self.undated.0,
            undated_later: self.undated.1,
        }
    }
}

/// A month of a period, whole or the days of it inside the period.
#[derive(Debug, Clone, Copy)]
struct Unit {
    month: Month,
    from: NaiveDate,
    to: NaiveDate,
    whole: bool,
}

/// The months of `from..=to`, the first and last cut to the period; `None` past
/// [`MAX_SPAN_MONTHS`] or outside the years `local_date` holds (0 to 9999).
fn units(from: NaiveDate, to: NaiveDate) -> Option<Vec<Unit>> {
    let (first, last) = (Month::of(from), Month::of(to));
    let span =
        i64::from(last.year - first.year) * 12 + i64::from(last.month) - i64::from(first.month);
    let years = 0..=9999;
    if span >= MAX_SPAN_MONTHS as i64 || !years.contains(&first.year) || !years.contains(&last.year)
    {
        return None;
    }
    let mut units = Vec::new();
    let mut month = first;
    while month <= last {
        let (start, end) = (month.first()?, month.last()?);
        units.push(Unit {
            month,
            from: start.max(from),
            to: end.min(to),
            whole: start >= from && end <= to,
        });
        month = month.next();
    }
    Some(units)
}

/// A month's report in parts.
#[derive(Debug, Default)]
struct Parts {
    /// One part per program: a report merges those the period asks for.
    programs: BTreeMap<String, ReportPart>,
    /// The team's months only: each worker's columns of « Équipe », one part per program.
    workers: HashMap<WorkerId, BTreeMap<String, TeamPart>>,
}

type Key = (Option<WorkerId>, Month);

struct Kept {
    fingerprint: Fingerprint,
    parts: Arc<Parts>,
    /// Latest versions read for the month: what its parts cost in memory, roughly.
    records: usize,
    used: u64,
}

/// The months kept, the records they hold, and a clock of uses.
#[derive(Default)]
struct Shelf {
    months: HashMap<Key, Kept>,
    records: usize,
    tick: u64,
}

/// Whole months' reports, by scope and month, with the counts they were read at.
#[derive(Default)]
pub struct ReportCache {
    shelf: Mutex<Shelf>,
    /// One request of a scope reads months at a time, so that two never read the same
    /// months at once (a start's `warm` and the first coordinator, or two coordinators).
    turns: Mutex<HashMap<Option<WorkerId>, Arc<tokio::sync::Mutex<()>>>>,
    /// Months read from the database so far, whole or cut (for tests and the benchmark).
    months_read: AtomicU64,
    /// Records stored since the kept months were last brought up to date.
    written: tokio::sync::Notify,
}

/// What [`ReportCache::warm`] kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Warmed {
    /// Closed months of the team kept, from the oldest with a record.
    pub months: usize,
    /// Record versions in them, as counted before reading.
    pub records: i64,
}

impl ReportCache {
    pub fn new() -> Self {
        Self::default()
    }

    /// Every table of the report of `filter` over the latest records of `worker`'s (or the
    /// team's): what `Report::compute` over `store.latest_records_in` gives, at one moment.
    pub async fn report(
        &self,
        store: &Store,
        worker: Option<WorkerId>,
        filter: &ReportFilter,
    ) -> Result<Report, StoreError> {
        let period = self.period(store, worker, filter).await?;
        blocking(move || period.report(true)).await
    }

    /// The months of `filter`'s period for `worker` (or the team), kept or read, at one
    /// moment: its report ([`Period::report`]) and, the team's, each worker's row of
    /// « Équipe » ([`Period::worker_row`]).
    pub async fn period(
        &self,
        store: &Store,
        worker: Option<WorkerId>,
        filter: &ReportFilter,
    ) -> Result<Period, StoreError> {
        Ok(Period {
            months: self.months(store, worker, filter).await?,
            team: worker.is_none(),
            programs: filter.programs.clone(),
        })
    }

    /// The parts of the period's months: whole months kept at the counts read, the
    /// others read.
    async fn months(
        &self,
        store: &Store,
        worker: Option<WorkerId>,
        filter: &ReportFilter,
    ) -> Result<Vec<Arc<Parts>>, StoreError> {
        let Some(units) = units(filter.from, filter.to) else {
            return plain(store, worker, filter).await;
        };
        let span = (
            units.first().and_then(|u| u.month.first()),
            units.last().and_then(|u| u.month.last()),
        );
        let (Some(from), Some(to)) = span else {
            return plain(store, worker, filter).await;
        };
        let mut counts = Counts::new(store.month_counts(from, to).await?);
        // Months read by this request, with the counts they were read at.
        let mut fresh: HashMap<Month, (Fingerprint, Arc<Parts>)> = HashMap::new();
        // This scope's turn to read, taken at the first month missing.
        let mut turn = None;
        for _ in 0..ATTEMPTS {
            let (mut parts, mut missing) = self.sort(&units, worker, &counts, &fresh);
            if turn.is_none() && !missing.is_empty() {
                // Another request of the scope (the start's `warm`, a second coordinator)
                // may be reading these months: wait for it, then read only what it left.
                turn = Some(self.turn_of(worker).lock_owned().await);
                (parts, missing) = self.sort(&units, worker, &counts, &fresh);
            }
            let (Some(first), Some(last)) = (missing.first(), missing.last()) else {
                return Ok(parts);
            };
            self.months_read
                .fetch_add(missing.len() as u64, Ordering::Relaxed);
            let read = read_units(store, worker, &missing).await?;
            // Only the months just read can have moved since `counts`: count them again.
            let span = (first.month.first(), last.month.last());
            let (Some(read_from), Some(read_to)) = span else {
                break;
            };
            let after = Counts::new(store.month_counts(read_from, read_to).await?);
            let mut moved = false;
            for (unit, parts, records) in read {
                let at = counts.of(unit.month);
                if at != after.of(unit.month) {
                    moved = true;
                    continue;
                }
                let parts = Arc::new(parts);
                if unit.whole {
                    self.put((worker, unit.month), at, (parts.clone(), records));
                }
                fresh.insert(unit.month, (at, parts));
            }
            if moved {
                // A write came meanwhile: the whole period at a later moment.
                counts = Counts::new(store.month_counts(from, to).await?);
            }
        }
        // Writes kept moving the period's months: one read, one moment.
        plain(store, worker, filter).await
    }

    /// The kept or just-read parts of `units` at `counts`, and the units to read.
    fn sort(
        &self,
        units: &[Unit],
        worker: Option<WorkerId>,
        counts: &Counts,
        fresh: &HashMap<Month, (Fingerprint, Arc<Parts>)>,
    ) -> (Vec<Arc<Parts>>, Vec<Unit>) {
        let mut parts = Vec::with_capacity(units.len());
        let mut missing = Vec::new();
        for unit in units {
            let at = counts.of(unit.month);
            let kept = match fresh.get(&unit.month) {
                Some((read_at, p)) if *read_at == at => Some(p.clone()),
                _ if unit.whole => self.get((worker, unit.month), at),
                _ => None,
            };
            match kept {
                Some(p) => parts.push(p),
                None => missing.push(*unit),
            }
        }
        (parts, missing)
    }

    /// The lock a scope's reads take turns on.
    fn turn_of(&self, worker: Option<WorkerId>) -> Arc<tokio::sync::Mutex<()>> {
        let mut turns = self.turns.lock().unwrap_or_else(|e| e.into_inner());
        turns.entry(worker).or_default().clone()
    }

    /// Keeps the team's closed months before `today`'s, newest first, back to the oldest
    /// with a record, ten years, or [`WARM_RECORDS`] versions, whichever comes first: what
    /// a coordinator's report over the last years reads. Run at a server's start, and after
    /// writes ([`ReportCache::refill_after_writes`]: months already kept at their counts
    /// are not read again); a request meanwhile waits for the year being read, then reads
    /// only what is missing.
    pub async fn warm(&self, store: &Store, today: NaiveDate) -> Result<Warmed, StoreError> {
        let this = Month::of(today);
        let mut oldest = this;
        for _ in 0..WARM_MONTHS {
            oldest = oldest.previous();
        }
        let (Some(from), Some(to)) = (oldest.first(), this.previous().last()) else {
            return Ok(Warmed::default());
        };
        let counts = Counts::new(store.month_counts(from, to).await?);
        let (mut first, mut months, mut records) = (None, 0, 0);
        let mut month = this.previous();
        while month >= oldest {
            let versions = counts.of(month).versions;
            if records + versions > WARM_RECORDS {
                break;
            }
            records += versions;
            months += 1;
            if versions > 0 {
                first = Some((month, months));
            }
            month = month.previous();
        }
        // From the oldest month with a record: the empty ones before it are not read.
        let Some((first, months)) = first else {
            return Ok(Warmed::default());
        };
        // A year at a time, the latest first: a coordinator who asks meanwhile waits for
        // one year's read at most, and most ask for the last years.
        let mut last = this.previous();
        while last >= first {
            let mut start = last;
            for _ in 1..12 {
                if start > first {
                    start = start.previous();
                }
            }
            let (Some(from), Some(to)) = (start.first(), last.last()) else {
                break;
            };
            let filter = ReportFilter {
                from,
                to,
                programs: None,
            };
            self.months(store, None, &filter).await?;
            last = start.previous();
        }
        Ok(Warmed { months, records })
    }

    /// Says that records were stored (a batch, an import), for
    /// [`ReportCache::refill_after_writes`]. Costs nothing when nothing waits.
    pub fn written(&self) {
        self.written.notify_one();
    }

    /// Waits for records to be stored ([`ReportCache::written`]), then for the writes to
    /// pause for `quiet` (a team's end-of-shift syncs, an import's batches: read once, at
    /// the end), or for [`BURST_QUIETS`] × `quiet` under writes that do not pause, and
    /// brings the team's closed months up to date ([`ReportCache::warm`]): only the months
    /// the writes moved are read. A server runs this in a loop, in the background.
    pub async fn refill_after_writes(
        &self,
        store: &Store,
        quiet: Duration,
        today: impl Fn() -> NaiveDate,
    ) -> Result<Warmed, StoreError> {
        self.written.notified().await;
        let first = Instant::now();
        while first.elapsed() < quiet * BURST_QUIETS
            && tokio::time::timeout(quiet, self.written.notified())
                .await
                .is_ok()
        {}
        self.warm(store, today()).await
    }

    /// Months read from the database since this cache was made, whole or cut.
    pub fn months_read(&self) -> u64 {
        self.months_read.load(Ordering::Relaxed)
    }

    fn get(&self, key: Key, fingerprint: Fingerprint) -> Option<Arc<Parts>> {
        let mut shelf = self.shelf.lock().unwrap_or_else(|e| e.into_inner());
        shelf.tick += 1;
        let tick = shelf.tick;
        let kept = shelf.months.get_mut(&key)?;
        if kept.fingerprint != fingerprint {
            return None;
        }
        kept.used = tick;
        Some(kept.parts.clone())
    }

    fn put(&self, key: Key, fingerprint: Fingerprint, (parts, records): (Arc<Parts>, usize)) {
        let mut shelf = self.shelf.lock().unwrap_or_else(|e| e.into_inner());
        shelf.tick += 1;
        let used = shelf.tick;
        let kept = Kept {
            fingerprint,
            parts,
            records,
            used,
        };
        shelf.records += records;
        if let Some(old) = shelf.months.insert(key, kept) {
            shelf.records -= old.records;
        }
        while shelf.records > MAX_RECORDS {
            let oldest = shelf
                .months
                .iter()
                .min_by_key(|(_, k)| k.used)
                .map(|(k, _)| *k);
            let Some(removed) = oldest.and_then(|k| shelf.months.remove(&k)) else {
                break;
            };
            shelf.records -= removed.records;
        }
    }

    /// Months kept, all scopes (for tests and the benchmark).
    pub fn len(&self) -> usize {
        self.shelf
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .months
            .len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The period's parts from one read of its latest records: one unit, the whole period,
/// as `Report::compute` over those records counts them.
async fn plain(
    store: &Store,
    worker: Option<WorkerId>,
    filter: &ReportFilter,
) -> Result<Vec<Arc<Parts>>, StoreError> {
    let records = store
        .latest_records_in(worker, filter.from, filter.to)
        .await?;
    let period = Unit {
        month: Month::of(filter.from),
        from: filter.from,
        to: filter.to,
        whole: false,
    };
    let team = worker.is_none();
    blocking(move || {
        parts_of(&[period], &records, team)
            .into_iter()
            .map(|(_, parts, _)| Arc::new(parts))
            .collect()
    })
    .await
}

/// `work` on the blocking pool: what parses or counts many records.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, StoreError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| StoreError::Task(e.to_string()))
}

/// Reads `units` in up to [`CHUNKS`] runs of months at once; each run is parsed and made
/// into parts on the blocking pool as soon as it is read.
async fn read_units(
    store: &Store,
    worker: Option<WorkerId>,
    units: &[Unit],
) -> Result<Vec<(Unit, Parts, usize)>, StoreError> {
    let size = units.len().div_ceil(CHUNKS).max(1);
    let mut reads = tokio::task::JoinSet::new();
    for chunk in units.chunks(size) {
        let (store, chunk) = (store.clone(), chunk.to_vec());
        reads.spawn(async move {
            let (Some(first), Some(last)) = (chunk.first(), chunk.last()) else {
                return Ok(Vec::new());
            };
            let records = store.latest_records_in(worker, first.from, last.to).await?;
            blocking(move || parts_of(&chunk, &records, worker.is_none())).await
        });
    }
    let mut read = Vec::with_capacity(units.len());
    while let Some(chunk) = reads.join_next().await {
        read.extend(chunk.map_err(|e| StoreError::Task(e.to_string()))??);
    }
    Ok(read)
}

/// Each unit's records (by their own local day, as a report filters them), one part per
/// program (and, for the `team`, one `TeamPart` per worker and program), and how many
/// records it took. Records of other days — versions without a local day, which every read
/// returns — are left to their own month.
fn parts_of(
    units: &[Unit],
    records: &[(WorkerId, Record)],
    team: bool,
) -> Vec<(Unit, Parts, usize)> {
    type Group<'r> = BTreeMap<&'r str, Vec<&'r Record>>;
    let mut by_unit: Vec<(Group, HashMap<WorkerId, Group>)> = vec![Default::default(); units.len()];
    for (worker, record) in records {
        let day = record.local_date();
        if let Some(i) = units.iter().position(|u| u.from <= day && day <= u.to) {
            let (programs, workers) = &mut by_unit[i];
            programs.entry(record.program()).or_default().push(record);
            if team {
                let theirs = workers.entry(*worker).or_default();
                theirs.entry(record.program()).or_default().push(record);
            }
        }
    }
    units
        .iter()
        .zip(by_unit)
        .map(|(unit, (programs, workers))| {
            // An empty month still costs its entry: one record's worth.
            let records = programs.values().map(Vec::len).sum::<usize>().max(1);
            let filter = ReportFilter {
                from: unit.from,
                to: unit.to,
                programs: None,
            };
            let parts = Parts {
                programs: programs
                    .into_iter()
                    .map(|(program, records)| {
                        let part = ReportPart::of(records.iter().copied(), &filter);
                        (program.to_owned(), part)
                    })
                    .collect(),
                workers: workers
                    .into_iter()
                    .map(|(worker, programs)| {
                        let parts = programs
                            .into_iter()
                            .map(|(program, records)| {
                                let part = TeamPart::of(records.iter().copied(), &filter);
                                (program.to_owned(), part)
                            })
                            .collect();
                        (worker, parts)
                    })
                    .collect(),
            };
            (*unit, parts, records)
        })
        .collect()
}

/// A period's months for one request, kept or read at one moment.
pub struct Period {
    months: Vec<Arc<Parts>>,
    /// The team's months (which hold each worker's `TeamPart`s), or one worker's.
    team: bool,
    programs: Option<BTreeSet<String>>,
}

impl Period {
    /// The report of the period's scope, with the cross-tables or without them
    /// (`Report::compute_without_cross_tables`).
    pub fn report(&self, cross: bool) -> Report {
        ReportPart::combine(
            self.months.iter().flat_map(|m| self.chosen(&m.programs)),
            cross,
        )
    }

    /// One worker's row of « Équipe » (`TeamRow::of` that worker's report), from the
    /// team's months; `None` from one worker's, which do not hold it.
    pub fn worker_row(&self, worker: WorkerId, name: &str) -> Option<TeamRow> {
        self.team.then(|| {
            TeamPart::combine(
                name,
                self.months
                    .iter()
                    .filter_map(|m| m.workers.get(&worker))
                    .flat_map(|parts| self.chosen(parts)),
            )
        })
    }

    /// The parts of the programs asked for.
    fn chosen<'p, P>(&'p self, parts: &'p BTreeMap<String, P>) -> impl Iterator<Item = &'p P> {
        parts
            .iter()
            .filter(|(program, _)| self.programs.as_ref().is_none_or(|p| p.contains(*program)))
            .map(|(_, part)| part)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_period_is_its_months_the_first_and_last_cut() {
        let year = units(day(2024, 4, 15), day(2025, 3, 31)).unwrap();
        assert_eq!(year.len(), 12);
        assert_eq!((year[0].from, year[0].whole), (day(2024, 4, 15), false));
        assert_eq!(
            (year[1].from, year[1].to),
            (day(2024, 5, 1), day(2024, 5, 31))
        );
        assert!(year[1..].iter().all(|u| u.whole));
        assert_eq!(year[11].month.key(), "2025-03");
        let one = units(day(2024, 2, 1), day(2024, 2, 29)).unwrap();
        assert_eq!((one.len(), one[0].whole), (1, true));
        assert_eq!(Month::of(day(2024, 12, 3)).last(), Some(day(2024, 12, 31)));
        // Twenty years are months; longer periods, or years local days do not hold, are
        // read whole.
        assert_eq!(
            units(day(2005, 4, 1), day(2025, 3, 31)).map(|u| u.len()),
            Some(240)
        );
        assert!(units(day(2005, 3, 31), day(2025, 3, 31)).is_none());
        assert!(units(day(1, 1, 1), day(9999, 12, 31)).is_none());
        assert!(units(day(-3, 1, 1), day(-3, 2, 1)).is_none());
    }

    #[test]
    fn the_least_recently_used_months_leave_past_the_records_kept() {
        let cache = ReportCache::new();
        let month = |m| {
            (
                None,
                Month {
                    year: 2024,
                    month: m,
                },
            )
        };
        let print = Fingerprint::default();
        let half = MAX_RECORDS / 2;
        cache.put(month(1), print, (Arc::default(), half));
        cache.put(month(2), print, (Arc::default(), half));
        assert!(cache.get(month(1), print).is_some());
        cache.put(month(3), print, (Arc::default(), 1));
        // Month 2 was used least recently.
        assert!(cache.get(month(2), print).is_none());
        assert!(cache.get(month(1), print).is_some() && cache.get(month(3), print).is_some());
        // Another scope, or other counts, find nothing.
        assert!(
            cache
                .get(
                    (
                        Some(WorkerId(1)),
                        Month {
                            year: 2024,
                            month: 1
                        }
                    ),
                    print
                )
                .is_none()
        );
        let moved = Fingerprint { later: 1, ..print };
        assert!(cache.get(month(1), moved).is_none());
        assert_eq!(cache.len(), 2);
    }
}
