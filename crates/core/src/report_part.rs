//! A report over part of the records, kept so that parts combine into the report of all.
//!
//! The server keeps one part per month and program of records that cannot change any
//! more, so a report over five years combines a few hundred parts instead of reading and
//! parsing a quarter of a million bodies at each request. Most tables are sums and add up
//! across parts; the rest depend on sets across the whole period, so a part keeps those:
//! - persons: each person's latest contact in the part (its attributes);
//! - new persons, distinct venues, sites and web persons.
//!
//! A part holds each of those once, in plain vectors (memory: a part is kept for long);
//! [`ReportPart::combine`] unites them across parts with borrowed keys, and takes each
//! person's latest contact across parts. `ReportPart::combine([of(a), of(b)])` equals
//! `Report::compute(a ∪ b)` for any split of the latest versions (a property test below).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use chrono::{DateTime, FixedOffset};
use uuid::Uuid;

use crate::envelope::Record;
use crate::hash::Fixed;
use crate::record::{Contact, Direction};
use crate::report::{Attribute, CrossTable, Report, ReportFilter, WebRow, add_str, pairs};
use crate::team::TeamRow;

/// Who a contact is about (see `report::PersonKey`), owned: a part outlives its records.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Person {
    Code(Box<str>),
    /// A first meeting without a code: one person, known only through this contact.
    Anonymous(Uuid),
}

/// [`Person`] borrowed from the records while a part is made: one allocation per person
/// of the part, not per contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum PersonRef<'a> {
    Code(&'a str),
    Anonymous(Uuid),
}

impl<'a> PersonRef<'a> {
    fn of(c: &'a Contact) -> Option<Self> {
        match &c.person_code {
            Some(code) => Some(PersonRef::Code(code)),
            None if c.first_contact => Some(PersonRef::Anonymous(c.id)),
            None => None,
        }
    }

    fn owned(self) -> Person {
        match self {
            PersonRef::Code(code) => Person::Code(code.into()),
            PersonRef::Anonymous(id) => Person::Anonymous(id),
        }
    }
}

/// What the person tables take from a person's latest contact, and what orders contacts.
#[derive(Debug, Clone, PartialEq, Eq)]
struct PersonFacts {
    at: DateTime<FixedOffset>,
    id: Uuid,
    gender: Box<str>,
    age_group: Box<str>,
    status: Option<Box<str>>,
    occupation: Option<Box<str>>,
}

impl PersonFacts {
    fn of(c: &Contact) -> Self {
        PersonFacts {
            at: c.occurred_at,
            id: c.id,
            gender: c.gender.as_str().into(),
            age_group: c.age_group.as_str().into(),
            status: c.status.as_deref().map(Into::into),
            occupation: c.occupation.as_deref().map(Into::into),
        }
    }

    /// The contact that came later, as `Report::compute` chooses it.
    fn is_after(&self, other: &PersonFacts) -> bool {
        (self.at, self.id) > (other.at, other.id)
    }

    fn code(&self, attribute: Attribute) -> Option<&str> {
        match attribute {
            Attribute::Gender => Some(&self.gender),
            Attribute::AgeGroup => Some(&self.age_group),
            Attribute::Status => self.status.as_deref(),
            Attribute::Occupation => self.occupation.as_deref(),
            Attribute::Program | Attribute::Milieu | Attribute::Mode => None,
        }
    }
}

/// A platform and a direction of web messages (`None`: no direction logged).
type WebWay = (String, Option<Direction>);

/// Persons reached one way, united across parts: the messages, and who.
type Reached<'p> = (u32, HashSet<&'p Person, Fixed>);

/// Every table of the report over some records, in a form that combines with other parts.
/// Each vector holds distinct entries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportPart {
    /// The tables that add up across parts; those made of sets are left empty here.
    sums: Report,
    /// Web messages by platform and direction, and the persons reached each way.
    web: Vec<(WebWay, u32, Vec<Person>)>,
    /// Each person with its latest contact in the part.
    persons: Vec<(Person, PersonFacts)>,
    new_persons: Vec<Person>,
    /// (milieu, venue) pairs, contacts' and activities'.
    venues: Vec<(Box<str>, Box<str>)>,
    /// Sites by (activity kind, platform).
    sites: Vec<((String, String), Vec<String>)>,
    web_persons: Vec<(String, Vec<Person>)>,
}

