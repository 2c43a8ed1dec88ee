//! Shared helpers: synthetic records, fresh profiles, and raw IndexedDB access that goes
//! around the code under test.

use carnet::profile::Profile;
use carnet::vault;
use carnet_core::{ContactDraft, Record, Taxonomy};
use chrono::DateTime;
use js_sys::Promise;
use uuid::Uuid;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbTransactionMode};

/// The PIN of every vault the tests create.
pub const PIN: &str = "246810";

/// A new profile with a random id: its own IndexedDB database, its own localStorage keys.
pub fn fresh_profile() -> Profile {
    Profile::new()
}

/// A profile whose data key is in memory (a vault created with [`PIN`]).
pub async fn unlocked_profile() -> Profile {
    let mut profile = fresh_profile();
    profile.vault = Some(vault::create(PIN).await.expect("create a vault"));
    profile
}

/// A valid synthetic contact (codes only, as the app logs them) at minute `minute` of an
/// evening shift.
pub fn contact(minute: u32) -> Record {
    let draft = ContactDraft {
        program: Some("catwoman".into()),
        milieu: Some("bar_erotique".into()),
        mode: Some("en_personne".into()),
        age_group: Some("26_40".into()),
        gender: Some("femme".into()),
        realities: vec!["sante".into()],
        ..ContactDraft::default()
    };
    let at = DateTime::parse_from_rfc3339(&format!("2026-11-28T21:{minute:02}:00-05:00"))
        .expect("a valid time");
    let contact = draft
        .finish(carnet::platform::random_uuid(), at, &Taxonomy::builtin())
        .expect("a valid draft");
    Record::Contact(contact)
}

/// The same record with a different material count: another content, same id.
pub fn corrected(record: &Record, condoms: u32) -> Record {
    let Record::Contact(contact) = record else {
        panic!("a contact");
    };
    let mut contact = contact.clone();
    contact.material.insert("condoms".into(), condoms);
    Record::Contact(contact)
}

async fn settle(register: impl FnOnce(&js_sys::Function, &js_sys::Function)) -> JsValue {
    let mut register = Some(register);
    let promise = Promise::new(&mut |resolve, reject| {
        if let Some(register) = register.take() {
            register(&resolve, &reject);
        }
    });
    JsFuture::from(promise).await.expect("IndexedDB request")
}

/// Writes `row` (a JSON object) into the `records` store of database `db_name` with the
/// browser's IndexedDB API directly, bypassing `RecordStore` and its serialisation. The
/// database must already exist (the store creates it on first use).
pub async fn put_raw_row(db_name: &str, row: &serde_json::Value) {
    let factory = web_sys::window()
        .expect("a window")
        .indexed_db()
        .expect("IndexedDB")
        .expect("IndexedDB");
    let open = factory.open(db_name).expect("open the database");
    settle(|ok, err| {
        open.set_onsuccess(Some(ok));
        open.set_onerror(Some(err));
    })
    .await;
    let db: IdbDatabase = open.result().expect("a database").unchecked_into();
    let tx = db
        .transaction_with_str_and_mode("records", IdbTransactionMode::Readwrite)
        .expect("a transaction");
    let value = js_sys::JSON::parse(&row.to_string()).expect("JSON");
    tx.object_store("records")
        .expect("the records store")
        .put(&value)
        .expect("put");
    settle(|ok, err| {
        tx.set_oncomplete(Some(ok));
        tx.set_onerror(Some(err));
        tx.set_onabort(Some(err));
    })
    .await;
    db.close();
}

/// Every value (`keys` false) or key (`keys` true) of the records store, read around the
/// app.
async fn raw_all(db_name: &str, keys: bool) -> js_sys::Array {
    let factory = web_sys::window()
        .expect("a window")
        .indexed_db()
        .expect("IndexedDB")
        .expect("IndexedDB");
    let open = factory.open(db_name).expect("open the database");
    settle(|ok, err| {
        open.set_onsuccess(Some(ok));
        open.set_onerror(Some(err));
    })
    .await;
    let db: IdbDatabase = open.result().expect("a database").unchecked_into();
    let tx = db.transaction_with_str("records").expect("a transaction");
    let store = tx.object_store("records").expect("the records store");
    let request = if keys {
        store.get_all_keys().expect("getAllKeys")
    } else {
        store.get_all().expect("getAll")
    };
    settle(|ok, err| {
        request.set_onsuccess(Some(ok));
        request.set_onerror(Some(err));
    })
    .await;
    let all = js_sys::Array::from(&request.result().expect("a result"));
    db.close();
    all
}

/// Every value of the records store as JSON text, read around the app.
pub async fn raw_values(db_name: &str) -> Vec<String> {
    raw_all(db_name, false)
        .await
        .iter()
        .filter_map(|v| js_sys::JSON::stringify(&v).ok()?.as_string())
        .collect()
}

