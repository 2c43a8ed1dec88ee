//! Corrections and deletions on the device.
//!
//! While no version of a record can be on the server, a correction simply replaces it and
//! a deletion forgets it. Once a version was sent (acknowledged or not: the answer may have
//! been lost), that version is history: a correction becomes the next version and a
//! deletion a tombstone version, both synced like any record, so the server keeps the
//! audit trail and never counts a record the worker deleted. [`Standing`] decides.

use crate::envelope::Record;
use crate::sync::{DeletionPlan, Standing};

/// What a deletion does on the device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Deletion {
    /// No version can be on the server: drop the record from the device.
    Forget,
    /// Store (and later sync) this tombstone in place of the record.
    Tombstone(Box<Record>),
}

/// The record to store after the worker corrected `current` into `corrected` (a record
/// of the same type whose id and timestamp are taken from `current`).
pub fn correction(current: &Record, standing: &Standing, corrected: Record) -> Record {
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
    corrected
        .with_version(standing.version_for_edit(), false)
        .normalized()
}

/// What deleting `current` means, given where it stands with the server.
pub fn deletion(current: &Record, standing: &Standing) -> Deletion {
    match standing.deletion() {
        DeletionPlan::Forget => Deletion::Forget,
        DeletionPlan::Tombstone { version } => {
            Deletion::Tombstone(Box::new(current.clone().with_version(version, true)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::activity::tests::activity;
    use crate::record::tests::contact;
    use crate::sync::{Outcome, Stamp, Transition};

    fn c(n: u128) -> Record {
        Record::Contact(contact(n, "2026-11-28T21:00:00-05:00", &["sante"]))
    }

    fn acked(standing: &mut Standing) {
        let sent = standing.mark_sent();
        standing.apply(&Transition {
            id: uuid::Uuid::nil(),
            sent,
            outcome: Outcome::Held,
        });
    }

    #[test]
    fn before_anything_is_sent_a_correction_replaces_and_a_deletion_forgets() {
        let current = c(1);
        let standing = Standing::new(1, "a".into());
        let mut changed = contact(99, "2020-01-01T00:00:00Z", &["justice"]);
        changed.milieu = "rue".into();
        let fixed = correction(&current, &standing, Record::Contact(changed));
        assert_eq!((fixed.id(), fixed.version()), (current.id(), 1));
        assert_eq!(fixed.occurred_at(), current.occurred_at());
        assert_eq!(fixed.as_contact().unwrap().milieu, "rue");
        assert_eq!(deletion(&current, &standing), Deletion::Forget);
    }

    #[test]
    fn after_an_acknowledgement_a_correction_is_the_next_version() {
        let current = c(1);
        let mut standing = Standing::new(1, "a".into());
        acked(&mut standing);
        let fixed = correction(&current, &standing, current.clone());
        assert_eq!(fixed.version(), 2);
        // Corrected again before the next sync: still version 2.
        let standing = standing.rewritten(2, "b".into());
        let again = correction(&fixed, &standing, fixed.clone());
        assert_eq!(again.version(), 2);
    }

    #[test]
    fn sent_without_an_answer_a_correction_or_a_deletion_never_reuses_the_version() {
        let current = c(1);
        let mut standing = Standing::new(1, "a".into());
        standing.mark_sent();
        assert!(standing.is_unconfirmed());
        assert_eq!(
            correction(&current, &standing, current.clone()).version(),
            2
        );
        let Deletion::Tombstone(t) = deletion(&current, &standing) else {
            panic!("a record the server may hold must be deleted with a tombstone")
        };
        assert_eq!((t.version(), t.deleted()), (2, true));
    }

    #[test]
    fn after_sync_a_deletion_is_a_tombstone_even_over_a_pending_correction() {
        let current = c(1);
        let mut standing = Standing::new(1, "a".into());
        acked(&mut standing);
        let Deletion::Tombstone(t) = deletion(&current, &standing) else {
            panic!("expected a tombstone")
        };
        assert_eq!((t.id(), t.version(), t.deleted()), (current.id(), 2, true));
        let pending_fix = correction(&current, &standing, current.clone());
        let standing = standing.rewritten(2, "b".into());
        let Deletion::Tombstone(t) = deletion(&pending_fix, &standing) else {
            panic!("expected a tombstone")
        };
        assert_eq!((t.version(), t.deleted()), (2, true));
    }

    #[test]
    fn a_row_with_an_unknown_sent_version_is_treated_as_held() {
        let current = c(1);
        let mut standing = Standing::new(1, "a".into());
        standing.sent = Some(Stamp::unknown(1));
        assert_eq!(
            correction(&current, &standing, current.clone()).version(),
            2
        );
        assert!(matches!(
            deletion(&current, &standing),
            Deletion::Tombstone(_)
        ));
    }

    #[test]
    fn activities_follow_the_same_rules() {
        let a = Record::Activity(activity(5, "2026-11-28T21:00:00-05:00", "atelier"));
        let mut standing = Standing::new(1, "a".into());
        acked(&mut standing);
        assert_eq!(correction(&a, &standing, a.clone()).version(), 2);
        assert!(matches!(deletion(&a, &standing), Deletion::Tombstone(t) if t.deleted()));
    }
}
