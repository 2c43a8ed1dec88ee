//! The device's record store: one IndexedDB database per worker profile.
//!
//! A row is `{ id, version, digest, sync, acked, sent, body }`: the sync bookkeeping
//! ([`Standing`]) stays readable so the queue can be worked without decoding, while
//! everything about the contact is in `body`, which only [`codec::BodyCodec`] reads or
//! writes (sealed). Every write uses `durability: "strict"` and is committed before it
//! returns, so "saved" on screen means on disk.
//!
//! Rows written before the bookkeeping existed (`synced_version` instead of stamps) are
//! read as "sent, content unknown" so that their versions are never reused.
//!
//! IndexedDB holds each row as `{ id, row }`, `row` being the row as JSON: one encoder
//! (serde_json, which the wire needs anyway) instead of a second one for JS objects, which
//! keeps the download smaller. Rows written as plain objects by older versions of the app
//! may still be on a phone, so they are read too.
//!
//! **Blocks.** Opening 20 000 bodies one WebCrypto call at a time would make unlocking a
//! full phone take seconds. So synced records older than a couple of days are *compacted*: in
//! one transaction they move into a sealed block of up to [`BLOCK_RECORDS`] records (a
//! value keyed `~block:<uuid>` in the same object store, above every row's key) and their
//! rows are deleted. A block entry holds the record and the digest of its body; a record
//! changed later gets a row of its own again, which shadows the block's copy at every
//! load. New and pending records always have their own row, so saving stays one small
//! write.
//!
//! **The day's hint.** Records waiting for a sync keep their rows, and a phone that could
//! not sync for weeks holds thousands. So the unlock opens only the rows of today's
//! records first, named by one sealed value (`day_hint`), and every other row after the
//! day's screen is up.

pub mod codec;
pub mod day_hint;
mod journal;

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use carnet_core::hash::Fixed;
use carnet_core::{Digest, Logged, Record, Stamp, Standing, SyncState, Transition, sync};
use indexed_db_futures::KeyRange;
use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::{
    Transaction, TransactionDurability, TransactionMode, TransactionOptions,
};
use serde::{Deserialize, Serialize};
use thiserror::Error;
use uuid::Uuid;
use wasm_bindgen::{JsCast, JsValue};

use crate::profile::Profile;
use codec::{BodyCodec, CodecError};
use day_hint::{Hint, Known};

/// The version of each profile's database: its object stores and the format of the values
/// in them. A newer build that changes either raises it (with the device's `format`), and
/// IndexedDB then refuses to open the database at this build's lower version: an older
/// build never reads or rewrites those values ([`StoreError::Newer`]).
pub const DB_VERSION: u32 = 1;
const RECORDS: &str = "records";

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("IndexedDB: {0}")]
    Idb(String),
    #[error(transparent)]
    Codec(#[from] CodecError),
    #[error("a stored row cannot be read: {0}")]
    Row(String),
    #[error("a newer version of the app wrote this database")]
    Newer,
}

/// A row as IndexedDB takes it: `{ id, row: "<json>" }`.
fn to_js(row: &Row) -> Result<JsValue, StoreError> {
    let json = serde_json::to_string(row).map_err(|e| StoreError::Row(e.to_string()))?;
    let object = js_sys::Object::new();
    let set = |key: &str, value: &str| {
        js_sys::Reflect::set(&object, &key.into(), &value.into())
            .map(|_| ())
            .map_err(|_| StoreError::Idb("cannot build a row".into()))
    };
    set("id", &row.id)?;
    set("row", &json)?;
    Ok(object.into())
}

/// A row from IndexedDB: the JSON of `row`, or an older row stored as a plain object.
fn from_js(value: &JsValue) -> Result<Row, String> {
    let json = match js_sys::Reflect::get(value, &"row".into())
        .ok()
        .and_then(|v| v.as_string())
    {
        Some(json) => json,
        None => js_sys::JSON::stringify(value)
            .ok()
            .and_then(|s| s.as_string())
            .ok_or("not a row")?,
    };
    serde_json::from_str(&json).map_err(|e| e.to_string())
}

/// A block as IndexedDB takes it: `{ id, sealed }`.
fn block_js(key: &str, sealed: &str) -> JsValue {
    let block = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&block, &"id".into(), &key.into());
    let _ = js_sys::Reflect::set(&block, &"sealed".into(), &sealed.into());
    block.into()
}

/// The sealed text of a stored block.
fn sealed_of(value: &JsValue) -> Option<String> {
    js_sys::Reflect::get(value, &"sealed".into())
        .ok()?
        .as_string()
}

