//! The sync protocol's JSON shapes (API v1), shared by the app and the server.
//!
//! See `docs/api.md` for the endpoints and example exchanges.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::envelope::Record;
use crate::record::{FieldError, Reason};
use crate::taxonomy::ListKind;

/// Most records one `POST /api/v1/records` may carry: bounds the server's work per
/// request. Phones start lower and grow their requests only while answers come back fast
/// (`sync::SyncRun`), so a poor connection still sends small ones.
pub const MAX_BATCH: usize = 500;

/// Largest request body the server reads, in bytes: a full batch of records with the
/// longest notes fits.
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// `POST /api/v1/records` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchRequest {
    pub records: Vec<Record>,
}

/// `200 OK` answer to a batch: one result per record, in request order. Sent only after
/// every stored record is committed to disk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchResponse {
    pub results: Vec<RecordResult>,
}

/// On the phone (wasm32) read by hand (its [`crate::names::Fields`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(Deserialize))]
pub struct RecordResult {
    pub id: Uuid,
    /// The version this result is about.
    #[serde(default = "one")]
    pub version: u32,
    pub status: RecordStatus,
}

fn one() -> u32 {
    1
}

/// What the server did with one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(serde::Deserialize))]
#[serde(rename_all = "snake_case")]
pub enum RecordStatus {
    /// Newly written.
    Stored,
    /// The server already held this exact record: nothing changed.
    Duplicate,
    /// The server holds a different record under this id; it was not overwritten.
    Conflict,
}

crate::unit_names!(RecordStatus {
    Stored = "stored",
    Duplicate = "duplicate",
    Conflict = "conflict",
});

/// Machine-readable reason of an error answer. Each has one status, `docs/api.md` lists
/// them; `invalid_import` alone has a second (`400`: a file that is not UTF-8 text).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(serde::Deserialize))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// 400: the body is not JSON of the expected shape.
    MalformedJson,
    /// 413: more than [`MAX_BATCH`] records.
    BatchTooLarge,
    /// 413: the body exceeds [`MAX_BODY_BYTES`].
    PayloadTooLarge,
    /// 415: the body is not `application/json`, or its `Content-Encoding` is not `gzip`.
    UnsupportedMediaType,
    /// 400: the body says `Content-Encoding: gzip` and is not gzip.
    MalformedEncoding,
    /// 422: one or more records break the rules; see `records`. Nothing was written.
    InvalidRecords,
    /// 401: missing, unknown or revoked token.
    Unauthorized,
    /// 401: this device went unused longer than the organisation allows
    /// (`device-expiry-days`, 90 by default): pair it again with a new code.
    DeviceExpired,
    /// 403: the token may not do this (a worker asking for another worker's figures, or
    /// for what only coordinators do).
    Forbidden,
    /// 400: a query parameter is missing or invalid (dates, program, format).
    InvalidQuery,
    /// 400: the pairing code is unknown, already used or expired.
    InvalidPairingCode,
    /// 400: a worker name must be 1 to 64 characters.
    InvalidWorkerName,
    /// 409: a worker of that name exists already.
    WorkerExists,
    /// 400: the action needs `confirm` to repeat the worker's name exactly (making someone
    /// a coordinator, revoking a worker). Nothing changed.
    ConfirmationRequired,
    /// 409: the action would leave the team without an active coordinator. Nothing changed.
    LastCoordinator,
    /// 400: a device label must be 1 to 40 characters, without control characters.
    InvalidDeviceLabel,
    /// 400: a role is `worker` or `coordinator`.
    InvalidRole,
    /// 400: a device's report of what it holds is inconsistent (its build name, or its
    /// dates). Nothing was kept.
    InvalidDeviceReport,
    /// 400: `program=` names something that is neither a program nor a group, or a group
    /// (or a list edit) names a program that does not exist. Nothing changed.
    UnknownProgram,
    /// 400: a list edit is malformed or would make an invalid list (bad code, empty label,
    /// unknown milieu or platform, an op that does not apply to this list).
    InvalidListEdit,
    /// 422: a list edit names a code the list does not have.
    UnknownCode,
    /// 409: a list edit adds a code or a name the list already has.
    CodeExists,
    /// 409: codes are never removed (records use them): retire the entry instead. `uses`
    /// says how many records use it.
    CodeKept,
    /// 409: the taxonomy changed since `base_version`; reload and try again.
    TaxonomyChanged,
    /// 422: an import file has problems (see `problems`, with the rest of the
    /// [`ImportOutcome`]); nothing was imported. 400: the file is not UTF-8 text.
    InvalidImport,
    /// 404: no such endpoint, worker, device or record.
    NotFound,
    /// 429: too many requests for this token, or too many failed tokens or pairing codes
    /// from this address; retry after `Retry-After` seconds.
    RateLimited,
    /// 500: the server failed; nothing was acknowledged, retry later.
    Internal,
    /// 503: the database is busy, full or unreachable; nothing was acknowledged, retry
    /// after `Retry-After` seconds.
    Unavailable,
}

