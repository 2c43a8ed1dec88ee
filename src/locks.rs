//! Web Locks (`navigator.locks`): one writer per profile across tabs and windows.
//!
//! Two tabs of the same profile (or the installed app and a browser tab) would otherwise
//! read a row, await WebCrypto, and write it back over each other. Every read-modify-write
//! of a profile's rows runs under [`rows`]; a sync run holds [`sync`] for its whole length
//! so that only one window sends a profile's queue at a time. Where the browser has no Web
//! Locks the work runs as is (one tab is then the only guarantee).
//!
//! ```ignore
//! let saved = locks::with_lock(&locks::rows(profile_id), async { store.write(..).await }).await;
//! ```

use std::future::Future;

use futures_channel::oneshot;
use js_sys::{Function, Object, Reflect};
use uuid::Uuid;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// The lock over a profile's rows (short: one read-modify-write).
pub fn rows(profile: Uuid) -> String {
    format!("carnet-rows-{profile}")
}

/// The lock a sync run of a profile holds from start to end.
pub fn sync(profile: Uuid) -> String {
    format!("carnet-sync-{profile}")
}

fn lock_manager() -> Option<(JsValue, Function)> {
    let navigator = web_sys::window()?.navigator();
    let locks = Reflect::get(&navigator, &"locks".into()).ok()?;
    if locks.is_undefined() || locks.is_null() {
        return None;
    }
    let request = Reflect::get(&locks, &"request".into())
        .ok()?
        .dyn_into::<Function>()
        .ok()?;
    Some((locks, request))
}

/// Runs `work` holding the lock `name`, waiting for it if another holder has it.
pub async fn with_lock<T>(name: &str, work: impl Future<Output = T>) -> T {
    match acquire(name, false).await {
        Acquired::Held(release) => {
            let out = work.await;
            release.release().await;
            out
        }
        Acquired::Unsupported | Acquired::Busy => work.await,
    }
}

/// Runs `work` holding the lock `name` if nobody holds it; `None` when someone does.
pub async fn if_available<T>(name: &str, work: impl Future<Output = T>) -> Option<T> {
    match acquire(name, true).await {
        Acquired::Held(release) => {
            let out = work.await;
            release.release().await;
            Some(out)
        }
        Acquired::Unsupported => Some(work.await),
        Acquired::Busy => None,
    }
}

enum Acquired {
    Held(Release),
    Busy,
    Unsupported,
}

/// A held lock: released when `release` is awaited (the browser frees it when the promise
/// our callback returned settles).
struct Release {
    signal: oneshot::Sender<()>,
    request: js_sys::Promise,
}

impl Release {
    async fn release(self) {
        drop(self.signal);
        let _ = JsFuture::from(self.request).await;
    }
}

async fn acquire(name: &str, if_available: bool) -> Acquired {
    let Some((locks, request)) = lock_manager() else {
        return Acquired::Unsupported;
    };
    let (granted_tx, granted_rx) = oneshot::channel::<bool>();
    let (release_tx, release_rx) = oneshot::channel::<()>();
    let callback = Closure::once_into_js(move |lock: JsValue| -> JsValue {
        let held = !lock.is_null() && !lock.is_undefined();
        let _ = granted_tx.send(held);
        if !held {
            return JsValue::UNDEFINED;
        }
        wasm_bindgen_futures::future_to_promise(async move {
            // Resolves when the holder drops the sender: the lock is then released.
            let _ = release_rx.await;
            Ok(JsValue::UNDEFINED)
        })
        .into()
    });
    let options = Object::new();
    if if_available {
        let _ = Reflect::set(&options, &"ifAvailable".into(), &JsValue::TRUE);
    }
    let promise = match request.call3(&locks, &JsValue::from_str(name), &options, &callback) {
        Ok(p) => match p.dyn_into::<js_sys::Promise>() {
            Ok(p) => p,
            Err(_) => return Acquired::Unsupported,
        },
        Err(_) => return Acquired::Unsupported,
    };
    match granted_rx.await {
        Ok(true) => Acquired::Held(Release {
            signal: release_tx,
            request: promise,
        }),
        Ok(false) => Acquired::Busy,
        // The request failed before granting (no secure context, say).
        Err(_) => Acquired::Unsupported,
    }
}
