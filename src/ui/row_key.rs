//! What a record's row shows, as the key of a keyed list (`<For>`): the day's records and
//! « À corriger » redraw a row only when its key changes (another day, a save, a synced
//! batch, a settled refusal redraw no other row).
//!
//! ```ignore
//! <For each=move || rows.get() key=RowKey::of let:local> … </For>
//! ```
//!
//! One key for both lists: a keyed list's sets and diff are compiled once per key type.

use carnet_core::SyncState;
use uuid::Uuid;

use crate::storage::LocalRecord;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RowKey {
    id: Uuid,
    /// The content.
    digest: String,
    /// The sync state, with a refusal's reasons and a conflict's server version.
    sync: SyncState,
    /// Sent, not yet confirmed: its own badge.
    unconfirmed: bool,
}

impl RowKey {
    pub fn of(local: &LocalRecord) -> Self {
        RowKey {
            id: local.record.id(),
            digest: local.standing.digest.clone(),
            sync: local.standing.sync.clone(),
            unconfirmed: local.standing.is_unconfirmed(),
        }
    }
}
