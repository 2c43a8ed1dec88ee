//! The app's small values in `localStorage` — preferences, shortcuts, the cached taxonomy,
//! the profiles — through `gloo_storage::LocalStorage`, which stores each as JSON. Nothing
//! about a person met goes here; records live in IndexedDB.
//!
//! Two things are added to gloo: where the browser refuses `localStorage` altogether
//! (storage blocked for the site), gloo throws a JavaScript exception, which would stop the
//! app half-way through whatever it was doing; here that reads as nothing stored, and a
//! write as refused, so the app says the storage is unavailable instead. And on a device
//! whose storage a newer build wrote (`format`), every write is refused: nothing this build
//! does not understand is overwritten.

use gloo_storage::{LocalStorage, Storage};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Whether the browser lets this page use `localStorage` (gloo throws otherwise).
fn usable() -> bool {
    web_sys::window().is_some_and(|w| matches!(w.local_storage(), Ok(Some(_))))
}

/// Reads and decodes a value; `None` if absent, unreadable or of another shape.
pub fn get<T: DeserializeOwned>(key: &str) -> Option<T> {
    usable().then(|| LocalStorage::get(key).ok()).flatten()
}

/// The JSON text stored under `key`, as it is; `None` if absent.
pub fn get_text(key: &str) -> Option<String> {
    usable()
        .then(|| LocalStorage::raw().get_item(key).ok().flatten())
        .flatten()
}

/// Stores a value; false when the browser refuses (private mode, quota) or a newer build
/// owns the device's storage.
pub fn set<T: Serialize>(key: &str, value: &T) -> bool {
    usable() && !crate::format::newer_on_device() && LocalStorage::set(key, value).is_ok()
}

/// Whether a value is stored under `key`, readable or not.
pub fn holds(key: &str) -> bool {
    usable() && LocalStorage::raw().get_item(key).ok().flatten().is_some()
}

/// Removes a value (best effort; never on a device a newer build owns).
pub fn remove(key: &str) {
    if usable() && !crate::format::newer_on_device() {
        LocalStorage::delete(key);
    }
}
