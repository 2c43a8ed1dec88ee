//! The HTTP API (v1). Every error answer is JSON: `{ "error": <code>, "message": … }`.
//!
//! A batch is checked whole before anything is written: if one record is bad, the answer
//! is `422 invalid_records` naming each bad record, and the database is untouched.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use carnet_core::wire::{
    ApiError, BatchResponse, Comparison, ErrorCode, MAX_BATCH, Me, NewWorker, PairRequest,
    PairResponse, Pairing, RecordList, RecordRejection, RecordVersion, ReportResponse, Tallies,
    WorkerTally,
};
use carnet_core::{FieldError, Reason, Record, Taxonomy};
use carnet_core::{Report, ReportFilter};
use uuid::Uuid;

use crate::app::AppState;
use crate::store::{Caller, Role, StoreError, WorkerId};

/// An error answer of the API.
#[derive(Debug)]
pub struct Failure {
    status: StatusCode,
    body: ApiError,
    retry_after: Option<u64>,
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
            retry_after: None,
        }
    }

    /// `429 rate_limited` with a `Retry-After` of `seconds`.
    fn rate_limited(seconds: u64) -> Self {
        let mut failure = Failure::new(
            StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::RateLimited,
            format!("too many requests; retry in {seconds} s"),
        );
        failure.retry_after = Some(seconds);
        failure
    }

    /// The HTTP status this failure answers with.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The machine-readable body.
    pub fn body(&self) -> &ApiError {
        &self.body
    }

    pub(crate) fn internal(err: impl std::fmt::Display) -> Self {
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
        let mut response = (self.status, Json(self.body)).into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, axum::http::HeaderValue::from(seconds));
        }
        response
    }
}

/// The caller behind the request's bearer token, with its role. The worker is never read
/// from the body.
pub struct Authed(pub Caller);

impl FromRequestParts<Arc<AppState>> for Authed {
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
        state
            .limiter
            .check(&crate::token::hash(&token))
            .map_err(Failure::rate_limited)?;
        let store = state.store.clone();
        let caller = tokio::task::spawn_blocking(move || store.caller_for_token(&token))
            .await
            .map_err(Failure::internal)??;
        caller
            .map(Authed)
            .ok_or_else(|| unauthorized("unknown or revoked token"))
    }
}

/// `POST /api/v1/records`: store a batch of records.
pub async fn post_records(
    State(state): State<Arc<AppState>>,
    Authed(Caller { worker, .. }): Authed,
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
    let records = decode_batch(&body, &state.taxonomy())?;
    let store = state.store.clone();
    let results = tokio::task::spawn_blocking(move || store.store_batch(worker, &records))
        .await
        .map_err(Failure::internal)??;
    Ok(Json(BatchResponse { results }))
}

/// `GET /api/v1/records`: the latest version of each of the calling worker's records.
pub async fn list_records(
    State(state): State<Arc<AppState>>,
    Authed(Caller { worker, .. }): Authed,
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
    Authed(Caller { worker, .. }): Authed,
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
    Authed(caller): Authed,
) -> Result<Json<Me>, Failure> {
    let store = state.store.clone();
    let worker = caller.worker;
    let (name, key) = tokio::task::spawn_blocking(move || {
        Ok::<_, crate::store::StoreError>((store.worker_name(worker)?, store.person_code_key()?))
    })
    .await
    .map_err(Failure::internal)??;
    Ok(Json(Me {
        worker: name,
        person_code_key: key,
        taxonomy_version: state.taxonomy().version,
        role: match caller.role {
            Role::Worker => "worker",
            Role::Coordinator => "coordinator",
        }
        .into(),
        retention_days: carnet_core::wire::DEFAULT_RETENTION_DAYS,
    }))
}

