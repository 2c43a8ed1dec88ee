//! The HTTP API (v1). Every error answer is JSON: `{ "error": <code>, "message": … }`.
//!
//! A batch is checked whole before anything is written: if one record is bad, the answer
//! is `422 invalid_records` naming each bad record, and the database is untouched.

use std::io::Read;
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
use std::net::{IpAddr, SocketAddr};
use uuid::Uuid;

use crate::app::AppState;
use crate::store::{Caller, Role, StoreError, TokenCheck, WorkerId};

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
    pub(crate) fn rate_limited(seconds: u64) -> Self {
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
        crate::log!("carnet-server: internal error: {err}");
        Failure::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::Internal,
            "internal error; nothing was acknowledged, retry later",
        )
    }

    /// `503 unavailable` with a `Retry-After`: the database is busy, full or unreachable.
    fn unavailable(err: impl std::fmt::Display) -> Self {
        crate::log!("carnet-server: {err}");
        let mut failure = Failure::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Unavailable,
            format!(
                "the database cannot take this now; nothing was acknowledged, retry in {RETRY_AFTER_UNAVAILABLE} s"
            ),
        );
        failure.retry_after = Some(RETRY_AFTER_UNAVAILABLE);
        failure
    }
}

/// Seconds a client is asked to wait after a `503`.
pub const RETRY_AFTER_UNAVAILABLE: u64 = 5;

impl From<StoreError> for Failure {
    fn from(err: StoreError) -> Self {
        if err.is_unavailable() {
            Failure::unavailable(err)
        } else {
            Failure::internal(err)
        }
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

/// The address a request comes from (see [`crate::client`]).
pub struct Client(pub IpAddr);

impl FromRequestParts<Arc<AppState>> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<SocketAddr>>()
            .map(|c| c.0);
        Ok(Client(crate::client::address(
            peer,
            &parts.headers,
            &state.trusted_proxies,
        )))
    }
}

/// The caller behind the request's bearer token, with its role. The worker is never read
/// from the body.
///
/// Order matters: an address blocked for its failures is refused before its token is
/// read; the token is checked before its device's budget is spent; a bad token, or an
/// expired device, counts as a failure of the address.
pub struct Authed(pub Caller);

impl FromRequestParts<Arc<AppState>> for Authed {
    type Rejection = Failure;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        let unauthorized =
            |msg: &str| Failure::new(StatusCode::UNAUTHORIZED, ErrorCode::Unauthorized, msg);
        let Ok(Client(address)) = Client::from_request_parts(parts, state).await;
        state
            .limiter
            .admit(address)
            .map_err(Failure::rate_limited)?;
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| unauthorized("missing bearer token"))?
            .to_owned();
        let failure = match state
            .store
            .check_token(&token, crate::store::now_ms())
            .await?
        {
            TokenCheck::Valid(caller) => {
                state
                    .limiter
                    .spend(caller.device.0)
                    .map_err(Failure::rate_limited)?;
                return Ok(Authed(caller));
            }
            TokenCheck::Expired => Failure::new(
                StatusCode::UNAUTHORIZED,
                ErrorCode::DeviceExpired,
                "this device was not used for too long; pair it again with a new code",
            ),
            TokenCheck::Unknown => unauthorized("unknown or revoked token"),
        };
        state
            .limiter
            .failed(address)
            .map_err(Failure::rate_limited)?;
        Err(failure)
    }
}

/// `POST /api/v1/records`: store a batch of records.
pub async fn post_records(
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
    let body = decoded(&headers, body)?;
    let records = decode_batch(&body, &*state.store.taxonomy().await?)?;
    let results = state.store.store_batch(worker, &records).await?;
    Ok((
        [(header::ACCEPT_ENCODING, ACCEPTED_BODY_ENCODINGS)],
        Json(BatchResponse { results }),
    ))
}

/// What `POST /records` reads besides plain bodies, said in its answers (RFC 7694): a phone
/// then compresses the rest of its batches, a third of the bytes on a slow uplink.
const ACCEPTED_BODY_ENCODINGS: &str = "gzip";