/// The key of a stored value, even one whose row cannot be read.
fn key_of(value: &JsValue) -> String {
    js_sys::Reflect::get(value, &"id".into())
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

/// The browser's words for an IndexedDB failure (its exception's name and message), written
/// here rather than through the crate's `Display`: that one can print numbers with `f64`'s
/// formatting, 12 kB of the phone's wasm used for nothing else.
fn idb_message(e: &indexed_db_futures::error::Error) -> String {
    use indexed_db_futures::error::Error;
    match e {
        Error::DomException(d) => {
            let d: &web_sys::DomException = d.as_ref().unchecked_ref();
            format!("{}: {}", d.name(), d.message())
        }
        Error::Serialisation(_) => "a value cannot be converted".into(),
        Error::MissingData(_) => "missing data".into(),
        Error::Unknown(js) => js
            .as_ref()
            .dyn_ref::<js_sys::Error>()
            .map(|e| String::from(e.message()))
            .unwrap_or_else(|| "not an Error".into()),
    }
}

impl From<indexed_db_futures::error::Error> for StoreError {
    fn from(e: indexed_db_futures::error::Error) -> Self {
        StoreError::Idb(idb_message(&e))
    }
}

impl From<indexed_db_futures::error::OpenDbError> for StoreError {
    fn from(e: indexed_db_futures::error::OpenDbError) -> Self {
        use indexed_db_futures::error::{DomException, Error, OpenDbError};
        match e {
            // The database is at a higher version than this build asks for.
            OpenDbError::Base(Error::DomException(DomException::Other(d)))
                if d.name() == "VersionError" =>
            {
                StoreError::Newer
            }
            OpenDbError::Base(e) => e.into(),
            _ => StoreError::Idb("IndexedDB is not available".into()),
        }
    }
}

/// A failed open request: the database is at a higher version than this build asks for
/// (`VersionError`), or anything else in the browser's words.
fn open_failed(request: &web_sys::IdbOpenDbRequest) -> StoreError {
    match request.error() {
        Ok(Some(e)) if e.name() == "VersionError" => StoreError::Newer,
        Ok(Some(e)) => StoreError::Idb(format!("{}: {}", e.name(), e.message())),
        _ => StoreError::Idb("cannot open the database".into()),
    }
}

/// Opens the profile's database at [`DB_VERSION`], creating its store when the database is
/// new, and closes it again: done by hand, because the crate's `onupgradeneeded` handler
/// formats its errors with `f64`'s printing (12 kB of the phone's wasm). The crate then
/// opens it at the same version, with no upgrade to run.
async fn create_store(name: &str) -> Result<(), StoreError> {
    use wasm_bindgen::closure::Closure;
    let unavailable = || StoreError::Idb("IndexedDB is not available".into());
    let factory = web_sys::window()
        .and_then(|w| w.indexed_db().ok().flatten())
        .ok_or_else(unavailable)?;
    let request = factory
        .open_with_u32(name, DB_VERSION)
        .map_err(|_| unavailable())?;
    let upgrade = {
        let request = request.clone();
        // What it throws aborts the upgrade, and the request fails with it.
        Closure::once(
            move |event: web_sys::IdbVersionChangeEvent| -> Result<(), JsValue> {
                if event.old_version() < 1.0 {
                    let params = web_sys::IdbObjectStoreParameters::new();
                    params.set_key_path(&JsValue::from_str("id"));
                    let db: web_sys::IdbDatabase = request.result()?.unchecked_into();
                    db.create_object_store_with_optional_parameters(RECORDS, &params)?;
                }
                Ok(())
            },
        )
    };
    request.set_onupgradeneeded(Some(upgrade.as_ref().unchecked_ref()));
    let done = js_sys::Promise::new(&mut |resolve, reject| {
        request.set_onsuccess(Some(&resolve));
        request.set_onerror(Some(&reject));
    });
    let outcome = wasm_bindgen_futures::JsFuture::from(done).await;
    request.set_onupgradeneeded(None);
    request.set_onsuccess(None);
    request.set_onerror(None);
    match outcome {
        Ok(_) => {
            if let Ok(db) = request.result() {
                db.unchecked_into::<web_sys::IdbDatabase>().close();
            }
            Ok(())
        }
        Err(_) => Err(open_failed(&request)),
    }
}

/// A record as the app holds it: the record and where it stands with the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalRecord {
    pub record: Record,
    pub standing: Standing,
}

impl LocalRecord {
    /// The sort key of records by time, in milliseconds since the epoch as the book keeps
    /// them: sorted with `sort_by_cached_key`, every sort of records by time then shares
    /// one sort instance in the wasm, of `(i64, usize)` pairs (the book's bulk load).
    pub fn by_time(local: &LocalRecord) -> i64 {
        local.record.occurred_at().timestamp_millis()
    }
}

/// Sorts ids as `sort_unstable` would, through the sort of `(i64, usize)` keys the book's
/// bulk load already holds (`sort_by_cached_key`): by their first 64 bits, then one
/// insertion pass for ids that share them (random ids nearly never do: the pass only
/// compares neighbours). The phone's module then holds no sort of `Uuid`s (BENCHMARKS.md).
pub fn sort_ids(ids: &mut [Uuid]) {
    // The first 64 bits as an `i64` in the same order: the sign bit flipped.
    ids.sort_by_cached_key(|id| (id.as_u64_pair().0 ^ (1 << 63)) as i64);
    for i in 1..ids.len() {
        let mut j = i;
        while j > 0 && ids[j - 1] > ids[j] {
            ids.swap(j - 1, j);
            j -= 1;
        }
    }
}

/// A row that could not be read (damaged, or sealed under another key): kept on the
/// device, left out of everything else, reported in « Réglages ».
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetAside {
    pub id: String,
    pub error: String,
}

/// A row as IndexedDB keeps it. Read by hand (its [`carnet_core::names::Fields`]), as
/// serde's derived reader read it from a JSON object: `id`, `sync` and `body` required.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub id: String,
    #[serde(default = "one")]
    pub version: u32,
    pub sync: SyncState,
    /// Fingerprint of `body`; absent on rows from before the bookkeeping.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<Digest>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acked: Option<Stamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent: Option<Stamp>,
    /// The old bookkeeping: the last version the server acknowledged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub synced_version: Option<u32>,
    pub body: String,
}

fn one() -> u32 {
    1
}

/// [`Row`]'s fields, in the order they are declared.
const ROW_FIELDS: &[&str] = &[
    "id",
    "version",
    "sync",
    "digest",
    "acked",
    "sent",
    "synced_version",
    "body",
];

impl<'de> Deserialize<'de> for Row {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        carnet_core::names::read_struct(d)
    }
}

impl carnet_core::names::Fields for Row {
    const EXPECTING: &'static str = "struct Row";
    const NAMES: &'static [&'static str] = ROW_FIELDS;
    /// Required: `id`, `sync` and `body`.
    const OPTIONAL: u64 = !(1 | 1 << 2 | 1 << 7);
    const DENY_UNKNOWN: bool = false;

    fn empty() -> Self {
        Row {
            id: String::new(),
            version: one(),
            sync: SyncState::Pending,
            digest: None,
            acked: None,
            sent: None,
            synced_version: None,
            body: String::new(),
        }
    }

    fn read_field<'de, A: serde::de::MapAccess<'de>>(
        &mut self,
        at: usize,
        map: &mut A,
    ) -> Result<(), A::Error> {
        match at {
            0 => self.id = map.next_value()?,
            1 => self.version = map.next_value()?,
            2 => self.sync = map.next_value()?,
            3 => self.digest = map.next_value()?,
            4 => self.acked = map.next_value()?,
            5 => self.sent = map.next_value()?,
            6 => self.synced_version = map.next_value()?,
            _ => self.body = map.next_value()?,
        }
        Ok(())
    }
}

