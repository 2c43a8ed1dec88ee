//! The API's one error answer, [`Failure`], and every mapping into it: a code's status,
//! the store's errors, the import's, a refused list edit, and a body or query axum could
//! not read. Every error body is a `carnet_core::wire::ApiError`.

use axum::Json;
use axum::extract::rejection::{BytesRejection, JsonRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use carnet_core::TaxonomyError;
use carnet_core::lists::ListEditError;
use carnet_core::wire::{ApiError, ErrorCode, ImportOutcome, MAX_BODY_BYTES, RecordRejection};

use crate::import::ImportError;
use crate::store::{Refusal, StoreError};

/// Seconds a client is asked to wait after a `503`.
pub const RETRY_AFTER_UNAVAILABLE: u64 = 5;

/// An error answer of the API.
#[derive(Debug)]
pub struct Failure {
    status: StatusCode,
    /// Boxed: a failure travels in every handler's `Result`, the body is large and rare.
    body: Box<ApiError>,
    retry_after: Option<u64>,
}

/// The status each code answers with (`docs/api.md` lists the same table). The one code
/// with a second status, `invalid_import`, takes it through [`Failure::with_status`].
pub fn status_of(code: ErrorCode) -> StatusCode {
    use ErrorCode::*;
    match code {
        MalformedJson | MalformedEncoding | InvalidQuery | InvalidPairingCode
        | InvalidWorkerName | ConfirmationRequired | InvalidDeviceLabel | InvalidRole
        | InvalidDeviceReport | UnknownProgram | InvalidListEdit => StatusCode::BAD_REQUEST,
        Unauthorized | DeviceExpired => StatusCode::UNAUTHORIZED,
        Forbidden => StatusCode::FORBIDDEN,
        NotFound => StatusCode::NOT_FOUND,
        WorkerExists | LastCoordinator | CodeExists | CodeKept | TaxonomyChanged => {
            StatusCode::CONFLICT
        }
        BatchTooLarge | PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        InvalidRecords | UnknownCode | InvalidImport => StatusCode::UNPROCESSABLE_ENTITY,
        RateLimited => StatusCode::TOO_MANY_REQUESTS,
        Internal => StatusCode::INTERNAL_SERVER_ERROR,
        Unavailable => StatusCode::SERVICE_UNAVAILABLE,
    }
}

impl Failure {
    /// An answer with `error` and its status ([`status_of`]).
    pub fn new(error: ErrorCode, message: impl Into<String>) -> Self {
        Failure {
            status: status_of(error),
            body: Box::new(ApiError::new(error, message)),
            retry_after: None,
        }
    }

    /// The same answer with another status.
    pub fn with_status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }

    /// The HTTP status this failure answers with.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The machine-readable body.
    pub fn body(&self) -> &ApiError {
        &self.body
    }

    /// `404 not_found`.
    pub fn not_found(message: impl Into<String>) -> Self {
        Failure::new(ErrorCode::NotFound, message)
    }

    /// `429 rate_limited` with a `Retry-After` of `seconds`.
    pub(crate) fn rate_limited(seconds: u64) -> Self {
        let mut failure = Failure::new(
            ErrorCode::RateLimited,
            format!("too many requests; retry in {seconds} s"),
        );
        failure.retry_after = Some(seconds);
        failure
    }

    /// `500 internal`. The message goes to the log, not to the client: it may name
    /// internals.
    pub(crate) fn internal(err: impl std::fmt::Display) -> Self {
        crate::log!("carnet-server: internal error: {err}");
        Failure::new(
            ErrorCode::Internal,
            "internal error; nothing was acknowledged, retry later",
        )
    }

    /// `503 unavailable` with a `Retry-After`: the database is busy, full or unreachable.
    fn unavailable(err: impl std::fmt::Display) -> Self {
        crate::log!("carnet-server: {err}");
        let mut failure = Failure::new(
            ErrorCode::Unavailable,
            format!(
                "the database cannot take this now; nothing was acknowledged, retry in {RETRY_AFTER_UNAVAILABLE} s"
            ),
        );
        failure.retry_after = Some(RETRY_AFTER_UNAVAILABLE);
        failure
    }

    /// `413 payload_too_large`.
    pub(crate) fn too_large(message: impl Into<String>) -> Self {
        Failure::new(ErrorCode::PayloadTooLarge, message)
    }

    /// A body axum could not read or decode: `413 payload_too_large` past the limit,
    /// otherwise `400` with `code`.
    pub(crate) fn rejected(rejection: &impl Rejection, code: ErrorCode) -> Self {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Failure::too_large(format!("the body exceeds {MAX_BODY_BYTES} bytes"))
        } else {
            Failure::new(code, rejection.body_text()).with_status(StatusCode::BAD_REQUEST)
        }
    }

    /// `422 invalid_records`, naming each refused record of a batch of `total`.
    pub(crate) fn invalid_records(records: Vec<RecordRejection>, total: usize) -> Self {
        let mut failure = Failure::new(
            ErrorCode::InvalidRecords,
            format!(
                "{} of {total} records are invalid; nothing was written",
                records.len()
            ),
        );
        failure.body.records = records;
        failure
    }

    /// `422 invalid_import`: the outcome with every problem; nothing was imported.
    pub(crate) fn invalid_import(outcome: ImportOutcome) -> Self {
        let mut failure = Failure::new(
            ErrorCode::InvalidImport,
            format!(
                "{} problem(s) in the file; nothing was imported",
                outcome.problems.len()
            ),
        );
        failure.body.import = Some(outcome);
        failure
    }

    /// A refused list edit. `uses`: for a code that cannot be removed, how many records
    /// use it (said in `uses`, and in the message for older apps that read it there).
    pub(crate) fn list_edit(err: ListEditError, uses: Option<u64>) -> Self {
        let code = match &err {
            ListEditError::CodeExists { .. } => ErrorCode::CodeExists,
            ListEditError::UnknownCode { .. } => ErrorCode::UnknownCode,
            ListEditError::UnknownProgram { .. } => ErrorCode::UnknownProgram,
            ListEditError::CodeKept { code, .. } => {
                let message = match uses {
                    Some(n) if n > 0 => format!(
                        "`{code}` is in use by {n} record(s) and codes are never removed: retire it instead ({{\"op\": \"retire\", \"code\": \"{code}\"}})"
                    ),
                    _ => err.to_string(),
                };
                let mut failure = Failure::new(ErrorCode::CodeKept, message);
                failure.body.uses = uses;
                return failure;
            }
            ListEditError::NoEdits
            | ListEditError::WrongList { .. }
            | ListEditError::NoCodeFromLabel { .. }
            | ListEditError::Invalid { .. } => ErrorCode::InvalidListEdit,
        };
        Failure::new(code, err.to_string())
    }
}

