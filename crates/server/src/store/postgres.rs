//! The PostgreSQL backend: a pool of `tokio-postgres` connections, for an organisation
//! whose IT wants a managed database or several app servers on one database.
//!
//! Several servers may write at once, so nothing relies on a single writer:
//! - a batch claims its new ids in `record_owners` (`INSERT … ON CONFLICT DO NOTHING`,
//!   sorted, so two batches sharing ids lock them in the same order), then reads what is
//!   held, decides with [`batch::decide`], and inserts with `ON CONFLICT (id, version) DO
//!   NOTHING`; a row another server inserted meanwhile is re-read and answered
//!   `duplicate` or `conflict`. The whole batch is one transaction; a deadlock or
//!   serialisation failure retries it. One shortcut before it, one statement outside any
//!   explicit transaction and so one round trip: it reads what is held for the batch and,
//!   when none of its ids is owned, claims them all and inserts the records (a resend is
//!   then answered from what it read: stored rows never change; an id claimed by another
//!   transaction meanwhile fails the statement whole, and the general path decides).
//! - a pairing code is spent by one `UPDATE … WHERE used_ms IS NULL … RETURNING`: the row
//!   lock makes the second server's update find nothing.
//! - `synchronous_commit = on` is set for every connection: a commit is flushed to the WAL
//!   before we acknowledge, whatever the server's default.
//!
//! The batch path's statements are this backend's own: each sends the whole batch's ids
//! as arrays (`unnest`), one round trip to the server for what SQLite, in-process, does
//! one cached statement per record.

use std::collections::HashSet;
use std::future::Future;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use carnet_core::wire::{RecordResult, RecordStatus};
use deadpool_postgres::{
    Client, GenericClient, Manager, ManagerConfig, Pool, PoolError, RecyclingMethod, Runtime,
    Transaction,
};
use tokio_postgres::NoTls;
use tokio_postgres::types::{ToSql, Type};

use super::batch::{self, Held, Prepared};
use super::migrations::MIGRATIONS;
use super::records;
use super::sql::{Cell, Conn, Op, Param, Row, Sql};
use super::{DEFAULT_WAIT, StoreError, TaxonomyCache, WorkerId, accounts, now_ms};

/// Connections per server process. PostgreSQL's default `max_connections` is 100: keep
/// (servers × this) under it.
pub const POOL_SIZE: usize = 16;

/// Any constant will do: it names the lock that serialises migrations across servers.
pub(crate) const MIGRATION_LOCK: i64 = 0x6361_726e_6574; // "carnet"

/// How many times a batch is retried after a deadlock or serialisation failure.
const RETRIES: usize = 5;

impl From<tokio_postgres::Error> for StoreError {
    fn from(err: tokio_postgres::Error) -> Self {
        let transient = match err.code() {
            Some(state) if ["40001", "40P01"].contains(&state.code()) => {
                return StoreError::Contention(err.to_string());
            }
            Some(state) => {
                let code = state.code();
                // connection, resources, operator intervention, system error, lock not
                // available, read-only replica.
                ["08", "53", "57", "58"].iter().any(|c| code.starts_with(c))
                    || ["55P03", "25006"].contains(&code)
            }
            None => {
                err.is_closed()
                    || std::error::Error::source(&err).is_some_and(|s| s.is::<std::io::Error>())
            }
        };
        if transient {
            StoreError::Unavailable(err.to_string())
        } else {
            StoreError::Postgres(err)
        }
    }
}

/// No connection could be had (PostgreSQL down, refusing connections, too many of them,
/// the pool's wait past): the request can be retried later.
impl From<PoolError> for StoreError {
    fn from(err: PoolError) -> Self {
        StoreError::Unavailable(format!("no connection to PostgreSQL: {err}"))
    }
}

#[derive(Clone)]
pub struct PgStore {
    pool: Pool,
    taxonomy: Arc<TaxonomyCache>,
}

