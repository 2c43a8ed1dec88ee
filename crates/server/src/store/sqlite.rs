//! The SQLite backend: one file in WAL mode.
//!
//! One writer connection, owned by a writer thread, and a few read connections, so a long
//! report, an `import` in another process or a backup never stalls the readers, and
//! readers never stall the writer. `synchronous = FULL` on the writer: a commit is on disk
//! before we acknowledge.
//!
//! Group commit: batches that arrive while the writer is busy wait in its queue; the
//! writer then stores all of them in one transaction (each in its own savepoint, with the
//! same rules as one by one) and pays for one `fsync` instead of one per batch. Every
//! batch is acknowledged only after that commit. A batch whose records the server holds
//! already (a resend after a lost answer) is answered from a read connection without
//! taking the writer: stored records never change, so a read that finds them is final.
//!
//! Every wait is bounded: a full queue is refused at once, the answer is awaited at most
//! twice [`SqliteOptions::wait`], SQLite's own lock at most `wait` (`busy_timeout`); past
//! any of them the request fails as [`StoreError::Unavailable`]. rusqlite is blocking, so
//! reads run on tokio's blocking pool.

use std::collections::VecDeque;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError};
use std::time::Duration;

use carnet_core::Taxonomy;
use carnet_core::wire::RecordResult;
use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params};
use tokio::sync::{Mutex, oneshot};

use super::batch::{self, Held, Prepared};
use super::migrations::MIGRATIONS;
use super::{
    AuditRow, Change, Counts, DEFAULT_WAIT, DeviceRow, RevokedDevice, Role, StoreError,
    StoredVersion, TaxonomyCache, TokenRow, WorkerId, WorkerRow, new_person_code_key, now_ms,
};
use carnet_core::wire::AuditAction;

/// Tuning of the SQLite backend.
#[derive(Debug, Clone)]
pub struct SqliteOptions {
    /// Longest wait for a connection and for SQLite's write lock, each.
    pub wait: Duration,
    /// Read connections beside the writer.
    pub readers: usize,
    /// Caps the file's size in pages of 4 KiB (`PRAGMA max_page_count`); writes past it
    /// fail as a full disk would. `None`: no cap.
    pub max_pages: Option<u64>,
}

