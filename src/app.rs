//! The application shell: shared state, the header with the pending count, the screens and
//! the bottom navigation.

use carnet_core::{ContactDraft, Record, SyncState, Taxonomy};
use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;

use crate::i18n::{Lang, Texts};
use crate::prefs::{self, Prefs};
use crate::presets::Preset;
use crate::profile::Profile;
use crate::session;
use crate::storage::{LocalRecord, RecordStore};
use crate::taxonomy_cache;
use crate::ui::{
    activity_form::ActivityForm, contact_form::ContactForm, figures::Figures, lock::LockScreen,
    settings::Settings, today::Today,
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

/// What is unsealed while unlocked, and forgotten at lock.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Secrets {
    pub token: Option<String>,
    /// Hex HMAC key for person codes, fetched from the server with the token.
    pub person_code_key: Option<String>,
}

/// State shared by every screen. All fields are signals, so the context is `Copy`.
#[derive(Clone, Copy)]
pub struct Ctx {
    /// Whether a profile is open. While false, no record or secret is in memory.
    pub unlocked: RwSignal<bool>,
    pub secrets: RwSignal<Secrets>,
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
    /// A pairing code from a scanned link (`/#pair=CODE`), for « Réglages » to use.
    pub pairing_hint: RwSignal<Option<String>>,
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

    /// A code's label in the current language (the code itself if the taxonomy lost it).
    pub fn label(&self, kind: carnet_core::ListKind, code: &str) -> String {
        let lang = self.lang();
        self.taxonomy.with(|t| {
            t.entry(kind, code)
                .map(|e| lang.label(e))
                .unwrap_or_else(|| code.to_owned())
        })
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
    let device_prefs = prefs::load();
    prefs::apply(device_prefs);
    let ctx = Ctx {
        unlocked: RwSignal::new(false),
        secrets: RwSignal::new(Secrets::default()),
        taxonomy: RwSignal::new(taxonomy_cache::load()),
        presets: RwSignal::new(Vec::new()),
        profile: RwSignal::new(session::initial_profile()),
        prefs: RwSignal::new(device_prefs),
        records: RwSignal::new(Vec::new()),
        loaded: RwSignal::new(None),
        prefill: RwSignal::new(None),
        screen: RwSignal::new(Screen::Today),
        flash: RwSignal::new(None),
        syncing: RwSignal::new(false),
        pairing_hint: RwSignal::new(take_pairing_hint()),
    };
    provide_context(ctx);

    auto_lock(ctx);
    spawn_local(async move {
        let current = ctx.taxonomy.get_untracked().version;
        if let Some(newer) = taxonomy_cache::refresh(current).await {
            ctx.taxonomy.set(newer);
        }
    });

    view! {
        <Show when=move || ctx.unlocked.get() fallback=|| view! { <LockScreen /> }>
            <Unlocked />
        </Show>
    }
}

/// The app once a profile is open.
#[component]
fn Unlocked() -> impl IntoView {
    let ctx = use_ctx();
    let nav = move |screen: Screen, label: fn(&Texts) -> &'static str| -> AnyView {
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
        .into_any()
    };

    view! {
        <header class="top">
            <span class="brand">{move || ctx.t().app_name}</span>
            <span class="pending" role="status" data-testid="pending">
                {move || ctx.lang().pending(ctx.pending_count())}
            </span>
            // Quick exit: one tap (or Escape) and nothing of any record is on screen.
            <button type="button" class="lock-now" on:click=move |_| session::lock(ctx)>
                {move || ctx.t().lock_now}
            </button>
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
            {nav(Screen::Today, |t: &Texts| t.nav_today)}
            {nav(Screen::NewContact, |t| t.nav_new)}
            {nav(Screen::Figures, |t| t.nav_figures)}
            {nav(Screen::Settings, |t| t.nav_settings)}
        </nav>
    }
}

/// Locks on Escape, after the chosen minutes without a tap, and when the app was hidden for
/// longer than a short grace period (the phone went back in a pocket, or was handed over).
fn auto_lock(ctx: Ctx) {
    const HIDDEN_GRACE_MS: f64 = 30.0 * 1000.0;
    let last_activity = StoredValue::new(js_sys::Date::now());
    let hidden_since = StoredValue::new(None::<f64>);
    let touch = move || last_activity.set_value(js_sys::Date::now());
    let _ = window_event_listener(leptos::ev::keydown, move |ev| {
        touch();
        if ev.key() == "Escape" && ctx.unlocked.get_untracked() {
            session::lock(ctx);
        }
    });
    let _ = window_event_listener(leptos::ev::pointerdown, move |_| touch());
    let _ = window_event_listener(leptos::ev::visibilitychange, move |_| {
        let hidden = web_sys::window()
            .and_then(|w| w.document())
            .is_some_and(|d| d.visibility_state() == web_sys::VisibilityState::Hidden);
        if hidden {
            hidden_since.set_value(Some(js_sys::Date::now()));
        } else if let Some(since) = hidden_since.get_value() {
            hidden_since.set_value(None);
            if js_sys::Date::now() - since > HIDDEN_GRACE_MS && ctx.unlocked.get_untracked() {
                session::lock(ctx);
            }
        }
    });
    let _ = set_interval_with_handle(
        move || {
            let idle_ms = f64::from(ctx.prefs.with_untracked(|p| p.lock_after_minutes)) * 60_000.0;
            if ctx.unlocked.get_untracked()
                && js_sys::Date::now() - last_activity.get_value() > idle_ms
            {
                session::lock(ctx);
            }
        },
        std::time::Duration::from_secs(15),
    );
}

/// Reads `#pair=CODE` from a scanned QR link, then removes it from the address bar and
/// the history so the code is not left behind.
fn take_pairing_hint() -> Option<String> {
    let window = web_sys::window()?;
    let hash = window.location().hash().ok()?;
    let code = hash.strip_prefix("#pair=")?.to_owned();
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some("/"));
    }
    (!code.is_empty()).then_some(code)
}