impl Row {
    pub fn new(id: Uuid, standing: &Standing, body: String) -> Self {
        Row {
            id: id.to_string(),
            version: standing.version,
            sync: standing.sync.clone(),
            digest: Some(standing.digest.clone()),
            acked: standing.acked.clone(),
            sent: standing.sent.clone(),
            synced_version: None,
            body,
        }
    }

    /// The row's bookkeeping (read from the old fields on rows that predate it).
    pub fn standing(&self) -> Standing {
        if let Some(digest) = &self.digest {
            return Standing {
                version: self.version,
                digest: digest.clone(),
                sync: self.sync.clone(),
                acked: self.acked.clone(),
                sent: self.sent.clone(),
            };
        }
        let digest = sync::digest(self.body.as_bytes());
        if self.sync == SyncState::Synced {
            let stamp = Stamp {
                version: self.version,
                digest: digest.clone(),
            };
            return Standing {
                version: self.version,
                digest,
                sync: SyncState::Synced,
                acked: Some(stamp.clone()),
                sent: Some(stamp),
            };
        }
        // Pending or refused under the old rules: it may have been sent, and corrected in
        // place since, so its version counts as sent with unknown content. An old
        // "conflict" refusal is retried: the conflict is settled with the server's versions.
        let sync = match &self.sync {
            SyncState::Rejected { reason } if reason == "conflict" => SyncState::Pending,
            other => other.clone(),
        };
        Standing {
            version: self.version,
            digest,
            sync,
            acked: self.synced_version.map(Stamp::unknown),
            sent: Some(Stamp::unknown(self.version)),
        }
    }

    fn set_standing(&mut self, standing: &Standing) {
        self.version = standing.version;
        self.sync = standing.sync.clone();
        self.digest = Some(standing.digest.clone());
        self.acked = standing.acked.clone();
        self.sent = standing.sent.clone();
        self.synced_version = None;
    }
}

thread_local! {
    /// The open connection, reused across calls (the app runs on one thread).
    static OPEN: RefCell<Option<(String, Database)>> = const { RefCell::new(None) };
    /// Which block holds which record, for the open database (filled by `load_blocks`).
    static IN_BLOCKS: RefCell<(String, HashMap<Uuid, String, Fixed>)> = RefCell::new((String::new(), HashMap::default()));
}

/// Every row's key (below the blocks, the sync log and the day's hint).
fn rows_range() -> KeyRange<String> {
    KeyRange::UpperBound(BLOCK_PREFIX.to_owned(), true)
}

/// Up to this many rows, reading them all costs about what opening the day's hint and its
/// rows does: the unlock then reads every row first.
const FEW_ROWS: u32 = 200;

/// Most records sealed in one block.
pub const BLOCK_RECORDS: usize = 500;
/// Fewest loose synced records worth a new block.
pub const BLOCK_MIN: usize = 200;
/// Key prefix of blocks in the records store: above every UUID (hex digits and dashes),
/// so one key range reads the rows and another the blocks (the sync log's keys come after,
/// see `journal`).
const BLOCK_PREFIX: &str = "~block:";
/// Just past every block's key.
const BLOCK_END: &str = "~block;";

/// One record inside a block: the record and the digest of the body it had. The record is
/// decoded through `serde_json::Value`, as every stored record is (`Record::from_value`):
/// one decoder for records in the download, not two.
#[derive(Debug, Serialize, Deserialize)]
struct BlockEntry {
    digest: Digest,
    record: serde_json::Value,
}

impl BlockEntry {
    fn new(record: &Record, digest: Digest) -> Result<Self, StoreError> {
        Ok(BlockEntry {
            digest,
            record: codec::record_value(record)?,
        })
    }

    /// The record, or `None` when it cannot be read (the entry is then left out).
    fn record(&self) -> Option<Record> {
        Record::from_value(self.record.clone()).ok()
    }