impl ReportPart {
    /// The part of the records `filter` includes (callers pass latest versions only).
    pub fn of<'a>(
        records: impl IntoIterator<Item = &'a Record> + Clone,
        filter: &ReportFilter,
    ) -> Self {
        // The sums are `Report::compute`'s own; only the sets are gathered here.
        let mut sums = Report::compute(records.clone(), filter);
        let mut persons: HashMap<PersonRef, &Contact, Fixed> = HashMap::default();
        let mut new_persons: HashSet<PersonRef, Fixed> = HashSet::default();
        let mut venues: HashSet<(&str, &str), Fixed> = HashSet::default();
        let mut sites: BTreeMap<(&str, &str), BTreeSet<&str>> = BTreeMap::new();
        let mut web: BTreeMap<(&str, Option<Direction>), BTreeSet<PersonRef>> = BTreeMap::new();
        let mut web_persons: BTreeMap<&str, BTreeSet<PersonRef>> = BTreeMap::new();
        for record in records.into_iter().filter(|r| filter.includes(r)) {
            match record {
                Record::Contact(c) => {
                    if let Some(venue) = &c.venue {
                        venues.insert((&c.milieu, venue));
                    }
                    let Some(person) = PersonRef::of(c) else {
                        continue;
                    };
                    if let Some(platform) = &c.platform {
                        web.entry((platform, c.direction))
                            .or_default()
                            .insert(person);
                        web_persons.entry(platform).or_default().insert(person);
                    }
                    if c.first_contact {
                        new_persons.insert(person);
                    }
                    let slot = persons.entry(person).or_insert(c);
                    if (c.occurred_at, c.id) > (slot.occurred_at, slot.id) {
                        *slot = c;
                    }
                }
                Record::Activity(a) => {
                    if let Some(site) = &a.site {
                        let platform = a.platform.as_deref().unwrap_or_default();
                        sites
                            .entry((&a.activity, platform))
                            .or_default()
                            .insert(site);
                    }
                    if let (Some(milieu), Some(venue)) = (&a.milieu, &a.venue) {
                        venues.insert((milieu, venue));
                    }
                }
            }
        }
        let owned = |set: BTreeSet<PersonRef>| set.into_iter().map(PersonRef::owned).collect();
        let mut reached: BTreeMap<WebWay, Vec<Person>> = web
            .into_iter()
            .map(|((platform, direction), set)| ((platform.to_owned(), direction), owned(set)))
            .collect();
        let part = ReportPart {
            web: std::mem::take(&mut sums.web)
                .into_iter()
                .map(|row| {
                    let key = (row.platform, row.direction);
                    let persons = reached.remove(&key).unwrap_or_default();
                    (key, row.messages, persons)
                })
                .collect(),
            persons: persons
                .into_iter()
                .map(|(p, c)| (p.owned(), PersonFacts::of(c)))
                .collect(),
            new_persons: new_persons.into_iter().map(PersonRef::owned).collect(),
            venues: venues
                .into_iter()
                .map(|(m, v)| (m.into(), v.into()))
                .collect(),
            sites: sites
                .into_iter()
                .map(|((kind, platform), set)| {
                    let set = set.into_iter().map(str::to_owned).collect();
                    ((kind.to_owned(), platform.to_owned()), set)
                })
                .collect(),
            web_persons: web_persons
                .into_iter()
                .map(|(platform, set)| (platform.to_owned(), owned(set)))
                .collect(),
            sums: Report::default(),
        };
        // Recomputed from the sets by `combine`.
        sums.persons = 0;
        sums.new_persons = 0;
        sums.persons_by_age_group.clear();
        sums.persons_by_gender.clear();
        sums.persons_by_status.clear();
        sums.persons_by_occupation.clear();
        sums.persons_cross.clear();
        sums.venues_visited_by_milieu.clear();
        sums.web_persons_by_platform.clear();
        sums.sites_by_activity.clear();
        ReportPart { sums, ..part }
    }

    /// The report of the parts' records together: `Report::compute`, or with `cross`
    /// false `Report::compute_without_cross_tables`. Sums are added, sets united (keys
    /// borrowed from the parts), each person counted from the latest contact of all.
    pub fn combine<'p>(parts: impl IntoIterator<Item = &'p ReportPart>, cross: bool) -> Report {
        let mut report = Report::default();
        let mut persons: HashMap<&Person, &PersonFacts, Fixed> = HashMap::default();
        let mut new_persons: HashSet<&Person, Fixed> = HashSet::default();
        let mut venues: HashSet<(&str, &str), Fixed> = HashSet::default();
        let mut sites: BTreeMap<(&str, &str), HashSet<&str, Fixed>> = BTreeMap::new();
        let mut web: BTreeMap<(&str, Option<Direction>), Reached> = BTreeMap::new();
        let mut web_persons: BTreeMap<&str, HashSet<&Person, Fixed>> = BTreeMap::new();
        for part in parts {
            add_sums(&mut report, &part.sums);
            for ((platform, direction), messages, reached) in &part.web {
                let row = web.entry((platform, *direction)).or_default();
                row.0 += messages;
                row.1.extend(reached);
            }
            for (person, facts) in &part.persons {
                let slot = persons.entry(person).or_insert(facts);
                if facts.is_after(slot) {
                    *slot = facts;
                }
            }
            new_persons.extend(&part.new_persons);
            venues.extend(part.venues.iter().map(|(m, v)| (&**m, &**v)));
            for ((kind, platform), set) in &part.sites {
                sites
                    .entry((kind, platform))
                    .or_default()
                    .extend(set.iter().map(String::as_str));
            }
            for (platform, reached) in &part.web_persons {
                web_persons.entry(platform).or_default().extend(reached);
            }
        }
        report.persons = persons.len() as u32;
        report.new_persons = new_persons.len() as u32;
        if !cross {
            report.interventions_cross.clear();
        } else {
            report.persons_cross = pairs(&Attribute::PERSON);
            if report.interventions_cross.is_empty() {
                // No part: `compute`'s empty tables.
                report.interventions_cross = pairs(&Attribute::INTERVENTION_CROSS);
            }
        }
        for facts in persons.values() {
            add_str(&mut report.persons_by_age_group, &facts.age_group, 1);
            add_str(&mut report.persons_by_gender, &facts.gender, 1);
            if let Some(status) = &facts.status {
                add_str(&mut report.persons_by_status, status, 1);
            }
            if let Some(occupation) = &facts.occupation {
                add_str(&mut report.persons_by_occupation, occupation, 1);
            }
            for table in &mut report.persons_cross {
                table.add_codes(facts.code(table.rows), facts.code(table.columns), 1);
            }
        }
        for (milieu, _) in venues {
            add_str(&mut report.venues_visited_by_milieu, milieu, 1);
        }
        for ((kind, platform), set) in sites {
            report
                .sites_by_activity
                .entry(kind.to_owned())
                .or_default()
                .insert(platform.to_owned(), set.len() as u32);
        }
        report.web = web
            .into_iter()
            .map(|((platform, direction), (messages, reached))| WebRow {
                platform: platform.to_owned(),
                direction,
                messages,
                persons: reached.len() as u32,
            })
            .collect();
        report.web_persons_by_platform = web_persons
            .into_iter()
            .map(|(platform, reached)| (platform.to_owned(), reached.len() as u32))
            .collect();
        report
    }
}

