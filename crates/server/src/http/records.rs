//! `/records`: a device's batches, what the server holds for its worker, and a record's
//! versions.
//!
//! A batch is checked whole before anything is written: if one record is bad, the answer
//! is `422 invalid_records` naming each bad record, and the database is untouched.

use std::io::Read;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use carnet_core::wire::{
    BatchRequest, BatchResponse, ErrorCode, MAX_BATCH, MAX_BODY_BYTES, RecordList, RecordRejection,
    RecordStatus, RecordVersion,
};
use carnet_core::{FieldError, Reason, Record, Taxonomy};
use uuid::Uuid;

use super::error::Failure;
use super::extract::Authed;
use super::state::AppState;
use crate::store::Caller;

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/records", get(list).post(post_batch))
        .route("/records/{id}/versions", get(versions))
}

/// What `POST /records` reads besides plain bodies, said in its answers (RFC 7694): a phone
/// then compresses the rest of its batches, a third of the bytes on a slow uplink.
const ACCEPTED_BODY_ENCODINGS: &str = "gzip";

/// `POST /api/v1/records`: store a batch of records.
async fn post_batch(
    State(state): State<Arc<AppState>>,
    Authed(Caller { worker, .. }): Authed,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<impl IntoResponse, Failure> {
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
            ErrorCode::UnsupportedMediaType,
            "send the batch as application/json",
        ));
    }
    let body = body.map_err(|rejection| Failure::rejected(&rejection, ErrorCode::MalformedJson))?;
    let body = decoded(&headers, body)?;
    let records = decode_batch(&body, &*state.store.taxonomy().await?)?;
    let results = state.store.store_batch(worker, &records).await?;
    if results.iter().any(|r| r.status == RecordStatus::Stored) {
        state.reports.written();
    }
    Ok((
        [(header::ACCEPT_ENCODING, ACCEPTED_BODY_ENCODINGS)],
        Json(BatchResponse { results }),
    ))
}

/// A batch's body as JSON text: a gzip body (`Content-Encoding: gzip`) is decoded, and the
/// size limit holds for what it decodes to, not for what was sent.
fn decoded(headers: &HeaderMap, body: Bytes) -> Result<Bytes, Failure> {
    let encoding = headers
        .get(header::CONTENT_ENCODING)
        .map(|v| v.to_str().unwrap_or_default().trim().to_ascii_lowercase());
    match encoding.as_deref() {
        None | Some("identity") => Ok(body),
        Some("gzip" | "x-gzip") => {
            let mut text = Vec::new();
            flate2::read::GzDecoder::new(&body[..])
                .take(MAX_BODY_BYTES as u64 + 1)
                .read_to_end(&mut text)
                .map_err(|e| {
                    Failure::new(
                        ErrorCode::MalformedEncoding,
                        format!("the body is not gzip: {e}"),
                    )
                })?;
            if text.len() > MAX_BODY_BYTES {
                return Err(Failure::too_large(format!(
                    "the body decodes to more than {MAX_BODY_BYTES} bytes"
                )));
            }
            Ok(text.into())
        }
        Some(other) => Err(Failure::new(
            ErrorCode::UnsupportedMediaType,
            format!("Content-Encoding {other:?} is not read here: send gzip, or no encoding"),
        )),
    }
}

/// Decodes and validates a whole batch, record by record, so one bad record is reported
/// by position and id instead of failing the batch with an opaque parse error.
pub fn decode_batch(body: &[u8], taxonomy: &Taxonomy) -> Result<Vec<Record>, Failure> {
    // The common case first: a well-formed batch decodes straight into records, three
    // times faster than through `serde_json::Value` (BENCHMARKS.md). Anything it refuses
    // takes the slow path below, which names each bad record.
    if let Ok(batch) = serde_json::from_slice::<BatchRequest>(body)
        && batch.records.len() <= MAX_BATCH
        && batch.records.iter().all(|r| r.validate(taxonomy).is_ok())
    {
        return Ok(batch.records);
    }
    let malformed = |message: String| Failure::new(ErrorCode::MalformedJson, message);
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
        let errors = match Record::from_value(item.clone()) {
            Ok(record) => match record.validate(taxonomy) {
                Ok(()) => {
                    records.push(record);
                    continue;
                }
                Err(err) => err.errors,
            },
            Err(_) => vec![FieldError {
                field: "record".into(),
                reason: Reason::Malformed,
            }],
        };
        rejections.push(RecordRejection { index, id, errors });
    }
    if rejections.is_empty() {
        Ok(records)
    } else {
        Err(Failure::invalid_records(rejections, items.len()))
    }
}

/// `GET /api/v1/records`: the latest version of each of the calling worker's records.
async fn list(
    State(state): State<Arc<AppState>>,
    Authed(Caller { worker, .. }): Authed,
) -> Result<Json<RecordList>, Failure> {
    let latest = state.store.latest_versions(worker).await?;
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
async fn versions(
    State(state): State<Arc<AppState>>,
    Authed(Caller { worker, .. }): Authed,
    id: Result<Path<Uuid>, PathRejection>,
) -> Result<Json<Vec<Record>>, Failure> {
    // An id that is no UUID names no record either.
    let Ok(Path(id)) = id else {
        return Err(Failure::not_found("no such record"));
    };
    let versions = state.store.versions(worker, id).await?;
    if versions.is_empty() {
        return Err(Failure::not_found("no such record"));
    }
    Ok(Json(versions))
}
