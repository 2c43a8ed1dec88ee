//! The SQLite database: workers, their token hashes, and their records.
//!
//! One connection behind a mutex: the load is a few dozen phones syncing at the end of a
//! shift, and a single writer makes the idempotency check and the insert one atomic step.
//! WAL journal with `synchronous = FULL`, so a commit is on disk before we acknowledge.

use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use carnet_core::Contact;
use carnet_core::wire::{RecordResult, RecordStatus};
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
    #[error("a worker name must be 1 to 64 characters")]
    BadWorkerName,
    #[error("the database lock was poisoned by a panic")]
    Poisoned,
}

/// A worker as the API sees it once the token is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkerId(pub i64);

pub struct Store {
    conn: Mutex<Connection>,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS workers (
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
);
CREATE INDEX IF NOT EXISTS records_by_worker ON records(worker_id);
";

impl Store {
    /// Opens (creating if needed) the database file and brings the schema up to date.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.execute_batch(SCHEMA)?;
        Ok(Store {
            conn: Mutex::new(conn),
        })
    }

    fn conn(&self) -> Result<MutexGuard<'_, Connection>, StoreError> {
        self.conn.lock().map_err(|_| StoreError::Poisoned)
    }

    /// Creates a worker and returns its token, which is not stored and cannot be shown again.
    pub fn add_worker(&self, name: &str) -> Result<String, StoreError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 64 {
            return Err(StoreError::BadWorkerName);
        }
        let token = token::generate().map_err(|e| StoreError::Random(e.to_string()))?;
        let conn = self.conn()?;
        let inserted = conn.execute(
            "INSERT INTO workers (name, token_hash, created_ms) VALUES (?1, ?2, ?3)
             ON CONFLICT(name) DO NOTHING",
            params![name, token::hash(&token), now_ms()],
        )?;
        if inserted == 0 {
            return Err(StoreError::WorkerExists(name.to_owned()));
        }
        Ok(token)
    }

    /// The worker owning an (unrevoked) token.
    pub fn worker_for_token(&self, token: &str) -> Result<Option<WorkerId>, StoreError> {
        let conn = self.conn()?;
        let id = conn
            .query_row(
                "SELECT id FROM workers WHERE token_hash = ?1 AND revoked_ms IS NULL",
                params![token::hash(token)],
                |row| row.get(0),
            )
            .optional()?;
        Ok(id.map(WorkerId))
    }

    /// Stores a batch of valid records for one worker in one transaction.
    ///
    /// Per record: new id → stored; same id with the same canonical content from the same
    /// worker → duplicate (nothing changes); anything else under a known id → conflict,
    /// never an overwrite. Returns only after the commit.
    pub fn store_batch(
        &self,
        worker: WorkerId,
        records: &[Contact],
    ) -> Result<Vec<RecordResult>, StoreError> {
        let mut conn = self.conn()?;
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let received = now_ms();
        let mut results = Vec::with_capacity(records.len());
        for record in records {
            let canonical = record.clone().normalized();
            let body = serde_json::to_string(&canonical)?;
            let id = record.id.to_string();
            let existing: Option<(i64, String)> = tx
                .query_row(
                    "SELECT worker_id, body FROM records WHERE id = ?1",
                    params![id],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .optional()?;
            let status = match existing {
                None => {
                    tx.execute(
                        "INSERT INTO records (id, worker_id, body, received_ms) VALUES (?1, ?2, ?3, ?4)",
                        params![id, worker.0, body, received],
                    )?;
                    RecordStatus::Stored
                }
                Some((owner, stored)) if owner == worker.0 && stored == body => {
                    RecordStatus::Duplicate
                }
                Some(_) => RecordStatus::Conflict,
            };
            results.push(RecordResult {
                id: record.id,
                status,
            });
        }
        tx.commit()?;
        Ok(results)
    }

    /// Ids of the records the server holds for one worker, oldest first.
    pub fn record_ids(&self, worker: WorkerId) -> Result<Vec<Uuid>, StoreError> {
        let conn = self.conn()?;
        let mut stmt =
            conn.prepare("SELECT id FROM records WHERE worker_id = ?1 ORDER BY received_ms, id")?;
        let ids = stmt
            .query_map(params![worker.0], |row| row.get::<_, String>(0))?
            .filter_map(|id| id.ok().and_then(|s| Uuid::parse_str(&s).ok()))
            .collect();
        Ok(ids)
    }
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
