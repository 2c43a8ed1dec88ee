//! The database: workers, their tokens and pairing codes, the taxonomy, and every version of
//! every record.
//!
//! One interface, two backends: [`Store`] runs each operation on SQLite (the default: one
//! file, WAL, `synchronous = FULL`, rusqlite on a writer thread and on tokio's blocking
//! pool) or PostgreSQL (a `deadpool` pool of `tokio-postgres` connections, for several
//! servers on one database). An operation is written once, over [`sql::Conn`]
//! ([`accounts`], [`records`]); a backend is only its driver, its migrations runner and its
//! batch write path. Both run the same numbered migrations ([`migrations`]) and keep the
//! same guarantees:
//!
//! - a batch is stored whole or not at all, in one transaction;
//! - the answer is returned only after the commit is durable;
//! - resending is idempotent: the batch decision is one pure function ([`batch::decide`]);
//! - every version is kept, never overwritten;
//! - a record id belongs to one worker (`record_owners`, a primary key both backends race on);
//! - a pairing code is spent by one conditional `UPDATE … RETURNING`, so it works once even
//!   when two servers redeem it at the same moment;
//! - every account action (worker added, code issued, device paired or revoked, worker
//!   revoked, role or setting changed) writes its audit entry in the same transaction;
//!   the rules of account changes are pure functions ([`accounts::revoke_rule`],
//!   [`accounts::role_rule`]).
//!
//! A request the rules refuse is [`Refusal`]. A write that cannot be done now (database
//! busy past the bounded wait, disk full, I/O error, PostgreSQL unreachable) is
//! [`StoreError::Unavailable`]: the API answers `503` with `Retry-After`, and nothing was
//! acknowledged.

pub mod accounts;
pub mod batch;
mod error;
pub mod migrations;
mod model;
pub mod postgres;
pub mod records;
pub(crate) mod sql;
pub mod sqlite;

use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::{SystemTime, UNIX_EPOCH};

use carnet_core::wire::{
    AuditAction, AuditEntry, DeviceInfo, DeviceState, RecordResult, WorkerAccount,
};
use carnet_core::{Record, Taxonomy, TaxonomyError};
use chrono::NaiveDate;
use uuid::Uuid;

pub use error::{Refusal, StoreError};
pub use model::{
    ACTOR_CLI, Caller, Counts, DEFAULT_WAIT, DeviceId, LAST_SEEN_STEP_MS, MonthCount,
    PAIRING_CODE_TTL_MS, RevokedDevice, Role, Setting, Settings, StoredVersion, TokenCheck,
    WorkerId, device_expired,
};
pub use postgres::PgStore;
pub use sqlite::{SqliteOptions, SqliteStore};

use crate::token;
use accounts::{Change, NewWorker};

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

/// Letters and digits that cannot be mistaken for one another when read aloud or typed.
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/// The store: one interface over both backends. Cloning is cheap (shared pools).
#[derive(Clone)]
pub enum Store {
    Sqlite(SqliteStore),
    Postgres(PgStore),
}

