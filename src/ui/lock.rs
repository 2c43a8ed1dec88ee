//! The lock screen: neutral (nothing says what the app is for), a PIN and nothing else.
//! On a shared phone each worker picks their own profile by its neutral label, and a PIN
//! opens only the profile it was set for. First use asks for a new PIN and says plainly
//! that it cannot be recovered.

use std::future::Future;
use std::pin::Pin;

use leptos::prelude::*;

use crate::profile;
use crate::session::{self, MAX_LABEL_CHARS, UnlockError};
use crate::state::{Ctx, use_ctx};
use crate::ui::effect::effect;
use crate::ui::task::Task;
use crate::ui::widgets::{ChipGroup, PinField, RadioChip, new_pin_problem};

/// An unlock or a set-up under way.
pub type Opening = Pin<Box<dyn Future<Output = Result<(), UnlockError>>>>;

/// What the two forms do with the PIN typed. The whole app opens the profile itself
/// (`session::unlock`, `session::set_up`); the start-up module checks the PIN and hands
/// over to the app's module (`boot`), so none of the app's code is in its download.
#[derive(Clone, Copy)]
pub struct Opener {
    /// The chosen profile and the PIN typed.
    pub unlock: fn(Ctx, String) -> Opening,
    /// The new PIN and the profile's label.
    pub set_up: fn(Ctx, String, String) -> Opening,
}

#[component]
pub fn LockScreen(opener: Opener) -> impl IntoView {
    let ctx = use_ctx();
    let setting_up = move || ctx.lock_profile.with(|p| p.vault.is_none());
    view! {
        <main class="lock">
            <h1 class="brand-big">{move || ctx.t().app_name}</h1>
            <Show when=setting_up fallback=move || view! { <UnlockForm opener=opener /> }>
                <SetPinForm opener=opener />
            </Show>
        </main>
    }
}

#[component]
fn UnlockForm(opener: Opener) -> impl IntoView {
    let ctx = use_ctx();
    let pin = RwSignal::new(String::new());
    let profiles = profile::with_vault();
    let several = profiles.len() > 1;
    let chooser = profiles
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            let label = p.display_label(i);
            let id = p.id;
            view! {
                <RadioChip
                    name="profile"
                    label=Signal::stored(label)
                    checked=Signal::derive(move || ctx.lock_profile.with(|l| l.id == id))
                    on_select=Callback::new(move |()| ctx.lock_profile.set(p.clone()))
                />
            }
        })
        .collect_view();
    let unlock = Task::new(move |typed: &String| (opener.unlock)(ctx, typed.clone()));
    if crate::format::newer_on_device() {
        // Said at once: a newer build wrote this device, nothing will open (`format`).
        unlock.value().set(Some(Err(UnlockError::Newer)));
    }
    let message = move || {
        let t = ctx.t();
        match unlock.value().get()? {
            Ok(()) => None,
            Err(UnlockError::WrongPin) => Some(t.wrong_pin.to_owned()),
            Err(UnlockError::Wait(s)) => Some(ctx.lang().wait_seconds(s)),
            Err(UnlockError::Storage) => Some(t.storage_unavailable.to_owned()),
            Err(UnlockError::NotDownloaded) => Some(t.app_not_downloaded.to_owned()),
            Err(UnlockError::Newer) => Some(t.newer_data.to_owned()),
        }
    };
    effect(move |_| {
        if unlock.value().with(Option::is_some) {
            pin.set(String::new());
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !unlock.pending().get_untracked() {
            unlock.dispatch(pin.get_untracked());
        }
    };
    view! {
        <form class="lock-form" on:submit=submit>
            {several
                .then(|| {
                    view! {
                        <ChipGroup legend=|t| t.profile_choose>{chooser}</ChipGroup>
                    }
                })}
            <PinField id="pin" label=|t| t.pin_label value=pin />
            <button type="submit" class="primary wide" disabled=move || unlock.pending().get()>
                {move || if unlock.pending().get() { ctx.t().unlocking } else { ctx.t().unlock }}
            </button>
            {move || message().map(|m| view! { <p role="alert" class="flash error">{m}</p> })}
            <button type="button" class="secondary wide" on:click=move |_| session::start_new_profile(ctx)>
                {move || ctx.t().new_person_on_device}
            </button>
        </form>
    }
}

#[component]
fn SetPinForm(opener: Opener) -> impl IntoView {
    let ctx = use_ctx();
    let pin = RwSignal::new(String::new());
    let again = RwSignal::new(String::new());
    let others = profile::with_vault().len();
    let label = RwSignal::new(ctx.lang().default_profile_label(others + 1));
    let message = RwSignal::new(crate::format::newer_on_device().then_some(ctx.t().newer_data));
    let set_up = Task::new(move |(pin, label): &(String, String)| {
        (opener.set_up)(ctx, pin.clone(), label.clone())
    });
    effect(move |_| match set_up.value().get() {
        Some(Err(UnlockError::NotDownloaded)) => message.set(Some(ctx.t().app_not_downloaded)),
        Some(Err(UnlockError::Newer)) => message.set(Some(ctx.t().newer_data)),
        Some(Err(_)) => message.set(Some(ctx.t().storage_unavailable)),
        _ => {}
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (first, second) = (pin.get_untracked(), again.get_untracked());
        if let Some(problem) = new_pin_problem(ctx.t(), &first, &second) {
            message.set(Some(problem));
            return;
        }
        if !set_up.pending().get_untracked() {
            set_up.dispatch((first, label.get_untracked()));
        }
    };
    view! {
        <form class="lock-form" on:submit=submit>
            <p class="warning">{move || ctx.t().pin_warning}</p>
            <label for="profile-label">{move || ctx.t().profile_label}</label>
            <input
                id="profile-label"
                type="text"
                autocomplete="off"
                maxlength=MAX_LABEL_CHARS.to_string()
                prop:value=move || label.get()
                on:input=move |ev| label.set(event_target_value(&ev))
            />
            <p class="help">{move || ctx.t().profile_label_help}</p>
            <PinField id="new-pin" label=|t| t.pin_new value=pin />
            <PinField id="new-pin-again" label=|t| t.pin_confirm value=again />
            <button type="submit" class="primary wide" disabled=move || set_up.pending().get()>
                {move || ctx.t().pin_create}
            </button>
            {move || message.get().map(|m| view! { <p role="alert" class="flash error">{m}</p> })}
            <Show when=move || { others > 0 }>
                <button type="button" class="secondary wide" on:click=move |_| session::back_to_unlock(ctx)>
                    {move || ctx.t().back}
                </button>
            </Show>
        </form>
    }
}