    /// The digest and the record, without copying the record's body.
    fn into_parts(self) -> Option<(Digest, Record)> {
        let record = Record::from_value(self.record).ok()?;
        Some((self.digest, record))
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct BlockContents {
    entries: Vec<BlockEntry>,
}

impl BlockContents {
    /// The block as stored: its JSON sealed under the profile's data key.
    async fn seal(&self) -> Result<String, StoreError> {
        let json = serde_json::to_string(self).map_err(|e| StoreError::Row(e.to_string()))?;
        crate::vault::seal(&json)
            .await
            .map_err(|e| StoreError::Codec(CodecError::Vault(e)))
    }
}

/// What [`RecordStore::load_first`] opened before the day's screen.
pub struct FirstRead {
    pub records: Vec<LocalRecord>,
    pub set_aside: Vec<SetAside>,
    /// Every row, or only the day's (the others come after).
    pub every_row: bool,
    /// When the oldest waiting record happened, as the day's hint says (with the day's rows
    /// only: with every row, the records say it).
    pub waiting_since: Option<i64>,
}

/// The day's hint sealed as stored (none for none).
async fn seal_hint(hint: Option<&Hint>) -> Result<Option<String>, StoreError> {
    let Some(hint) = hint else {
        return Ok(None);
    };
    crate::vault::seal(&hint.to_text())
        .await
        .map(Some)
        .map_err(|e| StoreError::Codec(CodecError::Vault(e)))
}

/// One row inside an open transaction (a value that is not a row reads as none: it is left
/// alone, as `load_all` sets it aside).
async fn read(
    store: &indexed_db_futures::object_store::ObjectStore<'_>,
    id: &Uuid,
) -> Result<Option<Row>, StoreError> {
    let value: Option<JsValue> = store.get(id.to_string()).await?;
    Ok(value.and_then(|v| from_js(&v).ok()))
}

/// Rows by id inside an open transaction, all requests issued at once (one round trip
/// through the event loop instead of one per row: a batch of 100 is 100 rows), with the
/// sync log folded in.
async fn read_many(
    db_name: &str,
    store: &indexed_db_futures::object_store::ObjectStore<'_>,
    ids: &[Uuid],
) -> Result<Vec<Option<Row>>, StoreError> {
    journal::refresh(db_name, store).await?;
    let mut rows = read_raw(store, ids).await?;
    for row in rows.iter_mut().flatten() {
        journal::fold(db_name, row);
    }
    Ok(rows)
}

/// Rows by id as stored. Ids close together in key order (a sync batch: the queue goes
/// out in id order, and the log's values follow it) are read with one `getAll` over their
/// span when the store holds few other rows there; other ids with one `get` each, all
/// issued at once. An IndexedDB request costs about the same whatever it returns, so a
/// batch of 500 rows is two requests instead of 500.
async fn read_raw(
    store: &indexed_db_futures::object_store::ObjectStore<'_>,
    ids: &[Uuid],
) -> Result<Vec<Option<Row>>, StoreError> {
    if ids.len() >= SPAN_READ_MIN
        && let Some(rows) = read_span(store, ids).await?
    {
        return Ok(rows);
    }
    let reads = ids.iter().map(|id| read(store, id));
    futures_util::future::join_all(reads)
        .await
        .into_iter()
        .collect()
}

/// Below this many ids, reading them one by one costs no more than counting their span.
const SPAN_READ_MIN: usize = 8;

/// Rows by id from one `getAll` over the ids' key span; `None` when the span holds more
/// than twice as many values as there are ids (scattered ids: reading them one by one
/// is cheaper than reading every row between them).
async fn read_span(
    store: &indexed_db_futures::object_store::ObjectStore<'_>,
    ids: &[Uuid],
) -> Result<Option<Vec<Option<Row>>>, StoreError> {
    let (Some(low), Some(high)) = (ids.iter().min(), ids.iter().max()) else {
        return Ok(None);
    };
    // A uuid's hyphenated lowercase text sorts as its bytes do, so the span holds every id.
    let span = || KeyRange::Bound(low.to_string(), false, high.to_string(), false);
    let keys = keys_in(store, span()).await?;
    if keys.len() > ids.len() * 2 {
        return Ok(None);
    }
    // The same range in the same transaction, which nothing else can write meanwhile: the
    // values are the keys' own, in the same order (a string range holds only strings).
    let values = store
        .get_all::<JsValue>()
        .with_query::<String, _>(span())
        .await?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(
        ids.iter()
            .map(|id| {
                let at = keys.binary_search(&id.to_string()).ok()?;
                from_js(values.get(at)?).ok()
            })
            .collect(),
    ))
}

/// The keys in `range` as text, inside an open transaction: one request.
async fn keys_in(
    store: &indexed_db_futures::object_store::ObjectStore<'_>,
    range: KeyRange<String>,
) -> Result<Vec<String>, StoreError> {
    Ok(store
        .get_all_keys::<JsValue>()
        .with_query::<String, _>(range)
        .await?
        .filter_map(|k| k.ok().and_then(|k| k.as_string()))
        .collect())
}

/// Writes values inside an open transaction, all requests issued at once.
async fn put_many(
    store: &indexed_db_futures::object_store::ObjectStore<'_>,
    values: Vec<JsValue>,
) -> Result<(), StoreError> {
    let puts = values.into_iter().map(|v| store.put(v).into_future());
    for result in futures_util::future::join_all(puts).await {
        result?;
    }
    Ok(())
}

/// Deletes rows by id inside an open transaction, all requests issued at once.
async fn delete_many(
    store: &indexed_db_futures::object_store::ObjectStore<'_>,
    ids: &[Uuid],
) -> Result<(), StoreError> {
    let deletes = ids
        .iter()
        .map(|id| store.delete(id.to_string()).into_future());
    for result in futures_util::future::join_all(deletes).await {
        result?;
    }
    Ok(())
}

/// A read-write transaction on the records with `durability: "strict"`: its commit
/// resolves once the data is on disk. Nothing is kept unless `commit()` is awaited.
fn writing(db: &Database) -> Result<Transaction<'_>, StoreError> {
    let strict = TransactionOptions::new().with_durability(TransactionDurability::Strict);
    Ok(db
        .transaction(RECORDS)
        .with_mode(TransactionMode::Readwrite)
        .with_options(strict)
        .build()?)
}

/// A read-only transaction on the records.
fn reading(db: &Database) -> Result<Transaction<'_>, StoreError> {
    Ok(db
        .transaction(RECORDS)
        .with_mode(TransactionMode::Readonly)
        .build()?)
}

/// Handle on one profile's records. Cheap to clone; the connection is shared.
#[derive(Debug, Clone)]
pub struct RecordStore {
    db_name: String,
    codec: BodyCodec,
}

/// What [`RecordStore::mark_sent`] read: the stamp put on the wire and the stored body.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub id: Uuid,
    pub stamp: Stamp,
    pub body: String,
}

impl RecordStore {
    pub fn for_profile(profile: &Profile) -> Self {
        RecordStore {
            db_name: profile.database_name(),
            codec: BodyCodec,
        }
    }

    async fn db(&self) -> Result<Database, StoreError> {
        let cached = OPEN.with(|open| {
            open.borrow()
                .as_ref()
                .filter(|(name, _)| *name == self.db_name)
                .map(|(_, db)| db.clone())
        });
        if let Some(db) = cached {
            return Ok(db);
        }
        create_store(&self.db_name).await?;
        let db = Database::open(self.db_name.as_str())
            .with_version(DB_VERSION)
            .await?;
        OPEN.with(|open| *open.borrow_mut() = Some((self.db_name.clone(), db.clone())));
        Ok(db)
    }

    /// Every stored value whose key is in `range`, raw (rows sort before blocks' keys).
    async fn values(&self, range: KeyRange<String>) -> Result<Vec<JsValue>, StoreError> {
        let db = self.db().await?;
        let tx = reading(&db)?;
        let values = tx
            .object_store(RECORDS)?
            .get_all::<JsValue>()
            .with_query::<String, _>(range)
            .await?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(values)
    }

    /// Every readable row.
    pub async fn rows(&self) -> Result<Vec<Row>, StoreError> {
        Ok(self.read_all().await?.0)
    }

