//! The organisation's taxonomy on the device: the server's latest document when it was
//! last reachable, else the one compiled into the app, so the form works offline.

use carnet_core::Taxonomy;
use leptos::prelude::*;

use crate::{api, local_store};

const KEY: &str = "carnet.taxonomy";

/// The cached document if it is valid, else the built-in one.
pub fn load() -> Taxonomy {
    match local_store::get::<Taxonomy>(KEY) {
        Some(cached) if cached.validate().is_ok() => cached,
        _ => Taxonomy::builtin(),
    }
}

/// Fetches the server's document and puts it in `taxonomy` (and the cache) when it
/// differs from the one there. The server's document is the organisation's: an
/// organisation's own version 2 replaces the built-in version 2 too. Compared in place,
/// so the phone's module holds no copy of a taxonomy (`Clone`, 1 kB).
pub async fn refresh(taxonomy: RwSignal<Taxonomy>) {
    let Some(fetched) = api::get_taxonomy().await else {
        return;
    };
    if fetched.validate().is_err() || taxonomy.with_untracked(|current| fetched == *current) {
        return;
    }
    local_store::set(KEY, &fetched);
    taxonomy.set(fetched);
}

/// Keeps a document the server just answered with (after a coordinator's list edit).
pub fn save(taxonomy: &Taxonomy) {
    local_store::set(KEY, taxonomy);
}
