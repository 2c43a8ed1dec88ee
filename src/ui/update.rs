//! « Nouvelle version — recharger »: a small banner, never a reload by itself, so a form
//! being filled is not lost. The worker reloads when it suits them.

use leptos::prelude::*;

use crate::i18n::Lang;
use crate::service_worker;

/// Shown while `ready` (a new version is installed and waiting).
#[component]
pub fn UpdateBanner(ready: Signal<bool>, lang: Signal<Lang>) -> impl IntoView {
    view! {
        <Show when=move || ready.get()>
            <p class="update-banner no-print" role="status">
                <span>{move || lang.get().t().update_ready}</span>
                " — "
                <button type="button" class="primary" on:click=move |_| service_worker::apply_update()>
                    {move || lang.get().t().update_reload}
                </button>
            </p>
        </Show>
    }
}
