//! Who is using this device: a local profile id, the worker's sync token and the
//! organisation's person-code key.
//!
//! Each profile has its own IndexedDB database, so two workers sharing one phone never
//! see or sync each other's records. A later change wraps the token and the key with a key
//! derived from the worker's PIN.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::local_store;

const CURRENT_KEY: &str = "carnet.profile";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    /// Local only; never sent to the server (the token identifies the worker there).
    pub id: Uuid,
    pub token: Option<String>,
    /// Hex HMAC key for person codes, fetched from the server with the token.
    #[serde(default)]
    pub person_code_key: Option<String>,
    /// Whether the token is a coordinator's (shows the team report).
    #[serde(default)]
    pub coordinator: bool,
}

impl Profile {
    /// The IndexedDB database holding this profile's records.
    pub fn database_name(&self) -> String {
        format!("carnet-{}", self.id)
    }

    /// The `localStorage` key of this profile's shortcuts.
    pub fn presets_key(&self) -> String {
        format!("carnet.presets.{}", self.id)
    }
}

/// The device's current profile, created on first launch.
pub fn load_or_create() -> Profile {
    local_store::get::<Profile>(CURRENT_KEY).unwrap_or_else(|| {
        let profile = Profile {
            id: crate::platform::random_uuid(),
            token: None,
            person_code_key: None,
            coordinator: false,
        };
        save(&profile);
        profile
    })
}

/// Persists the profile; returns false when the browser refuses (private mode, quota).
pub fn save(profile: &Profile) -> bool {
    local_store::set(CURRENT_KEY, profile)
}
