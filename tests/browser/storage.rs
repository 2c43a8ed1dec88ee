//! The record store against Chromium's IndexedDB and WebCrypto.

use std::collections::BTreeMap;

use carnet::storage::day_hint::Hint;
use carnet::storage::{Outgoing, RecordStore, Row};
use carnet::vault;
use carnet_core::sync::digest;
use carnet_core::{Outcome, Record, Stamp, Standing, SyncState, Transition, edit};
use serde_json::json;
use uuid::Uuid;
use wasm_bindgen_test::wasm_bindgen_test;

use crate::support::{self, TransactionLog, contact, corrected, put_raw_row};

/// How many batches the sync log holds, counted around the app.
async fn logged_batches(db_name: &str) -> usize {
    let keys = support::raw_keys(db_name).await;
    keys.iter().filter(|k| k.starts_with("~log:")).count()
}

/// The server's answer that it holds every record of a batch, as sent.
fn held(outgoing: &[Outgoing]) -> Vec<Transition> {
    outgoing
        .iter()
        .map(|o| Transition {
            id: o.id,
            sent: o.stamp.clone(),
            outcome: Outcome::Held,
        })
        .collect()
}

/// Writes `record` as the app saves a new one.
async fn save_new(store: &RecordStore, record: Record) -> carnet::storage::LocalRecord {
    let version = record.version();
    store
        .write(record, |d| Standing::new(version, d))
        .await
        .expect("write")
}

/// Writes a correction of row `id` as the app does (`carnet_core::edit`).
async fn save_correction(
    store: &RecordStore,
    id: Uuid,
    condoms: u32,
) -> carnet::storage::LocalRecord {
    let current = store.get(id).await.expect("get").expect("the row");
    let fixed = edit::correction(
        &current.record,
        &current.standing,
        corrected(&current.record, condoms),
    );
    let version = fixed.version();
    store
        .write(fixed, |d| current.standing.rewritten(version, d))
        .await
        .expect("write a correction")
}

#[wasm_bindgen_test]
async fn rows_written_are_read_back_sealed() {
    let profile = support::unlocked_profile().await;
    let store = RecordStore::for_profile(&profile);
    let mut saved = BTreeMap::new();
    for minute in [5, 10, 15] {
        let local = save_new(&store, contact(minute)).await;
        saved.insert(local.record.id(), local);
    }

    let (records, set_aside) = store.load_all().await.expect("load_all");
    assert!(set_aside.is_empty(), "{set_aside:?}");
    let loaded: BTreeMap<_, _> = records.into_iter().map(|l| (l.record.id(), l)).collect();
    assert_eq!(loaded, saved);

    for row in store.rows().await.expect("rows") {
        assert!(
            vault::is_sealed(&row.body),
            "body stored in clear: {}",
            row.body
        );
        assert!(!row.body.contains("bar_erotique"));
        let standing = row.standing();
        assert_eq!(standing.digest, digest(row.body.as_bytes()));
        assert_eq!(standing.sync, SyncState::Pending);
        assert_eq!((standing.acked, standing.sent), (None, None));
    }
}

#[wasm_bindgen_test]
async fn write_then_get() {
    let profile = support::unlocked_profile().await;
    let store = RecordStore::for_profile(&profile);
    let written = save_new(&store, contact(20)).await;
    let id = written.record.id();

    assert_eq!(store.get(id).await.expect("get"), Some(written.clone()));
    assert_eq!(store.get(Uuid::from_u128(1)).await.expect("get"), None);

    // A correction replaces the row: same id, the content read back is the new one.
    let fixed = save_correction(&store, id, 7).await;
    let read = store.get(id).await.expect("get").expect("the row");
    assert_eq!(read, fixed);
    assert_ne!(read.record, written.record);
    assert_eq!(store.rows().await.expect("rows").len(), 1);
}

