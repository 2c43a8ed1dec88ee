//! The application shell: the lock screen or the open profile (handed over by the start-up
//! module, `handoff`), the header with the pending and refused counts, the warnings, the
//! screens and the navigation (at the bottom of a phone, in the header of the desk).

use carnet_core::Record;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::i18n::Texts;
use crate::state::{Ctx, OpenProfile, Screen, use_ctx};
use crate::storage_guard::{self, Usage};
use crate::ui::desk::{self, beside_today};
use crate::ui::keys::{KeysHelp, help_button, open_help, use_keys};
use crate::ui::{
    activity_form::ActivityForm, contact_form::ContactForm, figures::Figures, fix::ToFix,
    lock::LockScreen, settings::Settings, today::Today, update::UpdateBanner, use_fetch::use_fetch,
};
use crate::{handoff, platform, service_worker, session, startup};

#[component]
pub fn App() -> impl IntoView {
    // Unlocked by the start-up module, which read the pairing link already.
    let handoff = handoff::take();
    let pairing_hint = match &handoff {
        Some(h) => h.pairing_hint.clone(),
        None => startup::take_pairing_hint(),
    };
    let ctx = startup::start(Screen::Today, pairing_hint);
    desk::follow_width(ctx);
    if handoff.as_ref().is_some_and(|h| h.update_ready) {
        service_worker::carry_update_ready();
    }
    resume_when_online(ctx);
    let opening = RwSignal::new(handoff.is_some());
    if let Some(handoff) = handoff {
        spawn_local(async move {
            handoff::open(ctx, handoff).await;
            opening.set(false);
        });
    }

    view! {
        <UpdateBanner ready=service_worker::update_ready() lang=Signal::derive(move || ctx.lang()) />
        {move || match ctx.open.get() {
            Some(open) => view! { <Unlocked open=open /> }.into_any(),
            // The lock screen's frame, without its form, while the records are read.
            None if opening.get() => {
                view! {
                    <main class="lock">
                        <h1 class="brand-big">{move || ctx.t().app_name}</h1>
                    </main>
                }
                    .into_any()
            }
            None => view! { <LockScreen opener=startup::OPENER /> }.into_any(),
        }}
    }
}

/// The app once a profile is open. Refused records and conflicts get their own line under
/// the header (never crowded out of a 360 px header), apart from the pending count.
#[component]
fn Unlocked(open: OpenProfile) -> impl IntoView {
    provide_context(open.clone());
    let ctx = use_ctx();
    let wide = RwSignal::from(crate::state::wide());
    use_keys(ctx);
    let nav = move |screen: Screen, label: fn(&Texts) -> &'static str| -> AnyView {
        view! {
            <button
                type="button"
                class="nav-item"
                aria-current=move || (ctx.screen.get() == screen).then_some("page")
                on:click=move |_| {
                    ctx.flash.set(None);
                    ctx.prefill.set(None);
                    if screen == Screen::Today {
                        ctx.day.set(platform::today());
                    }
                    ctx.go(screen)
                }
            >
                {move || label(ctx.t())}
            </button>
        }
        .into_any()
    };
    let book = open.book.clone();
    // Not known until every row is read (a moment after unlocking): never « all synced »
    // on part of the queue.
    let pending = {
        let book = book.clone();
        Memo::new(move |_| book.with(|b| b.pending_count()))
    };
    let rows_in = RwSignal::from(open.rows_in.clone());
    let to_fix = {
        let book = book.clone();
        move || book.with(|b| b.to_fix_count())
    };
    let screen_view = {
        let book = book.clone();
        move || match ctx.screen.get() {
            Screen::Today => view! { <Today /> }.into_any(),
            Screen::NewContact => beside_today(view! { <ContactForm editing=None /> }.into_any()),
            Screen::NewActivity => beside_today(view! { <ActivityForm editing=None /> }.into_any()),
            Screen::Edit(id) => {
                let is_activity = book.with_untracked(|b| {
                    b.get(id)
                        .is_some_and(|x| matches!(x.record, Record::Activity(_)))
                });
                beside_today(if is_activity {
                    view! { <ActivityForm editing=Some(id) /> }.into_any()
                } else {
                    view! { <ContactForm editing=Some(id) /> }.into_any()
                })
            }
            Screen::ToFix => view! { <ToFix /> }.into_any(),
            Screen::Figures => view! { <Figures /> }.into_any(),
            Screen::Settings => view! { <Settings /> }.into_any(),
        }
    };
    let to_fix_badge = move || {
        let n = to_fix();
        (n > 0).then(|| {
            view! {
                <button
                    type="button"
                    class="banner to-fix-line"
                    data-testid="to-fix"
                    on:click=move |_| ctx.go(Screen::ToFix)
                >
                    {move || ctx.lang().to_fix(n)}
                </button>
            }
        })
    };

    // One list of places, at the bottom of a phone or in the desk's header.
    let places = move |class: &'static str| {
        view! {
            <nav class=class aria-label=move || ctx.t().nav_label>
                {nav(Screen::Today, |t: &Texts| t.nav_today)}
                {nav(Screen::NewContact, |t| t.nav_new)}
                {nav(Screen::Figures, |t| t.nav_figures)}
                {nav(Screen::Settings, |t| t.nav_settings)}
            </nav>
        }
    };
    let keys_button = move || {
        view! {
            <button type="button" class="keys-open" aria-keyshortcuts="?" on:click=move |_| open_help()>
                {move || help_button(ctx.lang())}
            </button>
        }
    };

    view! {
        <header class="top">
            <span class="brand">{move || ctx.t().app_name}</span>
            {move || wide.get().then(|| places("places"))}
            // Amber while records wait; the success colour once the server has them all.
            <span
                class="pending"
                class:all-synced=move || rows_in.get() && pending.get() == 0
                role="status"
                aria-busy=move || (!rows_in.get()).then_some("true")
                data-testid="pending"
            >
                {move || {
                    if rows_in.get() {
                        ctx.lang().pending(pending.get())
                    } else {
                        ctx.t().pending_unknown.to_owned()
                    }
                }}
            </span>
            {move || wide.get().then(keys_button)}
            // Quick exit: one tap (or Escape) and nothing of any record is on screen.
            <button type="button" class="lock-now" aria-keyshortcuts="Escape" on:click=move |_| session::lock(ctx)>
                {move || ctx.t().lock_now}
            </button>
        </header>
        {to_fix_badge}
        <Warnings />
        <main>
            {move || {
                ctx.flash.get().map(|msg| view! { <p class="flash" role="alert">{msg}</p> })
            }}
            {screen_view}
        </main>
        {move || (!wide.get()).then(|| places("bottom"))}
        <KeysHelp />
    }
}

