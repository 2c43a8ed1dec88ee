//! The SQLite database: workers, their token hashes, and their records.
//!
//! One connection behind a mutex: the load is a few dozen phones syncing at the end of a
//! shift, and a single writer makes the idempotency check and the insert one atomic step.
//! WAL journal with `synchronous = FULL`, so a commit is on disk before we acknowledge.

use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use carnet_core::wire::{RecordResult, RecordStatus};
use carnet_core::{Record, Taxonomy};
use rusqlite::{Connection, OptionalExtension, params};
use thiserror::Error;
use uuid::Uuid;

use crate::token;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
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
    Taxonomy(#[from] carnet_core::TaxonomyError),
    #[error("the database schema is newer than this server (version {0}); upgrade carnet-server")]
    SchemaTooNew(i64),
    #[error("the database lock was poisoned by a panic")]
    Poisoned,
}

/// A worker as the API sees it once the token is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkerId(pub i64);

pub struct Store {
    conn: Mutex<Connection>,
}

/// Schema migrations, applied in order; `PRAGMA user_version` says how many ran.
const MIGRATIONS: [&str; 4] = [
    // 1: the walking skeleton.
    "CREATE TABLE IF NOT EXISTS workers (
        id          INTEGER PRIMARY KEY,
        name        TEXT NOT NULL UNIQUE,
        token_hash  TEXT NOT NULL UNIQUE,
        created_ms  INTEGER NOT NULL,
        revoked_ms  INTEGER
    );
    CREATE TABLE IF NOT EXISTS records (
        id          TEXT PRIMARY KEY,
        worker_id   INTEGER NOT NULL REFERENCES workers(id),
        body        TEXT NOT NULL,
        received_ms INTEGER NOT NULL
    );",
    // 2: every version of a record is kept (audit trail); taxonomy documents; settings.
    "CREATE TABLE record_versions (
        id          TEXT NOT NULL,
        version     INTEGER NOT NULL CHECK (version >= 1),
        worker_id   INTEGER NOT NULL REFERENCES workers(id),
        deleted     INTEGER NOT NULL DEFAULT 0,
        body        TEXT NOT NULL,
        received_ms INTEGER NOT NULL,
        PRIMARY KEY (id, version)
    );
    INSERT INTO record_versions (id, version, worker_id, deleted, body, received_ms)
        SELECT id, 1, worker_id, 0,
               json_set(body, '$.version', 1, '$.mode', json_extract(coalesce(json_extract(body, '$.mode'), '\"en_personne\"'), '$')),
               received_ms
        FROM records;
    DROP TABLE records;
    ALTER TABLE record_versions RENAME TO records;
    CREATE INDEX records_by_worker ON records(worker_id);
    CREATE TABLE taxonomies (
        version   INTEGER PRIMARY KEY,
        document  TEXT NOT NULL,
        loaded_ms INTEGER NOT NULL
    );
    CREATE TABLE settings (
        name  TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );",
    // 3: coordinators read the team's reports.
    "ALTER TABLE workers ADD COLUMN role TEXT NOT NULL DEFAULT 'worker'
        CHECK (role IN ('worker', 'coordinator'));",
    // 4: one token per paired device, minted by redeeming a one-time pairing code.
    "CREATE TABLE tokens (
        hash        TEXT PRIMARY KEY,
        worker_id   INTEGER NOT NULL REFERENCES workers(id),
        created_ms  INTEGER NOT NULL,
        revoked_ms  INTEGER
    );
    CREATE TABLE pairing_codes (
        hash        TEXT PRIMARY KEY,
        worker_id   INTEGER NOT NULL REFERENCES workers(id),
        expires_ms  INTEGER NOT NULL,
        used_ms     INTEGER
    );",
];

/// How long a pairing code stays valid.
pub const PAIRING_CODE_TTL_MS: i64 = 15 * 60 * 1000;

/// Letters and digits that cannot be mistaken for one another when read aloud or typed.
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/// What a token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Syncs and reads only its own records and tallies.
    Worker,
    /// Also reads the team's reports and tallies.
    Coordinator,
}

