//! Encrypted backups: export from one profile, import into another.

use carnet::backup::{self, BackupError, Imported};
use carnet::book::Book;
use carnet::state::{OpenProfile, Secrets};
use carnet::storage::RecordStore;
use carnet_core::{Outcome, Stamp, Standing, SyncState, Transition};
use leptos::prelude::*;
use uuid::Uuid;
use wasm_bindgen_test::wasm_bindgen_test;

use crate::support::{self, contact};

const PASSPHRASE: &str = "une longue phrase de passe";

async fn opened(profile: carnet::profile::Profile) -> OpenProfile {
    let open = OpenProfile::new(profile, Secrets::default());
    let (records, set_aside) = open.store().load_all().await.expect("load_all");
    assert!(set_aside.is_empty());
    open.book.set(Book::from_records(records));
    // Every row is in: an export may run (it waits for that).
    open.rows_in.set(true);
    open
}

/// Every row of a store as (id, version, standing, body), sorted by id.
async fn snapshot(store: &RecordStore) -> Vec<(String, u32, Standing, String)> {
    let mut rows: Vec<_> = store
        .rows()
        .await
        .expect("rows")
        .into_iter()
        .map(|r| (r.id.clone(), r.version, r.standing(), r.body))
        .collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    rows
}

#[wasm_bindgen_test]
async fn export_then_import_elsewhere_queues_the_same_ids_once() {
    // One phone: a record synced, one pending, one sent with no answer.
    let source = support::unlocked_profile().await;
    let store = RecordStore::for_profile(&source);
    let mut ids = Vec::new();
    for minute in [1, 2, 3] {
        let local = store
            .write(contact(minute), |d| Standing::new(1, d))
            .await
            .expect("write");
        ids.push(local.record.id());
    }
    let (synced, pending, unanswered) = (ids[0], ids[1], ids[2]);
    let sent = store
        .mark_sent(&[synced, unanswered])
        .await
        .expect("mark_sent");
    store
        .log_answers(&[Transition {
            id: synced,
            sent: sent[0].stamp.clone(),
            outcome: Outcome::Held,
        }])
        .await
        .expect("log_answers");
    let source_open = opened(source).await;

    assert!(matches!(
        backup::export(&source_open, "courte").await,
        Err(BackupError::PassphraseTooShort)
    ));
    let (file, count) = backup::export(&source_open, PASSPHRASE)
        .await
        .expect("export");
    assert_eq!(count, 2, "only what the server may not hold");
    for id in &ids {
        assert!(
            !file.contains(&id.to_string()),
            "the file shows an id in clear"
        );
    }
    assert!(!file.contains("bar_erotique"));

    // The other phone (another profile, its own database).
    let target = support::fresh_profile();
    let target_open = opened(target).await;
    let target_store = target_open.store();
    assert!(matches!(
        backup::import(&target_open, &file, "une autre phrase de passe").await,
        Err(BackupError::WrongPassphrase)
    ));
    assert!(matches!(
        backup::import(&target_open, "{\"format\":\"autre\"}", PASSPHRASE).await,
        Err(BackupError::WrongPassphrase)
    ));
    assert!(target_store.rows().await.expect("rows").is_empty());

    let first = backup::import(&target_open, &file, PASSPHRASE)
        .await
        .expect("import");
    assert_eq!(
        first,
        Imported {
            queued: 2,
            already: 0
        }
    );
    let rows = snapshot(&target_store).await;
    let mut want: Vec<String> = [pending, unanswered].iter().map(Uuid::to_string).collect();
    want.sort();
    assert_eq!(rows.iter().map(|r| r.0.clone()).collect::<Vec<_>>(), want);
    assert!(rows.iter().all(|r| r.2.sync == SyncState::Pending));
    assert_eq!(target_open.book.with_untracked(|b| b.pending_count()), 2);

    // Same records; the one sent from the first phone keeps its version out of reach.
    let source_store = source_open.store();
    for id in [pending, unanswered] {
        let theirs = source_store
            .get(id)
            .await
            .expect("get")
            .expect("source row");
        let ours = target_store
            .get(id)
            .await
            .expect("get")
            .expect("imported row");
        assert_eq!(ours.record, theirs.record);
    }
    let moved = target_store
        .get(unanswered)
        .await
        .expect("get")
        .expect("row");
    assert_eq!(moved.standing.sent, Some(Stamp::unknown(1)));
    assert_eq!(moved.standing.version_for_edit(), 2);
    let fresh = target_store.get(pending).await.expect("get").expect("row");
    assert_eq!(fresh.standing.sent, None);

    // Importing the same file again changes nothing.
    let second = backup::import(&target_open, &file, PASSPHRASE)
        .await
        .expect("import");
    assert_eq!(
        second,
        Imported {
            queued: 0,
            already: 2
        }
    );
    assert_eq!(snapshot(&target_store).await, rows);
    assert_eq!(target_open.book.with_untracked(|b| b.len()), 2);
}

#[wasm_bindgen_test]
async fn a_damaged_backup_changes_nothing() {
    let source = support::unlocked_profile().await;
    let store = RecordStore::for_profile(&source);
    store
        .write(contact(5), |d| Standing::new(1, d))
        .await
        .expect("write");
    let source_open = opened(source).await;
    let (file, _) = backup::export(&source_open, PASSPHRASE)
        .await
        .expect("export");

    let mut value: serde_json::Value = serde_json::from_str(&file).expect("json");
    let sealed = value["sealed"].as_str().expect("sealed").to_owned();
    // Flip one character of the ciphertext (past the prefix and the IV).
    let at = sealed.len() - 6;
    let flipped = if &sealed[at..=at] == "A" { "B" } else { "A" };
    value["sealed"] = format!("{}{}{}", &sealed[..at], flipped, &sealed[at + 1..]).into();

    let target_open = opened(support::fresh_profile()).await;
    let result = backup::import(&target_open, &value.to_string(), PASSPHRASE).await;
    assert!(
        matches!(
            result,
            Err(BackupError::WrongPassphrase | BackupError::Damaged)
        ),
        "{result:?}"
    );
    assert!(target_open.store().rows().await.expect("rows").is_empty());

    // Nothing to export: an empty or fully synced profile.
    assert!(matches!(
        backup::export(&target_open, PASSPHRASE).await,
        Err(BackupError::Nothing)
    ));
}
