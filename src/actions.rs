//! What the worker's taps do: each action validates with `carnet-core`, writes through
//! `storage` (under the profile's rows lock when it reads a row first), then updates the
//! shared state and tells the profile's other windows. Components dispatch these through
//! Leptos actions and render the result.

use carnet_core::edit::{self, Deletion};
use carnet_core::sync::{self as core_sync, Resolution};
use carnet_core::{ActivityDraft, ContactDraft, Record, Standing, SyncState, SyncSummary, person};
use leptos::prelude::*;
use uuid::Uuid;

use crate::api::{self, ClientError};
use crate::i18n::Lang;
use crate::presets::{self, Preset};
use crate::state::{Ctx, OpenProfile, Screen, SyncStatus};
use crate::storage::{LocalRecord, StoreError};
use crate::sync::{self, RunEnd};
use crate::{locks, platform, session};

/// Saves a new contact, or a correction of `editing`. `alias` (typed by the worker) is
/// turned into a person code here and dropped: it is never stored.
/// Returns the messages to show when the record cannot be saved.
pub async fn save_contact(
    ctx: Ctx,
    editing: Option<Uuid>,
    mut draft: ContactDraft,
    alias: String,
) -> Result<(), Vec<String>> {
    crate::bench::mark("save:start");
    let lang = ctx.lang();
    let t = lang.t();
    let open = ctx
        .open_profile()
        .ok_or_else(|| vec![t.save_failed.to_owned()])?;
    if !alias.trim().is_empty() {
        let key = open
            .secrets
            .with_untracked(|s| s.person_code_key.clone())
            .and_then(|hex| person::key_from_hex(&hex));
        let Some(key) = key else {
            return Err(vec![t.person_code_unavailable.into()]);
        };
        draft.person_code = Some(
            person::person_code(&key, &alias).map_err(|_| vec![t.alias_too_short.to_owned()])?,
        );
    }
    let contact = ctx
        .taxonomy
        .with_untracked(|taxonomy| draft.finish(platform::random_uuid(), platform::now(), taxonomy))
        .map_err(|e| field_messages(lang, &e))?;
    store_record(ctx, &open, editing, Record::Contact(contact)).await
}

/// Saves a new activity, or a correction of `editing`.
pub async fn save_activity(
    ctx: Ctx,
    editing: Option<Uuid>,
    draft: ActivityDraft,
) -> Result<(), Vec<String>> {
    let lang = ctx.lang();
    let open = ctx
        .open_profile()
        .ok_or_else(|| vec![lang.t().save_failed.to_owned()])?;
    let activity = ctx
        .taxonomy
        .with_untracked(|taxonomy| draft.finish(platform::random_uuid(), platform::now(), taxonomy))
        .map_err(|e| field_messages(lang, &e))?;
    store_record(ctx, &open, editing, Record::Activity(activity)).await
}

/// The worker-language message of every rule a record broke.
fn field_messages(lang: Lang, error: &carnet_core::RecordError) -> Vec<String> {
    error.errors.iter().map(|f| lang.field_error(f)).collect()
}

/// Why a write did not happen.
#[derive(Debug)]
enum WriteError {
    /// The record is no longer on the device (another window deleted it).
    Gone,
    Storage(StoreError),
}

impl From<StoreError> for WriteError {
    fn from(e: StoreError) -> Self {
        WriteError::Storage(e)
    }
}