impl Default for SqliteOptions {
    fn default() -> Self {
        SqliteOptions {
            wait: DEFAULT_WAIT,
            readers: 4,
            max_pages: None,
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(err: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode::*;
        match &err {
            rusqlite::Error::SqliteFailure(e, _)
                if matches!(
                    e.code,
                    DatabaseBusy
                        | DatabaseLocked
                        | DiskFull
                        | SystemIoFailure
                        | ReadOnly
                        | CannotOpen
                        | OutOfMemory
                ) =>
            {
                StoreError::Unavailable(err.to_string())
            }
            _ => StoreError::Sqlite(err),
        }
    }
}

type Shared = Arc<Mutex<Connection>>;

/// Writes waiting for the writer beyond this are refused (`503`) rather than queued.
const QUEUE: usize = 1024;

/// Records stored in one group commit at most: enough to share one fsync among ten batches,
/// small enough that a batch arriving just after a group started does not wait long.
const GROUP_RECORDS: usize = 1_000;

type Reply<T> = oneshot::Sender<Result<T, StoreError>>;

/// Work for the writer thread.
enum Job {
    /// A batch of records: may share a transaction with other batches.
    Batch {
        worker: WorkerId,
        batch: Vec<Prepared>,
        received_ms: i64,
        reply: Reply<Vec<RecordResult>>,
    },
    /// Any other write, alone in its transaction.
    Run(Box<dyn FnOnce(&mut Connection) + Send>),
}

#[derive(Clone)]
pub struct SqliteStore {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    jobs: SyncSender<Job>,
    readers: Vec<Shared>,
    next_reader: AtomicUsize,
    wait: Duration,
    taxonomy: TaxonomyCache,
}

impl SqliteStore {
    /// Opens (creating if needed) the database file and brings the schema up to date.
    pub fn open(path: &Path, options: SqliteOptions) -> Result<Self, StoreError> {
        let writer = Connection::open(path)?;
        writer.busy_timeout(options.wait)?;
        writer.pragma_update(None, "journal_mode", "WAL")?;
        writer.pragma_update(None, "synchronous", "FULL")?;
        writer.pragma_update(None, "foreign_keys", "ON")?;
        if let Some(pages) = options.max_pages {
            writer.pragma_update(None, "max_page_count", pages)?;
        }
        migrate(&writer)?;
        writer.execute(
            "INSERT INTO settings (name, value) VALUES ('person_code_key', ?1)
             ON CONFLICT(name) DO NOTHING",
            params![new_person_code_key()?],
        )?;
        let mut readers = Vec::with_capacity(options.readers.max(1));
        for _ in 0..options.readers.max(1) {
            let reader = Connection::open_with_flags(
                path,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )?;
            reader.busy_timeout(options.wait)?;
            readers.push(Arc::new(Mutex::new(reader)));
        }
        let (jobs, queue) = std::sync::mpsc::sync_channel(QUEUE);
        std::thread::Builder::new()
            .name("carnet-sqlite-writer".into())
            .spawn(move || write_loop(writer, queue))
            .map_err(|e| StoreError::Task(e.to_string()))?;
        Ok(SqliteStore {
            inner: Arc::new(Inner {
                path: path.to_owned(),
                jobs,
                readers,
                next_reader: AtomicUsize::new(0),
                wait: options.wait,
                taxonomy: TaxonomyCache::new(),
            }),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Runs `f` on a connection on the blocking pool, after a bounded wait for it.
    async fn on<T: Send + 'static>(
        &self,
        conn: Shared,
        f: impl FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let mut guard = tokio::time::timeout(self.inner.wait, conn.lock_owned())
            .await
            .map_err(|_| StoreError::Unavailable("waited too long for the database".into()))?;
        tokio::task::spawn_blocking(move || f(&mut guard))
            .await
            .map_err(|e| StoreError::Task(e.to_string()))?
    }

    /// Hands a job to the writer thread and awaits its answer, within bounds.
    async fn send<T>(
        &self,
        job: Job,
        answer: oneshot::Receiver<Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
        match self.inner.jobs.try_send(job) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                return Err(StoreError::Unavailable("too many writes waiting".into()));
            }
            Err(TrySendError::Disconnected(_)) => {
                return Err(StoreError::Unavailable(
                    "the database writer stopped".into(),
                ));
            }
        }
        match tokio::time::timeout(self.inner.wait * 2, answer).await {
            Ok(Ok(result)) => result,
            Ok(Err(_)) => Err(StoreError::Task(
                "the database writer dropped a write".into(),
            )),
            Err(_) => Err(StoreError::Unavailable(
                "waited too long for the database writer".into(),
            )),
        }
    }

    async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let (reply, answer) = oneshot::channel();
        let job = Job::Run(Box::new(move |conn| {
            let _ = reply.send(f(conn));
        }));
        self.send(job, answer).await
    }

    /// On a free read connection if there is one, else on the next in turn.
    async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let readers = &self.inner.readers;
        let free = readers.iter().find(|r| r.try_lock().is_ok()).cloned();
        let conn = free.unwrap_or_else(|| {
            let i = self.inner.next_reader.fetch_add(1, Ordering::Relaxed);
            readers[i % readers.len()].clone()
        });
        self.on(conn, f).await
    }

    pub(crate) async fn person_code_key(&self) -> Result<String, StoreError> {
        self.read(|c| {
            Ok(c.query_row(
                "SELECT value FROM settings WHERE name = 'person_code_key'",
                [],
                |row| row.get(0),
            )?)
        })
        .await
    }