crate::unit_names!(ErrorCode {
    MalformedJson = "malformed_json",
    BatchTooLarge = "batch_too_large",
    PayloadTooLarge = "payload_too_large",
    UnsupportedMediaType = "unsupported_media_type",
    MalformedEncoding = "malformed_encoding",
    InvalidRecords = "invalid_records",
    Unauthorized = "unauthorized",
    DeviceExpired = "device_expired",
    Forbidden = "forbidden",
    InvalidQuery = "invalid_query",
    InvalidPairingCode = "invalid_pairing_code",
    InvalidWorkerName = "invalid_worker_name",
    WorkerExists = "worker_exists",
    ConfirmationRequired = "confirmation_required",
    LastCoordinator = "last_coordinator",
    InvalidDeviceLabel = "invalid_device_label",
    InvalidRole = "invalid_role",
    InvalidDeviceReport = "invalid_device_report",
    UnknownProgram = "unknown_program",
    InvalidListEdit = "invalid_list_edit",
    UnknownCode = "unknown_code",
    CodeExists = "code_exists",
    CodeKept = "code_kept",
    TaxonomyChanged = "taxonomy_changed",
    InvalidImport = "invalid_import",
    NotFound = "not_found",
    RateLimited = "rate_limited",
    Internal = "internal",
    Unavailable = "unavailable",
});

impl ErrorCode {
    /// Every code, for the documentation's table and its test.
    pub const ALL: [ErrorCode; 29] = [
        ErrorCode::MalformedJson,
        ErrorCode::BatchTooLarge,
        ErrorCode::PayloadTooLarge,
        ErrorCode::UnsupportedMediaType,
        ErrorCode::MalformedEncoding,
        ErrorCode::InvalidRecords,
        ErrorCode::Unauthorized,
        ErrorCode::DeviceExpired,
        ErrorCode::Forbidden,
        ErrorCode::InvalidQuery,
        ErrorCode::InvalidPairingCode,
        ErrorCode::InvalidWorkerName,
        ErrorCode::WorkerExists,
        ErrorCode::ConfirmationRequired,
        ErrorCode::LastCoordinator,
        ErrorCode::InvalidDeviceLabel,
        ErrorCode::InvalidRole,
        ErrorCode::InvalidDeviceReport,
        ErrorCode::UnknownProgram,
        ErrorCode::InvalidListEdit,
        ErrorCode::UnknownCode,
        ErrorCode::CodeExists,
        ErrorCode::CodeKept,
        ErrorCode::TaxonomyChanged,
        ErrorCode::InvalidImport,
        ErrorCode::NotFound,
        ErrorCode::RateLimited,
        ErrorCode::Internal,
        ErrorCode::Unavailable,
    ];