/// Banners for what could cost records: unsynced records getting old, storage nearly full.
#[component]
fn Warnings() -> impl IntoView {
    let ctx = use_ctx();
    let open = crate::state::use_open();
    let now = RwSignal::new(js_sys::Date::now());
    let usage = use_fetch(storage_guard::usage);
    // Re-check every minute: a phone left open all shift still warns.
    if let Ok(handle) = set_interval_with_handle(
        move || {
            now.set(js_sys::Date::now());
            usage.refetch();
        },
        std::time::Duration::from_secs(60),
    ) {
        on_cleanup(move || handle.clear());
    }
    let book = open.book.clone();
    let rows_in = open.rows_in.clone();
    let hinted = open.waiting_since_hint.clone();
    // A memo: the book changes with every synced batch, the banner only when this does.
    // Until every row is in, the day's hint says how long records have waited: the banner
    // is there from the first paint, not pushed in under the worker's thumb a second later.
    let stale = Memo::new(move |_| {
        let hours = f64::from(ctx.prefs.with(|p| p.stale_after_hours));
        let known = book.with(|b| b.oldest_pending_ms());
        let oldest = match (rows_in.get(), hinted.get()) {
            (false, Some(hinted)) => Some(known.map_or(hinted, |k| k.min(hinted))),
            _ => known,
        }?;
        (now.get() - oldest as f64 > hours * 3_600_000.0).then_some(hours as u32)
    });
    view! {
        {move || {
            stale
                .get()
                .map(|hours| {
                    view! {
                        <p class="banner warning" role="alert" data-testid="stale-warning">
                            {ctx.lang().stale_warning(hours)}
                        </p>
                    }
                })
        }}
        {move || {
            usage
                .get()
                .flatten()
                .filter(Usage::near_quota)
                .map(|_| {
                    view! {
                        <p class="banner warning" role="alert">
                            {ctx.t().storage_nearly_full}
                        </p>
                    }
                })
        }}
    }
}

/// A run that stopped for want of a network starts again by itself when the phone is back
/// online while the app is open and unlocked.
fn resume_when_online(ctx: Ctx) {
    let _ = window_event_listener(leptos::ev::online, move |_| {
        let Some(open) = ctx.open.get_untracked() else {
            return;
        };
        let resume = open.resume_online.lock().is_ok_and(|r| *r);
        if resume && open.book.with_untracked(|b| b.pending_count()) > 0 {
            crate::actions::start_sync(ctx);
        }
    });
}