    /// Every row (never blocks); values that are not rows come back as set aside.
    pub async fn read_all(&self) -> Result<(Vec<Row>, Vec<SetAside>), StoreError> {
        let db = self.db().await?;
        let tx = reading(&db)?;
        let store = tx.object_store(RECORDS)?;
        let values = store
            .get_all::<JsValue>()
            .with_query::<String, _>(rows_range())
            .await?
            .collect::<Result<Vec<_>, _>>()?;
        journal::refresh(&self.db_name, &store).await?;
        drop(store);
        drop(tx);
        let mut rows = Vec::with_capacity(values.len());
        let mut set_aside = Vec::new();
        for value in &values {
            match from_js(value) {
                Ok(mut row) => {
                    journal::fold(&self.db_name, &mut row);
                    rows.push(row);
                }
                Err(error) => set_aside.push(SetAside {
                    id: key_of(value),
                    error,
                }),
            }
        }
        Ok((rows, set_aside))
    }

    /// The records that have their own row (new, pending, refused, recent, corrected),
    /// opened; rows that cannot be read are set aside. Unlocking reads them right after the
    /// day's rows ([`RecordStore::load_first`]), or first when there are few or no day's hint; the
    /// older synced records in blocks come after, from [`RecordStore::load_blocks`].
    pub async fn load_all(&self) -> Result<(Vec<LocalRecord>, Vec<SetAside>), StoreError> {
        let (rows, set_aside) = self.read_all().await?;
        crate::bench::mark("load:rows");
        Ok(self.open_rows(rows, set_aside).await)
    }

    /// Rows opened into records; those that cannot be read join `set_aside`.
    async fn open_rows(
        &self,
        rows: Vec<Row>,
        mut set_aside: Vec<SetAside>,
    ) -> (Vec<LocalRecord>, Vec<SetAside>) {
        let bodies: Vec<&str> = rows.iter().map(|r| r.body.as_str()).collect();
        let decoded = self.codec.decode_many(&bodies).await;
        let mut records = Vec::with_capacity(rows.len());
        for (row, result) in rows.iter().zip(decoded) {
            match result {
                Ok(record) if record.id().to_string() == row.id => records.push(LocalRecord {
                    record,
                    standing: row.standing(),
                }),
                Ok(_) => set_aside.push(SetAside {
                    id: row.id.clone(),
                    error: "id mismatch".into(),
                }),
                Err(err) => set_aside.push(SetAside {
                    id: row.id.clone(),
                    error: err.to_string(),
                }),
            }
        }
        (records, set_aside)
    }

    /// Every sealed block, raw: key and sealed text.
    async fn blocks(&self) -> Result<Vec<(String, String)>, StoreError> {
        let values = self
            .values(KeyRange::Bound(
                BLOCK_PREFIX.to_owned(),
                false,
                BLOCK_END.to_owned(),
                true,
            ))
            .await?;
        Ok(values
            .iter()
            .filter_map(|v| Some((key_of(v), sealed_of(v)?)))
            .collect())
    }

    /// Every block opened: key and contents; a block that cannot be opened is set aside
    /// (and never rewritten or deleted).
    async fn open_blocks(
        &self,
    ) -> Result<(Vec<(String, BlockContents)>, Vec<SetAside>), StoreError> {
        let blocks = self.blocks().await?;
        let sealed: Vec<&str> = blocks.iter().map(|(_, s)| s.as_str()).collect();
        let opened = crate::vault::open_many(&sealed).await;
        let mut contents = Vec::with_capacity(blocks.len());
        let mut set_aside = Vec::new();
        for ((key, _), plain) in blocks.into_iter().zip(opened) {
            // Parsing a block takes a while on a slow phone: let the page breathe between.
            crate::platform::pause(0).await;
            match plain
                .ok()
                .and_then(|json| serde_json::from_str::<BlockContents>(&json).ok())
            {
                Some(c) => contents.push((key, c)),
                None => set_aside.push(SetAside {
                    id: key,
                    error: "unreadable block".into(),
                }),
            }
        }
        Ok((contents, set_aside))
    }

    /// The synced records sealed in blocks, except those `shadowed` by a row of their own
    /// (corrected or deleted since): one WebCrypto call per block. Remembers which block
    /// holds which record.
    pub async fn load_blocks(
        &self,
        shadowed: &HashSet<Uuid, Fixed>,
    ) -> Result<(Vec<LocalRecord>, Vec<SetAside>), StoreError> {
        let (blocks, set_aside) = self.open_blocks().await?;
        let mut newest: HashMap<Uuid, (String, (Digest, Record)), Fixed> = HashMap::default();
        for (key, contents) in blocks {
            // Between two blocks the page may paint and answer taps.
            crate::platform::pause(0).await;
            for entry in contents.entries {
                let Some((digest, record)) = entry.into_parts() else {
                    continue;
                };
                let id = record.id();
                if shadowed.contains(&id) {
                    continue;
                }
                let newer = newest
                    .get(&id)
                    .is_none_or(|(_, (_, r))| r.version() < record.version());
                if newer {
                    newest.insert(id, (key.clone(), (digest, record)));
                }
            }
        }
        let mut held = HashMap::with_capacity_and_hasher(newest.len(), Fixed::default());
        let records = newest
            .into_iter()
            .map(|(id, (key, (digest, record)))| {
                held.insert(id, key);
                LocalRecord {
                    standing: Standing::in_block(record.version(), digest),
                    record,
                }
            })
            .collect();
        IN_BLOCKS.with(|b| *b.borrow_mut() = (self.db_name.clone(), held));
        Ok((records, set_aside))
    }

