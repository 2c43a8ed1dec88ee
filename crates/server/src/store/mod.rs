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
//!   when two servers redeem it at the same moment;
//! - every account action (worker added, code issued, device paired or revoked, worker
//!   revoked, role or setting changed) writes its audit entry in the same transaction.
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
use carnet_core::wire::{
    AuditAction, AuditEntry, DEFAULT_DEVICE_EXPIRY_DAYS, DEFAULT_RETENTION_DAYS, DeviceInfo,
    DeviceState, RecordResult, WorkerAccount,
};
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
    #[error("no device number {0}")]
    NoSuchDevice(i64),
    #[error("`{0}` is the last active coordinator: make someone else coordinator first")]
    LastCoordinator(String),
    #[error("a device label must be 1 to 40 characters, without control characters")]
    BadDeviceLabel,
    #[error("{0}")]
    BadSetting(String),
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

/// A paired device (one token), by its number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DeviceId(pub i64);

/// The authenticated caller of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caller {
    pub worker: WorkerId,
    pub role: Role,
    /// The device whose token was presented.
    pub device: DeviceId,
}

/// What a presented token turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenCheck {
    Valid(Caller),
    /// A device of an active worker, unused for longer than `device-expiry-days`.
    Expired,
    /// Unknown, revoked, or of a revoked worker: one answer for all.
    Unknown,
}

/// Who did an account action, for the audit log: the command line, or a coordinator's
/// (or, pairing, the worker's own) name.
pub const ACTOR_CLI: &str = "cli";

/// A device's last-seen time is written at most this often (not on every request).
pub const LAST_SEEN_STEP_MS: i64 = 5 * 60 * 1000;

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// Whether a device last used at `last_used_ms` is past the expiry window at `now_ms`.
pub fn device_expired(last_used_ms: i64, expiry_days: u32, now_ms: i64) -> bool {
    now_ms.saturating_sub(last_used_ms) > i64::from(expiry_days) * DAY_MS
}

/// The organisation's settings that `carnet-server settings set` changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setting {
    /// Days a device may go unused before its token stops working.
    DeviceExpiryDays,
    /// Days a phone keeps records the server acknowledged (sent to phones by `/me`).
    RetentionDays,
}

impl Setting {
    pub const ALL: [Setting; 2] = [Setting::DeviceExpiryDays, Setting::RetentionDays];

    /// The name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Setting::DeviceExpiryDays => "device-expiry-days",
            Setting::RetentionDays => "retention-days",
        }
    }

    /// The row's name in the `settings` table.
    fn key(self) -> &'static str {
        match self {
            Setting::DeviceExpiryDays => "device_expiry_days",
            Setting::RetentionDays => "retention_days",
        }
    }

    pub fn default_value(self) -> u32 {
        match self {
            Setting::DeviceExpiryDays => DEFAULT_DEVICE_EXPIRY_DAYS,
            Setting::RetentionDays => DEFAULT_RETENTION_DAYS,
        }
    }

    pub fn parse(name: &str) -> Result<Self, StoreError> {
        Setting::ALL
            .into_iter()
            .find(|s| s.name() == name || s.key() == name)
            .ok_or_else(|| {
                StoreError::BadSetting(format!(
                    "unknown setting `{name}`; the settings are device-expiry-days and retention-days"
                ))
            })
    }

    /// A value as typed: whole days, 1 to 3650.
    pub fn check(self, value: &str) -> Result<u32, StoreError> {
        value
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|days| (1..=3650).contains(days))
            .ok_or_else(|| {
                StoreError::BadSetting(format!(
                    "{} takes a whole number of days from 1 to 3650, not `{value}`",
                    self.name()
                ))
            })
    }
}

/// The settings in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    pub device_expiry_days: u32,
    pub retention_days: u32,
}

impl Settings {
    pub fn get(&self, setting: Setting) -> u32 {
        match setting {
            Setting::DeviceExpiryDays => self.device_expiry_days,
            Setting::RetentionDays => self.retention_days,
        }
    }

    /// From the `settings` table's rows; a missing or unreadable value is the default.
    fn from_rows(rows: &[(String, String)]) -> Self {
        let value = |setting: Setting| {
            rows.iter()
                .find(|(name, _)| name == setting.key())
                .and_then(|(_, v)| setting.check(v).ok())
                .unwrap_or(setting.default_value())
        };
        Settings {
            device_expiry_days: value(Setting::DeviceExpiryDays),
            retention_days: value(Setting::RetentionDays),
        }
    }
}