/// A batch's body as JSON text: a gzip body (`Content-Encoding: gzip`) is decoded, and the
/// size limit holds for what it decodes to, not for what was sent.
fn decoded(headers: &HeaderMap, body: Bytes) -> Result<Bytes, Failure> {
    let encoding = headers
        .get(header::CONTENT_ENCODING)
        .map(|v| v.to_str().unwrap_or_default().trim().to_ascii_lowercase());
    match encoding.as_deref() {
        None | Some("identity") => Ok(body),
        Some("gzip" | "x-gzip") => {
            let limit = carnet_core::wire::MAX_BODY_BYTES;
            let mut text = Vec::new();
            flate2::read::GzDecoder::new(&body[..])
                .take(limit as u64 + 1)
                .read_to_end(&mut text)
                .map_err(|e| {
                    Failure::new(
                        StatusCode::BAD_REQUEST,
                        ErrorCode::MalformedEncoding,
                        format!("the body is not gzip: {e}"),
                    )
                })?;
            if text.len() > limit {
                return Err(Failure::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    ErrorCode::PayloadTooLarge,
                    format!("the body decodes to more than {limit} bytes"),
                ));
            }
            Ok(text.into())
        }
        Some(other) => Err(Failure::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::UnsupportedMediaType,
            format!("Content-Encoding {other:?} is not read here: send gzip, or no encoding"),
        )),
    }
}