    /// Seals synced records dated before `before` that still have a row of their own into
    /// blocks, and deletes those rows, in one transaction per block: what keeps unlocking a
    /// full phone fast. `records` are the profile's records as the app holds them. Runs
    /// under the profile's rows lock, once the blocks were loaded; returns how many moved.
    pub async fn compact(
        &self,
        records: &[LocalRecord],
        before: chrono::NaiveDate,
    ) -> Result<usize, StoreError> {
        let in_blocks = IN_BLOCKS.with(|b| {
            let b = b.borrow();
            (b.0 == self.db_name).then(|| b.1.keys().copied().collect::<HashSet<_, Fixed>>())
        });
        let Some(in_blocks) = in_blocks else {
            // Blocks not loaded yet: which records they hold is not known.
            return Ok(0);
        };
        let mut candidates: Vec<&LocalRecord> = records
            .iter()
            .filter(|l| l.standing.sync == SyncState::Synced)
            .filter(|l| l.record.local_date() < before)
            .filter(|l| !in_blocks.contains(&l.record.id()))
            .collect();
        if candidates.len() < BLOCK_MIN {
            return Ok(0);
        }
        candidates.sort_by_cached_key(|local| LocalRecord::by_time(local));
        let mut moved = 0;
        for chunk in candidates.chunks(BLOCK_RECORDS) {
            if chunk.len() < BLOCK_MIN {
                break;
            }
            let entries: Vec<BlockEntry> = chunk
                .iter()
                .map(|l| BlockEntry::new(&l.record, l.standing.digest.clone()))
                .collect::<Result<_, _>>()?;
            // Sealed before the transaction opens (an await on anything else would let the
            // browser commit it early).
            let sealed = BlockContents { entries }.seal().await?;
            let key = format!("{BLOCK_PREFIX}{}", crate::platform::random_uuid());
            let db = self.db().await?;
            let tx = writing(&db)?;
            let store = tx.object_store(RECORDS)?;
            store.put(block_js(&key, &sealed)).await?;
            let ids: Vec<Uuid> = chunk.iter().map(|l| l.record.id()).collect();
            let rows = read_many(&self.db_name, &store, &ids).await?;
            let mut done = Vec::new();
            for ((local, id), row) in chunk.iter().zip(ids).zip(rows) {
                let Some(row) = row else {
                    continue;
                };
                // A row that changed since (another window) keeps its own body: the
                // block's copy is then shadowed by it at every load.
                let standing = row.standing();
                if standing.sync == SyncState::Synced && standing.digest == local.standing.digest {
                    done.push(id);
                }
            }
            delete_many(&store, &done).await?;
            drop(store);
            tx.commit().await?;
            moved += done.len();
            IN_BLOCKS.with(|b| {
                let mut b = b.borrow_mut();
                if b.0 == self.db_name {
                    for id in &done {
                        b.1.insert(*id, key.clone());
                    }
                }
            });
        }
        Ok(moved)
    }

    /// Retention and clean-up of blocks: drops the entries dated before `first_kept`, and
    /// those no longer current (`current` maps each record the phone shows from a block to
    /// its version; a record shadowed by a row of its own is not in it). A block left empty
    /// is deleted, one left partly full is sealed again without them. Returns how many
    /// entries left the phone.
    pub async fn prune_blocks(
        &self,
        first_kept: chrono::NaiveDate,
        current: &HashMap<Uuid, u32, Fixed>,
    ) -> Result<usize, StoreError> {
        let (blocks, _) = self.open_blocks().await?;
        let mut removed = 0;
        for (key, contents) in blocks {
            let before = contents.entries.len();
            let kept: Vec<BlockEntry> = contents
                .entries
                .into_iter()
                .filter(|e| {
                    // An entry that cannot be read is kept: it is not this function's to drop.
                    e.record().is_none_or(|r| {
                        r.local_date() >= first_kept && current.get(&r.id()) == Some(&r.version())
                    })
                })
                .collect();
            if kept.len() == before {
                continue;
            }
            removed += before - kept.len();
            let replacement = if kept.is_empty() {
                None
            } else {
                Some(BlockContents { entries: kept }.seal().await?)
            };
            let db = self.db().await?;
            let tx = writing(&db)?;
            let store = tx.object_store(RECORDS)?;
            match &replacement {
                None => store.delete(key.as_str()).await?,
                Some(sealed) => store.put(block_js(&key, sealed)).await?,
            }
            drop(store);
            tx.commit().await?;
        }
        Ok(removed)
    }

    /// One row, with the sync log folded in.
    pub async fn row(&self, id: Uuid) -> Result<Option<Row>, StoreError> {
        let db = self.db().await?;
        let tx = reading(&db)?;
        let store = tx.object_store(RECORDS)?;
        journal::refresh(&self.db_name, &store).await?;
        let value: Option<JsValue> = store.get(id.to_string()).await?;
        let mut row = value
            .map(|v| from_js(&v).map_err(StoreError::Row))
            .transpose()?;
        if let Some(row) = row.as_mut() {
            journal::fold(&self.db_name, row);
        }
        Ok(row)
    }

    /// One record, opened, as it is on the device now (another tab may have changed it).
    pub async fn get(&self, id: Uuid) -> Result<Option<LocalRecord>, StoreError> {
        let Some(row) = self.row(id).await? else {
            let block = IN_BLOCKS.with(|b| {
                let b = b.borrow();
                (b.0 == self.db_name)
                    .then(|| b.1.get(&id).cloned())
                    .flatten()
            });
            return match block {
                Some(block) => self.read_from_block(&block, id).await,
                None => Ok(None),
            };
        };
        let record = self.codec.decode(&row.body).await?;
        Ok(Some(LocalRecord {
            record,
            standing: row.standing(),
        }))
    }

    /// A record sealed in a block (a synced record with no row of its own).
    async fn read_from_block(
        &self,
        block: &str,
        id: Uuid,
    ) -> Result<Option<LocalRecord>, StoreError> {
        let db = self.db().await?;
        let tx = reading(&db)?;
        let value: Option<JsValue> = tx.object_store(RECORDS)?.get(block).await?;
        drop(tx);
        let Some(sealed) = value.as_ref().and_then(sealed_of) else {
            return Ok(None);
        };
        let json = crate::vault::open(&sealed)
            .await
            .map_err(|e| StoreError::Codec(CodecError::Vault(e)))?;
        let contents: BlockContents =
            serde_json::from_str(&json).map_err(|e| StoreError::Row(e.to_string()))?;
        Ok(contents
            .entries
            .into_iter()
            .filter_map(BlockEntry::into_parts)
            .filter(|(_, r)| r.id() == id)
            .max_by_key(|(_, r)| r.version())
            .map(|(digest, record)| LocalRecord {
                standing: Standing::in_block(record.version(), digest),
                record,
            }))
    }

    /// Seals and writes `record`; `standing` receives the new content's digest. Returns
    /// what was stored once the write is on disk. The day's hint changes in the same
    /// transaction when the record joins or leaves today, or waits since earlier than the
    /// hint says (see `day_hint`).
    pub async fn write(
        &self,
        record: Record,
        standing: impl FnOnce(Digest) -> Standing,
    ) -> Result<LocalRecord, StoreError> {
        // Generic over `standing` (one copy per caller): only this line, the rest is shared.
        self.put_written(record, Box::new(standing)).await
    }

