//! The server API as seen from the app: one function per endpoint, over `fetch`, with one
//! error type. Every request has a timeout; a sync request can also be aborted from
//! outside (locking the app cancels the run).

use std::cell::Cell;
use std::rc::Rc;

use carnet_core::completeness::DeviceReport;
use carnet_core::wire::{
    ApiError, AuditPage, BatchRequest, BatchResponse, CompletenessResponse, Confirm, ErrorCode,
    ImportOutcome, Me, NewWorker, PairRequest, PairResponse, Pairing, ReportResponse, RoleChange,
    TeamAccounts, TeamResponse,
};
use carnet_core::{BatchOutcome, Failure, Record, Taxonomy};
use thiserror::Error;
use uuid::Uuid;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Request, RequestInit, Response};

/// How long a batch may take before the phone gives up on the answer (it then counts as
/// lost: the records stay "sent, unconfirmed" and go out again).
pub const BATCH_TIMEOUT_MS: i32 = 20_000;
/// Every other request.
pub const TIMEOUT_MS: i32 = 10_000;
/// An import: a big file on a slow server takes more than the usual 10 s.
pub const IMPORT_TIMEOUT_MS: i32 = 60_000;

/// Why a request brought no usable answer.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ClientError {
    #[error("no connection to the server")]
    Network,
    #[error("the server did not answer in time")]
    Timeout,
    #[error("cancelled")]
    Cancelled,
    #[error("the token was refused")]
    Unauthorized,
    #[error("this device was not used for too long: pair it again")]
    Expired,
    #[error("not allowed for this token")]
    Forbidden,
    #[error("too many requests; retry in {0} s")]
    RateLimited(u32),
    #[error("server error {0}")]
    Server(u16),
    /// A refusal the server explained (`4xx` with a machine-readable reason).
    #[error("{}", .0.message)]
    Refused(ApiError),
    #[error("unreadable answer")]
    Unreadable,
    /// The request itself could not be written (a value JSON cannot hold): nothing was sent.
    #[error("the request could not be written")]
    Unwritable,
}

impl ClientError {
    /// The machine-readable reason of a refusal, if the server gave one.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            ClientError::Refused(e) => Some(e.error),
            _ => None,
        }
    }
}

impl From<&ClientError> for Failure {
    fn from(e: &ClientError) -> Self {
        match e {
            ClientError::Network | ClientError::Timeout | ClientError::Cancelled => {
                Failure::Network
            }
            ClientError::Unauthorized | ClientError::Forbidden => Failure::Unauthorized,
            ClientError::Expired => Failure::Expired,
            ClientError::RateLimited(s) => Failure::RateLimited { retry_after_s: *s },
            ClientError::Server(_)
            | ClientError::Refused(_)
            | ClientError::Unreadable
            | ClientError::Unwritable => Failure::Server,
        }
    }
}

/// An answer that came back whole.
struct Answer {
    status: u16,
    retry_after: Option<u32>,
    text: String,
    /// The body of a `2xx` asked for as binary (`Body::Blob`); `text` is then empty.
    blob: Option<web_sys::Blob>,
}

impl Answer {
    /// The body of a `2xx`, or the error the answer means.
    fn ok(self) -> Result<String, ClientError> {
        if (200..300).contains(&self.status) {
            return Ok(self.text);
        }
        Err(self.error())
    }

    /// What an error answer means: by the server's code when the body is the API's error
    /// body; by the status alone when it is not (a proxy's page, an older server).
    fn error(self) -> ClientError {
        let retry = self.retry_after.unwrap_or(30);
        match serde_json::from_str::<ApiError>(&self.text) {
            Ok(refusal) => match refusal.error {
                ErrorCode::DeviceExpired => ClientError::Expired,
                ErrorCode::Unauthorized => ClientError::Unauthorized,
                ErrorCode::Forbidden => ClientError::Forbidden,
                ErrorCode::RateLimited => ClientError::RateLimited(retry),
                ErrorCode::Internal | ErrorCode::Unavailable => ClientError::Server(self.status),
                _ => ClientError::Refused(refusal),
            },
            Err(_) => match self.status {
                401 => ClientError::Unauthorized,
                403 => ClientError::Forbidden,
                429 => ClientError::RateLimited(retry),
                status => ClientError::Server(status),
            },
        }
    }
}

