//! The annual report's tables, computed from records: one implementation for the phone's
//! « Mes chiffres » and the server's reports.
//!
//! Counting rules (see ARCHITECTURE.md, "Counting persons without names"):
//! - An *intervention* is a contact (latest, non-deleted version).
//! - A *person* is a distinct person code, or a contact without a code marked « première
//!   rencontre ». Person-level attributes (age group, gender, status, occupation) are
//!   counted once per person, from that person's latest contact in the period.
//! - Réalités and intervention types count per intervention (one contact, several réalités).
//! - Milieux visited are distinct venues, grouped by the milieu they were logged under.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::envelope::Record;
use crate::record::{Contact, Direction};

/// Which records a report covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportFilter {
    /// First day, inclusive, in each record's local time.
    pub from: NaiveDate,
    /// Last day, inclusive.
    pub to: NaiveDate,
    /// Only this program, or all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub program: Option<String>,
}

impl ReportFilter {
    pub fn includes(&self, record: &Record) -> bool {
        let day = record.local_date();
        !record.deleted()
            && day >= self.from
            && day <= self.to
            && self
                .program
                .as_deref()
                .is_none_or(|p| p == record.program())
    }
}

/// Messages of web outreach on one platform in one direction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebRow {
    pub platform: String,
    pub direction: Option<Direction>,
    pub messages: u32,
    /// Distinct persons reached this way.
    pub persons: u32,
}

/// Every table of the annual report for one filter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub interventions: u32,
    pub persons: u32,
    /// Persons whose first meeting falls in the period.
    pub new_persons: u32,
    pub persons_by_age_group: BTreeMap<String, u32>,
    pub persons_by_gender: BTreeMap<String, u32>,
    pub persons_by_status: BTreeMap<String, u32>,
    pub persons_by_occupation: BTreeMap<String, u32>,
    pub interventions_by_reality: BTreeMap<String, u32>,
    pub interventions_by_type: BTreeMap<String, u32>,
    pub interventions_by_milieu: BTreeMap<String, u32>,
    pub interventions_by_program: BTreeMap<String, u32>,
    /// Distinct venues visited (contacts or activities), by milieu.
    pub venues_visited_by_milieu: BTreeMap<String, u32>,
    pub material: BTreeMap<String, u64>,
    pub referrals: BTreeMap<String, u32>,
    pub web: Vec<WebRow>,
    pub activities: BTreeMap<String, u32>,
    /// Activities by kind and platform (sites monitored, ads posted, …).
    pub activities_by_platform: BTreeMap<String, BTreeMap<String, u32>>,
    pub workshop_participants: u64,
}

/// Who a contact is about, for counting persons.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum PersonKey {
    Code(String),
    /// A first meeting without a code: one person, known only through this contact.
    Anonymous(uuid::Uuid),
}

fn person_key(c: &Contact) -> Option<PersonKey> {
    match &c.person_code {
        Some(code) => Some(PersonKey::Code(code.clone())),
        None if c.first_contact => Some(PersonKey::Anonymous(c.id)),
        None => None,
    }
}

fn bump<K: Ord>(map: &mut BTreeMap<K, u32>, key: K) {
    *map.entry(key).or_default() += 1;
}

