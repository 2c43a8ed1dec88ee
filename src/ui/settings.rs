//! « Réglages »: paste the sync token given by the coordinator.

use leptos::prelude::*;

use crate::app::use_ctx;
use crate::profile;
use crate::text;

#[component]
pub fn Settings() -> impl IntoView {
    let ctx = use_ctx();
    let draft = RwSignal::new(String::new());
    let message = RwSignal::new(None::<&'static str>);
    let has_token = move || ctx.profile.with(|p| p.token.is_some());

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let token = draft.get_untracked().trim().to_owned();
        if token.is_empty() {
            message.set(Some(text::TOKEN_EMPTY));
            return;
        }
        let mut updated = ctx.profile.get_untracked();
        updated.token = Some(token);
        if profile::save(&updated) {
            ctx.profile.set(updated);
            draft.set(String::new());
            message.set(Some(text::TOKEN_SAVED));
        } else {
            message.set(Some(text::STORAGE_UNAVAILABLE));
        }
    };

    view! {
        <form class="settings" on:submit=save>
            <h1>{text::SETTINGS_TITLE}</h1>
            <p class="muted">
                {move || if has_token() { text::TOKEN_PRESENT } else { text::TOKEN_ABSENT }}
            </p>
            <label for="token">{text::TOKEN_LABEL}</label>
            <input
                id="token"
                type="password"
                autocomplete="off"
                spellcheck="false"
                prop:value=move || draft.get()
                on:input=move |ev| draft.set(event_target_value(&ev))
            />
            <p class="help">{text::TOKEN_HELP}</p>
            <button type="submit" class="primary">{text::TOKEN_SAVE}</button>
            {move || message.get().map(|m| view! { <p role="status">{m}</p> })}
        </form>
    }
}
