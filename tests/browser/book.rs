//! The records in memory: the pending ones come out oldest first, and the oldest is known
//! without a scan (the banner about records waiting too long reads it after every change).

use carnet::book::Book;
use carnet::storage::LocalRecord;
use carnet_core::{Record, Standing, SyncState, sync};
use uuid::Uuid;
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

/// « À corriger » lists its records newest first, whatever order they came in.
#[wasm_bindgen_test]
fn records_to_fix_come_newest_first() {
    let refused = |record: &Record| {
        local(
            record,
            SyncState::Rejected {
                reason: "invalid_code".into(),
            },
        )
    };
    let (late, early, middle) = (contact(30), contact(10), contact(20));
    let book = Book::from_records(vec![refused(&middle), refused(&late), refused(&early)]);
    let listed: Vec<_> = book.to_fix().map(|l| l.record.id()).collect();
    assert_eq!(listed, vec![late.id(), middle.id(), early.id()]);
}

/// `storage::sort_ids` leaves ids as `sort_unstable` does, those sharing their first 64
/// bits (or differing only in the top bit) included.
#[wasm_bindgen_test]
fn ids_sort_as_sort_unstable_would() {
    let high = [0u64, 1, 1 << 63, u64::MAX, 7, 1];
    let low = [5u64, 0, u64::MAX, 3, 1 << 63, 2];
    let mut ids: Vec<Uuid> = high
        .iter()
        .flat_map(|h| low.iter().map(move |l| Uuid::from_u64_pair(*h, *l)))
        .chain((1..40u64).map(|i| Uuid::from_u64_pair(i.wrapping_mul(0x9E37_79B9_7F4A_7C15), i)))
        .collect();
    let mut expected = ids.clone();
    expected.sort_unstable();
    carnet::storage::sort_ids(&mut ids);
    assert_eq!(ids, expected);
}

/// `record` at another minute of the same day (same id).
fn at_minute(record: &Record, minute: u32) -> Record {
    let mut moved = record.clone();
    if let Record::Contact(c) = &mut moved {
        c.occurred_at = contact(minute).occurred_at();
    }
    moved
}

/// The ids of a day's records, as the book gives them.
fn day_order(book: &Book, record: &Record) -> Vec<uuid::Uuid> {
    book.day(record.local_date())
        .map(|l| l.record.id())
        .collect()
}

#[wasm_bindgen_test]
fn each_day_reads_in_time_order_whatever_order_the_records_came_in() {
    let records: Vec<Record> = [40, 5, 25, 15, 35].into_iter().map(contact).collect();
    let by_time = |ids: &[usize]| ids.iter().map(|&i| records[i].id()).collect::<Vec<_>>();
    // Out of order, one of them twice (the last copy wins, as with upserts).
    let mut book = Book::from_records(vec![
        local(&records[0], SyncState::Pending),
        local(&records[1], SyncState::Pending),
        local(&records[2], SyncState::Synced),
        local(&records[2], SyncState::Pending),
    ]);
    assert_eq!(book.len(), 3);
    assert_eq!(book.pending_count(), 3);
    assert_eq!(day_order(&book, &records[0]), by_time(&[1, 2, 0]));

    // More, into a day that already has later records: still in order.
    book.extend([
        local(&records[3], SyncState::Synced),
        local(&records[4], SyncState::Synced),
    ]);
    assert_eq!(day_order(&book, &records[0]), by_time(&[1, 3, 2, 4, 0]));
    let day = records[0].local_date();
    assert_eq!(book.days(day, day).count(), 5);
    assert_eq!(
        book.latest().map(Record::id),
        Some(records[0].id()),
        "the latest record"
    );

    // An answer keeps the record in its place; a correction to another time moves it.
    book.upsert(local(&records[4], SyncState::Pending));
    assert_eq!(day_order(&book, &records[0]), by_time(&[1, 3, 2, 4, 0]));
    assert!(
        book.get(records[4].id())
            .is_some_and(|l| l.standing.needs_sending())
    );
    book.upsert(local(&at_minute(&records[4], 1), SyncState::Pending));
    assert_eq!(day_order(&book, &records[0]), by_time(&[4, 1, 3, 2, 0]));
    assert_eq!(book.oldest_pending_ms(), Some(ms(&contact(1))));

    // Removed, from the day and from every lookup.
    book.remove(records[3].id());
    assert_eq!(day_order(&book, &records[0]), by_time(&[4, 1, 2, 0]));
    assert!(book.get(records[3].id()).is_none());
    assert_eq!(book.iter().count(), 4);
}
