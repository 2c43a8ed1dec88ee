//! The PostgreSQL backend: a pool of `tokio-postgres` connections, for an organisation
//! whose IT wants a managed database or several app servers on one database.
//!
//! Several servers may write at once, so nothing relies on a single writer:
//! - a batch claims its new ids in `record_owners` (`INSERT … ON CONFLICT DO NOTHING`,
//!   sorted, so two batches sharing ids lock them in the same order), then reads what is
//!   held, decides with [`batch::decide`], and inserts with `ON CONFLICT (id, version) DO
//!   NOTHING`; a row another server inserted meanwhile is re-read and answered
//!   `duplicate` or `conflict`. The whole batch is one transaction; a deadlock or
//!   serialisation failure retries it. Two shortcuts, both falling back to that path: a
//!   resend whose records are all stored is answered from one read (stored rows never
//!   change), and a batch of ids nobody owned is claimed and inserted in one statement,
//!   kept only if it claimed every id.
//! - a pairing code is spent by one `UPDATE … WHERE used_ms IS NULL … RETURNING`: the row
//!   lock makes the second server's update find nothing.
//! - `synchronous_commit = on` is set for every connection: a commit is flushed to the WAL
//!   before we acknowledge, whatever the server's default.

use std::collections::HashSet;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use carnet_core::Taxonomy;
use carnet_core::wire::{RecordResult, RecordStatus};
use deadpool_postgres::{Manager, ManagerConfig, Pool, PoolError, RecyclingMethod, Runtime};
use tokio_postgres::NoTls;
use tokio_postgres::types::ToSql;

use super::batch::{self, Held, Prepared};
use super::migrations::MIGRATIONS;
use super::{
    AuditRow, Change, Counts, DEFAULT_WAIT, DeviceRow, RevokedDevice, Role, StoreError,
    StoredVersion, TaxonomyCache, TokenRow, WorkerId, WorkerRow, new_person_code_key, now_ms,
};
use carnet_core::wire::AuditAction;

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

fn version_of(v: i64) -> Result<u32, StoreError> {
    u32::try_from(v).map_err(|_| StoreError::OutOfRange(format!("record version {v}")))
}

impl PgStore {
    /// Connects (a pool, lazily filled), migrates under an advisory lock, and makes the
    /// person-code key if the database has none.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let pool = pool(url, POOL_SIZE)?;
        let mut client = pool.get().await?;
        let tx = client.transaction().await?;
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
        tx.execute(
            "INSERT INTO settings (name, value) VALUES ('person_code_key', $1)
             ON CONFLICT (name) DO NOTHING",
            &[&new_person_code_key()?],
        )
        .await?;
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