impl Report {
    /// Computes every table from the latest version of each record (callers pass those).
    pub fn compute<'a>(
        records: impl IntoIterator<Item = &'a Record>,
        filter: &ReportFilter,
    ) -> Self {
        let mut report = Report::default();
        let mut latest_by_person: BTreeMap<PersonKey, &Contact> = BTreeMap::new();
        let mut new_persons: BTreeSet<PersonKey> = BTreeSet::new();
        let mut venues: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut web: BTreeMap<(String, Option<Direction>), (u32, BTreeSet<PersonKey>)> =
            BTreeMap::new();
        for record in records.into_iter().filter(|r| filter.includes(r)) {
            match record {
                Record::Contact(c) => {
                    report.interventions += 1;
                    bump(&mut report.interventions_by_program, c.program.clone());
                    bump(&mut report.interventions_by_milieu, c.milieu.clone());
                    for r in &c.realities {
                        bump(&mut report.interventions_by_reality, r.clone());
                    }
                    for t in &c.intervention_types {
                        bump(&mut report.interventions_by_type, t.clone());
                    }
                    for p in &c.referrals {
                        bump(&mut report.referrals, p.clone());
                    }
                    for (code, &n) in &c.material {
                        *report.material.entry(code.clone()).or_default() += u64::from(n);
                    }
                    if let Some(venue) = &c.venue {
                        venues
                            .entry(c.milieu.clone())
                            .or_default()
                            .insert(venue.clone());
                    }
                    let key = person_key(c);
                    if let Some(platform) = &c.platform {
                        let row = web.entry((platform.clone(), c.direction)).or_default();
                        row.0 += 1;
                        if let Some(k) = &key {
                            row.1.insert(k.clone());
                        }
                    }
                    if let Some(key) = key {
                        if c.first_contact {
                            new_persons.insert(key.clone());
                        }
                        let slot = latest_by_person.entry(key).or_insert(c);
                        if (c.occurred_at, c.id) > (slot.occurred_at, slot.id) {
                            *slot = c;
                        }
                    }
                }
                Record::Activity(a) => {
                    bump(&mut report.activities, a.activity.clone());
                    if let Some(platform) = &a.platform {
                        bump(
                            report
                                .activities_by_platform
                                .entry(a.activity.clone())
                                .or_default(),
                            platform.clone(),
                        );
                    }
                    report.workshop_participants += u64::from(a.head_count.unwrap_or(0));
                    for (code, &n) in &a.material {
                        *report.material.entry(code.clone()).or_default() += u64::from(n);
                    }
                    if let (Some(milieu), Some(venue)) = (&a.milieu, &a.venue) {
                        venues
                            .entry(milieu.clone())
                            .or_default()
                            .insert(venue.clone());
                    }
                }
            }
        }
        report.persons = latest_by_person.len() as u32;
        report.new_persons = new_persons.len() as u32;
        for c in latest_by_person.values() {
            bump(&mut report.persons_by_age_group, c.age_group.clone());
            bump(&mut report.persons_by_gender, c.gender.clone());
            if let Some(s) = &c.status {
                bump(&mut report.persons_by_status, s.clone());
            }
            if let Some(o) = &c.occupation {
                bump(&mut report.persons_by_occupation, o.clone());
            }
        }
        report.venues_visited_by_milieu = venues
            .into_iter()
            .map(|(milieu, set)| (milieu, set.len() as u32))
            .collect();
        report.web = web
            .into_iter()
            .map(|((platform, direction), (messages, persons))| WebRow {
                platform,
                direction,
                messages,
                persons: persons.len() as u32,
            })
            .collect();
        report
    }

    /// The report as CSV rows `table,code,value`, one table after another, for spreadsheets.
    pub fn to_csv(&self) -> String {
        let mut out = String::from("table,code,value\n");
        let mut row = |table: &str, code: &str, value: String| {
            out.push_str(table);
            out.push(',');
            out.push_str(&csv_field(code));
            out.push(',');
            out.push_str(&value);
            out.push('\n');
        };
        row("summary", "interventions", self.interventions.to_string());
        row("summary", "persons", self.persons.to_string());
        row("summary", "new_persons", self.new_persons.to_string());
        row(
            "summary",
            "workshop_participants",
            self.workshop_participants.to_string(),
        );
        for (table, map) in [
            ("persons_by_age_group", &self.persons_by_age_group),
            ("persons_by_gender", &self.persons_by_gender),
            ("persons_by_status", &self.persons_by_status),
            ("persons_by_occupation", &self.persons_by_occupation),
            ("interventions_by_reality", &self.interventions_by_reality),
            ("interventions_by_type", &self.interventions_by_type),
            ("interventions_by_milieu", &self.interventions_by_milieu),
            ("interventions_by_program", &self.interventions_by_program),
            ("venues_visited_by_milieu", &self.venues_visited_by_milieu),
            ("referrals", &self.referrals),
            ("activities", &self.activities),
        ] {
            for (code, n) in map {
                row(table, code, n.to_string());
            }
        }
        for (code, n) in &self.material {
            row("material", code, n.to_string());
        }
        for (kind, platforms) in &self.activities_by_platform {
            for (platform, n) in platforms {
                row(
                    "activities_by_platform",
                    &format!("{kind}/{platform}"),
                    n.to_string(),
                );
            }
        }
        for w in &self.web {
            let direction = match w.direction {
                Some(Direction::Sent) => "sent",
                Some(Direction::Received) => "received",
                None => "",
            };
            let code = format!("{}/{direction}", w.platform);
            row("web_messages", &code, w.messages.to_string());
            row("web_persons", &code, w.persons.to_string());
        }
        out
    }
}

