//! Keeping the device's storage: persistent storage (the browser may not evict the origin
//! under pressure, which would take every unsynced record and the PIN vault with it), and
//! how much is used of the quota.
//!
//! ```ignore
//! storage_guard::request_persistence().await;      // at PIN set-up
//! let usage = storage_guard::usage().await;        // « Réglages »
//! ```

use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

fn manager() -> Option<web_sys::StorageManager> {
    let navigator = web_sys::window()?.navigator();
    // Absent in insecure contexts and old browsers.
    js_sys::Reflect::get(&navigator, &"storage".into())
        .ok()
        .filter(|v| !v.is_undefined())?;
    Some(navigator.storage())
}

async fn bool_of(promise: Result<js_sys::Promise, JsValue>) -> Option<bool> {
    JsFuture::from(promise.ok()?).await.ok()?.as_bool()
}

/// Asks the browser to keep this origin's storage; whether it agreed.
pub async fn request_persistence() -> bool {
    match manager() {
        Some(m) => bool_of(m.persist()).await.unwrap_or(false),
        None => false,
    }
}

/// Whether the storage is persistent.
pub async fn is_persistent() -> Option<bool> {
    bool_of(manager()?.persisted()).await
}

/// Bytes used and the quota, as the browser estimates them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Usage {
    pub used: f64,
    pub quota: f64,
}

impl Usage {
    /// Above this share of the quota the worker is warned.
    pub const WARN_RATIO: f64 = 0.8;

    pub fn near_quota(&self) -> bool {
        self.quota > 0.0 && self.used / self.quota >= Self::WARN_RATIO
    }
}

pub async fn usage() -> Option<Usage> {
    let estimate = JsFuture::from(manager()?.estimate().ok()?).await.ok()?;
    let number = |name: &str| {
        js_sys::Reflect::get(&estimate, &name.into())
            .ok()
            .and_then(|v| v.as_f64())
    };
    Some(Usage {
        used: number("usage")?,
        quota: number("quota")?,
    })
}

/// "1,2 Mo" / "1.2 MB" (integer arithmetic: float formatting would weigh on the download).
pub fn megabytes(bytes: f64, french: bool) -> String {
    let tenths = (bytes.max(0.0) / 100_000.0).round() as u64;
    let (whole, tenth) = (tenths / 10, tenths % 10);
    if french {
        format!("{whole},{tenth} Mo")
    } else {
        format!("{whole}.{tenth} MB")
    }
}