fn json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, ClientError> {
    serde_json::from_str(text).map_err(|_| ClientError::Unreadable)
}

/// Whether batches may go compressed. The server says it reads gzip bodies in its answers
/// (`Accept-Encoding: gzip`, RFC 7694), so a page's first batch goes plain; the rest are
/// compressed while the link is slow (`SLOW_LINK_BYTES_PER_S`): on « Fast 3G » the upload
/// is what a long sync waits for (BENCHMARKS.md), on a fast link compressing would only
/// cost time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GzipBodies {
    Unknown,
    Read,
    /// A compressed batch was refused on the way (a proxy, an older server behind the same
    /// address): plain until the page is reloaded, whatever later answers say.
    Refused,
}

thread_local! {
    static GZIP_BODIES: Cell<GzipBodies> = const { Cell::new(GzipBodies::Unknown) };
    /// Bytes per second the last answered batch went at (sent, over the time to its answer).
    static LINK_BYTES_PER_S: Cell<Option<f64>> = const { Cell::new(None) };
}

/// Under this, a batch goes compressed: gzip makes it about a third of its size (JSON
/// records), and below this rate that saves more time than it costs.
const SLOW_LINK_BYTES_PER_S: f64 = 500_000.0;

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// The browser's `CompressionStream` (web-sys has it only behind its unstable-APIs cfg).
    type CompressionStream;
    #[wasm_bindgen(constructor, catch)]
    fn new(format: &str) -> Result<CompressionStream, JsValue>;
    #[wasm_bindgen(method, getter)]
    fn readable(this: &CompressionStream) -> web_sys::ReadableStream;
    #[wasm_bindgen(method, getter)]
    fn writable(this: &CompressionStream) -> web_sys::WritableStream;
}

/// `text` compressed with the browser's own gzip (`CompressionStream`), as a `Blob` for
/// `fetch`; `None` where the browser has none.
async fn gzip(text: &str) -> Option<web_sys::Blob> {
    let compressor = CompressionStream::new("gzip").ok()?;
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let plain = web_sys::Blob::new_with_str_sequence(&parts).ok()?;
    let pair = web_sys::ReadableWritablePair::new(&compressor.readable(), &compressor.writable());
    let compressed =
        Response::new_with_opt_readable_stream(Some(&plain.stream().pipe_through(&pair))).ok()?;
    JsFuture::from(compressed.blob().ok()?)
        .await
        .ok()?
        .dyn_into()
        .ok()
}

/// Sends one batch and classifies the answer for the sync state machine. `controller`
/// lets the caller abort it. Once the server said it reads gzip, the batch goes compressed.
pub async fn post_batch(
    records: Vec<Record>,
    token: &str,
    controller: AbortController,
) -> BatchOutcome {
    let body = match serde_json::to_string(&BatchRequest { records }) {
        Ok(b) => b,
        Err(_) => return BatchOutcome::Failed(Failure::Server),
    };
    let slow = LINK_BYTES_PER_S
        .get()
        .is_some_and(|rate| rate < SLOW_LINK_BYTES_PER_S);
    let gzip = match GZIP_BODIES.get() {
        GzipBodies::Read if slow => gzip(&body).await,
        _ => None,
    };
    let compressed = gzip.is_some();
    let sent_bytes = gzip.as_ref().map_or(body.len() as f64, web_sys::Blob::size);
    let started = js_sys::Date::now();
    let post = |outgoing| {
        send_as(
            "POST",
            "/api/v1/records",
            Some(token),
            Some(outgoing),
            Body::Text,
            BATCH_TIMEOUT_MS,
            Some(controller.clone()),
        )
    };
    let outgoing = match gzip {
        Some(blob) => Outgoing {
            body: blob.into(),
            media_type: "application/json",
            encoding: Some("gzip"),
        },
        None => Outgoing::text(&body, "application/json"),
    };
    let mut answer = post(outgoing).await;
    // A server that could not read it (an older one behind the same address, or a proxy
    // in between): the same batch again as plain text, and plain text from now on.
    if compressed && matches!(&answer, Ok(a) if a.status == 400 || a.status == 415) {
        GZIP_BODIES.set(GzipBodies::Refused);
        answer = post(Outgoing::text(&body, "application/json")).await;
    }
    let answer = match answer {
        Ok(a) => a,
        Err(e) => return BatchOutcome::Failed(Failure::from(&e)),
    };
    if answer.status == 200 {
        let seconds = ((js_sys::Date::now() - started) / 1000.0).max(0.001);
        LINK_BYTES_PER_S.set(Some(sent_bytes / seconds));
    }
    if answer.status == 413 {
        // Ours (`batch_too_large`, `payload_too_large`) or a proxy's page: fewer at a time.
        return BatchOutcome::TooLarge;
    }
    match answer.ok() {
        // A 200 that is not a batch answer (a captive portal, a proxy page): nothing is
        // known to be stored.
        Ok(text) => json::<BatchResponse>(&text)
            .map(BatchOutcome::Acknowledged)
            .unwrap_or(BatchOutcome::Failed(Failure::Server)),
        Err(ClientError::Refused(ApiError {
            error: ErrorCode::InvalidRecords,
            records,
            ..
        })) => BatchOutcome::InvalidRecords(records),
        Err(e) => BatchOutcome::Failed(Failure::from(&e)),
    }
}