/// A token's device as the database holds it (an active worker's, not revoked).
#[derive(Debug, Clone)]
pub(crate) struct TokenRow {
    pub device: i64,
    pub worker: i64,
    pub role: String,
    pub created_ms: i64,
    pub last_seen_ms: Option<i64>,
    /// The `device_expiry_days` setting, as stored (`None`: the default).
    pub expiry: Option<String>,
}

/// A worker row for the accounts list.
#[derive(Debug, Clone)]
pub(crate) struct WorkerRow {
    pub id: i64,
    pub name: String,
    pub role: String,
    pub created_ms: i64,
    pub revoked_ms: Option<i64>,
}

/// A device row for the accounts list.
#[derive(Debug, Clone)]
pub(crate) struct DeviceRow {
    pub id: i64,
    pub worker: i64,
    pub label: String,
    pub created_ms: i64,
    pub last_seen_ms: Option<i64>,
    pub revoked_ms: Option<i64>,
}

/// An audit row.
#[derive(Debug, Clone)]
pub(crate) struct AuditRow {
    pub id: i64,
    pub at_ms: i64,
    pub actor: String,
    pub action: String,
    pub worker: Option<String>,
    pub device_id: Option<i64>,
    pub detail: Option<String>,
}

/// What a change to a worker's account found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Change {
    Done,
    /// Nothing to do (the role was already that one).
    Unchanged,
    NoSuchWorker,
    LastCoordinator,
}