/// `GET /api/v1/taxonomy`: the organisation's lists, for the app to cache.
pub async fn get_taxonomy(State(state): State<Arc<AppState>>) -> Json<Taxonomy> {
    Json(Taxonomy::clone(&state.taxonomy()))
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

/// Query of `GET /api/v1/report` and `GET /api/v1/tallies`.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
    /// A program, a program group, or several of either separated by commas.
    #[serde(default)]
    program: Option<String>,
    #[serde(default)]
    worker: Option<String>,
    #[serde(default)]
    format: Option<String>,
    /// Another period to put side by side (both or neither).
    #[serde(default)]
    compare_from: Option<chrono::NaiveDate>,
    #[serde(default)]
    compare_to: Option<chrono::NaiveDate>,
}

fn invalid_query(message: impl Into<String>) -> Failure {
    Failure::new(StatusCode::BAD_REQUEST, ErrorCode::InvalidQuery, message)
}

/// What `GET /api/v1/report` answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Csv,
    Xlsx,
}

impl ReportQuery {
    fn filter(&self, taxonomy: &Taxonomy) -> Result<ReportFilter, Failure> {
        if self.from > self.to {
            return Err(invalid_query("`from` is after `to`"));
        }
        let programs = taxonomy
            .resolve_programs(self.program.as_deref().unwrap_or(""))
            .map_err(|e| {
                Failure::new(
                    StatusCode::BAD_REQUEST,
                    ErrorCode::UnknownProgram,
                    e.to_string(),
                )
            })?;
        Ok(ReportFilter {
            from: self.from,
            to: self.to,
            programs,
        })
    }

    /// The period to compare with, same programs.
    fn compare_filter(&self, filter: &ReportFilter) -> Result<Option<ReportFilter>, Failure> {
        match (self.compare_from, self.compare_to) {
            (None, None) => Ok(None),
            (Some(from), Some(to)) if from <= to => Ok(Some(ReportFilter {
                from,
                to,
                programs: filter.programs.clone(),
            })),
            (Some(_), Some(_)) => Err(invalid_query("`compare_from` is after `compare_to`")),
            _ => Err(invalid_query(
                "give both `compare_from` and `compare_to`, or neither",
            )),
        }
    }

    fn format(&self) -> Result<Format, Failure> {
        match self.format.as_deref() {
            None | Some("json") => Ok(Format::Json),
            Some("csv") => Ok(Format::Csv),
            Some("xlsx") => Ok(Format::Xlsx),
            Some(other) => Err(invalid_query(format!(
                "unknown format `{other}`; use json, csv or xlsx"
            ))),
        }
    }
}

type QueryResult = Result<Query<ReportQuery>, QueryRejection>;

fn parse_query(query: QueryResult) -> Result<ReportQuery, Failure> {
    query.map(|Query(q)| q).map_err(|e| {
        invalid_query(format!(
            "expected from=YYYY-MM-DD&to=YYYY-MM-DD[&program=CODE,…][&worker=…][&format=csv|xlsx][&compare_from=…&compare_to=…]: {}",
            e.body_text()
        ))
    })
}

/// Whose records a caller may read: a worker only its own; a coordinator everyone's, or
/// the named worker's.
fn scope(
    store: &crate::store::Store,
    caller: Caller,
    worker: Option<&str>,
) -> Result<Option<(WorkerId, String)>, Failure> {
    let own = store.worker_name(caller.worker)?;
    match (caller.role, worker) {
        (Role::Worker, None) => Ok(Some((caller.worker, own))),
        (Role::Worker, Some(name)) if name == own => Ok(Some((caller.worker, own))),
        (Role::Worker, Some(_)) => Err(Failure::new(
            StatusCode::FORBIDDEN,
            ErrorCode::Forbidden,
            "a worker token reads only its own figures",
        )),
        (Role::Coordinator, None) => Ok(None),
        (Role::Coordinator, Some(name)) => match store.worker_by_name(name)? {
            Some(id) => Ok(Some((id, name.to_owned()))),
            None => Err(Failure::new(
                StatusCode::NOT_FOUND,
                ErrorCode::NotFound,
                "no such worker",
            )),
        },
    }
}