    /// Runs one statement and returns its rows, through the pooled connection's cache of
    /// prepared statements.
    async fn rows(
        &self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<tokio_postgres::Row>, StoreError> {
        let client = self.client().await?;
        let stmt = client.prepare_cached(sql).await?;
        Ok(client.query(&stmt, params).await?)
    }

    async fn changed(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<u64, StoreError> {
        let client = self.client().await?;
        let stmt = client.prepare_cached(sql).await?;
        Ok(client.execute(&stmt, params).await?)
    }

    pub(crate) async fn person_code_key(&self) -> Result<String, StoreError> {
        let rows = self
            .rows(
                "SELECT value FROM settings WHERE name = 'person_code_key'",
                &[],
            )
            .await?;
        rows.first()
            .map(|r| r.get(0))
            .ok_or_else(|| StoreError::Config("the person-code key is missing".into()))
    }

    pub(crate) async fn taxonomy(&self) -> Result<Arc<Taxonomy>, StoreError> {
        let rows = self
            .rows("SELECT MAX(version) FROM taxonomies", &[])
            .await?;
        let latest: Option<i64> = rows.first().and_then(|r| r.get(0));
        if let Some(cached) = self.taxonomy.get(latest) {
            return Ok(cached);
        }
        let document: Option<String> = match latest {
            None => None,
            Some(v) => self
                .rows("SELECT document FROM taxonomies WHERE version = $1", &[&v])
                .await?
                .first()
                .map(|r| r.get(0)),
        };
        self.taxonomy.put(latest, document.as_deref())
    }

    pub(crate) async fn insert_taxonomy(
        &self,
        version: u32,
        document: String,
    ) -> Result<bool, StoreError> {
        Ok(self
            .changed(
                "INSERT INTO taxonomies (version, document, loaded_ms) VALUES ($1, $2, $3)
                 ON CONFLICT (version) DO NOTHING",
                &[&i64::from(version), &document, &now_ms()],
            )
            .await?
            == 1)
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
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let worker = tx
            .query_opt(
                "INSERT INTO workers (name, token_hash, created_ms, role) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (name) DO NOTHING RETURNING id",
                &[&name, &unused_hash, &now, &role.as_str()],
            )
            .await?;
        let Some(worker) = worker.map(|r| r.get::<_, i64>(0)) else {
            return Ok(false);
        };
        audit(
            &tx,
            now,
            &actor,
            AuditAction::WorkerAdded,
            Some(&name),
            None,
            Some(role.as_str()),
        )
        .await?;
        if let Some((hash, label)) = device {
            tx.execute(
                "INSERT INTO devices (hash, worker_id, label, created_ms) VALUES ($1, $2, $3, $4)",
                &[&hash, &worker, &label, &now],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    pub(crate) async fn worker_name(&self, worker: WorkerId) -> Result<String, StoreError> {
        let rows = self
            .rows("SELECT name FROM workers WHERE id = $1", &[&worker.0])
            .await?;
        rows.first()
            .map(|r| r.get(0))
            .ok_or_else(|| StoreError::OutOfRange(format!("no worker {}", worker.0)))
    }

    pub(crate) async fn token_row(&self, hash: String) -> Result<Option<TokenRow>, StoreError> {
        let rows = self
            .rows(
                "SELECT d.id, w.id, w.role, d.created_ms, d.last_seen_ms,
                        (SELECT value FROM settings WHERE name = 'device_expiry_days')
                 FROM devices d JOIN workers w ON w.id = d.worker_id
                 WHERE d.hash = $1 AND d.revoked_ms IS NULL AND w.revoked_ms IS NULL",
                &[&hash],
            )
            .await?;
        Ok(rows.first().map(|r| TokenRow {
            device: r.get(0),
            worker: r.get(1),
            role: r.get(2),
            created_ms: r.get(3),
            last_seen_ms: r.get(4),
            expiry: r.get(5),
        }))
    }

    pub(crate) async fn touch_device(&self, device: i64, now: i64) -> Result<(), StoreError> {
        self.changed(
            "UPDATE devices SET last_seen_ms = $2
             WHERE id = $1 AND (last_seen_ms IS NULL OR last_seen_ms < $2)",
            &[&device, &now],
        )
        .await?;
        Ok(())
    }

    pub(crate) async fn revoke_worker(
        &self,
        name: String,
        actor: String,
        now: i64,
        keep_a_coordinator: bool,
    ) -> Result<Change, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        // Active coordinators' rows are locked first, so two servers cannot each revoke or
        // demote a different one of the last two.
        let coordinators = active_coordinators(&tx).await?;
        let Some((worker, role)) = active_worker(&tx, &name).await? else {
            return Ok(Change::NoSuchWorker);
        };
        if keep_a_coordinator
            && role == "coordinator"
            && !coordinators.iter().any(|id| *id != worker)
        {
            return Ok(Change::LastCoordinator);
        }
        tx.execute(
            "UPDATE workers SET revoked_ms = $2 WHERE id = $1",
            &[&worker, &now],
        )
        .await?;
        tx.execute(
            "UPDATE devices SET revoked_ms = $2 WHERE worker_id = $1 AND revoked_ms IS NULL",
            &[&worker, &now],
        )
        .await?;
        audit(
            &tx,
            now,
            &actor,
            AuditAction::WorkerRevoked,
            Some(&name),
            None,
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(Change::Done)
    }

    pub(crate) async fn set_role(
        &self,
        name: String,
        role: Role,
        actor: String,
        now: i64,
        keep_a_coordinator: bool,
    ) -> Result<Change, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let coordinators = active_coordinators(&tx).await?;
        let Some((worker, current)) = active_worker(&tx, &name).await? else {
            return Ok(Change::NoSuchWorker);
        };
        if current == role.as_str() {
            return Ok(Change::Unchanged);
        }
        if keep_a_coordinator
            && role == Role::Worker
            && !coordinators.iter().any(|id| *id != worker)
        {
            return Ok(Change::LastCoordinator);
        }
        tx.execute(
            "UPDATE workers SET role = $2 WHERE id = $1",
            &[&worker, &role.as_str()],
        )
        .await?;
        audit(
            &tx,
            now,
            &actor,
            AuditAction::RoleChanged,
            Some(&name),
            None,
            Some(role.as_str()),
        )
        .await?;
        tx.commit().await?;
        Ok(Change::Done)
    }

    pub(crate) async fn revoke_device(
        &self,
        device: i64,
        actor: String,
        now: i64,
    ) -> Result<Option<RevokedDevice>, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let found = tx
            .query_opt(
                "SELECT w.name, d.label, d.revoked_ms FROM devices d
                 JOIN workers w ON w.id = d.worker_id WHERE d.id = $1 FOR UPDATE OF d",
                &[&device],
            )
            .await?;
        let Some(row) = found else {
            return Ok(None);
        };
        let (worker, label, revoked): (String, String, Option<i64>) =
            (row.get(0), row.get(1), row.get(2));
        let changed = revoked.is_none();
        if changed {
            tx.execute(
                "UPDATE devices SET revoked_ms = $2 WHERE id = $1",
                &[&device, &now],
            )
            .await?;
            audit(
                &tx,
                now,
                &actor,
                AuditAction::DeviceRevoked,
                Some(&worker),
                Some(device),
                Some(&label),
            )
            .await?;
            tx.commit().await?;
        }
        Ok(Some(RevokedDevice {
            worker,
            label,
            changed,
        }))
    }

    pub(crate) async fn insert_pairing_code(
        &self,
        name: String,
        hash: String,
        expires_ms: i64,
        actor: String,
        now: i64,
    ) -> Result<bool, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let inserted = tx
            .execute(
                "INSERT INTO pairing_codes (hash, worker_id, expires_ms)
                 SELECT $2, id, $3 FROM workers WHERE name = $1 AND revoked_ms IS NULL",
                &[&name, &hash, &expires_ms],
            )
            .await?
            == 1;
        if inserted {
            audit(
                &tx,
                now,
                &actor,
                AuditAction::CodeIssued,
                Some(&name),
                None,
                None,
            )
            .await?;
            tx.commit().await?;
        }
        Ok(inserted)
    }

    pub(crate) async fn redeem_pairing_code(
        &self,
        code_hash: String,
        token_hash: String,
        label: String,
        now: i64,
    ) -> Result<Option<(i64, i64)>, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let spent = tx
            .query(
                "UPDATE pairing_codes SET used_ms = $2
                 WHERE hash = $1 AND used_ms IS NULL AND expires_ms > $2
                   AND worker_id IN (SELECT id FROM workers WHERE revoked_ms IS NULL)
                 RETURNING worker_id",
                &[&code_hash, &now],
            )
            .await?;
        let Some(worker) = spent.first().map(|r| r.get::<_, i64>(0)) else {
            return Ok(None);
        };
        let name: String = tx
            .query_one("SELECT name FROM workers WHERE id = $1", &[&worker])
            .await?
            .get(0);
        let device: i64 = tx
            .query_one(
                "INSERT INTO devices (hash, worker_id, label, created_ms, last_seen_ms)
                 VALUES ($1, $2, $3, $4, $4) RETURNING id",
                &[&token_hash, &worker, &label, &now],
            )
            .await?
            .get(0);
        audit(
            &tx,
            now,
            &name,
            AuditAction::DevicePaired,
            Some(&name),
            Some(device),
            Some(&label),
        )
        .await?;
        tx.commit().await?;
        Ok(Some((worker, device)))
    }

    pub(crate) async fn account_rows(
        &self,
    ) -> Result<(Vec<WorkerRow>, Vec<DeviceRow>), StoreError> {
        let mut client = self.client().await?;
        // One snapshot for both lists.
        let tx = client
            .build_transaction()
            .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .await?;
        let workers = tx
            .query(
                "SELECT id, name, role, created_ms, revoked_ms FROM workers
                 ORDER BY name COLLATE \"C\"",
                &[],
            )
            .await?
            .iter()
            .map(|r| WorkerRow {
                id: r.get(0),
                name: r.get(1),
                role: r.get(2),
                created_ms: r.get(3),
                revoked_ms: r.get(4),
            })
            .collect();
        let devices = tx
            .query(
                "SELECT id, worker_id, label, created_ms, last_seen_ms, revoked_ms
                 FROM devices ORDER BY id",
                &[],
            )
            .await?
            .iter()
            .map(|r| DeviceRow {
                id: r.get(0),
                worker: r.get(1),
                label: r.get(2),
                created_ms: r.get(3),
                last_seen_ms: r.get(4),
                revoked_ms: r.get(5),
            })
            .collect();
        tx.commit().await?;
        Ok((workers, devices))
    }

    pub(crate) async fn audit_rows(
        &self,
        limit: i64,
        before: Option<i64>,
    ) -> Result<Vec<AuditRow>, StoreError> {
        let rows = self
            .rows(
                "SELECT id, at_ms, actor, action, worker, device_id, detail FROM audit
                 WHERE ($1::BIGINT IS NULL OR id < $1) ORDER BY id DESC LIMIT $2",
                &[&before, &limit],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| AuditRow {
                id: r.get(0),
                at_ms: r.get(1),
                actor: r.get(2),
                action: r.get(3),
                worker: r.get(4),
                device_id: r.get(5),
                detail: r.get(6),
            })
            .collect())
    }