/// A device revoked, or found revoked already.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevokedDevice {
    pub worker: String,
    pub label: String,
    /// False when the device was revoked already (nothing was written).
    pub changed: bool,
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
    pub devices: i64,
    pub pairing_codes: i64,
    pub records: i64,
    pub record_owners: i64,
    pub taxonomies: i64,
    pub settings: i64,
    pub audit: i64,
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

    /// `worker add` (the command line): creates a worker with a role and returns its token
    /// (shown once), which is the worker's first device, « Jeton initial ».
    pub async fn add_worker_with_role(&self, name: &str, role: Role) -> Result<String, StoreError> {
        let token = token::generate().map_err(|e| StoreError::Random(e.to_string()))?;
        let device = (token::hash(&token), "Jeton initial".to_owned());
        self.insert_worker(name, role, Some(device), ACTOR_CLI)
            .await?;
        Ok(token)
    }

    /// A coordinator adds a worker from the app: no token (the phone pairs with a code).
    pub async fn create_worker(
        &self,
        name: &str,
        role: Role,
        actor: &str,
    ) -> Result<(), StoreError> {
        self.insert_worker(name, role, None, actor).await
    }

    async fn insert_worker(
        &self,
        name: &str,
        role: Role,
        device: Option<(String, String)>,
        actor: &str,
    ) -> Result<(), StoreError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 64 {
            return Err(StoreError::BadWorkerName);
        }
        // `workers.token_hash` is no longer read (tokens are devices) but is UNIQUE NOT
        // NULL: a random value that no token hashes to.
        let unused = format!(
            "unused:{}",
            token::generate().map_err(|e| StoreError::Random(e.to_string()))?
        );
        let inserted = dispatch!(self, s => s.insert_worker(name.to_owned(), unused, role, device, actor.to_owned(), now_ms()).await)?;
        if !inserted {
            return Err(StoreError::WorkerExists(name.to_owned()));
        }
        Ok(())
    }

    /// A worker's name.
    pub async fn worker_name(&self, worker: WorkerId) -> Result<String, StoreError> {
        dispatch!(self, s => s.worker_name(worker).await)
    }

    /// The worker and role owning an active, unexpired device token.
    pub async fn caller_for_token(&self, token: &str) -> Result<Option<Caller>, StoreError> {
        Ok(match self.check_token(token, now_ms()).await? {
            TokenCheck::Valid(caller) => Some(caller),
            TokenCheck::Expired | TokenCheck::Unknown => None,
        })
    }

    /// Checks a presented token: valid (and its device's last-seen time moved, at most
    /// every [`LAST_SEEN_STEP_MS`]), expired, or unknown.
    pub async fn check_token(&self, token: &str, now: i64) -> Result<TokenCheck, StoreError> {
        let row = dispatch!(self, s => s.token_row(token::hash(token)).await)?;
        let Some(row) = row else {
            return Ok(TokenCheck::Unknown);
        };
        let expiry = row
            .expiry
            .as_deref()
            .and_then(|v| Setting::DeviceExpiryDays.check(v).ok())
            .unwrap_or(DEFAULT_DEVICE_EXPIRY_DAYS);
        let last_used = row.last_seen_ms.unwrap_or(row.created_ms);
        if device_expired(last_used, expiry, now) {
            return Ok(TokenCheck::Expired);
        }
        if row
            .last_seen_ms
            .is_none_or(|seen| now - seen >= LAST_SEEN_STEP_MS)
        {
            // Best effort: a busy database must not refuse the request for this.
            if let Err(err) = dispatch!(self, s => s.touch_device(row.device, now).await) {
                crate::log!("carnet-server: last-seen time not updated: {err}");
            }
        }
        Ok(TokenCheck::Valid(Caller {
            worker: WorkerId(row.worker),
            role: Role::from_db(&row.role),
            device: DeviceId(row.device),
        }))
    }

    /// `worker revoke` (the command line): refuses every device of a worker from now on;
    /// the records already synced stay.
    pub async fn revoke_worker(&self, name: &str) -> Result<(), StoreError> {
        self.revoke_worker_by(name, ACTOR_CLI, false).await
    }

    /// Revokes a worker and all its devices. `keep_a_coordinator`: refuse to revoke the
    /// last active coordinator (the app; the command line may, to recover).
    pub async fn revoke_worker_by(
        &self,
        name: &str,
        actor: &str,
        keep_a_coordinator: bool,
    ) -> Result<(), StoreError> {
        let change = dispatch!(self, s => s.revoke_worker(name.to_owned(), actor.to_owned(), now_ms(), keep_a_coordinator).await)?;
        change_result(change, name)
    }

    /// Changes a worker's role. `keep_a_coordinator` as for [`Store::revoke_worker_by`].
    /// Returns false when the worker had that role already (nothing written).
    pub async fn set_role(
        &self,
        name: &str,
        role: Role,
        actor: &str,
        keep_a_coordinator: bool,
    ) -> Result<bool, StoreError> {
        let change = dispatch!(self, s => s.set_role(name.to_owned(), role, actor.to_owned(), now_ms(), keep_a_coordinator).await)?;
        change_result(change, name)?;
        Ok(change == Change::Done)
    }

    /// Revokes one device. Revoking a revoked device changes nothing (`changed: false`).
    pub async fn revoke_device(
        &self,
        device: DeviceId,
        actor: &str,
    ) -> Result<RevokedDevice, StoreError> {
        dispatch!(self, s => s.revoke_device(device.0, actor.to_owned(), now_ms()).await)?
            .ok_or(StoreError::NoSuchDevice(device.0))
    }

    /// `worker pair` (the command line): a one-time pairing code for a worker.
    pub async fn create_pairing_code(&self, name: &str, now_ms: i64) -> Result<String, StoreError> {
        self.issue_pairing_code(name, ACTOR_CLI, now_ms).await
    }

    /// A one-time pairing code for a worker: `XXXX-XXXX`, valid 15 minutes, stored hashed;
    /// the audit log says who asked for it (never the code).
    pub async fn issue_pairing_code(
        &self,
        name: &str,
        actor: &str,
        now_ms: i64,
    ) -> Result<String, StoreError> {
        let mut random = [0u8; 8];
        getrandom::fill(&mut random).map_err(|e| StoreError::Random(e.to_string()))?;
        let code: String = random
            .iter()
            .map(|b| CODE_ALPHABET[usize::from(*b) % CODE_ALPHABET.len()] as char)
            .collect();
        let hash = token::hash(&normalise_code(&code));
        let inserted = dispatch!(self, s => s.insert_pairing_code(name.to_owned(), hash, now_ms + PAIRING_CODE_TTL_MS, actor.to_owned(), now_ms).await)?;
        if !inserted {
            return Err(StoreError::NoSuchWorker(name.to_owned()));
        }
        Ok(format!("{}-{}", &code[..4], &code[4..]))
    }

    /// Redeems a pairing code once: a new device with the default label.
    pub async fn redeem_pairing_code(
        &self,
        code: &str,
        now_ms: i64,
    ) -> Result<Option<(String, WorkerId)>, StoreError> {
        Ok(self
            .pair_device(code, None, now_ms)
            .await?
            .map(|(token, worker, _)| (token, worker)))
    }

    /// Redeems a pairing code once: mints a device token for its worker, with `label`.
    /// `None` when the code is unknown, used, expired or its worker revoked (one answer
    /// for all, on purpose). A bad label is refused before the code is spent.
    pub async fn pair_device(
        &self,
        code: &str,
        label: Option<&str>,
        now_ms: i64,
    ) -> Result<Option<(String, WorkerId, DeviceId)>, StoreError> {
        let label = carnet_core::wire::device_label(label).ok_or(StoreError::BadDeviceLabel)?;
        let token = token::generate().map_err(|e| StoreError::Random(e.to_string()))?;
        let code_hash = token::hash(&normalise_code(code));
        let paired = dispatch!(self, s => s.redeem_pairing_code(code_hash, token::hash(&token), label, now_ms).await)?;
        Ok(paired.map(|(w, d)| (token, WorkerId(w), DeviceId(d))))
    }

    /// Every worker with its devices, by name (coordinators' « Comptes de l'équipe »).
    pub async fn accounts(&self, now: i64) -> Result<(Vec<WorkerAccount>, u32), StoreError> {
        let (workers, devices) = dispatch!(self, s => s.account_rows().await)?;
        let expiry = self.settings().await?.device_expiry_days;
        let accounts = workers
            .into_iter()
            .map(|w| WorkerAccount {
                devices: devices
                    .iter()
                    .filter(|d| d.worker == w.id)
                    .map(|d| DeviceInfo {
                        id: d.id,
                        label: d.label.clone(),
                        created_ms: d.created_ms,
                        last_seen_ms: d.last_seen_ms,
                        state: if d.revoked_ms.is_some() || w.revoked_ms.is_some() {
                            DeviceState::Revoked
                        } else if device_expired(
                            d.last_seen_ms.unwrap_or(d.created_ms),
                            expiry,
                            now,
                        ) {
                            DeviceState::Expired
                        } else {
                            DeviceState::Active
                        },
                    })
                    .collect(),
                name: w.name,
                role: Role::from_db(&w.role).as_str().to_owned(),
                revoked: w.revoked_ms.is_some(),
                created_ms: w.created_ms,
            })
            .collect();
        Ok((accounts, expiry))
    }

    /// The newest audit entries, `before` an entry's id if given, at most `limit`.
    pub async fn audit(
        &self,
        limit: u32,
        before: Option<i64>,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = dispatch!(self, s => s.audit_rows(i64::from(limit), before).await)?;
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                Some(AuditEntry {
                    id: r.id,
                    at_ms: r.at_ms,
                    actor: r.actor,
                    action: AuditAction::parse(&r.action)?,
                    worker: r.worker,
                    device_id: r.device_id,
                    detail: r.detail,
                })
            })
            .collect())
    }

    /// The settings in force (defaults for those never set).
    pub async fn settings(&self) -> Result<Settings, StoreError> {
        let rows = dispatch!(self, s => s.setting_rows().await)?;
        Ok(Settings::from_rows(&rows))
    }

    /// Changes a setting (checked first: a bad value writes nothing), with its audit entry.
    pub async fn set_setting(
        &self,
        setting: Setting,
        value: &str,
        actor: &str,
    ) -> Result<u32, StoreError> {
        let days = setting.check(value)?;
        dispatch!(self, s => s.set_setting(setting.key(), days.to_string(), actor.to_owned(), now_ms()).await)?;
        Ok(days)
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

/// The error a refused account change answers with.
fn change_result(change: Change, name: &str) -> Result<(), StoreError> {
    match change {
        Change::Done | Change::Unchanged => Ok(()),
        Change::NoSuchWorker => Err(StoreError::NoSuchWorker(name.to_owned())),
        Change::LastCoordinator => Err(StoreError::LastCoordinator(name.to_owned())),
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

    #[test]
    fn a_device_expires_after_the_window_and_settings_are_checked() {
        let day = DAY_MS;
        assert!(!device_expired(0, 90, 90 * day));
        assert!(device_expired(0, 90, 90 * day + 1));
        assert!(!device_expired(10 * day, 1, 11 * day));
        assert_eq!(
            Setting::parse("device-expiry-days").unwrap(),
            Setting::DeviceExpiryDays
        );
        assert_eq!(
            Setting::parse("retention_days").unwrap(),
            Setting::RetentionDays
        );
        assert!(Setting::parse("expiry").is_err());
        assert_eq!(Setting::RetentionDays.check(" 30 ").unwrap(), 30);
        for bad in ["0", "-1", "3651", "trente", "1.5", ""] {
            assert!(Setting::RetentionDays.check(bad).is_err(), "{bad}");
        }
        let rows = vec![
            ("retention_days".to_owned(), "30".to_owned()),
            ("device_expiry_days".to_owned(), "garbage".to_owned()),
        ];
        assert_eq!(
            Settings::from_rows(&rows),
            Settings {
                device_expiry_days: DEFAULT_DEVICE_EXPIRY_DAYS,
                retention_days: 30
            }
        );
    }
}
