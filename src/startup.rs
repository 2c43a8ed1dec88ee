//! What every entry point sets up before its first screen — the start-up module's lock
//! screen (`boot`), the phone app (`app`) and the coordinator's app (`coordination`): the
//! locked context with the device's preferences applied, the pairing code of a scanned
//! link, the idle lock, the organisation's lists asked for again, and the lock screen that
//! opens the profile in place. Kept apart from the apps so that none of them depends on
//! another.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::session;
use crate::state::{Ctx, Screen};
use crate::taxonomy_cache;
use crate::ui::lock::Opener;
use crate::{platform, prefs};

/// The lock screen of the whole app (and of the coordinator's): it opens the profile itself.
pub const OPENER: Opener = Opener {
    unlock: |ctx, pin| Box::pin(async move { session::unlock(ctx, &pin).await }),
    set_up: |ctx, pin, label| Box::pin(async move { session::set_up(ctx, &pin, &label).await }),
};

/// A locked context provided to every component, with the device's preferences applied:
/// all the start-up module needs (`boot`).
pub fn locked_ctx(
    screen: Screen,
    pairing_hint: Option<String>,
    taxonomy: carnet_core::Taxonomy,
) -> Ctx {
    let device_prefs = prefs::load();
    prefs::apply(device_prefs);
    let ctx = Ctx {
        open: RwSignal::new(None),
        lock_profile: RwSignal::new(session::initial_profile()),
        taxonomy: RwSignal::new(taxonomy),
        prefs: RwSignal::new(device_prefs),
        prefill: RwSignal::new(None),
        screen: RwSignal::new(screen),
        flash: RwSignal::new(None),
        pairing_hint: RwSignal::new(pairing_hint),
        day: RwSignal::new(platform::today()),
    };
    provide_context(ctx);
    ctx
}

/// What both apps (the phone's and the coordinator's) start with: a locked context, the
/// idle lock armed and the organisation's lists asked for again.
pub fn start(screen: Screen, pairing_hint: Option<String>) -> Ctx {
    let ctx = locked_ctx(screen, pairing_hint, taxonomy_cache::load());
    auto_lock(ctx);
    spawn_local(async move {
        taxonomy_cache::refresh(ctx.taxonomy).await;
    });
    ctx
}

/// Whether a modal dialog (the keyboard's help) is open: it has the keyboard, and the
/// browser closes it on Escape.
pub fn dialog_open() -> bool {
    document()
        .query_selector("dialog[open]")
        .ok()
        .flatten()
        .is_some()
}

/// Locks on Escape (unless it closes a dialog), after the chosen minutes without a tap, and
/// when the app was hidden for longer than a short grace period (the phone went back in a
/// pocket, or was handed over).
fn auto_lock(ctx: Ctx) {
    const HIDDEN_GRACE_MS: f64 = 30.0 * 1000.0;
    let last_activity = StoredValue::new(js_sys::Date::now());
    let hidden_since = StoredValue::new(None::<f64>);
    let touch = move || last_activity.set_value(js_sys::Date::now());
    let unlocked = move || ctx.open.with_untracked(Option::is_some);
    let _ = window_event_listener(leptos::ev::keydown, move |ev| {
        touch();
        // An open dialog (the keyboard help) takes this Escape to close itself.
        if ev.key() == "Escape" && unlocked() && !dialog_open() {
            session::lock(ctx);
        }
    });
    let _ = window_event_listener(leptos::ev::pointerdown, move |_| touch());
    let _ = window_event_listener(leptos::ev::visibilitychange, move |_| {
        let hidden = web_sys::window()
            .and_then(|w| w.document())
            .is_some_and(|d| d.visibility_state() == web_sys::VisibilityState::Hidden);
        if hidden {
            hidden_since.set_value(Some(js_sys::Date::now()));
        } else if let Some(since) = hidden_since.get_value() {
            hidden_since.set_value(None);
            if js_sys::Date::now() - since > HIDDEN_GRACE_MS && unlocked() {
                session::lock(ctx);
            }
        }
    });
    let _ = set_interval_with_handle(
        move || {
            let idle_ms = f64::from(ctx.prefs.with_untracked(|p| p.lock_after_minutes)) * 60_000.0;
            if unlocked() && js_sys::Date::now() - last_activity.get_value() > idle_ms {
                session::lock(ctx);
            }
        },
        std::time::Duration::from_secs(15),
    );
}

/// Reads `#pair=CODE` from a scanned QR link, then removes it from the address bar and
/// the history so the code is not left behind.
pub fn take_pairing_hint() -> Option<String> {
    let window = web_sys::window()?;
    let hash = window.location().hash().ok()?;
    let code = hash.strip_prefix("#pair=")?.to_owned();
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some("/"));
    }
    (!code.is_empty()).then_some(code)
}