    pub(crate) async fn setting_rows(&self) -> Result<Vec<(String, String)>, StoreError> {
        let rows = self
            .rows(
                "SELECT name, value FROM settings
                 WHERE name IN ('device_expiry_days', 'retention_days')",
                &[],
            )
            .await?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    pub(crate) async fn set_setting(
        &self,
        key: &'static str,
        value: String,
        actor: String,
        now: i64,
    ) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        tx.execute(
            "INSERT INTO settings (name, value) VALUES ($1, $2)
             ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value",
            &[&key, &value],
        )
        .await?;
        let detail = format!("{key}={value}");
        audit(
            &tx,
            now,
            &actor,
            AuditAction::SettingChanged,
            None,
            None,
            Some(&detail),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub(crate) async fn worker_by_name(
        &self,
        name: String,
    ) -> Result<Option<WorkerId>, StoreError> {
        let rows = self
            .rows("SELECT id FROM workers WHERE name = $1", &[&name])
            .await?;
        Ok(rows.first().map(|r| WorkerId(r.get(0))))
    }

    pub(crate) async fn workers(&self) -> Result<Vec<(WorkerId, String)>, StoreError> {
        // Byte order, as SQLite sorts: the same list whichever backend answers.
        let rows = self
            .rows(
                "SELECT id, name FROM workers ORDER BY name COLLATE \"C\"",
                &[],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| (WorkerId(r.get(0)), r.get(1)))
            .collect())
    }

    pub(crate) async fn latest_bodies(
        &self,
        worker: Option<WorkerId>,
    ) -> Result<Vec<(WorkerId, String)>, StoreError> {
        let worker = worker.map(|w| w.0);
        let rows = self
            .rows(
                "SELECT DISTINCT ON (id COLLATE \"C\") worker_id, body FROM records
                 WHERE ($1::BIGINT IS NULL OR worker_id = $1)
                 ORDER BY id COLLATE \"C\", version DESC",
                &[&worker],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| (WorkerId(r.get(0)), r.get(1)))
            .collect())
    }

