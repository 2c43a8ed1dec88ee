//! « Comptes de l'équipe » (coordinators): add a worker, or give a lost or new phone a
//! fresh one-time pairing code, shown as text and as a QR code.

use carnet_core::wire::{ErrorCode, Pairing};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::state::{use_ctx, use_open};

#[component]
pub fn TeamAccounts() -> impl IntoView {
    let ctx = use_ctx();
    let open = use_open();
    let name = RwSignal::new(String::new());
    let coordinator = RwSignal::new(false);
    let existing = RwSignal::new(String::new());
    let result = RwSignal::new(None::<Pairing>);
    let message = RwSignal::new(None::<&'static str>);
    let secrets = RwSignal::from(open.secrets.clone());
    let token = move || {
        secrets
            .with_untracked(|s| s.token.clone())
            .unwrap_or_default()
    };
    let explain = move |error: crate::api::ClientError| {
        let t = ctx.t();
        match error.code() {
            Some(ErrorCode::WorkerExists) => t.worker_exists,
            Some(ErrorCode::InvalidWorkerName) => t.worker_name_invalid,
            Some(ErrorCode::NotFound) => t.worker_unknown,
            _ => t.action_failed,
        }
    };
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (token, typed, as_coordinator) =
            (token(), name.get_untracked(), coordinator.get_untracked());
        spawn_local(async move {
            match api::create_worker(&token, &typed, as_coordinator).await {
                Ok(pairing) => {
                    name.set(String::new());
                    message.set(None);
                    result.set(Some(pairing));
                }
                Err(e) => message.set(Some(explain(e))),
            }
        });
    };
    let repair = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (token, typed) = (token(), existing.get_untracked());
        spawn_local(async move {
            match api::new_pairing(&token, typed.trim()).await {
                Ok(pairing) => {
                    message.set(None);
                    result.set(Some(pairing));
                }
                Err(e) => message.set(Some(explain(e))),
            }
        });
    };
    view! {
        <section class="team-accounts no-print" aria-labelledby="team-accounts-title">
            <h1 id="team-accounts-title">{move || ctx.t().team_accounts}</h1>
            <form class="field" on:submit=add>
                <label for="worker-name">{move || ctx.t().worker_name}</label>
                <input
                    id="worker-name"
                    type="text"
                    autocomplete="off"
                    prop:value=move || name.get()
                    on:input=move |ev| name.set(event_target_value(&ev))
                />
                <label class="check">
                    <input
                        type="checkbox"
                        prop:checked=move || coordinator.get()
                        on:change=move |ev| coordinator.set(event_target_checked(&ev))
                    />
                    <span>{move || ctx.t().is_coordinator}</span>
                </label>
                <button type="submit" class="primary wide">{move || ctx.t().add_worker}</button>
            </form>
            <form class="field" on:submit=repair>
                <label for="existing-worker">{move || ctx.t().worker_name}</label>
                <input
                    id="existing-worker"
                    type="text"
                    autocomplete="off"
                    prop:value=move || existing.get()
                    on:input=move |ev| existing.set(event_target_value(&ev))
                />
                <button type="submit" class="wide">{move || ctx.t().new_code}</button>
            </form>
            {move || message.get().map(|m| view! { <p role="alert" class="flash">{m}</p> })}
            {move || {
                result
                    .get()
                    .map(|p| {
                        view! {
                            <div class="pairing" role="status">
                                <p>{ctx.t().code_for} " " <strong>{p.worker.clone()}</strong></p>
                                <p class="pairing-code" data-testid="pairing-code">{p.pairing_code.clone()}</p>
                                <div class="qr" inner_html=p.qr_svg.clone()></div>
                            </div>
                        }
                    })
            }}
        </section>
    }
}