impl PgStore {
    /// Connects (a pool, lazily filled), migrates under an advisory lock, and makes the
    /// person-code key if the database has none.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let pool = pool(url, POOL_SIZE)?;
        let mut client = pool.get().await?;
        let mut tx = client.transaction().await?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
            .await?;
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS carnet_schema (
                version    INTEGER PRIMARY KEY,
                applied_ms BIGINT NOT NULL
            )",
        )
        .await?;
        let applied: i32 = tx
            .query_one("SELECT COALESCE(MAX(version), 0) FROM carnet_schema", &[])
            .await?
            .get(0);
        let known = MIGRATIONS.len() as i32;
        if applied > known {
            return Err(StoreError::SchemaTooNew(i64::from(applied)));
        }
        for (step, version) in MIGRATIONS.iter().zip(1..).skip(applied as usize) {
            tx.batch_execute(step.postgres).await?;
            tx.execute(
                "INSERT INTO carnet_schema (version, applied_ms) VALUES ($1, $2)",
                &[&version, &now_ms()],
            )
            .await?;
        }
        accounts::make_person_code_key(&mut tx).await?;
        tx.commit().await?;
        drop(client);
        Ok(PgStore {
            pool,
            taxonomy: Arc::new(TaxonomyCache::new()),
        })
    }

    async fn client(&self) -> Result<deadpool_postgres::Client, StoreError> {
        Ok(self.pool.get().await?)
    }

    pub(crate) fn taxonomy_cache(&self) -> &TaxonomyCache {
        &self.taxonomy
    }

    /// Runs an operation on a pooled connection, each statement on its own.
    pub(crate) async fn read<T>(
        &self,
        op: impl for<'c> FnOnce(&'c mut Client) -> Op<'c, T>,
    ) -> Result<T, StoreError> {
        let mut client = self.client().await?;
        op(&mut client).await
    }

    /// Runs an operation in one read-only, repeatable-read transaction: one snapshot.
    pub(crate) async fn snapshot<T>(
        &self,
        op: impl for<'c> FnOnce(&'c mut Transaction<'_>) -> Op<'c, T>,
    ) -> Result<T, StoreError> {
        let mut client = self.client().await?;
        let mut tx = client
            .build_transaction()
            .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .await?;
        let value = op(&mut tx).await?;
        tx.commit().await?;
        Ok(value)
    }

    /// Runs an operation in one transaction, committed when it succeeds (dropped, so
    /// rolled back, when it fails).
    pub(crate) async fn write<T>(
        &self,
        op: impl for<'c> FnOnce(&'c mut Transaction<'_>) -> Op<'c, T>,
    ) -> Result<T, StoreError> {
        let mut client = self.client().await?;
        let mut tx = client.transaction().await?;
        let value = op(&mut tx).await?;
        tx.commit().await?;
        Ok(value)
    }

    pub(crate) async fn store_batch(
        &self,
        worker: WorkerId,
        batch: Vec<Prepared>,
        received_ms: i64,
    ) -> Result<Vec<RecordResult>, StoreError> {
        // The usual first send (only new ids, each once) is stored, and a resend answered,
        // by one statement in one round trip; anything else takes the general path.
        match self.claim_or_read(worker, &batch, received_ms).await {
            Ok(None) => {
                return Ok(batch::results(
                    &batch,
                    &vec![RecordStatus::Stored; batch.len()],
                ));
            }
            Ok(Some(held)) => {
                // Stored records never change, so what a resend finds is final.
                let decision = batch::decide(worker.0, &batch, held);
                if decision.inserts.is_empty() {
                    return Ok(batch::results(&batch, &decision.statuses));
                }
            }
            Err(First::Raced) => {} // another transaction claimed one of the ids meanwhile
            Err(First::Failed(err)) => return Err(err),
        }
        let mut attempt = 0;
        loop {
            match self.store_batch_once(worker, &batch, received_ms).await {
                Err(StoreError::Contention(_)) if attempt < RETRIES => {
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(5 << attempt)).await;
                }
                other => return other,
            }
        }
    }

    /// One statement, outside any explicit transaction (so it commits on its own, durably,
    /// before PostgreSQL answers): reads what the database holds for the batch and, when
    /// it holds none of its ids and no id repeats, claims them all and inserts every
    /// record. `None`: all stored. `Some`: what is held, nothing written. A claim that
    /// meets an id another transaction claimed meanwhile fails whole (the inserts have no
    /// `ON CONFLICT`): [`First::Raced`], nothing kept.
    async fn claim_or_read(
        &self,
        worker: WorkerId,
        batch: &[Prepared],
        received_ms: i64,
    ) -> Result<Option<Held>, First> {
        let mut sorted: Vec<&Prepared> = batch.iter().collect();
        sorted.sort_unstable_by(|a, b| a.id.cmp(&b.id));
        let may_claim = sorted.windows(2).all(|w| w[0].id != w[1].id);
        let ids: Vec<&str> = sorted.iter().map(|r| r.id.as_str()).collect();
        let versions: Vec<i64> = sorted.iter().map(|r| i64::from(r.version)).collect();
        let deleted: Vec<bool> = sorted.iter().map(|r| r.deleted).collect();
        let bodies: Vec<&str> = sorted.iter().map(|r| r.body.as_str()).collect();
        let days: Vec<Option<&str>> = sorted.iter().map(|r| r.local_date.as_deref()).collect();
        let client = self.client().await?;
        let stmt = client.prepare_cached(CLAIM_OR_READ).await?;
        let rows = client
            .query(
                &stmt,
                &[
                    &ids,
                    &versions,
                    &deleted,
                    &bodies,
                    &worker.0,
                    &received_ms,
                    &may_claim,
                    &days,
                ],
            )
            .await?;
        if may_claim && rows.is_empty() {
            return Ok(None);
        }
        Ok(Some(held(rows)?))
    }

    async fn store_batch_once(
        &self,
        worker: WorkerId,
        batch: &[Prepared],
        received_ms: i64,
    ) -> Result<Vec<RecordResult>, StoreError> {
        let mut ids: Vec<&str> = batch.iter().map(|r| r.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        let (keys, versions) = keys(batch);

        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        // Claim the ids nobody owns yet; a concurrent claimer of the same id waits here
        // for the other transaction, then finds its row.
        let claim = tx
            .prepare_cached(
                "INSERT INTO record_owners (id, worker_id)
                 SELECT id, $2 FROM unnest($1::TEXT[]) AS t(id)
                 ON CONFLICT (id) DO NOTHING",
            )
            .await?;
        tx.execute(&claim, &[&ids, &worker.0]).await?;
        let stmt = tx.prepare_cached(HELD).await?;
        let held = held(tx.query(&stmt, &[&keys, &versions]).await?)?;
        let mut decision = batch::decide(worker.0, batch, held);
        if !decision.new_owners.is_empty() {
            // Claimed above unless another worker owns it; kept for completeness.
            let owners: Vec<&str> = decision
                .new_owners
                .iter()
                .map(|&i| batch[i].id.as_str())
                .collect();
            tx.execute(&claim, &[&owners, &worker.0]).await?;
        }
        if !decision.inserts.is_empty() {
            let ids: Vec<&str> = decision
                .inserts
                .iter()
                .map(|&i| batch[i].id.as_str())
                .collect();
            let versions: Vec<i64> = decision
                .inserts
                .iter()
                .map(|&i| i64::from(batch[i].version))
                .collect();
            let deleted: Vec<bool> = decision.inserts.iter().map(|&i| batch[i].deleted).collect();
            let bodies: Vec<&str> = decision
                .inserts
                .iter()
                .map(|&i| batch[i].body.as_str())
                .collect();
            let days: Vec<Option<&str>> = decision
                .inserts
                .iter()
                .map(|&i| batch[i].local_date.as_deref())
                .collect();
            let insert = tx
                .prepare_cached(
                    "INSERT INTO records
                        (id, version, worker_id, deleted, body, received_ms, local_date)
                     SELECT id, version, $5, deleted, body, $6, local_date
                     FROM unnest($1::TEXT[], $2::BIGINT[], $3::BOOLEAN[], $4::TEXT[], $7::TEXT[])
                          AS t(id, version, deleted, body, local_date)
                     ON CONFLICT (id, version) DO NOTHING
                     RETURNING id, version",
                )
                .await?;
            let inserted: HashSet<(String, i64)> = tx
                .query(
                    &insert,
                    &[
                        &ids,
                        &versions,
                        &deleted,
                        &bodies,
                        &worker.0,
                        &received_ms,
                        &days,
                    ],
                )
                .await?
                .iter()
                .map(|r| (r.get(0), r.get(1)))
                .collect();
            // Another server stored some of these meanwhile: what it stored decides.
            for &i in &decision.inserts {
                let r = &batch[i];
                if inserted.contains(&(r.id.clone(), i64::from(r.version))) {
                    continue;
                }
                let stored = tx
                    .query_opt(
                        "SELECT body FROM records WHERE id = $1 AND version = $2",
                        &[&r.id, &i64::from(r.version)],
                    )
                    .await?
                    .map(|row| row.get::<_, String>(0));
                decision.statuses[i] = if stored.as_deref() == Some(r.body.as_str()) {
                    RecordStatus::Duplicate
                } else {
                    RecordStatus::Conflict
                };
            }
        }
        tx.commit().await?;
        Ok(batch::results(batch, &decision.statuses))
    }

    /// A pooled connection, for `migrate-to-postgres`'s copy.
    pub async fn connection(&self) -> Result<deadpool_postgres::Client, StoreError> {
        self.client().await
    }
}

