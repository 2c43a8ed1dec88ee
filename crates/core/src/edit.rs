//! Corrections and deletions on the device, before and after sync.
//!
//! Before the server has a record, the worker's correction simply replaces it and a
//! deletion forgets it. Once the server acknowledged a version, that version is history:
//! a correction becomes the next version and a deletion a tombstone version, both synced
//! like any record, so the server keeps the audit trail.

use crate::envelope::Record;

/// What a deletion does on the device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Deletion {
    /// The server never acknowledged any version: drop the record from the device.
    Forget,
    /// Store (and later sync) this tombstone in place of the record.
    Tombstone(Box<Record>),
}

/// The record to store after the worker corrected `current` into `corrected` (a record
/// of the same type whose id and timestamp are taken from `current`). `synced_version`
/// is the last version the server acknowledged, if any.
pub fn correction(current: &Record, synced_version: Option<u32>, corrected: Record) -> Record {
    let corrected = match corrected {
        Record::Contact(mut c) => {
            c.id = current.id();
            c.occurred_at = current.occurred_at();
            Record::Contact(c)
        }
        Record::Activity(mut a) => {
            a.id = current.id();
            a.occurred_at = current.occurred_at();
            Record::Activity(a)
        }
    };
    let version = if synced_version.is_some_and(|v| v >= current.version()) {
        current.version().saturating_add(1)
    } else {
        current.version()
    };
    corrected.with_version(version, false).normalized()
}

/// What deleting `current` means, given the last version the server acknowledged.
pub fn deletion(current: &Record, synced_version: Option<u32>) -> Deletion {
    match synced_version {
        None => Deletion::Forget,
        Some(v) if v >= current.version() => {
            let next = current.version().saturating_add(1);
            Deletion::Tombstone(Box::new(current.clone().with_version(next, true)))
        }
        // A correction not yet synced sits on top of a synced version: the tombstone
        // takes the correction's place.
        Some(_) => Deletion::Tombstone(Box::new(
            current.clone().with_version(current.version(), true),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::activity::tests::activity;
    use crate::record::tests::contact;

    fn c(n: u128) -> Record {
        Record::Contact(contact(n, "2026-11-28T21:00:00-05:00", &["sante"]))
    }

    #[test]
    fn before_sync_a_correction_replaces_and_a_deletion_forgets() {
        let current = c(1);
        let mut changed = contact(99, "2020-01-01T00:00:00Z", &["justice"]);
        changed.milieu = "rue".into();
        let fixed = correction(&current, None, Record::Contact(changed));
        assert_eq!((fixed.id(), fixed.version()), (current.id(), 1));
        assert_eq!(fixed.occurred_at(), current.occurred_at());
        assert_eq!(fixed.as_contact().unwrap().milieu, "rue");
        assert_eq!(deletion(&current, None), Deletion::Forget);
    }

    #[test]
    fn after_sync_a_correction_is_the_next_version() {
        let current = c(1);
        let fixed = correction(&current, Some(1), current.clone());
        assert_eq!(fixed.version(), 2);
        // Corrected again before the next sync: still version 2.
        let again = correction(&fixed, Some(1), fixed.clone());
        assert_eq!(again.version(), 2);
    }

    #[test]
    fn after_sync_a_deletion_is_a_tombstone() {
        let current = c(1);
        let Deletion::Tombstone(t) = deletion(&current, Some(1)) else {
            panic!("expected a tombstone")
        };
        assert_eq!((t.id(), t.version(), t.deleted()), (current.id(), 2, true));
        let pending_fix = correction(&current, Some(1), current.clone());
        let Deletion::Tombstone(t) = deletion(&pending_fix, Some(1)) else {
            panic!("expected a tombstone")
        };
        assert_eq!((t.version(), t.deleted()), (2, true));
    }

    #[test]
    fn activities_follow_the_same_rules() {
        let a = Record::Activity(activity(5, "2026-11-28T21:00:00-05:00", "atelier"));
        assert_eq!(correction(&a, Some(1), a.clone()).version(), 2);
        assert!(matches!(deletion(&a, Some(1)), Deletion::Tombstone(t) if t.deleted()));
    }
}
