//! Registers `/sw.js`, which caches the app shell so Carnet opens with no network.

use wasm_bindgen_futures::JsFuture;

/// Fire-and-forget: the app works without a service worker, only not offline after reload.
pub fn register() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let container = window.navigator().service_worker();
    // An absolute path: a relative one would scope the worker to a deep link's folder.
    let promise = container.register("/sw.js");
    wasm_bindgen_futures::spawn_local(async move {
        if let Err(err) = JsFuture::from(promise).await {
            web_sys::console::warn_2(&"carnet: service worker not registered".into(), &err);
        }
    });
}
