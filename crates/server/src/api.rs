//! The HTTP API (v1). Every error answer is JSON: `{ "error": <code>, "message": … }`.
//!
//! A batch is checked whole before anything is written: if one record is bad, the answer
//! is `422 invalid_records` naming each bad record, and the database is untouched.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use carnet_core::wire::{
    ApiError, BatchResponse, ErrorCode, MAX_BATCH, Me, RecordList, RecordRejection, RecordVersion,
};
use carnet_core::{FieldError, Reason, Record, Taxonomy};
use uuid::Uuid;

use crate::app::AppState;
use crate::store::{StoreError, WorkerId};

/// An error answer of the API.
#[derive(Debug)]
pub struct Failure {
    status: StatusCode,
    body: ApiError,
}

impl Failure {
    pub fn new(status: StatusCode, error: ErrorCode, message: impl Into<String>) -> Self {
        Failure {
            status,
            body: ApiError {
                error,
                message: message.into(),
                records: Vec::new(),
            },
        }
    }

    fn internal(err: impl std::fmt::Display) -> Self {
        // The message goes to the log, not to the client: it may name internals.
        eprintln!("carnet-server: internal error: {err}");
        Failure::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::Internal,
            "internal error; nothing was acknowledged, retry later",
        )
    }
}

impl From<StoreError> for Failure {
    fn from(err: StoreError) -> Self {
        Failure::internal(err)
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}

/// The worker behind the request's bearer token. The worker is never read from the body.
pub struct Worker(pub WorkerId);

impl FromRequestParts<Arc<AppState>> for Worker {
    type Rejection = Failure;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        let unauthorized =
            |msg: &str| Failure::new(StatusCode::UNAUTHORIZED, ErrorCode::Unauthorized, msg);
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| unauthorized("missing bearer token"))?
            .to_owned();
        let store = state.store.clone();
        let worker = tokio::task::spawn_blocking(move || store.worker_for_token(&token))
            .await
            .map_err(Failure::internal)??;
        worker
            .map(Worker)
            .ok_or_else(|| unauthorized("unknown or revoked token"))
    }
}

/// `POST /api/v1/records`: store a batch of records.
pub async fn post_records(
    State(state): State<Arc<AppState>>,
    Worker(worker): Worker,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<BatchResponse>, Failure> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(';')
                .next()
                .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
        });
    if !is_json {
        return Err(Failure::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::UnsupportedMediaType,
            "send the batch as application/json",
        ));
    }
    let body = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Failure::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::PayloadTooLarge,
                format!(
                    "the body exceeds {} bytes",
                    carnet_core::wire::MAX_BODY_BYTES
                ),
            )
        } else {
            Failure::new(
                StatusCode::BAD_REQUEST,
                ErrorCode::MalformedJson,
                rejection.body_text(),
            )
        }
    })?;
    let records = decode_batch(&body, &state.taxonomy)?;
    let store = state.store.clone();
    let results = tokio::task::spawn_blocking(move || store.store_batch(worker, &records))
        .await
        .map_err(Failure::internal)??;
    Ok(Json(BatchResponse { results }))
}

/// `GET /api/v1/records`: the latest version of each of the calling worker's records.
pub async fn list_records(
    State(state): State<Arc<AppState>>,
    Worker(worker): Worker,
) -> Result<Json<RecordList>, Failure> {
    let store = state.store.clone();
    let latest = tokio::task::spawn_blocking(move || store.latest_versions(worker))
        .await
        .map_err(Failure::internal)??;
    let records = latest
        .into_iter()
        .map(|v| RecordVersion {
            id: v.id,
            version: v.version,
            deleted: v.deleted,
        })
        .collect();
    Ok(Json(RecordList { records }))
}

/// `GET /api/v1/records/{id}/versions`: every version of one of the caller's records.
pub async fn record_versions(
    State(state): State<Arc<AppState>>,
    Worker(worker): Worker,
    Path(id): Path<Uuid>,
) -> Result<Json<Vec<Record>>, Failure> {
    let store = state.store.clone();
    let versions = tokio::task::spawn_blocking(move || store.versions(worker, id))
        .await
        .map_err(Failure::internal)??;
    if versions.is_empty() {
        return Err(Failure::new(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            "no such record",
        ));
    }
    Ok(Json(versions))
}

/// `GET /api/v1/me`: the worker's name and the organisation's person-code key.
pub async fn me(
    State(state): State<Arc<AppState>>,
    Worker(worker): Worker,
) -> Result<Json<Me>, Failure> {
    let store = state.store.clone();
    let (name, key) = tokio::task::spawn_blocking(move || {
        Ok::<_, crate::store::StoreError>((store.worker_name(worker)?, store.person_code_key()?))
    })
    .await
    .map_err(Failure::internal)??;
    Ok(Json(Me {
        worker: name,
        person_code_key: key,
        taxonomy_version: state.taxonomy.version,
    }))
}

/// `GET /api/v1/taxonomy`: the organisation's lists, for the app to cache.
pub async fn get_taxonomy(State(state): State<Arc<AppState>>) -> Json<Taxonomy> {
    Json(state.taxonomy.clone())
}

/// Any other `/api/…` path.
pub async fn not_found() -> Failure {
    Failure::new(
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
        "no such endpoint",
    )
}

/// Decodes and validates a whole batch, record by record, so one bad record is reported
/// by position and id instead of failing the batch with an opaque parse error.
pub fn decode_batch(body: &[u8], taxonomy: &Taxonomy) -> Result<Vec<Record>, Failure> {
    let malformed =
        |msg: String| Failure::new(StatusCode::BAD_REQUEST, ErrorCode::MalformedJson, msg);
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| malformed(format!("not JSON: {e}")))?;
    let object = value
        .as_object()
        .ok_or_else(|| malformed("expected an object with a `records` array".into()))?;
    if let Some(extra) = object.keys().find(|k| k.as_str() != "records") {
        return Err(malformed(format!("unknown field `{extra}`")));
    }
    let items = object
        .get("records")
        .and_then(|r| r.as_array())
        .ok_or_else(|| malformed("expected an object with a `records` array".into()))?;
    if items.len() > MAX_BATCH {
        return Err(Failure::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::BatchTooLarge,
            format!(
                "{} records in one batch; the limit is {MAX_BATCH}",
                items.len()
            ),
        ));
    }
    let mut records = Vec::with_capacity(items.len());
    let mut rejections = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let id = item
            .get("id")
            .and_then(|v| v.as_str())
            .and_then(|s| Uuid::parse_str(s).ok());
        match Record::from_value(item.clone()) {
            Ok(record) => match record.validate(taxonomy) {
                Ok(()) => records.push(record),
                Err(err) => rejections.push(RecordRejection {
                    index,
                    id,
                    errors: err.errors,
                }),
            },
            Err(_) => rejections.push(RecordRejection {
                index,
                id,
                errors: vec![FieldError {
                    field: "record".into(),
                    reason: Reason::Malformed,
                }],
            }),
        }
    }
    if rejections.is_empty() {
        Ok(records)
    } else {
        let mut failure = Failure::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::InvalidRecords,
            format!(
                "{} of {} records are invalid; nothing was written",
                rejections.len(),
                items.len()
            ),
        );
        failure.body.records = rejections;
        Err(failure)
    }
}