    /// The code as the wire spells it (`malformed_json`).
    pub fn as_str(self) -> &'static str {
        use ErrorCode::*;
        match self {
            MalformedJson => "malformed_json",
            BatchTooLarge => "batch_too_large",
            PayloadTooLarge => "payload_too_large",
            UnsupportedMediaType => "unsupported_media_type",
            MalformedEncoding => "malformed_encoding",
            InvalidRecords => "invalid_records",
            Unauthorized => "unauthorized",
            DeviceExpired => "device_expired",
            Forbidden => "forbidden",
            InvalidQuery => "invalid_query",
            InvalidPairingCode => "invalid_pairing_code",
            InvalidWorkerName => "invalid_worker_name",
            WorkerExists => "worker_exists",
            ConfirmationRequired => "confirmation_required",
            LastCoordinator => "last_coordinator",
            InvalidDeviceLabel => "invalid_device_label",
            InvalidRole => "invalid_role",
            InvalidDeviceReport => "invalid_device_report",
            UnknownProgram => "unknown_program",
            InvalidListEdit => "invalid_list_edit",
            UnknownCode => "unknown_code",
            CodeExists => "code_exists",
            CodeKept => "code_kept",
            TaxonomyChanged => "taxonomy_changed",
            InvalidImport => "invalid_import",
            NotFound => "not_found",
            RateLimited => "rate_limited",
            Internal => "internal",
            Unavailable => "unavailable",
        }
    }
}

/// Body of every 4xx/5xx answer of the API: a stable `error` code, a `message` for logs,
/// and the typed fields a client needs for some codes. A client decides on `error` and
/// these fields, never on `message`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    pub error: ErrorCode,
    /// English explanation for logs and developers; the app shows its own translated text.
    pub message: String,
    /// For `invalid_records`: which records were refused and why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub records: Vec<RecordRejection>,
    /// For `code_kept`: how many records (latest versions, deletions aside) use the code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uses: Option<u64>,
    /// For `invalid_import`: what the import found, its fields (`problems`, `rows`, …)
    /// beside `error` and `message`. The apps read those as an [`ImportOutcome`] of the
    /// same body, not through this field: reading a flattened field makes every error
    /// answer slower to read and the phone's download 3 kB larger, for the one screen
    /// that needs it. Not in the wasm at all: there it was never read, yet every error
    /// cloned and dropped its empty place (2 kB of the phone's module).
    #[cfg(not(target_arch = "wasm32"))]
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    pub import: Option<ImportOutcome>,
}

impl ApiError {
    /// An answer with no typed fields.
    pub fn new(error: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            error,
            message: message.into(),
            records: Vec::new(),
            uses: None,
            #[cfg(not(target_arch = "wasm32"))]
            import: None,
        }
    }
}

/// One refused record of a batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordRejection {
    /// Position in the request's `records` array.
    pub index: usize,
    /// The record's id when it could be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    pub errors: Vec<FieldError>,
}

/// `GET /api/v1/records`: the latest version of each record the server holds for the
/// calling worker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordList {
    pub records: Vec<RecordVersion>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordVersion {
    pub id: Uuid,
    pub version: u32,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deleted: bool,
}

/// `GET /api/v1/me`: what a paired device needs besides its token. On the phone (wasm32)
/// read by hand (its [`crate::names::Fields`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(Deserialize))]
pub struct Me {
    /// The worker's name as the coordinator typed it.
    pub worker: String,
    /// Hex key for person codes (HMAC-SHA256), shared by the whole organisation.
    pub person_code_key: String,
    /// Version of the organisation's current taxonomy.
    pub taxonomy_version: u32,
    /// `worker` or `coordinator` (who may read the team's report).
    #[serde(default = "worker_role")]
    pub role: String,
    /// Days a phone keeps records the server acknowledged (the organisation's setting):
    /// older ones are removed from the device after a sync, so a seized phone holds little.
    #[serde(default = "default_retention_days")]
    pub retention_days: u32,
}

fn worker_role() -> String {
    "worker".into()
}

/// The retention window when an organisation sets none: 45 days.
pub const DEFAULT_RETENTION_DAYS: u32 = 45;

