//! « Aujourd'hui »: today's tally from the device's records, the sync button, the list.

use carnet_core::{ListKind, SyncState, Tally};
use chrono::{DateTime, FixedOffset, Timelike};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::app::{Screen, use_ctx};
use crate::platform;
use crate::sync;
use crate::text;

#[component]
pub fn Today() -> impl IntoView {
    let ctx = use_ctx();
    let syncing = RwSignal::new(false);
    let sync_message = RwSignal::new(None::<String>);

    let tally = Memo::new(move |_| {
        let today = platform::today();
        ctx.records
            .with(|r| Tally::for_day(r.iter().map(|x| &x.contact), today))
    });
    let label = move |kind: ListKind, code: &str| {
        ctx.taxonomy.with_value(|t| {
            t.entry(kind, code)
                .map(|e| e.fr.clone())
                .unwrap_or_else(|| code.to_owned())
        })
    };

    let start_sync = move |_| {
        let Some(token) = ctx.profile.with_untracked(|p| p.token.clone()) else {
            sync_message.set(Some(text::NEEDS_TOKEN.into()));
            return;
        };
        if syncing.get_untracked() {
            return;
        }
        syncing.set(true);
        sync_message.set(None);
        let records = ctx.records.get_untracked();
        let store = ctx.store();
        spawn_local(async move {
            let result = sync::run(&store, &token, &records, |transitions| {
                ctx.records.update(|all| {
                    for t in transitions {
                        if let Some(r) = all.iter_mut().find(|r| r.contact.id == t.id) {
                            r.sync = t.to.clone();
                        }
                    }
                });
            })
            .await;
            let message = match result {
                Ok(summary) => text::sync_summary(&summary),
                Err(err) => {
                    leptos::logging::warn!("carnet: sync bookkeeping failed: {err}");
                    text::SAVE_FAILED.to_owned()
                }
            };
            sync_message.set(Some(message));
            syncing.set(false);
        });
    };

    let reality_rows = move || {
        let t = tally.get();
        let max = t.per_reality.values().copied().max().unwrap_or(1).max(1);
        let mut rows: Vec<_> = t.per_reality.into_iter().collect();
        rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        rows.into_iter()
            .map(|(code, n)| {
                let width = format!("width: {}%", n * 100 / max);
                view! {
                    <li class="bar-row">
                        <span class="bar-label">{label(ListKind::Realities, &code)}</span>
                        <span class="bar-track" aria-hidden="true">
                            <span class="bar" style=width></span>
                        </span>
                        <span class="bar-value">{n}</span>
                    </li>
                }
            })
            .collect_view()
    };

    let material_rows = move || {
        tally
            .get()
            .material
            .into_iter()
            .map(|(code, n)| {
                view! {
                    <li>
                        <span>{label(ListKind::Materials, &code)}</span>
                        <strong>{n}</strong>
                    </li>
                }
            })
            .collect_view()
    };

    let todays_contacts = move || {
        let today = platform::today();
        let mut list: Vec<_> = ctx.records.with(|r| {
            r.iter()
                .filter(|x| x.contact.local_date() == today)
                .cloned()
                .collect()
        });
        list.sort_by_key(|r| std::cmp::Reverse(r.contact.occurred_at));
        list.into_iter()
            .map(|r| {
                let (state_class, state_text) = match r.sync {
                    SyncState::Pending => ("state pending", text::STATE_PENDING),
                    SyncState::Synced => ("state synced", text::STATE_SYNCED),
                    SyncState::Rejected { .. } => ("state rejected", text::STATE_REJECTED),
                };
                let realities = r
                    .contact
                    .realities
                    .iter()
                    .map(|c| label(ListKind::Realities, c))
                    .collect::<Vec<_>>()
                    .join(", ");
                view! {
                    <li class="contact-item">
                        <div class="contact-head">
                            <time>{clock(&r.contact.occurred_at)}</time>
                            <span>{label(ListKind::Milieux, &r.contact.milieu)}</span>
                            <span class=state_class>{state_text}</span>
                        </div>
                        <div class="contact-sub">{realities}</div>
                    </li>
                }
            })
            .collect_view()
    };

    view! {
        <section class="today" aria-labelledby="today-title">
            <h1 id="today-title">{text::TODAY_TITLE}</h1>
            <button type="button" class="primary big" on:click=move |_| ctx.go(Screen::NewContact)>
                "+ " {text::NEW_CONTACT}
            </button>
            <div class="card">
                <p class="stat">
                    <span class="stat-value" data-testid="contacts-today">
                        {move || tally.get().contacts}
                    </span>
                    <span class="stat-label">{text::CONTACTS_TODAY}</span>
                </p>
                <Show when=move || tally.with(|t| !t.per_reality.is_empty())>
                    <h2>{text::PER_REALITY}</h2>
                    <ul class="bars" data-testid="per-reality">{reality_rows}</ul>
                </Show>
                <Show when=move || tally.with(|t| !t.material.is_empty())>
                    <h2>{text::MATERIAL_TODAY}</h2>
                    <ul class="kv">{material_rows}</ul>
                </Show>
            </div>
            <div class="card">
                <button
                    type="button"
                    class="primary"
                    disabled=move || syncing.get()
                    on:click=start_sync
                >
                    {move || if syncing.get() { text::SYNCING } else { text::SYNC }}
                </button>
                {move || sync_message.get().map(|m| view! { <p role="status" class="sync-message">{m}</p> })}
            </div>
            <h2>{text::TODAYS_CONTACTS}</h2>
            <Show
                when=move || tally.with(|t| t.contacts > 0)
                fallback=|| view! { <p class="muted">{text::NO_CONTACT_YET}</p> }
            >
                <ul class="contacts">{todays_contacts}</ul>
            </Show>
        </section>
    }
}

/// "21:05": hand-formatted, as chrono's strftime machinery would add weight to the wasm.
fn clock(at: &DateTime<FixedOffset>) -> String {
    format!("{:02}:{:02}", at.hour(), at.minute())
}
