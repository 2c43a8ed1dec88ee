//! Locking and unlocking: which profile is open, its secrets in memory, and nothing at all
//! of any record while locked.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::book::Book;
use crate::profile::{self, Profile};
use crate::state::{Ctx, OpenProfile, Screen, Secrets};
use crate::storage::{LocalRecord, RecordStore, SetAside};
use crate::{broadcast, local_store, presets, storage_guard, vault};

const FAILURES_KEY: &str = "carnet.lock";

/// Shortest PIN (or passphrase) accepted.
pub const MIN_PIN_CHARS: usize = 6;

/// Wrong PINs in a row, and when the next try is allowed: survives a reload.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
struct Failures {
    count: u32,
    until_ms: f64,
}

/// Why unlocking did not happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnlockError {
    /// No vault opened with this PIN.
    WrongPin,
    /// Too many wrong PINs: wait this many seconds.
    Wait(u64),
    /// The device's storage failed.
    Storage,
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

/// Sets the first PIN of the profile on the lock screen, seals what was stored in clear,
/// asks the browser to keep the storage (not evict it), and opens the profile.
pub async fn set_up(ctx: Ctx, pin: &str) -> Result<(), UnlockError> {
    let mut profile = ctx.lock_profile.get_untracked();
    let header = vault::create(pin).await.map_err(|_| UnlockError::Storage)?;
    let secrets = Secrets {
        token: profile.token.take(),
        person_code_key: profile.person_code_key.take(),
    };
    profile.sealed_token = seal_opt(secrets.token.as_deref()).await?;
    profile.sealed_person_code_key = seal_opt(secrets.person_code_key.as_deref()).await?;
    profile.vault = Some(header);
    // Rows written before encryption existed are read in clear and written back sealed.
    let store = RecordStore::for_profile(&profile);
    let (records, set_aside) = store.load_all().await.map_err(|_| UnlockError::Storage)?;
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
    enter(ctx, profile, secrets, records, set_aside).await;
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

/// Tries `pin` against every profile of the device; the one it opens becomes current.
pub async fn unlock(ctx: Ctx, pin: &str) -> Result<(), UnlockError> {
    let failures: Failures = local_store::get(FAILURES_KEY).unwrap_or_default();
    if failures.until_ms > now_ms() {
        return Err(UnlockError::Wait(
            ((failures.until_ms - now_ms()) / 1000.0).ceil() as u64,
        ));
    }
    for profile in profile::load_all() {
        let Some(header) = &profile.vault else {
            continue;
        };
        if vault::unlock(header, pin).await.is_err() {
            continue;
        }
        local_store::remove(FAILURES_KEY);
        let secrets = Secrets {
            token: open_opt(profile.sealed_token.as_deref()).await,
            person_code_key: open_opt(profile.sealed_person_code_key.as_deref()).await,
        };
        let (records, set_aside) = match RecordStore::for_profile(&profile).load_all().await {
            Ok(loaded) => loaded,
            Err(err) => {
                leptos::logging::warn!("carnet: cannot read records: {err}");
                vault::lock();
                return Err(UnlockError::Storage);
            }
        };
        enter(ctx, profile, secrets, records, set_aside).await;
        return Ok(());
    }
    let count = failures.count + 1;
    let wait = delay_after(count);
    local_store::set(
        FAILURES_KEY,
        &Failures {
            count,
            until_ms: now_ms() + wait as f64 * 1000.0,
        },
    );
    if wait > 0 {
        Err(UnlockError::Wait(wait))
    } else {
        Err(UnlockError::WrongPin)
    }
}

async fn enter(
    ctx: Ctx,
    profile: Profile,
    secrets: Secrets,
    records: Vec<LocalRecord>,
    set_aside: Vec<SetAside>,
) {
    let (presets, presets_unreadable) = match presets::load(&profile).await {
        Ok(list) => (list, false),
        Err(()) => (Vec::new(), true),
    };
    ctx.lock_profile.set(profile.clone());
    let open = OpenProfile::new(profile, secrets);
    open.book.set(Book::from_records(records));
    open.presets.set(presets);
    open.presets_unreadable.set(presets_unreadable);
    open.set_aside.set(set_aside);
    listen_to_other_windows(&open);
    ctx.flash.set(None);
    ctx.day.set(crate::platform::today());
    // Opened from a pairing link: go straight to where the code is used.
    let next = if ctx.pairing_hint.with_untracked(Option::is_some) {
        Screen::Settings
    } else {
        Screen::Today
    };
    ctx.screen.set(next);
    ctx.open.set(Some(open));
}

/// Keeps the open profile's records in step with its other windows: a changed row is
/// read again from IndexedDB, a vanished one dropped.
fn listen_to_other_windows(open: &OpenProfile) {
    let store = open.store();
    let book = open.book.clone();
    let channel = broadcast::Channel::open(open.id(), move |ids| {
        let store = store.clone();
        let book = book.clone();
        leptos::task::spawn_local(async move {
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
    if let Some(existing) = profile::load_all().into_iter().find(|p| p.vault.is_some()) {
        ctx.lock_profile.set(existing);
    }
}

/// The profile to show at start-up: an existing one (unlock), or a new one (set a PIN).
pub fn initial_profile() -> Profile {
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

/// Seals and stores the organisation's person-code key, and the role.
pub async fn store_person_code_key(open: &OpenProfile, key: &str, coordinator: bool) {
    let Ok(sealed) = vault::seal(key).await else {
        return;
    };
    let mut p = open.profile.get_untracked();
    p.sealed_person_code_key = Some(sealed);
    p.coordinator = coordinator;
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
