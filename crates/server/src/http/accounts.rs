//! The team's accounts: `/workers…`, `/devices…` and `/audit` (coordinators), and `/me`
//! (any device). Each change writes its audit entry in the same transaction (see
//! [`crate::store`]); a refused change writes nothing.
//!
//! Making someone a coordinator, or revoking a worker, needs the worker's name typed a
//! second time (`confirm`), so a slip of the finger cannot hand out the team's figures or
//! cut a worker off. From the app, the last active coordinator can be neither demoted nor
//! revoked; the command line can (it is how an organisation recovers).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use carnet_core::completeness::DeviceReport;
use carnet_core::wire::{
    AuditPage, Confirm, ErrorCode, MAX_AUDIT_PAGE, Me, NewWorker, Pairing, RoleChange, TeamAccounts,
};

use super::error::Failure;
use super::extract::{Authed, Coordinator, Expected, JsonBody, Query};
use super::pairing::pairing;
use super::state::AppState;
use crate::store::{DeviceId, Role, now_ms};

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/me", get(me))
        .route("/workers", get(list).post(create_worker))
        .route("/workers/{name}/pairing", post(new_pairing))
        .route("/workers/{name}/revoke", post(revoke_worker))
        .route("/workers/{name}/role", post(change_role))
        .route("/devices/{id}/revoke", post(revoke_device))
        .route("/audit", get(audit))
        .route("/device/report", put(device_report))
}

/// `PUT /api/v1/device/report`: what the calling phone still holds, as counts and dates
/// (it sends this at the end of every sync). Only the latest is kept, with the time it
/// came; a report that is not coherent is refused whole and nothing is kept.
async fn device_report(
    State(state): State<Arc<AppState>>,
    Authed(caller): Authed,
    JsonBody(report): JsonBody<DeviceReport>,
) -> Result<StatusCode, Failure> {
    report
        .validate()
        .map_err(|e| Failure::new(ErrorCode::InvalidDeviceReport, e.to_string()))?;
    state
        .store
        .save_device_report(caller.device, &report, now_ms())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v1/me`: the worker's name and the organisation's person-code key.
async fn me(
    State(state): State<Arc<AppState>>,
    Authed(caller): Authed,
) -> Result<Json<Me>, Failure> {
    Ok(Json(Me {
        worker: state.store.worker_name(caller.worker).await?,
        person_code_key: state.store.person_code_key().await?,
        taxonomy_version: state.store.taxonomy().await?.version,
        role: caller.role.as_str().into(),
        retention_days: state.store.settings().await?.retention_days,
    }))
}

/// `confirm` must repeat `name` exactly.
fn confirmed(name: &str, confirm: Option<&str>) -> Result<(), Failure> {
    if confirm.map(str::trim) == Some(name) {
        Ok(())
    } else {
        Err(Failure::new(
            ErrorCode::ConfirmationRequired,
            format!("type the worker's name, `{name}`, again in `confirm`"),
        ))
    }
}

/// `GET /api/v1/workers` (coordinators): every worker with its devices.
async fn list(
    State(state): State<Arc<AppState>>,
    _: Coordinator,
) -> Result<Json<TeamAccounts>, Failure> {
    let (workers, device_expiry_days) = state.store.accounts(now_ms()).await?;
    Ok(Json(TeamAccounts {
        workers,
        device_expiry_days,
    }))
}

/// `POST /api/v1/workers` (coordinators): adds a worker and returns a pairing code. A new
/// coordinator needs `confirm` with the name typed again.
async fn create_worker(
    State(state): State<Arc<AppState>>,
    Coordinator(caller): Coordinator,
    headers: HeaderMap,
    JsonBody(request): JsonBody<NewWorker>,
) -> Result<Json<Pairing>, Failure> {
    let name = request.name.trim().to_owned();
    let role = if request.coordinator {
        confirmed(&name, request.confirm.as_deref())?;
        Role::Coordinator
    } else {
        Role::Worker
    };
    let actor = state.store.worker_name(caller.worker).await?;
    state.store.create_worker(&name, role, &actor).await?;
    let code = state
        .store
        .issue_pairing_code(&name, &actor, now_ms())
        .await?;
    Ok(Json(pairing(name, code, &headers)))
}

/// `POST /api/v1/workers/{name}/pairing` (coordinators): a new code for a lost or new phone.
async fn new_pairing(
    State(state): State<Arc<AppState>>,
    Coordinator(caller): Coordinator,
    headers: HeaderMap,
    Path(name): Path<String>,
) -> Result<Json<Pairing>, Failure> {
    let actor = state.store.worker_name(caller.worker).await?;
    let code = state
        .store
        .issue_pairing_code(&name, &actor, now_ms())
        .await?;
    Ok(Json(pairing(name, code, &headers)))
}

/// `POST /api/v1/workers/{name}/revoke` (coordinators), `{"confirm": name}`: every device
/// of the worker stops working; its synced records stay.
async fn revoke_worker(
    State(state): State<Arc<AppState>>,
    Coordinator(caller): Coordinator,
    Path(name): Path<String>,
    JsonBody(body): JsonBody<Confirm>,
) -> Result<StatusCode, Failure> {
    confirmed(&name, Some(&body.confirm))?;
    let actor = state.store.worker_name(caller.worker).await?;
    state.store.revoke_worker_by(&name, &actor, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/workers/{name}/role` (coordinators), `{"role": …, "confirm": name}`.
async fn change_role(
    State(state): State<Arc<AppState>>,
    Coordinator(caller): Coordinator,
    Path(name): Path<String>,
    JsonBody(body): JsonBody<RoleChange>,
) -> Result<StatusCode, Failure> {
    let role = Role::parse(&body.role).ok_or_else(|| {
        Failure::new(
            ErrorCode::InvalidRole,
            format!("unknown role `{}`; use worker or coordinator", body.role),
        )
    })?;
    confirmed(&name, Some(&body.confirm))?;
    let actor = state.store.worker_name(caller.worker).await?;
    state.store.set_role(&name, role, &actor, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/devices/{id}/revoke` (coordinators): one device stops working.
async fn revoke_device(
    State(state): State<Arc<AppState>>,
    Coordinator(caller): Coordinator,
    Path(id): Path<String>,
) -> Result<StatusCode, Failure> {
    let id: i64 = id
        .parse()
        .map_err(|_| Failure::not_found("a device is a number"))?;
    let actor = state.store.worker_name(caller.worker).await?;
    state.store.revoke_device(DeviceId(id), &actor).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Query of `GET /api/v1/audit`.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct AuditQuery {
    #[serde(default)]
    limit: Option<u32>,
    #[serde(default)]
    before: Option<i64>,
}

impl Expected for AuditQuery {
    const EXPECTED: &'static str = "[limit=1..200][&before=ID]";
}

/// `GET /api/v1/audit?limit=50&before=ID` (coordinators): account actions, newest first.
async fn audit(
    State(state): State<Arc<AppState>>,
    _: Coordinator,
    Query(query): Query<AuditQuery>,
) -> Result<Json<AuditPage>, Failure> {
    let limit = query.limit.unwrap_or(50);
    if !(1..=MAX_AUDIT_PAGE).contains(&limit) {
        return Err(Failure::new(
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_audit_query_says_its_real_limit() {
        assert!(AuditQuery::EXPECTED.contains(&format!("1..{MAX_AUDIT_PAGE}]")));
    }
}
