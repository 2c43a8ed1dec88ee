//! The sync log: what a sync run records about rows without rewriting them.
//!
//! Marking a batch sent and taking the server's answers by rewriting every row of the batch
//! would cost four IndexedDB requests per record, most of a long sync. Instead each is one
//! value per 100 records in the records store, keyed `~log:<sequence>:<random>`
//! (above rows and blocks), holding one [`Logged`] line per record. Every read of a row
//! folds the lines about it in ([`Standing::fold`](carnet_core::Standing::fold)), inside
//! the reading transaction, so a row read anywhere (edits, compaction, conflicts, other
//! windows) is what the bookkeeping says. After a run, [`RecordStore::fold_oldest`] folds
//! the oldest logged value into its rows and drops it, until the log is empty.
//!
//! Logged values are never rewritten, so each window keeps the ones it has read, by key:
//! a transaction lists the log's keys (one request) and reads only the values it lacks.
//!
//! [`RecordStore::fold_oldest`]: super::RecordStore::fold_oldest

use std::cell::RefCell;
use std::collections::HashMap;

use carnet_core::hash::Fixed;

use carnet_core::Logged;
use indexed_db_futures::KeyRange;
use indexed_db_futures::object_store::ObjectStore;
use indexed_db_futures::prelude::*;
use uuid::Uuid;
use wasm_bindgen::JsValue;

use super::{Row, StoreError};

/// Key prefix of logged batches: after every row (`~` sorts above hex digits) and every
/// block (`~block:` < `~log:`).
const LOG_PREFIX: &str = "~log:";
/// Just past every key starting with [`LOG_PREFIX`].
const LOG_END: &str = "~log;";

/// The log's key range.
fn range() -> KeyRange<String> {
    KeyRange::Bound(LOG_PREFIX.to_owned(), false, LOG_END.to_owned(), true)
}

/// One database's logged batches as this window has read them, in key order.
#[derive(Default)]
struct Known {
    db_name: String,
    batches: Vec<(String, Vec<(Uuid, Logged)>)>,
    /// Every line about a record, in log order. Kept up to date batch by batch: rebuilding
    /// it at each change cost a long run's fold time in proportion to the log's square.
    by_id: HashMap<Uuid, Vec<Logged>, Fixed>,
}

impl Known {
    fn index(&mut self) {
        self.by_id.clear();
        for (_, lines) in &self.batches {
            for (id, logged) in lines {
                self.by_id.entry(*id).or_default().push(logged.clone());
            }
        }
    }

    /// Adds batches whose keys sort after every known one.
    fn extend(&mut self, batches: impl IntoIterator<Item = (String, Vec<(Uuid, Logged)>)>) {
        for (key, lines) in batches {
            for (id, logged) in &lines {
                self.by_id.entry(*id).or_default().push(logged.clone());
            }
            self.batches.push((key, lines));
        }
        self.check();
    }

    /// Drops the batch under `key`. The oldest batch holds each record's first line (a
    /// batch names a record once); any other is dropped by rebuilding the index.
    fn drop_batch(&mut self, key: &str) {
        let Some(at) = self.batches.iter().position(|(k, _)| k == key) else {
            return;
        };
        let (_, lines) = self.batches.remove(at);
        if at != 0 {
            self.index();
            return;
        }
        for (id, _) in &lines {
            if let Some(list) = self.by_id.get_mut(id) {
                list.remove(0);
                if list.is_empty() {
                    self.by_id.remove(id);
                }
            }
        }
        self.check();
    }

    /// In debug builds (the wasm tests), the index kept up to date is the one rebuilt.
    fn check(&self) {
        #[cfg(debug_assertions)]
        {
            let mut rebuilt = Known {
                batches: self.batches.clone(),
                ..Known::default()
            };
            rebuilt.index();
            debug_assert!(rebuilt.by_id == self.by_id, "the sync log's index drifted");
        }
    }
}

thread_local! {
    static KNOWN: RefCell<Known> = RefCell::new(Known::default());
}

/// A logged batch as IndexedDB takes it: `{ id, log: "<line>\n<line>…" }`.
fn to_js(key: &str, lines: &[(Uuid, Logged)]) -> JsValue {
    let text: Vec<String> = lines.iter().map(|(id, l)| l.line(*id)).collect();
    let value = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&value, &"id".into(), &key.into());
    let _ = js_sys::Reflect::set(&value, &"log".into(), &text.join("\n").into());
    value.into()
}

/// The lines of a stored batch (unreadable lines are skipped).
fn from_js(value: &JsValue) -> Vec<(Uuid, Logged)> {
    js_sys::Reflect::get(value, &"log".into())
        .ok()
        .and_then(|v| v.as_string())
        .map(|text| text.lines().filter_map(Logged::parse).collect())
        .unwrap_or_default()
}

