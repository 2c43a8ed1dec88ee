//! The application shell: shared state, the header with the pending count, the screens and
//! the bottom navigation.

use carnet_core::{ContactDraft, Record, SyncState, Taxonomy};
use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;

use crate::i18n::{Lang, Texts};
use crate::prefs::{self, Prefs};
use crate::presets::{self, Preset};
use crate::profile::{self, Profile};
use crate::storage::{LocalRecord, RecordStore};
use crate::taxonomy_cache;
use crate::ui::{
    activity_form::ActivityForm, contact_form::ContactForm, figures::Figures, settings::Settings,
    today::Today,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Today,
    NewContact,
    NewActivity,
    /// Correct or delete a record (the form matching its type).
    Edit(Uuid),
    Figures,
    Settings,
}

/// State shared by every screen. All fields are signals, so the context is `Copy`.
#[derive(Clone, Copy)]
pub struct Ctx {
    pub taxonomy: RwSignal<Taxonomy>,
    pub profile: RwSignal<Profile>,
    pub prefs: RwSignal<Prefs>,
    /// This profile's records, as loaded from and written to IndexedDB.
    pub records: RwSignal<Vec<LocalRecord>>,
    /// Whether the records were read from the device yet (and whether that worked).
    pub loaded: RwSignal<Option<bool>>,
    pub presets: RwSignal<Vec<Preset>>,
    /// A draft the next « Nouveau contact » form starts from (a shortcut was tapped).
    pub prefill: RwSignal<Option<ContactDraft>>,
    pub screen: RwSignal<Screen>,
    /// A one-line confirmation or error shown under the header.
    pub flash: RwSignal<Option<String>>,
    pub syncing: RwSignal<bool>,
}

impl Ctx {
    pub fn store(&self) -> RecordStore {
        RecordStore::for_profile(&self.profile.get_untracked())
    }

    pub fn lang(&self) -> Lang {
        self.prefs.with(|p| p.lang)
    }

    /// The strings of the current language (tracked: views re-render on a switch).
    pub fn t(&self) -> &'static Texts {
        self.lang().t()
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

    pub fn set_prefs(&self, next: Prefs) {
        prefs::save(next);
        prefs::apply(next);
        self.prefs.set(next);
    }
}

pub fn use_ctx() -> Ctx {
    expect_context::<Ctx>()
}

#[component]
pub fn App() -> impl IntoView {
    let profile = profile::load_or_create();
    let device_prefs = prefs::load();
    prefs::apply(device_prefs);
    let ctx = Ctx {
        taxonomy: RwSignal::new(taxonomy_cache::load()),
        presets: RwSignal::new(presets::load(&profile)),
        profile: RwSignal::new(profile),
        prefs: RwSignal::new(device_prefs),
        records: RwSignal::new(Vec::new()),
        loaded: RwSignal::new(None),
        prefill: RwSignal::new(None),
        screen: RwSignal::new(Screen::Today),
        flash: RwSignal::new(None),
        syncing: RwSignal::new(false),
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
                ctx.flash.set(Some(ctx.t().storage_unavailable.into()));
            }
        }
    });
    spawn_local(async move {
        let current = ctx.taxonomy.get_untracked().version;
        if let Some(newer) = taxonomy_cache::refresh(current).await {
            ctx.taxonomy.set(newer);
        }
    });

    let nav = move |screen: Screen, label: fn(&Texts) -> &'static str| {
        view! {
            <button
                type="button"
                class="nav-item"
                aria-current=move || (ctx.screen.get() == screen).then_some("page")
                on:click=move |_| {
                    ctx.flash.set(None);
                    ctx.prefill.set(None);
                    ctx.go(screen)
                }
            >
                {move || label(ctx.t())}
            </button>
        }
    };

    view! {
        <header class="top">
            <span class="brand">{move || ctx.t().app_name}</span>
            <span class="pending" role="status" data-testid="pending">
                {move || ctx.lang().pending(ctx.pending_count())}
            </span>
        </header>
        <main>
            {move || {
                ctx.flash.get().map(|msg| view! { <p class="flash" role="alert">{msg}</p> })
            }}
            {move || match ctx.screen.get() {
                Screen::Today => view! { <Today /> }.into_any(),
                Screen::NewContact => view! { <ContactForm editing=None /> }.into_any(),
                Screen::NewActivity => view! { <ActivityForm editing=None /> }.into_any(),
                Screen::Edit(id) => {
                    let is_activity = ctx
                        .records
                        .with_untracked(|r| {
                            r.iter()
                                .any(|x| x.record.id() == id && matches!(x.record, Record::Activity(_)))
                        });
                    if is_activity {
                        view! { <ActivityForm editing=Some(id) /> }.into_any()
                    } else {
                        view! { <ContactForm editing=Some(id) /> }.into_any()
                    }
                }
                Screen::Figures => view! { <Figures /> }.into_any(),
                Screen::Settings => view! { <Settings /> }.into_any(),
            }}
        </main>
        <nav class="bottom" aria-label=move || ctx.t().nav_label>
            {nav(Screen::Today, |t| t.nav_today)}
            {nav(Screen::NewContact, |t| t.nav_new)}
            {nav(Screen::Figures, |t| t.nav_figures)}
            {nav(Screen::Settings, |t| t.nav_settings)}
        </nav>
    }
}
