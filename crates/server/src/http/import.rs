//! `/import`: a coordinator sends one of the organisation's past spreadsheets, as CSV, for
//! a worker: a dry run, or all rows or none (see [`crate::csv_import`]).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use carnet_core::wire::{ErrorCode, ImportOutcome};
use serde::Deserialize;

use super::error::Failure;
use super::extract::{Coordinator, Expected, Query};
use super::state::AppState;
use crate::csv_import::import_csv;

pub fn routes() -> Router<Arc<AppState>> {
    Router::new().route("/import", post(import))
}

/// Query of `POST /api/v1/import`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ImportQuery {
    worker: String,
    #[serde(default)]
    dry_run: bool,
}

impl Expected for ImportQuery {
    const EXPECTED: &'static str = "worker=NAME[&dry_run=true]";
}

/// `POST /api/v1/import?worker=NAME[&dry_run=true]`, body the CSV file (coordinators).
/// The file is read before the query, so a file that cannot be read is said first.
async fn import(
    State(state): State<Arc<AppState>>,
    _: Coordinator,
    query: Result<Query<ImportQuery>, Failure>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<ImportOutcome>, Failure> {
    let body = body.map_err(|rejection| Failure::rejected(&rejection, ErrorCode::InvalidImport))?;
    let text = String::from_utf8(body.to_vec()).map_err(|_| {
        Failure::new(
            ErrorCode::InvalidImport,
            "the file is not UTF-8 text: save the spreadsheet as « CSV UTF-8 »",
        )
        .with_status(StatusCode::BAD_REQUEST)
    })?;
    let Query(query) = query?;
    let outcome = import_csv(&state.store, &query.worker, &text, query.dry_run).await?;
    if outcome.problems.is_empty() {
        if !query.dry_run {
            state.reports.written();
        }
        Ok(Json(outcome))
    } else {
        Err(Failure::invalid_import(outcome))
    }
}
