//! The lock screen: neutral (nothing says what the app is for), a PIN and nothing else.
//! On a shared phone each worker picks their own profile by its neutral label, and a PIN
//! opens only the profile it was set for. First use asks for a new PIN and says plainly
//! that it cannot be recovered.

use leptos::prelude::*;

use crate::profile;
use crate::session::{self, MAX_LABEL_CHARS, MIN_PIN_CHARS, UnlockError};
use crate::state::use_ctx;
use crate::ui::widgets::RadioChip;

#[component]
pub fn LockScreen() -> impl IntoView {
    let ctx = use_ctx();
    let setting_up = move || ctx.lock_profile.with(|p| p.vault.is_none());
    view! {
        <main class="lock">
            <h1 class="brand-big">{move || ctx.t().app_name}</h1>
            <Show when=setting_up fallback=|| view! { <UnlockForm /> }>
                <SetPinForm />
            </Show>
        </main>
    }
}

#[component]
fn UnlockForm() -> impl IntoView {
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
    let unlock = Action::new_local(move |typed: &String| {
        let typed = typed.clone();
        async move { session::unlock(ctx, &typed).await }
    });
    let message = move || {
        let t = ctx.t();
        match unlock.value().get()? {
            Ok(()) => None,
            Err(UnlockError::WrongPin) => Some(t.wrong_pin.to_owned()),
            Err(UnlockError::Wait(s)) => Some(ctx.lang().wait_seconds(s)),
            Err(UnlockError::Storage) => Some(t.storage_unavailable.to_owned()),
        }
    };
    Effect::new(move |_| {
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
                        <fieldset class="group">
                            <legend>{move || ctx.t().profile_choose}</legend>
                            <div class="chips">{chooser}</div>
                        </fieldset>
                    }
                })}
            <label for="pin">{move || ctx.t().pin_label}</label>
            <input
                id="pin"
                type="password"
                inputmode="numeric"
                autocomplete="off"
                prop:value=move || pin.get()
                on:input=move |ev| pin.set(event_target_value(&ev))
            />
            <button type="submit" class="primary wide" disabled=move || unlock.pending().get()>
                {move || if unlock.pending().get() { ctx.t().unlocking } else { ctx.t().unlock }}
            </button>
            {move || message().map(|m| view! { <p role="alert" class="flash">{m}</p> })}
            <button type="button" class="secondary wide" on:click=move |_| session::start_new_profile(ctx)>
                {move || ctx.t().new_person_on_device}
            </button>
        </form>
    }
}

#[component]
fn SetPinForm() -> impl IntoView {
    let ctx = use_ctx();
    let pin = RwSignal::new(String::new());
    let again = RwSignal::new(String::new());
    let others = profile::with_vault().len();
    let label = RwSignal::new(ctx.lang().default_profile_label(others + 1));
    let message = RwSignal::new(None::<&'static str>);
    let set_up = Action::new_local(move |(pin, label): &(String, String)| {
        let (pin, label) = (pin.clone(), label.clone());
        async move { session::set_up(ctx, &pin, &label).await }
    });
    Effect::new(move |_| {
        if let Some(Err(_)) = set_up.value().get() {
            message.set(Some(ctx.t().storage_unavailable));
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let t = ctx.t();
        let (first, second) = (pin.get_untracked(), again.get_untracked());
        if first.chars().count() < MIN_PIN_CHARS {
            message.set(Some(t.pin_too_short));
            return;
        }
        if first != second {
            message.set(Some(t.pin_mismatch));
            return;
        }
        if !set_up.pending().get_untracked() {
            set_up.dispatch((first, label.get_untracked()));
        }
    };
    let password = move |id: &'static str,
                         text: fn(&crate::i18n::Texts) -> &'static str,
                         value: RwSignal<String>| {
        view! {
            <label for=id>{move || text(ctx.t())}</label>
            <input
                id=id
                type="password"
                inputmode="numeric"
                autocomplete="off"
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            />
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
            {password("new-pin", |t| t.pin_new, pin)}
            {password("new-pin-again", |t| t.pin_confirm, again)}
            <button type="submit" class="primary wide" disabled=move || set_up.pending().get()>
                {move || ctx.t().pin_create}
            </button>
            {move || message.get().map(|m| view! { <p role="alert" class="flash">{m}</p> })}
            <Show when=move || { others > 0 }>
                <button type="button" class="secondary wide" on:click=move |_| session::back_to_unlock(ctx)>
                    {move || ctx.t().back}
                </button>
            </Show>
        </form>
    }
}
