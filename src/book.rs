//! The open profile's records in memory, indexed so that a tap costs the same with 20 000
//! records as with 20: a save touches one entry and a few counters, never the whole list.
//!
//! ```ignore
//! book.update(|b| b.upsert(local));     // after IndexedDB committed
//! book.with(|b| b.day(today).count());  // « Aujourd'hui » reads one day
//! ```

use std::collections::{BTreeMap, BTreeSet, HashMap};

use carnet_core::hash::Fixed;
use carnet_core::{Record, SyncState};
use chrono::NaiveDate;
use uuid::Uuid;

use crate::storage::LocalRecord;

/// Where a day's entry sorts: time of the record, then id (unique).
type DayKey = (i64, Uuid);

#[derive(Debug, Clone, Default)]
pub struct Book {
    /// Where each record sorts, by id, with core's fixed hash (SipHash's rounds showed).
    index: HashMap<Uuid, (NaiveDate, DayKey), Fixed>,
    /// The records themselves, each day's in time order: a year of « Mes chiffres » reads
    /// 20 000 records in place, where a lookup by id for each was a third of its time.
    by_day: BTreeMap<NaiveDate, Vec<(DayKey, LocalRecord)>>,
    /// Records waiting for the next sync, oldest first (the banner about old unsynced
    /// records reads the first one after every change: O(log n), not a scan).
    pending: BTreeSet<DayKey>,
    /// Records the server refused, or in conflict: « À corriger ». Keyed like the queue,
    /// so both are one set type in the wasm (a set of ids alone was 3.9 kB of it).
    to_fix: BTreeSet<DayKey>,
}

fn day_key(record: &Record) -> (NaiveDate, DayKey) {
    (
        record.local_date(),
        (record.occurred_at().timestamp_millis(), record.id()),
    )
}

impl Book {
    pub fn from_records(records: Vec<LocalRecord>) -> Self {
        let mut book = Book::default();
        book.extend(records);
        book
    }

    /// Adds or replaces many records at once (unlocking, the older records from their
    /// blocks, a restored backup): put in time order first, so that each goes at the end
    /// of its day, instead of moving a day's records (a few hundred bytes each) for every
    /// one that came out of order. Callers pass one copy of each id (a second would replace
    /// the first).
    pub fn extend(&mut self, records: impl IntoIterator<Item = LocalRecord>) {
        let mut records: Vec<LocalRecord> = records.into_iter().collect();
        // By time: nearly always each day's order too (a day is by the worker's own offset),
        // and `place` keeps each day's order whatever comes.
        records.sort_by_cached_key(|local| local.record.occurred_at().timestamp_millis());
        for local in records {
            self.remove(local.record.id());
            self.place(local);
        }
    }

    /// Adds or replaces one record (and its indexes). A record that keeps its time (a sync
    /// answer, most corrections) stays where it is, and a new one is the day's latest as a
    /// rule: nothing moves.
    pub fn upsert(&mut self, local: LocalRecord) {
        let id = local.record.id();
        let (day, key) = day_key(&local.record);
        if self.index.get(&id) == Some(&(day, key)) {
            self.pending.remove(&key);
            self.to_fix.remove(&key);
            self.track(&local);
            if let Some(slot) = self.slot(day, key) {
                *slot = local;
            }
            return;
        }
        self.remove(id);
        self.place(local);
    }

    /// Indexes `local` and puts it in its day, in time order.
    fn place(&mut self, local: LocalRecord) {
        let (day, key) = self.track(&local);
        let list = self.by_day.entry(day).or_default();
        let at = list.partition_point(|(k, _)| *k < key);
        list.insert(at, (key, local));
    }

    /// Indexes `local` by id, and in the queue or « À corriger » by its standing; returns
    /// where it sorts.
    fn track(&mut self, local: &LocalRecord) -> (NaiveDate, DayKey) {
        let id = local.record.id();
        let (day, key) = day_key(&local.record);
        match local.standing.sync {
            SyncState::Pending => {
                self.pending.insert(key);
            }
            SyncState::Rejected { .. } | SyncState::Conflict { .. } => {
                self.to_fix.insert(key);
            }
            SyncState::Synced => {}
        }
        self.index.insert(id, (day, key));
        (day, key)
    }

    fn slot(&mut self, day: NaiveDate, key: DayKey) -> Option<&mut LocalRecord> {
        let list = self.by_day.get_mut(&day)?;
        let at = list.binary_search_by(|(k, _)| k.cmp(&key)).ok()?;
        Some(&mut list[at].1)
    }