/// Every key of the records store, read around the app.
pub async fn raw_keys(db_name: &str) -> Vec<String> {
    raw_all(db_name, true)
        .await
        .iter()
        .filter_map(|k| k.as_string())
        .collect()
}

/// Every IndexedDB transaction opened while a [`TransactionLog`] lives: mode and
/// durability as the browser reports them on the transaction object.
pub struct TransactionLog;

const LOG_INSTALL: &str = r#"
const proto = IDBDatabase.prototype;
if (!proto.__carnetOriginal) { proto.__carnetOriginal = proto.transaction; }
const original = proto.__carnetOriginal;
globalThis.__carnetTransactions = [];
proto.transaction = function (...args) {
  const tx = original.apply(this, args);
  globalThis.__carnetTransactions.push(tx.mode + ":" + tx.durability);
  return tx;
};
"#;

const LOG_REMOVE: &str = r#"
const proto = IDBDatabase.prototype;
if (proto.__carnetOriginal) { proto.transaction = proto.__carnetOriginal; }
"#;

const LOG_READ: &str = "return (globalThis.__carnetTransactions || []).join(',');";

impl TransactionLog {
    /// Wraps `IDBDatabase.prototype.transaction` so that each transaction the real browser
    /// creates is noted (the transactions themselves are untouched).
    pub fn start() -> Self {
        run_js(LOG_INSTALL);
        TransactionLog
    }

    /// `"mode:durability"` of every transaction so far, oldest first.
    pub fn entries(&self) -> Vec<String> {
        let text = run_js(LOG_READ).as_string().unwrap_or_default();
        text.split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    }
}

impl Drop for TransactionLog {
    fn drop(&mut self) {
        run_js(LOG_REMOVE);
    }
}

/// The object-store reads (`get`, `getAll`, `getAllKeys`) issued while a [`RequestLog`]
/// lives, by name.
pub struct RequestLog;

const REQUESTS_INSTALL: &str = r#"
const proto = IDBObjectStore.prototype;
globalThis.__carnetRequests = [];
for (const name of ['get', 'getAll', 'getAllKeys']) {
  const key = '__carnetOriginal_' + name;
  if (!proto[key]) { proto[key] = proto[name]; }
  const original = proto[key];
  proto[name] = function (...args) {
    globalThis.__carnetRequests.push(name);
    return original.apply(this, args);
  };
}
"#;

const REQUESTS_REMOVE: &str = r#"
const proto = IDBObjectStore.prototype;
for (const name of ['get', 'getAll', 'getAllKeys']) {
  const key = '__carnetOriginal_' + name;
  if (proto[key]) { proto[name] = proto[key]; }
}
"#;

impl RequestLog {
    /// Wraps the object store's read requests so that each call is noted (the requests
    /// themselves are untouched).
    pub fn start() -> Self {
        run_js(REQUESTS_INSTALL);
        RequestLog
    }

    /// How many requests named `name` were issued so far.
    pub fn count(&self, name: &str) -> usize {
        let all = run_js("return (globalThis.__carnetRequests || []).join(',');")
            .as_string()
            .unwrap_or_default();
        all.split(',').filter(|n| *n == name).count()
    }
}

impl Drop for RequestLog {
    fn drop(&mut self) {
        run_js(REQUESTS_REMOVE);
    }
}

fn run_js(body: &str) -> JsValue {
    js_sys::Function::new_no_args(body)
        .call0(&JsValue::NULL)
        .expect("test instrumentation")
}

/// Runs the body of an async JavaScript function of `arg` and returns what it resolves to:
/// for reading or writing the browser's storage exactly as another build would.
pub async fn run_async_js(body: &str, arg: &JsValue) -> JsValue {
    let function =
        js_sys::Function::new_with_args("arg", &format!("return (async () => {{ {body} }})();"));
    let promise: Promise = function
        .call1(&JsValue::NULL, arg)
        .expect("a promise")
        .unchecked_into();
    JsFuture::from(promise).await.expect("the script ran")
}

/// Everything localStorage holds, as text: key and value, in key order.
pub async fn local_snapshot() -> String {
    run_async_js(
        "return JSON.stringify(Object.keys(localStorage).sort().map((k) => [k, localStorage.getItem(k)]));",
        &JsValue::NULL,
    )
    .await
    .as_string()
    .expect("text")
}

/// Sets a localStorage value as raw text (what another build may have written).
pub fn set_local_raw(key: &str, value: &str) {
    web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .expect("localStorage")
        .set_item(key, value)
        .expect("set a value");
}

/// Removes a localStorage key (tests share one browser session).
pub fn forget_local(key: &str) {
    if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = storage.remove_item(key);
    }
}

/// A fixed id for rows written by hand.
pub fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}
