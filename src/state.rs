//! The app's shared state: what every screen reads, and what exists only while a profile
//! is unlocked.
//!
//! [`Ctx`] holds the device's state (language, taxonomy, which profile the lock screen
//! shows). Everything about the open profile — its records, secrets, shortcuts and sync
//! status — is one [`OpenProfile`] inside `Ctx::open`: locking sets it to `None`, so
//! "locked means empty" holds by construction.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use carnet_core::{ContactDraft, Taxonomy};
use leptos::prelude::*;
use uuid::Uuid;

use send_wrapper::SendWrapper;

use crate::book::Book;
use crate::i18n::{Lang, Texts};
use crate::prefs::{self, Prefs};
use crate::presets::Preset;
use crate::profile::Profile;
use crate::storage::day_hint::Hint;
use crate::storage::{RecordStore, SetAside};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Today,
    NewContact,
    NewActivity,
    /// Correct or delete a record (the form matching its type).
    Edit(Uuid),
    /// Records the server refused, and conflicts, across all days.
    ToFix,
    Figures,
    Settings,
}

/// What is unsealed while unlocked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Secrets {
    pub token: Option<String>,
    /// Hex HMAC key for person codes, fetched from the server with the token.
    pub person_code_key: Option<String>,
}

/// Where the sync of the open profile stands, for the one line of status.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum SyncStatus {
    #[default]
    Idle,
    /// A run is sending; `left` records still queued.
    Sending { left: usize },
    /// Waiting before the next try (backoff, or the server's `Retry-After`), until this
    /// time (ms since the epoch).
    Retrying { at_ms: f64 },
    /// Another window of this profile is syncing.
    ElsewhereRunning,
    /// The last run ended with this message.
    Done(String),
}

/// The sync run in progress: lets locking stop it cleanly. (Browser handles are wrapped in
/// `SendWrapper`: the app runs on one thread, and shared state must be `Send` for Leptos.)
#[derive(Debug, Default)]
pub struct RunControl {
    cancelled: AtomicBool,
    /// The request in flight, aborted on cancel.
    request: Mutex<Option<SendWrapper<web_sys::AbortController>>>,
}

impl RunControl {
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
        if let Some(controller) = self.request.lock().ok().and_then(|mut r| r.take()) {
            controller.abort();
        }
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }

    /// A fresh controller for the next request (aborted at once if the run was cancelled).
    pub fn request_controller(&self) -> Option<web_sys::AbortController> {
        let controller = web_sys::AbortController::new().ok()?;
        if self.is_cancelled() {
            controller.abort();
        }
        if let Ok(mut slot) = self.request.lock() {
            *slot = Some(SendWrapper::new(controller.clone()));
        }
        Some(controller)
    }
}

/// Everything that exists only while one profile is unlocked. Cheap to clone: the fields
/// are shared signals, dropped with the last clone after locking.
#[derive(Clone)]
pub struct OpenProfile {
    pub profile: ArcRwSignal<Profile>,
    pub secrets: ArcRwSignal<Secrets>,
    pub book: ArcRwSignal<Book>,
    pub presets: ArcRwSignal<Vec<Preset>>,
    /// The shortcuts could not be opened: never overwrite them.
    pub presets_unreadable: ArcRwSignal<bool>,
    /// Rows that could not be read at unlock; kept on the device, reported in Réglages.
    pub set_aside: ArcRwSignal<Vec<SetAside>>,
    pub sync: ArcRwSignal<SyncStatus>,
    /// Whether every row is in `book` yet: unlocking shows the day's records first (see
    /// `storage::day_hint`) and reads the other rows after. Until then the queue is not
    /// known: nothing that sends, counts or exports it may run.
    pub rows_in: ArcRwSignal<bool>,
    /// Until every row is in: when the oldest waiting record happened, as the day's hint
    /// said at unlock (the banner about old records shows from the first paint).
    pub waiting_since_hint: ArcRwSignal<Option<i64>>,
    /// Whether the older records (sealed in blocks) are in `book` too: they come last.
    pub complete: ArcRwSignal<bool>,
    /// Set when the profile locks: whatever waits for it stops.
    pub closed: Arc<AtomicBool>,
    /// The run in progress, if any.
    pub run: Arc<Mutex<Option<Arc<RunControl>>>>,
    /// Keeps this profile's cross-tab channel open while unlocked.
    pub channel: Arc<Mutex<Option<SendWrapper<crate::broadcast::Channel>>>>,
    /// The last run stopped for want of a network: start again when the phone is online.
    pub resume_online: Arc<Mutex<bool>>,
}