#[wasm_bindgen_test]
async fn an_acknowledgement_applies_only_to_what_was_sent() {
    let profile = support::unlocked_profile().await;
    let store = RecordStore::for_profile(&profile);
    let a = save_new(&store, contact(1)).await.record.id();
    let b = save_new(&store, contact(2)).await.record.id();

    // The batch goes out: both rows are marked sent before the request.
    let outgoing = store
        .mark_sent(&[a, b, Uuid::from_u128(99)])
        .await
        .expect("mark_sent");
    assert_eq!(
        outgoing.iter().map(|o| o.id).collect::<Vec<_>>(),
        vec![a, b]
    );
    for out in &outgoing {
        let row = store.row(out.id).await.expect("row").expect("the row");
        assert_eq!(out.body, row.body);
        assert_eq!(
            out.stamp,
            Stamp {
                version: 1,
                digest: digest(row.body.as_bytes())
            }
        );
        let standing = row.standing();
        assert_eq!(standing.sent, Some(out.stamp.clone()));
        // The answer may be lost: the row says so after a reload.
        assert!(standing.is_unconfirmed());
    }

    // The worker corrects B while the batch is in flight: the sent version is frozen, so
    // the correction is version 2.
    let b_fixed = save_correction(&store, b, 3).await;
    assert_eq!(b_fixed.record.version(), 2);
    assert_eq!(b_fixed.standing.version, 2);

    // The server acknowledges both as sent.
    let held = held(&outgoing);
    store.log_answers(&held).await.expect("log_answers");

    let a_now = store.get(a).await.expect("get").expect("a");
    assert_eq!(a_now.standing.sync, SyncState::Synced);
    assert_eq!(a_now.standing.acked, Some(outgoing[0].stamp.clone()));

    let b_now = store.get(b).await.expect("get").expect("b");
    assert_eq!(
        b_now.standing.sync,
        SyncState::Pending,
        "the correction must stay queued"
    );
    assert_eq!(b_now.standing.version, 2);
    assert_eq!(b_now.standing.acked, Some(outgoing[1].stamp.clone()));
    assert_eq!(b_now.record, b_fixed.record);

    // The same acknowledgement again (a retried answer) changes nothing.
    store.log_answers(&held).await.expect("log_answers");
    store.log_answers(&[]).await.expect("log_answers");
    assert_eq!(store.get(a).await.expect("get"), Some(a_now.clone()));
    assert_eq!(store.get(b).await.expect("get"), Some(b_now.clone()));

    // The rows were not rewritten: the log says it all, until it is folded into them.
    assert_eq!(
        store.row(a).await.expect("row").map(|r| r.standing()),
        Some(a_now.standing.clone())
    );
    let mut folds = 0;
    while store.fold_oldest().await.expect("fold") {
        folds += 1;
    }
    assert_eq!(folds, 3, "a mark, two answers");
    assert_eq!(store.get(a).await.expect("get"), Some(a_now));
    assert_eq!(store.get(b).await.expect("get"), Some(b_now));
    assert_eq!(
        logged_batches(&profile.database_name()).await,
        0,
        "the log is empty once folded"
    );

    // The next run sends only the correction, as version 2.
    let next = store.mark_sent(&[a, b]).await.expect("mark_sent");
    assert_eq!(next.len(), 1);
    assert_eq!((next[0].id, next[0].stamp.version), (b, 2));
}

#[wasm_bindgen_test]
async fn a_batch_in_id_order_is_read_in_one_request_and_only_its_own_rows() {
    let profile = support::unlocked_profile().await;
    let store = RecordStore::for_profile(&profile);
    let mut ids = Vec::new();
    for n in 0..40 {
        ids.push(save_new(&store, contact(n)).await.record.id());
    }
    ids.sort_unstable();

    // Twelve neighbours in key order (as a sync run takes its queue), and an id between
    // them that the phone does not hold: one read of their span, no row per id, and none
    // of the span's other rows comes back.
    let mut dense: Vec<Uuid> = ids[..12].to_vec();
    let absent = Uuid::from_u128(ids[0].as_u128() + 1);
    assert!(!ids.contains(&absent));
    dense.push(absent);
    let requests = support::RequestLog::start();
    let outgoing = store.mark_sent(&dense).await.expect("mark_sent");
    assert_eq!(
        outgoing.iter().map(|o| o.id).collect::<Vec<_>>(),
        ids[..12].to_vec()
    );
    assert_eq!(requests.count("get"), 0, "rows read one by one");
    assert!(requests.count("getAll") >= 1);
    drop(requests);
    for out in &outgoing {
        let row = store.row(out.id).await.expect("row").expect("the row");
        assert_eq!(
            out.body, row.body,
            "{} came with another row's body",
            out.id
        );
    }

    // Ten ids scattered over the other 28 rows: their span holds more than twice as many
    // rows as the batch, so each is read on its own.
    let scattered: Vec<Uuid> = ids[12..].iter().step_by(3).copied().collect();
    assert_eq!(scattered.len(), 10);
    let requests = support::RequestLog::start();
    let outgoing = store.mark_sent(&scattered).await.expect("mark_sent");
    assert_eq!(requests.count("get"), scattered.len());
    drop(requests);
    assert_eq!(outgoing.iter().map(|o| o.id).collect::<Vec<_>>(), scattered);
    for out in &outgoing {
        let row = store.row(out.id).await.expect("row").expect("the row");
        assert_eq!(out.body, row.body);
        assert_eq!(out.stamp.version, 1);
    }
}