/// Every version the server holds of one of the worker's records (settles conflicts);
/// `Ok(empty)` when the server has none for this worker.
pub async fn record_versions(
    token: &str,
    id: Uuid,
    controller: Option<AbortController>,
) -> Result<Vec<Record>, ClientError> {
    let path = format!("/api/v1/records/{id}/versions");
    let answer = send("GET", &path, Some(token), None, TIMEOUT_MS, controller).await?;
    if answer.status == 404 {
        return Ok(Vec::new());
    }
    let text = answer.ok()?;
    let values: Vec<serde_json::Value> = json(&text)?;
    values
        .into_iter()
        .map(|v| Record::from_value(v).map_err(|_| ClientError::Unreadable))
        .collect()
}

/// The worker's name, role and the organisation's person-code key.
pub async fn get_me(token: &str) -> Result<Me, ClientError> {
    let answer = send("GET", "/api/v1/me", Some(token), None, TIMEOUT_MS, None).await?;
    json(&answer.ok()?)
}

/// The phone app's start-up page as the server serves it now (the coordinator's app reads
/// the build it names).
pub async fn get_start_page() -> Result<String, ClientError> {
    send("GET", "/index.html", None, None, TIMEOUT_MS, None)
        .await?
        .ok()
}

/// Tells the server what this phone still holds (`PUT /device/report`): counts and dates.
pub async fn put_device_report(token: &str, report: &DeviceReport) -> Result<(), ClientError> {
    let body = serde_json::to_string(report).map_err(|_| ClientError::Unwritable)?;
    send(
        "PUT",
        "/api/v1/device/report",
        Some(token),
        Some(&body),
        TIMEOUT_MS,
        None,
    )
    .await?
    .ok()
    .map(drop)
}

/// Exchanges a one-time pairing code for this device's token; `label` is what the worker
/// calls this device (« Téléphone bleu »), shown to coordinators.
pub async fn pair(code: &str, label: Option<&str>) -> Result<PairResponse, ClientError> {
    let body = serde_json::to_string(&PairRequest {
        code: code.to_owned(),
        label: label
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned),
    })
    .map_err(|_| ClientError::Unwritable)?;
    let answer = send("POST", "/api/v1/pair", None, Some(&body), TIMEOUT_MS, None).await?;
    json(&answer.ok()?)
}

/// Coordinators: adds a worker and gets its first pairing code. A coordinator needs
/// `confirm`, the name typed a second time.
pub async fn create_worker(
    token: &str,
    name: &str,
    coordinator: bool,
    confirm: Option<&str>,
) -> Result<Pairing, ClientError> {
    let body = serde_json::to_string(&NewWorker {
        name: name.to_owned(),
        coordinator,
        confirm: confirm.map(str::to_owned),
    })
    .map_err(|_| ClientError::Unwritable)?;
    let answer = send(
        "POST",
        "/api/v1/workers",
        Some(token),
        Some(&body),
        TIMEOUT_MS,
        None,
    )
    .await?;
    json(&answer.ok()?)
}

/// Coordinators: a new pairing code for an existing worker.
pub async fn new_pairing(token: &str, name: &str) -> Result<Pairing, ClientError> {
    let path = format!(
        "/api/v1/workers/{}/pairing",
        js_sys::encode_uri_component(name)
    );
    let answer = send("POST", &path, Some(token), Some("{}"), TIMEOUT_MS, None).await?;
    json(&answer.ok()?)
}