impl OpenProfile {
    pub fn new(profile: Profile, secrets: Secrets) -> Self {
        OpenProfile {
            profile: ArcRwSignal::new(profile),
            secrets: ArcRwSignal::new(secrets),
            book: ArcRwSignal::new(Book::default()),
            presets: ArcRwSignal::new(Vec::new()),
            presets_unreadable: ArcRwSignal::new(false),
            set_aside: ArcRwSignal::new(Vec::new()),
            sync: ArcRwSignal::new(SyncStatus::Idle),
            rows_in: ArcRwSignal::new(false),
            waiting_since_hint: ArcRwSignal::new(None),
            complete: ArcRwSignal::new(false),
            closed: Arc::new(AtomicBool::new(false)),
            run: Arc::new(Mutex::new(None)),
            channel: Arc::new(Mutex::new(None)),
            resume_online: Arc::new(Mutex::new(false)),
        }
    }

    pub fn id(&self) -> Uuid {
        self.profile.with_untracked(|p| p.id)
    }

    pub fn store(&self) -> RecordStore {
        self.profile.with_untracked(RecordStore::for_profile)
    }

    pub fn token(&self) -> Option<String> {
        self.secrets.with_untracked(|s| s.token.clone())
    }

    /// Waits until every row is in `book` (a moment after unlocking at most); false if the
    /// profile was locked meanwhile.
    pub async fn all_rows(&self) -> bool {
        loop {
            if self.rows_in.get_untracked() {
                return true;
            }
            if self.closed.load(Ordering::Relaxed) {
                return false;
            }
            crate::platform::pause(50).await;
        }
    }

    /// Writes the day's hint as the book says now (every row in it): today's rows, and
    /// when the oldest waiting record happened. After the full read that follows
    /// unlocking, and after a sync run, which settles what waits.
    pub async fn keep_day_hint(&self) {
        let today = crate::platform::today();
        let hint = self.book.with_untracked(|b| Hint {
            day: today,
            ids: b.day(today).map(|l| l.record.id()).collect(),
            waiting_since: b.oldest_pending_ms(),
        });
        if let Err(err) = self.store().keep_day_hint(hint).await {
            leptos::logging::warn!("carnet: cannot keep the day's hint: {err}");
        }
    }

    /// Whether a sync run of this profile is going on in this window.
    pub fn is_syncing(&self) -> bool {
        self.run.lock().is_ok_and(|r| r.is_some())
    }

    /// Empties what is in memory (locking): stops the run, closes the channel, drops
    /// records, secrets and shortcuts.
    pub fn clear(&self) {
        self.closed.store(true, Ordering::Relaxed);
        if let Some(run) = self.run.lock().ok().and_then(|mut r| r.take()) {
            run.cancel();
        }
        if let Ok(mut channel) = self.channel.lock() {
            channel.take();
        }
        self.book.set(Book::default());
        self.secrets.set(Secrets::default());
        self.presets.set(Vec::new());
        self.set_aside.set(Vec::new());
        crate::draft::forget_reopened();
    }
}

/// State shared by every screen. All fields are signals, so the context is `Copy`.
#[derive(Clone, Copy)]
pub struct Ctx {
    /// The unlocked profile; `None` while locked.
    pub open: RwSignal<Option<OpenProfile>>,
    /// The profile the lock screen offers (to unlock, or to set a first PIN).
    pub lock_profile: RwSignal<Profile>,
    pub taxonomy: RwSignal<Taxonomy>,
    pub prefs: RwSignal<Prefs>,
    /// A draft the next « Nouveau contact » form starts from (a shortcut was tapped).
    pub prefill: RwSignal<Option<ContactDraft>>,
    pub screen: RwSignal<Screen>,
    /// A one-line confirmation or error shown under the header.
    pub flash: RwSignal<Option<String>>,
    /// A pairing code from a scanned link (`/#pair=CODE`), for « Réglages » to use.
    pub pairing_hint: RwSignal<Option<String>>,
    /// The day « Aujourd'hui » shows (the worker can go back to earlier days).
    pub day: RwSignal<chrono::NaiveDate>,
}

impl Ctx {
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

    /// The open profile, untracked (for actions).
    pub fn open_profile(&self) -> Option<OpenProfile> {
        self.open.get_untracked()
    }

    /// Shows a screen from its top (a saved form must not leave the worker mid-page). On
    /// the desk the day's records stand beside the form, so « Aujourd'hui » is the form of
    /// the next contact.
    pub fn go(&self, screen: Screen) {
        let screen = match screen {
            Screen::Today if wide().get_untracked() => Screen::NewContact,
            other => other,
        };
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

thread_local! {
    static WIDE: ArcRwSignal<bool> = ArcRwSignal::new(false);
}

/// Whether the window is wide enough for the desk (`ui::desk`, from 960 px): the form and
/// the day's records side by side. Set by the app's module as the window changes.
pub fn wide() -> ArcRwSignal<bool> {
    WIDE.with(Clone::clone)
}

pub fn use_ctx() -> Ctx {
    expect_context::<Ctx>()
}

/// The open profile, for components drawn only while unlocked.
pub fn use_open() -> OpenProfile {
    expect_context::<OpenProfile>()
}
