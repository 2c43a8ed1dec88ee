//! Carnet, the outreach workers' contact log: a Leptos client-side-rendered PWA.
//!
//! See ARCHITECTURE.md for the map. Entry point: mount the app, register the service
//! worker that keeps the app shell available offline.

mod actions;
mod api;
mod app;
mod i18n;
mod local_store;
mod platform;
mod prefs;
mod presets;
mod profile;
mod service_worker;
mod session;
mod storage;
mod sync;
mod taxonomy_cache;
mod ui;
mod vault;

fn main() {
    log_panics_to_console();
    service_worker::register();
    leptos::mount::mount_to_body(app::App);
}

/// Logs panics to the console (the release profile aborts on panic, so this is the only
/// trace a worker's bug report can carry).
fn log_panics_to_console() {
    std::panic::set_hook(Box::new(|info| {
        web_sys::console::error_1(&info.to_string().into());
    }));
}