    /// Writes the row and keeps the day's hint, in one transaction. The hint that follows
    /// is sealed first: awaiting anything but IndexedDB while a transaction is open lets
    /// the browser commit it early.
    async fn put_written(
        &self,
        record: Record,
        standing: Box<dyn FnOnce(Digest) -> Standing + '_>,
    ) -> Result<LocalRecord, StoreError> {
        let body = self.codec.encode(&record).await?;
        let standing = standing(sync::digest(body.as_bytes()));
        let known = day_hint::known(&self.db_name);
        let next = match &known {
            Known::Stored { hint, .. } => hint.after_write(
                crate::platform::today(),
                record.id(),
                record.local_date(),
                standing
                    .needs_sending()
                    .then(|| record.occurred_at().timestamp_millis()),
            ),
            _ => None,
        };
        let next = match next {
            Some(hint) => seal_hint(Some(&hint)).await?.map(|sealed| (hint, sealed)),
            None => None,
        };
        let row = Row::new(record.id(), &standing, body);
        crate::bench::mark("save:sealed");
        let db = self.db().await?;
        let tx = writing(&db)?;
        let store = tx.object_store(RECORDS)?;
        // Requests issued without waiting for each (IndexedDB runs them in order; one that
        // fails aborts the transaction, and the commit says so): the hint costs the save
        // one round trip to the database, not three.
        let row_put = store.put(to_js(&row)?).primitive()?;
        let stored: Option<JsValue> = store.get(day_hint::KEY).await?;
        crate::bench::mark("save:read");
        let (now_known, hint_put) = match (stored.as_ref().and_then(sealed_of), known) {
            (None, _) => (Known::Absent, None),
            // As this window read it: rewritten if the record joins or leaves the day, or
            // waits since earlier.
            (Some(stored), Known::Stored { sealed, hint }) if stored == sealed => match next {
                Some((hint, sealed)) => {
                    let put = store.put(block_js(day_hint::KEY, &sealed)).primitive()?;
                    (Known::Stored { sealed, hint }, Some(put))
                }
                None => (Known::Stored { sealed, hint }, None),
            },
            // Rewritten elsewhere since (another window): this write may make it wrong.
            _ => {
                store.delete(day_hint::KEY).await?;
                (Known::Absent, None)
            }
        };
        drop(store);
        tx.commit().await?;
        drop((row_put, hint_put));
        day_hint::remember(&self.db_name, now_known);
        Ok(LocalRecord { record, standing })
    }

    /// Writes rows as they are (the bench's seeding), in one transaction. The day's hint is
    /// deleted with it: the next unlock reads every row first and writes it again.
    pub async fn put_rows(&self, rows: &[Row]) -> Result<(), StoreError> {
        let db = self.db().await?;
        let tx = writing(&db)?;
        let store = tx.object_store(RECORDS)?;
        for row in rows {
            store.put(to_js(row)?).await?;
        }
        store.delete(day_hint::KEY).await?;
        drop(store);
        tx.commit().await?;
        day_hint::remember(&self.db_name, Known::Absent);
        Ok(())
    }

    /// What the day's screen waits for, opened: every row when there are few (or no
    /// readable day's hint), else the rows of `today`'s records as the day's hint names
    /// them (every other row comes after, from [`RecordStore::load_all`]).
    pub async fn load_first(&self, today: chrono::NaiveDate) -> Result<FirstRead, StoreError> {
        let db = self.db().await?;
        let tx = reading(&db)?;
        let store = tx.object_store(RECORDS)?;
        // A bounded read: whether there are more than a few rows, not how many.
        let some = store
            .get_all_keys::<JsValue>()
            .with_query::<String, _>(rows_range())
            .with_limit(FEW_ROWS + 1)
            .await?
            .count();
        let value: Option<JsValue> = if some > FEW_ROWS as usize {
            store.get(day_hint::KEY).await?
        } else {
            None
        };
        drop(store);
        drop(tx);
        let sealed = value.as_ref().and_then(sealed_of);
        let opened = match &sealed {
            Some(sealed) => crate::vault::open(sealed).await.ok(),
            None => None,
        };
        let (Some(sealed), Some(hint)) = (sealed, opened.as_deref().and_then(Hint::from_text))
        else {
            // Few rows (the hint was not read), no hint, or one that cannot be read (the
            // next write deletes it): every row first; the full read writes it again.
            day_hint::remember(&self.db_name, Known::Unknown);
            let (records, set_aside) = self.load_all().await?;
            return Ok(FirstRead {
                records,
                set_aside,
                every_row: true,
                waiting_since: None,
            });
        };
        let waiting_since = hint.waiting_since;
        let ids = if hint.day == today {
            hint.ids.clone()
        } else {
            Vec::new()
        };
        day_hint::remember(&self.db_name, Known::Stored { sealed, hint });
        // One `get` per id (a day's ids are scattered over the whole key range).
        let tx = reading(&db)?;
        let store = tx.object_store(RECORDS)?;
        journal::refresh(&self.db_name, &store).await?;
        let reads = ids.iter().map(|id| read(&store, id));
        let mut rows: Vec<Row> = futures_util::future::join_all(reads)
            .await
            .into_iter()
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .flatten()
            .collect();
        drop(store);
        drop(tx);
        for row in &mut rows {
            journal::fold(&self.db_name, row);
        }
        crate::bench::mark("load:rows");
        let (records, set_aside) = self.open_rows(rows, Vec::new()).await;
        Ok(FirstRead {
            records,
            set_aside,
            every_row: false,
            waiting_since,
        })
    }