/// `GET /api/v1/report`: every table of the annual report, as JSON, CSV or a spreadsheet,
/// optionally beside another period.
pub async fn report(
    State(state): State<Arc<AppState>>,
    Authed(caller): Authed,
    query: QueryResult,
) -> Result<Response, Failure> {
    let query = parse_query(query)?;
    let taxonomy = state.taxonomy();
    let filter = query.filter(&taxonomy)?;
    let compare_filter = query.compare_filter(&filter)?;
    let format = query.format()?;
    let store = state.store.clone();
    let worker = query.worker.clone();
    let filters = (filter.clone(), compare_filter.clone());
    let (who, report, other) = tokio::task::spawn_blocking(move || {
        let who = scope(&store, caller, worker.as_deref())?;
        let records = store.latest_records(who.as_ref().map(|w| w.0))?;
        let report = Report::compute(records.iter().map(|(_, r)| r), &filters.0);
        let other = filters
            .1
            .map(|f| Report::compute(records.iter().map(|(_, r)| r), &f));
        Ok::<_, Failure>((who, report, other))
    })
    .await
    .map_err(Failure::internal)??;
    let compare = compare_filter.zip(other).map(|(filter, other)| Comparison {
        differences: carnet_core::report::differences(&report, &other),
        filter,
        report: other,
    });
    let response = ReportResponse {
        filter,
        worker: who.map(|w| w.1),
        report,
        compare,
    };
    let name = format!(
        "carnet-rapport-{}-{}",
        response.filter.from, response.filter.to
    );
    let attachment = |content_type: &str, extension: &str, body: Vec<u8>| {
        (
            [
                (header::CONTENT_TYPE, content_type.to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{name}.{extension}\""),
                ),
            ],
            body,
        )
            .into_response()
    };
    Ok(match format {
        Format::Json => Json(response).into_response(),
        Format::Csv => {
            let csv = match &response.compare {
                Some(c) => carnet_core::report::differences_csv(&c.differences),
                None => response.report.to_csv(),
            };
            attachment("text/csv; charset=utf-8", "csv", csv.into_bytes())
        }
        Format::Xlsx => {
            let bytes = crate::xlsx::workbook(&response, &taxonomy).map_err(Failure::internal)?;
            attachment(crate::xlsx::CONTENT_TYPE, "xlsx", bytes)
        }
    })
}

/// `GET /api/v1/tallies`: each worker's figures (coordinators), or the caller's own.
pub async fn tallies(
    State(state): State<Arc<AppState>>,
    Authed(caller): Authed,
    query: QueryResult,
) -> Result<Json<Tallies>, Failure> {
    let query = parse_query(query)?;
    let filter = query.filter(&state.taxonomy())?;
    if query.compare_filter(&filter)?.is_some() || query.format()? != Format::Json {
        return Err(invalid_query(
            "tallies come as JSON for one period; use /report to compare or export",
        ));
    }
    let store = state.store.clone();
    let worker = query.worker.clone();
    let compute_filter = filter.clone();
    let workers = tokio::task::spawn_blocking(move || {
        let who = scope(&store, caller, worker.as_deref())?;
        let names: Vec<(WorkerId, String)> = match who {
            Some(one) => vec![one],
            None => store.workers()?,
        };
        let records = store.latest_records(None)?;
        Ok::<_, Failure>(
            names
                .into_iter()
                .map(|(id, name)| WorkerTally {
                    worker: name,
                    report: Report::compute(
                        records.iter().filter(|(w, _)| *w == id).map(|(_, r)| r),
                        &compute_filter,
                    ),
                })
                .collect::<Vec<_>>(),
        )
    })
    .await
    .map_err(Failure::internal)??;
    Ok(Json(Tallies { filter, workers }))
}

