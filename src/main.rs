//! Carnet, the outreach workers' contact log: a Leptos client-side-rendered PWA.
//!
//! See ARCHITECTURE.md for the map. Entry point: mount the app, register the service
//! worker that keeps the app shell available offline.

mod api;
mod app;
mod platform;
mod profile;
mod service_worker;
mod storage;
mod sync;
mod text;
mod ui;

fn main() {
    console_error_panic_hook_lite();
    service_worker::register();
    leptos::mount::mount_to_body(app::App);
}

/// Logs panics to the console (the release profile aborts on panic, so this is the only
/// trace a worker's bug report can carry).
fn console_error_panic_hook_lite() {
    std::panic::set_hook(Box::new(|info| {
        web_sys::console::error_1(&info.to_string().into());
    }));
}