#[wasm_bindgen_test]
async fn a_large_batch_is_logged_and_folded_a_hundred_records_at_a_time() {
    let profile = support::unlocked_profile().await;
    let store = RecordStore::for_profile(&profile);
    let mut ids = Vec::new();
    for n in 0..250 {
        ids.push(save_new(&store, contact(n % 60)).await.record.id());
    }
    let outgoing = store.mark_sent(&ids).await.expect("mark_sent");
    assert_eq!(outgoing.len(), 250);
    let db = profile.database_name();
    assert_eq!(logged_batches(&db).await, 3, "100 + 100 + 50 records");
    let held = held(&outgoing);
    store.log_answers(&held).await.expect("log_answers");
    assert_eq!(logged_batches(&db).await, 6);
    // Read back through the log, every record is synced; each fold takes one value (a
    // save waits behind at most 100 records' worth of work).
    let before: Vec<_> = (store.load_all().await.expect("load_all").0)
        .into_iter()
        .map(|l| (l.record.id(), l.standing.sync))
        .collect();
    assert!(
        before.iter().all(|(_, s)| *s == SyncState::Synced),
        "{before:?}"
    );
    let mut folds = 0;
    while store.fold_oldest().await.expect("fold") {
        folds += 1;
        assert_eq!(logged_batches(&db).await, 6 - folds);
    }
    assert_eq!(folds, 6);
    let after: Vec<_> = (store.load_all().await.expect("load_all").0)
        .into_iter()
        .map(|l| (l.record.id(), l.standing.sync))
        .collect();
    assert_eq!(after, before, "folded rows read as the log said");
}

#[wasm_bindgen_test]
async fn a_refusal_applies_only_to_what_was_sent() {
    let profile = support::unlocked_profile().await;
    let store = RecordStore::for_profile(&profile);
    let a = save_new(&store, contact(30)).await.record.id();
    let b = save_new(&store, contact(31)).await.record.id();
    let outgoing = store.mark_sent(&[a, b]).await.expect("mark_sent");
    save_correction(&store, b, 4).await;

    let refused: Vec<Transition> = outgoing
        .iter()
        .map(|o| Transition {
            id: o.id,
            sent: o.stamp.clone(),
            outcome: Outcome::Refused {
                reason: "milieu:unknown".into(),
            },
        })
        .collect();
    store.log_answers(&refused).await.expect("log_answers");

    let (records, _) = store.load_all().await.expect("load_all");
    let sync_of = |id| {
        records
            .iter()
            .find(|l| l.record.id() == id)
            .map(|l| l.standing.sync.clone())
    };
    assert_eq!(
        sync_of(a),
        Some(SyncState::Rejected {
            reason: "milieu:unknown".into()
        })
    );
    assert_eq!(sync_of(b), Some(SyncState::Pending));
    // A refused row is not sent again until the worker corrects it.
    let next = store.mark_sent(&[a, b]).await.expect("mark_sent");
    assert_eq!(next.iter().map(|o| o.id).collect::<Vec<_>>(), vec![b]);
}

