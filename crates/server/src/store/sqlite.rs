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
//!
//! The batch path's statements are this backend's own: in-process, one cached statement
//! per record costs no round trip, and SQLite has no arrays to send a batch's ids in one
//! (PostgreSQL's path does, see [`super::postgres`]).

use std::collections::VecDeque;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError};
use std::time::Duration;

use carnet_core::wire::RecordResult;
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{
    Connection, OpenFlags, OptionalExtension, TransactionBehavior, params, params_from_iter,
};
use tokio::sync::{Mutex, oneshot};

use super::batch::{self, Held, Prepared};
use super::migrations::MIGRATIONS;
use super::sql::{Cell, Conn, Op, Param, Row, Sql, at_once};
use super::{DEFAULT_WAIT, StoreError, TaxonomyCache, WorkerId, accounts};

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
        let mut writer = Connection::open(path)?;
        writer.busy_timeout(options.wait)?;
        writer.pragma_update(None, "journal_mode", "WAL")?;
        writer.pragma_update(None, "synchronous", "FULL")?;
        writer.pragma_update(None, "foreign_keys", "ON")?;
        if let Some(pages) = options.max_pages {
            writer.pragma_update(None, "max_page_count", pages)?;
        }
        migrate(&writer)?;
        at_once(Box::pin(accounts::make_person_code_key(&mut writer)))?;
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

    /// Runs `f` on the writer thread, in turn with the other writes.
    async fn on_writer<T: Send + 'static>(
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
    async fn on_reader<T: Send + 'static>(
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

    pub(crate) fn taxonomy_cache(&self) -> &TaxonomyCache {
        &self.inner.taxonomy
    }

    /// Runs an operation on a read connection, each statement on its own.
    pub(crate) async fn read<T: Send + 'static>(
        &self,
        op: impl for<'c> FnOnce(&'c mut Connection) -> Op<'c, T> + Send + 'static,
    ) -> Result<T, StoreError> {
        self.on_reader(move |c| at_once(op(c))).await
    }

    /// Runs an operation in one read transaction on a read connection: one snapshot.
    pub(crate) async fn snapshot<T: Send + 'static>(
        &self,
        op: impl for<'c> FnOnce(&'c mut Connection) -> Op<'c, T> + Send + 'static,
    ) -> Result<T, StoreError> {
        self.on_reader(move |c| in_transaction(c, "BEGIN", op))
            .await
    }

    /// Runs an operation in one IMMEDIATE transaction on the writer: the file's write lock
    /// is taken at once, so nothing comes between what the operation reads and writes.
    pub(crate) async fn write<T: Send + 'static>(
        &self,
        op: impl for<'c> FnOnce(&'c mut Connection) -> Op<'c, T> + Send + 'static,
    ) -> Result<T, StoreError> {
        self.on_writer(move |c| in_transaction(c, "BEGIN IMMEDIATE", op))
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
            .on_reader(move |c| {
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

    /// Runs `f` inside one read transaction (a consistent snapshot of the whole file), on
    /// a read connection: `migrate-to-postgres` copies from it.
    pub async fn dump<T: Send + 'static>(
        &self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        self.on_reader(move |c| {
            let tx = c.transaction()?;
            f(&tx)
        })
        .await
    }
}

/// Runs `op` between `begin` and `COMMIT`; rolls back when it fails.
fn in_transaction<T>(
    conn: &mut Connection,
    begin: &str,
    op: impl for<'c> FnOnce(&'c mut Connection) -> Op<'c, T>,
) -> Result<T, StoreError> {
    conn.execute_batch(begin)?;
    let done = at_once(op(conn)).and_then(|value| {
        conn.execute_batch("COMMIT")?;
        Ok(value)
    });
    if done.is_err() && !conn.is_autocommit() {
        let _ = conn.execute_batch("ROLLBACK");
    }
    done
}

impl rusqlite::ToSql for Param {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        match self {
            Param::Int(v) => v.to_sql(),
            Param::Text(v) => v.to_sql(),
            Param::Bool(v) => v.to_sql(),
        }
    }
}

/// A value SQLite answered with.
fn cell(value: ValueRef<'_>) -> Result<Cell, StoreError> {
    match value {
        ValueRef::Null => Ok(Cell::Null),
        ValueRef::Integer(v) => Ok(Cell::Int(v)),
        ValueRef::Text(bytes) => String::from_utf8(bytes.to_vec())
            .map(Cell::Text)
            .map_err(|e| StoreError::OutOfRange(format!("text that is not UTF-8: {e}"))),
        ValueRef::Real(_) | ValueRef::Blob(_) => Err(StoreError::OutOfRange(
            "a column of a type the store never writes".into(),
        )),
    }
}

/// SQLite's connection is blocking: each statement is done by the time its future exists.
impl Conn for Connection {
    fn query(
        &mut self,
        sql: &'static Sql,
        params: Vec<Param>,
    ) -> impl Future<Output = Result<Vec<Row>, StoreError>> + Send {
        let rows = (|| {
            let mut stmt = self.prepare_cached(&sql.sqlite())?;
            let columns = stmt.column_count();
            let mut found = stmt.query(params_from_iter(params.iter()))?;
            let mut rows = Vec::new();
            while let Some(row) = found.next()? {
                let cells = (0..columns)
                    .map(|i| cell(row.get_ref(i)?))
                    .collect::<Result<_, StoreError>>()?;
                rows.push(Row(cells));
            }
            Ok(rows)
        })();
        std::future::ready(rows)
    }

    fn execute(
        &mut self,
        sql: &'static Sql,
        params: Vec<Param>,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send {
        let changed = (|| {
            let changed = self
                .prepare_cached(&sql.sqlite())?
                .execute(params_from_iter(params.iter()))?;
            Ok(changed as u64)
        })();
        std::future::ready(changed)
    }
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
        "INSERT INTO records (id, version, worker_id, deleted, body, received_ms, local_date)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for &i in &decision.inserts {
        let r = &batch[i];
        insert.execute(params![
            r.id,
            r.version,
            worker.0,
            r.deleted,
            r.body,
            received_ms,
            r.local_date
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
                // A panic drops the reply: that caller gets an error, the writer goes on,
                // without the transaction the panic left open.
                let _ = catch_unwind(AssertUnwindSafe(|| f(&mut conn)));
                if !conn.is_autocommit() {
                    let _ = conn.execute_batch("ROLLBACK");
                }
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