    /// Forgets one record.
    pub fn remove(&mut self, id: Uuid) -> Option<LocalRecord> {
        let (day, key) = self.index.remove(&id)?;
        self.pending.remove(&key);
        self.to_fix.remove(&key);
        let list = self.by_day.get_mut(&day)?;
        let at = list.binary_search_by(|(k, _)| k.cmp(&key)).ok()?;
        let (_, old) = list.remove(at);
        if list.is_empty() {
            // The day stays, its memory freed, and `previous_day` and `next_day` skip it:
            // taking it out brought the B-tree's removal code for days into the wasm.
            *list = Vec::new();
        }
        Some(old)
    }

    pub fn get(&self, id: Uuid) -> Option<&LocalRecord> {
        let (day, key) = self.index.get(&id)?;
        let list = self.by_day.get(day)?;
        let at = list.binary_search_by(|(k, _)| k.cmp(key)).ok()?;
        Some(&list[at].1)
    }

    pub fn len(&self) -> usize {
        self.index.len()
    }

    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    pub fn pending_count(&self) -> usize {
        self.pending.len()
    }

    pub fn to_fix_count(&self) -> usize {
        self.to_fix.len()
    }

    /// Pending ids in id order, the order a sync run sends them in: each batch is then a
    /// narrow span of the rows' keys, which its mark reads with one request
    /// (`storage::read_raw`). A run cut short leaves a random part of the queue, not the
    /// newest: every record goes at the next run.
    pub fn pending_ids(&self) -> Vec<Uuid> {
        let mut ids: Vec<Uuid> = self.pending.iter().map(|(_, id)| *id).collect();
        crate::storage::sort_ids(&mut ids);
        ids
    }

    /// The local days of the oldest and newest pending records (each by its own offset):
    /// what the phone reports it still holds. One pass over the queue, once per sync run.
    pub fn pending_days(&self) -> Option<(NaiveDate, NaiveDate)> {
        self.pending
            .iter()
            .filter_map(|(_, id)| self.index.get(id))
            .map(|(day, _)| *day)
            .fold(None, |span, day| match span {
                None => Some((day, day)),
                Some((first, last)) => Some((first.min(day), last.max(day))),
            })
    }

    /// When the oldest pending record happened (ms since the epoch).
    pub fn oldest_pending_ms(&self) -> Option<i64> {
        self.pending.first().map(|(ms, _)| *ms)
    }

    /// Records refused or in conflict, newest first: the set's order (time, then id)
    /// reversed, without sorting them again.
    pub fn to_fix(&self) -> impl Iterator<Item = &LocalRecord> {
        self.to_fix.iter().rev().filter_map(|(_, id)| self.get(*id))
    }

    /// The records of one day, in time order (tombstones included).
    pub fn day(&self, day: NaiveDate) -> impl Iterator<Item = &LocalRecord> {
        self.by_day
            .get(&day)
            .into_iter()
            .flat_map(|list| list.iter().map(|(_, local)| local))
    }

    /// The records of the days `from..=to`, in time order.
    pub fn days(&self, from: NaiveDate, to: NaiveDate) -> impl Iterator<Item = &LocalRecord> {
        self.by_day
            .range(from..=to)
            .flat_map(|(_, list)| list.iter().map(|(_, local)| local))
    }

    /// The day before `day` that has records, if any.
    pub fn previous_day(&self, day: NaiveDate) -> Option<NaiveDate> {
        self.by_day
            .range(..day)
            .rev()
            .find(|(_, list)| !list.is_empty())
            .map(|(d, _)| *d)
    }

    /// The day after `day` that has records, if any.
    pub fn next_day(&self, day: NaiveDate) -> Option<NaiveDate> {
        use std::ops::Bound::{Excluded, Unbounded};
        self.by_day
            .range((Excluded(day), Unbounded))
            .find(|(_, list)| !list.is_empty())
            .map(|(d, _)| *d)
    }

    /// The most recent record that is not a deletion (the next form starts from it).
    pub fn latest(&self) -> Option<&Record> {
        self.by_day
            .values()
            .rev()
            .flat_map(|list| list.iter().rev())
            .map(|(_, local)| &local.record)
            .find(|r| !r.deleted())
    }

    pub fn iter(&self) -> impl Iterator<Item = &LocalRecord> {
        self.by_day
            .values()
            .flat_map(|list| list.iter().map(|(_, local)| local))
    }
}
