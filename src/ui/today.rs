//! « Aujourd'hui »: shortcuts, the day's tally from the device's records, the sync button
//! with its one line of status, and the day's records (tap to correct, or to make a
//! shortcut). The worker can go back to earlier days.

use carnet_core::{ListKind, Record, SyncState, Tally};
use chrono::{DateTime, FixedOffset, Timelike};
use leptos::prelude::*;
use uuid::Uuid;

use crate::actions;
use crate::platform;
use crate::state::{Screen, SyncStatus, use_ctx, use_open};
use crate::storage::LocalRecord;
use crate::ui::figures::Bars;
use crate::ui::row_key::RowKey;

#[component]
pub fn Today() -> impl IntoView {
    let ctx = use_ctx();
    let open = use_open();
    let day = ctx.day;

    let book = open.book.clone();
    let tally = Memo::new(move |_| {
        let d = day.get();
        book.with(|b| Tally::of(b.day(d).map(|x| &x.record)))
    });
    let label = move |kind: ListKind, code: &str| ctx.label(kind, code);
    let is_today = move || day.get() == platform::today();

    let presets = open.presets.clone();
    let preset_buttons = move || {
        let lang = ctx.lang();
        // Titled from the taxonomy where it is: no copy of it.
        let titled: Vec<(Uuid, String)> = ctx.taxonomy.with(|taxonomy| {
            presets.with(|list| {
                list.iter()
                    .map(|preset| (preset.id, preset.title(taxonomy, lang)))
                    .collect()
            })
        });
        titled
            .into_iter()
            .map(|(id, title)| {
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
        // Most first, then by name. An insertion sort: a day has a few réalités, and the
        // module then holds no `sort_unstable` of these rows (about 3 kB raw).
        let order =
            |a: &(String, u64), b: &(String, u64)| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0));
        for i in 1..rows.len() {
            let mut j = i;
            while j > 0 && order(&rows[j - 1], &rows[j]).is_gt() {
                rows.swap(j - 1, j);
                j -= 1;
            }
        }
        view! { <Bars rows=rows /> }
    };
    let kv_rows = move |rows: Vec<(String, String)>| {
        rows.into_iter()
            .map(|(name, n)| view! { <li><span>{name}</span><strong>{n}</strong></li> })
            .collect_view()
    };
    let material_rows = move || {
        kv_rows(
            tally
                .get()
                .material
                .into_iter()
                .map(|(code, n)| (label(ListKind::Materials, &code), ctx.lang().count(n)))
                .collect(),
        )
    };
    let activity_rows = move || {
        kv_rows(
            tally
                .get()
                .activities
                .into_iter()
                .map(|(code, n)| {
                    (
                        label(ListKind::ActivityKinds, &code),
                        ctx.lang().count(u64::from(n)),
                    )
                })
                .collect(),
        )
    };

    let book = open.book.clone();
    // A memo: a synced batch changes the book, but the day's rows only when one of them
    // was in it (the list is rendered again only then).
    let day_list = Memo::new(move |_| {
        let d = day.get();
        let mut list: Vec<LocalRecord> =
            book.with(|b| b.day(d).filter(|x| !x.record.deleted()).cloned().collect());
        list.reverse();
        list
    });

    let book = open.book.clone();
    let previous = move || {
        let d = day.get();
        book.with(|b| b.previous_day(d))
    };
    let book = open.book.clone();
    let next = move || {
        let d = day.get();
        let today = platform::today();
        book.with(|b| b.next_day(d))
            .filter(|n| *n <= today)
            .or_else(|| (d < today).then_some(today))
    };

    view! {
        <section class="today" aria-labelledby="today-title">
            <h1 id="today-title">
                {move || if is_today() { ctx.t().today_title.to_owned() } else { ctx.lang().day_title(day.get()) }}
            </h1>
            <Show when=is_today>
                <div class="new-buttons">
                    <button type="button" class="primary big" on:click=move |_| ctx.go(Screen::NewContact)>
                        {move || format!("+ {}", ctx.t().new_contact)}
                    </button>
                    <button type="button" class="big" on:click=move |_| ctx.go(Screen::NewActivity)>
                        {move || format!("+ {}", ctx.t().new_activity)}
                    </button>
                </div>
            </Show>
            <Show when={
                let presets = open.presets.clone();
                move || is_today() && presets.with(|p| !p.is_empty())
            }>
                <h2>{move || ctx.t().shortcuts}</h2>
                <ul class="presets" aria-label=move || ctx.t().shortcuts>{preset_buttons.clone()}</ul>
            </Show>
            <div class="card">
                <p class="stat">
                    <span class="stat-value" data-testid="contacts-today">
                        {move || ctx.lang().count(u64::from(tally.get().contacts))}
                    </span>
                    <span class="stat-label">
                        {move || if is_today() { ctx.t().contacts_today } else { ctx.t().contacts_of_day }}
                    </span>
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
            <SyncCard />
            <h2>{move || if is_today() { ctx.t().todays_contacts } else { ctx.t().day_contacts }}</h2>
            <Show
                when=move || tally.with(|t| t.contacts > 0 || !t.activities.is_empty())
                fallback=move || view! { <p class="muted">{move || ctx.t().no_contact_yet}</p> }
            >
                <ul class="contacts">
                    // Keyed by what a row shows: another day, a save or a synced batch
                    // redraws only the rows that changed.
                    <For each=move || day_list.get() key=RowKey::of let:local>
                        <RecordRow local=local />
                    </For>
                </ul>
            </Show>
            <nav class="day-nav" aria-label=move || ctx.t().other_days>
                {move || {
                    previous()
                        .map(|d| {
                            view! {
                                <button type="button" on:click=move |_| day.set(d)>
                                    {move || ctx.t().previous_day}
                                </button>
                            }
                        })
                }}
                {move || {
                    next()
                        .map(|d| {
                            view! {
                                <button type="button" on:click=move |_| day.set(d)>
                                    {move || ctx.t().next_day}
                                </button>
                            }
                        })
                }}
            </nav>
            <Show when={
                let presets = open.presets.clone();
                move || is_today() && presets.with(|p| p.is_empty()) && tally.with(|t| t.contacts > 0)
            }>
                <p class="help">{move || ctx.t().shortcuts_help}</p>
            </Show>
        </section>
    }
}

