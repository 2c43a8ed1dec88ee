//! A phone rolled back to an older build after a newer one wrote its storage: the older
//! build opens nothing, writes nothing, and says so (`carnet::format`). What a newer build
//! would leave is written here around the app, as that build would write it.

use carnet::format::FORMAT;
use carnet::prefs::Prefs;
use carnet::profile::{self, Profile};
use carnet::session::{self, UnlockError};
use carnet::storage::{DB_VERSION, RecordStore, StoreError};
use carnet::{local_store, vault};
use carnet_core::Standing;
use leptos::prelude::*;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

use crate::session::{clean_up, ctx_for, fresh_device};
use crate::support::{self, PIN, contact, local_snapshot, run_async_js, set_local_raw};

const FORMAT_KEY: &str = "carnet.format";

#[wasm_bindgen_test]
async fn a_device_a_newer_build_wrote_is_neither_opened_nor_written() {
    let _owner = fresh_device();
    let ctx = ctx_for(support::fresh_profile());
    session::set_up(ctx, PIN, "Bleu").await.expect("set_up");
    let open = ctx.open.get_untracked().expect("open");
    open.store()
        .write(contact(1), |d| Standing::new(1, d))
        .await
        .expect("write");
    session::lock(ctx);

    for newer in [format!("{}", FORMAT + 1), "{\"format\":2}".to_owned()] {
        set_local_raw(FORMAT_KEY, &newer);
        let before = local_snapshot().await;
        // Neither the right PIN nor a wrong one is tried: no lock-out is counted either.
        assert_eq!(session::unlock(ctx, PIN).await, Err(UnlockError::Newer));
        assert_eq!(
            session::unlock(ctx, "000000").await,
            Err(UnlockError::Newer)
        );
        assert!(ctx.open.get_untracked().is_none());
        assert!(matches!(
            vault::seal("x").await,
            Err(vault::VaultError::Locked)
        ));
        // Another worker cannot start a profile over it either.
        session::start_new_profile(ctx);
        assert_eq!(
            session::set_up(ctx, PIN, "Vert").await,
            Err(UnlockError::Newer)
        );
        assert!(!local_store::set("carnet.prefs", &Prefs::default()));
        assert!(!profile::save(&Profile::new()));
        local_store::remove("carnet.profiles");
        assert_eq!(local_snapshot().await, before, "localStorage was written");
        ctx.lock_profile.set(open.profile.get_untracked());
    }

    // The format this build writes, or none, opens as before.
    set_local_raw(FORMAT_KEY, &FORMAT.to_string());
    session::unlock(ctx, PIN).await.expect("unlock");
    assert_eq!(
        ctx.open
            .get_untracked()
            .map(|o| o.book.with_untracked(|b| b.len())),
        Some(1)
    );
    support::forget_local(FORMAT_KEY);
    clean_up(ctx);
}

/// Creates `db_name` at `version` as a newer build would, with one value in `records`.
const CREATE_NEWER: &str = r#"
const [name, version] = arg;
const db = await new Promise((resolve, reject) => {
  const open = indexedDB.open(name, version);
  open.onupgradeneeded = () => open.result.createObjectStore('records', { keyPath: 'id' });
  open.onsuccess = () => resolve(open.result);
  open.onerror = () => reject(open.error);
});
await new Promise((resolve, reject) => {
  const tx = db.transaction('records', 'readwrite');
  tx.objectStore('records').put({ id: '00000000-0000-0000-0000-000000000001', row2: 'a newer shape' });
  tx.oncomplete = resolve;
  tx.onerror = () => reject(tx.error);
});
db.close();
"#;

/// `db_name`'s version and every value, as text, read at whatever version it is.
const READ_ALL: &str = r#"
const db = await new Promise((resolve, reject) => {
  const open = indexedDB.open(arg);
  open.onsuccess = () => resolve(open.result);
  open.onerror = () => reject(open.error);
});
const values = await new Promise((resolve, reject) => {
  const q = db.transaction('records').objectStore('records').getAll();
  q.onsuccess = () => resolve(q.result);
  q.onerror = () => reject(q.error);
});
db.close();
return JSON.stringify([db.version, values]);
"#;

#[wasm_bindgen_test]
async fn a_database_a_newer_build_raised_is_left_as_it_is() {
    let _owner = fresh_device();
    let mut profile = support::fresh_profile();
    profile.vault = Some(vault::create(PIN).await.expect("a vault"));
    vault::lock();
    assert!(profile::save(&profile));
    let name = profile.database_name();
    let args = js_sys::Array::of2(&name.as_str().into(), &(DB_VERSION + 1).into());
    run_async_js(CREATE_NEWER, &args).await;
    let read = || async { run_async_js(READ_ALL, &JsValue::from_str(&name)).await };
    let before = read().await;
    let stored = local_snapshot().await;

    assert!(matches!(
        RecordStore::for_profile(&profile).load_all().await,
        Err(StoreError::Newer)
    ));
    let ctx = ctx_for(profile);
    assert_eq!(session::unlock(ctx, PIN).await, Err(UnlockError::Newer));
    assert!(ctx.open.get_untracked().is_none());
    assert!(matches!(
        vault::seal("x").await,
        Err(vault::VaultError::Locked)
    ));
    assert_eq!(read().await, before, "the database was changed");
    assert_eq!(local_snapshot().await, stored, "localStorage was written");
    clean_up(ctx);
}

#[wasm_bindgen_test]
async fn a_profile_list_this_build_cannot_read_is_never_replaced() {
    let _owner = fresh_device();
    let newer = r#"{"format":2,"profiles":[{"id":"opaque"}]}"#;
    set_local_raw("carnet.profiles", newer);
    // Not even by moving in the single profile of a much older version.
    set_local_raw(
        "carnet.profile",
        &serde_json::to_string(&Profile::new()).expect("json"),
    );
    assert!(profile::load_all().is_empty());
    assert!(!profile::save(&Profile::new()));
    let kept = run_async_js(
        "return localStorage.getItem('carnet.profiles');",
        &JsValue::NULL,
    )
    .await;
    assert_eq!(kept.as_string().as_deref(), Some(newer));
    support::forget_local("carnet.profile");
    support::forget_local("carnet.profiles");
}
