//! The lock screen: neutral (nothing says what the app is for), a PIN and nothing else.
//! First use asks for a new PIN and says plainly that it cannot be recovered.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::session::{self, MIN_PIN_CHARS, UnlockError};
use crate::state::use_ctx;

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
    let message = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        message.set(None);
        let typed = pin.get_untracked();
        spawn_local(async move {
            let t = ctx.t();
            match session::unlock(ctx, &typed).await {
                Ok(()) => {}
                Err(UnlockError::WrongPin) => message.set(Some(t.wrong_pin.into())),
                Err(UnlockError::Wait(s)) => message.set(Some(ctx.lang().wait_seconds(s))),
                Err(UnlockError::Storage) => message.set(Some(t.storage_unavailable.into())),
            }
            pin.set(String::new());
            busy.set(false);
        });
    };
    view! {
        <form class="lock-form" on:submit=submit>
            <label for="pin">{move || ctx.t().pin_label}</label>
            <input
                id="pin"
                type="password"
                inputmode="numeric"
                autocomplete="off"
                prop:value=move || pin.get()
                on:input=move |ev| pin.set(event_target_value(&ev))
            />
            <button type="submit" class="primary wide" disabled=move || busy.get()>
                {move || if busy.get() { ctx.t().unlocking } else { ctx.t().unlock }}
            </button>
            {move || message.get().map(|m| view! { <p role="alert" class="flash">{m}</p> })}
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
    let message = RwSignal::new(None::<&'static str>);
    let busy = RwSignal::new(false);
    let has_other_profiles = crate::profile::load_all().iter().any(|p| p.vault.is_some());
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
        busy.set(true);
        spawn_local(async move {
            if session::set_up(ctx, &first).await.is_err() {
                message.set(Some(ctx.t().storage_unavailable));
            }
            busy.set(false);
        });
    };
    view! {
        <form class="lock-form" on:submit=submit>
            <p class="warning">{move || ctx.t().pin_warning}</p>
            <label for="new-pin">{move || ctx.t().pin_new}</label>
            <input
                id="new-pin"
                type="password"
                inputmode="numeric"
                autocomplete="off"
                prop:value=move || pin.get()
                on:input=move |ev| pin.set(event_target_value(&ev))
            />
            <label for="new-pin-again">{move || ctx.t().pin_confirm}</label>
            <input
                id="new-pin-again"
                type="password"
                inputmode="numeric"
                autocomplete="off"
                prop:value=move || again.get()
                on:input=move |ev| again.set(event_target_value(&ev))
            />
            <button type="submit" class="primary wide" disabled=move || busy.get()>
                {move || ctx.t().pin_create}
            </button>
            {move || message.get().map(|m| view! { <p role="alert" class="flash">{m}</p> })}
            <Show when=move || has_other_profiles>
                <button type="button" class="secondary wide" on:click=move |_| session::back_to_unlock(ctx)>
                    {move || ctx.t().back}
                </button>
            </Show>
        </form>
    }
}
