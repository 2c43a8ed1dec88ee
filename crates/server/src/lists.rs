//! `POST /api/v1/taxonomy/lists/{list}`: coordinators keep the venues, web sites, partners
//! and program groups from the app, without a JSON file, a CLI command or a restart.
//!
//! The edits are applied by `carnet_core::lists` (pure); the result is the next taxonomy
//! version, stored through [`Store::load_taxonomy`] (which checks the successor rule again)
//! and served at once. Phones get it on their next sync; offline phones keep theirs, which
//! stays valid since no code is ever removed.

use std::sync::Arc;

use tokio::sync::Mutex;

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use carnet_core::lists::{EditableList, ListEditError, apply_edits};
use carnet_core::wire::{ErrorCode, ListEditRequest, ListEditResponse};
use carnet_core::{Record, Taxonomy, TaxonomyError};

use crate::api::{Authed, Failure, coordinator_for};
use crate::app::AppState;
use crate::store::{Store, StoreError};

/// One list edit at a time in this process: two coordinators' edits make two versions.
/// Across servers on one database the taxonomy's version is a key: of two edits made at
/// once, the second is refused with `taxonomy_changed`.
static EDITS: Mutex<()> = Mutex::const_new(());

/// The handler: coordinators only.
pub async fn edit_list(
    State(state): State<Arc<AppState>>,
    Authed(caller): Authed,
    Path(list): Path<String>,
    body: Result<Json<ListEditRequest>, JsonRejection>,
) -> Result<Json<ListEditResponse>, Failure> {
    coordinator_for(caller, "edits the lists")?;
    let list = EditableList::from_key(&list).ok_or_else(|| {
        Failure::new(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            format!(
                "no editable list `{list}`; the lists are: {}",
                EditableList::ALL.map(EditableList::key).join(", ")
            ),
        )
    })?;
    let Json(request) = body.map_err(|e| {
        Failure::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidListEdit,
            e.body_text(),
        )
    })?;
    let (changed, taxonomy) = apply(&state.store, list, &request).await?;
    Ok(Json(ListEditResponse { changed, taxonomy }))
}

/// Applies a request to the store's current taxonomy and stores the next version.
/// Returns whether anything changed, and the taxonomy now in force.
pub async fn apply(
    store: &Store,
    list: EditableList,
    request: &ListEditRequest,
) -> Result<(bool, Taxonomy), Failure> {
    let _one_at_a_time = EDITS.lock().await;
    let current = store.taxonomy().await?;
    if let Some(base) = request.base_version.filter(|&b| b != current.version) {
        return Err(Failure::new(
            StatusCode::CONFLICT,
            ErrorCode::TaxonomyChanged,
            format!(
                "the lists are at version {}, not {base}: reload them and try again",
                current.version
            ),
        ));
    }
    let next = match apply_edits(&current, list, &request.edits) {
        Ok(Some(next)) => next,
        Ok(None) => return Ok((false, Taxonomy::clone(&current))),
        Err(err) => return Err(refusal(store, list, err).await?),
    };
    let json = serde_json::to_string(&next).map_err(Failure::internal)?;
    match store.load_taxonomy(&json).await {
        Ok(stored) => Ok((true, stored)),
        // Another process (the CLI) loaded a version meanwhile.
        Err(StoreError::Taxonomy(TaxonomyError::VersionNotIncreased { current, .. })) => {
            Err(Failure::new(
                StatusCode::CONFLICT,
                ErrorCode::TaxonomyChanged,
                format!("the lists changed meanwhile (now version {current}); try again"),
            ))
        }
        Err(other) => Err(other.into()),
    }
}

/// The answer to a refused edit; a removal says how many records use the code.
async fn refusal(
    store: &Store,
    list: EditableList,
    err: ListEditError,
) -> Result<Failure, Failure> {
    let message = err.to_string();
    let (status, code) = match &err {
        ListEditError::CodeExists { .. } => (StatusCode::CONFLICT, ErrorCode::CodeExists),
        ListEditError::UnknownCode { .. } => {
            (StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::UnknownCode)
        }
        ListEditError::UnknownProgram { .. } => {
            (StatusCode::BAD_REQUEST, ErrorCode::UnknownProgram)
        }
        ListEditError::CodeKept { code, .. } => {
            let uses = records_using(store, list, code).await?;
            let message = if uses > 0 {
                format!(
                    "`{code}` is in use by {uses} record(s) and codes are never removed: retire it instead ({{\"op\": \"retire\", \"code\": \"{code}\"}})"
                )
            } else {
                message
            };
            return Ok(Failure::new(
                StatusCode::CONFLICT,
                ErrorCode::CodeKept,
                message,
            ));
        }
        ListEditError::NoEdits
        | ListEditError::WrongList { .. }
        | ListEditError::NoCodeFromLabel { .. }
        | ListEditError::Invalid { .. } => (StatusCode::BAD_REQUEST, ErrorCode::InvalidListEdit),
    };
    Ok(Failure::new(status, code, message))
}

/// How many records (latest versions, deletions excluded) name `code` in `list`.
async fn records_using(store: &Store, list: EditableList, code: &str) -> Result<usize, Failure> {
    let records = store.latest_records(None).await?;
    let uses = |record: &Record| match (list, record) {
        (_, r) if r.deleted() => false,
        (EditableList::Venues, Record::Contact(c)) => c.venue.as_deref() == Some(code),
        (EditableList::Venues, Record::Activity(a)) => a.venue.as_deref() == Some(code),
        (EditableList::Sites, Record::Activity(a)) => a.site.as_deref() == Some(code),
        (EditableList::Partners, Record::Contact(c)) => c.referrals.iter().any(|p| p == code),
        _ => false,
    };
    Ok(records.iter().filter(|(_, r)| uses(r)).count())
}