/// Adds every table of `other` that is a sum (counts, material, head counts) to `into`.
fn add_sums(into: &mut Report, other: &Report) {
    into.interventions += other.interventions;
    let maps = [
        (
            &mut into.interventions_by_reality,
            &other.interventions_by_reality,
        ),
        (
            &mut into.interventions_by_type,
            &other.interventions_by_type,
        ),
        (
            &mut into.interventions_by_milieu,
            &other.interventions_by_milieu,
        ),
        (
            &mut into.interventions_by_program,
            &other.interventions_by_program,
        ),
        (
            &mut into.interventions_by_gender,
            &other.interventions_by_gender,
        ),
        (
            &mut into.interventions_by_age_group,
            &other.interventions_by_age_group,
        ),
        (
            &mut into.interventions_by_status,
            &other.interventions_by_status,
        ),
        (
            &mut into.interventions_by_occupation,
            &other.interventions_by_occupation,
        ),
        (
            &mut into.interventions_by_mode,
            &other.interventions_by_mode,
        ),
        (&mut into.referrals, &other.referrals),
        (
            &mut into.web_messages_by_direction,
            &other.web_messages_by_direction,
        ),
        (&mut into.activities, &other.activities),
    ];
    for (into, other) in maps {
        add_map(into, other);
    }
    add_map(&mut into.material, &other.material);
    for (kind, platforms) in &other.activities_by_platform {
        add_map(
            into.activities_by_platform.entry(kind.clone()).or_default(),
            platforms,
        );
    }
    if into.interventions_cross.is_empty() {
        into.interventions_cross = other.interventions_cross.clone();
    } else {
        for (table, other) in into
            .interventions_cross
            .iter_mut()
            .zip(&other.interventions_cross)
        {
            add_cells(table, other);
        }
    }
    into.workshop_participants += other.workshop_participants;
}

