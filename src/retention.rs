//! Less on the phone: once the server durably holds a record, the phone keeps it only for
//! the organisation's retention window (45 days unless the server says otherwise). Older
//! synced records are removed after a successful sync, so a seized phone holds weeks, not
//! the year. « Mes chiffres » for longer periods come from the server (`figures_cache`).
//!
//! ```ignore
//! retention::prune(&open, platform::today()).await?;  // after a sync without failure
//! ```

use carnet_core::SyncState;
use chrono::{Duration, NaiveDate};
use leptos::prelude::*;
use uuid::Uuid;

use crate::state::OpenProfile;
use crate::storage::StoreError;
use crate::{locks, sync};

/// The first day the phone keeps, for a window of `days` ending `today`.
pub fn first_kept_day(today: NaiveDate, days: u32) -> NaiveDate {
    today - Duration::days(i64::from(days))
}

/// Removes the open profile's synced records dated before the window; returns how many.
/// A row is removed only if it still holds what the server acknowledged (checked in the
/// same transaction), so a correction made meanwhile is never lost.
pub async fn prune(open: &OpenProfile, today: NaiveDate) -> Result<usize, StoreError> {
    let days = open.profile.with_untracked(|p| p.retention_days);
    let first_kept = first_kept_day(today, days);
    let old: Vec<(Uuid, String)> = open.book.with_untracked(|book| {
        book.days(
            NaiveDate::MIN,
            first_kept.pred_opt().unwrap_or(NaiveDate::MIN),
        )
        .filter(|l| l.standing.sync == SyncState::Synced)
        .map(|l| (l.record.id(), l.standing.digest.clone()))
        .collect()
    });
    if old.is_empty() {
        return Ok(0);
    }
    let store = open.store();
    let removed = locks::with_lock(&locks::rows(open.id()), store.remove_synced(&old)).await?;
    open.book.update(|book| {
        for id in &removed {
            book.remove(*id);
        }
    });
    if !removed.is_empty() {
        let through = first_kept.pred_opt().unwrap_or(first_kept);
        let mut profile = open.profile.get_untracked();
        profile.pruned_through = Some(profile.pruned_through.map_or(through, |d| d.max(through)));
        if crate::profile::save(&profile) {
            open.profile.set(profile);
        }
    }
    sync::notify(open, &removed);
    Ok(removed.len())
}