fn default_retention_days() -> u32 {
    DEFAULT_RETENTION_DAYS
}

/// [`RecordResult`]'s fields, in the order they are declared.
#[cfg(any(target_arch = "wasm32", test))]
const RECORD_RESULT_FIELDS: &[&str] = &["id", "version", "status"];

#[cfg(target_arch = "wasm32")]
impl<'de> Deserialize<'de> for RecordResult {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::names::read_struct(d)
    }
}

#[cfg(any(target_arch = "wasm32", test))]
impl crate::names::Fields for RecordResult {
    const EXPECTING: &'static str = "struct RecordResult";
    const NAMES: &'static [&'static str] = RECORD_RESULT_FIELDS;
    /// `version` may be left out (1).
    const OPTIONAL: u64 = 1 << 1;
    const DENY_UNKNOWN: bool = false;

    fn empty() -> Self {
        RecordResult {
            id: Uuid::nil(),
            version: one(),
            status: RecordStatus::VARIANTS[0],
        }
    }

    fn read_field<'de, A: serde::de::MapAccess<'de>>(
        &mut self,
        at: usize,
        map: &mut A,
    ) -> Result<(), A::Error> {
        match at {
            0 => self.id = map.next_value()?,
            1 => self.version = map.next_value()?,
            _ => self.status = map.next_value()?,
        }
        Ok(())
    }
}

/// [`Me`]'s fields, in the order they are declared.
#[cfg(any(target_arch = "wasm32", test))]
const ME_FIELDS: &[&str] = &[
    "worker",
    "person_code_key",
    "taxonomy_version",
    "role",
    "retention_days",
];

#[cfg(target_arch = "wasm32")]
impl<'de> Deserialize<'de> for Me {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::names::read_struct(d)
    }
}

#[cfg(any(target_arch = "wasm32", test))]
impl crate::names::Fields for Me {
    const EXPECTING: &'static str = "struct Me";
    const NAMES: &'static [&'static str] = ME_FIELDS;
    /// `role` and `retention_days` may be left out.
    const OPTIONAL: u64 = 0b11 << 3;
    const DENY_UNKNOWN: bool = false;

    fn empty() -> Self {
        Me {
            worker: String::new(),
            person_code_key: String::new(),
            taxonomy_version: 0,
            role: worker_role(),
            retention_days: default_retention_days(),
        }
    }

    fn read_field<'de, A: serde::de::MapAccess<'de>>(
        &mut self,
        at: usize,
        map: &mut A,
    ) -> Result<(), A::Error> {
        match at {
            0 => self.worker = map.next_value()?,
            1 => self.person_code_key = map.next_value()?,
            2 => self.taxonomy_version = map.next_value()?,
            3 => self.role = map.next_value()?,
            _ => self.retention_days = map.next_value()?,
        }
        Ok(())
    }
}

/// `GET /api/v1/tallies`: one report per worker, for coordinators (a worker gets its own).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tallies {
    pub filter: crate::report::ReportFilter,
    pub workers: Vec<WorkerTally>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkerTally {
    pub worker: String,
    pub report: crate::report::Report,
}

/// `GET /api/v1/report` (JSON): the filter and the tables.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportResponse {
    pub filter: crate::report::ReportFilter,
    /// The worker the report is limited to, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worker: Option<String>,
    pub report: crate::report::Report,
    /// With `compare_from`/`compare_to`: the other period, side by side.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compare: Option<Comparison>,
}

/// Another period's report and the row-by-row differences (`value - compare_value`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comparison {
    pub filter: crate::report::ReportFilter,
    pub report: crate::report::Report,
    pub differences: Vec<crate::report::Difference>,
}

/// `POST /api/v1/taxonomy/lists/{list}` (coordinators): changes to one list, all or none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListEditRequest {
    /// The taxonomy version the edits were made against; refused with `taxonomy_changed`
    /// if another change came first. Optional.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_version: Option<u32>,
    pub edits: Vec<crate::lists::ListEdit>,
}

