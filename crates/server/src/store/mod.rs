//! The database: workers, their tokens and pairing codes, the taxonomy, and every version of
//! every record.
//!
//! One interface, two backends: [`Store`] dispatches to SQLite (the default: one file, WAL,
//! `synchronous = FULL`, rusqlite behind `spawn_blocking`) or PostgreSQL (a `deadpool`
//! pool of `tokio-postgres` connections, for several servers on one database). Both run
//! the same numbered migrations ([`migrations`]) and keep the same guarantees:
//!
//! - a batch is stored whole or not at all, in one transaction;
//! - the answer is returned only after the commit is durable;
//! - resending is idempotent: the batch decision is one pure function ([`batch::decide`]);
//! - every version is kept, never overwritten;
//! - a record id belongs to one worker (`record_owners`, a primary key both backends race on);
//! - a pairing code is spent by one conditional `UPDATE … RETURNING`, so it works once even
//!   when two servers redeem it at the same moment.
//!
//! A write that cannot be done now (database busy past the bounded wait, disk full, I/O
//! error, PostgreSQL unreachable) is [`StoreError::Unavailable`]: the API answers `503`
//! with `Retry-After`, and nothing was acknowledged.

pub mod batch;
pub mod migrations;
pub mod postgres;
pub mod sqlite;

use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use carnet_core::Taxonomy;
use carnet_core::wire::RecordResult;
use carnet_core::{Record, TaxonomyError};
use thiserror::Error;
use uuid::Uuid;

pub use postgres::PgStore;
pub use sqlite::{SqliteOptions, SqliteStore};

use crate::token;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(rusqlite::Error),
    #[error("database error: {0}")]
    Postgres(tokio_postgres::Error),
    /// The database cannot take this request now; the caller may retry later.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// PostgreSQL aborted a transaction to resolve a deadlock or a serialisation failure:
    /// retried, then answered like [`StoreError::Unavailable`].
    #[error("database contention: {0}")]
    Contention(String),
    #[error("could not serialize a record: {0}")]
    Json(#[from] serde_json::Error),
    #[error("the system random generator failed: {0}")]
    Random(String),
    #[error("a worker named `{0}` already exists")]
    WorkerExists(String),
    #[error("no active worker named `{0}`")]
    NoSuchWorker(String),
    #[error("a worker name must be 1 to 64 characters")]
    BadWorkerName,
    #[error("taxonomy refused: {0}")]
    Taxonomy(#[from] TaxonomyError),
    #[error("the database schema is newer than this server (version {0}); upgrade carnet-server")]
    SchemaTooNew(i64),
    #[error("a stored value is out of range: {0}")]
    OutOfRange(String),
    #[error("database task failed: {0}")]
    Task(String),
    #[error("{0}")]
    Config(String),
}

impl StoreError {
    /// Whether the failure is temporary (busy, full, unreachable): answered `503`.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, StoreError::Unavailable(_) | StoreError::Contention(_))
    }
}

/// Which database to use: a SQLite file, or a PostgreSQL URL.
#[derive(Clone, PartialEq, Eq)]
pub enum Database {
    Sqlite(PathBuf),
    Postgres(String),
}

impl Database {
    /// A PostgreSQL URL (`postgres://…` or `postgresql://…`), refused otherwise.
    pub fn postgres(url: &str) -> Result<Self, StoreError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Database::Postgres(url.to_owned()))
        } else {
            Err(StoreError::Config(
                "--database takes a postgres://… URL; use --db FILE for SQLite".into(),
            ))
        }
    }
}

/// Shown in messages and logs without the password of a URL.
impl fmt::Display for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Database::Sqlite(path) => write!(f, "SQLite file {}", path.display()),
            Database::Postgres(url) => write!(f, "PostgreSQL {}", redact_url(url)),
        }
    }
}