/// Brings this window's copy of the log up to date, inside the caller's transaction: one
/// request for the keys and, when some are new, one for the values from the first new key
/// on (new batches are normally the last ones).
pub(super) async fn refresh(db_name: &str, store: &ObjectStore<'_>) -> Result<(), StoreError> {
    let keys = super::keys_in(store, range()).await?;
    let first_new: Option<String> = KNOWN.with(|known| {
        let mut known = known.borrow_mut();
        if known.db_name != db_name {
            *known = Known {
                db_name: db_name.to_owned(),
                ..Known::default()
            };
        }
        let before = known.batches.len();
        known.batches.retain(|(k, _)| keys.binary_search(k).is_ok());
        if known.batches.len() != before {
            known.index();
        }
        let known_keys: Vec<&String> = known.batches.iter().map(|(k, _)| k).collect();
        keys.iter().find(|k| !known_keys.contains(k)).cloned()
    });
    let Some(first_new) = first_new else {
        return Ok(());
    };
    let values = store
        .get_all::<JsValue>()
        .with_query::<String, _>(KeyRange::Bound(
            first_new.clone(),
            false,
            LOG_END.to_owned(),
            true,
        ))
        .await?
        .collect::<Result<Vec<_>, _>>()?;
    KNOWN.with(|known| {
        // Everything from the first new key on came back, in key order.
        let mut known = known.borrow_mut();
        let before = known.batches.len();
        known.batches.retain(|(k, _)| *k < first_new);
        let all_before_new = known.batches.len() == before;
        let new = values.iter().map(|v| (super::key_of(v), from_js(v)));
        if all_before_new {
            known.extend(new);
        } else {
            known.batches.extend(new);
            known.index();
        }
    });
    Ok(())
}

/// Folds what the log says about `row` into it; true when that changed its standing.
/// Call [`refresh`] first in the same transaction.
pub(super) fn fold(db_name: &str, row: &mut Row) -> bool {
    KNOWN.with(|known| {
        let known = known.borrow();
        if known.db_name != db_name || known.by_id.is_empty() {
            return false;
        }
        let Some(lines) = Uuid::parse_str(&row.id)
            .ok()
            .and_then(|id| known.by_id.get(&id))
        else {
            return false;
        };
        let mut standing = row.standing();
        let mut changed = false;
        for logged in lines {
            changed |= standing.fold(logged);
        }
        if changed {
            row.set_standing(&standing);
        }
        changed
    })
}

/// Lines per logged value. Folding a value is one transaction under the rows lock, so this
/// bounds how long a save waits behind the fold, whatever the size of the run's requests.
const LINES_PER_VALUE: usize = 100;

/// Logged values with their keys, as [`append`] wrote them.
pub(super) type Appended = Vec<(String, Vec<(Uuid, Logged)>)>;

/// Writes a batch of lines at the end of the log, [`LINES_PER_VALUE`] per value, inside the
/// caller's transaction (after [`refresh`] in it or in an earlier one of the same run);
/// returns what it wrote, for [`remember`] once the transaction committed. The writes are
/// only issued: a failed one aborts the transaction, so its commit fails.
pub(super) fn append(
    db_name: &str,
    store: &ObjectStore<'_>,
    lines: &[(Uuid, Logged)],
) -> Result<Appended, StoreError> {
    let last = KNOWN.with(|known| {
        let known = known.borrow();
        (known.db_name == db_name)
            .then(|| known.batches.last().map(|(k, _)| k.clone()))
            .flatten()
    });
    let mut sequence = last
        .and_then(|k| {
            k.get(LOG_PREFIX.len()..LOG_PREFIX.len() + 12)?
                .parse::<u64>()
                .ok()
        })
        .unwrap_or(0);
    let mut written = Vec::new();
    for chunk in lines.chunks(LINES_PER_VALUE) {
        sequence += 1;
        let key = format!(
            "{LOG_PREFIX}{sequence:012}:{}",
            crate::platform::random_uuid()
        );
        store.put(to_js(&key, chunk)).build()?;
        written.push((key, chunk.to_vec()));
    }
    Ok(written)
}

/// Keeps a batch this window wrote, once its transaction committed.
pub(super) fn remember(db_name: &str, appended: Appended) {
    KNOWN.with(|known| {
        let mut known = known.borrow_mut();
        if known.db_name == db_name {
            known.extend(appended);
        }
    });
}

/// The oldest logged batch: its key and the records it is about.
pub(super) fn oldest(db_name: &str) -> Option<(String, Vec<Uuid>)> {
    KNOWN.with(|known| {
        let known = known.borrow();
        if known.db_name != db_name {
            return None;
        }
        // A batch names each record once.
        let (key, lines) = known.batches.first()?;
        Some((key.clone(), lines.iter().map(|(id, _)| *id).collect()))
    })
}

/// Forgets a batch this window dropped from the log.
pub(super) fn forget(db_name: &str, key: &str) {
    KNOWN.with(|known| {
        let mut known = known.borrow_mut();
        if known.db_name == db_name {
            known.drop_batch(key);
        }
    });
}