/// The team's (or one worker's) report; `query` is `from=…&to=…[&program=…]`.
pub async fn get_report(token: &str, query: &str) -> Result<ReportResponse, ClientError> {
    let path = format!("/api/v1/report?{query}");
    let answer = send("GET", &path, Some(token), None, TIMEOUT_MS, None).await?;
    json(&answer.ok()?)
}

/// The calling worker's own figures for a period (`GET /api/v1/tallies`).
pub async fn get_own_tallies(
    token: &str,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
) -> Result<carnet_core::Report, ClientError> {
    let path = format!("/api/v1/tallies?from={from}&to={to}");
    let answer = send("GET", &path, Some(token), None, TIMEOUT_MS, None).await?;
    let tallies: OwnTallies = json(&answer.ok()?)?;
    tallies
        .workers
        .into_iter()
        .next()
        .map(|w| w.report)
        .ok_or(ClientError::Unreadable)
}

/// What a worker reads of its `/tallies` ([`carnet_core::wire::Tallies`]): its report. The
/// filter it asked for, its own name and the report's cross-tables (« Mes chiffres » shows
/// none) are skipped unread, and their readers stay out of the phone's module.
#[derive(serde::Deserialize)]
struct OwnTallies {
    workers: Vec<OwnTally>,
}

#[derive(serde::Deserialize)]
struct OwnTally {
    #[cfg_attr(
        target_arch = "wasm32",
        serde(deserialize_with = "carnet_core::report::read_report_without_cross_tables")
    )]
    report: carnet_core::Report,
}

/// A report of the coordinator's (`endpoint`: `report` or `team`) as CSV text.
pub async fn get_csv(token: &str, endpoint: &str, query: &str) -> Result<String, ClientError> {
    let path = format!("/api/v1/{endpoint}?{query}&format=csv");
    send("GET", &path, Some(token), None, TIMEOUT_MS, None)
        .await?
        .ok()
}

/// The same as an xlsx spreadsheet (binary), for the funders.
pub async fn get_xlsx(
    token: &str,
    endpoint: &str,
    query: &str,
) -> Result<web_sys::Blob, ClientError> {
    let path = format!("/api/v1/{endpoint}?{query}&format=xlsx");
    let answer = send_as(
        "GET",
        &path,
        Some(token),
        None,
        Body::Blob,
        TIMEOUT_MS,
        None,
    )
    .await?;
    match answer.blob.clone() {
        Some(blob) => Ok(blob),
        None => answer.ok().and(Err(ClientError::Unreadable)),
    }
}

/// Coordinators: each worker's figures beside the team's (`GET /api/v1/team`).
pub async fn get_team(token: &str, query: &str) -> Result<TeamResponse, ClientError> {
    let path = format!("/api/v1/team?{query}");
    let answer = send("GET", &path, Some(token), None, TIMEOUT_MS, None).await?;
    json(&answer.ok()?)
}

/// Coordinators: the devices that may still hold records of a period.
pub async fn get_completeness(
    token: &str,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
) -> Result<CompletenessResponse, ClientError> {
    let path = format!("/api/v1/completeness?from={from}&to={to}");
    let answer = send("GET", &path, Some(token), None, TIMEOUT_MS, None).await?;
    json(&answer.ok()?)
}

/// Coordinators: edits one of the lists the organisation keeps (`venues`, `sites`,
/// `partners`, `program_groups`); the answer carries the taxonomy now in force.
pub async fn edit_list(
    token: &str,
    list: &str,
    request: &carnet_core::wire::ListEditRequest,
) -> Result<carnet_core::wire::ListEditResponse, ClientError> {
    let body = serde_json::to_string(request).map_err(|_| ClientError::Unwritable)?;
    let path = format!("/api/v1/taxonomy/lists/{list}");
    let answer = send("POST", &path, Some(token), Some(&body), TIMEOUT_MS, None).await?;
    json(&answer.ok()?)
}

/// Coordinators: every worker's figures for a period (the team's names come with them).
pub async fn get_tallies(
    token: &str,
    query: &str,
) -> Result<carnet_core::wire::Tallies, ClientError> {
    let path = format!("/api/v1/tallies?{query}");
    let answer = send("GET", &path, Some(token), None, TIMEOUT_MS, None).await?;
    json(&answer.ok()?)
}