#[wasm_bindgen_test]
async fn damaged_rows_are_set_aside_and_the_others_load() {
    let profile = support::unlocked_profile().await;
    let store = RecordStore::for_profile(&profile);
    // A body sealed under a data key since replaced (another vault).
    let sealed_elsewhere = store.codec().encode(&contact(42)).await.expect("encode");
    vault::create(support::PIN).await.expect("a new vault");

    let good: Vec<Uuid> = [
        save_new(&store, contact(40)).await,
        save_new(&store, contact(41)).await,
    ]
    .iter()
    .map(|l| l.record.id())
    .collect();
    // A body that opens but holds another record than its row's id.
    let mismatched = store.codec().encode(&contact(44)).await.expect("encode");
    let db = profile.database_name();
    let raw = [
        (support::id(1), json!("v1.not base64 at all")),
        (support::id(2), json!("v1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")),
        (support::id(3), json!("{not json")),
        (support::id(4), json!(sealed_elsewhere)),
        (support::id(5), json!(mismatched)),
    ];
    for (id, body) in &raw {
        let row = json!({
            "id": id.to_string(), "version": 1, "sync": { "state": "pending" },
            "digest": "00", "body": body,
        });
        put_raw_row(&db, &row).await;
    }

    let (records, set_aside) = store.load_all().await.expect("load_all");
    let mut loaded: Vec<Uuid> = records.iter().map(|l| l.record.id()).collect();
    loaded.sort();
    let mut expected = good.clone();
    expected.sort();
    assert_eq!(loaded, expected);
    let mut aside: Vec<(String, String)> = set_aside.into_iter().map(|s| (s.id, s.error)).collect();
    aside.sort();
    let ids: Vec<&str> = aside.iter().map(|(id, _)| id.as_str()).collect();
    let want: Vec<String> = raw.iter().map(|(id, _)| id.to_string()).collect();
    assert_eq!(ids, want.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(aside[4].1, "id mismatch");
    // Set aside is not deleted: the rows stay on the device.
    assert_eq!(
        store.rows().await.expect("rows").len(),
        good.len() + raw.len()
    );
}

#[wasm_bindgen_test]
async fn legacy_rows_read_as_sent_with_unknown_content() {
    let profile = support::unlocked_profile().await;
    let store = RecordStore::for_profile(&profile);
    // Creates the database with its store, as the app's first start does.
    assert!(store.rows().await.expect("rows").is_empty());
    let db = profile.database_name();

    // Rows of the old format, bodies in clear as before encryption existed.
    let synced = contact(50);
    let corrected_since = contact(51).with_version(2, false);
    let refused_conflict = contact(52);
    let never_answered = contact(53);
    let body = |r: &Record| serde_json::to_string(r).expect("json");
    let old_rows = [
        json!({ "id": synced.id().to_string(), "version": 1,
                "sync": { "state": "synced" }, "synced_version": 1, "body": body(&synced) }),
        json!({ "id": corrected_since.id().to_string(), "version": 2,
                "sync": { "state": "pending" }, "synced_version": 1,
                "body": body(&corrected_since) }),
        json!({ "id": refused_conflict.id().to_string(), "version": 1,
                "sync": { "state": "rejected", "reason": "conflict" },
                "body": body(&refused_conflict) }),
        json!({ "id": never_answered.id().to_string(), "version": 1,
                "sync": { "state": "pending" }, "body": body(&never_answered) }),
    ];
    for row in &old_rows {
        put_raw_row(&db, row).await;
    }

    let (records, set_aside) = store.load_all().await.expect("load_all");
    assert!(set_aside.is_empty(), "{set_aside:?}");
    let standing = |r: &Record| -> Standing {
        let local = records
            .iter()
            .find(|l| l.record.id() == r.id())
            .expect("loaded");
        assert_eq!(&local.record, r);
        local.standing.clone()
    };

    let d = |r: &Record| digest(body(r).as_bytes());
    let known = |r: &Record, version| Stamp {
        version,
        digest: d(r),
    };
    assert_eq!(
        standing(&synced),
        Standing {
            version: 1,
            digest: d(&synced),
            sync: SyncState::Synced,
            acked: Some(known(&synced, 1)),
            sent: Some(known(&synced, 1)),
        }
    );
    let s = standing(&corrected_since);
    assert_eq!(s.sync, SyncState::Pending);
    assert_eq!(s.acked, Some(Stamp::unknown(1)));
    assert_eq!(s.sent, Some(Stamp::unknown(2)));
    assert_eq!(
        s.version_for_edit(),
        3,
        "a version that may be on the server is reused"
    );
    // An old « conflict » refusal is retried (and settled with the server's versions).
    let s = standing(&refused_conflict);
    assert_eq!(s.sync, SyncState::Pending);
    assert_eq!((s.acked, s.sent), (None, Some(Stamp::unknown(1))));
    let s = standing(&never_answered);
    assert!(s.is_unconfirmed());
    assert_eq!(s.version_for_edit(), 2);

    // Sending a legacy row keeps "unknown" as what was sent, and an acknowledgement of
    // the content on the wire settles it.
    let out = store
        .mark_sent(&[corrected_since.id()])
        .await
        .expect("mark_sent");
    assert_eq!(out[0].stamp, known(&corrected_since, 2));
    let row = store
        .row(corrected_since.id())
        .await
        .expect("row")
        .expect("row");
    assert_eq!(row.standing().sent, Some(Stamp::unknown(2)));
    store
        .log_answers(&[Transition {
            id: corrected_since.id(),
            sent: out[0].stamp.clone(),
            outcome: Outcome::Held,
        }])
        .await
        .expect("log_answers");
    while store.fold_oldest().await.expect("fold") {}
    let row = store
        .row(corrected_since.id())
        .await
        .expect("row")
        .expect("row");
    assert_eq!(row.synced_version, None, "rewritten in the new format");
    let now = store
        .get(corrected_since.id())
        .await
        .expect("get")
        .expect("row");
    assert_eq!(now.standing.sync, SyncState::Synced);
    assert_eq!(now.standing.acked, Some(known(&corrected_since, 2)));
}

#[wasm_bindgen_test]
async fn every_write_transaction_is_strict() {
    let profile = support::unlocked_profile().await;
    let store = RecordStore::for_profile(&profile);
    // Open the connection before logging, so the log holds only the calls below.
    store.rows().await.expect("rows");
    let log = TransactionLog::start();

    let a = save_new(&store, contact(0)).await; // write
    let b = contact(1);
    let b_body = store.codec().encode(&b).await.expect("encode");
    let b_row = Row {
        id: b.id().to_string(),
        version: 1,
        sync: SyncState::Pending,
        digest: Some(digest(b_body.as_bytes())),
        acked: None,
        sent: None,
        synced_version: None,
        body: b_body,
    };
    store
        .put_rows(std::slice::from_ref(&b_row))
        .await
        .expect("put_rows");
    let out = store
        .mark_sent(&[a.record.id(), b.id()])
        .await
        .expect("mark_sent");
    store.log_answers(&held(&out)).await.expect("log_answers");
    let mut standing = store
        .get(a.record.id())
        .await
        .expect("get")
        .expect("a")
        .standing;
    standing.sync = SyncState::Rejected {
        reason: "note:pii".into(),
    };
    store
        .write_standing(a.record.id(), &standing)
        .await
        .expect("write_standing");
    store.remove(b.id()).await.expect("remove");
    let (records, _) = store.load_all().await.expect("load_all");

    let entries = log.entries();
    drop(log);
    let writes: Vec<&String> = entries
        .iter()
        .filter(|e| e.starts_with("readwrite"))
        .collect();
    // One transaction per write call, and `write_standing` folds the log first: two
    // logged batches, then one transaction that finds the log empty.
    assert_eq!(
        writes.len(),
        9,
        "one transaction per write call: {entries:?}"
    );
    assert!(
        writes.iter().all(|e| *e == "readwrite:strict"),
        "every write must be strict: {entries:?}"
    );
    assert!(
        entries.iter().any(|e| e.starts_with("readonly")),
        "{entries:?}"
    );

    // And the writes took effect.
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].record.id(), a.record.id());
    assert_eq!(records[0].standing, standing);
}