/// Parameters as tokio-postgres binds them.
fn values(params: Vec<Param>) -> Vec<Box<dyn ToSql + Sync + Send>> {
    params
        .into_iter()
        .map(|p| -> Box<dyn ToSql + Sync + Send> {
            match p {
                Param::Int(v) => Box::new(v),
                Param::Text(v) => Box::new(v),
                Param::Bool(v) => Box::new(v),
            }
        })
        .collect()
}

fn refs(values: &[Box<dyn ToSql + Sync + Send>]) -> Vec<&(dyn ToSql + Sync)> {
    values
        .iter()
        .map(|v| v.as_ref() as &(dyn ToSql + Sync))
        .collect()
}

/// A row as the shared operations read it.
fn row(row: &tokio_postgres::Row) -> Result<Row, StoreError> {
    (0..row.len())
        .map(|i| {
            let ty = row.columns()[i].type_();
            Ok(if *ty == Type::INT8 {
                row.try_get::<_, Option<i64>>(i)?
                    .map_or(Cell::Null, Cell::Int)
            } else if *ty == Type::INT4 {
                row.try_get::<_, Option<i32>>(i)?
                    .map_or(Cell::Null, |v| Cell::Int(v.into()))
            } else if *ty == Type::BOOL {
                row.try_get::<_, Option<bool>>(i)?
                    .map_or(Cell::Null, Cell::Bool)
            } else if *ty == Type::TEXT {
                row.try_get::<_, Option<String>>(i)?
                    .map_or(Cell::Null, Cell::Text)
            } else {
                return Err(StoreError::OutOfRange(format!(
                    "a column of type {ty}, which the store never reads"
                )));
            })
        })
        .collect::<Result<_, _>>()
        .map(Row)
}

