//! The profiles of this device: one per worker who uses it, each with its own IndexedDB
//! database and its own vault (PIN), so two workers sharing a phone never see or sync each
//! other's records. The sync token and the person-code key are stored sealed.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::local_store;
use crate::vault::VaultHeader;

const PROFILES_KEY: &str = "carnet.profiles";
/// Where the walking skeleton kept its single profile; read once and moved.
const LEGACY_KEY: &str = "carnet.profile";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    /// Local only; never sent to the server (the token identifies the worker there).
    pub id: Uuid,
    /// Set once the worker chose a PIN.
    #[serde(default)]
    pub vault: Option<VaultHeader>,
    #[serde(default)]
    pub sealed_token: Option<String>,
    #[serde(default)]
    pub sealed_person_code_key: Option<String>,
    /// Whether the token is a coordinator's (shows the team report).
    #[serde(default)]
    pub coordinator: bool,
    /// Plain values from before encryption existed; sealed and cleared at vault set-up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person_code_key: Option<String>,
}

impl Profile {
    /// A new profile with a fresh random id (not `Default`: each call is a new one).
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        Profile {
            id: crate::platform::random_uuid(),
            vault: None,
            sealed_token: None,
            sealed_person_code_key: None,
            coordinator: false,
            token: None,
            person_code_key: None,
        }
    }

    /// The IndexedDB database holding this profile's records.
    pub fn database_name(&self) -> String {
        format!("carnet-{}", self.id)
    }

    /// The `localStorage` key of this profile's shortcuts.
    pub fn presets_key(&self) -> String {
        format!("carnet.presets.{}", self.id)
    }
}

/// Every profile of the device (the walking skeleton's single one moved in).
pub fn load_all() -> Vec<Profile> {
    if let Some(list) = local_store::get::<Vec<Profile>>(PROFILES_KEY) {
        return list;
    }
    let list: Vec<Profile> = local_store::get::<Profile>(LEGACY_KEY)
        .into_iter()
        .collect();
    if !list.is_empty() && local_store::set(PROFILES_KEY, &list) {
        local_store::remove(LEGACY_KEY);
    }
    list
}

/// Saves (adds or replaces) a profile; false when the browser refuses.
pub fn save(profile: &Profile) -> bool {
    let mut list = load_all();
    match list.iter_mut().find(|p| p.id == profile.id) {
        Some(slot) => *slot = profile.clone(),
        None => list.push(profile.clone()),
    }
    local_store::set(PROFILES_KEY, &list)
}