/// A synced row, as after an acknowledgement.
fn synced_row(record: &Record, body: String) -> Row {
    let d = digest(body.as_bytes());
    let stamp = Stamp {
        version: record.version(),
        digest: d.clone(),
    };
    let mut standing = Standing::new(record.version(), d);
    standing.sync = SyncState::Synced;
    standing.acked = Some(stamp.clone());
    standing.sent = Some(stamp);
    Row::new(record.id(), &standing, body)
}

#[wasm_bindgen_test]
async fn old_synced_records_move_into_sealed_blocks_and_come_back_whole() {
    let profile = support::unlocked_profile().await;
    let store = RecordStore::for_profile(&profile);
    let mut rows = Vec::new();
    for i in 0..250u32 {
        let record = contact(i % 60);
        let body = store.codec().encode(&record).await.expect("encode");
        rows.push(synced_row(&record, body));
    }
    store.put_rows(&rows).await.expect("put_rows");
    // A pending record never goes into a block.
    let pending = save_new(&store, contact(7)).await;
    let after_them = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).expect("a date");

    let (loaded, set_aside) = store.load_all().await.expect("load");
    assert_eq!((loaded.len(), set_aside.len()), (251, 0));
    // Blocks are read (none yet) before anything is sealed into one.
    let (none, _) = store
        .load_blocks(&Default::default())
        .await
        .expect("blocks");
    assert!(none.is_empty());
    let moved = store.compact(&loaded, after_them).await.expect("compact");
    assert_eq!(
        moved, 250,
        "every synced record older than the cut-off, in one block"
    );

    // Their rows are gone: unlocking reads one row; the block is sealed.
    let (recent, _) = store.load_all().await.expect("load the rows");
    assert_eq!(recent.len(), 1);
    assert_eq!(recent[0].record, pending.record);
    let keys = support::raw_keys(&profile.database_name()).await;
    assert_eq!(keys.iter().filter(|k| k.starts_with("~block:")).count(), 1);
    let shadowed: std::collections::HashSet<Uuid, carnet_core::hash::Fixed> =
        [pending.record.id()].into_iter().collect();
    let (older, unreadable) = store.load_blocks(&shadowed).await.expect("blocks");
    assert!(unreadable.is_empty(), "{unreadable:?}");
    let mut before: Vec<_> = loaded
        .iter()
        .filter(|l| l.standing.sync == SyncState::Synced)
        .map(|l| (l.record.clone(), l.standing.clone()))
        .collect();
    let mut after: Vec<_> = older
        .iter()
        .map(|l| (l.record.clone(), l.standing.clone()))
        .collect();
    before.sort_by_key(|(r, _)| r.id());
    after.sort_by_key(|(r, _)| r.id());
    assert_eq!(before, after, "the same records, synced, as they were");
    assert_eq!(store.compact(&loaded, after_them).await.expect("again"), 0);

    // A record from a block is read and corrected like any other: the correction is the
    // next version, with its own row, and it shadows the block's copy.
    let one = rows[3].id.parse::<Uuid>().expect("uuid");
    let got = store
        .get(one)
        .await
        .expect("get")
        .expect("a record in a block");
    assert_eq!(
        (got.record.id(), got.standing.sync.clone()),
        (one, SyncState::Synced)
    );
    let fixed = save_correction(&store, one, 9).await;
    assert_eq!(fixed.record.version(), 2);
    let (recent, _) = store.load_all().await.expect("load");
    let shadowed: std::collections::HashSet<Uuid, carnet_core::hash::Fixed> =
        recent.iter().map(|l| l.record.id()).collect();
    let (older, _) = store.load_blocks(&shadowed).await.expect("blocks");
    assert_eq!(older.len(), 249);
    assert!(recent.iter().any(|l| l.record == fixed.record));

    // Retention: entries before the window, and the shadowed old copy, leave the block;
    // a block left empty is deleted.
    let mut current: std::collections::HashMap<Uuid, u32, carnet_core::hash::Fixed> = older
        .iter()
        .map(|l| (l.record.id(), l.record.version()))
        .collect();
    current.insert(one, 2);
    let removed = store
        .prune_blocks(after_them, &current)
        .await
        .expect("prune blocks");
    assert_eq!(removed, 250);
    let keys = support::raw_keys(&profile.database_name()).await;
    assert!(
        keys.iter().all(|k| !k.starts_with("~block:")),
        "the emptied block was deleted: {keys:?}"
    );
}

