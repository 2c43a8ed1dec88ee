//! What the phone keeps, and in which form.
//!
//! - **Less on the phone.** Once the server durably holds a record, the phone keeps it only
//!   for the organisation's retention window (45 days unless the server says otherwise).
//!   Older synced records are removed after a successful sync, so a seized phone holds
//!   weeks, not the year. « Mes chiffres » for longer periods come from the server
//!   (`figures_cache`).
//! - **Blocks.** Synced records older than [`LOOSE_DAYS`] are sealed together in blocks
//!   (`storage`), so that unlocking opens the few recent rows at once and the blocks after,
//!   in the background.
//!
//! ```ignore
//! retention::prune(&open, platform::today()).await?;    // after a sync without failure
//! retention::compact(&open, platform::today()).await?;  // once the blocks are loaded
//! ```

use std::collections::HashMap;

use carnet_core::SyncState;
use carnet_core::hash::Fixed;
use chrono::{Duration, NaiveDate};
use leptos::prelude::*;
use uuid::Uuid;

use crate::state::OpenProfile;
use crate::storage::StoreError;
use crate::{locks, sync};

/// Synced records of the last days keep a row of their own (the day list shows them at
/// once after unlocking); older ones go into blocks.
pub const LOOSE_DAYS: i64 = 2;

/// The first day the phone keeps, for a window of `days` ending `today`.
pub fn first_kept_day(today: NaiveDate, days: u32) -> NaiveDate {
    today - Duration::days(i64::from(days))
}

/// Removes the open profile's synced records dated before the window, rows and block
/// entries; returns how many. A row is removed only if it still holds what the server
/// acknowledged (checked in the same transaction), so a correction made meanwhile is never
/// lost. Blocks are pruned only once the phone has read them all.
pub async fn prune(open: &OpenProfile, today: NaiveDate) -> Result<usize, StoreError> {
    let days = open.profile.with_untracked(|p| p.retention_days);
    let first_kept = first_kept_day(today, days);
    let last_gone = first_kept.pred_opt().unwrap_or(NaiveDate::MIN);
    let old: Vec<(Uuid, String)> = open.book.with_untracked(|book| {
        book.days(NaiveDate::MIN, last_gone)
            .filter(|l| l.standing.sync == SyncState::Synced)
            .map(|l| (l.record.id(), l.standing.digest.clone()))
            .collect()
    });
    let store = open.store();
    let complete = open.complete.get_untracked();
    let (removed, from_blocks) = locks::with_lock(&locks::rows(open.id()), async {
        let removed = if old.is_empty() {
            Vec::new()
        } else {
            store.remove_synced(&old).await?
        };
        let from_blocks = if complete {
            // The versions the phone shows: a block entry that is not one of them (shadowed
            // by a correction, or already removed) is dropped with the expired ones.
            let current: HashMap<Uuid, u32, Fixed> = open.book.with_untracked(|book| {
                book.iter()
                    .map(|l| (l.record.id(), l.record.version()))
                    .collect()
            });
            store.prune_blocks(first_kept, &current).await?
        } else {
            0
        };
        Ok::<_, StoreError>((removed, from_blocks))
    })
    .await?;
    let gone: Vec<Uuid> = old.iter().map(|(id, _)| *id).collect();
    open.book.update(|book| {
        for id in &removed {
            book.remove(*id);
        }
        if from_blocks > 0 {
            // Expired entries of blocks: every synced record before the window.
            for id in &gone {
                if book
                    .get(*id)
                    .is_some_and(|l| l.standing.sync == SyncState::Synced)
                {
                    book.remove(*id);
                }
            }
        }
    });
    let total = removed.len() + from_blocks;
    if total > 0 {
        let mut profile = open.profile.get_untracked();
        profile.pruned_through = Some(
            profile
                .pruned_through
                .map_or(last_gone, |d| d.max(last_gone)),
        );
        if crate::profile::save(&profile) {
            open.profile.set(profile);
        }
    }
    sync::notify(open, &removed);
    Ok(total)
}

/// Seals the open profile's synced records older than [`LOOSE_DAYS`] into blocks when there
/// are enough of them (see `storage`). Runs in the background, under the rows lock, once
/// the blocks were read; nothing changes on screen.
pub async fn compact(open: &OpenProfile, today: NaiveDate) -> Result<usize, StoreError> {
    if !open.complete.get_untracked() {
        return Ok(0);
    }
    let before = today - Duration::days(LOOSE_DAYS);
    let candidates: Vec<crate::storage::LocalRecord> = open.book.with_untracked(|book| {
        book.days(NaiveDate::MIN, before.pred_opt().unwrap_or(NaiveDate::MIN))
            .filter(|l| l.standing.sync == SyncState::Synced)
            .cloned()
            .collect()
    });
    if candidates.len() < crate::storage::BLOCK_MIN {
        return Ok(0);
    }
    let store = open.store();
    locks::with_lock(&locks::rows(open.id()), store.compact(&candidates, before)).await
}
