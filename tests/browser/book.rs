//! The records in memory: the pending ones come out oldest first, and the oldest is known
//! without a scan (the banner about records waiting too long reads it after every change).

use carnet::book::Book;
use carnet::storage::LocalRecord;
use carnet_core::{Record, Standing, SyncState, sync};
use wasm_bindgen_test::wasm_bindgen_test;

use crate::support::contact;

fn local(record: &Record, sync_state: SyncState) -> LocalRecord {
    let digest = sync::digest(record.id().as_bytes());
    let mut standing = match sync_state {
        SyncState::Synced => Standing::in_block(1, digest),
        _ => Standing::new(1, digest),
    };
    standing.sync = sync_state;
    LocalRecord {
        record: record.clone(),
        standing,
    }
}

fn ms(record: &Record) -> i64 {
    record.occurred_at().timestamp_millis()
}

#[wasm_bindgen_test]
fn the_queue_and_its_oldest_record_follow_every_change() {
    let (late, early, middle) = (contact(30), contact(10), contact(20));
    let mut book = Book::from_records(vec![
        local(&late, SyncState::Pending),
        local(&early, SyncState::Pending),
        local(&middle, SyncState::Pending),
    ]);
    // In id order, whatever their times.
    let mut all = vec![early.id(), middle.id(), late.id()];
    all.sort_unstable();
    assert_eq!(book.pending_ids(), all);
    assert_eq!(book.oldest_pending_ms(), Some(ms(&early)));

    // The oldest is acknowledged: the next one is the oldest now.
    book.upsert(local(&early, SyncState::Synced));
    assert_eq!(book.pending_count(), 2);
    assert_eq!(book.oldest_pending_ms(), Some(ms(&middle)));

    // Refused: out of the queue, into « À corriger ».
    book.upsert(local(
        &middle,
        SyncState::Rejected {
            reason: "invalid_code".into(),
        },
    ));
    assert_eq!(book.pending_ids(), vec![late.id()]);
    assert_eq!(book.to_fix_count(), 1);

    // Saved again (a correction): still one entry, back in the queue.
    book.upsert(local(&middle, SyncState::Pending));
    book.upsert(local(&middle, SyncState::Pending));
    let mut two = vec![middle.id(), late.id()];
    two.sort_unstable();
    assert_eq!(book.pending_ids(), two);
    assert_eq!(book.to_fix_count(), 0);

    // Forgotten (another window deleted it): gone from the queue too.
    book.remove(middle.id());
    assert_eq!(book.oldest_pending_ms(), Some(ms(&late)));
    book.upsert(local(&late, SyncState::Synced));
    assert_eq!(book.oldest_pending_ms(), None);
    assert_eq!(book.pending_count(), 0);
    assert_eq!(book.len(), 2);
}
