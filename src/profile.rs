//! The profiles of this device: one per worker who uses it, each with its own IndexedDB
//! database and its own vault (PIN), so two workers sharing a phone never see or sync each
//! other's records. The sync token and the person-code key are stored sealed.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::local_store;
use crate::vault::VaultHeader;

const PROFILES_KEY: &str = "carnet.profiles";
/// The single profile older versions of the app stored: a phone may still hold it, so it
/// is read once and moved into the list.
const LEGACY_KEY: &str = "carnet.profile";

/// Read by hand (its [`carnet_core::names::Fields`]) instead of by serde's derive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
    /// A neutral name the worker chose, to pick this profile on a shared phone's lock
    /// screen (never about a person met). Empty on a profile stored by an older version.
    #[serde(default)]
    pub label: String,
    /// Wrong PINs in a row against this profile, and when the next try is allowed. Kept
    /// with the vault it protects: clearing it means clearing the profile itself.
    #[serde(default)]
    pub lockout: Lockout,
    /// Days synced records stay on the phone (the organisation's setting, from the server).
    #[serde(default = "default_retention_days")]
    pub retention_days: u32,
    /// Records dated up to this day may have been removed from the phone (retention):
    /// figures that reach back this far come from the server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pruned_through: Option<chrono::NaiveDate>,
    /// Plain values from before encryption existed; sealed and cleared at vault set-up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person_code_key: Option<String>,
}

/// [`Profile`]'s fields, in the order they are declared.
const PROFILE_FIELDS: &[&str] = &[
    "id",
    "vault",
    "sealed_token",
    "sealed_person_code_key",
    "coordinator",
    "label",
    "lockout",
    "retention_days",
    "pruned_through",
    "token",
    "person_code_key",
];

/// Read by hand as serde's derived reader reads it from a JSON object (the same profiles
/// accepted, the same words for a refused one: [`carnet_core::names::read_struct`]), in a
/// fraction of its wasm (4.6 kB raw). Only `id` is required.
impl<'de> Deserialize<'de> for Profile {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        carnet_core::names::read_struct(d)
    }
}

impl carnet_core::names::Fields for Profile {
    const EXPECTING: &'static str = "struct Profile";
    const NAMES: &'static [&'static str] = PROFILE_FIELDS;
    /// Only `id` is required.
    const OPTIONAL: u64 = !1;
    const DENY_UNKNOWN: bool = false;

    fn empty() -> Self {
        Profile::with_id(Uuid::nil())
    }

    fn read_field<'de, A: serde::de::MapAccess<'de>>(
        &mut self,
        at: usize,
        map: &mut A,
    ) -> Result<(), A::Error> {
        let p = self;
        match at {
            0 => p.id = map.next_value()?,
            1 => p.vault = map.next_value()?,
            2 => p.sealed_token = map.next_value()?,
            3 => p.sealed_person_code_key = map.next_value()?,
            4 => p.coordinator = map.next_value()?,
            5 => p.label = map.next_value()?,
            6 => p.lockout = map.next_value()?,
            7 => p.retention_days = map.next_value()?,
            8 => p.pruned_through = map.next_value_seed(PrunedThrough)?,
            9 => p.token = map.next_value()?,
            _ => p.person_code_key = map.next_value()?,
        }
        Ok(())
    }
}

/// `pruned_through`, read by [`carnet_core::time::optional_date`].
struct PrunedThrough;

impl<'de> serde::de::DeserializeSeed<'de> for PrunedThrough {
    type Value = Option<chrono::NaiveDate>;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        carnet_core::time::optional_date(d)
    }
}

/// Wrong PINs in a row and when the next try is allowed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Lockout {
    pub count: u32,
    pub until_ms: f64,
}

impl Eq for Lockout {}

/// Until the server says otherwise: 45 days.
pub fn default_retention_days() -> u32 {
    45
}

impl Profile {
    /// A new profile with a fresh random id (not `Default`: each call is a new one).
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        Self::with_id(crate::platform::random_uuid())
    }

    /// A profile with nothing set but its id: what a stored one holds for each field it
    /// leaves out.
    fn with_id(id: Uuid) -> Self {
        Profile {
            id,
            vault: None,
            sealed_token: None,
            sealed_person_code_key: None,
            coordinator: false,
            label: String::new(),
            lockout: Lockout::default(),
            retention_days: default_retention_days(),
            pruned_through: None,
            token: None,
            person_code_key: None,
        }
    }

    /// The IndexedDB database holding this profile's records.
    pub fn database_name(&self) -> String {
        format!("carnet-{}", self.id)
    }

    /// The label shown on the lock screen: the chosen one, else "1", "2", … by position.
    pub fn display_label(&self, position: usize) -> String {
        if self.label.trim().is_empty() {
            format!("{}", position + 1)
        } else {
            self.label.clone()
        }
    }

    /// The `localStorage` key of this profile's shortcuts.
    pub fn presets_key(&self) -> String {
        format!("carnet.presets.{}", self.id)
    }
}

/// Every profile of the device (an older version's single profile moved in); none when
/// the stored list cannot be read, which is then left as it is.
pub fn load_all() -> Vec<Profile> {
    if let Some(list) = local_store::get::<Vec<Profile>>(PROFILES_KEY) {
        return list;
    }
    if local_store::holds(PROFILES_KEY) {
        return Vec::new();
    }
    let list: Vec<Profile> = local_store::get::<Profile>(LEGACY_KEY)
        .into_iter()
        .collect();
    if !list.is_empty() && local_store::set(PROFILES_KEY, &list) {
        local_store::remove(LEGACY_KEY);
    }
    list
}

/// Saves (adds or replaces) a profile; false when the browser refuses, or when the stored
/// list cannot be read (damaged, or in a newer build's shape): it is never replaced.
pub fn save(profile: &Profile) -> bool {
    let mut list = match local_store::get::<Vec<Profile>>(PROFILES_KEY) {
        Some(list) => list,
        None if local_store::holds(PROFILES_KEY) => return false,
        None => load_all(),
    };
    match list.iter_mut().find(|p| p.id == profile.id) {
        Some(slot) => *slot = profile.clone(),
        None => list.push(profile.clone()),
    }
    local_store::set(PROFILES_KEY, &list)
}

/// Profiles that have a PIN, in the order they were made.
pub fn with_vault() -> Vec<Profile> {
    load_all()
        .into_iter()
        .filter(|p| p.vault.is_some())
        .collect()
}

const LAST_KEY: &str = "carnet.last_profile";

/// Remembers which profile was opened last (the lock screen offers it first).
pub fn remember_last(id: Uuid) {
    crate::local_store::set(LAST_KEY, &id);
}

/// The profile opened last, if it still exists.
pub fn last_opened() -> Option<Profile> {
    let id: Uuid = crate::local_store::get(LAST_KEY)?;
    with_vault().into_iter().find(|p| p.id == id)
}
