//! `carnet-server import`: historical records from NDJSON (one wire record per line).
//!
//! Every line is checked first; if any is bad, nothing is written and each bad line is
//! reported with its number and reasons. Lines are stored in one transaction with the
//! same rules as sync, so re-importing a file changes nothing.

use carnet_core::Record;
use thiserror::Error;

use crate::store::{Store, StoreError, WorkerId};

#[derive(Debug, Error)]
pub enum ImportError {
    #[error("no worker named `{0}`; add it first with `carnet-server worker add`")]
    UnknownWorker(String),
    #[error("{} bad line(s), nothing was imported:\n{}", .0.len(), .0.join("\n"))]
    BadLines(Vec<String>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What an import did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ImportSummary {
    pub stored: usize,
    pub duplicates: usize,
    pub conflicts: usize,
}

/// Parses and validates every line; returns the records or every problem found.
pub fn parse_ndjson(
    text: &str,
    taxonomy: &carnet_core::Taxonomy,
) -> Result<Vec<Record>, Vec<String>> {
    let mut records = Vec::new();
    let mut problems = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let number = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        match Record::from_json(line) {
            Err(e) => problems.push(format!("line {number}: not a record: {e}")),
            Ok(record) => match record.validate(taxonomy) {
                Ok(()) => records.push(record),
                Err(e) => problems.push(format!("line {number}: {e}")),
            },
        }
    }
    if problems.is_empty() {
        Ok(records)
    } else {
        Err(problems)
    }
}

/// Imports a file's records for one worker: all of them, or none.
pub async fn import_ndjson(
    store: &Store,
    worker: &str,
    text: &str,
) -> Result<ImportSummary, ImportError> {
    let id: WorkerId = store
        .worker_by_name(worker)
        .await?
        .ok_or_else(|| ImportError::UnknownWorker(worker.to_owned()))?;
    let taxonomy = store.taxonomy().await?;
    let records = parse_ndjson(text, &taxonomy).map_err(ImportError::BadLines)?;
    let mut summary = ImportSummary::default();
    for result in store.store_batch(id, &records).await? {
        match result.status {
            carnet_core::wire::RecordStatus::Stored => summary.stored += 1,
            carnet_core::wire::RecordStatus::Duplicate => summary.duplicates += 1,
            carnet_core::wire::RecordStatus::Conflict => summary.conflicts += 1,
        }
    }
    Ok(summary)
}
