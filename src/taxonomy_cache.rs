//! The organisation's taxonomy on the device: the server's latest document when it was
//! last reachable, else the one compiled into the app, so the form works offline.

use carnet_core::Taxonomy;

use crate::{api, local_store};

const KEY: &str = "carnet.taxonomy";

/// The cached document if it is valid, else the built-in one.
pub fn load() -> Taxonomy {
    match local_store::get::<Taxonomy>(KEY) {
        Some(cached) if cached.validate().is_ok() => cached,
        _ => Taxonomy::builtin(),
    }
}

/// Fetches the server's document; returns it (and caches it) when it differs from
/// `current`. The server's document is the organisation's: an organisation's own version 2
/// replaces the built-in version 2 too.
pub async fn refresh(current: &Taxonomy) -> Option<Taxonomy> {
    let fetched = api::get_taxonomy().await?;
    if fetched.validate().is_err() || fetched == *current {
        return None;
    }
    local_store::set(KEY, &fetched);
    Some(fetched)
}

/// Keeps a document the server just answered with (after a coordinator's list edit).
pub fn save(taxonomy: &Taxonomy) {
    local_store::set(KEY, taxonomy);
}
