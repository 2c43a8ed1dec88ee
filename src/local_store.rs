//! Small JSON values in `localStorage`: preferences, shortcuts, the cached taxonomy, the
//! profile. Nothing about a person met goes here; records live in IndexedDB.

use serde::Serialize;
use serde::de::DeserializeOwned;

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// Reads and decodes a value; `None` if absent, unreadable or of another shape.
pub fn get<T: DeserializeOwned>(key: &str) -> Option<T> {
    let json = storage()?.get_item(key).ok()??;
    serde_json::from_str(&json).ok()
}

/// Stores a value; false when the browser refuses (private mode, quota).
pub fn set<T: Serialize>(key: &str, value: &T) -> bool {
    let Ok(json) = serde_json::to_string(value) else {
        return false;
    };
    storage().is_some_and(|s| s.set_item(key, &json).is_ok())
}

/// Removes a value (best effort).
pub fn remove(key: &str) {
    if let Some(s) = storage() {
        let _ = s.remove_item(key);
    }
}