/// Writes a new record, or the correction of `editing` (same id, the version
/// `carnet_core::edit` decides from the row as it is now), then returns to the day list.
async fn store_record(
    ctx: Ctx,
    open: &OpenProfile,
    editing: Option<Uuid>,
    record: Record,
) -> Result<(), Vec<String>> {
    let t = ctx.t();
    let store = open.store();
    crate::bench::mark("save:checked");
    let result = match editing {
        // A new id: nobody else can hold this row, no lock needed.
        None => {
            let version = record.version();
            store
                .write(record, |digest| Standing::new(version, digest))
                .await
                .map_err(WriteError::from)
        }
        Some(id) => {
            locks::with_lock(&locks::rows(open.id()), async {
                let current = store.get(id).await?.ok_or(WriteError::Gone)?;
                let fixed = edit::correction(&current.record, &current.standing, record);
                let version = fixed.version();
                Ok(store
                    .write(fixed, |digest| current.standing.rewritten(version, digest))
                    .await?)
            })
            .await
        }
    };
    let local = match result {
        Ok(local) => local,
        Err(WriteError::Gone) => return Err(vec![t.record_gone.into()]),
        Err(WriteError::Storage(err)) => {
            leptos::logging::warn!("carnet: save failed: {err}");
            return Err(vec![t.save_failed.into()]);
        }
    };
    // Only once IndexedDB has committed do we tell the worker it is saved.
    crate::bench::mark("save:durable");
    let id = local.record.id();
    let day = local.record.local_date();
    open.book.update(|b| b.upsert(local));
    sync::notify(open, &[id]);
    ctx.flash.set(Some(
        if editing.is_some() {
            t.updated
        } else {
            t.saved
        }
        .into(),
    ));
    ctx.prefill.set(None);
    ctx.day.set(day);
    ctx.go(Screen::Today);
    Ok(())
}

/// Deletes a record: forgotten if no version can be on the server, else a tombstone
/// version to sync, so the server stops counting it.
pub async fn delete_record(ctx: Ctx, id: Uuid) -> Result<(), Vec<String>> {
    let t = ctx.t();
    let open = ctx
        .open_profile()
        .ok_or_else(|| vec![t.save_failed.to_owned()])?;
    let store = open.store();
    let result = locks::with_lock(&locks::rows(open.id()), async {
        let Some(current) = store.get(id).await? else {
            return Ok(None);
        };
        match edit::deletion(&current.record, &current.standing) {
            Deletion::Forget => store.remove(id).await.map(|()| None),
            Deletion::Tombstone(tombstone) => {
                let version = tombstone.version();
                store
                    .write(*tombstone, |digest| {
                        current.standing.rewritten(version, digest)
                    })
                    .await
                    .map(Some)
            }
        }
    })
    .await;
    match result {
        Ok(Some(tombstone)) => open.book.update(|b| b.upsert(tombstone)),
        Ok(None) => {
            open.book.update(|b| {
                b.remove(id);
            });
        }
        Err(err) => {
            leptos::logging::warn!("carnet: delete failed: {err}");
            return Err(vec![t.save_failed.into()]);
        }
    }
    sync::notify(&open, &[id]);
    ctx.flash.set(Some(t.deleted.into()));
    ctx.go(Screen::Today);
    Ok(())
}

/// A refused record goes out again as it is (the server's lists may have changed).
pub async fn send_again(ctx: Ctx, id: Uuid) -> Result<(), String> {
    let t = ctx.t();
    let open = ctx.open_profile().ok_or_else(|| t.save_failed.to_owned())?;
    let store = open.store();
    let result = locks::with_lock(&locks::rows(open.id()), async {
        let Some(mut current) = store.get(id).await? else {
            return Ok(None);
        };
        if !matches!(current.standing.sync, SyncState::Rejected { .. }) {
            return Ok(None);
        }
        current.standing.sync = SyncState::Pending;
        store.write_standing(id, &current.standing).await?;
        Ok::<_, StoreError>(Some(current))
    })
    .await;
    shown(ctx, &open, id, result)
}

/// The end of a row's read-modify-write under the rows lock: the row as rewritten goes on
/// screen and to the profile's other windows; `None` means nothing was changed.
fn shown(
    ctx: Ctx,
    open: &OpenProfile,
    id: Uuid,
    result: Result<Option<LocalRecord>, StoreError>,
) -> Result<(), String> {
    match result {
        Ok(Some(local)) => {
            open.book.update(|b| b.upsert(local));
            sync::notify(open, &[id]);
            Ok(())
        }
        Ok(None) => Ok(()),
        Err(err) => {
            leptos::logging::warn!("carnet: {err}");
            Err(ctx.t().save_failed.into())
        }
    }
}

