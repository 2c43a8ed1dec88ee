//! The unlocked key and the profile, passed from the start-up module (`boot`) to the app's
//! module (`app`) in memory: one global object that `loader.js` sets before starting the
//! app's module, and that the app's module reads and deletes at once. Both ends of that
//! object are here, so that its fields are named in one place and neither module depends
//! on the other.

use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

use crate::profile::Profile;
use crate::session;
use crate::state::Ctx;
use crate::vault;

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

impl Handoff {
    /// The object `loader.js` hands over; `None` if the profile cannot be written down.
    pub fn to_js(&self) -> Option<JsValue> {
        let object = js_sys::Object::new();
        let profile = serde_json::to_string(&self.profile).ok()?;
        let fields: [(&str, JsValue); 5] = [
            ("key", self.key.clone().into()),
            ("profile", profile.into()),
            ("setUp", self.set_up.into()),
            (
                "pairing",
                self.pairing_hint
                    .as_deref()
                    .map_or(JsValue::UNDEFINED, JsValue::from),
            ),
            ("updateReady", self.update_ready.into()),
        ];
        for (name, value) in fields {
            js_sys::Reflect::set(&object, &name.into(), &value).ok()?;
        }
        Some(object.into())
    }
}

/// The hand-off of the start-up module, if this module was started by it. Read once: the
/// global is deleted at once, so the key is held by this module's vault only.
pub fn take() -> Option<Handoff> {
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
pub async fn open(ctx: Ctx, handoff: Handoff) {
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
