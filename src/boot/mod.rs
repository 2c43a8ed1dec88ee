//! The start-up module: what a phone downloads first and runs at every start. It holds the
//! lock screen and the vault, nothing else: a cheap phone on 3G shows the PIN field after
//! about a third of the app's bytes (issue 12, BENCHMARKS.md).
//!
//! Two binaries of this one library: `carnet` (`src/main.rs`, `index.html`) starts here;
//! `carnet-app` (`src/bin/app.rs`, `app/index.html`, built into `dist/app/`) is the whole
//! app. While the PIN is typed, [`start_boot`] fetches and compiles the app's module in
//! the background (`loader.js`); the service worker precaches both, so the app works
//! offline as one. Once the PIN is checked (or a first PIN set), the unlocked data key —
//! a non-extractable `CryptoKey`, never stored — and the profile go to the app's module
//! in memory through one global it reads and deletes at once ([`take_handoff`]); this
//! module forgets the key and leaves the page. The app's module opens the records
//! ([`open_handed_over`]) and, once locked, shows its own lock screen.

use leptos::mount::mount_to;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

use crate::app::{locked_ctx, take_pairing_hint};
use crate::profile::Profile;
use crate::session::{self, UnlockError};
use crate::state::{Ctx, Screen};
use crate::ui::lock::{LockScreen, Opener, Opening};
use crate::ui::update::UpdateBanner;
use crate::{service_worker, vault};

#[wasm_bindgen(module = "/src/boot/loader.js")]
extern "C" {
    fn prepare_app();
    #[wasm_bindgen(catch)]
    async fn start_app(handoff: JsValue) -> Result<JsValue, JsValue>;
}

/// The global the app's module reads its hand-off from (`loader.js` sets it).
const HANDOFF: &str = "carnetHandoff";

/// What the start-up module hands to the app's module.
pub struct Handoff {
    /// The profile as stored (unlock), or with its new vault header and not yet stored
    /// (a first PIN: the app's module seals and stores it, [`session::finish_set_up`]).
    pub profile: Profile,
    pub set_up: bool,
    pub key: web_sys::CryptoKey,
    pub pairing_hint: Option<String>,
    /// The start-up module was offering a new version (`service_worker`).
    pub update_ready: bool,
}

thread_local! {
    /// Unmounts the lock screen once the app's module runs.
    static MOUNTED: std::cell::RefCell<Option<Box<dyn std::any::Any>>> =
        const { std::cell::RefCell::new(None) };
}

/// The lock screen of the start-up module: it checks the PIN, then hands over.
const OPENER: Opener = Opener {
    unlock: |ctx, pin| -> Opening {
        Box::pin(async move {
            let profile = session::check_pin(ctx, &pin).await?;
            hand_over(ctx, profile, false).await
        })
    },
    set_up: |ctx, pin, label| -> Opening {
        Box::pin(async move {
            let profile = session::create_vault(ctx, &pin, &label).await?;
            hand_over(ctx, profile, true).await
        })
    },
};

/// Mounts the lock screen, registers the service worker, and starts loading the app's
/// module once the screen is up.
pub fn start_boot() {
    crate::log_panics_to_console();
    service_worker::register();
    let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    else {
        return;
    };
    let handle = mount_to(body, Boot);
    MOUNTED.with(|m| *m.borrow_mut() = Some(Box::new(handle)));
    // After the first paint: the PIN field comes first.
    spawn_local(async {
        crate::sync::pause(0).await;
        prepare_app();
    });
}

#[component]
fn Boot() -> impl IntoView {
    let ctx = locked_ctx(
        Screen::Today,
        take_pairing_hint(),
        carnet_core::Taxonomy::empty(),
    );
    view! {
        <UpdateBanner ready=service_worker::update_ready() lang=Signal::derive(move || ctx.lang()) />
        <LockScreen opener=OPENER />
    }
}

/// Gives the unlocked key and `profile` to the app's module and leaves the page to it. If
/// the module cannot start (not downloaded yet, offline), the key is dropped and the
/// worker types the PIN again later: nothing was opened.
async fn hand_over(ctx: Ctx, profile: Profile, set_up: bool) -> Result<(), UnlockError> {
    let Some(key) = vault::take_key() else {
        return Err(UnlockError::Storage);
    };
    let handoff = js_sys::Object::new();
    let profile_json = serde_json::to_string(&profile).map_err(|_| UnlockError::Storage)?;
    let pairing = ctx.pairing_hint.get_untracked();
    let update_ready = service_worker::update_ready().get_untracked();
    let fields: [(&str, JsValue); 5] = [
        ("key", key.into()),
        ("profile", profile_json.into()),
        ("setUp", set_up.into()),
        ("pairing", pairing.map_or(JsValue::UNDEFINED, JsValue::from)),
        ("updateReady", update_ready.into()),
    ];
    for (name, value) in fields {
        js_sys::Reflect::set(&handoff, &name.into(), &value).map_err(|_| UnlockError::Storage)?;
    }
    if let Err(err) = start_app(handoff.into()).await {
        leptos::logging::warn!("carnet: the app's module did not start: {err:?}");
        return Err(UnlockError::NotDownloaded);
    }
    // Once this action has settled: the app's module has mounted its own screen.
    set_timeout(
        || MOUNTED.with(|m| drop(m.borrow_mut().take())),
        std::time::Duration::ZERO,
    );
    Ok(())
}

/// The hand-off of the start-up module, if this module was started by it. Read once: the
/// global is deleted at once, so the key is held by this module's vault only.
pub fn take_handoff() -> Option<Handoff> {
    crate::bench::mark("app:started");
    let window: JsValue = web_sys::window()?.into();
    let value = js_sys::Reflect::get(&window, &HANDOFF.into()).ok()?;
    if value.is_undefined() || value.is_null() {
        return None;
    }
    let _ =
        js_sys::Reflect::delete_property(window.unchecked_ref::<js_sys::Object>(), &HANDOFF.into());
    let field = |name: &str| js_sys::Reflect::get(&value, &name.into()).ok();
    let key = field("key")?.dyn_into::<web_sys::CryptoKey>().ok()?;
    let profile = serde_json::from_str(&field("profile")?.as_string()?).ok()?;
    Some(Handoff {
        profile,
        set_up: field("setUp")?.as_bool().unwrap_or(false),
        key,
        pairing_hint: field("pairing").and_then(|p| p.as_string()),
        update_ready: field("updateReady").and_then(|u| u.as_bool()) == Some(true),
    })
}

/// Opens the profile the start-up module unlocked (or finishes its set-up). On failure the
/// key is dropped and the app's own lock screen shows.
pub async fn open_handed_over(ctx: Ctx, handoff: Handoff) {
    if !handoff.set_up {
        ctx.lock_profile.set(handoff.profile.clone());
    }
    vault::adopt_key(handoff.key);
    let opened = if handoff.set_up {
        session::finish_set_up(ctx, handoff.profile).await
    } else {
        session::open_checked(ctx, handoff.profile).await
    };
    if let Err(err) = opened {
        leptos::logging::warn!("carnet: could not open the profile: {err:?}");
        vault::lock();
    }
}
