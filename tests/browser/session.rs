//! Setting a first PIN, locking and unlocking through `session`, with the app's `Ctx`.

use carnet::prefs::Prefs;
use carnet::profile::{self, Profile};
use carnet::session::{self, UnlockError};
use carnet::state::{Ctx, Screen};
use carnet::storage::RecordStore;
use carnet::vault::{self, VaultError};
use carnet_core::{Standing, Taxonomy};
use leptos::prelude::*;
use serde_json::json;
use wasm_bindgen_test::wasm_bindgen_test;

use crate::support::{self, PIN, contact, put_raw_row};

/// localStorage keys `session` and `profile` use: the device's profiles and the count of
/// wrong PINs. Tests start and end without them (one browser session runs every test).
const KEYS: [&str; 2] = ["carnet.profiles", "carnet.lock"];

/// The app's context for a lock screen showing `profile`, built as `app.rs` does.
pub(crate) fn ctx_for(profile: Profile) -> Ctx {
    Ctx {
        open: RwSignal::new(None),
        lock_profile: RwSignal::new(profile),
        taxonomy: RwSignal::new(Taxonomy::builtin()),
        prefs: RwSignal::new(Prefs::default()),
        prefill: RwSignal::new(None),
        screen: RwSignal::new(Screen::Settings),
        flash: RwSignal::new(Some("old message".into())),
        pairing_hint: RwSignal::new(None),
        day: RwSignal::new(carnet::platform::today()),
    }
}

/// A reactive owner for the test's signals, and a device with no profile yet.
pub(crate) fn fresh_device() -> Owner {
    for key in KEYS {
        support::forget_local(key);
    }
    let owner = Owner::new();
    owner.set();
    owner
}

pub(crate) fn clean_up(ctx: Ctx) {
    session::lock(ctx);
    for key in KEYS {
        support::forget_local(key);
    }
}

fn open_count(ctx: Ctx) -> Option<usize> {
    ctx.open
        .with_untracked(|open| open.as_ref().map(|o| o.book.with_untracked(|b| b.len())))
}

#[wasm_bindgen_test]
async fn a_first_pin_seals_the_profile_and_locking_empties_memory() {
    let _owner = fresh_device();
    // A profile from before encryption: a token and a record kept in clear.
    let mut profile = support::fresh_profile();
    profile.token = Some("jeton-de-test".into());
    let store = RecordStore::for_profile(&profile);
    store.rows().await.expect("create the database");
    let old = contact(10);
    put_raw_row(
        &profile.database_name(),
        &json!({ "id": old.id().to_string(), "version": 1, "sync": { "state": "pending" },
                 "body": serde_json::to_string(&old).expect("json") }),
    )
    .await;
    let ctx = ctx_for(profile.clone());

    session::set_up(ctx, PIN, "Bleu").await.expect("set_up");

    let open = ctx.open.get_untracked().expect("open after set_up");
    assert_eq!(open.id(), profile.id);
    assert_eq!(open.token().as_deref(), Some("jeton-de-test"));
    assert_eq!(open_count(ctx), Some(1));
    assert_eq!(ctx.screen.get_untracked(), Screen::Today);
    assert_eq!(ctx.flash.get_untracked(), None);
    // What is stored is sealed: the token and the record body.
    let saved = profile::load_all();
    assert_eq!(saved.len(), 1);
    let saved = &saved[0];
    assert!(saved.vault.is_some());
    assert_eq!(saved.token, None);
    assert!(saved.sealed_token.as_deref().is_some_and(vault::is_sealed));
    let rows = store.rows().await.expect("rows");
    assert_eq!(rows.len(), 1);
    assert!(vault::is_sealed(&rows[0].body));
    assert_eq!(ctx.lock_profile.get_untracked(), *saved);

    // Saved while open, to be found again after unlocking.
    let version = 1;
    let later = store
        .write(contact(11), |d| Standing::new(version, d))
        .await
        .expect("write");
    open.book.update(|b| b.upsert(later));

    session::lock(ctx);
    assert!(
        ctx.open.get_untracked().is_none(),
        "locked means nothing open"
    );
    // The profile dropped by locking was emptied too (a view may still hold a clone).
    assert_eq!(open.book.with_untracked(|b| b.len()), 0);
    assert_eq!(open.token(), None);
    assert!(matches!(vault::seal("x").await, Err(VaultError::Locked)));

    assert_eq!(
        session::unlock(ctx, "000000").await,
        Err(UnlockError::WrongPin)
    );
    assert!(ctx.open.get_untracked().is_none());
    assert!(matches!(vault::seal("x").await, Err(VaultError::Locked)));

    session::unlock(ctx, PIN).await.expect("unlock");
    let open = ctx.open.get_untracked().expect("open after unlock");
    assert_eq!(open.id(), profile.id);
    assert_eq!(open.token().as_deref(), Some("jeton-de-test"));
    assert_eq!(open_count(ctx), Some(2));
    assert!(open.set_aside.with_untracked(Vec::is_empty));
    clean_up(ctx);
}