impl Role {
    fn as_str(self) -> &'static str {
        match self {
            Role::Worker => "worker",
            Role::Coordinator => "coordinator",
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

impl Store {
    /// Opens (creating if needed) the database file and brings the schema up to date.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        migrate(&conn)?;
        let store = Store {
            conn: Mutex::new(conn),
        };
        store.ensure_person_code_key()?;
        Ok(store)
    }

    /// The organisation key for person codes, made once per database.
    fn ensure_person_code_key(&self) -> Result<(), StoreError> {
        let mut key = [0u8; carnet_core::person::KEY_BYTES];
        getrandom::fill(&mut key).map_err(|e| StoreError::Random(e.to_string()))?;
        self.conn()?.execute(
            "INSERT INTO settings (name, value) VALUES ('person_code_key', ?1)
             ON CONFLICT(name) DO NOTHING",
            params![token::hex(&key)],
        )?;
        Ok(())
    }

    /// The organisation key for person codes, hex-encoded, for paired devices.
    pub fn person_code_key(&self) -> Result<String, StoreError> {
        Ok(self.conn()?.query_row(
            "SELECT value FROM settings WHERE name = 'person_code_key'",
            [],
            |row| row.get(0),
        )?)
    }

    /// The organisation's current taxonomy: the last one loaded, else the built-in one.
    pub fn taxonomy(&self) -> Result<Taxonomy, StoreError> {
        let document: Option<String> = self
            .conn()?
            .query_row(
                "SELECT document FROM taxonomies ORDER BY version DESC LIMIT 1",
                [],
                |row| row.get(0),
            )
            .optional()?;
        match document {
            Some(json) => Ok(Taxonomy::from_json(&json)?),
            None => Ok(Taxonomy::builtin()),
        }
    }

    /// Loads a new taxonomy document after checking it may replace the current one.
    pub fn load_taxonomy(&self, json: &str) -> Result<Taxonomy, StoreError> {
        let next = Taxonomy::from_json(json)?;
        self.taxonomy()?.check_successor(&next)?;
        self.conn()?.execute(
            "INSERT INTO taxonomies (version, document, loaded_ms) VALUES (?1, ?2, ?3)",
            params![next.version, serde_json::to_string(&next)?, now_ms()],
        )?;
        Ok(next)
    }

    fn conn(&self) -> Result<MutexGuard<'_, Connection>, StoreError> {
        self.conn.lock().map_err(|_| StoreError::Poisoned)
    }

    /// Creates a worker and returns its token, which is not stored and cannot be shown again.
    pub fn add_worker(&self, name: &str) -> Result<String, StoreError> {
        self.add_worker_with_role(name, Role::Worker)
    }

