//! Corrections and deletions on the device, before and after sync.
//!
//! Before the server has a record, the worker's correction simply replaces it and a
//! deletion forgets it. Once the server acknowledged a version, that version is history:
//! a correction becomes the next version and a deletion a tombstone version, both synced
//! like any record, so the server keeps the audit trail.

use crate::record::Contact;

/// What a deletion does on the device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Deletion {
    /// The server never acknowledged any version: drop the record from the device.
    Forget,
    /// Store (and later sync) this tombstone in place of the record.
    Tombstone(Box<Contact>),
}

/// The record to store after the worker corrected `current` into `corrected` (whose id,
/// version and timestamp are taken from `current`). `synced_version` is the last version
/// the server acknowledged, if any.
pub fn correction(current: &Contact, synced_version: Option<u32>, corrected: Contact) -> Contact {
    let mut next = Contact {
        id: current.id,
        version: current.version,
        occurred_at: current.occurred_at,
        deleted: false,
        ..corrected
    }
    .normalized();
    if synced_version.is_some_and(|v| v >= current.version) {
        next.version = current.version.saturating_add(1);
    }
    next
}

/// What deleting `current` means, given the last version the server acknowledged.
pub fn deletion(current: &Contact, synced_version: Option<u32>) -> Deletion {
    match synced_version {
        None => Deletion::Forget,
        Some(v) if v >= current.version => {
            Deletion::Tombstone(Box::new(current.clone().tombstone()))
        }
        // A correction not yet synced sits on top of a synced version: the tombstone
        // takes the correction's place.
        Some(_) => {
            let mut gone = current.clone();
            gone.deleted = true;
            Deletion::Tombstone(Box::new(gone))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::tests::contact;

    #[test]
    fn before_sync_a_correction_replaces_and_a_deletion_forgets() {
        let c = contact(1, "2026-11-28T21:00:00-05:00", &["sante"]);
        let mut changed = contact(99, "2020-01-01T00:00:00Z", &["justice"]);
        changed.milieu = "rue".into();
        let fixed = correction(&c, None, changed);
        assert_eq!(
            (fixed.id, fixed.version, fixed.occurred_at),
            (c.id, 1, c.occurred_at)
        );
        assert_eq!(fixed.milieu, "rue");
        assert_eq!(deletion(&c, None), Deletion::Forget);
    }

    #[test]
    fn after_sync_a_correction_is_the_next_version() {
        let c = contact(1, "2026-11-28T21:00:00-05:00", &["sante"]);
        let fixed = correction(&c, Some(1), c.clone());
        assert_eq!(fixed.version, 2);
        // Corrected again before the next sync: still version 2.
        let again = correction(&fixed, Some(1), fixed.clone());
        assert_eq!(again.version, 2);
    }

    #[test]
    fn after_sync_a_deletion_is_a_tombstone() {
        let c = contact(1, "2026-11-28T21:00:00-05:00", &["sante"]);
        let Deletion::Tombstone(t) = deletion(&c, Some(1)) else {
            panic!("expected a tombstone")
        };
        assert_eq!((t.id, t.version, t.deleted), (c.id, 2, true));
        let pending_fix = correction(&c, Some(1), c.clone());
        let Deletion::Tombstone(t) = deletion(&pending_fix, Some(1)) else {
            panic!("expected a tombstone")
        };
        assert_eq!((t.version, t.deleted), (2, true));
    }
}
