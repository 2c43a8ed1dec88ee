//! What can go wrong in the store: a request the rules refuse ([`Refusal`]), or the
//! database failing ([`StoreError`]'s other variants).

use carnet_core::TaxonomyError;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    /// The rules refuse the request; nothing was written.
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error("database error: {0}")]
    Sqlite(rusqlite::Error),
    #[error("database error: {0}")]
    Postgres(tokio_postgres::Error),
    /// The database cannot take this request now; the caller may retry later.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// PostgreSQL aborted a transaction to resolve a deadlock or a serialisation failure:
    /// retried, then answered like [`StoreError::Unavailable`].
    #[error("database contention: {0}")]
    Contention(String),
    #[error("could not serialize a record: {0}")]
    Json(#[from] serde_json::Error),
    #[error("the system random generator failed: {0}")]
    Random(String),
    #[error("the database schema is newer than this server (version {0}); upgrade carnet-server")]
    SchemaTooNew(i64),
    #[error("a stored value is out of range: {0}")]
    OutOfRange(String),
    #[error("database task failed: {0}")]
    Task(String),
    #[error("{0}")]
    Config(String),
}

impl StoreError {
    /// Whether the failure is temporary (busy, full, unreachable): answered `503`.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, StoreError::Unavailable(_) | StoreError::Contention(_))
    }
}

impl From<TaxonomyError> for StoreError {
    fn from(err: TaxonomyError) -> Self {
        StoreError::Refused(Refusal::Taxonomy(err))
    }
}

/// A request the store's rules refuse, decided before anything is written.
#[derive(Debug, Error)]
pub enum Refusal {
    #[error("a worker named `{0}` already exists")]
    WorkerExists(String),
    #[error("no active worker named `{0}`")]
    NoSuchWorker(String),
    #[error("a worker name must be 1 to 64 characters")]
    BadWorkerName,
    #[error("no device number {0}")]
    NoSuchDevice(i64),
    #[error("`{0}` is the last active coordinator: make someone else coordinator first")]
    LastCoordinator(String),
    #[error("a device label must be 1 to 40 characters, without control characters")]
    BadDeviceLabel,
    #[error("{0}")]
    BadSetting(String),
    #[error("taxonomy refused: {0}")]
    Taxonomy(TaxonomyError),
}