/// The answer to a list edit: the taxonomy now in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListEditResponse {
    /// False when the edits changed nothing (no new version was made).
    pub changed: bool,
    pub taxonomy: crate::taxonomy::Taxonomy,
}

/// `POST /api/v1/pair`: a one-time pairing code, exchanged for a device token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PairRequest {
    pub code: String,
    /// What the worker calls this device (« Téléphone bleu »), shown to coordinators.
    /// Optional: older apps send none and get [`DEFAULT_DEVICE_LABEL`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

/// The label of a device paired without one.
pub const DEFAULT_DEVICE_LABEL: &str = "Téléphone";

/// Longest device label, in characters.
pub const MAX_DEVICE_LABEL: usize = 40;

/// The label as stored: trimmed, 1 to [`MAX_DEVICE_LABEL`] characters, no control
/// characters; `None` when it breaks these rules. An absent or blank label is the default.
pub fn device_label(label: Option<&str>) -> Option<String> {
    let label = label.map(str::trim).unwrap_or("");
    if label.is_empty() {
        return Some(DEFAULT_DEVICE_LABEL.to_owned());
    }
    (label.chars().count() <= MAX_DEVICE_LABEL && !label.chars().any(char::is_control))
        .then(|| label.to_owned())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PairResponse {
    /// The device's bearer token (256-bit, shown once; the server keeps only its hash).
    pub token: String,
    pub worker: String,
}

/// `POST /api/v1/workers` (coordinators): a new worker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewWorker {
    pub name: String,
    #[serde(default)]
    pub coordinator: bool,
    /// With `coordinator`: the name typed a second time (see [`RoleChange`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirm: Option<String>,
}

/// A one-time pairing code for a worker, with a QR code (SVG) of the link that pairs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pairing {
    pub worker: String,
    pub pairing_code: String,
    /// An SVG QR code of `{origin}/#pair={code}` (or of the code alone).
    pub qr_svg: String,
}

/// `GET /api/v1/workers` (coordinators): the team's accounts and their devices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamAccounts {
    pub workers: Vec<WorkerAccount>,
    /// Days without use after which a device stops working (the organisation's setting).
    pub device_expiry_days: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkerAccount {
    pub name: String,
    /// `worker` or `coordinator`.
    pub role: String,
    /// Revoked workers are listed (their records stay) but none of their devices works.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub revoked: bool,
    /// Milliseconds since the Unix epoch.
    pub created_ms: i64,
    /// Oldest first.
    pub devices: Vec<DeviceInfo>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceInfo {
    /// The device's number, for revoking it (never the token).
    pub id: i64,
    pub label: String,
    pub created_ms: i64,
    /// Last request made with this device's token, to within a few minutes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_seen_ms: Option<i64>,
    pub state: DeviceState,
    /// What the phone said it still holds at its last sync, and when that came; none for
    /// a device that never reported (a build from before reports, or never synced).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<crate::completeness::DeviceReport>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report_ms: Option<i64>,
}

pub use crate::completeness::DeviceState;

/// `POST /api/v1/workers/{name}/role` (coordinators). Making someone a coordinator gives
/// them the team's figures and its accounts, so the name must be typed a second time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleChange {
    /// `worker` or `coordinator`.
    pub role: String,
    /// The worker's name, exactly.
    pub confirm: String,
}

/// `POST /api/v1/workers/{name}/revoke` (coordinators): the name typed a second time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Confirm {
    pub confirm: String,
}

/// `GET /api/v1/audit` (coordinators): account actions, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    /// Pass as `before=` for the next (older) page; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_before: Option<i64>,
}

/// One account action. Never a token, a pairing code, or anything about persons met.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at_ms: i64,
    /// The coordinator's worker name, the worker itself (pairing), or `cli`.
    pub actor: String,
    pub action: AuditAction,
    /// The worker concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worker: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_id: Option<i64>,
    /// The new role, the device's label, or `setting=value`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// What was done to an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    WorkerAdded,
    CodeIssued,
    DevicePaired,
    DeviceRevoked,
    WorkerRevoked,
    RoleChanged,
    SettingChanged,
}