/// A pooled connection and a transaction run the shared statements alike, through the
/// connection's cache of prepared statements.
macro_rules! conn {
    ($($client:ty),*) => {$(
        impl Conn for $client {
            fn query(
                &mut self,
                sql: &'static Sql,
                params: Vec<Param>,
            ) -> impl Future<Output = Result<Vec<Row>, StoreError>> + Send {
                async move {
                    let stmt = self.prepare_cached(sql.postgres()).await?;
                    let values = values(params);
                    GenericClient::query(&*self, &stmt, &refs(&values))
                        .await?
                        .iter()
                        .map(row)
                        .collect()
                }
            }

            fn execute(
                &mut self,
                sql: &'static Sql,
                params: Vec<Param>,
            ) -> impl Future<Output = Result<u64, StoreError>> + Send {
                async move {
                    let stmt = self.prepare_cached(sql.postgres()).await?;
                    let values = values(params);
                    Ok(GenericClient::execute(&*self, &stmt, &refs(&values)).await?)
                }
            }
        }
    )*};
}

conn!(Client, Transaction<'_>);

/// What the database holds for a batch: the owner of each of its ids, and the body of
/// each of its (id, version) pairs that exists. A macro, so [`CLAIM_OR_READ`] can hold it.
macro_rules! held_sql {
    () => {
        "SELECT o.id, o.worker_id, k.version, r.body
        FROM record_owners o
        JOIN unnest($1::TEXT[], $2::BIGINT[]) AS k(id, version) ON k.id = o.id
        LEFT JOIN records r ON r.id = k.id AND r.version = k.version"
    };
}
const HELD: &str = held_sql!();

/// [`PgStore::claim_or_read`]'s statement. `held` is [`HELD`]; the claim runs only when
/// `$7` (no id repeats) and nothing is held, in id order (two batches sharing ids lock them
/// in the same order), and the records go in only for the ids it claimed.
const CLAIM_OR_READ: &str = concat!(
    "WITH held AS (",
    held_sql!(),
    "), claimed AS (
        INSERT INTO record_owners (id, worker_id)
        SELECT id, $5 FROM unnest($1::TEXT[]) AS c(id)
        WHERE $7 AND NOT EXISTS (SELECT 1 FROM held)
        ORDER BY id
        RETURNING id
    ), stored AS (
        INSERT INTO records (id, version, worker_id, deleted, body, received_ms, local_date)
        SELECT t.id, t.version, $5, t.deleted, t.body, $6, t.local_date
        FROM unnest($1::TEXT[], $2::BIGINT[], $3::BOOLEAN[], $4::TEXT[], $8::TEXT[])
             AS t(id, version, deleted, body, local_date)
        WHERE t.id IN (SELECT id FROM claimed)
    )
    SELECT id, worker_id, version, body FROM held"
);

