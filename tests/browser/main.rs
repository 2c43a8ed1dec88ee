//! The app crate's own tests, in headless Chromium: storage, vault, codec, session, backup
//! and what a build does with storage a newer build wrote (`format`), against the
//! browser's real IndexedDB, WebCrypto, localStorage and Web Locks;
//! the records in memory (`book`); and the coordinator's app's pure helpers (periods,
//! refusals in words, table titles).
//!
//! ```sh
//! cargo test --target wasm32-unknown-unknown -p carnet --test browser
//! ```
//! (runner and browser flags: `.cargo/config.toml`, `webdriver.json`, `scripts/test.sh`).
//! One browser page runs every test, one at a time: IndexedDB and localStorage persist
//! across tests, so each test uses its own profile (its own database) and clears the
//! localStorage keys it touches. The vault's data key is process-wide: each test that
//! needs one creates it first.

#![cfg(target_arch = "wasm32")]

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod backup;
mod book;
mod codec;
mod coordination;
mod format;
mod session;
mod storage;
mod support;
mod vault;