impl AuditAction {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::WorkerAdded => "worker_added",
            AuditAction::CodeIssued => "code_issued",
            AuditAction::DevicePaired => "device_paired",
            AuditAction::DeviceRevoked => "device_revoked",
            AuditAction::WorkerRevoked => "worker_revoked",
            AuditAction::RoleChanged => "role_changed",
            AuditAction::SettingChanged => "setting_changed",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [
            AuditAction::WorkerAdded,
            AuditAction::CodeIssued,
            AuditAction::DevicePaired,
            AuditAction::DeviceRevoked,
            AuditAction::WorkerRevoked,
            AuditAction::RoleChanged,
            AuditAction::SettingChanged,
        ]
        .into_iter()
        .find(|a| a.as_str() == text)
    }
}

/// One problem of an imported file, by line (1 is the header row).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineProblem {
    pub line: usize,
    /// The column at fault, as the file names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// What is wrong, for the coordinator's app to say in the coordinator's language.
    /// (Answers from before it read as [`ImportProblem::Other`]: the message says it.)
    #[serde(default)]
    pub problem: ImportProblem,
    /// The same in English, for scripts and the command line.
    pub message: String,
}

impl LineProblem {
    pub fn new(line: usize, column: Option<&str>, problem: ImportProblem) -> Self {
        LineProblem {
            line,
            column: column.map(str::to_owned),
            message: problem.to_string(),
            problem,
        }
    }
}

impl std::fmt::Display for LineProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.column {
            Some(column) => write!(f, "line {}, {column}: {}", self.line, self.message),
            None => write!(f, "line {}: {}", self.line, self.message),
        }
    }
}

/// What is wrong with a line of an imported file, machine-readable. A cell's text is
/// given back where it is a code, a date or a count the file holds; an alias never is (it
/// may identify someone).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ImportProblem {
    #[error("not CSV: {detail}")]
    NotCsv { detail: String },
    #[error("the file is empty: a header row is needed")]
    EmptyFile,
    #[error("unknown column; see docs/api.md for the columns")]
    UnknownColumn,
    #[error("no `date` column")]
    NoDateColumn,
    #[error("this row was already imported for `{worker}`")]
    AlreadyImported { worker: String },
    #[error("this row has more cells than the header has columns")]
    TooManyCells,
    #[error("`{value}` is neither a code nor a label of the list `{}`", list.key())]
    NotInList { value: String, list: ListKind },
    #[error("`{value}`: expected contact or activité")]
    ExpectedType { value: String },
    #[error("`{value}`: expected a date, AAAA-MM-JJ or JJ/MM/AAAA")]
    ExpectedDate { value: String },
    #[error("`{value}`: expected a time, HH:MM")]
    ExpectedTime { value: String },
    #[error("`{value}`: expected envoyé or reçu")]
    ExpectedDirection { value: String },
    #[error("`{value}`: expected oui or non")]
    ExpectedYesNo { value: String },
    #[error("`{value}`: expected a count")]
    ExpectedCount { value: String },
    #[error("unusable alias: the alias is too short")]
    AliasTooShort,
    #[error("no date")]
    NoDate,
    #[error("a date and time Québec's calendar does not have")]
    NoSuchLocalTime,
    /// The record the line makes breaks a rule of records (`field` as records name it).
    #[error("{}", reason.code().replace('_', " "))]
    Invalid { field: String, reason: Reason },
    /// Anything else: the message says what.
    #[default]
    #[error("see the message")]
    Other,
}

