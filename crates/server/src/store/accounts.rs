//! Workers, devices, pairing codes, settings and the audit log: each operation written
//! once for both backends (over [`Conn`]), and the rules of account changes as pure
//! functions. Every change writes its audit entry in the caller's transaction.

use carnet_core::wire::AuditAction;

use super::sql::{Conn, Sql, params};
use super::{RevokedDevice, Role, StoreError, WorkerId};

/// A token's device as the database holds it (an active worker's, not revoked).
#[derive(Debug, Clone)]
pub(crate) struct TokenRow {
    pub device: i64,
    pub worker: i64,
    pub role: Role,
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
    pub role: Role,
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
    /// The phone's latest report (JSON of `DeviceReport`) and when it came.
    pub report: Option<String>,
    pub report_ms: Option<i64>,
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

/// What a change to a worker's account comes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Change {
    Done,
    /// Nothing to do (the role was already that one).
    Unchanged,
    NoSuchWorker,
    LastCoordinator,
}

/// An active worker, as an account change finds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Active {
    pub id: i64,
    pub role: Role,
}

/// Whether `worker` is the only one of the active `coordinators`.
fn last_coordinator(worker: i64, coordinators: &[i64]) -> bool {
    !coordinators.iter().any(|id| *id != worker)
}

/// Revoking a worker: refused, when `keep_a_coordinator`, if it is the last active
/// coordinator.
pub(crate) fn revoke_rule(
    found: Option<Active>,
    coordinators: &[i64],
    keep_a_coordinator: bool,
) -> Change {
    match found {
        None => Change::NoSuchWorker,
        Some(w)
            if keep_a_coordinator
                && w.role == Role::Coordinator
                && last_coordinator(w.id, coordinators) =>
        {
            Change::LastCoordinator
        }
        Some(_) => Change::Done,
    }
}

/// Giving a worker `role`: nothing to do if it has it; refused, when
/// `keep_a_coordinator`, if it would demote the last active coordinator.
pub(crate) fn role_rule(
    found: Option<Active>,
    role: Role,
    coordinators: &[i64],
    keep_a_coordinator: bool,
) -> Change {
    match found {
        None => Change::NoSuchWorker,
        Some(w) if w.role == role => Change::Unchanged,
        Some(w)
            if keep_a_coordinator
                && role == Role::Worker
                && last_coordinator(w.id, coordinators) =>
        {
            Change::LastCoordinator
        }
        Some(_) => Change::Done,
    }
}

/// A role as stored; the schema allows only the two.
fn role(text: &str) -> Result<Role, StoreError> {
    Role::parse(text).ok_or_else(|| StoreError::OutOfRange(format!("role `{text}`")))
}

static AUDIT: Sql = Sql::both(
    "INSERT INTO audit (at_ms, actor, action, worker, device_id, detail)
     VALUES ($1, $2, $3, $4, $5, $6)",
);

/// Writes one audit entry, inside the caller's transaction.
async fn audit<C: Conn>(
    c: &mut C,
    at: i64,
    actor: &str,
    action: AuditAction,
    worker: Option<&str>,
    device: Option<i64>,
    detail: Option<&str>,
) -> Result<(), StoreError> {
    c.execute(
        &AUDIT,
        params![at, actor, action.as_str(), worker, device, detail],
    )
    .await?;
    Ok(())
}

static PERSON_CODE_KEY: Sql =
    Sql::both("SELECT value FROM settings WHERE name = 'person_code_key'");

pub(crate) async fn person_code_key<C: Conn>(c: &mut C) -> Result<String, StoreError> {
    c.optional(&PERSON_CODE_KEY, params![])
        .await?
        .ok_or_else(|| StoreError::Config("the person-code key is missing".into()))?
        .text(0)
}

/// Only when the database has none: the key never changes, or every person code would.
static KEEP_PERSON_CODE_KEY: Sql = Sql::both(
    "INSERT INTO settings (name, value) VALUES ('person_code_key', $1)
     ON CONFLICT (name) DO NOTHING",
);

/// Makes the organisation's key for person codes if the database has none.
pub(crate) async fn make_person_code_key<C: Conn>(c: &mut C) -> Result<(), StoreError> {
    let mut key = [0u8; carnet_core::person::KEY_BYTES];
    getrandom::fill(&mut key).map_err(|e| StoreError::Random(e.to_string()))?;
    c.execute(&KEEP_PERSON_CODE_KEY, params![crate::token::hex(&key)])
        .await?;
    Ok(())
}