#[wasm_bindgen_test]
async fn another_windows_log_is_read_and_a_resend_is_not_undone_by_it() {
    let profile = support::unlocked_profile().await;
    let store = RecordStore::for_profile(&profile);
    let a = save_new(&store, contact(20)).await;
    let b = save_new(&store, contact(21)).await;
    let out = store
        .mark_sent(&[a.record.id(), b.record.id()])
        .await
        .expect("mark_sent");
    assert_eq!(logged_batches(&profile.database_name()).await, 1);

    // Another window logs the answers (a value this window never wrote nor read).
    let line = |o: &carnet::storage::Outgoing, kind: &str, reason: &str| {
        format!(
            "{kind} {} {} {} {reason}",
            o.id, o.stamp.version, o.stamp.digest
        )
    };
    let text = format!(
        "{}\n{}",
        line(&out[0], "h", ""),
        line(&out[1], "r", "milieu:unknown")
    );
    put_raw_row(
        &profile.database_name(),
        &json!({ "id": "~log:000000000009:elsewhere", "log": text.trim() }),
    )
    .await;
    let a_now = store.get(a.record.id()).await.expect("get").expect("a");
    assert_eq!(a_now.standing.sync, SyncState::Synced);
    let b_now = store.get(b.record.id()).await.expect("get").expect("b");
    assert_eq!(
        b_now.standing.sync,
        SyncState::Rejected {
            reason: "milieu:unknown".into()
        }
    );
    let (loaded, set_aside) = store.load_all().await.expect("load_all");
    assert!(
        set_aside.is_empty(),
        "log values are not rows: {set_aside:?}"
    );
    assert_eq!(loaded.len(), 2);

    // « Renvoyer »: the refusal logged for this very content must not come back.
    let mut resend = b_now.standing.clone();
    resend.sync = SyncState::Pending;
    store
        .write_standing(b.record.id(), &resend)
        .await
        .expect("write_standing");
    let b_again = store.get(b.record.id()).await.expect("get").expect("b");
    assert_eq!(b_again.standing.sync, SyncState::Pending);
    assert_eq!(logged_batches(&profile.database_name()).await, 0);
    let next = store
        .mark_sent(&[a.record.id(), b.record.id()])
        .await
        .expect("mark_sent");
    assert_eq!(
        next.iter().map(|o| o.id).collect::<Vec<_>>(),
        vec![b.record.id()]
    );
}