    /// Creates a worker with a role and returns its token (shown once).
    pub fn add_worker_with_role(&self, name: &str, role: Role) -> Result<String, StoreError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 64 {
            return Err(StoreError::BadWorkerName);
        }
        let token = token::generate().map_err(|e| StoreError::Random(e.to_string()))?;
        let conn = self.conn()?;
        let inserted = conn.execute(
            "INSERT INTO workers (name, token_hash, created_ms, role) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(name) DO NOTHING",
            params![name, token::hash(&token), now_ms(), role.as_str()],
        )?;
        if inserted == 0 {
            return Err(StoreError::WorkerExists(name.to_owned()));
        }
        Ok(token)
    }

    /// A worker's name.
    pub fn worker_name(&self, worker: WorkerId) -> Result<String, StoreError> {
        Ok(self.conn()?.query_row(
            "SELECT name FROM workers WHERE id = ?1",
            params![worker.0],
            |row| row.get(0),
        )?)
    }

    /// The worker and role owning an (unrevoked) token: the one made by `worker add`, or
    /// one minted for a paired device.
    pub fn caller_for_token(&self, token: &str) -> Result<Option<Caller>, StoreError> {
        let conn = self.conn()?;
        let found: Option<(i64, String)> = conn
            .query_row(
                "SELECT w.id, w.role FROM workers w
                 WHERE w.revoked_ms IS NULL
                   AND (w.token_hash = ?1 OR EXISTS (
                        SELECT 1 FROM tokens t
                        WHERE t.hash = ?1 AND t.worker_id = w.id AND t.revoked_ms IS NULL))",
                params![token::hash(token)],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?;
        Ok(found.map(|(id, role)| Caller {
            worker: WorkerId(id),
            role: if role == "coordinator" {
                Role::Coordinator
            } else {
                Role::Worker
            },
        }))
    }

    /// Revokes a worker's token: refused from now on; the records already synced stay.
    pub fn revoke_worker(&self, name: &str) -> Result<(), StoreError> {
        let changed = self.conn()?.execute(
            "UPDATE workers SET revoked_ms = ?2 WHERE name = ?1 AND revoked_ms IS NULL",
            params![name, now_ms()],
        )?;
        if changed == 0 {
            return Err(StoreError::NoSuchWorker(name.to_owned()));
        }
        Ok(())
    }

    /// A one-time pairing code for a worker: `XXXX-XXXX`, valid 15 minutes, stored hashed.
    pub fn create_pairing_code(&self, name: &str, now_ms: i64) -> Result<String, StoreError> {
        let worker = self
            .active_worker_by_name(name)?
            .ok_or_else(|| StoreError::NoSuchWorker(name.to_owned()))?;
        let mut random = [0u8; 8];
        getrandom::fill(&mut random).map_err(|e| StoreError::Random(e.to_string()))?;
        let code: String = random
            .iter()
            .map(|b| CODE_ALPHABET[usize::from(*b) % CODE_ALPHABET.len()] as char)
            .collect();
        self.conn()?.execute(
            "INSERT INTO pairing_codes (hash, worker_id, expires_ms) VALUES (?1, ?2, ?3)",
            params![
                token::hash(&normalise_code(&code)),
                worker.0,
                now_ms + PAIRING_CODE_TTL_MS
            ],
        )?;
        Ok(format!("{}-{}", &code[..4], &code[4..]))
    }

    /// Redeems a pairing code once: mints a device token for its worker. `None` when the
    /// code is unknown, used, expired or its worker revoked (one answer for all, on purpose).
    pub fn redeem_pairing_code(
        &self,
        code: &str,
        now_ms: i64,
    ) -> Result<Option<(String, WorkerId)>, StoreError> {
        let token = token::generate().map_err(|e| StoreError::Random(e.to_string()))?;
        let mut conn = self.conn()?;
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let worker: Option<i64> = tx
            .query_row(
                "SELECT p.worker_id FROM pairing_codes p JOIN workers w ON w.id = p.worker_id
                 WHERE p.hash = ?1 AND p.used_ms IS NULL AND p.expires_ms > ?2
                   AND w.revoked_ms IS NULL",
                params![token::hash(&normalise_code(code)), now_ms],
                |row| row.get(0),
            )
            .optional()?;
        let Some(worker) = worker else {
            return Ok(None);
        };
        tx.execute(
            "UPDATE pairing_codes SET used_ms = ?2 WHERE hash = ?1",
            params![token::hash(&normalise_code(code)), now_ms],
        )?;
        tx.execute(
            "INSERT INTO tokens (hash, worker_id, created_ms) VALUES (?1, ?2, ?3)",
            params![token::hash(&token), worker, now_ms],
        )?;
        tx.commit()?;
        Ok(Some((token, WorkerId(worker))))
    }

    fn active_worker_by_name(&self, name: &str) -> Result<Option<WorkerId>, StoreError> {
        let id = self
            .conn()?
            .query_row(
                "SELECT id FROM workers WHERE name = ?1 AND revoked_ms IS NULL",
                params![name],
                |row| row.get(0),
            )
            .optional()?;
        Ok(id.map(WorkerId))
    }

    /// A worker by name.
    pub fn worker_by_name(&self, name: &str) -> Result<Option<WorkerId>, StoreError> {
        let id = self
            .conn()?
            .query_row(
                "SELECT id FROM workers WHERE name = ?1",
                params![name],
                |row| row.get(0),
            )
            .optional()?;
        Ok(id.map(WorkerId))
    }

    /// Every worker, by name.
    pub fn workers(&self) -> Result<Vec<(WorkerId, String)>, StoreError> {
        let conn = self.conn()?;
        let mut stmt = conn.prepare("SELECT id, name FROM workers ORDER BY name")?;
        let rows = stmt
            .query_map([], |row| Ok((WorkerId(row.get(0)?), row.get(1)?)))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// The latest version of every record, of one worker or of all, with its worker.
    /// Deleted records are included (as tombstones): reports skip them.
    pub fn latest_records(
        &self,
        worker: Option<WorkerId>,
    ) -> Result<Vec<(WorkerId, Record)>, StoreError> {
        let conn = self.conn()?;
        let mut stmt = conn.prepare(
            "SELECT r.worker_id, r.body FROM records r
             WHERE (?1 IS NULL OR r.worker_id = ?1)
               AND r.version = (SELECT MAX(version) FROM records WHERE id = r.id)",
        )?;
        let rows = stmt
            .query_map(params![worker.map(|w| w.0)], |row| {
                Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter()
            .map(|(w, body)| Ok((WorkerId(w), Record::from_json(&body)?)))
            .collect()
    }

    /// Stores a batch of valid records for one worker in one transaction.
    ///
    /// The key is (id, version). Per record: a new version of an id this worker owns (or a
    /// new id) → stored, earlier versions kept as the audit trail; the same (id, version)
    /// with the same canonical content from the same worker → duplicate (nothing changes);
    /// anything else → conflict, never an overwrite. Returns only after the commit.
    pub fn store_batch(
        &self,
        worker: WorkerId,
        records: &[Record],
    ) -> Result<Vec<RecordResult>, StoreError> {
        let mut conn = self.conn()?;
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let received = now_ms();
        let mut results = Vec::with_capacity(records.len());
        for record in records {
            let canonical = record.clone().normalized();
            let body = serde_json::to_string(&canonical)?;
            let id = record.id().to_string();
            // Every stored version of this id, with its owner: one lookup decides.
            let versions: Vec<(i64, u32, String)> = tx
                .prepare_cached("SELECT worker_id, version, body FROM records WHERE id = ?1")?
                .query_map(params![id], |row| {
                    Ok((row.get(0)?, row.get(1)?, row.get(2)?))
                })?
                .collect::<Result<_, _>>()?;
            let owner = versions.first().map(|v| v.0);
            let same_version = versions
                .into_iter()
                .find(|v| v.1 == record.version())
                .map(|v| (v.0, v.2));
            let status =
                match (same_version, owner) {
                    (Some((w, stored)), _) if w == worker.0 && stored == body => {
                        RecordStatus::Duplicate
                    }
                    (Some(_), _) => RecordStatus::Conflict,
                    (None, Some(w)) if w != worker.0 => RecordStatus::Conflict,
                    (None, _) => {
                        tx.execute(
                        "INSERT INTO records (id, version, worker_id, deleted, body, received_ms)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                        params![id, record.version(), worker.0, record.deleted(), body, received],
                    )?;
                        RecordStatus::Stored
                    }
                };
            results.push(RecordResult {
                id: record.id(),
                version: record.version(),
                status,
            });
        }
        tx.commit()?;
        Ok(results)
    }

    /// The latest version of each record the server holds for one worker, oldest first.
    pub fn latest_versions(&self, worker: WorkerId) -> Result<Vec<StoredVersion>, StoreError> {
        let conn = self.conn()?;
        let mut stmt = conn.prepare(
            "SELECT r.id, r.version, r.deleted FROM records r
             WHERE r.worker_id = ?1
               AND r.version = (SELECT MAX(version) FROM records WHERE id = r.id)
             ORDER BY (SELECT MIN(received_ms) FROM records WHERE id = r.id), r.id",
        )?;
        let rows = stmt
            .query_map(params![worker.0], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, u32>(1)?,
                    row.get::<_, bool>(2)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows
            .into_iter()
            .filter_map(|(id, version, deleted)| {
                Some(StoredVersion {
                    id: Uuid::parse_str(&id).ok()?,
                    version,
                    deleted,
                })
            })
            .collect())
    }

    /// Every version of one record of one worker, oldest first (the audit trail).
    pub fn versions(&self, worker: WorkerId, id: Uuid) -> Result<Vec<Record>, StoreError> {
        let conn = self.conn()?;
        let mut stmt = conn.prepare(
            "SELECT body FROM records WHERE worker_id = ?1 AND id = ?2 ORDER BY version",
        )?;
        let bodies = stmt
            .query_map(params![worker.0, id.to_string()], |row| {
                row.get::<_, String>(0)
            })?
            .collect::<Result<Vec<_>, _>>()?;
        bodies
            .iter()
            .map(|b| Record::from_json(b).map_err(StoreError::from))
            .collect()
    }
}

fn migrate(conn: &Connection) -> Result<(), StoreError> {
    let applied: i64 = conn.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    let known = MIGRATIONS.len() as i64;
    if applied > known {
        return Err(StoreError::SchemaTooNew(applied));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(applied as usize) {
        let tx = conn.unchecked_transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i as i64 + 1)?;
        tx.commit()?;
    }
    Ok(())
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