static INSERT_WORKER: Sql = Sql::both(
    "INSERT INTO workers (name, token_hash, created_ms, role) VALUES ($1, $2, $3, $4)
     ON CONFLICT (name) DO NOTHING RETURNING id",
);
static INSERT_FIRST_DEVICE: Sql =
    Sql::both("INSERT INTO devices (hash, worker_id, label, created_ms) VALUES ($1, $2, $3, $4)");

/// A worker to add, with its first device (hash and label) when the command line adds it.
pub(crate) struct NewWorker {
    pub name: String,
    /// `workers.token_hash` is not read (tokens are devices) but is `UNIQUE NOT NULL`.
    pub unused_hash: String,
    pub role: Role,
    pub device: Option<(String, String)>,
    pub actor: String,
    pub now: i64,
}

/// Adds a worker; false when the name is taken (nothing written).
pub(crate) async fn insert_worker<C: Conn>(c: &mut C, new: NewWorker) -> Result<bool, StoreError> {
    let added = c
        .optional(
            &INSERT_WORKER,
            params![
                new.name.as_str(),
                new.unused_hash,
                new.now,
                new.role.as_str()
            ],
        )
        .await?;
    let Some(worker) = added else {
        return Ok(false);
    };
    let worker = worker.int(0)?;
    audit(
        c,
        new.now,
        &new.actor,
        AuditAction::WorkerAdded,
        Some(&new.name),
        None,
        Some(new.role.as_str()),
    )
    .await?;
    if let Some((hash, label)) = new.device {
        c.execute(&INSERT_FIRST_DEVICE, params![hash, worker, label, new.now])
            .await?;
    }
    Ok(true)
}

static WORKER_NAME: Sql = Sql::both("SELECT name FROM workers WHERE id = $1");

pub(crate) async fn worker_name<C: Conn>(
    c: &mut C,
    worker: WorkerId,
) -> Result<String, StoreError> {
    c.optional(&WORKER_NAME, params![worker.0])
        .await?
        .ok_or_else(|| StoreError::OutOfRange(format!("no worker {}", worker.0)))?
        .text(0)
}

static WORKER_BY_NAME: Sql = Sql::both("SELECT id FROM workers WHERE name = $1");

pub(crate) async fn worker_by_name<C: Conn>(
    c: &mut C,
    name: String,
) -> Result<Option<WorkerId>, StoreError> {
    match c.optional(&WORKER_BY_NAME, params![name]).await? {
        Some(row) => Ok(Some(WorkerId(row.int(0)?))),
        None => Ok(None),
    }
}

/// PostgreSQL compares names byte by byte (`COLLATE "C"`), as SQLite does by default, so
/// both list the workers in one order; SQLite has no collation named "C".
static WORKERS: Sql = Sql::each(
    "SELECT id, name, role, created_ms, revoked_ms FROM workers ORDER BY name",
    "SELECT id, name, role, created_ms, revoked_ms FROM workers ORDER BY name COLLATE \"C\"",
);

/// Every worker, by name.
pub(crate) async fn workers<C: Conn>(c: &mut C) -> Result<Vec<WorkerRow>, StoreError> {
    c.query(&WORKERS, params![])
        .await?
        .iter()
        .map(|r| {
            Ok(WorkerRow {
                id: r.int(0)?,
                name: r.text(1)?,
                role: role(&r.text(2)?)?,
                created_ms: r.int(3)?,
                revoked_ms: r.opt_int(4)?,
            })
        })
        .collect()
}

static DEVICES: Sql = Sql::both(
    "SELECT id, worker_id, label, created_ms, last_seen_ms, revoked_ms, report, report_ms
     FROM devices ORDER BY id",
);

