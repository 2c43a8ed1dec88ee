//! The coordinators' account endpoints: the team's workers and devices, revoking a device
//! or a worker, changing a role, and the audit log. Each change writes its audit entry in
//! the same transaction (see [`crate::store`]); a refused change writes nothing.
//!
//! Making someone a coordinator, or revoking a worker, needs the worker's name typed a
//! second time (`confirm`), so a slip of the finger cannot hand out the team's figures or
//! cut a worker off. From the app, the last active coordinator can be neither demoted nor
//! revoked; the command line can (it is how an organisation recovers).

use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use carnet_core::wire::{AuditPage, Confirm, ErrorCode, MAX_AUDIT_PAGE, RoleChange, TeamAccounts};

use crate::api::{Authed, Failure, coordinator_only};
use crate::app::AppState;
use crate::store::{DeviceId, Role, StoreError};

/// `confirm` must repeat `name` exactly.
pub(crate) fn confirmed(name: &str, confirm: Option<&str>) -> Result<(), Failure> {
    if confirm.map(str::trim) == Some(name) {
        Ok(())
    } else {
        Err(Failure::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::ConfirmationRequired,
            format!("type the worker's name, `{name}`, again in `confirm`"),
        ))
    }
}

/// The API's answer to a refused account change.
pub(crate) fn refusal(err: StoreError) -> Failure {
    let message = err.to_string();
    match err {
        StoreError::WorkerExists(_) => {
            Failure::new(StatusCode::CONFLICT, ErrorCode::WorkerExists, message)
        }
        StoreError::BadWorkerName => Failure::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidWorkerName,
            message,
        ),
        StoreError::NoSuchWorker(_) | StoreError::NoSuchDevice(_) => {
            Failure::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, message)
        }
        StoreError::LastCoordinator(_) => {
            Failure::new(StatusCode::CONFLICT, ErrorCode::LastCoordinator, message)
        }
        other => Failure::from(other),
    }
}

fn malformed(rejection: JsonRejection) -> Failure {
    Failure::new(
        StatusCode::BAD_REQUEST,
        ErrorCode::MalformedJson,
        rejection.body_text(),
    )
}

/// `GET /api/v1/workers` (coordinators): every worker with its devices.
pub async fn list(
    State(state): State<Arc<AppState>>,
    Authed(caller): Authed,
) -> Result<Json<TeamAccounts>, Failure> {
    coordinator_only(caller)?;
    let (workers, device_expiry_days) = state.store.accounts(crate::store::now_ms()).await?;
    Ok(Json(TeamAccounts {
        workers,
        device_expiry_days,
    }))
}

/// `POST /api/v1/workers/{name}/revoke` (coordinators), `{"confirm": name}`: every device
/// of the worker stops working; its synced records stay.
pub async fn revoke_worker(
    State(state): State<Arc<AppState>>,
    Authed(caller): Authed,
    Path(name): Path<String>,
    body: Result<Json<Confirm>, JsonRejection>,
) -> Result<StatusCode, Failure> {
    coordinator_only(caller)?;
    let Json(body) = body.map_err(malformed)?;
    confirmed(&name, Some(&body.confirm))?;
    let actor = state.store.worker_name(caller.worker).await?;
    state
        .store
        .revoke_worker_by(&name, &actor, true)
        .await
        .map_err(refusal)?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/workers/{name}/role` (coordinators), `{"role": …, "confirm": name}`.
pub async fn change_role(
    State(state): State<Arc<AppState>>,
    Authed(caller): Authed,
    Path(name): Path<String>,
    body: Result<Json<RoleChange>, JsonRejection>,
) -> Result<StatusCode, Failure> {
    coordinator_only(caller)?;
    let Json(body) = body.map_err(malformed)?;
    let role = match body.role.as_str() {
        "worker" => Role::Worker,
        "coordinator" => Role::Coordinator,
        other => {
            return Err(Failure::new(
                StatusCode::BAD_REQUEST,
                ErrorCode::InvalidRole,
                format!("unknown role `{other}`; use worker or coordinator"),
            ));
        }
    };
    confirmed(&name, Some(&body.confirm))?;
    let actor = state.store.worker_name(caller.worker).await?;
    state
        .store
        .set_role(&name, role, &actor, true)
        .await
        .map_err(refusal)?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/devices/{id}/revoke` (coordinators): one device stops working.
pub async fn revoke_device(
    State(state): State<Arc<AppState>>,
    Authed(caller): Authed,
    Path(id): Path<String>,
) -> Result<StatusCode, Failure> {
    coordinator_only(caller)?;
    let id: i64 = id.parse().map_err(|_| {
        Failure::new(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            "a device is a number",
        )
    })?;
    let actor = state.store.worker_name(caller.worker).await?;
    state
        .store
        .revoke_device(DeviceId(id), &actor)
        .await
        .map_err(refusal)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Query of `GET /api/v1/audit`.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    #[serde(default)]
    limit: Option<u32>,
    #[serde(default)]
    before: Option<i64>,
}

/// `GET /api/v1/audit?limit=50&before=ID` (coordinators): account actions, newest first.
pub async fn audit(
    State(state): State<Arc<AppState>>,
    Authed(caller): Authed,
    query: Result<Query<AuditQuery>, QueryRejection>,
) -> Result<Json<AuditPage>, Failure> {
    coordinator_only(caller)?;
    let Query(query) = query.map_err(|e| {
        Failure::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidQuery,
            format!(
                "expected [limit=1..{MAX_AUDIT_PAGE}][&before=ID]: {}",
                e.body_text()
            ),
        )
    })?;
    let limit = query.limit.unwrap_or(50);
    if !(1..=MAX_AUDIT_PAGE).contains(&limit) {
        return Err(Failure::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidQuery,
            format!("limit is 1 to {MAX_AUDIT_PAGE}"),
        ));
    }
    let entries = state.store.audit(limit, query.before).await?;
    let next_before = (entries.len() == limit as usize)
        .then(|| entries.last().map(|e| e.id))
        .flatten();
    Ok(Json(AuditPage {
        entries,
        next_before,
    }))
}
