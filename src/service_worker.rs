//! Registers `/sw.js`, which caches the app shell so Carnet opens with no network, and
//! watches for a new version of it.
//!
//! A new version waits (`public/sw.js` never skips waiting on install): the open page keeps
//! running, and [`update_ready`] turns true so the page can offer « recharger » without
//! interrupting a form. [`apply_update`] asks the waiting worker to take over and reloads
//! once it has. See ARCHITECTURE.md, "Updates".

use std::cell::Cell;

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use wasm_bindgen_futures::{JsFuture, spawn_local};
use web_sys::{ServiceWorkerContainer, ServiceWorkerRegistration, ServiceWorkerState};

/// How often an open app asks the server for a new `sw.js`. The browser checks by itself
/// only on navigation, and the app may stay open for a whole shift.
const CHECK_EVERY: std::time::Duration = std::time::Duration::from_secs(30 * 60);

thread_local! {
    /// Created in [`register`], before the app mounts: owned by no component, so it lives
    /// as long as the page.
    static UPDATE_READY: RwSignal<bool> = RwSignal::new(false);
    /// The page asked for the new version: reload when it takes control.
    static ASKED: Cell<bool> = const { Cell::new(false) };
    /// A worker controlled the page before the latest `controllerchange`.
    static CONTROLLED: Cell<bool> = const { Cell::new(false) };
}

/// True once a new version is installed and waiting, or took over from another tab.
pub fn update_ready() -> Signal<bool> {
    UPDATE_READY.with(|ready| (*ready).into())
}

/// Carries the prompt over from the start-up module (`boot`), which saw the new version
/// before the app's module was running: a worker of the new version that already took
/// over from another tab would never tell this module.
pub fn carry_update_ready() {
    UPDATE_READY.with(|ready| ready.set(true));
}

/// Fire-and-forget: the app works without a service worker, only not offline after reload.
pub fn register() {
    let Some(container) = container() else {
        return;
    };
    UPDATE_READY.with(|_| ());
    CONTROLLED.set(container.controller().is_some());
    let on_change = Closure::<dyn Fn()>::new(on_controller_change);
    container.set_oncontrollerchange(Some(on_change.as_ref().unchecked_ref()));
    on_change.forget();
    // An absolute path: a relative one would scope the worker to a deep link's folder.
    let promise = container.register("/sw.js");
    spawn_local(async move {
        match JsFuture::from(promise).await {
            Ok(registration) => watch(registration.unchecked_into()),
            Err(err) => {
                web_sys::console::warn_2(&"carnet: service worker not registered".into(), &err)
            }
        }
    });
}

/// The « recharger » button: the waiting worker takes over, then the page reloads on
/// `controllerchange`. With no worker waiting (another tab already switched), the page
/// tells the active worker it leaves the old version (which may free its cache) and reloads.
pub fn apply_update() {
    ASKED.set(true);
    let Some(container) = container() else {
        reload();
        return;
    };
    spawn_local(async move {
        let waiting = JsFuture::from(container.get_registration())
            .await
            .ok()
            .and_then(|r| r.dyn_into::<ServiceWorkerRegistration>().ok())
            .and_then(|r| r.waiting());
        if let Some(worker) = waiting
            && worker.post_message(&"skip-waiting".into()).is_ok()
        {
            return;
        }
        if let Some(active) = container.controller() {
            let _ = active.post_message(&"leaving".into());
        }
        reload();
    });
}

fn container() -> Option<ServiceWorkerContainer> {
    let window = web_sys::window()?;
    // Absent outside a secure context (plain HTTP on a LAN address).
    js_sys::Reflect::has(&window.navigator(), &"serviceWorker".into())
        .ok()?
        .then(|| window.navigator().service_worker())
}

fn on_controller_change() {
    if ASKED.get() {
        reload();
    } else if CONTROLLED.get() {
        // Another tab switched to the new version; this page still runs the old one.
        UPDATE_READY.with(|ready| ready.set(true));
    }
    // The very first install takes control of the page it was installed from: no prompt.
    CONTROLLED.set(true);
}

/// Notices a version waiting now or later, and asks the server for one now and then.
fn watch(registration: ServiceWorkerRegistration) {
    let controlled = || container().is_some_and(|c| c.controller().is_some());
    if registration.waiting().is_some() && controlled() {
        UPDATE_READY.with(|ready| ready.set(true));
    }
    let found = registration.clone();
    let on_found = Closure::<dyn Fn()>::new(move || {
        let Some(worker) = found.installing() else {
            return;
        };
        let installing = worker.clone();
        let on_state = Closure::<dyn Fn()>::new(move || {
            // Installed while a worker controls the page: a new version, not the first one.
            if installing.state() == ServiceWorkerState::Installed && controlled() {
                UPDATE_READY.with(|ready| ready.set(true));
            }
        });
        worker.set_onstatechange(Some(on_state.as_ref().unchecked_ref()));
        on_state.forget();
    });
    registration.set_onupdatefound(Some(on_found.as_ref().unchecked_ref()));
    on_found.forget();

    let check = move || {
        let promise = registration.update();
        // Offline or server down: try again at the next occasion.
        spawn_local(async move {
            if let Ok(promise) = promise {
                let _ = JsFuture::from(promise).await;
            }
        });
    };
    let on_online = check.clone();
    let _ = window_event_listener(leptos::ev::online, move |_| on_online());
    let on_visible = check.clone();
    let _ = window_event_listener(leptos::ev::visibilitychange, move |_| {
        let visible = web_sys::window()
            .and_then(|w| w.document())
            .is_some_and(|d| d.visibility_state() == web_sys::VisibilityState::Visible);
        if visible {
            on_visible();
        }
    });
    let _ = set_interval_with_handle(check, CHECK_EVERY);
}

fn reload() {
    if let Some(window) = web_sys::window() {
        let _ = window.location().reload();
    }
}