/// Every worker and every device, read together (in one snapshot).
pub(crate) async fn account_rows<C: Conn>(
    c: &mut C,
) -> Result<(Vec<WorkerRow>, Vec<DeviceRow>), StoreError> {
    let workers = workers(c).await?;
    let devices = c
        .query(&DEVICES, params![])
        .await?
        .iter()
        .map(|r| {
            Ok(DeviceRow {
                id: r.int(0)?,
                worker: r.int(1)?,
                label: r.text(2)?,
                created_ms: r.int(3)?,
                last_seen_ms: r.opt_int(4)?,
                revoked_ms: r.opt_int(5)?,
                report: r.opt_text(6)?,
                report_ms: r.opt_int(7)?,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    Ok((workers, devices))
}

static TOKEN_ROW: Sql = Sql::both(
    "SELECT d.id, w.id, w.role, d.created_ms, d.last_seen_ms,
            (SELECT value FROM settings WHERE name = 'device_expiry_days')
     FROM devices d JOIN workers w ON w.id = d.worker_id
     WHERE d.hash = $1 AND d.revoked_ms IS NULL AND w.revoked_ms IS NULL",
);

/// The device of a token's hash, if it and its worker are active.
pub(crate) async fn token_row<C: Conn>(
    c: &mut C,
    hash: String,
) -> Result<Option<TokenRow>, StoreError> {
    let Some(r) = c.optional(&TOKEN_ROW, params![hash]).await? else {
        return Ok(None);
    };
    Ok(Some(TokenRow {
        device: r.int(0)?,
        worker: r.int(1)?,
        role: role(&r.text(2)?)?,
        created_ms: r.int(3)?,
        last_seen_ms: r.opt_int(4)?,
        expiry: r.opt_text(5)?,
    }))
}

static SAVE_REPORT: Sql =
    Sql::both("UPDATE devices SET report = $2, report_ms = $3, last_seen_ms = $3 WHERE id = $1");

/// Keeps a device's latest report (only the latest: what it holds now).
pub(crate) async fn save_report<C: Conn>(
    c: &mut C,
    device: i64,
    report: String,
    now: i64,
) -> Result<(), StoreError> {
    c.execute(&SAVE_REPORT, params![device, report, now])
        .await?;
    Ok(())
}

static TOUCH_DEVICE: Sql = Sql::both(
    "UPDATE devices SET last_seen_ms = $2
     WHERE id = $1 AND (last_seen_ms IS NULL OR last_seen_ms < $2)",
);

pub(crate) async fn touch_device<C: Conn>(
    c: &mut C,
    device: i64,
    now: i64,
) -> Result<(), StoreError> {
    c.execute(&TOUCH_DEVICE, params![device, now]).await?;
    Ok(())
}

/// PostgreSQL locks the active coordinators' rows first, so two servers cannot each revoke
/// or demote a different one of the last two. SQLite has no `FOR UPDATE` and needs none:
/// its IMMEDIATE transaction holds the whole file's write lock.
static ACTIVE_COORDINATORS: Sql = Sql::each(
    "SELECT id FROM workers WHERE role = 'coordinator' AND revoked_ms IS NULL ORDER BY id",
    "SELECT id FROM workers WHERE role = 'coordinator' AND revoked_ms IS NULL
     ORDER BY id FOR UPDATE",
);
/// The worker's row locked (PostgreSQL) until the change is written, as above.
static ACTIVE_WORKER: Sql = Sql::each(
    "SELECT id, role FROM workers WHERE name = $1 AND revoked_ms IS NULL",
    "SELECT id, role FROM workers WHERE name = $1 AND revoked_ms IS NULL FOR UPDATE",
);

/// The active coordinators, and the active worker named `name`.
async fn active<C: Conn>(c: &mut C, name: &str) -> Result<(Vec<i64>, Option<Active>), StoreError> {
    let coordinators = c
        .query(&ACTIVE_COORDINATORS, params![])
        .await?
        .iter()
        .map(|r| r.int(0))
        .collect::<Result<_, _>>()?;
    let worker = match c.optional(&ACTIVE_WORKER, params![name]).await? {
        Some(r) => Some(Active {
            id: r.int(0)?,
            role: role(&r.text(1)?)?,
        }),
        None => None,
    };
    Ok((coordinators, worker))
}

static REVOKE_WORKER: Sql = Sql::both("UPDATE workers SET revoked_ms = $2 WHERE id = $1");
static REVOKE_WORKERS_DEVICES: Sql =
    Sql::both("UPDATE devices SET revoked_ms = $2 WHERE worker_id = $1 AND revoked_ms IS NULL");

/// Revokes a worker and all its devices, unless [`revoke_rule`] refuses.
pub(crate) async fn revoke_worker<C: Conn>(
    c: &mut C,
    name: String,
    actor: String,
    now: i64,
    keep_a_coordinator: bool,
) -> Result<Change, StoreError> {
    let (coordinators, worker) = active(c, &name).await?;
    let change = revoke_rule(worker, &coordinators, keep_a_coordinator);
    if let (Change::Done, Some(worker)) = (change, worker) {
        c.execute(&REVOKE_WORKER, params![worker.id, now]).await?;
        c.execute(&REVOKE_WORKERS_DEVICES, params![worker.id, now])
            .await?;
        audit(
            c,
            now,
            &actor,
            AuditAction::WorkerRevoked,
            Some(&name),
            None,
            None,
        )
        .await?;
    }
    Ok(change)
}

static SET_ROLE: Sql = Sql::both("UPDATE workers SET role = $2 WHERE id = $1");

/// Changes a worker's role, unless [`role_rule`] says there is nothing to do or refuses.
pub(crate) async fn set_role<C: Conn>(
    c: &mut C,
    name: String,
    role: Role,
    actor: String,
    now: i64,
    keep_a_coordinator: bool,
) -> Result<Change, StoreError> {
    let (coordinators, worker) = active(c, &name).await?;
    let change = role_rule(worker, role, &coordinators, keep_a_coordinator);
    if let (Change::Done, Some(worker)) = (change, worker) {
        c.execute(&SET_ROLE, params![worker.id, role.as_str()])
            .await?;
        audit(
            c,
            now,
            &actor,
            AuditAction::RoleChanged,
            Some(&name),
            None,
            Some(role.as_str()),
        )
        .await?;
    }
    Ok(change)
}

/// PostgreSQL locks the device's row, so two servers revoking it at once write one audit
/// entry; SQLite's IMMEDIATE transaction does the same for the whole file.
static DEVICE_TO_REVOKE: Sql = Sql::each(
    "SELECT w.name, d.label, d.revoked_ms FROM devices d
     JOIN workers w ON w.id = d.worker_id WHERE d.id = $1",
    "SELECT w.name, d.label, d.revoked_ms FROM devices d
     JOIN workers w ON w.id = d.worker_id WHERE d.id = $1 FOR UPDATE OF d",
);
static REVOKE_DEVICE: Sql = Sql::both("UPDATE devices SET revoked_ms = $2 WHERE id = $1");

/// Revokes one device; `None` when there is no such device.
pub(crate) async fn revoke_device<C: Conn>(
    c: &mut C,
    device: i64,
    actor: String,
    now: i64,
) -> Result<Option<RevokedDevice>, StoreError> {
    let Some(row) = c.optional(&DEVICE_TO_REVOKE, params![device]).await? else {
        return Ok(None);
    };
    let (worker, label) = (row.text(0)?, row.text(1)?);
    let changed = row.opt_int(2)?.is_none();
    if changed {
        c.execute(&REVOKE_DEVICE, params![device, now]).await?;
        audit(
            c,
            now,
            &actor,
            AuditAction::DeviceRevoked,
            Some(&worker),
            Some(device),
            Some(&label),
        )
        .await?;
    }
    Ok(Some(RevokedDevice {
        worker,
        label,
        changed,
    }))
}

static INSERT_PAIRING_CODE: Sql = Sql::both(
    "INSERT INTO pairing_codes (hash, worker_id, expires_ms)
     SELECT $2, id, $3 FROM workers WHERE name = $1 AND revoked_ms IS NULL",
);

/// Stores a code's hash for an active worker; false when there is no such worker.
pub(crate) async fn insert_pairing_code<C: Conn>(
    c: &mut C,
    name: String,
    hash: String,
    expires_ms: i64,
    actor: String,
    now: i64,
) -> Result<bool, StoreError> {
    let inserted = c
        .execute(
            &INSERT_PAIRING_CODE,
            params![name.as_str(), hash, expires_ms],
        )
        .await?
        == 1;
    if inserted {
        audit(
            c,
            now,
            &actor,
            AuditAction::CodeIssued,
            Some(&name),
            None,
            None,
        )
        .await?;
    }
    Ok(inserted)
}

/// Spends the code in one conditional update: of two servers redeeming it at once, the
/// second finds it used (SQLite: the file's write lock; PostgreSQL: the row's).
static SPEND_PAIRING_CODE: Sql = Sql::both(
    "UPDATE pairing_codes SET used_ms = $2
     WHERE hash = $1 AND used_ms IS NULL AND expires_ms > $2
       AND worker_id IN (SELECT id FROM workers WHERE revoked_ms IS NULL)
     RETURNING worker_id, (SELECT name FROM workers WHERE id = worker_id)",
);
static INSERT_PAIRED_DEVICE: Sql = Sql::both(
    "INSERT INTO devices (hash, worker_id, label, created_ms, last_seen_ms)
     VALUES ($1, $2, $3, $4, $4) RETURNING id",
);

/// Redeems a code: a new device for its worker. `None` when the code is unknown, used,
/// expired or its worker revoked.
pub(crate) async fn redeem_pairing_code<C: Conn>(
    c: &mut C,
    code_hash: String,
    token_hash: String,
    label: String,
    now: i64,
) -> Result<Option<(i64, i64)>, StoreError> {
    let Some(spent) = c
        .optional(&SPEND_PAIRING_CODE, params![code_hash, now])
        .await?
    else {
        return Ok(None);
    };
    let (worker, name) = (spent.int(0)?, spent.text(1)?);
    let device = c
        .one(
            &INSERT_PAIRED_DEVICE,
            params![token_hash, worker, label.as_str(), now],
        )
        .await?
        .int(0)?;
    audit(
        c,
        now,
        &name,
        AuditAction::DevicePaired,
        Some(&name),
        Some(device),
        Some(&label),
    )
    .await?;
    Ok(Some((worker, device)))
}

/// `CAST` rather than PostgreSQL's `::BIGINT`, which SQLite does not read: a null
/// parameter must have a type in PostgreSQL.
static AUDIT_ROWS: Sql = Sql::both(
    "SELECT id, at_ms, actor, action, worker, device_id, detail FROM audit
     WHERE (CAST($1 AS BIGINT) IS NULL OR id < $1) ORDER BY id DESC LIMIT $2",
);

/// The newest audit rows, `before` an id if given.
pub(crate) async fn audit_rows<C: Conn>(
    c: &mut C,
    limit: i64,
    before: Option<i64>,
) -> Result<Vec<AuditRow>, StoreError> {
    c.query(&AUDIT_ROWS, params![before, limit])
        .await?
        .iter()
        .map(|r| {
            Ok(AuditRow {
                id: r.int(0)?,
                at_ms: r.int(1)?,
                actor: r.text(2)?,
                action: r.text(3)?,
                worker: r.opt_text(4)?,
                device_id: r.opt_int(5)?,
                detail: r.opt_text(6)?,
            })
        })
        .collect()
}

static SETTING_ROWS: Sql = Sql::both(
    "SELECT name, value FROM settings WHERE name IN ('device_expiry_days', 'retention_days')",
);

pub(crate) async fn setting_rows<C: Conn>(c: &mut C) -> Result<Vec<(String, String)>, StoreError> {
    c.query(&SETTING_ROWS, params![])
        .await?
        .iter()
        .map(|r| Ok((r.text(0)?, r.text(1)?)))
        .collect()
}

static SET_SETTING: Sql = Sql::both(
    "INSERT INTO settings (name, value) VALUES ($1, $2)
     ON CONFLICT (name) DO UPDATE SET value = excluded.value",
);

pub(crate) async fn set_setting<C: Conn>(
    c: &mut C,
    key: &'static str,
    value: String,
    actor: String,
    now: i64,
) -> Result<(), StoreError> {
    c.execute(&SET_SETTING, params![key, value.as_str()])
        .await?;
    let detail = format!("{key}={value}");
    audit(
        c,
        now,
        &actor,
        AuditAction::SettingChanged,
        None,
        None,
        Some(&detail),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    const COORDINATOR: Active = Active {
        id: 1,
        role: Role::Coordinator,
    };
    const WORKER: Active = Active {
        id: 2,
        role: Role::Worker,
    };

    #[test]
    fn the_last_coordinator_stays_unless_the_command_line_says_so() {
        assert_eq!(revoke_rule(None, &[1], true), Change::NoSuchWorker);
        assert_eq!(
            revoke_rule(Some(COORDINATOR), &[1], true),
            Change::LastCoordinator
        );
        assert_eq!(revoke_rule(Some(COORDINATOR), &[1], false), Change::Done);
        assert_eq!(revoke_rule(Some(COORDINATOR), &[1, 3], true), Change::Done);
        assert_eq!(revoke_rule(Some(WORKER), &[1], true), Change::Done);
        assert_eq!(
            role_rule(Some(COORDINATOR), Role::Worker, &[1], true),
            Change::LastCoordinator
        );
        assert_eq!(
            role_rule(Some(COORDINATOR), Role::Worker, &[1], false),
            Change::Done
        );
        assert_eq!(
            role_rule(Some(COORDINATOR), Role::Worker, &[1, 3], true),
            Change::Done
        );
    }

    #[test]
    fn a_role_already_held_changes_nothing() {
        assert_eq!(
            role_rule(Some(COORDINATOR), Role::Coordinator, &[1], true),
            Change::Unchanged
        );
        assert_eq!(
            role_rule(Some(WORKER), Role::Worker, &[], true),
            Change::Unchanged
        );
        assert_eq!(
            role_rule(Some(WORKER), Role::Coordinator, &[], true),
            Change::Done
        );
        assert_eq!(
            role_rule(None, Role::Worker, &[1], true),
            Change::NoSuchWorker
        );
    }
}