/// The sync button and one line of status: « 12 en attente — nouvel essai dans 30 s ».
#[component]
fn SyncCard() -> impl IntoView {
    let ctx = use_ctx();
    let open = use_open();
    let status = open.sync.clone();
    let running = {
        let status = status.clone();
        move || {
            matches!(
                status.get(),
                SyncStatus::Sending { .. } | SyncStatus::Retrying { .. }
            )
        }
    };
    // A clock for the countdown, ticking only while this card is shown.
    let now = RwSignal::new(js_sys::Date::now());
    if let Ok(handle) = set_interval_with_handle(
        move || now.set(js_sys::Date::now()),
        std::time::Duration::from_secs(1),
    ) {
        on_cleanup(move || handle.clear());
    }
    let book = open.book.clone();
    let line = move || {
        let lang = ctx.lang();
        let pending = book.with(|b| b.pending_count());
        match status.get() {
            SyncStatus::Idle => None,
            SyncStatus::Sending { .. } => Some(lang.sending(pending)),
            SyncStatus::Retrying { at_ms } => {
                let seconds = ((at_ms - now.get()) / 1000.0).ceil().max(0.0) as u64;
                Some(lang.retrying(pending, seconds))
            }
            SyncStatus::ElsewhereRunning => Some(lang.t().sync_elsewhere.to_owned()),
            SyncStatus::Done(message) => Some(message),
        }
    };
    let running_label = running.clone();
    view! {
        <div class="card">
            <button
                type="button"
                class="primary"
                disabled=running.clone()
                on:click=move |_| actions::start_sync(ctx)
            >
                {move || if running_label() { ctx.t().syncing } else { ctx.t().sync }}
            </button>
            {move || {
                line().map(|m| view! { <p role="status" class="sync-message" data-testid="sync-status">{m}</p> })
            }}
        </div>
    }
}

/// One record of the day list.
#[component]
fn RecordRow(local: LocalRecord) -> impl IntoView {
    let ctx = use_ctx();
    let t = ctx.t();
    let label = move |kind: ListKind, code: &str| ctx.label(kind, code);
    let id = local.record.id();
    let badge = Badge::of(&local);
    let (state_class, state_text) = (badge.class(), badge.words(t));
    let time = clock(&local.record.occurred_at());
    let (title, detail, is_contact) = match &local.record {
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
                <button type="button" aria-label=edit_label on:click=move |_| ctx.go(Screen::Edit(id))>
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
}

/// A record's sync state as its row shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Badge {
    Unconfirmed,
    Pending,
    Synced,
    Rejected,
    Conflict,
}

impl Badge {
    fn of(local: &LocalRecord) -> Self {
        match local.standing.sync {
            SyncState::Pending if local.standing.is_unconfirmed() => Badge::Unconfirmed,
            SyncState::Pending => Badge::Pending,
            SyncState::Synced => Badge::Synced,
            SyncState::Rejected { .. } => Badge::Rejected,
            SyncState::Conflict { .. } => Badge::Conflict,
        }
    }

    fn class(self) -> &'static str {
        match self {
            Badge::Unconfirmed => "state unconfirmed",
            Badge::Pending => "state pending",
            Badge::Synced => "state synced",
            Badge::Rejected | Badge::Conflict => "state rejected",
        }
    }

    fn words(self, t: &'static crate::i18n::Texts) -> &'static str {
        match self {
            Badge::Unconfirmed => t.state_unconfirmed,
            Badge::Pending => t.state_pending,
            Badge::Synced => t.state_synced,
            Badge::Rejected => t.state_rejected,
            Badge::Conflict => t.state_conflict,
        }
    }
}

/// "21:05": hand-formatted, as chrono's strftime machinery would add weight to the wasm.
pub fn clock(at: &DateTime<FixedOffset>) -> String {
    format!("{:02}:{:02}", at.hour(), at.minute())
}
