//! `/taxonomy`: the organisation's lists for phones to cache, and the coordinators' edits
//! of the venues, web sites, partners and program groups (`/taxonomy/lists/{list}`),
//! without a JSON file, a CLI command or a restart.
//!
//! The edits are applied by `carnet_core::lists` (pure); the result is the next taxonomy
//! version, stored through [`Store::load_taxonomy`] (which checks the successor rule again)
//! and served at once. Phones get it on their next sync; offline phones keep theirs, which
//! stays valid since no code is ever removed.

use std::sync::Arc;

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use carnet_core::lists::{EditableList, ListEditError, apply_edits};
use carnet_core::wire::{ErrorCode, ListEditRequest, ListEditResponse};
use carnet_core::{Record, Taxonomy};

use super::error::Failure;
use super::extract::Coordinator;
use super::state::AppState;
use crate::store::Store;

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/taxonomy", get(taxonomy))
        .route("/taxonomy/lists/{list}", post(edit_list))
}

/// `GET /api/v1/taxonomy`: the organisation's lists, for the app to cache.
async fn taxonomy(State(state): State<Arc<AppState>>) -> Result<Json<Taxonomy>, Failure> {
    Ok(Json(state.store.taxonomy().await?.as_ref().clone()))
}

/// `POST /api/v1/taxonomy/lists/{list}` (coordinators).
async fn edit_list(
    State(state): State<Arc<AppState>>,
    _: Coordinator,
    Path(list): Path<String>,
    body: Result<Json<ListEditRequest>, JsonRejection>,
) -> Result<Json<ListEditResponse>, Failure> {
    let list = EditableList::from_key(&list).ok_or_else(|| {
        Failure::not_found(format!(
            "no editable list `{list}`; the lists are: {}",
            EditableList::ALL.map(EditableList::key).join(", ")
        ))
    })?;
    let Json(request) =
        body.map_err(|rejection| Failure::rejected(&rejection, ErrorCode::InvalidListEdit))?;
    let _one_at_a_time = state.list_edits.lock().await;
    let (changed, taxonomy) = apply(&state.store, list, &request).await?;
    Ok(Json(ListEditResponse { changed, taxonomy }))
}

/// Applies a request to the store's current taxonomy and stores the next version.
/// Returns whether anything changed, and the taxonomy now in force.
async fn apply(
    store: &Store,
    list: EditableList,
    request: &ListEditRequest,
) -> Result<(bool, Taxonomy), Failure> {
    let current = store.taxonomy().await?;
    if let Some(base) = request.base_version.filter(|&b| b != current.version) {
        return Err(Failure::new(
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
        Err(err) => {
            let uses = match &err {
                ListEditError::CodeKept { code, .. } => {
                    Some(records_using(store, list, code).await?)
                }
                _ => None,
            };
            return Err(Failure::list_edit(err, uses));
        }
    };
    let json = serde_json::to_string(&next).map_err(Failure::internal)?;
    Ok((true, store.load_taxonomy(&json).await?))
}

/// How many records (latest versions, deletions excluded) name `code` in `list`.
async fn records_using(store: &Store, list: EditableList, code: &str) -> Result<u64, Failure> {
    let records = store.latest_records(None).await?;
    let uses = |record: &Record| match (list, record) {
        (_, r) if r.deleted() => false,
        (EditableList::Venues, Record::Contact(c)) => c.venue.as_deref() == Some(code),
        (EditableList::Venues, Record::Activity(a)) => a.venue.as_deref() == Some(code),
        (EditableList::Sites, Record::Activity(a)) => a.site.as_deref() == Some(code),
        (EditableList::Partners, Record::Contact(c)) => c.referrals.iter().any(|p| p == code),
        _ => false,
    };
    Ok(records.iter().filter(|(_, r)| uses(r)).count() as u64)
}