/// The worker settles a genuine conflict: keep the device's version (`mine`) or the
/// server's. Needs the network (the server's version is fetched again).
pub async fn settle_conflict(ctx: Ctx, id: Uuid, mine: bool) -> Result<(), String> {
    let t = ctx.t();
    let open = ctx.open_profile().ok_or_else(|| t.save_failed.to_owned())?;
    let token = open.token().ok_or_else(|| t.needs_token.to_owned())?;
    let server = api::record_versions(&token, id, None)
        .await
        .map_err(|e| sync_failure_text(ctx.lang(), &e))?;
    let store = open.store();
    let result = locks::with_lock(&locks::rows(open.id()), async {
        let Some(current) = store.get(id).await? else {
            return Ok(None);
        };
        let latest = server.iter().map(Record::version).max().unwrap_or(0);
        let resolution = if mine {
            core_sync::keep_mine(&current.standing, latest)
        } else {
            core_sync::keep_servers(latest)
        };
        if matches!(resolution, Resolution::TakeServers { version: 0 }) {
            return Ok(None);
        }
        sync::carry_out(&store, &current, &resolution, &server)
            .await
            .map(Some)
    })
    .await;
    shown(ctx, &open, id, result)
}

/// Both versions of a record in conflict: the device's and the server's latest.
pub async fn conflict_versions(ctx: Ctx, id: Uuid) -> Result<(Record, Record), String> {
    let t = ctx.t();
    let open = ctx.open_profile().ok_or_else(|| t.save_failed.to_owned())?;
    let token = open.token().ok_or_else(|| t.needs_token.to_owned())?;
    let mine = open
        .book
        .with_untracked(|b| b.get(id).map(|l| l.record.clone()))
        .ok_or_else(|| t.record_gone.to_owned())?;
    let server = api::record_versions(&token, id, None)
        .await
        .map_err(|e| sync_failure_text(ctx.lang(), &e))?;
    let theirs = server
        .into_iter()
        .max_by_key(Record::version)
        .ok_or_else(|| t.record_gone.to_owned())?;
    Ok((mine, theirs))
}

fn sync_failure_text(lang: Lang, error: &ClientError) -> String {
    let t = lang.t();
    match error {
        ClientError::Unauthorized | ClientError::Forbidden => t.sync_unauthorized.into(),
        ClientError::Expired => t.sync_expired.into(),
        ClientError::Network | ClientError::Timeout | ClientError::Cancelled => {
            t.sync_offline.into()
        }
        _ => t.sync_server_error.into(),
    }
}

/// Starts a sync run of the open profile unless one is going; the status line follows it.
pub fn start_sync(ctx: Ctx) {
    let Some(open) = ctx.open_profile() else {
        return;
    };
    if open.run.lock().is_ok_and(|r| r.is_some()) {
        return;
    }
    leptos::task::spawn_local(async move {
        let message = sync_now(ctx, open.clone()).await;
        if let Some(message) = message {
            open.sync.set(SyncStatus::Done(message));
        }
    });
}

/// Sends the queue; returns the closing message (none when the run was cancelled).
async fn sync_now(ctx: Ctx, open: OpenProfile) -> Option<String> {
    let lang = ctx.lang();
    if open.token().is_none() {
        return Some(lang.t().needs_token.into());
    }
    open.sync.set(SyncStatus::Sending {
        left: open.book.with_untracked(|b| b.pending_count()),
    });
    // The organisation's key, the role and the retention window, as the server has them.
    if let Some(token) = open.token() {
        refresh_me(&open, &token).await;
    }
    let end = sync::run(open.clone()).await;
    if !matches!(end, RunEnd::ElsewhereRunning | RunEnd::NoToken) {
        sync::fold_log(&open).await;
    }
    if let Ok(mut resume) = open.resume_online.lock() {
        *resume = sync::resumes_online(&end);
    }
    if matches!(end, RunEnd::Ran(SyncSummary { failure: None, .. })) {
        // The organisation's lists may have changed: phones get them at their next sync.
        crate::taxonomy_cache::refresh(ctx.taxonomy).await;
        // What the server holds need not stay on the phone.
        if let Err(err) = crate::retention::prune(&open, platform::today()).await {
            leptos::logging::warn!("carnet: could not remove old records: {err}");
        }
        if let Err(err) = crate::retention::compact(&open, platform::today()).await {
            leptos::logging::warn!("carnet: could not compact records: {err}");
        }
    }
    match end {
        RunEnd::Ran(summary) => Some(lang.sync_summary(&summary)),
        RunEnd::NoToken => Some(lang.t().needs_token.into()),
        RunEnd::ElsewhereRunning => Some(lang.t().sync_elsewhere.into()),
        RunEnd::Storage => Some(lang.t().save_failed.into()),
        RunEnd::Cancelled => None,
    }
}