    pub(crate) async fn taxonomy(&self) -> Result<Arc<Taxonomy>, StoreError> {
        let latest: Option<i64> = self
            .read(|c| Ok(c.query_row("SELECT MAX(version) FROM taxonomies", [], |r| r.get(0))?))
            .await?;
        if let Some(cached) = self.inner.taxonomy.get(latest) {
            return Ok(cached);
        }
        let document: Option<String> = match latest {
            None => None,
            Some(v) => {
                self.read(move |c| {
                    Ok(c.query_row(
                        "SELECT document FROM taxonomies WHERE version = ?1",
                        params![v],
                        |r| r.get(0),
                    )
                    .optional()?)
                })
                .await?
            }
        };
        self.inner.taxonomy.put(latest, document.as_deref())
    }

    pub(crate) async fn insert_taxonomy(
        &self,
        version: u32,
        document: String,
    ) -> Result<bool, StoreError> {
        self.write(move |c| {
            Ok(c.execute(
                "INSERT INTO taxonomies (version, document, loaded_ms) VALUES (?1, ?2, ?3)
                 ON CONFLICT(version) DO NOTHING",
                params![version, document, now_ms()],
            )? == 1)
        })
        .await
    }

    pub(crate) async fn insert_worker(
        &self,
        name: String,
        unused_hash: String,
        role: Role,
        device: Option<(String, String)>,
        actor: String,
        now: i64,
    ) -> Result<bool, StoreError> {
        self.write(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let worker: Option<i64> = tx
                .query_row(
                    "INSERT INTO workers (name, token_hash, created_ms, role) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT(name) DO NOTHING RETURNING id",
                    params![name, unused_hash, now, role.as_str()],
                    |row| row.get(0),
                )
                .optional()?;
            let Some(worker) = worker else {
                return Ok(false);
            };
            audit(&tx, now, &actor, AuditAction::WorkerAdded, Some(&name), None, Some(role.as_str()))?;
            if let Some((hash, label)) = device {
                tx.execute(
                    "INSERT INTO devices (hash, worker_id, label, created_ms) VALUES (?1, ?2, ?3, ?4)",
                    params![hash, worker, label, now],
                )?;
            }
            tx.commit()?;
            Ok(true)
        })
        .await
    }

    pub(crate) async fn worker_name(&self, worker: WorkerId) -> Result<String, StoreError> {
        self.read(move |c| {
            Ok(c.query_row(
                "SELECT name FROM workers WHERE id = ?1",
                params![worker.0],
                |row| row.get(0),
            )?)
        })
        .await
    }

    pub(crate) async fn token_row(&self, hash: String) -> Result<Option<TokenRow>, StoreError> {
        self.read(move |c| {
            Ok(c.prepare_cached(
                "SELECT d.id, w.id, w.role, d.created_ms, d.last_seen_ms,
                        (SELECT value FROM settings WHERE name = 'device_expiry_days')
                 FROM devices d JOIN workers w ON w.id = d.worker_id
                 WHERE d.hash = ?1 AND d.revoked_ms IS NULL AND w.revoked_ms IS NULL",
            )?
            .query_row(params![hash], |row| {
                Ok(TokenRow {
                    device: row.get(0)?,
                    worker: row.get(1)?,
                    role: row.get(2)?,
                    created_ms: row.get(3)?,
                    last_seen_ms: row.get(4)?,
                    expiry: row.get(5)?,
                })
            })
            .optional()?)
        })
        .await
    }

    pub(crate) async fn touch_device(&self, device: i64, now: i64) -> Result<(), StoreError> {
        self.write(move |c| {
            c.execute(
                "UPDATE devices SET last_seen_ms = ?2
                 WHERE id = ?1 AND (last_seen_ms IS NULL OR last_seen_ms < ?2)",
                params![device, now],
            )?;
            Ok(())
        })
        .await
    }

    pub(crate) async fn revoke_worker(
        &self,
        name: String,
        actor: String,
        now: i64,
        keep_a_coordinator: bool,
    ) -> Result<Change, StoreError> {
        self.write(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let Some((worker, role)) = active_worker(&tx, &name)? else {
                return Ok(Change::NoSuchWorker);
            };
            if keep_a_coordinator && role == "coordinator" && other_coordinators(&tx, worker)? == 0
            {
                return Ok(Change::LastCoordinator);
            }
            tx.execute(
                "UPDATE workers SET revoked_ms = ?2 WHERE id = ?1",
                params![worker, now],
            )?;
            tx.execute(
                "UPDATE devices SET revoked_ms = ?2 WHERE worker_id = ?1 AND revoked_ms IS NULL",
                params![worker, now],
            )?;
            audit(
                &tx,
                now,
                &actor,
                AuditAction::WorkerRevoked,
                Some(&name),
                None,
                None,
            )?;
            tx.commit()?;
            Ok(Change::Done)
        })
        .await
    }

    pub(crate) async fn set_role(
        &self,
        name: String,
        role: Role,
        actor: String,
        now: i64,
        keep_a_coordinator: bool,
    ) -> Result<Change, StoreError> {
        self.write(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let Some((worker, current)) = active_worker(&tx, &name)? else {
                return Ok(Change::NoSuchWorker);
            };
            if current == role.as_str() {
                return Ok(Change::Unchanged);
            }
            if keep_a_coordinator && role == Role::Worker && other_coordinators(&tx, worker)? == 0 {
                return Ok(Change::LastCoordinator);
            }
            tx.execute(
                "UPDATE workers SET role = ?2 WHERE id = ?1",
                params![worker, role.as_str()],
            )?;
            audit(
                &tx,
                now,
                &actor,
                AuditAction::RoleChanged,
                Some(&name),
                None,
                Some(role.as_str()),
            )?;
            tx.commit()?;
            Ok(Change::Done)
        })
        .await
    }

    pub(crate) async fn revoke_device(
        &self,
        device: i64,
        actor: String,
        now: i64,
    ) -> Result<Option<RevokedDevice>, StoreError> {
        self.write(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let found: Option<(String, String, Option<i64>)> = tx
                .query_row(
                    "SELECT w.name, d.label, d.revoked_ms FROM devices d
                     JOIN workers w ON w.id = d.worker_id WHERE d.id = ?1",
                    params![device],
                    |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
                )
                .optional()?;
            let Some((worker, label, revoked)) = found else {
                return Ok(None);
            };
            let changed = revoked.is_none();
            if changed {
                tx.execute(
                    "UPDATE devices SET revoked_ms = ?2 WHERE id = ?1",
                    params![device, now],
                )?;
                audit(
                    &tx,
                    now,
                    &actor,
                    AuditAction::DeviceRevoked,
                    Some(&worker),
                    Some(device),
                    Some(&label),
                )?;
                tx.commit()?;
            }
            Ok(Some(RevokedDevice {
                worker,
                label,
                changed,
            }))
        })
        .await
    }

    pub(crate) async fn insert_pairing_code(
        &self,
        name: String,
        hash: String,
        expires_ms: i64,
        actor: String,
        now: i64,
    ) -> Result<bool, StoreError> {
        self.write(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let inserted = tx.execute(
                "INSERT INTO pairing_codes (hash, worker_id, expires_ms)
                 SELECT ?2, id, ?3 FROM workers WHERE name = ?1 AND revoked_ms IS NULL",
                params![name, hash, expires_ms],
            )? == 1;
            if inserted {
                audit(
                    &tx,
                    now,
                    &actor,
                    AuditAction::CodeIssued,
                    Some(&name),
                    None,
                    None,
                )?;
                tx.commit()?;
            }
            Ok(inserted)
        })
        .await
    }

    pub(crate) async fn redeem_pairing_code(
        &self,
        code_hash: String,
        token_hash: String,
        label: String,
        now: i64,
    ) -> Result<Option<(i64, i64)>, StoreError> {
        self.write(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let worker: Option<(i64, String)> = tx
                .query_row(
                    "UPDATE pairing_codes SET used_ms = ?2
                     WHERE hash = ?1 AND used_ms IS NULL AND expires_ms > ?2
                       AND worker_id IN (SELECT id FROM workers WHERE revoked_ms IS NULL)
                     RETURNING worker_id, (SELECT name FROM workers WHERE id = worker_id)",
                    params![code_hash, now],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .optional()?;
            let Some((worker, name)) = worker else {
                return Ok(None);
            };
            let device: i64 = tx.query_row(
                "INSERT INTO devices (hash, worker_id, label, created_ms, last_seen_ms)
                 VALUES (?1, ?2, ?3, ?4, ?4) RETURNING id",
                params![token_hash, worker, label, now],
                |row| row.get(0),
            )?;
            audit(
                &tx,
                now,
                &name,
                AuditAction::DevicePaired,
                Some(&name),
                Some(device),
                Some(&label),
            )?;
            tx.commit()?;
            Ok(Some((worker, device)))
        })
        .await
    }

    pub(crate) async fn account_rows(
        &self,
    ) -> Result<(Vec<WorkerRow>, Vec<DeviceRow>), StoreError> {
        self.read(|c| {
            let tx = c.transaction()?;
            let workers = tx
                .prepare(
                    "SELECT id, name, role, created_ms, revoked_ms FROM workers ORDER BY name",
                )?
                .query_map([], |row| {
                    Ok(WorkerRow {
                        id: row.get(0)?,
                        name: row.get(1)?,
                        role: row.get(2)?,
                        created_ms: row.get(3)?,
                        revoked_ms: row.get(4)?,
                    })
                })?
                .collect::<Result<Vec<_>, _>>()?;
            let devices = tx
                .prepare(
                    "SELECT id, worker_id, label, created_ms, last_seen_ms, revoked_ms
                     FROM devices ORDER BY id",
                )?
                .query_map([], |row| {
                    Ok(DeviceRow {
                        id: row.get(0)?,
                        worker: row.get(1)?,
                        label: row.get(2)?,
                        created_ms: row.get(3)?,
                        last_seen_ms: row.get(4)?,
                        revoked_ms: row.get(5)?,
                    })
                })?
                .collect::<Result<Vec<_>, _>>()?;
            Ok((workers, devices))
        })
        .await
    }

    pub(crate) async fn audit_rows(
        &self,
        limit: i64,
        before: Option<i64>,
    ) -> Result<Vec<AuditRow>, StoreError> {
        self.read(move |c| {
            let rows = c
                .prepare_cached(
                    "SELECT id, at_ms, actor, action, worker, device_id, detail FROM audit
                     WHERE (?1 IS NULL OR id < ?1) ORDER BY id DESC LIMIT ?2",
                )?
                .query_map(params![before, limit], |row| {
                    Ok(AuditRow {
                        id: row.get(0)?,
                        at_ms: row.get(1)?,
                        actor: row.get(2)?,
                        action: row.get(3)?,
                        worker: row.get(4)?,
                        device_id: row.get(5)?,
                        detail: row.get(6)?,
                    })
                })?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
        .await
    }

    pub(crate) async fn setting_rows(&self) -> Result<Vec<(String, String)>, StoreError> {
        self.read(|c| {
            let rows = c
                .prepare_cached(
                    "SELECT name, value FROM settings
                     WHERE name IN ('device_expiry_days', 'retention_days')",
                )?
                .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
        .await
    }

    pub(crate) async fn set_setting(
        &self,
        key: &'static str,
        value: String,
        actor: String,
        now: i64,
    ) -> Result<(), StoreError> {
        self.write(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.execute(
                "INSERT INTO settings (name, value) VALUES (?1, ?2)
                 ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                params![key, value],
            )?;
            let detail = format!("{key}={value}");
            audit(
                &tx,
                now,
                &actor,
                AuditAction::SettingChanged,
                None,
                None,
                Some(&detail),
            )?;
            tx.commit()?;
            Ok(())
        })
        .await
    }

    pub(crate) async fn worker_by_name(
        &self,
        name: String,
    ) -> Result<Option<WorkerId>, StoreError> {
        self.read(move |c| {
            let id = c
                .query_row(
                    "SELECT id FROM workers WHERE name = ?1",
                    params![name],
                    |row| row.get(0),
                )
                .optional()?;
            Ok(id.map(WorkerId))
        })
        .await
    }

    pub(crate) async fn workers(&self) -> Result<Vec<(WorkerId, String)>, StoreError> {
        self.read(|c| {
            let mut stmt = c.prepare("SELECT id, name FROM workers ORDER BY name")?;
            let rows = stmt
                .query_map([], |row| Ok((WorkerId(row.get(0)?), row.get(1)?)))?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
        .await
    }

    pub(crate) async fn latest_bodies(
        &self,
        worker: Option<WorkerId>,
    ) -> Result<Vec<(WorkerId, String)>, StoreError> {
        self.read(move |c| {
            let mut stmt = c.prepare(
                "SELECT r.worker_id, r.body FROM records r
                 WHERE (?1 IS NULL OR r.worker_id = ?1)
                   AND r.version = (SELECT MAX(version) FROM records WHERE id = r.id)",
            )?;
            let rows = stmt
                .query_map(params![worker.map(|w| w.0)], |row| {
                    Ok((WorkerId(row.get(0)?), row.get::<_, String>(1)?))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
        .await
    }

    pub(crate) async fn store_batch(
        &self,
        worker: WorkerId,
        batch: Vec<Prepared>,
        received_ms: i64,
    ) -> Result<Vec<RecordResult>, StoreError> {
        // A resend is decided on a read connection: what it finds stored is final, and
        // durable (with `synchronous = FULL` SQLite syncs the WAL before a commit becomes
        // visible to readers).
        let (batch, decision) = self
            .read(move |c| {
                let held = lookup(c, &batch)?;
                let decision = batch::decide(worker.0, &batch, held);
                Ok((batch, decision))
            })
            .await?;
        if decision.inserts.is_empty() {
            return Ok(batch::results(&batch, &decision.statuses));
        }
        let (reply, answer) = oneshot::channel();
        let job = Job::Batch {
            worker,
            batch,
            received_ms,
            reply,
        };
        self.send(job, answer).await
    }

    pub(crate) async fn latest_versions(
        &self,
        worker: WorkerId,
    ) -> Result<Vec<StoredVersion>, StoreError> {
        self.read(move |c| {
            let mut stmt = c.prepare(
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
                        id: uuid::Uuid::parse_str(&id).ok()?,
                        version,
                        deleted,
                    })
                })
                .collect())
        })
        .await
    }

    pub(crate) async fn version_bodies(
        &self,
        worker: WorkerId,
        id: String,
    ) -> Result<Vec<String>, StoreError> {
        self.read(move |c| {
            let mut stmt = c.prepare(
                "SELECT body FROM records WHERE worker_id = ?1 AND id = ?2 ORDER BY version",
            )?;
            let bodies = stmt
                .query_map(params![worker.0, id], |row| row.get::<_, String>(0))?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(bodies)
        })
        .await
    }

    pub(crate) async fn counts(&self) -> Result<Counts, StoreError> {
        self.read(|c| {
            // One read transaction: the counts are of one moment.
            let tx = c.transaction()?;
            let count = |table: &str| -> Result<i64, StoreError> {
                Ok(tx.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))?)
            };
            let counts = Counts {
                workers: count("workers")?,
                devices: count("devices")?,
                pairing_codes: count("pairing_codes")?,
                records: count("records")?,
                record_owners: count("record_owners")?,
                taxonomies: count("taxonomies")?,
                settings: count("settings")?,
                audit: count("audit")?,
            };
            Ok(counts)
        })
        .await
    }

    /// Runs `f` inside one read transaction (a consistent snapshot of the whole file), on
    /// a read connection: `migrate-to-postgres` copies from it.
    pub async fn snapshot<T: Send + 'static>(
        &self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        self.read(move |c| {
            let tx = c.transaction()?;
            f(&tx)
        })
        .await
    }
}

/// Writes one audit entry, inside the caller's transaction.
fn audit(
    tx: &Connection,
    at: i64,
    actor: &str,
    action: AuditAction,
    worker: Option<&str>,
    device: Option<i64>,
    detail: Option<&str>,
) -> Result<(), StoreError> {
    tx.prepare_cached(
        "INSERT INTO audit (at_ms, actor, action, worker, device_id, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![at, actor, action.as_str(), worker, device, detail])?;
    Ok(())
}

/// An active worker's id and role by name.
fn active_worker(tx: &Connection, name: &str) -> Result<Option<(i64, String)>, StoreError> {
    Ok(tx
        .query_row(
            "SELECT id, role FROM workers WHERE name = ?1 AND revoked_ms IS NULL",
            params![name],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?)
}

/// Active coordinators other than `worker`.
fn other_coordinators(tx: &Connection, worker: i64) -> Result<i64, StoreError> {
    Ok(tx.query_row(
        "SELECT COUNT(*) FROM workers
         WHERE role = 'coordinator' AND revoked_ms IS NULL AND id <> ?1",
        params![worker],
        |row| row.get(0),
    )?)
}

/// What the database holds for a batch's ids: one lookup per distinct id, and one per
/// (id, version) of an id that exists.
fn lookup(conn: &Connection, batch: &[Prepared]) -> Result<Held, StoreError> {
    let mut held = Held::default();
    let mut owner = conn.prepare_cached("SELECT worker_id FROM record_owners WHERE id = ?1")?;
    let mut body =
        conn.prepare_cached("SELECT body FROM records WHERE id = ?1 AND version = ?2")?;
    let mut looked = std::collections::HashSet::new();
    for record in batch {
        if looked.insert(record.id.as_str())
            && let Some(w) = owner
                .query_row(params![record.id], |r| r.get::<_, i64>(0))
                .optional()?
        {
            held.owners.insert(record.id.clone(), w);
        }
        let key = (record.id.clone(), record.version);
        if held.owners.contains_key(&record.id)
            && !held.bodies.contains_key(&key)
            && let Some(b) = body
                .query_row(params![record.id, record.version], |r| {
                    r.get::<_, String>(0)
                })
                .optional()?
        {
            held.bodies.insert(key, b);
        }
    }
    Ok(held)
}

/// One batch inside the group's transaction: decide on what the transaction sees (the
/// database plus the batches before it in the group), then insert.
fn store_one(
    tx: &Connection,
    worker: WorkerId,
    batch: &[Prepared],
    received_ms: i64,
) -> Result<Vec<RecordResult>, StoreError> {
    let decision = batch::decide(worker.0, batch, lookup(tx, batch)?);
    let mut own = tx.prepare_cached("INSERT INTO record_owners (id, worker_id) VALUES (?1, ?2)")?;
    for &i in &decision.new_owners {
        own.execute(params![batch[i].id, worker.0])?;
    }
    let mut insert = tx.prepare_cached(
        "INSERT INTO records (id, version, worker_id, deleted, body, received_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for &i in &decision.inserts {
        let r = &batch[i];
        insert.execute(params![
            r.id,
            r.version,
            worker.0,
            r.deleted,
            r.body,
            received_ms
        ])?;
    }
    Ok(batch::results(batch, &decision.statuses))
}

/// A batch waiting in the writer's queue.
struct Pending {
    worker: WorkerId,
    batch: Vec<Prepared>,
    received_ms: i64,
    reply: Reply<Vec<RecordResult>>,
}

/// The same failure, for each batch of a group that shares it.
fn shared(err: &StoreError) -> StoreError {
    if err.is_unavailable() {
        StoreError::Unavailable(err.to_string())
    } else {
        StoreError::Task(err.to_string())
    }
}

/// Stores a group of batches in one IMMEDIATE transaction (the write lock is taken at once,
/// so no other writer, even in another process, comes between the reads that decide and
/// the inserts), each batch in a savepoint: a batch that fails is rolled back alone and
/// answered with its error; the others are answered once the commit is durable.
fn store_group(conn: &mut Connection, group: Vec<Pending>) {
    let mut tx = match conn.transaction_with_behavior(TransactionBehavior::Immediate) {
        Ok(tx) => tx,
        Err(err) => {
            let err = StoreError::from(err);
            for p in group {
                let _ = p.reply.send(Err(shared(&err)));
            }
            return;
        }
    };
    let mut outcomes = Vec::with_capacity(group.len());
    for p in &group {
        let outcome = match tx.savepoint() {
            Ok(mut sp) => match store_one(&sp, p.worker, &p.batch, p.received_ms) {
                Ok(results) => sp.commit().map(|()| results).map_err(StoreError::from),
                Err(err) => {
                    let _ = sp.rollback();
                    Err(err)
                }
            },
            Err(err) => Err(err.into()),
        };
        if let Err(err) = &outcome
            && tx.is_autocommit()
        {
            // SQLite rolled the whole transaction back by itself (a full disk, an I/O
            // error): the batches before this one are gone too. Nobody is answered
            // `stored`; everything is refused and nothing is committed.
            let err = shared(err);
            for p in group {
                let _ = p.reply.send(Err(shared(&err)));
            }
            return;
        }
        outcomes.push(outcome);
    }
    let committed = tx.commit().map_err(StoreError::from);
    for (p, outcome) in group.into_iter().zip(outcomes) {
        let answer = match &committed {
            Ok(()) => outcome,
            Err(err) => Err(shared(err)),
        };
        let _ = p.reply.send(answer);
    }
}

/// The writer thread: takes jobs in order; batches waiting together share one commit.
fn write_loop(mut conn: Connection, jobs: Receiver<Job>) {
    let mut next: VecDeque<Job> = VecDeque::new();
    loop {
        let job = match next.pop_front() {
            Some(job) => job,
            None => match jobs.recv() {
                Ok(job) => job,
                Err(_) => return, // every store handle is gone
            },
        };
        match job {
            Job::Run(f) => {
                // A panic drops the reply: that caller gets an error, the writer goes on.
                let _ = catch_unwind(AssertUnwindSafe(|| f(&mut conn)));
            }
            Job::Batch {
                worker,
                batch,
                received_ms,
                reply,
            } => {
                let mut records = batch.len();
                let mut group = vec![Pending {
                    worker,
                    batch,
                    received_ms,
                    reply,
                }];
                while records < GROUP_RECORDS {
                    match jobs.try_recv() {
                        Ok(Job::Batch {
                            worker,
                            batch,
                            received_ms,
                            reply,
                        }) => {
                            records += batch.len();
                            group.push(Pending {
                                worker,
                                batch,
                                received_ms,
                                reply,
                            });
                        }
                        Ok(other) => {
                            next.push_back(other);
                            break;
                        }
                        Err(_) => break,
                    }
                }
                // A caller that gave up (timed out) is not waited for.
                group.retain(|p| !p.reply.is_closed());
                if !group.is_empty() {
                    let _ = catch_unwind(AssertUnwindSafe(|| store_group(&mut conn, group)));
                }
            }
        }
    }
}

/// Applies the missing steps in one IMMEDIATE transaction, so that two processes opening
/// a new file at once migrate it once.
fn migrate(conn: &Connection) -> Result<(), StoreError> {
    let tx = rusqlite::Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
    let applied: i64 = tx.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    let known = MIGRATIONS.len() as i64;
    if applied > known {
        return Err(StoreError::SchemaTooNew(applied));
    }
    for step in MIGRATIONS.iter().skip(applied as usize) {
        tx.execute_batch(step.sqlite)?;
    }
    if applied < known {
        tx.pragma_update(None, "user_version", known)?;
    }
    tx.commit()?;
    Ok(())
}
