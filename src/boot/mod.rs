//! The start-up module: what a phone downloads first and runs at every start. It holds the
//! lock screen and the vault, nothing else: a cheap phone on 3G shows the PIN field after
//! about a third of the app's bytes (BENCHMARKS.md).
//!
//! Two binaries of this one library: `carnet` (`src/main.rs`, `index.html`) starts here;
//! `carnet-app` (`src/bin/app.rs`, `app/index.html`, built into `dist/app/`) is the whole
//! app. While the PIN is typed, [`start_boot`] fetches and compiles the app's module in
//! the background (`loader.js`); the service worker precaches both, so the app works
//! offline as one. Once the PIN is checked (or a first PIN set), the unlocked data key —
//! a non-extractable `CryptoKey`, never stored — and the profile go to the app's module
//! in memory through one global it reads and deletes at once (`handoff`); this module
//! forgets the key and leaves the page. The app's module opens the records and, once
//! locked, shows its own lock screen.

use leptos::mount::mount_to;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsValue;
use wasm_bindgen::prelude::*;

use crate::handoff::Handoff;
use crate::profile::Profile;
use crate::session::{self, UnlockError};
use crate::startup::{locked_ctx, take_pairing_hint};
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
    crate::crash::watch();
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
        crate::platform::pause(0).await;
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
    let handoff = Handoff {
        profile,
        set_up,
        key,
        pairing_hint: ctx.pairing_hint.get_untracked(),
        update_ready: service_worker::update_ready().get_untracked(),
    };
    let handoff = handoff.to_js().ok_or(UnlockError::Storage)?;
    if let Err(err) = start_app(handoff).await {
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