/// The one place a store error becomes an answer: a refusal by its code, a database that
/// cannot take the request now `503`, anything else `500`.
impl From<StoreError> for Failure {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Refused(refusal) => Failure::from(refusal),
            err if err.is_unavailable() => Failure::unavailable(err),
            err => Failure::internal(err),
        }
    }
}

impl From<Refusal> for Failure {
    fn from(refusal: Refusal) -> Self {
        let code = match &refusal {
            Refusal::WorkerExists(_) => ErrorCode::WorkerExists,
            Refusal::BadWorkerName => ErrorCode::InvalidWorkerName,
            Refusal::NoSuchWorker(_) | Refusal::NoSuchDevice(_) => ErrorCode::NotFound,
            Refusal::LastCoordinator(_) => ErrorCode::LastCoordinator,
            Refusal::BadDeviceLabel => ErrorCode::InvalidDeviceLabel,
            // Another process (a server, the CLI) stored a version meanwhile.
            Refusal::Taxonomy(TaxonomyError::VersionNotIncreased { current, .. }) => {
                return Failure::new(
                    ErrorCode::TaxonomyChanged,
                    format!("the lists changed meanwhile (now version {current}); try again"),
                );
            }
            // The API never loads a document or changes a setting as typed: these are ours.
            Refusal::Taxonomy(_) | Refusal::BadSetting(_) => return Failure::internal(refusal),
        };
        Failure::new(code, refusal.to_string())
    }
}

impl From<ImportError> for Failure {
    fn from(err: ImportError) -> Self {
        match err {
            ImportError::UnknownWorker(_) => Failure::not_found(err.to_string()),
            ImportError::Store(err) => Failure::from(err),
            ImportError::BadLines(_) => Failure::internal(err),
        }
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(*self.body)).into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

/// What axum says of a body or a query it could not read.
pub(crate) trait Rejection {
    fn status(&self) -> StatusCode;
    fn body_text(&self) -> String;
}

macro_rules! rejection {
    ($($kind:ty),*) => {$(
        impl Rejection for $kind {
            fn status(&self) -> StatusCode {
                <$kind>::status(self)
            }
            fn body_text(&self) -> String {
                <$kind>::body_text(self)
            }
        }
    )*};
}

rejection!(BytesRejection, JsonRejection, QueryRejection);

#[cfg(test)]
mod tests {
    use super::*;

    /// `docs/api.md`'s table of errors: every code, with the status it answers with.
    #[test]
    fn the_error_table_of_the_docs_is_the_code() {
        let docs = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/api.md"),
        )
        .unwrap();
        let rows: Vec<(u16, String)> = docs
            .lines()
            .filter_map(|line| {
                let mut cells = line.split('|').map(str::trim).skip(1);
                let status = cells.next()?.parse().ok()?;
                let code = cells.next()?.strip_prefix('`')?.strip_suffix('`')?;
                Some((status, code.to_owned()))
            })
            .collect();
        for code in ErrorCode::ALL {
            let name = code.as_str();
            let listed: Vec<u16> = rows
                .iter()
                .filter(|(_, c)| c == name)
                .map(|(s, _)| *s)
                .collect();
            assert!(
                listed.contains(&status_of(code).as_u16()),
                "docs/api.md lists `{name}` with {listed:?}, not {}",
                status_of(code)
            );
        }
        for (_, name) in &rows {
            assert!(
                ErrorCode::ALL.iter().any(|c| c.as_str() == name),
                "docs/api.md lists `{name}`, which is no error code"
            );
        }
    }

    #[test]
    fn store_errors_answer_with_their_code() {
        let answer = |err: StoreError| {
            let f = Failure::from(err);
            (f.status().as_u16(), f.body().error)
        };
        assert_eq!(
            answer(Refusal::LastCoordinator("a".into()).into()),
            (409, ErrorCode::LastCoordinator)
        );
        assert_eq!(
            answer(Refusal::NoSuchDevice(3).into()),
            (404, ErrorCode::NotFound)
        );
        assert_eq!(
            answer(StoreError::Unavailable("busy".into())),
            (503, ErrorCode::Unavailable)
        );
        assert_eq!(
            answer(StoreError::Task("gone".into())),
            (500, ErrorCode::Internal)
        );
        let f = Failure::list_edit(
            ListEditError::CodeKept {
                index: 0,
                list: "venues",
                code: "bar_01".into(),
            },
            Some(12),
        );
        assert_eq!(f.body().uses, Some(12));
        assert!(f.body().message.contains("in use by 12 record(s)"));
    }
}
