//! What a crash leaves on screen. The release build stops at a panic without a message
//! (`-Cpanic=immediate-abort`, `scripts/build.sh`: 8 kB less for a phone to download, and
//! no console a worker could read anyway): the module traps, and the browser raises a
//! `WebAssembly.RuntimeError` where the app was called from (an event, a timer, a
//! promise's job). Nothing of the app can draw after that, so `crash.js` covers the page
//! with plain DOM, in the page's language (`<html lang>`), makes what is behind inert, and
//! its one button reloads: a record is in IndexedDB before « Enregistré » shows, so
//! starting again loses none. Other errors (a script's own) are not a crash of Carnet.
//!
//! The start-up module watches for the whole page: the app's module it hands over to runs
//! in the same page. The coordinator's app watches for its own.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/crash.js")]
extern "C" {
    /// From then on, a `WebAssembly.RuntimeError` raised anywhere in the page shows the
    /// crash screen (one: a second trap finds it there).
    #[wasm_bindgen(js_name = watch_crashes)]
    pub fn watch();
}