/// Quotes a CSV field when it needs it. Codes never do, but labels may one day.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::activity::tests::activity;
    use crate::record::tests::contact;

    fn year() -> ReportFilter {
        ReportFilter {
            from: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            to: NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
            program: None,
        }
    }

    fn coded(n: u128, when: &str, code: char, first: bool) -> Contact {
        let mut c = contact(n, when, &["sante"]);
        c.person_code = Some(code.to_string().repeat(64));
        c.first_contact = first;
        c
    }

    #[test]
    fn persons_are_counted_once_and_interventions_each_time() {
        // Person A seen three times (by two workers: workers are not in records), person B
        // once, plus an uncoded first meeting and an uncoded repeat visit.
        let mut a_later = coded(3, "2026-06-01T20:00:00-04:00", 'a', false);
        a_later.age_group = "41_plus".into();
        let mut uncoded_first = contact(5, "2026-03-01T20:00:00-05:00", &["justice"]);
        uncoded_first.first_contact = true;
        let records: Vec<Record> = [
            coded(1, "2026-02-01T20:00:00-05:00", 'a', true),
            coded(2, "2026-02-02T20:00:00-05:00", 'a', false),
            a_later,
            coded(4, "2026-02-03T20:00:00-05:00", 'b', true),
            uncoded_first,
            contact(6, "2026-03-02T20:00:00-05:00", &["justice"]),
        ]
        .into_iter()
        .map(Record::Contact)
        .collect();
        let r = Report::compute(&records, &year());
        assert_eq!(r.interventions, 6);
        assert_eq!(r.persons, 3);
        assert_eq!(r.new_persons, 3);
        // A counts once, with the age group of A's latest contact.
        assert_eq!(r.persons_by_age_group["41_plus"], 1);
        assert_eq!(r.persons_by_age_group["26_40"], 2);
        assert_eq!(r.persons_by_gender["femme"], 3);
        // Réalités count per intervention.
        assert_eq!(r.interventions_by_reality["sante"], 4);
        assert_eq!(r.interventions_by_reality["justice"], 2);
    }

    #[test]
    fn one_contact_touching_several_realities_counts_in_each() {
        let c = contact(
            1,
            "2026-02-01T20:00:00-05:00",
            &["sante", "hebergement", "justice"],
        );
        let r = Report::compute(&[Record::Contact(c)], &year());
        assert_eq!(r.interventions, 1);
        assert_eq!(r.interventions_by_reality.values().sum::<u32>(), 3);
    }

    #[test]
    fn period_program_and_deletions_filter_records() {
        let mut other_program = contact(2, "2026-02-01T20:00:00-05:00", &["sante"]);
        other_program.program = "sidep".into();
        let records = [
            Record::Contact(contact(1, "2026-02-01T20:00:00-05:00", &["sante"])),
            Record::Contact(other_program),
            Record::Contact(contact(3, "2025-12-31T23:00:00-05:00", &["sante"])),
            Record::Contact(contact(4, "2026-02-01T20:00:00-05:00", &["sante"]).tombstone()),
        ];
        let mut filter = year();
        assert_eq!(Report::compute(&records, &filter).interventions, 2);
        filter.program = Some("catwoman".into());
        assert_eq!(Report::compute(&records, &filter).interventions, 1);
    }

    #[test]
    fn venues_web_outreach_and_activities() {
        let mut in_bar = contact(1, "2026-02-01T20:00:00-05:00", &["sante"]);
        in_bar.venue = Some("bar_01".into());
        let mut again = in_bar.clone();
        again.id = uuid::Uuid::from_u128(2);
        let mut web_msg = contact(3, "2026-02-01T20:00:00-05:00", &["sexualite"]);
        web_msg.platform = Some("textnow".into());
        web_msg.direction = Some(Direction::Received);
        web_msg.person_code = Some("c".repeat(64));
        let mut visit = activity(4, "2026-02-02T20:00:00-05:00", "visite_milieu");
        visit.venue = Some("salon_01".into());
        let mut monitored = activity(5, "2026-02-02T20:00:00-05:00", "site_surveille");
        monitored.platform = Some("site_rencontres".into());
        let mut workshop = activity(6, "2026-02-02T14:00:00-05:00", "atelier");
        workshop.head_count = Some(9);
        let records = [
            Record::Contact(in_bar),
            Record::Contact(again),
            Record::Contact(web_msg),
            Record::Activity(visit),
            Record::Activity(monitored),
            Record::Activity(workshop),
        ];
        let r = Report::compute(&records, &year());
        assert_eq!(r.venues_visited_by_milieu["bar_erotique"], 1);
        assert_eq!(r.venues_visited_by_milieu["salon_massage"], 1);
        assert_eq!(
            r.web,
            vec![WebRow {
                platform: "textnow".into(),
                direction: Some(Direction::Received),
                messages: 1,
                persons: 1
            }]
        );
        assert_eq!(r.activities["site_surveille"], 1);
        assert_eq!(
            r.activities_by_platform["site_surveille"]["site_rencontres"],
            1
        );
        assert_eq!(r.workshop_participants, 9);
        let csv = r.to_csv();
        assert!(csv.starts_with("table,code,value\nsummary,interventions,3\n"));
        assert!(csv.contains("venues_visited_by_milieu,bar_erotique,1\n"));
        assert!(csv.contains("web_messages,textnow/received,1\n"));
    }
}
