//! The format of what the app stores on the device, and what a build does with storage
//! that a newer build wrote (a phone rolled back to an older release).
//!
//! `localStorage["carnet.format"]` holds the highest [`FORMAT`] of any build that wrote
//! on this device, as a JSON number; absent means 1. A build that finds a higher number,
//! or one it cannot read, opens no profile and writes nothing (`local_store::set`
//! refuses): the lock screen says why, and the newer build finds everything as it left
//! it. How a format changes without stranding a phone: ARCHITECTURE.md, « Formats across
//! releases ».

/// The device format this build reads and writes: the profiles and their vaults, every
/// value in `localStorage`, and the values in each profile's IndexedDB database. Raised,
/// and written before the first value in the new format, by a build whose values an older
/// build must not read or rewrite; a field added with a serde default leaves it as it is.
pub const FORMAT: u32 = 1;

const KEY: &str = "carnet.format";

/// Whether a newer build wrote this device's storage (or the format key is unreadable,
/// which this build does not guess about).
pub fn newer_on_device() -> bool {
    web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .and_then(|s| s.get_item(KEY).ok().flatten())
        .is_some_and(|v| !matches!(v.trim().parse::<u32>(), Ok(n) if n <= FORMAT))
}
