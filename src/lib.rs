//! Carnet, the outreach workers' contact log: a Leptos client-side-rendered PWA.
//!
//! See ARCHITECTURE.md for the map. The modules are public so that the wasm tests in
//! `tests/` (headless Chromium) can drive the storage, vault and session code directly.

pub mod actions;
pub mod api;
mod app;
pub mod backup;
pub mod bench;
pub mod book;
pub mod boot;
pub mod broadcast;
pub mod coordination;
mod crash;
pub mod draft;
pub mod figures_cache;
pub mod format;
pub mod handoff;
pub mod i18n;
pub mod local_store;
pub mod locks;
pub mod platform;
pub mod prefs;
pub mod presets;
pub mod profile;
pub mod retention;
mod service_worker;
pub mod session;
pub mod startup;
pub mod state;
pub mod storage;
pub mod storage_guard;
pub mod sync;
pub mod taxonomy_cache;
mod ui;
pub mod vault;

/// Mounts the coordinator's app (`/coordination/`). No service worker of its own: it is
/// used online, and the phone app's worker leaves `/coordination/` to the network.
pub fn start_coordination() {
    crash::watch();
    leptos::mount::mount_to_body(coordination::App);
}

pub use boot::start_boot;

/// Mounts the whole app (`dist/app/`, started by the start-up module once a PIN is
/// checked, see `boot`) and registers the service worker that keeps the app offline.
/// The start-up module's crash watch (`crash`) covers it: both run in one page.
pub fn start() {
    service_worker::register();
    ui::desk::link_stylesheet();
    ui::desk::fit_installed_window();
    leptos::mount::mount_to_body(app::App);
}