fn add_map<N: Copy + std::ops::AddAssign>(
    into: &mut BTreeMap<String, N>,
    other: &BTreeMap<String, N>,
) {
    for (code, &n) in other {
        add_str(into, code, n);
    }
}

fn add_cells(into: &mut CrossTable, other: &CrossTable) {
    for (row, columns) in &other.cells {
        for (column, &n) in columns {
            into.add_codes(Some(row), Some(column), n);
        }
    }
}

/// One worker's columns of « Équipe » over part of the records ([`TeamRow`]), combining
/// as [`ReportPart`] does at a fraction of its memory: the server keeps one for every
/// worker, program and month. The sums, and who was met (persons, new persons).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TeamPart {
    interventions: u32,
    activities: u32,
    material: Vec<(Box<str>, u64)>,
    /// Web messages by direction (`sent`, `received`).
    web_messages: Vec<(Box<str>, u32)>,
    persons: Vec<Person>,
    new_persons: Vec<Person>,
}

impl TeamPart {
    /// The part of the records `filter` includes (callers pass latest versions only).
    pub fn of<'a>(
        records: impl IntoIterator<Item = &'a Record> + Clone,
        filter: &ReportFilter,
    ) -> Self {
        let row = TeamRow::of(
            "",
            &Report::compute_without_cross_tables(records.clone(), filter),
        );
        let mut persons: HashSet<PersonRef, Fixed> = HashSet::default();
        let mut new_persons: HashSet<PersonRef, Fixed> = HashSet::default();
        for record in records.into_iter().filter(|r| filter.includes(r)) {
            if let Record::Contact(c) = record
                && let Some(person) = PersonRef::of(c)
            {
                persons.insert(person);
                if c.first_contact {
                    new_persons.insert(person);
                }
            }
        }
        fn boxed<N>((key, n): (String, N)) -> (Box<str>, N) {
            (key.into_boxed_str(), n)
        }
        TeamPart {
            interventions: row.interventions,
            activities: row.activities,
            material: row.material.into_iter().map(boxed).collect(),
            web_messages: row.web_messages.into_iter().map(boxed).collect(),
            persons: persons.into_iter().map(PersonRef::owned).collect(),
            new_persons: new_persons.into_iter().map(PersonRef::owned).collect(),
        }
    }

    /// `worker`'s row over the parts' records together: `TeamRow::of` the report of all of
    /// them. Sums are added, persons united.
    pub fn combine<'p>(
        worker: impl Into<String>,
        parts: impl IntoIterator<Item = &'p TeamPart>,
    ) -> TeamRow {
        let mut row = TeamRow {
            worker: worker.into(),
            ..TeamRow::default()
        };
        let mut persons: HashSet<&Person, Fixed> = HashSet::default();
        let mut new_persons: HashSet<&Person, Fixed> = HashSet::default();
        for part in parts {
            row.interventions += part.interventions;
            row.activities += part.activities;
            for (kind, n) in &part.material {
                *row.material.entry(kind.to_string()).or_default() += n;
            }
            for (direction, n) in &part.web_messages {
                *row.web_messages.entry(direction.to_string()).or_default() += n;
            }
            persons.extend(&part.persons);
            new_persons.extend(&part.new_persons);
        }
        row.persons = persons.len() as u32;
        row.new_persons = new_persons.len() as u32;
        row
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::activity::tests::activity;
    use crate::record::tests::contact;
    use chrono::NaiveDate;

    const CODES: [&str; 3] = ["a", "b", "c"];

    fn filter(programs: Option<&[&str]>) -> ReportFilter {
        ReportFilter {
            from: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            to: NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
            programs: programs.map(|p| p.iter().map(|s| s.to_string()).collect()),
        }
    }

    /// One generated record: (contact or activity, day, code indices, person, flags).
    type Generated = (bool, i64, [usize; 6], Option<u8>, [bool; 3], Option<u8>);

    fn record(i: usize, (is_contact, day, codes, person, flags, venue): &Generated) -> Record {
        let start = chrono::DateTime::parse_from_rfc3339("2025-12-20T12:00:00-05:00").unwrap();
        let at = start + chrono::Duration::days(*day) + chrono::Duration::minutes(i as i64 % 3);
        let code = |k: usize| CODES[codes[k] % CODES.len()].to_owned();
        let n = i as u128 + 1;
        if *is_contact {
            let mut c = contact(n, "2026-02-01T12:00:00-05:00", &["sante"]);
            c.occurred_at = at;
            c.program = code(0);
            c.milieu = code(1);
            c.gender = code(2);
            c.age_group = code(3);
            c.status = flags[1].then(|| code(4));
            c.occupation = flags[2].then(|| code(5));
            c.venue = venue.map(|v| v.to_string());
            c.person_code = person.map(|p| p.to_string().repeat(64));
            c.first_contact = flags[0];
            c.deleted = codes[4] == 0 && codes[5] == 0;
            if codes[0] != 2 {
                c.platform = Some(code(1));
                c.direction =
                    [None, Some(Direction::Sent), Some(Direction::Received)][codes[2] % 3];
            }
            c.realities = vec![code(3)];
            c.material = BTreeMap::from([(code(4), 1 + codes[5] as u32)]);
            Record::Contact(c)
        } else {
            let mut a = activity(n, "2026-02-01T12:00:00-05:00", "atelier");
            a.occurred_at = at;
            a.program = code(0);
            a.activity = code(1);
            a.platform = flags[0].then(|| code(2));
            a.site = flags[1].then(|| code(3));
            a.venue = venue.map(|v| v.to_string());
            a.head_count = flags[2].then_some(codes[4] as u32);
            a.material = BTreeMap::from([(code(5), 2)]);
            Record::Activity(a)
        }
    }

    proptest::proptest! {
        /// Any split of the records into parts, combined in any order, gives the report of
        /// all of them: with and without cross-tables, for all programs or some; and
        /// `TeamPart`s, the row of « Équipe » of that report.
        #[test]
        fn combined_parts_equal_the_report_of_all(
            generated in proptest::collection::vec(
                (proptest::bool::ANY, 0i64..400, [0usize..3, 0usize..3, 0usize..3, 0usize..3, 0usize..3, 0usize..3],
                 proptest::option::of(0u8..6), [proptest::bool::ANY, proptest::bool::ANY, proptest::bool::ANY],
                 proptest::option::of(0u8..4)),
                0..50,
            ),
            parts in proptest::collection::vec(0usize..4, 50),
            some_programs in proptest::bool::ANY,
        ) {
            let records: Vec<Record> = generated.iter().enumerate().map(|(i, g)| record(i, g)).collect();
            let filter = filter(some_programs.then_some(&["a", "c"][..]));
            let mut split: Vec<Vec<&Record>> = vec![Vec::new(); 4];
            for (i, r) in records.iter().enumerate() {
                split[parts[i]].push(r);
            }
            let parts: Vec<ReportPart> = split
                .iter()
                .rev()
                .map(|part| ReportPart::of(part.iter().copied(), &filter))
                .collect();
            proptest::prop_assert_eq!(
                ReportPart::combine(&parts, true),
                Report::compute(&records, &filter)
            );
            proptest::prop_assert_eq!(
                ReportPart::combine(&parts, false),
                Report::compute_without_cross_tables(&records, &filter)
            );
            // And a worker's columns of « Équipe », from the lighter parts.
            let team_parts: Vec<TeamPart> = split
                .iter()
                .map(|part| TeamPart::of(part.iter().copied(), &filter))
                .collect();
            proptest::prop_assert_eq!(
                TeamPart::combine("poste-01", &team_parts),
                TeamRow::of("poste-01", &Report::compute_without_cross_tables(&records, &filter))
            );
        }
    }

    #[test]
    fn no_part_is_the_report_of_no_records() {
        let none: [&Record; 0] = [];
        assert_eq!(
            ReportPart::combine([], true),
            Report::compute(none, &filter(None))
        );
        assert_eq!(
            ReportPart::combine([&ReportPart::default()], false),
            Report::compute_without_cross_tables(none, &filter(None))
        );
    }

    #[test]
    fn a_person_seen_in_two_parts_counts_once_with_the_latest_attributes() {
        let mut early = contact(1, "2026-03-01T12:00:00-05:00", &["sante"]);
        early.person_code = Some("e".repeat(64));
        early.gender = "femme".into();
        let mut late = early.clone();
        late.id = Uuid::from_u128(2);
        late.occurred_at =
            chrono::DateTime::parse_from_rfc3339("2026-09-01T12:00:00-04:00").unwrap();
        late.gender = "homme".into();
        let (early, late) = (Record::Contact(early), Record::Contact(late));
        let parts = [
            ReportPart::of([&late], &filter(None)),
            ReportPart::of([&early], &filter(None)),
        ];
        let report = ReportPart::combine(&parts, true);
        assert_eq!((report.interventions, report.persons), (2, 1));
        assert_eq!(
            report.persons_by_gender,
            BTreeMap::from([("homme".into(), 1)])
        );
    }
}