/// Runs one operation, written once over [`sql::Conn`], on whichever backend this is:
/// `read` (no transaction), `snapshot` (one read transaction) or `write` (one write
/// transaction, committed when the operation succeeds).
macro_rules! on {
    ($store:expr, $how:ident, |$c:ident| $op:expr) => {
        match $store {
            Store::Sqlite(s) => s.$how(move |$c| Box::pin($op)).await,
            Store::Postgres(s) => s.$how(move |$c| Box::pin($op)).await,
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
        on!(self, read, |c| accounts::person_code_key(c))
    }

    /// The organisation's current taxonomy: the last one loaded, else the built-in one.
    /// Cached; each call checks the latest version in the database (one indexed read), so
    /// a document loaded through any server or the CLI is used at once, by every server.
    pub async fn taxonomy(&self) -> Result<Arc<Taxonomy>, StoreError> {
        let latest = on!(self, read, |c| records::latest_taxonomy(c))?;
        let cache = match self {
            Store::Sqlite(s) => s.taxonomy_cache(),
            Store::Postgres(s) => s.taxonomy_cache(),
        };
        if let Some(cached) = cache.get(latest) {
            return Ok(cached);
        }
        let document = match latest {
            None => None,
            Some(version) => on!(self, read, |c| records::taxonomy_document(c, version))?,
        };
        cache.put(latest, document.as_deref())
    }

    /// Loads a new taxonomy document after checking it may replace the current one.
    pub async fn load_taxonomy(&self, json: &str) -> Result<Taxonomy, StoreError> {
        let next = Taxonomy::from_json(json)?;
        self.taxonomy().await?.check_successor(&next)?;
        let document = serde_json::to_string(&next)?;
        // The version is a key: of two documents loaded at once (two servers, or a server
        // and the CLI), the second is refused as not newer.
        let version = next.version;
        let inserted = on!(self, write, |c| records::insert_taxonomy(
            c,
            version,
            document,
            now_ms()
        ))?;
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
            return Err(Refusal::BadWorkerName.into());
        }
        let new = NewWorker {
            name: name.to_owned(),
            // A random value that no token hashes to.
            unused_hash: format!(
                "unused:{}",
                token::generate().map_err(|e| StoreError::Random(e.to_string()))?
            ),
            role,
            device,
            actor: actor.to_owned(),
            now: now_ms(),
        };
        if !on!(self, write, |c| accounts::insert_worker(c, new))? {
            return Err(Refusal::WorkerExists(name.to_owned()).into());
        }
        Ok(())
    }

    /// A worker's name.
    pub async fn worker_name(&self, worker: WorkerId) -> Result<String, StoreError> {
        on!(self, read, |c| accounts::worker_name(c, worker))
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
        let hash = token::hash(token);
        let Some(row) = on!(self, read, |c| accounts::token_row(c, hash))? else {
            return Ok(TokenCheck::Unknown);
        };
        let expiry = Setting::DeviceExpiryDays.or_default(row.expiry.as_deref());
        if device_expired(row.last_seen_ms.unwrap_or(row.created_ms), expiry, now) {
            return Ok(TokenCheck::Expired);
        }
        if row
            .last_seen_ms
            .is_none_or(|seen| now - seen >= LAST_SEEN_STEP_MS)
        {
            let device = row.device;
            // Best effort: a busy database must not refuse the request for this.
            if let Err(err) = on!(self, write, |c| accounts::touch_device(c, device, now)) {
                crate::log!("carnet-server: last-seen time not updated: {err}");
            }
        }
        Ok(TokenCheck::Valid(Caller {
            worker: WorkerId(row.worker),
            role: row.role,
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
        let (owned, actor) = (name.to_owned(), actor.to_owned());
        let change = on!(self, write, |c| accounts::revoke_worker(
            c,
            owned,
            actor,
            now_ms(),
            keep_a_coordinator
        ))?;
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
        let (owned, actor) = (name.to_owned(), actor.to_owned());
        let change = on!(self, write, |c| accounts::set_role(
            c,
            owned,
            role,
            actor,
            now_ms(),
            keep_a_coordinator
        ))?;
        change_result(change, name)?;
        Ok(change == Change::Done)
    }

    /// Revokes one device. Revoking a revoked device changes nothing (`changed: false`).
    pub async fn revoke_device(
        &self,
        device: DeviceId,
        actor: &str,
    ) -> Result<RevokedDevice, StoreError> {
        let actor = actor.to_owned();
        on!(self, write, |c| accounts::revoke_device(
            c,
            device.0,
            actor,
            now_ms()
        ))?
        .ok_or_else(|| Refusal::NoSuchDevice(device.0).into())
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
        let (owned, actor) = (name.to_owned(), actor.to_owned());
        let inserted = on!(self, write, |c| accounts::insert_pairing_code(
            c,
            owned,
            hash,
            now_ms + PAIRING_CODE_TTL_MS,
            actor,
            now_ms
        ))?;
        if !inserted {
            return Err(Refusal::NoSuchWorker(name.to_owned()).into());
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
        let label = carnet_core::wire::device_label(label).ok_or(Refusal::BadDeviceLabel)?;
        let token = token::generate().map_err(|e| StoreError::Random(e.to_string()))?;
        let code_hash = token::hash(&normalise_code(code));
        let token_hash = token::hash(&token);
        let paired = on!(self, write, |c| accounts::redeem_pairing_code(
            c, code_hash, token_hash, label, now_ms
        ))?;
        Ok(paired.map(|(w, d)| (token, WorkerId(w), DeviceId(d))))
    }

    /// Every worker with its devices, by name (coordinators' « Comptes de l'équipe »).
    pub async fn accounts(&self, now: i64) -> Result<(Vec<WorkerAccount>, u32), StoreError> {
        let (workers, devices) = on!(self, snapshot, |c| accounts::account_rows(c))?;
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
                        // Checked when it came; one this version cannot read is left out.
                        report: d
                            .report
                            .as_deref()
                            .and_then(|json| serde_json::from_str(json).ok()),
                        report_ms: d.report_ms,
                    })
                    .collect(),
                name: w.name,
                role: w.role.as_str().to_owned(),
                revoked: w.revoked_ms.is_some(),
                created_ms: w.created_ms,
            })
            .collect();
        Ok((accounts, expiry))
    }

    /// Keeps what a device reports it still holds (its latest report replaces the last).
    pub async fn save_device_report(
        &self,
        device: DeviceId,
        report: &carnet_core::completeness::DeviceReport,
        now: i64,
    ) -> Result<(), StoreError> {
        let json = serde_json::to_string(report)?;
        let id = device.0;
        on!(self, write, |c| accounts::save_report(c, id, json, now))
    }

    /// The newest audit entries, `before` an entry's id if given, at most `limit`.
    pub async fn audit(
        &self,
        limit: u32,
        before: Option<i64>,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = on!(self, read, |c| accounts::audit_rows(
            c,
            i64::from(limit),
            before
        ))?;
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
        let rows = on!(self, read, |c| accounts::setting_rows(c))?;
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
        let actor = actor.to_owned();
        on!(self, write, |c| accounts::set_setting(
            c,
            setting.key(),
            days.to_string(),
            actor,
            now_ms()
        ))?;
        Ok(days)
    }

    /// A worker by name.
    pub async fn worker_by_name(&self, name: &str) -> Result<Option<WorkerId>, StoreError> {
        let name = name.to_owned();
        on!(self, read, |c| accounts::worker_by_name(c, name))
    }

    /// Every worker, by name.
    pub async fn workers(&self) -> Result<Vec<(WorkerId, String)>, StoreError> {
        let rows = on!(self, read, |c| accounts::workers(c))?;
        Ok(rows.into_iter().map(|w| (WorkerId(w.id), w.name)).collect())
    }

    /// The latest version of every record, of one worker or of all, with its worker.
    /// Deleted records are included (as tombstones): reports skip them.
    pub async fn latest_records(
        &self,
        worker: Option<WorkerId>,
    ) -> Result<Vec<(WorkerId, Record)>, StoreError> {
        let rows = on!(self, read, |c| records::latest_bodies(c, worker))?;
        parse_bodies(rows).await
    }

    /// The latest version of every record (of one worker, or all) whose local day is in
    /// `from..=to`, through the `local_date` index: what a report of that period reads,
    /// instead of every record. May hold a few more (a body whose date the migration
    /// could not read): a report filters by its period anyway. Tombstones included.
    pub async fn latest_records_in(
        &self,
        worker: Option<WorkerId>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<(WorkerId, Record)>, StoreError> {
        let rows = on!(self, read, |c| records::latest_bodies_in(
            c,
            worker,
            (from, to)
        ))?;
        parse_bodies(rows).await
    }

    /// What each month of `from..=to` holds (and the versions without a local day), as
    /// counts that change exactly when the month's latest versions do: see
    /// `records::MONTH_COUNTS`. One statement, so one moment of the database.
    pub async fn month_counts(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<MonthCount>, StoreError> {
        let rows = on!(self, read, |c| records::month_counts(c, (from, to)))?;
        Ok(rows
            .into_iter()
            .map(|(month, later, count)| MonthCount {
                month,
                later,
                count,
            })
            .collect())
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
        match self {
            Store::Sqlite(s) => s.store_batch(worker, prepared, now_ms()).await,
            Store::Postgres(s) => s.store_batch(worker, prepared, now_ms()).await,
        }
    }

    /// The latest version of each record the server holds for one worker, oldest first.
    pub async fn latest_versions(
        &self,
        worker: WorkerId,
    ) -> Result<Vec<StoredVersion>, StoreError> {
        on!(self, read, |c| records::latest_versions(c, worker))
    }

    /// Every version of one record of one worker, oldest first (the audit trail).
    pub async fn versions(&self, worker: WorkerId, id: Uuid) -> Result<Vec<Record>, StoreError> {
        let bodies = on!(self, read, |c| records::version_bodies(c, worker, id))?;
        bodies
            .iter()
            .map(|b| Record::from_json(b).map_err(StoreError::from))
            .collect()
    }

    /// Rows per table (for `migrate-to-postgres` and tests).
    pub async fn counts(&self) -> Result<Counts, StoreError> {
        on!(self, read, |c| records::counts(c))
    }
}

/// Stored bodies as records, on the blocking pool (a year of a team's records is tens of
/// thousands). Straight into [`Record`] first, three times faster than through a
/// `serde_json::Value`; [`Record::from_json`] (which also reads a body without `type`)
/// only for a body that refuses.
async fn parse_bodies(
    rows: Vec<(WorkerId, String)>,
) -> Result<Vec<(WorkerId, Record)>, StoreError> {
    tokio::task::spawn_blocking(move || {
        rows.into_iter()
            .map(|(w, body)| {
                let record = serde_json::from_str(&body).or_else(|_| Record::from_json(&body))?;
                Ok((w, record))
            })
            .collect()
    })
    .await
    .map_err(|e| StoreError::Task(e.to_string()))?
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
        Change::NoSuchWorker => Err(Refusal::NoSuchWorker(name.to_owned()).into()),
        Change::LastCoordinator => Err(Refusal::LastCoordinator(name.to_owned()).into()),
    }
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