/// A valid synthetic contact logged now (today on this device).
fn contact_now() -> Record {
    let mut record = contact(0);
    if let Record::Contact(c) = &mut record {
        c.occurred_at = carnet::platform::now();
    }
    record
}

/// The ids of the day's rows `load_first` opened, sorted; `None` when it read every row.
async fn day_ids(store: &RecordStore) -> Option<Vec<Uuid>> {
    let today = carnet::platform::today();
    let first = store.load_first(today).await.expect("load_first");
    assert!(first.set_aside.is_empty(), "{:?}", first.set_aside);
    if first.every_row {
        return None;
    }
    let mut ids: Vec<Uuid> = first.records.iter().map(|l| l.record.id()).collect();
    ids.sort_unstable();
    Some(ids)
}

/// When the oldest waiting record happened, as the day's hint tells `load_first`.
async fn hinted_waiting(store: &RecordStore) -> Option<i64> {
    let today = carnet::platform::today();
    let first = store.load_first(today).await.expect("load_first");
    assert!(!first.every_row, "the hint was read");
    first.waiting_since
}

/// Writes today's hint as `ids` (nothing waiting), as the full read after an unlock does.
async fn keep_hint(store: &RecordStore, ids: Vec<Uuid>) {
    let day = carnet::platform::today();
    store
        .keep_day_hint(Hint {
            day,
            ids,
            waiting_since: None,
        })
        .await
        .expect("keep_day_hint");
}

/// The row of a new record, sealed, as `put_rows` takes it.
async fn new_row(store: &RecordStore, record: &Record) -> Row {
    let body = store.codec().encode(record).await.expect("encode");
    Row::new(
        record.id(),
        &Standing::new(1, digest(body.as_bytes())),
        body,
    )
}

#[wasm_bindgen_test]
fn the_days_hint_is_text_and_changes_only_when_a_record_joins_or_leaves_the_day() {
    let day = |d| chrono::NaiveDate::from_ymd_opt(2026, 12, d).expect("a date");
    let (a, b) = (support::id(1), support::id(2));
    let hint = Hint {
        day: day(7),
        ids: vec![a],
        waiting_since: None,
    };
    assert_eq!(Hint::from_text(&hint.to_text()), Some(hint.clone()));
    let empty = Hint {
        day: day(7),
        ids: vec![],
        waiting_since: Some(-5),
    };
    assert_eq!(Hint::from_text(&empty.to_text()), Some(empty));
    let waiting = Hint {
        waiting_since: Some(1_796_000_000_000),
        ..hint.clone()
    };
    assert_eq!(Hint::from_text(&waiting.to_text()), Some(waiting.clone()));
    assert_eq!(Hint::from_text("739000 not-an-id"), None);
    assert_eq!(Hint::from_text("739000 wsoon"), None);
    assert_eq!(Hint::from_text(""), None);

    // A new record of today joins; saved again, nothing changes.
    let with_b = hint.after_write(day(7), b, day(7), None).expect("b joins");
    assert_eq!(with_b.ids, vec![a, b]);
    assert_eq!(with_b.after_write(day(7), b, day(7), None), None);
    // Corrected to another day, it leaves; a record of another day never joins.
    assert_eq!(
        with_b
            .after_write(day(7), b, day(6), None)
            .expect("b leaves")
            .ids,
        vec![a]
    );
    assert_eq!(hint.after_write(day(7), b, day(5), None), None);
    // The first record of a new day starts that day's hint; a record of an older day
    // leaves yesterday's as it is (it says « none today », still true).
    assert_eq!(
        hint.after_write(day(8), b, day(8), None),
        Some(Hint {
            day: day(8),
            ids: vec![b],
            waiting_since: None,
        })
    );
    assert_eq!(hint.after_write(day(8), b, day(6), None), None);

    // A waiting record written: the hint waits since it, unless since earlier already;
    // a record of another day changes only that.
    let since = hint
        .after_write(day(7), b, day(5), Some(500))
        .expect("waits");
    assert_eq!(
        (since.ids.clone(), since.waiting_since),
        (vec![a], Some(500))
    );
    assert_eq!(since.after_write(day(7), a, day(7), Some(900)), None);
    assert_eq!(
        since
            .after_write(day(7), a, day(7), Some(400))
            .and_then(|h| h.waiting_since),
        Some(400)
    );
}