/// Stores a new token (sealed), then (if online) fetches the organisation's person-code key.
pub async fn save_token(ctx: Ctx, token: String) -> bool {
    let Some(open) = ctx.open_profile() else {
        return false;
    };
    if !session::store_secret_token(&open, &token).await {
        return false;
    }
    refresh_me(&open, &token).await;
    true
}

/// How pairing ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paired {
    Yes,
    /// The server paired the phone, but the device could not keep the token: it works
    /// until the app is locked; ask the coordinator for another code.
    NotKept,
}

/// Pairs this device with a one-time code from the coordinator. The code is used up by
/// the server at once, so the new token is sealed and stored with retries; if storage
/// still fails it is kept in memory for this session and the worker is told.
pub async fn pair_device(
    ctx: Ctx,
    code: String,
    label: Option<String>,
) -> Result<Paired, ClientError> {
    let open = ctx.open_profile().ok_or(ClientError::Network)?;
    let paired = api::pair(code.trim(), label.as_deref()).await?;
    for attempt in 0..3 {
        if session::store_secret_token(&open, &paired.token).await {
            refresh_me(&open, &paired.token).await;
            return Ok(Paired::Yes);
        }
        platform::pause(200 * (attempt + 1)).await;
    }
    leptos::logging::warn!("carnet: paired, but the token could not be stored");
    open.secrets
        .update(|s| s.token = Some(paired.token.clone()));
    refresh_me(&open, &paired.token).await;
    Ok(Paired::NotKept)
}

async fn refresh_me(open: &OpenProfile, token: &str) {
    if let Ok(me) = api::get_me(token).await {
        session::store_me(open, &me).await;
    }
}

/// Makes a shortcut from a record's situation (never its person code, note or occupation).
pub fn make_preset(ctx: Ctx, id: Uuid) {
    let Some(open) = ctx.open_profile() else {
        return;
    };
    let Some(draft) = open.book.with_untracked(|b| {
        b.get(id).and_then(|x: &LocalRecord| {
            x.record
                .as_contact()
                .map(|c| ContactDraft::from(c).as_preset())
        })
    }) else {
        return;
    };
    if open.presets_unreadable.get_untracked() {
        ctx.flash.set(Some(ctx.t().shortcuts_unreadable.into()));
        return;
    }
    if open
        .presets
        .with_untracked(|p| p.iter().any(|x| x.draft == draft))
    {
        ctx.flash.set(Some(ctx.t().shortcut_saved.into()));
        return;
    }
    open.presets.update(|p| {
        p.push(Preset {
            id: platform::random_uuid(),
            draft,
        })
    });
    persist_presets(ctx, &open);
    ctx.flash.set(Some(ctx.t().shortcut_saved.into()));
}

pub fn remove_preset(ctx: Ctx, id: Uuid) {
    let Some(open) = ctx.open_profile() else {
        return;
    };
    if open.presets_unreadable.get_untracked() {
        ctx.flash.set(Some(ctx.t().shortcuts_unreadable.into()));
        return;
    }
    open.presets.update(|p| p.retain(|x| x.id != id));
    persist_presets(ctx, &open);
}

/// One tap: the form opens filled with the shortcut, ready to save.
pub fn apply_preset(ctx: Ctx, id: Uuid) {
    let Some(open) = ctx.open_profile() else {
        return;
    };
    let draft = open
        .presets
        .with_untracked(|p| p.iter().find(|x| x.id == id).map(|x| x.draft.clone()));
    if let Some(draft) = draft {
        ctx.flash.set(None);
        ctx.prefill.set(Some(draft));
        ctx.go(Screen::NewContact);
    }
}

fn persist_presets(ctx: Ctx, open: &OpenProfile) {
    let profile = open.profile.get_untracked();
    let list = open.presets.get_untracked();
    leptos::task::spawn_local(async move {
        if !presets::save(&profile, &list).await {
            leptos::logging::warn!("carnet: shortcuts not saved");
            ctx.flash.set(Some(ctx.t().save_failed.into()));
        }
    });
}
