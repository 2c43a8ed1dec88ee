//! What the worker's taps do: each action validates with `carnet-core`, writes through
//! `storage`, then updates the shared state. Components call these and render the result.

use carnet_core::edit::{self, Deletion};
use carnet_core::person;
use carnet_core::{ActivityDraft, ContactDraft, Record, SyncState};
use leptos::prelude::*;
use uuid::Uuid;

use crate::app::{Ctx, Screen};
use crate::presets::{self, Preset};
use crate::storage::LocalRecord;
use crate::{api, platform, session, sync};

/// Saves a new contact, or a correction of `editing`. `alias` (typed by the worker) is
/// turned into a person code here and dropped: it is never stored.
/// Returns the messages to show when the record cannot be saved.
pub async fn save_contact(
    ctx: Ctx,
    editing: Option<Uuid>,
    mut draft: ContactDraft,
    alias: String,
) -> Result<(), Vec<String>> {
    let lang = ctx.lang();
    let t = lang.t();
    if !alias.trim().is_empty() {
        let key = ctx
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
    let taxonomy = ctx.taxonomy.get_untracked();
    let contact = draft
        .finish(platform::random_uuid(), platform::now(), &taxonomy)
        .map_err(|e| field_messages(lang, &e))?;
    store_record(ctx, editing, Record::Contact(contact)).await
}

/// Saves a new activity, or a correction of `editing`.
pub async fn save_activity(
    ctx: Ctx,
    editing: Option<Uuid>,
    draft: ActivityDraft,
) -> Result<(), Vec<String>> {
    let lang = ctx.lang();
    let taxonomy = ctx.taxonomy.get_untracked();
    let activity = draft
        .finish(platform::random_uuid(), platform::now(), &taxonomy)
        .map_err(|e| field_messages(lang, &e))?;
    store_record(ctx, editing, Record::Activity(activity)).await
}

/// The worker-language message of every rule a record broke.
fn field_messages(lang: crate::i18n::Lang, error: &carnet_core::RecordError) -> Vec<String> {
    error.errors.iter().map(|f| lang.field_error(f)).collect()
}

/// Writes a new record, or the correction of `editing` (same id, version by the rules of
/// `carnet_core::edit`), then returns to « Aujourd'hui ».
async fn store_record(ctx: Ctx, editing: Option<Uuid>, record: Record) -> Result<(), Vec<String>> {
    let t = ctx.t();
    let current = editing.and_then(|id| find(ctx, id));
    let local = match current {
        Some(current) => LocalRecord {
            record: edit::correction(&current.record, current.synced_version, record),
            sync: SyncState::Pending,
            synced_version: current.synced_version,
        },
        None => LocalRecord {
            record,
            sync: SyncState::Pending,
            synced_version: None,
        },
    };
    // Only once IndexedDB has committed do we tell the worker it is saved.
    if let Err(err) = ctx.store().put(&local).await {
        leptos::logging::warn!("carnet: save failed: {err}");
        return Err(vec![t.save_failed.into()]);
    }
    replace_or_push(ctx, local);
    ctx.flash.set(Some(
        if editing.is_some() {
            t.updated
        } else {
            t.saved
        }
        .into(),
    ));
    ctx.prefill.set(None);
    ctx.go(Screen::Today);
    Ok(())
}

fn find(ctx: Ctx, id: Uuid) -> Option<LocalRecord> {
    ctx.records
        .with_untracked(|r| r.iter().find(|x| x.record.id() == id).cloned())
}

/// Deletes a record: forgotten if the server never had it, else a tombstone to sync.
pub async fn delete_record(ctx: Ctx, id: Uuid) -> Result<(), Vec<String>> {
    let t = ctx.t();
    let Some(current) = find(ctx, id) else {
        return Ok(());
    };
    let result = match edit::deletion(&current.record, current.synced_version) {
        Deletion::Forget => ctx.store().remove(id).await.map(|()| {
            ctx.records.update(|r| r.retain(|x| x.record.id() != id));
        }),
        Deletion::Tombstone(record) => {
            let local = LocalRecord {
                record: *record,
                sync: SyncState::Pending,
                synced_version: current.synced_version,
            };
            ctx.store()
                .put(&local)
                .await
                .map(|()| replace_or_push(ctx, local))
        }
    };
    if let Err(err) = result {
        leptos::logging::warn!("carnet: delete failed: {err}");
        return Err(vec![t.save_failed.into()]);
    }
    ctx.flash.set(Some(t.deleted.into()));
    ctx.go(Screen::Today);
    Ok(())
}

fn replace_or_push(ctx: Ctx, record: LocalRecord) {
    ctx.records.update(
        |all| match all.iter_mut().find(|x| x.record.id() == record.record.id()) {
            Some(slot) => *slot = record,
            None => all.push(record),
        },
    );
}

/// Sends the queue; returns the message for the worker.
pub async fn sync_now(ctx: Ctx) -> String {
    let lang = ctx.lang();
    let Some(token) = ctx.secrets.with_untracked(|s| s.token.clone()) else {
        return lang.t().needs_token.into();
    };
    ctx.syncing.set(true);
    if ctx.secrets.with_untracked(|s| s.person_code_key.is_none()) {
        fetch_person_code_key(ctx, &token).await;
    }
    let records = ctx.records.get_untracked();
    let result = sync::run(&ctx.store(), &token, &records, |transitions| {
        ctx.records.update(|all| {
            for t in transitions {
                if let Some(r) = all.iter_mut().find(|r| r.record.id() == t.id) {
                    if t.to == SyncState::Synced {
                        r.synced_version = Some(r.record.version());
                    }
                    r.sync = t.to.clone();
                }
            }
        });
    })
    .await;
    ctx.syncing.set(false);
    match result {
        Ok(summary) => lang.sync_summary(&summary),
        Err(err) => {
            leptos::logging::warn!("carnet: sync bookkeeping failed: {err}");
            lang.t().save_failed.into()
        }
    }
}

/// Stores a new token (sealed), then (if online) fetches the organisation's person-code key.
pub async fn save_token(ctx: Ctx, token: String) -> bool {
    if !session::store_secret_token(ctx, &token).await {
        return false;
    }
    fetch_person_code_key(ctx, &token).await;
    true
}

/// Pairs this device with a one-time code from the coordinator.
pub async fn pair_device(ctx: Ctx, code: String) -> Result<(), carnet_core::Failure> {
    let paired = api::pair(code.trim()).await?;
    if save_token(ctx, paired.token).await {
        Ok(())
    } else {
        Err(carnet_core::Failure::Server)
    }
}

async fn fetch_person_code_key(ctx: Ctx, token: &str) {
    if let Ok(me) = api::get_me(token).await {
        session::store_person_code_key(ctx, &me.person_code_key, me.role == "coordinator").await;
    }
}

/// Makes a shortcut from a record's situation (never its person code, note or occupation).
pub fn make_preset(ctx: Ctx, id: Uuid) {
    let Some(draft) = find(ctx, id).and_then(|x| {
        x.record
            .as_contact()
            .map(|c| ContactDraft::from(c).as_preset())
    }) else {
        return;
    };
    if ctx
        .presets
        .with_untracked(|p| p.iter().any(|x| x.draft == draft))
    {
        ctx.flash.set(Some(ctx.t().shortcut_saved.into()));
        return;
    }
    ctx.presets.update(|p| {
        p.push(Preset {
            id: platform::random_uuid(),
            draft,
        })
    });
    persist_presets(ctx);
    ctx.flash.set(Some(ctx.t().shortcut_saved.into()));
}

pub fn remove_preset(ctx: Ctx, id: Uuid) {
    ctx.presets.update(|p| p.retain(|x| x.id != id));
    persist_presets(ctx);
}

/// One tap: the form opens filled with the shortcut, ready to save.
pub fn apply_preset(ctx: Ctx, id: Uuid) {
    let draft = ctx
        .presets
        .with_untracked(|p| p.iter().find(|x| x.id == id).map(|x| x.draft.clone()));
    if let Some(draft) = draft {
        ctx.flash.set(None);
        ctx.prefill.set(Some(draft));
        ctx.go(Screen::NewContact);
    }
}

fn persist_presets(ctx: Ctx) {
    let profile = ctx.profile.get_untracked();
    let list = ctx.presets.get_untracked();
    leptos::task::spawn_local(async move {
        if !presets::save(&profile, &list).await {
            leptos::logging::warn!("carnet: shortcuts not saved");
        }
    });
}