#[wasm_bindgen_test]
async fn the_days_hint_opens_todays_rows_and_is_dropped_when_it_may_be_wrong() {
    let profile = support::unlocked_profile().await;
    let store = RecordStore::for_profile(&profile);
    let today = carnet::platform::today();
    let older = save_new(&store, contact(5)).await;
    keep_hint(&store, vec![]).await;
    // A few rows: the unlock reads them all first, hint or not.
    assert_eq!(day_ids(&store).await, None);
    // Many rows, written as they are (the hint goes with them): still every row first.
    let mut many = Vec::new();
    for minute in 0..200 {
        many.push(new_row(&store, &contact(minute % 60)).await);
    }
    store.put_rows(&many).await.expect("put_rows");
    assert_eq!(day_ids(&store).await, None);

    // The full read writes it (no record of today yet); then a save of today joins it,
    // in the same transaction as its row, and a save of another day does not.
    keep_hint(&store, vec![]).await;
    assert_eq!(day_ids(&store).await, Some(vec![]));
    assert_eq!(hinted_waiting(&store).await, None);
    let first = save_new(&store, contact_now()).await.record;
    let first_ms = first.occurred_at().timestamp_millis();
    let first = first.id();
    // Waiting since the first save; a later one leaves that, an older record moves it.
    assert_eq!(hinted_waiting(&store).await, Some(first_ms));
    let second = save_new(&store, contact_now()).await.record.id();
    assert_eq!(hinted_waiting(&store).await, Some(first_ms));
    let past = save_new(&store, contact(9)).await.record;
    assert_eq!(
        hinted_waiting(&store).await,
        Some(past.occurred_at().timestamp_millis())
    );
    let mut both = vec![first, second];
    both.sort_unstable();
    assert_eq!(day_ids(&store).await, Some(both));
    // Sealed like a body: nothing of it shows in the store.
    let raw = support::raw_values(&profile.database_name()).await;
    let hint = raw
        .iter()
        .find(|v| v.contains("~today"))
        .expect("the hint is stored");
    assert!(!hint.contains(&first.to_string()), "{hint}");
    assert!(!hint.contains(&today.to_string()), "{hint}");

    // A write that moves a record to another day takes it out (the app's corrections keep
    // the time; the store does not count on it).
    let current = store.get(second).await.expect("get").expect("second");
    let mut moved = current.record.clone();
    if let Record::Contact(c) = &mut moved {
        c.occurred_at = older.record.occurred_at();
    }
    store
        .write(moved, |d| current.standing.rewritten(2, d))
        .await
        .expect("write");
    assert_eq!(day_ids(&store).await, Some(vec![first]));

    // Another window rewrote it since this one read it: the next write deletes it
    // rather than guess, and the next unlock reads every row first again.
    let elsewhere = vault::seal(
        &Hint {
            day: today,
            ids: vec![first, support::id(7)],
            waiting_since: None,
        }
        .to_text(),
    )
    .await
    .expect("seal");
    support::put_raw_row(
        &profile.database_name(),
        &json!({ "id": "~today", "sealed": elsewhere }),
    )
    .await;
    save_new(&store, contact_now()).await;
    assert_eq!(day_ids(&store).await, None);

    // Rows written as they are (the bench's seeding) drop it too.
    keep_hint(&store, vec![first]).await;
    assert_eq!(day_ids(&store).await, Some(vec![first]));
    let row = new_row(&store, &contact_now()).await;
    store.put_rows(&[row]).await.expect("put_rows");
    assert_eq!(day_ids(&store).await, None);
    // And every row is still read whole.
    let (all, _) = store.load_all().await.expect("load_all");
    assert_eq!(all.len(), 206);
}
