//! Locking and unlocking: which profile is open, its secrets in memory, and nothing at all
//! of any record while locked.

use leptos::prelude::*;

use crate::book::Book;
use crate::draft::{self, FormDraft};
use crate::profile::{self, Profile};
use crate::state::{Ctx, OpenProfile, Screen, Secrets};
use crate::storage::{FirstRead, RecordStore, StoreError};
use crate::{broadcast, format, local_store, presets, storage_guard, vault};

/// The device-wide lock-out older versions of the app stored (it is kept with each profile
/// now): a phone may still hold one, and updating the app must not lift it, so it is
/// honoured until it runs out, then removed.
const LEGACY_FAILURES_KEY: &str = "carnet.lock";

/// Shortest PIN (or passphrase) accepted.
pub const MIN_PIN_CHARS: usize = 6;

/// Longest profile label kept.
pub const MAX_LABEL_CHARS: usize = 24;

/// Why unlocking did not happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnlockError {
    /// No vault opened with this PIN.
    WrongPin,
    /// Too many wrong PINs: wait this many seconds.
    Wait(u64),
    /// The device's storage failed.
    Storage,
    /// The PIN was right but the app's module is not on the phone yet (the first visit
    /// went offline before it was downloaded): nothing was opened.
    NotDownloaded,
    /// A newer build wrote the device's storage (`format`) or this profile's database:
    /// nothing was opened or written.
    Newer,
}

impl From<StoreError> for UnlockError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Newer => UnlockError::Newer,
            _ => UnlockError::Storage,
        }
    }
}