/// The organisation's current taxonomy, or `None` when offline or unreadable.
pub async fn get_taxonomy() -> Option<Taxonomy> {
    let answer = send("GET", "/api/v1/taxonomy", None, None, TIMEOUT_MS, None)
        .await
        .ok()?;
    json(&answer.ok().ok()?).ok()
}

/// `/api/v1/workers/{name}/{what}`, the name encoded.
fn worker_path(name: &str, what: &str) -> String {
    format!(
        "/api/v1/workers/{}/{what}",
        js_sys::encode_uri_component(name)
    )
}

/// Coordinators: the team's workers and their devices.
pub async fn list_accounts(token: &str) -> Result<TeamAccounts, ClientError> {
    let answer = send(
        "GET",
        "/api/v1/workers",
        Some(token),
        None,
        TIMEOUT_MS,
        None,
    )
    .await?;
    json(&answer.ok()?)
}

/// Coordinators: one device's token stops working.
pub async fn revoke_device(token: &str, device: i64) -> Result<(), ClientError> {
    let path = format!("/api/v1/devices/{device}/revoke");
    send("POST", &path, Some(token), Some("{}"), TIMEOUT_MS, None)
        .await?
        .ok()
        .map(drop)
}

/// Coordinators: every device of a worker stops working; `confirm` is the name retyped.
pub async fn revoke_worker(token: &str, name: &str, confirm: &str) -> Result<(), ClientError> {
    let body = serde_json::to_string(&Confirm {
        confirm: confirm.to_owned(),
    })
    .map_err(|_| ClientError::Unwritable)?;
    let path = worker_path(name, "revoke");
    send("POST", &path, Some(token), Some(&body), TIMEOUT_MS, None)
        .await?
        .ok()
        .map(drop)
}

/// Coordinators: makes a worker a coordinator or not; `confirm` is the name retyped.
pub async fn change_role(
    token: &str,
    name: &str,
    coordinator: bool,
    confirm: &str,
) -> Result<(), ClientError> {
    let body = serde_json::to_string(&RoleChange {
        role: if coordinator { "coordinator" } else { "worker" }.to_owned(),
        confirm: confirm.to_owned(),
    })
    .map_err(|_| ClientError::Unwritable)?;
    let path = worker_path(name, "role");
    send("POST", &path, Some(token), Some(&body), TIMEOUT_MS, None)
        .await?
        .ok()
        .map(drop)
}

/// Coordinators: account actions, newest first, `limit` at a time, older than `before`.
pub async fn get_audit(
    token: &str,
    limit: u32,
    before: Option<i64>,
) -> Result<AuditPage, ClientError> {
    let path = match before {
        Some(id) => format!("/api/v1/audit?limit={limit}&before={id}"),
        None => format!("/api/v1/audit?limit={limit}"),
    };
    let answer = send("GET", &path, Some(token), None, TIMEOUT_MS, None).await?;
    json(&answer.ok()?)
}

/// Coordinators: imports a CSV file (`csv`) for `worker`, or only checks it (`dry_run`).
/// The answer is the server's account of the import, also when it refused the file for its
/// problems (`422`, the same shape). `Outcome` is that account's type, which the
/// coordinator's app declares: this module stays free of its screens.
pub async fn post_import(
    token: &str,
    worker: &str,
    dry_run: bool,
    csv: &str,
) -> Result<ImportOutcome, ClientError> {
    let path = format!(
        "/api/v1/import?worker={}{}",
        js_sys::encode_uri_component(worker),
        if dry_run { "&dry_run=true" } else { "" }
    );
    let answer = send_as(
        "POST",
        &path,
        Some(token),
        Some(Outgoing::text(csv, "text/csv; charset=utf-8")),
        Body::Text,
        IMPORT_TIMEOUT_MS,
        None,
    )
    .await?;
    // The file's problems: the refusal carries what the import found, beside its code.
    if answer.status == 422
        && let Ok(outcome) = serde_json::from_str::<ImportOutcome>(&answer.text)
    {
        return Ok(outcome);
    }
    json(&answer.ok()?)
}

/// One JSON request with a timeout (see [`send_as`]).
async fn send(
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&str>,
    timeout_ms: i32,
    controller: Option<AbortController>,
) -> Result<Answer, ClientError> {
    let outgoing = body.map(|b| Outgoing::text(b, "application/json"));
    send_as(
        method,
        path,
        token,
        outgoing,
        Body::Text,
        timeout_ms,
        controller,
    )
    .await
}