impl fmt::Debug for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:…@host/db`.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return "…".into();
    };
    let (authority, tail) = match rest.find(['/', '?']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let tail = tail.split('?').next().unwrap_or("");
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split(':').next().unwrap_or("");
            let hidden = if userinfo.contains(':') { ":…" } else { "" };
            format!("{scheme}://{user}{hidden}@{host}{tail}")
        }
        None => format!("{scheme}://{authority}{tail}"),
    }
}

/// A worker as the API sees it once the token is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WorkerId(pub i64);

/// What a token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Syncs and reads only its own records and tallies.
    Worker,
    /// Also reads the team's reports and tallies.
    Coordinator,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Worker => "worker",
            Role::Coordinator => "coordinator",
        }
    }

    fn from_db(text: &str) -> Self {
        if text == "coordinator" {
            Role::Coordinator
        } else {
            Role::Worker
        }
    }
}

/// The authenticated caller of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caller {
    pub worker: WorkerId,
    pub role: Role,
}

/// The latest version the server holds of one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredVersion {
    pub id: Uuid,
    pub version: u32,
    pub deleted: bool,
}

/// Rows per table, and the person-code key: what `migrate-to-postgres` compares.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    pub workers: i64,
    pub tokens: i64,
    pub pairing_codes: i64,
    pub records: i64,
    pub record_owners: i64,
    pub taxonomies: i64,
    pub settings: i64,
}

/// How long a pairing code stays valid.
pub const PAIRING_CODE_TTL_MS: i64 = 15 * 60 * 1000;

/// How long a request waits for the database (the writer's lock, a pooled connection)
/// before it is answered `503`.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(5);

/// Letters and digits that cannot be mistaken for one another when read aloud or typed.
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/// The store: one interface over both backends. Cloning is cheap (shared pools).
#[derive(Clone)]
pub enum Store {
    Sqlite(SqliteStore),
    Postgres(PgStore),
}

/// Calls the same method on whichever backend this is.
macro_rules! dispatch {
    ($self:ident, $s:ident => $call:expr) => {
        match $self {
            Store::Sqlite($s) => $call,
            Store::Postgres($s) => $call,
        }
    };
}

impl Store {
    /// Opens (creating if needed) the database and brings its schema up to date.
    pub async fn open(database: &Database) -> Result<Self, StoreError> {
        match database {
            Database::Sqlite(path) => {
                let path = path.clone();
                let store = tokio::task::spawn_blocking(move || {
                    SqliteStore::open(&path, SqliteOptions::default())
                })
                .await
                .map_err(|e| StoreError::Task(e.to_string()))??;
                Ok(Store::Sqlite(store))
            }
            Database::Postgres(url) => Ok(Store::Postgres(PgStore::open(url).await?)),
        }
    }

    /// Which backend this is, for the start-up line.
    pub fn backend(&self) -> &'static str {
        match self {
            Store::Sqlite(_) => "SQLite",
            Store::Postgres(_) => "PostgreSQL",
        }
    }

    /// The organisation key for person codes, hex-encoded, for paired devices.
    pub async fn person_code_key(&self) -> Result<String, StoreError> {
        dispatch!(self, s => s.person_code_key().await)
    }

    /// The organisation's current taxonomy: the last one loaded, else the built-in one.
    /// Cached; each call checks the latest version in the database (one indexed read), so
    /// a document loaded through any server or the CLI is used at once, by every server.
    pub async fn taxonomy(&self) -> Result<Arc<Taxonomy>, StoreError> {
        dispatch!(self, s => s.taxonomy().await)
    }

    /// Loads a new taxonomy document after checking it may replace the current one.
    pub async fn load_taxonomy(&self, json: &str) -> Result<Taxonomy, StoreError> {
        let next = Taxonomy::from_json(json)?;
        self.taxonomy().await?.check_successor(&next)?;
        let document = serde_json::to_string(&next)?;
        // The version is a key: of two documents loaded at once (two servers, or a server
        // and the CLI), the second is refused as not newer.
        let inserted = dispatch!(self, s => s.insert_taxonomy(next.version, document).await)?;
        if !inserted {
            return Err(TaxonomyError::VersionNotIncreased {
                current: next.version,
                next: next.version,
            }
            .into());
        }
        Ok(next)
    }

    /// Creates a worker and returns its token, which is not stored and cannot be shown again.
    pub async fn add_worker(&self, name: &str) -> Result<String, StoreError> {
        self.add_worker_with_role(name, Role::Worker).await
    }

    /// Creates a worker with a role and returns its token (shown once).
    pub async fn add_worker_with_role(&self, name: &str, role: Role) -> Result<String, StoreError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 64 {
            return Err(StoreError::BadWorkerName);
        }
        let token = token::generate().map_err(|e| StoreError::Random(e.to_string()))?;
        let inserted = dispatch!(self, s => s.insert_worker(name.to_owned(), token::hash(&token), role).await)?;
        if !inserted {
            return Err(StoreError::WorkerExists(name.to_owned()));
        }
        Ok(token)
    }

    /// A worker's name.
    pub async fn worker_name(&self, worker: WorkerId) -> Result<String, StoreError> {
        dispatch!(self, s => s.worker_name(worker).await)
    }

    /// The worker and role owning an (unrevoked) token: the one made by `worker add`, or
    /// one minted for a paired device.
    pub async fn caller_for_token(&self, token: &str) -> Result<Option<Caller>, StoreError> {
        dispatch!(self, s => s.caller_for_token_hash(token::hash(token)).await)
    }

    /// Revokes a worker's tokens: refused from now on; the records already synced stay.
    pub async fn revoke_worker(&self, name: &str) -> Result<(), StoreError> {
        let changed = dispatch!(self, s => s.revoke_worker(name.to_owned(), now_ms()).await)?;
        if !changed {
            return Err(StoreError::NoSuchWorker(name.to_owned()));
        }
        Ok(())
    }

    /// A one-time pairing code for a worker: `XXXX-XXXX`, valid 15 minutes, stored hashed.
    pub async fn create_pairing_code(&self, name: &str, now_ms: i64) -> Result<String, StoreError> {
        let mut random = [0u8; 8];
        getrandom::fill(&mut random).map_err(|e| StoreError::Random(e.to_string()))?;
        let code: String = random
            .iter()
            .map(|b| CODE_ALPHABET[usize::from(*b) % CODE_ALPHABET.len()] as char)
            .collect();
        let hash = token::hash(&normalise_code(&code));
        let inserted = dispatch!(self, s => s.insert_pairing_code(name.to_owned(), hash, now_ms + PAIRING_CODE_TTL_MS).await)?;
        if !inserted {
            return Err(StoreError::NoSuchWorker(name.to_owned()));
        }
        Ok(format!("{}-{}", &code[..4], &code[4..]))
    }

    /// Redeems a pairing code once: mints a device token for its worker. `None` when the
    /// code is unknown, used, expired or its worker revoked (one answer for all, on purpose).
    pub async fn redeem_pairing_code(
        &self,
        code: &str,
        now_ms: i64,
    ) -> Result<Option<(String, WorkerId)>, StoreError> {
        let token = token::generate().map_err(|e| StoreError::Random(e.to_string()))?;
        let code_hash = token::hash(&normalise_code(code));
        let worker = dispatch!(self, s => s.redeem_pairing_code(code_hash, token::hash(&token), now_ms).await)?;
        Ok(worker.map(|w| (token, w)))
    }

    /// A worker by name.
    pub async fn worker_by_name(&self, name: &str) -> Result<Option<WorkerId>, StoreError> {
        dispatch!(self, s => s.worker_by_name(name.to_owned()).await)
    }

    /// Every worker, by name.
    pub async fn workers(&self) -> Result<Vec<(WorkerId, String)>, StoreError> {
        dispatch!(self, s => s.workers().await)
    }

    /// The latest version of every record, of one worker or of all, with its worker.
    /// Deleted records are included (as tombstones): reports skip them.
    pub async fn latest_records(
        &self,
        worker: Option<WorkerId>,
    ) -> Result<Vec<(WorkerId, Record)>, StoreError> {
        let rows = dispatch!(self, s => s.latest_bodies(worker).await)?;
        rows.into_iter()
            .map(|(w, body)| Ok((w, Record::from_json(&body)?)))
            .collect()
    }

    /// Stores a batch of valid records for one worker in one transaction.
    ///
    /// The key is (id, version). Per record: a new version of an id this worker owns (or a
    /// new id) → stored, earlier versions kept as the audit trail; the same (id, version)
    /// with the same canonical content from the same worker → duplicate (nothing changes);
    /// anything else → conflict, never an overwrite. Returns only after the commit.
    pub async fn store_batch(
        &self,
        worker: WorkerId,
        records: &[Record],
    ) -> Result<Vec<RecordResult>, StoreError> {
        let prepared = batch::prepare(records)?;
        dispatch!(self, s => s.store_batch(worker, prepared, now_ms()).await)
    }

    /// The latest version of each record the server holds for one worker, oldest first.
    pub async fn latest_versions(
        &self,
        worker: WorkerId,
    ) -> Result<Vec<StoredVersion>, StoreError> {
        dispatch!(self, s => s.latest_versions(worker).await)
    }

    /// Every version of one record of one worker, oldest first (the audit trail).
    pub async fn versions(&self, worker: WorkerId, id: Uuid) -> Result<Vec<Record>, StoreError> {
        let bodies = dispatch!(self, s => s.version_bodies(worker, id.to_string()).await)?;
        bodies
            .iter()
            .map(|b| Record::from_json(b).map_err(StoreError::from))
            .collect()
    }

    /// Rows per table (for `migrate-to-postgres` and tests).
    pub async fn counts(&self) -> Result<Counts, StoreError> {
        dispatch!(self, s => s.counts().await)
    }
}

/// The taxonomy as last read, with the database version it came from (`None`: built-in).
pub(crate) struct TaxonomyCache {
    current: RwLock<(Option<i64>, Arc<Taxonomy>)>,
}

impl TaxonomyCache {
    pub(crate) fn new() -> Self {
        TaxonomyCache {
            current: RwLock::new((None, Arc::new(Taxonomy::builtin()))),
        }
    }

    /// The cached document if it is still the latest (`latest` read from the database).
    pub(crate) fn get(&self, latest: Option<i64>) -> Option<Arc<Taxonomy>> {
        let current = self.current.read().unwrap_or_else(|e| e.into_inner());
        (current.0 == latest).then(|| current.1.clone())
    }

    pub(crate) fn put(
        &self,
        version: Option<i64>,
        document: Option<&str>,
    ) -> Result<Arc<Taxonomy>, StoreError> {
        let taxonomy = Arc::new(match document {
            Some(json) => Taxonomy::from_json(json)?,
            None => Taxonomy::builtin(),
        });
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = (version, taxonomy.clone());
        Ok(taxonomy)
    }
}

/// A fresh organisation key for person codes, hex-encoded.
pub(crate) fn new_person_code_key() -> Result<String, StoreError> {
    let mut key = [0u8; carnet_core::person::KEY_BYTES];
    getrandom::fill(&mut key).map_err(|e| StoreError::Random(e.to_string()))?;
    Ok(token::hex(&key))
}

/// Case, spaces and dashes do not matter when a code is typed.
fn normalise_code(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Milliseconds since the Unix epoch (pairing codes take the time as a parameter so tests
/// can move it).
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_shown_without_their_password() {
        assert_eq!(
            redact_url("postgres://carnet:s3cret@db.example.org:5432/carnet?sslmode=disable"),
            "postgres://carnet:…@db.example.org:5432/carnet"
        );
        assert_eq!(
            redact_url("postgres://carnet@127.0.0.1:5432/postgres"),
            "postgres://carnet@127.0.0.1:5432/postgres"
        );
        assert_eq!(
            redact_url("postgresql://localhost"),
            "postgresql://localhost"
        );
        assert!(Database::postgres("mysql://x").is_err());
        assert!(Database::postgres("postgres://x/y").is_ok());
    }
}