/// `GET /api/v1/records`: the latest version of each of the calling worker's records.
pub async fn list_records(
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
pub async fn record_versions(
    State(state): State<Arc<AppState>>,
    Authed(Caller { worker, .. }): Authed,
    Path(id): Path<Uuid>,
) -> Result<Json<Vec<Record>>, Failure> {
    let versions = state.store.versions(worker, id).await?;
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
    let name = state.store.worker_name(caller.worker).await?;
    let key = state.store.person_code_key().await?;
    Ok(Json(Me {
        worker: name,
        person_code_key: key,
        taxonomy_version: state.store.taxonomy().await?.version,
        role: match caller.role {
            Role::Worker => "worker",
            Role::Coordinator => "coordinator",
        }
        .into(),
        retention_days: state.store.settings().await?.retention_days,
    }))
}

/// `GET /api/v1/taxonomy`: the organisation's lists, for the app to cache.
pub async fn get_taxonomy(State(state): State<Arc<AppState>>) -> Result<Json<Taxonomy>, Failure> {
    Ok(Json(state.store.taxonomy().await?.as_ref().clone()))
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
    // The common case first: a well-formed batch decodes straight into records, three
    // times faster than through `serde_json::Value` (BENCHMARKS.md). Anything it refuses
    // takes the slow path below, which names each bad record.
    if let Ok(batch) = serde_json::from_slice::<carnet_core::wire::BatchRequest>(body)
        && batch.records.len() <= MAX_BATCH
        && batch.records.iter().all(|r| r.validate(taxonomy).is_ok())
    {
        return Ok(batch.records);
    }
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
async fn scope(
    store: &crate::store::Store,
    caller: Caller,
    worker: Option<&str>,
) -> Result<Option<(WorkerId, String)>, Failure> {
    let own = store.worker_name(caller.worker).await?;
    match (caller.role, worker) {
        (Role::Worker, None) => Ok(Some((caller.worker, own))),
        (Role::Worker, Some(name)) if name == own => Ok(Some((caller.worker, own))),
        (Role::Worker, Some(_)) => Err(Failure::new(
            StatusCode::FORBIDDEN,
            ErrorCode::Forbidden,
            "a worker token reads only its own figures",
        )),
        (Role::Coordinator, None) => Ok(None),
        (Role::Coordinator, Some(name)) => match store.worker_by_name(name).await? {
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
    let taxonomy = state.taxonomy().await?;
    let filter = query.filter(&taxonomy)?;
    let compare_filter = query.compare_filter(&filter)?;
    let format = query.format()?;
    let who = scope(&state.store, caller, query.worker.as_deref()).await?;
    let records = state
        .store
        .latest_records(who.as_ref().map(|w| w.0))
        .await?;
    let filters = (filter.clone(), compare_filter.clone());
    let (report, other) = tokio::task::spawn_blocking(move || {
        let report = Report::compute(records.iter().map(|(_, r)| r), &filters.0);
        let other = filters
            .1
            .map(|f| Report::compute(records.iter().map(|(_, r)| r), &f));
        (report, other)
    })
    .await
    .map_err(Failure::internal)?;
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
    let filter = query.filter(&*state.taxonomy().await?)?;
    if query.compare_filter(&filter)?.is_some() || query.format()? != Format::Json {
        return Err(invalid_query(
            "tallies come as JSON for one period; use /report to compare or export",
        ));
    }
    let who = scope(&state.store, caller, query.worker.as_deref()).await?;
    let names: Vec<(WorkerId, String)> = match who {
        Some(one) => vec![one],
        None => state.store.workers().await?,
    };
    let records = state.store.latest_records(None).await?;
    let compute_filter = filter.clone();
    let workers = tokio::task::spawn_blocking(move || {
        names
            .into_iter()
            .map(|(id, name)| WorkerTally {
                worker: name,
                report: Report::compute(
                    records.iter().filter(|(w, _)| *w == id).map(|(_, r)| r),
                    &compute_filter,
                ),
            })
            .collect::<Vec<_>>()
    })
    .await
    .map_err(Failure::internal)?;
    Ok(Json(Tallies { filter, workers }))
}

/// `POST /api/v1/pair`: exchanges a one-time pairing code for a device token.
pub async fn pair(
    State(state): State<Arc<AppState>>,
    Client(address): Client,
    body: Result<Json<PairRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<PairResponse>, Failure> {
    // An address that sent too many bad codes is refused before its code is looked at.
    state
        .limiter
        .admit(address)
        .map_err(Failure::rate_limited)?;
    let Json(request) = body.map_err(|e| {
        Failure::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::MalformedJson,
            e.body_text(),
        )
    })?;
    let found = state
        .store
        .pair_device(
            &request.code,
            request.label.as_deref(),
            crate::store::now_ms(),
        )
        .await
        .map_err(|e| match e {
            StoreError::BadDeviceLabel => Failure::new(
                StatusCode::BAD_REQUEST,
                ErrorCode::InvalidDeviceLabel,
                e.to_string(),
            ),
            other => Failure::from(other),
        })?;
    let Some((token, worker, _)) = found else {
        state
            .limiter
            .failed(address)
            .map_err(Failure::rate_limited)?;
        return Err(Failure::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidPairingCode,
            "unknown, used or expired pairing code",
        ));
    };
    let worker = state.store.worker_name(worker).await?;
    Ok(Json(PairResponse { token, worker }))
}

pub(crate) fn coordinator_only(caller: Caller) -> Result<(), Failure> {
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
pub(crate) fn pairing_qr(origin: Option<&str>, code: &str) -> String {
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

pub(crate) fn origin(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// `POST /api/v1/workers` (coordinators): adds a worker and returns a pairing code. A new
/// coordinator needs `confirm` with the name typed again.
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
    let name = request.name.trim().to_owned();
    let role = if request.coordinator {
        crate::accounts::confirmed(&name, request.confirm.as_deref())?;
        Role::Coordinator
    } else {
        Role::Worker
    };
    let actor = state.store.worker_name(caller.worker).await?;
    let added = async {
        state.store.create_worker(&name, role, &actor).await?;
        state
            .store
            .issue_pairing_code(&name, &actor, crate::store::now_ms())
            .await
    };
    let code = added.await.map_err(crate::accounts::refusal)?;
    let qr_svg = pairing_qr(origin(&headers).as_deref(), &code);
    Ok(Json(Pairing {
        worker: name,
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
    let actor = state.store.worker_name(caller.worker).await?;
    let code = state
        .store
        .issue_pairing_code(&name, &actor, crate::store::now_ms())
        .await
        .map_err(crate::accounts::refusal)?;
    let qr_svg = pairing_qr(origin(&headers).as_deref(), &code);
    Ok(Json(Pairing {
        worker: name,
        pairing_code: code,
        qr_svg,
    }))
}
