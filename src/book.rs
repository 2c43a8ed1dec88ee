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
    /// By id, with core's fixed hash: a year's « Mes chiffres » looks up 20 000 ids here,
    /// and SipHash's rounds showed.
    rows: HashMap<Uuid, LocalRecord, Fixed>,
    by_day: BTreeMap<NaiveDate, BTreeSet<DayKey>>,
    /// Records waiting for the next sync, oldest first (the banner about old unsynced
    /// records reads the first one after every change: O(log n), not a scan).
    pending: BTreeSet<DayKey>,
    /// Ids the server refused, or in conflict: « À corriger ».
    to_fix: BTreeSet<Uuid>,
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
        for record in records {
            book.upsert(record);
        }
        book
    }

    /// Adds or replaces one record (and its indexes).
    pub fn upsert(&mut self, local: LocalRecord) {
        let id = local.record.id();
        self.remove(id);
        let (day, key) = day_key(&local.record);
        self.by_day.entry(day).or_default().insert(key);
        match local.standing.sync {
            SyncState::Pending => {
                self.pending.insert(key);
            }
            SyncState::Rejected { .. } | SyncState::Conflict { .. } => {
                self.to_fix.insert(id);
            }
            SyncState::Synced => {}
        }
        self.rows.insert(id, local);
    }

    /// Forgets one record.
    pub fn remove(&mut self, id: Uuid) -> Option<LocalRecord> {
        let old = self.rows.remove(&id)?;
        let (day, key) = day_key(&old.record);
        if let Some(keys) = self.by_day.get_mut(&day) {
            keys.remove(&key);
            if keys.is_empty() {
                self.by_day.remove(&day);
            }
        }
        self.pending.remove(&key);
        self.to_fix.remove(&id);
        Some(old)
    }

    pub fn get(&self, id: Uuid) -> Option<&LocalRecord> {
        self.rows.get(&id)
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
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
        ids.sort_unstable();
        ids
    }

    /// The local days of the oldest and newest pending records (each by its own offset):
    /// what the phone reports it still holds. One pass over the queue, once per sync run.
    pub fn pending_days(&self) -> Option<(NaiveDate, NaiveDate)> {
        self.pending
            .iter()
            .filter_map(|(_, id)| self.rows.get(id))
            .map(|r| r.record.local_date())
            .fold(None, |span, day| match span {
                None => Some((day, day)),
                Some((first, last)) => Some((first.min(day), last.max(day))),
            })
    }

    /// When the oldest pending record happened (ms since the epoch).
    pub fn oldest_pending_ms(&self) -> Option<i64> {
        self.pending.first().map(|(ms, _)| *ms)
    }

    /// Records refused or in conflict, newest first.
    pub fn to_fix(&self) -> impl Iterator<Item = &LocalRecord> {
        let mut list: Vec<&LocalRecord> = self
            .to_fix
            .iter()
            .filter_map(|id| self.rows.get(id))
            .collect();
        list.sort_unstable_by_key(LocalRecord::by_time);
        list.reverse();
        list.into_iter()
    }

    /// The records of one day, in time order (tombstones included).
    pub fn day(&self, day: NaiveDate) -> impl Iterator<Item = &LocalRecord> {
        self.by_day
            .get(&day)
            .into_iter()
            .flat_map(|keys| keys.iter())
            .filter_map(|(_, id)| self.rows.get(id))
    }

    /// The records of the days `from..=to`, in time order.
    pub fn days(&self, from: NaiveDate, to: NaiveDate) -> impl Iterator<Item = &LocalRecord> {
        self.by_day
            .range(from..=to)
            .flat_map(|(_, keys)| keys.iter())
            .filter_map(|(_, id)| self.rows.get(id))
    }

    /// The day before `day` that has records, if any.
    pub fn previous_day(&self, day: NaiveDate) -> Option<NaiveDate> {
        self.by_day.range(..day).next_back().map(|(d, _)| *d)
    }

    /// The day after `day` that has records, if any.
    pub fn next_day(&self, day: NaiveDate) -> Option<NaiveDate> {
        use std::ops::Bound::{Excluded, Unbounded};
        self.by_day
            .range((Excluded(day), Unbounded))
            .next()
            .map(|(d, _)| *d)
    }

    /// The most recent record that is not a deletion (the next form starts from it).
    pub fn latest(&self) -> Option<&Record> {
        self.by_day
            .values()
            .rev()
            .flat_map(|keys| keys.iter().rev())
            .filter_map(|(_, id)| self.rows.get(id))
            .map(|r| &r.record)
            .find(|r| !r.deleted())
    }

    pub fn iter(&self) -> impl Iterator<Item = &LocalRecord> {
        self.rows.values()
    }
}