/// Seconds to wait after `count` wrong PINs: none for the first three, then doubling
/// from 5 s up to 15 minutes.
pub fn delay_after(count: u32) -> u64 {
    if count < 3 {
        0
    } else {
        (5u64 << (count - 3).min(10)).min(15 * 60)
    }
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Sets the first PIN of the profile on the lock screen (with the neutral `label` that
/// picks it on a shared phone), seals what was stored in clear, asks the browser to keep
/// the storage (not evict it), and opens the profile.
pub async fn set_up(ctx: Ctx, pin: &str, label: &str) -> Result<(), UnlockError> {
    let profile = create_vault(ctx, pin, label).await?;
    finish_set_up(ctx, profile).await
}

/// The first half of [`set_up`], all the start-up module does: a new data key sealed under
/// `pin`, left unlocked. Nothing is stored yet: the returned profile carries the header.
pub async fn create_vault(ctx: Ctx, pin: &str, label: &str) -> Result<Profile, UnlockError> {
    if format::newer_on_device() {
        return Err(UnlockError::Newer);
    }
    let mut profile = ctx.lock_profile.get_untracked();
    profile.label = label.trim().chars().take(MAX_LABEL_CHARS).collect();
    let header = vault::create(pin).await.map_err(|_| UnlockError::Storage)?;
    profile.vault = Some(header);
    Ok(profile)
}

/// The second half of [`set_up`], with the vault unlocked by [`create_vault`].
pub async fn finish_set_up(ctx: Ctx, mut profile: Profile) -> Result<(), UnlockError> {
    let secrets = Secrets {
        token: profile.token.take(),
        person_code_key: profile.person_code_key.take(),
    };
    profile.sealed_token = seal_opt(secrets.token.as_deref()).await?;
    profile.sealed_person_code_key = seal_opt(secrets.person_code_key.as_deref()).await?;
    // Rows written before encryption existed are read in clear and written back sealed.
    let store = RecordStore::for_profile(&profile);
    let (records, set_aside) = store.load_all().await?;
    for local in &records {
        let standing = local.standing.clone();
        store
            .write(local.record.clone(), |digest| {
                let mut s = standing;
                s.digest = digest;
                s
            })
            .await
            .map_err(|_| UnlockError::Storage)?;
    }
    if !profile::save(&profile) {
        return Err(UnlockError::Storage);
    }
    storage_guard::request_persistence().await;
    let records = store.load_all().await.map(|(r, _)| r).unwrap_or(records);
    let first = FirstRead {
        records,
        set_aside,
        every_row: true,
        waiting_since: None,
    };
    enter(ctx, profile, secrets, first).await;
    Ok(())
}

async fn seal_opt(value: Option<&str>) -> Result<Option<String>, UnlockError> {
    match value {
        Some(v) => Ok(Some(
            vault::seal(v).await.map_err(|_| UnlockError::Storage)?,
        )),
        None => Ok(None),
    }
}

async fn open_opt(value: Option<&str>) -> Option<String> {
    vault::open(value?).await.ok()
}

/// Tries `pin` against the profile chosen on the lock screen, and only that one: two
/// workers who picked the same PIN each open their own profile.
pub async fn unlock(ctx: Ctx, pin: &str) -> Result<(), UnlockError> {
    let profile = check_pin(ctx, pin).await?;
    open_checked(ctx, profile).await
}

/// The first half of [`unlock`], all the start-up module does: the lock-out, the PIN, and
/// the vault left unlocked. Returns the stored profile, its lock-out cleared.
pub async fn check_pin(ctx: Ctx, pin: &str) -> Result<Profile, UnlockError> {
    crate::bench::mark("unlock:start");
    if format::newer_on_device() {
        return Err(UnlockError::Newer);
    }
    let now = now_ms();
    let chosen = ctx.lock_profile.get_untracked();
    // The stored profile, not the screen's copy: its lock-out is the one that counts.
    let Some(mut profile) = profile::load_all().into_iter().find(|p| p.id == chosen.id) else {
        return Err(UnlockError::Storage);
    };
    let legacy: Option<profile::Lockout> = local_store::get(LEGACY_FAILURES_KEY);
    let until = legacy
        .map(|l| l.until_ms)
        .unwrap_or(0.0)
        .max(profile.lockout.until_ms);
    if until > now {
        return Err(UnlockError::Wait(((until - now) / 1000.0).ceil() as u64));
    }
    let Some(header) = profile.vault.clone() else {
        return Err(UnlockError::Storage);
    };
    if vault::unlock(&header, pin).await.is_err() {
        let count = profile.lockout.count.max(legacy.map_or(0, |l| l.count)) + 1;
        let wait = delay_after(count);
        profile.lockout = profile::Lockout {
            count,
            until_ms: now_ms() + wait as f64 * 1000.0,
        };
        if !profile::save(&profile) {
            return Err(UnlockError::Storage);
        }
        local_store::remove(LEGACY_FAILURES_KEY);
        return Err(if wait > 0 {
            UnlockError::Wait(wait)
        } else {
            UnlockError::WrongPin
        });
    }
    crate::bench::mark("unlock:derived");
    local_store::remove(LEGACY_FAILURES_KEY);
    if profile.lockout != profile::Lockout::default() {
        profile.lockout = profile::Lockout::default();
        profile::save(&profile);
    }
    Ok(profile)
}

/// The second half of [`unlock`], with the vault unlocked by [`check_pin`]: the secrets,
/// the records, and the profile open.
pub async fn open_checked(ctx: Ctx, profile: Profile) -> Result<(), UnlockError> {
    let secrets = Secrets {
        token: open_opt(profile.sealed_token.as_deref()).await,
        person_code_key: open_opt(profile.sealed_person_code_key.as_deref()).await,
    };
    let store = RecordStore::for_profile(&profile);
    // The day's rows first when there are many rows and the day's hint names them.
    let loaded = store.load_first(crate::platform::today()).await;
    let first = match loaded {
        Ok(loaded) => loaded,
        Err(err) => {
            leptos::logging::warn!("carnet: cannot read records: {err}");
            vault::lock();
            return Err(err.into());
        }
    };
    enter(ctx, profile, secrets, first).await;
    Ok(())
}

async fn enter(ctx: Ctx, profile: Profile, secrets: Secrets, first: FirstRead) {
    let FirstRead {
        records,
        set_aside,
        every_row: rows_in,
        waiting_since,
    } = first;
    let (presets, presets_unreadable) = match presets::load(&profile).await {
        Ok(list) => (list, false),
        Err(()) => (Vec::new(), true),
    };
    ctx.lock_profile.set(profile.clone());
    profile::remember_last(profile.id);
    let open = OpenProfile::new(profile, secrets);
    crate::bench::mark("load:presets");
    open.book.set(Book::from_records(records));
    crate::bench::mark("load:indexed");
    open.presets.set(presets);
    open.presets_unreadable.set(presets_unreadable);
    open.set_aside.set(set_aside);
    open.rows_in.set(rows_in);
    open.waiting_since_hint.set(waiting_since);
    listen_to_other_windows(&open);
    ctx.flash.set(None);
    ctx.day.set(crate::platform::today());
    // Opened from a pairing link: go straight to where the code is used. Else the form
    // being filled when the profile locked comes back as it was.
    let reopened = draft::reopen(open.id()).await;
    let next = match &reopened {
        _ if ctx.pairing_hint.with_untracked(Option::is_some) => Screen::Settings,
        Some(form) => form_screen(form),
        None => Screen::Today,
    };
    ctx.go(next);
    crate::bench::seed::opened(&open);
    ctx.open.set(Some(open.clone()));
    crate::bench::mark("unlock:done");
    // Once the screen is up: the other rows, the older records sealed in blocks, then
    // sealing the synced records that aged into blocks (the next unlock reads fewer rows).
    wasm_bindgen_futures::spawn_local(async move {
        // After the first paint: the day's screen comes first.
        crate::platform::pause(50).await;
        let store = open.store();
        if !rows_in && !read_other_rows(ctx, &open).await {
            return;
        }
        if !still_open(ctx, &open) {
            return;
        }
        open.keep_day_hint().await;
        let shadowed = open
            .book
            .with_untracked(|b| b.iter().map(|l| l.record.id()).collect());
        match store.load_blocks(&shadowed).await {
            Ok((older, unreadable)) => {
                if !still_open(ctx, &open) {
                    return;
                }
                // A few hundred at a time, so taps are answered meanwhile.
                let mut older = older.into_iter().peekable();
                while older.peek().is_some() {
                    if !still_open(ctx, &open) {
                        return; // locked meanwhile: nothing more goes into memory
                    }
                    let chunk: Vec<_> = older.by_ref().take(500).collect();
                    open.book.update(|b| b.extend(chunk));
                    crate::platform::pause(0).await;
                }
                if !unreadable.is_empty() {
                    open.set_aside.update(|s| s.extend(unreadable));
                }
                open.complete.set(true);
                crate::bench::mark("unlock:complete");
            }
            Err(err) => {
                leptos::logging::warn!("carnet: cannot read the older records: {err}");
                return;
            }
        }
        crate::platform::pause(2_000).await;
        // A sync run in progress folds its log and compacts when it ends; doing it now
        // would only compete with the run for the rows lock.
        if !still_open(ctx, &open) || open.is_syncing() {
            return;
        }
        // What an earlier run logged and did not fold (the app was locked or closed).
        crate::sync::fold_log(&open).await;
        if still_open(ctx, &open)
            && !open.is_syncing()
            && let Err(err) = crate::retention::compact(&open, crate::platform::today()).await
        {
            leptos::logging::warn!("carnet: could not compact records: {err}");
        }
    });
}

/// Reads every row after the day's screen and adds the records the day's rows left out
/// (a record already in the book was read later, or saved since: it is kept). A store
/// that cannot be read now, after the day's rows were, locks the profile: nothing may run
/// on part of the queue. False when the profile is no longer open.
async fn read_other_rows(ctx: Ctx, open: &OpenProfile) -> bool {
    let (rows, set_aside) = match open.store().load_all().await {
        Ok(all) => all,
        Err(err) => {
            leptos::logging::warn!("carnet: cannot read the other rows: {err}");
            if still_open(ctx, open) {
                lock(ctx);
            }
            return false;
        }
    };
    if !still_open(ctx, open) {
        return false;
    }
    open.book.update(|b| {
        let absent: Vec<_> = rows
            .into_iter()
            .filter(|local| b.get(local.record.id()).is_none())
            .collect();
        b.extend(absent);
    });
    open.set_aside.set(set_aside);
    open.rows_in.set(true);
    crate::bench::mark("unlock:rows");
    true
}

/// The screen of a form being filled.
fn form_screen(form: &FormDraft) -> Screen {
    match form {
        FormDraft::Contact {
            editing: Some(id), ..
        }
        | FormDraft::Activity {
            editing: Some(id), ..
        } => Screen::Edit(*id),
        FormDraft::Contact { .. } => Screen::NewContact,
        FormDraft::Activity { .. } => Screen::NewActivity,
    }
}

/// Whether `open` is still the unlocked profile (the worker may have locked meanwhile, or
/// the app's root been disposed under a task that outlived it).
fn still_open(ctx: Ctx, open: &OpenProfile) -> bool {
    ctx.open
        .try_with_untracked(|o| o.as_ref().is_some_and(|o| o.id() == open.id()))
        .unwrap_or(false)
}

/// Keeps the open profile's records in step with its other windows: a changed row is
/// read again from IndexedDB, a vanished one dropped.
fn listen_to_other_windows(open: &OpenProfile) {
    let store = open.store();
    let book = open.book.clone();
    let channel = broadcast::Channel::open(open.id(), move |ids| {
        let store = store.clone();
        let book = book.clone();
        wasm_bindgen_futures::spawn_local(async move {
            for id in ids {
                match store.get(id).await {
                    Ok(Some(local)) => book.update(|b| b.upsert(local)),
                    Ok(None) => book.update(|b| {
                        b.remove(id);
                    }),
                    Err(err) => leptos::logging::warn!("carnet: cannot re-read a row: {err}"),
                }
            }
        });
    });
    if let (Some(channel), Ok(mut slot)) = (channel, open.channel.lock()) {
        *slot = Some(send_wrapper::SendWrapper::new(channel));
    }
}

/// Locks at once: the run is stopped, the key dropped, and every record and secret leaves
/// memory and screen.
pub fn lock(ctx: Ctx) {
    vault::lock();
    if let Some(open) = ctx.open.get_untracked() {
        open.clear();
    }
    ctx.open.set(None);
    ctx.prefill.set(None);
    ctx.flash.set(None);
    ctx.screen.set(Screen::Today);
    if let Some(window) = web_sys::window() {
        window.scroll_to_with_x_and_y(0.0, 0.0);
    }
}

/// Another worker starts using this phone: a fresh profile, to be given its own PIN.
pub fn start_new_profile(ctx: Ctx) {
    ctx.lock_profile.set(Profile::new());
}

/// Back from « another worker » to unlocking an existing profile.
pub fn back_to_unlock(ctx: Ctx) {
    if let Some(existing) =
        profile::last_opened().or_else(|| profile::with_vault().into_iter().next())
    {
        ctx.lock_profile.set(existing);
    }
}

/// The profile to show at start-up: the one opened last (unlock), another with a PIN, or a
/// new one (set a PIN).
pub fn initial_profile() -> Profile {
    if let Some(last) = profile::last_opened() {
        return last;
    }
    let all = profile::load_all();
    all.iter()
        .find(|p| p.vault.is_some())
        .or_else(|| all.first())
        .cloned()
        .unwrap_or_else(Profile::new)
}

/// Seals and stores the sync token of the open profile.
pub async fn store_secret_token(open: &OpenProfile, token: &str) -> bool {
    let Ok(sealed) = vault::seal(token).await else {
        return false;
    };
    let mut p = open.profile.get_untracked();
    p.sealed_token = Some(sealed);
    if !profile::save(&p) {
        return false;
    }
    open.profile.set(p);
    open.secrets.update(|s| s.token = Some(token.to_owned()));
    true
}

/// Seals and stores the organisation's person-code key; keeps the role and the retention
/// window the server gave.
pub async fn store_me(open: &OpenProfile, me: &carnet_core::wire::Me) {
    let key = me.person_code_key.as_str();
    let Ok(sealed) = vault::seal(key).await else {
        return;
    };
    let mut p = open.profile.get_untracked();
    p.sealed_person_code_key = Some(sealed);
    p.coordinator = me.role == "coordinator";
    p.retention_days = me.retention_days;
    if profile::save(&p) {
        open.profile.set(p);
        open.secrets
            .update(|s| s.person_code_key = Some(key.to_owned()));
    }
}

/// Changes the open profile's PIN. The data key stays the same, so records need no
/// re-encryption; only its sealed copy changes.
pub async fn change_pin(open: &OpenProfile, old: &str, new: &str) -> Result<(), UnlockError> {
    let mut p = open.profile.get_untracked();
    let Some(header) = p.vault.clone() else {
        return Err(UnlockError::Storage);
    };
    let next = vault::change_pin(&header, old, new)
        .await
        .map_err(|e| match e {
            vault::VaultError::WrongPin => UnlockError::WrongPin,
            _ => UnlockError::Storage,
        })?;
    p.vault = Some(next);
    if !profile::save(&p) {
        return Err(UnlockError::Storage);
    }
    open.profile.set(p);
    Ok(())
}
