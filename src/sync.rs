//! Drives one sync run: the state machine from `carnet-core`, the API, and IndexedDB.

use std::collections::HashMap;

use carnet_core::wire::MAX_BATCH;
use carnet_core::{Record, SyncRun, SyncState, SyncSummary, Transition};
use uuid::Uuid;

use crate::api;
use crate::storage::{LocalRecord, RecordStore, StoreError};

/// Sends every pending record, batch by batch, persisting each batch's transitions before
/// the next request. `on_batch` lets the UI update as records are acknowledged.
pub async fn run(
    store: &RecordStore,
    token: &str,
    records: &[LocalRecord],
    mut on_batch: impl FnMut(&[Transition]),
) -> Result<SyncSummary, StoreError> {
    let mut pending: Vec<&LocalRecord> = records
        .iter()
        .filter(|r| r.sync == SyncState::Pending)
        .collect();
    pending.sort_by_key(|r| r.record.occurred_at());
    // By id, so building each batch is a lookup, not a scan of the whole queue.
    let by_id: HashMap<Uuid, &Record> =
        pending.iter().map(|r| (r.record.id(), &r.record)).collect();
    let mut run = SyncRun::new(pending.iter().map(|r| r.record.id()), MAX_BATCH);
    while let Some(batch) = run.next_batch() {
        let records = batch
            .iter()
            .filter_map(|id| by_id.get(id).map(|r| (*r).clone()))
            .collect();
        let outcome = api::post_batch(token, records).await;
        let transitions = run.settle(outcome);
        // If this write fails the records stay pending on the device and are resent next
        // time; the server answers "duplicate", so nothing is counted twice.
        store.apply(&transitions).await?;
        on_batch(&transitions);
    }
    Ok(run.summary())
}