    /// Writes the day's hint as `hint` unless it says so already: after every row was
    /// read, so that the next unlock opens the day's rows first, and after a sync run,
    /// which changes what waits. Another window writing
    /// meanwhile may leave out its newest record until the next full read, a moment late
    /// on screen, never lost.
    pub async fn keep_day_hint(&self, mut hint: Hint) -> Result<(), StoreError> {
        sort_ids(&mut hint.ids);
        if let Known::Stored { hint: stored, .. } = day_hint::known(&self.db_name) {
            let mut ids = stored.ids.clone();
            sort_ids(&mut ids);
            if stored.day == hint.day
                && ids == hint.ids
                && stored.waiting_since == hint.waiting_since
            {
                return Ok(());
            }
        }
        let Some(sealed) = seal_hint(Some(&hint)).await? else {
            return Ok(());
        };
        let db = self.db().await?;
        let tx = writing(&db)?;
        tx.object_store(RECORDS)?
            .put(block_js(day_hint::KEY, &sealed))
            .await?;
        tx.commit().await?;
        day_hint::remember(&self.db_name, Known::Stored { sealed, hint });
        Ok(())
    }

    /// Rewrites one row's bookkeeping, keeping its content. The sync log is folded into the
    /// rows first: its lines about this very content would otherwise undo the change when
    /// the row is next read (a refusal logged, then « Renvoyer »). Runs under the rows lock.
    pub async fn write_standing(&self, id: Uuid, standing: &Standing) -> Result<(), StoreError> {
        while self.fold_oldest().await? {}
        let db = self.db().await?;
        let tx = writing(&db)?;
        let store = tx.object_store(RECORDS)?;
        let row = read_many(&self.db_name, &store, &[id])
            .await?
            .pop()
            .flatten();
        if let Some(mut row) = row {
            row.set_standing(standing);
            store.put(to_js(&row)?).await?;
        }
        drop(store);
        tx.commit().await?;
        Ok(())
    }

    /// Removes rows that are synced and still hold the given content (retention), in one
    /// transaction; returns the ids removed.
    pub async fn remove_synced(&self, rows: &[(Uuid, Digest)]) -> Result<Vec<Uuid>, StoreError> {
        let db = self.db().await?;
        let tx = writing(&db)?;
        let store = tx.object_store(RECORDS)?;
        let ids: Vec<Uuid> = rows.iter().map(|(id, _)| *id).collect();
        let stored = read_many(&self.db_name, &store, &ids).await?;
        let mut removed = Vec::new();
        for ((id, digest), row) in rows.iter().zip(stored) {
            let Some(row) = row else { continue };
            let standing = row.standing();
            if standing.sync == SyncState::Synced && standing.digest == *digest {
                store.delete(id.to_string()).await?;
                removed.push(*id);
            }
        }
        drop(store);
        tx.commit().await?;
        Ok(removed)
    }

    /// Forgets a record no version of which can be on the server.
    pub async fn remove(&self, id: Uuid) -> Result<(), StoreError> {
        let db = self.db().await?;
        let tx = writing(&db)?;
        tx.object_store(RECORDS)?.delete(id.to_string()).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Marks the pending ones among `ids` as sent, in one transaction, and returns what
    /// goes on the wire. Runs before the request, so a lost answer (or a reload) leaves
    /// the rows "sent, unconfirmed" and their versions are never reused. The rows are read
    /// (for their standing and body) but not rewritten: « sent » goes in the sync log, one
    /// value for the batch.
    pub async fn mark_sent(&self, ids: &[Uuid]) -> Result<Vec<Outgoing>, StoreError> {
        crate::bench::mark("sync:m-lock");
        let db = self.db().await?;
        let tx = writing(&db)?;
        let store = tx.object_store(RECORDS)?;
        let rows = read_many(&self.db_name, &store, ids).await?;
        crate::bench::mark("sync:m-read");
        let mut out = Vec::with_capacity(ids.len());
        let mut lines = Vec::with_capacity(ids.len());
        for (id, row) in ids.iter().zip(rows) {
            let Some(row) = row else { continue };
            let mut standing = row.standing();
            if !standing.needs_sending() {
                continue;
            }
            let stamp = standing.mark_sent();
            lines.push((*id, Logged::Sent(stamp.clone())));
            out.push(Outgoing {
                id: *id,
                stamp,
                body: row.body,
            });
        }
        if lines.is_empty() {
            return Ok(out);
        }
        let appended = journal::append(&self.db_name, &store, &lines)?;
        crate::bench::mark("sync:m-put");
        drop(store);
        tx.commit().await?;
        journal::remember(&self.db_name, appended);
        Ok(out)
    }

    /// Keeps the server's answers (all but conflicts, settled row by row) in the sync log:
    /// one value per 100 records, one transaction, no row read or rewritten.
    pub async fn log_answers(&self, transitions: &[Transition]) -> Result<(), StoreError> {
        let lines: Vec<(Uuid, Logged)> = transitions
            .iter()
            .filter_map(|t| Some((t.id, Logged::answer(t)?)))
            .collect();
        if lines.is_empty() {
            return Ok(());
        }
        crate::bench::mark("sync:a-lock");
        let db = self.db().await?;
        let tx = writing(&db)?;
        let store = tx.object_store(RECORDS)?;
        // The run's mark read the log moments ago, under the sync lock: no other window
        // has logged since, so this key comes after every other.
        let appended = journal::append(&self.db_name, &store, &lines)?;
        crate::bench::mark("sync:a-put");
        drop(store);
        tx.commit().await?;
        journal::remember(&self.db_name, appended);
        Ok(())
    }

    /// Folds the oldest batch of the sync log into the rows it is about and drops it, in
    /// one transaction; false once the log is empty. Runs under the rows lock, after a run.
    pub async fn fold_oldest(&self) -> Result<bool, StoreError> {
        let db = self.db().await?;
        let tx = writing(&db)?;
        let store = tx.object_store(RECORDS)?;
        journal::refresh(&self.db_name, &store).await?;
        let Some((key, ids)) = journal::oldest(&self.db_name) else {
            return Ok(false);
        };
        // Rows are read raw, then folded: only those the log changes are written.
        let mut writes = Vec::new();
        for mut row in read_raw(&store, &ids).await?.into_iter().flatten() {
            if journal::fold(&self.db_name, &mut row) {
                writes.push(to_js(&row)?);
            }
        }
        put_many(&store, writes).await?;
        store.delete(key.as_str()).await?;
        drop(store);
        tx.commit().await?;
        journal::forget(&self.db_name, &key);
        Ok(true)
    }

    /// The body codec (for sealing a backup or comparing contents).
    pub fn codec(&self) -> &BodyCodec {
        &self.codec
    }
}
