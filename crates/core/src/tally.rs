//! A worker's own counts, computed from the records on the device.
//!
//! The same function serves the phone (offline, whatever the sync state) and, later, the
//! server's reports, so the two can never disagree on how a contact is counted.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::envelope::Record;
use crate::record::Contact;

/// Counts over a set of contacts.
///
/// Réalités are counted per contact: one contact touching three réalités adds one to each,
/// so their sum may exceed `contacts`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// Number of contacts (interventions).
    pub contacts: u32,
    pub per_reality: BTreeMap<String, u32>,
    pub per_milieu: BTreeMap<String, u32>,
    /// Material given, summed over contacts and activities.
    pub material: BTreeMap<String, u64>,
    /// Activities (no one person) by kind.
    pub activities: BTreeMap<String, u32>,
    /// Workshop participants, summed.
    pub head_count: u64,
}

impl Tally {
    /// Counts every record given, except deletions (tombstones).
    pub fn of<'a>(records: impl IntoIterator<Item = &'a Record>) -> Self {
        let mut tally = Tally::default();
        for record in records.into_iter().filter(|r| !r.deleted()) {
            match record {
                Record::Contact(c) => tally.add_contact(c),
                Record::Activity(a) => {
                    *tally.activities.entry(a.activity.clone()).or_default() += 1;
                    tally.head_count += u64::from(a.head_count.unwrap_or(0));
                    for (code, &count) in &a.material {
                        *tally.material.entry(code.clone()).or_default() += u64::from(count);
                    }
                }
            }
        }
        tally
    }

    /// Counts the records of `day`, in each record's own local time.
    pub fn for_day<'a>(records: impl IntoIterator<Item = &'a Record>, day: NaiveDate) -> Self {
        Self::of(records.into_iter().filter(|r| r.local_date() == day))
    }

    fn add_contact(&mut self, contact: &Contact) {
        self.contacts += 1;
        for reality in &contact.realities {
            *self.per_reality.entry(reality.clone()).or_default() += 1;
        }
        *self.per_milieu.entry(contact.milieu.clone()).or_default() += 1;
        for (code, &count) in &contact.material {
            *self.material.entry(code.clone()).or_default() += u64::from(count);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::activity::tests::activity;
    use crate::record::tests;

    fn contact(n: u128, when: &str, realities: &[&str]) -> Record {
        Record::Contact(tests::contact(n, when, realities))
    }

    #[test]
    fn realities_count_per_contact_and_may_exceed_contacts() {
        let records = [
            contact(1, "2026-11-28T21:00:00-05:00", &["sante", "hebergement"]),
            contact(2, "2026-11-28T22:00:00-05:00", &["sante"]),
            contact(
                3,
                "2026-11-28T23:30:00-05:00",
                &["toxicomanie", "sante", "justice"],
            ),
        ];
        let t = Tally::of(&records);
        assert_eq!(t.contacts, 3);
        assert_eq!(t.per_reality["sante"], 3);
        assert_eq!(t.per_reality["hebergement"], 1);
        assert_eq!(t.per_reality.values().sum::<u32>(), 6);
        assert_eq!(t.per_milieu["bar_erotique"], 3);
        assert_eq!(t.material["condoms"], 36);
        assert!(!t.material.contains_key("gomme"));
    }

    #[test]
    fn a_day_is_the_workers_local_day() {
        // 23:30 in Québec on the 28th is already the 29th in UTC: it still counts for the 28th.
        let records = [
            contact(1, "2026-11-28T23:30:00-05:00", &["sante"]),
            contact(2, "2026-11-29T00:10:00-05:00", &["sante"]),
            contact(3, "2026-11-27T12:00:00-05:00", &["sante"]),
        ];
        let day = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        assert_eq!(Tally::for_day(&records, day).contacts, 1);
        let next = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        assert_eq!(Tally::for_day(&records, next).contacts, 1);
    }

    #[test]
    fn nothing_counts_as_zero() {
        let t = Tally::of(&[]);
        assert_eq!(t, Tally::default());
    }

    #[test]
    fn deleted_records_do_not_count() {
        let kept = contact(1, "2026-11-28T21:00:00-05:00", &["sante"]);
        let gone = Record::Contact(
            tests::contact(2, "2026-11-28T21:30:00-05:00", &["justice"]).tombstone(),
        );
        let t = Tally::of([&kept, &gone]);
        assert_eq!(t.contacts, 1);
        assert!(!t.per_reality.contains_key("justice"));
    }

    #[test]
    fn activities_are_counted_apart_from_contacts() {
        let mut workshop = activity(3, "2026-11-28T14:00:00-05:00", "atelier");
        workshop.head_count = Some(12);
        workshop.material = BTreeMap::from([("condoms".into(), 40)]);
        let records = [
            contact(1, "2026-11-28T21:00:00-05:00", &["sante"]),
            Record::Activity(workshop),
            Record::Activity(activity(4, "2026-11-28T20:00:00-05:00", "visite_milieu")),
        ];
        let t = Tally::of(&records);
        assert_eq!(t.contacts, 1);
        assert_eq!(t.activities["atelier"], 1);
        assert_eq!(t.activities["visite_milieu"], 1);
        assert_eq!(t.head_count, 12);
        assert_eq!(t.material["condoms"], 52);
    }
}