/// `POST /api/v1/pair`: exchanges a one-time pairing code for a device token.
pub async fn pair(
    State(state): State<Arc<AppState>>,
    body: Result<Json<PairRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<PairResponse>, Failure> {
    // One bucket for every pairing attempt: guessing codes is slowed for everyone.
    state
        .limiter
        .check("pairing")
        .map_err(Failure::rate_limited)?;
    let Json(request) = body.map_err(|e| {
        Failure::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::MalformedJson,
            e.body_text(),
        )
    })?;
    let store = state.store.clone();
    let redeemed = tokio::task::spawn_blocking(move || {
        let found = store.redeem_pairing_code(&request.code, crate::store::now_ms())?;
        match found {
            Some((token, worker)) => Ok(Some((token, store.worker_name(worker)?))),
            None => Ok::<_, StoreError>(None),
        }
    })
    .await
    .map_err(Failure::internal)??;
    match redeemed {
        Some((token, worker)) => Ok(Json(PairResponse { token, worker })),
        None => Err(Failure::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidPairingCode,
            "unknown, used or expired pairing code",
        )),
    }
}

fn coordinator_only(caller: Caller) -> Result<(), Failure> {
    coordinator_for(caller, "manages workers")
}

/// Refuses a worker token: `what` the coordinator alone may do, for the message.
pub fn coordinator_for(caller: Caller, what: &str) -> Result<(), Failure> {
    if caller.role == Role::Coordinator {
        Ok(())
    } else {
        Err(Failure::new(
            StatusCode::FORBIDDEN,
            ErrorCode::Forbidden,
            format!("only a coordinator token {what}"),
        ))
    }
}

/// A QR code of the link that opens the app with the code filled in, as SVG.
fn pairing_qr(origin: Option<&str>, code: &str) -> String {
    let text = match origin {
        Some(o) if o.starts_with("https://") || o.starts_with("http://") => {
            format!("{o}/#pair={code}")
        }
        _ => code.to_owned(),
    };
    qrcode::QrCode::new(text.as_bytes())
        .map(|qr| {
            qr.render::<qrcode::render::svg::Color>()
                .min_dimensions(200, 200)
                .quiet_zone(true)
                .build()
        })
        .unwrap_or_default()
}

fn origin(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// `POST /api/v1/workers` (coordinators): adds a worker and returns a pairing code.
pub async fn create_worker(
    State(state): State<Arc<AppState>>,
    Authed(caller): Authed,
    headers: HeaderMap,
    body: Result<Json<NewWorker>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Pairing>, Failure> {
    coordinator_only(caller)?;
    let Json(request) = body.map_err(|e| {
        Failure::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::MalformedJson,
            e.body_text(),
        )
    })?;
    let store = state.store.clone();
    let name = request.name.trim().to_owned();
    let role = if request.coordinator {
        Role::Coordinator
    } else {
        Role::Worker
    };
    let code = tokio::task::spawn_blocking(move || {
        store.add_worker_with_role(&name, role)?;
        store.create_pairing_code(&name, crate::store::now_ms())
    })
    .await
    .map_err(Failure::internal)?
    .map_err(|e| match e {
        StoreError::WorkerExists(_) => {
            Failure::new(StatusCode::CONFLICT, ErrorCode::WorkerExists, e.to_string())
        }
        StoreError::BadWorkerName => Failure::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidWorkerName,
            e.to_string(),
        ),
        other => Failure::from(other),
    })?;
    let qr_svg = pairing_qr(origin(&headers).as_deref(), &code);
    Ok(Json(Pairing {
        worker: request.name.trim().to_owned(),
        pairing_code: code,
        qr_svg,
    }))
}

/// `POST /api/v1/workers/{name}/pairing` (coordinators): a new code for a lost or new phone.
pub async fn new_pairing(
    State(state): State<Arc<AppState>>,
    Authed(caller): Authed,
    headers: HeaderMap,
    Path(name): Path<String>,
) -> Result<Json<Pairing>, Failure> {
    coordinator_only(caller)?;
    let store = state.store.clone();
    let worker = name.clone();
    let code = tokio::task::spawn_blocking(move || {
        store.create_pairing_code(&worker, crate::store::now_ms())
    })
    .await
    .map_err(Failure::internal)?
    .map_err(|e| match e {
        StoreError::NoSuchWorker(_) => {
            Failure::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, e.to_string())
        }
        other => Failure::from(other),
    })?;
    let qr_svg = pairing_qr(origin(&headers).as_deref(), &code);
    Ok(Json(Pairing {
        worker: name,
        pairing_code: code,
        qr_svg,
    }))
}
