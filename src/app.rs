//! The application shell: shared state, the header with the pending count, the screens and
//! the bottom navigation.

use carnet_core::{SyncState, Taxonomy};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::profile::{self, Profile};
use crate::storage::{LocalRecord, RecordStore};
use crate::text;
use crate::ui::{contact_form::ContactForm, settings::Settings, today::Today};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Today,
    NewContact,
    Settings,
}

/// State shared by every screen. All fields are signals, so the context is `Copy`.
#[derive(Clone, Copy)]
pub struct Ctx {
    pub taxonomy: StoredValue<Taxonomy>,
    pub profile: RwSignal<Profile>,
    /// This profile's records, as loaded from and written to IndexedDB.
    pub records: RwSignal<Vec<LocalRecord>>,
    /// Whether the records were read from the device yet (and whether that worked).
    pub loaded: RwSignal<Option<bool>>,
    pub screen: RwSignal<Screen>,
    /// A one-line confirmation or error shown under the header.
    pub flash: RwSignal<Option<String>>,
}

impl Ctx {
    pub fn store(&self) -> RecordStore {
        RecordStore::for_profile(&self.profile.get_untracked())
    }

    pub fn pending_count(&self) -> usize {
        self.records
            .with(|r| r.iter().filter(|x| x.sync == SyncState::Pending).count())
    }

    /// Shows a screen from its top (a saved form must not leave the worker mid-page).
    pub fn go(&self, screen: Screen) {
        self.screen.set(screen);
        if let Some(window) = web_sys::window() {
            window.scroll_to_with_x_and_y(0.0, 0.0);
        }
    }
}

pub fn use_ctx() -> Ctx {
    expect_context::<Ctx>()
}

#[component]
pub fn App() -> impl IntoView {
    let ctx = Ctx {
        taxonomy: StoredValue::new(Taxonomy::builtin()),
        profile: RwSignal::new(profile::load_or_create()),
        records: RwSignal::new(Vec::new()),
        loaded: RwSignal::new(None),
        screen: RwSignal::new(Screen::Today),
        flash: RwSignal::new(None),
    };
    provide_context(ctx);

    spawn_local(async move {
        match ctx.store().load_all().await {
            Ok(records) => {
                ctx.records.set(records);
                ctx.loaded.set(Some(true));
            }
            Err(err) => {
                leptos::logging::warn!("carnet: cannot open the device's storage: {err}");
                ctx.loaded.set(Some(false));
                ctx.flash.set(Some(text::STORAGE_UNAVAILABLE.into()));
            }
        }
    });

    let nav = move |screen: Screen, label: &'static str| {
        view! {
            <button
                type="button"
                class="nav-item"
                aria-current=move || (ctx.screen.get() == screen).then_some("page")
                on:click=move |_| {
                    ctx.flash.set(None);
                    ctx.go(screen)
                }
            >
                {label}
            </button>
        }
    };

    view! {
        <header class="top">
            <span class="brand">{text::APP_NAME}</span>
            <span class="pending" role="status" data-testid="pending">
                {move || text::pending(ctx.pending_count())}
            </span>
        </header>
        <main>
            {move || {
                ctx.flash
                    .get()
                    .map(|msg| view! { <p class="flash" role="alert">{msg}</p> })
            }}
            {move || match ctx.screen.get() {
                Screen::Today => view! { <Today /> }.into_any(),
                Screen::NewContact => view! { <ContactForm /> }.into_any(),
                Screen::Settings => view! { <Settings /> }.into_any(),
            }}
        </main>
        <nav class="bottom" aria-label="Navigation">
            {nav(Screen::Today, text::NAV_TODAY)}
            {nav(Screen::NewContact, text::NAV_NEW)}
            {nav(Screen::Settings, text::NAV_SETTINGS)}
        </nav>
    }
}