/// Why [`PgStore::claim_or_read`] stored nothing and answered nothing.
enum First {
    /// Another transaction claimed one of the ids between the read and the claim.
    Raced,
    Failed(StoreError),
}

impl From<tokio_postgres::Error> for First {
    fn from(err: tokio_postgres::Error) -> Self {
        if err.code() == Some(&tokio_postgres::error::SqlState::UNIQUE_VIOLATION) {
            First::Raced
        } else {
            First::Failed(err.into())
        }
    }
}

impl From<StoreError> for First {
    fn from(err: StoreError) -> Self {
        First::Failed(err)
    }
}

impl From<PoolError> for First {
    fn from(err: PoolError) -> Self {
        First::Failed(err.into())
    }
}

fn keys(batch: &[Prepared]) -> (Vec<&str>, Vec<i64>) {
    batch
        .iter()
        .map(|r| (r.id.as_str(), i64::from(r.version)))
        .unzip()
}

fn held(rows: Vec<tokio_postgres::Row>) -> Result<Held, StoreError> {
    let mut held = Held::default();
    for row in rows {
        let id: String = row.get(0);
        if let Some(body) = row.get::<_, Option<String>>(3) {
            held.bodies
                .insert((id.clone(), records::version(row.get(2))?), body);
        }
        held.owners.insert(id, row.get(1));
    }
    Ok(held)
}

/// A pool of `size` connections to `url`, each with `synchronous_commit = on`.
pub fn pool(url: &str, size: usize) -> Result<Pool, StoreError> {
    let mut config = tokio_postgres::Config::from_str(url)
        .map_err(|e| StoreError::Config(format!("bad PostgreSQL URL: {e}")))?;
    let options = match config.get_options() {
        Some(given) => format!("{given} -c synchronous_commit=on"),
        None => "-c synchronous_commit=on".to_owned(),
    };
    config.options(&options);
    if config.get_application_name().is_none() {
        config.application_name("carnet-server");
    }
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(DEFAULT_WAIT);
    }
    let manager = Manager::from_config(
        config,
        NoTls,
        ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        },
    );
    Pool::builder(manager)
        .max_size(size)
        .runtime(Runtime::Tokio1)
        .wait_timeout(Some(DEFAULT_WAIT))
        .create_timeout(Some(DEFAULT_WAIT))
        .recycle_timeout(Some(DEFAULT_WAIT))
        .build()
        .map_err(|e| StoreError::Config(e.to_string()))
}
