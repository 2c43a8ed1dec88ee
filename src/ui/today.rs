//! « Aujourd'hui »: shortcuts, today's tally from the device's records, the sync button,
//! and today's contacts (tap to correct, or to make a shortcut).

use carnet_core::{ListKind, Record, SyncState, Tally};
use chrono::{DateTime, FixedOffset, Timelike};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::actions;
use crate::app::{Screen, use_ctx};
use crate::platform;
use crate::ui::figures::Bars;

#[component]
pub fn Today() -> impl IntoView {
    let ctx = use_ctx();
    let sync_message = RwSignal::new(None::<String>);

    let tally = Memo::new(move |_| {
        let today = platform::today();
        ctx.records
            .with(|r| Tally::for_day(r.iter().map(|x| &x.record), today))
    });
    let label = move |kind: ListKind, code: &str| ctx.label(kind, code);

    let start_sync = move |_| {
        if ctx.syncing.get_untracked() {
            return;
        }
        sync_message.set(None);
        spawn_local(async move {
            let message = actions::sync_now(ctx).await;
            sync_message.set(Some(message));
        });
    };

    let preset_buttons = move || {
        let lang = ctx.lang();
        let taxonomy = ctx.taxonomy.get();
        ctx.presets
            .get()
            .into_iter()
            .map(|preset| {
                let id = preset.id;
                let title = preset.title(&taxonomy, lang);
                let remove_label = format!("{} : {title}", lang.t().remove_shortcut);
                view! {
                    <li class="preset">
                        <button
                            type="button"
                            class="preset-apply"
                            on:click=move |_| actions::apply_preset(ctx, id)
                        >
                            {title}
                        </button>
                        <button
                            type="button"
                            class="preset-remove"
                            aria-label=remove_label
                            on:click=move |_| actions::remove_preset(ctx, id)
                        >
                            "×"
                        </button>
                    </li>
                }
            })
            .collect_view()
    };

    let reality_rows = move || {
        let mut rows: Vec<(String, u64)> = tally
            .get()
            .per_reality
            .into_iter()
            .map(|(code, n)| (label(ListKind::Realities, &code), u64::from(n)))
            .collect();
        rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        view! { <Bars rows=rows /> }
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

    let activity_rows = move || {
        tally
            .get()
            .activities
            .into_iter()
            .map(|(code, n)| {
                view! {
                    <li>
                        <span>{label(ListKind::ActivityKinds, &code)}</span>
                        <strong>{n}</strong>
                    </li>
                }
            })
            .collect_view()
    };

    let todays_records = move || {
        let today = platform::today();
        let t = ctx.t();
        let mut list: Vec<_> = ctx.records.with(|r| {
            r.iter()
                .filter(|x| !x.record.deleted() && x.record.local_date() == today)
                .cloned()
                .collect()
        });
        list.sort_by_key(|r| std::cmp::Reverse(r.record.occurred_at()));
        list.into_iter()
            .map(|r| {
                let id = r.record.id();
                let (state_class, state_text) = match r.sync {
                    SyncState::Pending => ("state pending", t.state_pending),
                    SyncState::Synced => ("state synced", t.state_synced),
                    SyncState::Rejected { .. } => ("state rejected", t.state_rejected),
                };
                let time = clock(&r.record.occurred_at());
                let (title, detail, is_contact) = match &r.record {
                    Record::Contact(c) => (
                        label(ListKind::Milieux, &c.milieu),
                        c.realities
                            .iter()
                            .map(|code| label(ListKind::Realities, code))
                            .collect::<Vec<_>>()
                            .join(", "),
                        true,
                    ),
                    Record::Activity(a) => (
                        label(ListKind::ActivityKinds, &a.activity),
                        a.milieu
                            .as_deref()
                            .map(|m| label(ListKind::Milieux, m))
                            .unwrap_or_default(),
                        false,
                    ),
                };
                let edit_label = format!("{} — {time} {title}", t.edit);
                let shortcut_label = format!("{} — {time} {title}", t.make_shortcut);
                view! {
                    <li class="contact-item">
                        <div class="contact-head">
                            <time>{time}</time>
                            <span>{title}</span>
                            <span class=state_class>{state_text}</span>
                        </div>
                        <div class="contact-sub">{detail}</div>
                        <div class="contact-actions">
                            <button
                                type="button"
                                aria-label=edit_label
                                disabled=move || ctx.syncing.get()
                                on:click=move |_| ctx.go(Screen::Edit(id))
                            >
                                {t.edit}
                            </button>
                            <Show when=move || is_contact>
                                <button
                                    type="button"
                                    aria-label=shortcut_label.clone()
                                    on:click=move |_| actions::make_preset(ctx, id)
                                >
                                    {t.make_shortcut}
                                </button>
                            </Show>
                        </div>
                    </li>
                }
            })
            .collect_view()
    };

    view! {
        <section class="today" aria-labelledby="today-title">
            <h1 id="today-title">{move || ctx.t().today_title}</h1>
            <div class="new-buttons">
                <button type="button" class="primary big" on:click=move |_| ctx.go(Screen::NewContact)>
                    {move || format!("+ {}", ctx.t().new_contact)}
                </button>
                <button type="button" class="big" on:click=move |_| ctx.go(Screen::NewActivity)>
                    {move || format!("+ {}", ctx.t().new_activity)}
                </button>
            </div>
            <Show when=move || ctx.presets.with(|p| !p.is_empty())>
                <h2>{move || ctx.t().shortcuts}</h2>
                <ul class="presets" aria-label=move || ctx.t().shortcuts>{preset_buttons}</ul>
            </Show>
            <div class="card">
                <p class="stat">
                    <span class="stat-value" data-testid="contacts-today">
                        {move || tally.get().contacts}
                    </span>
                    <span class="stat-label">{move || ctx.t().contacts_today}</span>
                </p>
                <Show when=move || tally.with(|t| !t.per_reality.is_empty())>
                    <h2>{move || ctx.t().per_reality}</h2>
                    <div data-testid="per-reality">{reality_rows}</div>
                </Show>
                <Show when=move || tally.with(|t| !t.activities.is_empty())>
                    <h2>{move || ctx.t().activities_today}</h2>
                    <ul class="kv" data-testid="activities">{activity_rows}</ul>
                </Show>
                <Show when=move || tally.with(|t| !t.material.is_empty())>
                    <h2>{move || ctx.t().material_today}</h2>
                    <ul class="kv">{material_rows}</ul>
                </Show>
            </div>
            <div class="card">
                <button
                    type="button"
                    class="primary"
                    disabled=move || ctx.syncing.get()
                    on:click=start_sync
                >
                    {move || if ctx.syncing.get() { ctx.t().syncing } else { ctx.t().sync }}
                </button>
                {move || {
                    sync_message.get().map(|m| view! { <p role="status" class="sync-message">{m}</p> })
                }}
            </div>
            <h2>{move || ctx.t().todays_contacts}</h2>
            <Show
                when=move || tally.with(|t| t.contacts > 0 || !t.activities.is_empty())
                fallback=move || view! { <p class="muted">{move || ctx.t().no_contact_yet}</p> }
            >
                <ul class="contacts">{todays_records}</ul>
            </Show>
            <Show when=move || ctx.presets.with(|p| p.is_empty()) && tally.with(|t| t.contacts > 0)>
                <p class="help">{move || ctx.t().shortcuts_help}</p>
            </Show>
        </section>
    }
}

/// "21:05": hand-formatted, as chrono's strftime machinery would add weight to the wasm.
fn clock(at: &DateTime<FixedOffset>) -> String {
    format!("{:02}:{:02}", at.hour(), at.minute())
}