    pub(crate) async fn store_batch(
        &self,
        worker: WorkerId,
        batch: Vec<Prepared>,
        received_ms: i64,
    ) -> Result<Vec<RecordResult>, StoreError> {
        // A resend is decided by one read, without a write transaction: stored records
        // never change, so what it finds is final.
        let held = {
            let client = self.client().await?;
            let stmt = client.prepare_cached(HELD).await?;
            let (keys, versions) = keys(&batch);
            held(client.query(&stmt, &[&keys, &versions]).await?)?
        };
        let decision = batch::decide(worker.0, &batch, held);
        if decision.inserts.is_empty() {
            return Ok(batch::results(&batch, &decision.statuses));
        }
        // The usual first send: only new ids, each once. Claim and insert in one statement.
        if decision.new_owners.len() == batch.len() {
            match self.store_new(worker, &batch, received_ms).await {
                Ok(Some(results)) => return Ok(results),
                Ok(None) | Err(StoreError::Contention(_)) => {} // raced: the general path
                Err(err) => return Err(err),
            }
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

    /// Stores a batch of ids nobody owned when last read: claims them all and inserts
    /// every record of the ids this transaction claimed, in one statement. `None` (and
    /// nothing kept) if another transaction claimed one of them meanwhile.
    async fn store_new(
        &self,
        worker: WorkerId,
        batch: &[Prepared],
        received_ms: i64,
    ) -> Result<Option<Vec<RecordResult>>, StoreError> {
        let mut sorted: Vec<&Prepared> = batch.iter().collect();
        sorted.sort_unstable_by(|a, b| a.id.cmp(&b.id));
        let ids: Vec<&str> = sorted.iter().map(|r| r.id.as_str()).collect();
        let versions: Vec<i64> = sorted.iter().map(|r| i64::from(r.version)).collect();
        let deleted: Vec<bool> = sorted.iter().map(|r| r.deleted).collect();
        let bodies: Vec<&str> = sorted.iter().map(|r| r.body.as_str()).collect();
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let stmt = tx
            .prepare_cached(
                "WITH claimed AS (
                    INSERT INTO record_owners (id, worker_id)
                    SELECT id, $5 FROM unnest($1::TEXT[]) AS c(id) ORDER BY id
                    ON CONFLICT (id) DO NOTHING
                    RETURNING id
                 )
                 INSERT INTO records (id, version, worker_id, deleted, body, received_ms)
                 SELECT t.id, t.version, $5, t.deleted, t.body, $6
                 FROM unnest($1::TEXT[], $2::BIGINT[], $3::BOOLEAN[], $4::TEXT[])
                      AS t(id, version, deleted, body)
                 WHERE t.id IN (SELECT id FROM claimed)
                 ON CONFLICT (id, version) DO NOTHING",
            )
            .await?;
        let inserted = tx
            .execute(
                &stmt,
                &[&ids, &versions, &deleted, &bodies, &worker.0, &received_ms],
            )
            .await?;
        if inserted != batch.len() as u64 {
            tx.rollback().await?;
            return Ok(None);
        }
        tx.commit().await?;
        Ok(Some(batch::results(
            batch,
            &vec![RecordStatus::Stored; batch.len()],
        )))
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
            let insert = tx
                .prepare_cached(
                    "INSERT INTO records (id, version, worker_id, deleted, body, received_ms)
                     SELECT id, version, $5, deleted, body, $6
                     FROM unnest($1::TEXT[], $2::BIGINT[], $3::BOOLEAN[], $4::TEXT[])
                          AS t(id, version, deleted, body)
                     ON CONFLICT (id, version) DO NOTHING
                     RETURNING id, version",
                )
                .await?;
            let inserted: HashSet<(String, i64)> = tx
                .query(
                    &insert,
                    &[&ids, &versions, &deleted, &bodies, &worker.0, &received_ms],
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

    pub(crate) async fn latest_versions(
        &self,
        worker: WorkerId,
    ) -> Result<Vec<StoredVersion>, StoreError> {
        let rows = self
            .rows(
                "SELECT id, version, deleted FROM (
                    SELECT DISTINCT ON (id COLLATE \"C\") id, version, deleted,
                           MIN(received_ms) OVER (PARTITION BY id) AS first_ms
                    FROM records WHERE worker_id = $1
                    ORDER BY id COLLATE \"C\", version DESC
                 ) latest
                 ORDER BY first_ms, id COLLATE \"C\"",
                &[&worker.0],
            )
            .await?;
        rows.iter()
            .filter_map(|r| {
                let id: String = r.get(0);
                let uuid = uuid::Uuid::parse_str(&id).ok()?;
                Some(version_of(r.get(1)).map(|version| StoredVersion {
                    id: uuid,
                    version,
                    deleted: r.get(2),
                }))
            })
            .collect()
    }

    pub(crate) async fn version_bodies(
        &self,
        worker: WorkerId,
        id: String,
    ) -> Result<Vec<String>, StoreError> {
        let rows = self
            .rows(
                "SELECT body FROM records WHERE worker_id = $1 AND id = $2 ORDER BY version",
                &[&worker.0, &id],
            )
            .await?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    pub(crate) async fn counts(&self) -> Result<Counts, StoreError> {
        let rows = self
            .rows(
                "SELECT (SELECT COUNT(*) FROM workers), (SELECT COUNT(*) FROM devices),
                        (SELECT COUNT(*) FROM pairing_codes), (SELECT COUNT(*) FROM records),
                        (SELECT COUNT(*) FROM record_owners), (SELECT COUNT(*) FROM taxonomies),
                        (SELECT COUNT(*) FROM settings), (SELECT COUNT(*) FROM audit)",
                &[],
            )
            .await?;
        let r = rows
            .first()
            .ok_or_else(|| StoreError::Config("no counts".into()))?;
        Ok(Counts {
            workers: r.get(0),
            devices: r.get(1),
            pairing_codes: r.get(2),
            records: r.get(3),
            record_owners: r.get(4),
            taxonomies: r.get(5),
            settings: r.get(6),
            audit: r.get(7),
        })
    }

    /// A pooled connection, for `migrate-to-postgres`'s copy.
    pub async fn connection(&self) -> Result<deadpool_postgres::Client, StoreError> {
        self.client().await
    }
}

/// Writes one audit entry, inside the caller's transaction.
async fn audit(
    tx: &deadpool_postgres::Transaction<'_>,
    at: i64,
    actor: &str,
    action: AuditAction,
    worker: Option<&str>,
    device: Option<i64>,
    detail: Option<&str>,
) -> Result<(), StoreError> {
    let stmt = tx
        .prepare_cached(
            "INSERT INTO audit (at_ms, actor, action, worker, device_id, detail)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .await?;
    tx.execute(
        &stmt,
        &[&at, &actor, &action.as_str(), &worker, &device, &detail],
    )
    .await?;
    Ok(())
}

/// An active worker's id and role by name, the row locked until the transaction ends.
async fn active_worker(
    tx: &deadpool_postgres::Transaction<'_>,
    name: &str,
) -> Result<Option<(i64, String)>, StoreError> {
    let found = tx
        .query_opt(
            "SELECT id, role FROM workers WHERE name = $1 AND revoked_ms IS NULL FOR UPDATE",
            &[&name],
        )
        .await?;
    Ok(found.map(|r| (r.get(0), r.get(1))))
}

/// The active coordinators' ids, their rows locked until the transaction ends.
async fn active_coordinators(
    tx: &deadpool_postgres::Transaction<'_>,
) -> Result<Vec<i64>, StoreError> {
    Ok(tx
        .query(
            "SELECT id FROM workers WHERE role = 'coordinator' AND revoked_ms IS NULL
             ORDER BY id FOR UPDATE",
            &[],
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect())
}

/// What the database holds for a batch: the owner of each of its ids, and the body of
/// each of its (id, version) pairs that exists.
const HELD: &str = "SELECT o.id, o.worker_id, k.version, r.body
    FROM record_owners o
    JOIN unnest($1::TEXT[], $2::BIGINT[]) AS k(id, version) ON k.id = o.id
    LEFT JOIN records r ON r.id = k.id AND r.version = k.version";

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
                .insert((id.clone(), version_of(row.get(2))?), body);
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
