//! The organisation's taxonomy on the device: the server's latest document when it was
//! last reachable, else the one compiled into the app, so the form works offline.

use carnet_core::Taxonomy;

use crate::{api, local_store};

const KEY: &str = "carnet.taxonomy";

/// The cached document if it is valid and not older than the built-in one.
pub fn load() -> Taxonomy {
    let builtin = Taxonomy::builtin();
    match local_store::get::<Taxonomy>(KEY) {
        Some(cached) if cached.validate().is_ok() && cached.version >= builtin.version => cached,
        _ => builtin,
    }
}

/// Fetches the server's document; returns it when it is newer than `current` (and caches it).
pub async fn refresh(current_version: u32) -> Option<Taxonomy> {
    let fetched = api::get_taxonomy().await?;
    if fetched.validate().is_err() || fetched.version <= current_version {
        return None;
    }
    local_store::set(KEY, &fetched);
    Some(fetched)
}
