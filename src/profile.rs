//! Who is using this device: a local profile id and the worker's sync token.
//!
//! Each profile has its own IndexedDB database, so two workers sharing one phone never
//! see or sync each other's records. Stored in `localStorage`; a later change wraps the
//! token with a key derived from the worker's PIN.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

const CURRENT_KEY: &str = "carnet.profile";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    /// Local only; never sent to the server (the token identifies the worker there).
    pub id: Uuid,
    pub token: Option<String>,
}

impl Profile {
    /// The IndexedDB database holding this profile's records.
    pub fn database_name(&self) -> String {
        format!("carnet-{}", self.id)
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The device's current profile, created on first launch.
pub fn load_or_create() -> Profile {
    let stored = storage()
        .and_then(|s| s.get_item(CURRENT_KEY).ok().flatten())
        .and_then(|json| serde_json::from_str::<Profile>(&json).ok());
    match stored {
        Some(profile) => profile,
        None => {
            let profile = Profile {
                id: crate::platform::random_uuid(),
                token: None,
            };
            save(&profile);
            profile
        }
    }
}

/// Persists the profile; returns false when the browser refuses (private mode, quota).
pub fn save(profile: &Profile) -> bool {
    let Ok(json) = serde_json::to_string(profile) else {
        return false;
    };
    storage().is_some_and(|s| s.set_item(CURRENT_KEY, &json).is_ok())
}
