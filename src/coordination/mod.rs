//! The coordinator's app, served at `/coordination/` and built as its own wasm binary
//! (`carnet-coordination`): the team's report, the annual report, the lists the
//! organisation keeps and the team's accounts. Workers' phones never download it: their
//! app stays small, and these screens are used online, on a computer, by coordinators.
//!
//! It opens with the same lock screen and profile (same origin, same vault) as the phone
//! app: pair this computer and choose a PIN there, or here, then unlock.

pub mod annual;
pub mod completeness;
pub mod import;
pub mod lists;
pub mod report;
pub mod scope;
pub mod tables;
pub mod team;
pub mod texts;
pub mod workers;

use leptos::prelude::*;

use crate::i18n::Lang;
use crate::state::{OpenProfile, Screen, use_ctx};
use crate::ui::lock::LockScreen;
use crate::{session, startup};

/// The coordinator's screens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    TeamReport,
    Workers,
    AnnualReport,
    Lists,
    Import,
    Accounts,
}

/// A worker's own report asked from « Équipe »: « Rapport de l'équipe » opens on it, for
/// the same period and programs (the screens share it through a context).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drill {
    pub worker: String,
    pub from: chrono::NaiveDate,
    pub to: chrono::NaiveDate,
    pub choice: scope::Scope,
    pub several: Vec<String>,
}

#[component]
pub fn App() -> impl IntoView {
    let ctx = startup::start(Screen::Figures, None);
    move || match ctx.open.get() {
        Some(open) => view! { <Unlocked open=open /> }.into_any(),
        None => view! { <LockScreen opener=startup::OPENER /> }.into_any(),
    }
}

#[component]
fn Unlocked(open: OpenProfile) -> impl IntoView {
    provide_context(open.clone());
    let ctx = use_ctx();
    let page = RwSignal::new(Page::TeamReport);
    provide_context(page);
    // This profile's device says what it holds, as phones do at each sync: a coordinator's
    // computer is a device too, and one that never reported would keep every period in
    // doubt. The coordinator's app is always the server's build: it names the phone app's
    // build the server serves.
    {
        let open = open.clone();
        leptos::task::spawn_local(async move {
            let Some(token) = open.token() else {
                return;
            };
            let build = crate::api::get_start_page()
                .await
                .ok()
                .and_then(|page| crate::platform::build_in(&page));
            if let Some(build) = build {
                crate::sync::report_holdings(&open, &token, build).await;
            }
        });
    }
    provide_context(RwSignal::new(None::<Drill>));
    let coordinator = RwSignal::from(open.profile.clone());
    let nav = move |target: Page, label: fn(Lang) -> &'static str| {
        view! {
            <button
                type="button"
                class="nav-item"
                aria-current=move || (page.get() == target).then_some("page")
                on:click=move |_| page.set(target)
            >
                {move || label(ctx.lang())}
            </button>
        }
    };
    view! {
        <header class="top">
            <span class="brand">{move || texts::texts(ctx.lang()).coordination_title}</span>
            <nav class="coordination-nav" aria-label=move || ctx.t().nav_label data-testid="unlocked">
                {nav(Page::TeamReport, |l| texts::texts(l).team_report)}
                {nav(Page::Workers, |l| texts::workers::workers(l).title)}
                {nav(Page::AnnualReport, |l| texts::texts(l).annual_report)}
                {nav(Page::Lists, |l| texts::texts(l).lists)}
                {nav(Page::Import, |l| texts::texts(l).import)}
                {nav(Page::Accounts, |l| texts::texts(l).team_accounts)}
            </nav>
            <button type="button" class="lock-now" on:click=move |_| session::lock(ctx)>
                {move || ctx.t().lock_now}
            </button>
        </header>
        <main class="wide">
            <Show
                when=move || coordinator.with(|p| p.coordinator)
                fallback=move || view! { <p class="flash" role="alert">{move || texts::texts(ctx.lang()).not_coordinator}</p> }
            >
                {move || match page.get() {
                    Page::TeamReport => view! { <report::TeamReport /> }.into_any(),
                    Page::Workers => view! { <workers::Workers /> }.into_any(),
                    Page::AnnualReport => view! { <annual::AnnualReport /> }.into_any(),
                    Page::Lists => view! { <lists::Lists /> }.into_any(),
                    Page::Import => view! { <import::Import /> }.into_any(),
                    Page::Accounts => view! { <team::TeamAccounts /> }.into_any(),
                }}
            </Show>
        </main>
    }
}