/// How to read an answer's body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Body {
    Text,
    /// A `2xx` body as a `Blob` (the xlsx report); an error's body is still read as text.
    Blob,
}

/// A request's body as sent: what `fetch` gets (text, or a `Blob` of compressed bytes),
/// its media type, and its `Content-Encoding` when compressed.
struct Outgoing<'a> {
    body: JsValue,
    media_type: &'a str,
    encoding: Option<&'static str>,
}

impl<'a> Outgoing<'a> {
    fn text(text: &str, media_type: &'a str) -> Self {
        Outgoing {
            body: JsValue::from_str(text),
            media_type,
            encoding: None,
        }
    }
}

/// One request with a timeout. The answer is read under the same deadline: an answer cut
/// off mid-body is a network failure, never half a result.
async fn send_as(
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Outgoing<'_>>,
    read: Body,
    timeout_ms: i32,
    controller: Option<AbortController>,
) -> Result<Answer, ClientError> {
    let window = web_sys::window().ok_or(ClientError::Network)?;
    let controller = match controller {
        Some(c) => c,
        None => AbortController::new().map_err(|_| ClientError::Network)?,
    };
    if controller.signal().aborted() {
        return Err(ClientError::Cancelled);
    }
    let init = RequestInit::new();
    init.set_method(method);
    init.set_signal(Some(&controller.signal()));
    if let Some(outgoing) = &body {
        init.set_body(&outgoing.body);
    }
    let request = Request::new_with_str_and_init(path, &init).map_err(|_| ClientError::Network)?;
    let headers = request.headers();
    if let Some(token) = token {
        headers
            .set("Authorization", &format!("Bearer {token}"))
            .map_err(|_| ClientError::Network)?;
    }
    if let Some(outgoing) = &body {
        headers
            .set("Content-Type", outgoing.media_type)
            .map_err(|_| ClientError::Network)?;
        if let Some(encoding) = outgoing.encoding {
            headers
                .set("Content-Encoding", encoding)
                .map_err(|_| ClientError::Network)?;
        }
    }

    let timed_out = Rc::new(Cell::new(false));
    let on_timeout = {
        let timed_out = timed_out.clone();
        let controller = controller.clone();
        Closure::once(move || {
            timed_out.set(true);
            controller.abort();
        })
    };
    let timer = window
        .set_timeout_with_callback_and_timeout_and_arguments_0(
            on_timeout.as_ref().unchecked_ref(),
            timeout_ms,
        )
        .ok();

    let result = fetch_whole(&window, &request, read).await;
    if let Some(timer) = timer {
        window.clear_timeout_with_handle(timer);
    }
    drop(on_timeout);
    result.map_err(|_| {
        if timed_out.get() {
            ClientError::Timeout
        } else if controller.signal().aborted() {
            ClientError::Cancelled
        } else {
            ClientError::Network
        }
    })
}

async fn fetch_whole(
    window: &web_sys::Window,
    request: &Request,
    read: Body,
) -> Result<Answer, JsValue> {
    let response: Response = JsFuture::from(window.fetch_with_request(request))
        .await?
        .dyn_into()?;
    let retry_after = response
        .headers()
        .get("Retry-After")
        .ok()
        .flatten()
        .and_then(|v| v.trim().parse::<u32>().ok());
    // RFC 7694: a server names the encodings it reads in request bodies.
    if let Ok(Some(accepted)) = response.headers().get("Accept-Encoding")
        && GZIP_BODIES.get() != GzipBodies::Refused
    {
        let gzip = accepted
            .split(',')
            .any(|e| e.trim().eq_ignore_ascii_case("gzip"));
        GZIP_BODIES.set(if gzip {
            GzipBodies::Read
        } else {
            GzipBodies::Unknown
        });
    }
    if read == Body::Blob && response.ok() {
        let blob = JsFuture::from(response.blob()?).await?.dyn_into()?;
        return Ok(Answer {
            status: response.status(),
            retry_after,
            text: String::new(),
            blob: Some(blob),
        });
    }
    let text = JsFuture::from(response.text()?)
        .await?
        .as_string()
        .ok_or_else(|| JsValue::from_str("body is not text"))?;
    Ok(Answer {
        status: response.status(),
        retry_after,
        text,
        blob: None,
    })
}