/// `POST /api/v1/import` (and `carnet-server import FILE.csv`): what an import did, or
/// (dry run) would do. With problems, the fields of a `422 invalid_import` body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportOutcome {
    pub dry_run: bool,
    pub worker: String,
    /// Data rows read (blank lines aside).
    pub rows: usize,
    pub contacts: usize,
    pub activities: usize,
    /// Rows by program code.
    #[serde(default)]
    pub by_program: BTreeMap<String, usize>,
    /// Rows new to the server: imported, or to be imported by the real run.
    pub new: usize,
    /// Rows imported before: left as they are.
    pub already_there: usize,
    /// Every problem; when there is one, nothing is (or would be) imported.
    #[serde(default)]
    pub problems: Vec<LineProblem>,
}

/// What the command line prints.
impl std::fmt::Display for ImportOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let verb = if self.dry_run {
            "would import"
        } else {
            "imported"
        };
        writeln!(
            f,
            "{} rows for `{}`: {} contacts, {} activities",
            self.rows, self.worker, self.contacts, self.activities
        )?;
        for (program, n) in &self.by_program {
            writeln!(f, "  {program}: {n}")?;
        }
        writeln!(
            f,
            "{verb} {} new rows; {} already there",
            self.new, self.already_there
        )?;
        if !self.problems.is_empty() {
            writeln!(
                f,
                "{} problem(s); nothing {}:",
                self.problems.len(),
                if self.dry_run {
                    "would be imported"
                } else {
                    "was imported"
                }
            )?;
            for p in &self.problems {
                writeln!(f, "  {p}")?;
            }
        }
        Ok(())
    }
}

/// Most audit entries one page holds.
pub const MAX_AUDIT_PAGE: u32 = 200;

/// Days a device may go unused before it stops working, when the organisation sets none.
pub const DEFAULT_DEVICE_EXPIRY_DAYS: u32 = 90;

#[cfg(test)]
mod account_tests {
    use super::*;

    #[test]
    fn error_codes_are_spelt_as_serde_spells_them() {
        for code in ErrorCode::ALL {
            assert_eq!(
                serde_json::to_value(code).unwrap(),
                serde_json::Value::String(code.as_str().into())
            );
        }
    }