#[wasm_bindgen_test]
async fn wrong_pins_in_a_row_make_the_worker_wait() {
    let _owner = fresh_device();
    let ctx = ctx_for(support::fresh_profile());
    session::set_up(ctx, PIN, "Bleu").await.expect("set_up");
    session::lock(ctx);

    assert_eq!(
        session::unlock(ctx, "111111").await,
        Err(UnlockError::WrongPin)
    );
    assert_eq!(
        session::unlock(ctx, "222222").await,
        Err(UnlockError::WrongPin)
    );
    assert_eq!(
        session::unlock(ctx, "333333").await,
        Err(UnlockError::Wait(5))
    );
    // During the wait even the right PIN is not tried.
    assert!(matches!(
        session::unlock(ctx, PIN).await,
        Err(UnlockError::Wait(1..=5))
    ));
    assert!(ctx.open.get_untracked().is_none());

    // The lock-out is kept with the profile: removing the old separate key does not
    // reset it. Once the wait is over the right PIN opens, and resets the count.
    support::forget_local("carnet.lock");
    assert!(matches!(
        session::unlock(ctx, PIN).await,
        Err(UnlockError::Wait(1..=5))
    ));
    carnet::platform::pause(5_100).await;
    session::unlock(ctx, PIN).await.expect("unlock");
    assert!(ctx.open.get_untracked().is_some());
    session::lock(ctx);
    assert_eq!(
        session::unlock(ctx, "444444").await,
        Err(UnlockError::WrongPin)
    );
    clean_up(ctx);
}

#[wasm_bindgen_test]
async fn two_workers_on_one_phone_each_open_only_their_own() {
    let _owner = fresh_device();
    let first = support::fresh_profile();
    let ctx = ctx_for(first.clone());
    session::set_up(ctx, PIN, "Bleu").await.expect("set_up");
    let open = ctx.open.get_untracked().expect("open");
    open.store()
        .write(contact(1), |d| Standing::new(1, d))
        .await
        .expect("write");
    session::lock(ctx);

    // Another worker starts on the same phone with their own PIN.
    session::start_new_profile(ctx);
    let second = ctx.lock_profile.get_untracked();
    assert_ne!(second.id, first.id);
    session::set_up(ctx, "975310", "Vert")
        .await
        .expect("set_up");
    assert_eq!(open_count(ctx), Some(0));
    session::lock(ctx);
    assert_eq!(profile::load_all().len(), 2);

    session::unlock(ctx, "975310").await.expect("unlock");
    assert_eq!(ctx.open.get_untracked().map(|o| o.id()), Some(second.id));
    assert_eq!(open_count(ctx), Some(0));
    session::lock(ctx);

    // The lock screen's choice decides which profile a PIN is tried against.
    assert_eq!(session::unlock(ctx, PIN).await, Err(UnlockError::WrongPin));
    ctx.lock_profile.set(first.clone());
    session::unlock(ctx, PIN).await.expect("unlock");
    assert_eq!(ctx.open.get_untracked().map(|o| o.id()), Some(first.id));
    assert_eq!(open_count(ctx), Some(1));
    clean_up(ctx);
}

#[wasm_bindgen_test]
async fn the_same_pin_opens_only_the_profile_it_was_set_for() {
    let _owner = fresh_device();
    let first = support::fresh_profile();
    let ctx = ctx_for(first.clone());
    session::set_up(ctx, PIN, "Bleu").await.expect("set_up");
    let open = ctx.open.get_untracked().expect("open");
    open.store()
        .write(contact(1), |d| Standing::new(1, d))
        .await
        .expect("write");
    session::lock(ctx);
    session::start_new_profile(ctx);
    let second = ctx.lock_profile.get_untracked();
    session::set_up(ctx, PIN, "Vert")
        .await
        .expect("set_up with the same PIN");
    session::lock(ctx);

    session::unlock(ctx, PIN).await.expect("unlock");
    assert_eq!(ctx.open.get_untracked().map(|o| o.id()), Some(second.id));
    assert_eq!(open_count(ctx), Some(0));
    session::lock(ctx);
    ctx.lock_profile.set(first.clone());
    session::unlock(ctx, PIN).await.expect("unlock");
    assert_eq!(ctx.open.get_untracked().map(|o| o.id()), Some(first.id));
    assert_eq!(open_count(ctx), Some(1));
    clean_up(ctx);
}

/// A stored profile is read by hand (`profile.rs`) as serde's derived reader read it: every
/// field back as written, only `id` required (the others their defaults, 45 days kept),
/// an unknown field skipped, a missing `id` or a field twice refused in serde's words.
#[wasm_bindgen_test]
fn a_stored_profile_is_read_as_the_derived_reader_read_it() {
    let mut full = Profile::new();
    full.sealed_token = Some("sealed".into());
    full.sealed_person_code_key = Some("sealed key".into());
    full.coordinator = true;
    full.label = "Bleu".into();
    full.lockout = profile::Lockout {
        count: 2,
        until_ms: 1.5e12,
    };
    full.retention_days = 30;
    full.pruned_through = chrono::NaiveDate::from_ymd_opt(2026, 3, 31);
    full.token = Some("token".into());
    full.person_code_key = Some("key".into());
    let text = serde_json::to_string(&full).expect("written");
    assert_eq!(
        serde_json::from_str::<Profile>(&text).ok(),
        Some(full.clone())
    );

    let id = full.id;
    let only_id: Profile = serde_json::from_value(json!({"id": id, "other": [1]})).expect("read");
    let mut expected = Profile::new();
    expected.id = id;
    assert_eq!(only_id, expected);
    assert_eq!(only_id.retention_days, 45);

    let refused = |json: &str| {
        serde_json::from_str::<Profile>(json)
            .unwrap_err()
            .to_string()
    };
    assert!(refused("{}").starts_with("missing field `id`"));
    assert!(
        refused(&format!("{{\"id\":\"{id}\",\"id\":\"{id}\"}}"))
            .starts_with("duplicate field `id`")
    );
    assert!(
        serde_json::from_value::<Profile>(json!({"id": id, "pruned_through": "2026-13-01"}))
            .is_err()
    );
}