    #[test]
    fn an_import_refusal_keeps_its_fields_at_the_top_and_old_bodies_still_decode() {
        let outcome = ImportOutcome {
            worker: "rdm-a".into(),
            rows: 2,
            problems: vec![LineProblem::new(
                3,
                Some("Milieu"),
                ImportProblem::NotInList {
                    value: "Casino".into(),
                    list: ListKind::Milieux,
                },
            )],
            ..ImportOutcome::default()
        };
        let mut refusal = ApiError::new(ErrorCode::InvalidImport, "1 problem(s)");
        refusal.import = Some(outcome.clone());
        let json = serde_json::to_value(&refusal).unwrap();
        assert_eq!(json["error"], "invalid_import");
        assert_eq!(json["problems"][0]["line"], 3);
        assert_eq!(
            json["problems"][0]["problem"],
            serde_json::json!({"kind": "not_in_list", "value": "Casino", "list": "milieux"})
        );
        assert_eq!(
            json["problems"][0]["message"],
            "`Casino` is neither a code nor a label of the list `milieux`"
        );
        assert_eq!(json["worker"], "rdm-a");
        assert!(json.get("import").is_none() && json.get("uses").is_none());
        let back: ApiError = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(back, refusal);
        // The app reads the same body as an outcome.
        assert_eq!(
            serde_json::from_value::<ImportOutcome>(json).unwrap(),
            outcome
        );
        // A problem from before `problem`: its message says it.
        let older: LineProblem =
            serde_json::from_str(r#"{"line":2,"message":"no `date` column"}"#).unwrap();
        assert_eq!(older.problem, ImportProblem::Other);
        // A body of before the typed fields, and one with `uses`.
        let old: ApiError =
            serde_json::from_str(r#"{"error":"code_kept","message":"in use by 3 record(s)"}"#)
                .unwrap();
        assert_eq!((old.uses, old.import), (None, None));
        let kept: ApiError =
            serde_json::from_str(r#"{"error":"code_kept","message":"m","uses":3}"#).unwrap();
        assert_eq!(kept.uses, Some(3));
    }

    #[test]
    fn device_labels_are_trimmed_bounded_and_default_when_blank() {
        assert_eq!(device_label(None).as_deref(), Some(DEFAULT_DEVICE_LABEL));
        assert_eq!(
            device_label(Some("  ")).as_deref(),
            Some(DEFAULT_DEVICE_LABEL)
        );
        assert_eq!(
            device_label(Some(" Téléphone bleu ")).as_deref(),
            Some("Téléphone bleu")
        );
        assert_eq!(
            device_label(Some(&"é".repeat(40))).map(|l| l.len()),
            Some(80)
        );
        assert_eq!(device_label(Some(&"é".repeat(41))), None);
        assert_eq!(device_label(Some("a\nb")), None);
    }

    #[test]
    fn old_pair_requests_still_decode_and_actions_round_trip() {
        let old: PairRequest = serde_json::from_str(r#"{"code":"ABCD-EFGH"}"#).unwrap();
        assert_eq!(old.label, None);
        assert!(serde_json::from_str::<PairRequest>(r#"{"code":"x","token":"y"}"#).is_err());
        for action in [
            AuditAction::WorkerAdded,
            AuditAction::CodeIssued,
            AuditAction::DevicePaired,
            AuditAction::DeviceRevoked,
            AuditAction::WorkerRevoked,
            AuditAction::RoleChanged,
            AuditAction::SettingChanged,
        ] {
            assert_eq!(AuditAction::parse(action.as_str()), Some(action));
            assert_eq!(
                serde_json::to_value(action).unwrap(),
                serde_json::Value::String(action.as_str().into())
            );
        }
    }
}

/// `GET /api/v1/team` (coordinators): each worker's figures beside the team's, for the
/// same period and programs as the team report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamResponse {
    pub filter: crate::report::ReportFilter,
    pub table: crate::team::TeamTable,
}

/// `GET /api/v1/completeness?from=…&to=…` (coordinators): which devices may still hold
/// records of the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompletenessResponse {
    #[cfg_attr(target_arch = "wasm32", serde(deserialize_with = "crate::time::date"))]
    pub from: chrono::NaiveDate,
    #[cfg_attr(target_arch = "wasm32", serde(deserialize_with = "crate::time::date"))]
    pub to: chrono::NaiveDate,
    /// The phone app's build the server serves, which every phone should run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_build: Option<String>,
    #[serde(flatten)]
    pub completeness: crate::completeness::Completeness,
    /// Active workers none of whose devices ever reached the server: a phone never paired
    /// holds whatever it holds where the server cannot see it (said apart, since nothing
    /// tells whether it exists).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub never_seen: Vec<String>,
}

#[cfg(test)]
mod reader_tests {
    use super::*;
    use crate::record::tests::check_reader;
    use serde_json::{Value, json};

    fn object(value: Value) -> serde_json::Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => unreachable!("an object"),
        }
    }

    /// The phone's readers of a batch's result and of `/me` against serde's derived ones:
    /// each field back, the defaults, the same words for a wrong value or a field twice.
    #[test]
    fn the_phones_readers_read_a_result_and_me_as_the_derived_ones() {
        let result = json!({"id": Uuid::from_u128(7), "version": 3, "status": "duplicate"});
        check_reader::<RecordResult>(
            &object(result),
            RECORD_RESULT_FIELDS,
            crate::names::read_struct,
            |t| crate::names::read_struct(&mut serde_json::Deserializer::from_str(t)),
        );
        let me = json!({
            "worker": "poste-1",
            "person_code_key": "ab",
            "taxonomy_version": 4,
            "role": "coordinator",
            "retention_days": 30,
        });
        check_reader::<Me>(&object(me), ME_FIELDS, crate::names::read_struct, |t| {
            crate::names::read_struct(&mut serde_json::Deserializer::from_str(t))
        });
    }
}
