//! The annual report's tables, computed from records: one implementation for the phone's
//! « Mes chiffres » and the server's reports.
//!
//! Counting rules (see ARCHITECTURE.md, "Counting persons without names"):
//! - An *intervention* is a contact (latest, non-deleted version).
//! - A *person* is a distinct person code, or a contact without a code marked « première
//!   rencontre ». Person-level attributes (age group, gender, status, occupation) are
//!   counted once per person, from that person's latest contact in the period — in the
//!   one-attribute tables and in the cross-tables alike, so a person is in exactly one cell.
//! - Réalités and intervention types count per intervention (one contact, several réalités).
//! - Milieux visited are distinct venues, grouped by the milieu they were logged under; sites
//!   monitored or posted on are distinct sites of the list, by activity kind and platform.
//!
//! Every table is also a list of `(table, code, value)` rows ([`Report::tables`]): the CSV,
//! the comparison of two periods and the server's spreadsheet are all made from those.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::ops::AddAssign;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::envelope::Record;
use crate::hash::Fixed;
use crate::record::{Contact, Direction};
use crate::taxonomy::ListKind;

/// Which records a report covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportFilter {
    /// First day, inclusive, in each record's local time.
    #[cfg_attr(target_arch = "wasm32", serde(deserialize_with = "crate::time::date"))]
    pub from: NaiveDate,
    /// Last day, inclusive.
    #[cfg_attr(target_arch = "wasm32", serde(deserialize_with = "crate::time::date"))]
    pub to: NaiveDate,
    /// Only these programs (a group or a list, see
    /// [`Taxonomy::resolve_programs`](crate::Taxonomy::resolve_programs)), or all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub programs: Option<BTreeSet<String>>,
}

impl ReportFilter {
    pub fn includes(&self, record: &Record) -> bool {
        let day = record.local_date();
        !record.deleted()
            && day >= self.from
            && day <= self.to
            && self
                .programs
                .as_ref()
                .is_none_or(|p| p.contains(record.program()))
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

/// A single-valued attribute of a contact, by which tables are broken down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(serde::Deserialize))]
#[serde(rename_all = "snake_case")]
pub enum Attribute {
    Program,
    Milieu,
    Mode,
    Gender,
    AgeGroup,
    Status,
    Occupation,
}

crate::unit_names!(Attribute {
    Program = "program",
    Milieu = "milieu",
    Mode = "mode",
    Gender = "gender",
    AgeGroup = "age_group",
    Status = "status",
    Occupation = "occupation",
});

impl Attribute {
    /// Attributes of a person (from the person's latest contact), in the order cross-tables
    /// take them: rows are the earlier one (gender × age group, as the seed's SIDEP table).
    pub const PERSON: [Attribute; 4] = [
        Attribute::Gender,
        Attribute::AgeGroup,
        Attribute::Status,
        Attribute::Occupation,
    ];

    /// Attributes the interventions cross-tables pair up.
    pub const INTERVENTION_CROSS: [Attribute; 4] = [
        Attribute::Program,
        Attribute::Milieu,
        Attribute::Gender,
        Attribute::AgeGroup,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Attribute::Program => "program",
            Attribute::Milieu => "milieu",
            Attribute::Mode => "mode",
            Attribute::Gender => "gender",
            Attribute::AgeGroup => "age_group",
            Attribute::Status => "status",
            Attribute::Occupation => "occupation",
        }
    }

    /// The taxonomy list the attribute's codes come from.
    pub fn list(self) -> ListKind {
        match self {
            Attribute::Program => ListKind::Programs,
            Attribute::Milieu => ListKind::Milieux,
            Attribute::Mode => ListKind::Modes,
            Attribute::Gender => ListKind::Genders,
            Attribute::AgeGroup => ListKind::AgeGroups,
            Attribute::Status => ListKind::Statuses,
            Attribute::Occupation => ListKind::Occupations,
        }
    }

    /// The contact's code for this attribute (`None` when the optional field is empty).
    pub fn of(self, c: &Contact) -> Option<&str> {
        match self {
            Attribute::Program => Some(&c.program),
            Attribute::Milieu => Some(&c.milieu),
            Attribute::Mode => Some(&c.mode),
            Attribute::Gender => Some(&c.gender),
            Attribute::AgeGroup => Some(&c.age_group),
            Attribute::Status => c.status.as_deref(),
            Attribute::Occupation => c.occupation.as_deref(),
        }
    }
}

/// Counts by two attributes at once: `cells[row][column]`, only non-zero cells.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrossTable {
    pub rows: Attribute,
    pub columns: Attribute,
    pub cells: BTreeMap<String, BTreeMap<String, u32>>,
}

impl CrossTable {
    pub(crate) fn new(rows: Attribute, columns: Attribute) -> Self {
        CrossTable {
            rows,
            columns,
            cells: BTreeMap::new(),
        }
    }

    fn add(&mut self, c: &Contact) {
        self.add_codes(self.rows.of(c), self.columns.of(c), 1);
    }

    /// Adds `n` to the cell of a row's and a column's codes, when both are given.
    pub(crate) fn add_codes(&mut self, row: Option<&str>, column: Option<&str>, n: u32) {
        if let (Some(r), Some(col)) = (row, column) {
            match self.cells.get_mut(r) {
                Some(cells) => add_str(cells, col, n),
                None => {
                    // `insert`, not `BTreeMap::from`: no sort instance in the wasm.
                    let mut cells = BTreeMap::new();
                    cells.insert(col.to_owned(), n);
                    self.cells.insert(r.to_owned(), cells);
                }
            }
        }
    }

    /// One cell, 0 when empty.
    pub fn get(&self, row: &str, column: &str) -> u32 {
        self.cells
            .get(row)
            .and_then(|r| r.get(column))
            .copied()
            .unwrap_or(0)
    }

    /// The same counts with rows and columns swapped.
    pub fn transposed(&self) -> CrossTable {
        let mut out = CrossTable::new(self.columns, self.rows);
        for (row, columns) in &self.cells {
            for (column, &n) in columns {
                out.cells
                    .entry(column.clone())
                    .or_default()
                    .insert(row.clone(), n);
            }
        }
        out
    }

    /// The sum of every cell.
    pub fn total(&self) -> u64 {
        self.cells
            .values()
            .flat_map(|r| r.values())
            .map(|&n| u64::from(n))
            .sum()
    }
}

/// Every pair of `attributes`, earlier one as rows.
pub(crate) fn pairs(attributes: &[Attribute]) -> Vec<CrossTable> {
    let mut out = Vec::new();
    for (i, &rows) in attributes.iter().enumerate() {
        for &columns in &attributes[i + 1..] {
            out.push(CrossTable::new(rows, columns));
        }
    }
    out
}

/// Every table of the annual report for one filter.
///
/// On the phone (wasm32) it is read by [`read_report`] instead of serde's derived reader.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(Deserialize))]
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
    /// Interventions (visits, screenings) by the gender logged with each.
    #[serde(default)]
    pub interventions_by_gender: BTreeMap<String, u32>,
    #[serde(default)]
    pub interventions_by_age_group: BTreeMap<String, u32>,
    #[serde(default)]
    pub interventions_by_status: BTreeMap<String, u32>,
    #[serde(default)]
    pub interventions_by_occupation: BTreeMap<String, u32>,
    #[serde(default)]
    pub interventions_by_mode: BTreeMap<String, u32>,
    /// Persons by every pair of person attributes (gender × age group, …): each person once.
    #[serde(default)]
    pub persons_cross: Vec<CrossTable>,
    /// Interventions by every pair of program, milieu, gender and age group.
    #[serde(default)]
    pub interventions_cross: Vec<CrossTable>,
    /// Distinct venues visited (contacts or activities), by milieu.
    pub venues_visited_by_milieu: BTreeMap<String, u32>,
    pub material: BTreeMap<String, u64>,
    pub referrals: BTreeMap<String, u32>,
    pub web: Vec<WebRow>,
    /// Distinct persons reached on each platform, whatever the direction.
    #[serde(default)]
    pub web_persons_by_platform: BTreeMap<String, u32>,
    /// Web messages by direction (`sent`, `received`).
    #[serde(default)]
    pub web_messages_by_direction: BTreeMap<String, u32>,
    /// Activities logged, by kind: each time one is logged.
    pub activities: BTreeMap<String, u32>,
    /// Activities by kind and platform (sites monitored, ads posted, …), each time logged.
    pub activities_by_platform: BTreeMap<String, BTreeMap<String, u32>>,
    /// Distinct sites of the list by activity kind and platform: « 6 sites de rencontres
    /// surveillés », « annonces publiées sur 5 sites ».
    #[serde(default)]
    pub sites_by_activity: BTreeMap<String, BTreeMap<String, u32>>,
    pub workshop_participants: u64,
}

/// Who a contact is about, for counting persons (borrowed from the records: no allocation
/// per contact).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PersonKey<'a> {
    Code(&'a str),
    /// A first meeting without a code: one person, known only through this contact.
    Anonymous(uuid::Uuid),
}

impl Hash for PersonKey<'_> {
    /// A person code is an HMAC in hex: its first 16 characters spread as well as all 64,
    /// for a quarter of the hashing. Equal keys hash alike, which is all a map needs.
    fn hash<H: Hasher>(&self, state: &mut H) {
        match self {
            PersonKey::Code(code) => {
                let bytes = code.as_bytes();
                state.write(&bytes[..bytes.len().min(16)]);
            }
            PersonKey::Anonymous(id) => state.write(id.as_bytes()),
        }
    }
}

/// Counts by code over one pass, keyed by the records' own strings, and turned into the
/// report's map once at the end. A table has a handful of codes: a scan comparing a
/// fingerprint first (length, first and last byte) compares each contact's code with one
/// other string, where a B-tree of owned keys compared it with several (a third of a year's
/// report on the phone).
struct Counts<'a, N>(Vec<(u32, &'a str, N)>);

impl<N> Default for Counts<'_, N> {
    fn default() -> Self {
        Counts(Vec::new())
    }
}

impl<'a, N: Copy + AddAssign> Counts<'a, N> {
    fn add(&mut self, key: &'a str, n: N) {
        let bytes = key.as_bytes();
        let (first, last) = (bytes.first(), bytes.last());
        let hash = (key.len() as u32) << 16
            | u32::from(first.copied().unwrap_or(0)) << 8
            | u32::from(last.copied().unwrap_or(0));
        match self.0.iter().position(|(h, k, _)| *h == hash && *k == key) {
            Some(i) => {
                self.0[i].2 += n;
                // A code found moves one place up: the frequent ones end up first, and
                // most contacts' codes are found at the first or second place.
                if i > 0 {
                    self.0.swap(i, i - 1);
                }
            }
            None => self.0.push((hash, key, n)),
        }
    }

    /// Moves the counts into `map` (empty, or holding other codes).
    fn into_map(self, map: &mut BTreeMap<String, N>) {
        for (_, key, n) in self.0 {
            map.insert(key.to_owned(), n);
        }
    }
}

/// The per-intervention tables while a report is computed.
#[derive(Default)]
struct InterventionCounts<'a> {
    /// In the order of [`InterventionCounts::ATTRIBUTES`].
    by_attribute: [Counts<'a, u32>; 7],
    realities: Counts<'a, u32>,
    types: Counts<'a, u32>,
    referrals: Counts<'a, u32>,
    material: Counts<'a, u64>,
}

impl<'a> InterventionCounts<'a> {
    const ATTRIBUTES: [Attribute; 7] = [
        Attribute::Program,
        Attribute::Milieu,
        Attribute::Mode,
        Attribute::Gender,
        Attribute::AgeGroup,
        Attribute::Status,
        Attribute::Occupation,
    ];

    fn add(&mut self, c: &'a Contact) {
        for (counts, attribute) in self.by_attribute.iter_mut().zip(Self::ATTRIBUTES) {
            if let Some(code) = attribute.of(c) {
                counts.add(code, 1);
            }
        }
        for r in &c.realities {
            self.realities.add(r, 1);
        }
        for t in &c.intervention_types {
            self.types.add(t, 1);
        }
        for p in &c.referrals {
            self.referrals.add(p, 1);
        }
        for (code, &n) in &c.material {
            self.material.add(code, u64::from(n));
        }
    }

    /// Moves the counts into the report's tables. Activities add to `material` too, so it is
    /// merged, not replaced.
    fn finish(self, report: &mut Report) {
        let [program, milieu, mode, gender, age_group, status, occupation] = self.by_attribute;
        program.into_map(&mut report.interventions_by_program);
        milieu.into_map(&mut report.interventions_by_milieu);
        mode.into_map(&mut report.interventions_by_mode);
        gender.into_map(&mut report.interventions_by_gender);
        age_group.into_map(&mut report.interventions_by_age_group);
        status.into_map(&mut report.interventions_by_status);
        occupation.into_map(&mut report.interventions_by_occupation);
        self.realities
            .into_map(&mut report.interventions_by_reality);
        self.types.into_map(&mut report.interventions_by_type);
        self.referrals.into_map(&mut report.referrals);
        for (_, code, n) in self.material.0 {
            add_str(&mut report.material, code, n);
        }
    }
}

/// Distinct persons, with the same hashed set as the report's new persons: one set type
/// for every count of persons, where B-tree sets of them were 3 kB of the phone's module.
type Persons<'a> = HashSet<PersonKey<'a>, Fixed>;

/// Messages and distinct persons on one platform in one direction.
struct WebCount<'a> {
    platform: &'a str,
    direction: Option<Direction>,
    messages: u32,
    persons: Persons<'a>,
}

fn person_key(c: &Contact) -> Option<PersonKey<'_>> {
    match &c.person_code {
        Some(code) => Some(PersonKey::Code(code)),
        None if c.first_contact => Some(PersonKey::Anonymous(c.id)),
        None => None,
    }
}

fn bump<K: Ord>(map: &mut BTreeMap<K, u32>, key: K) {
    *map.entry(key).or_default() += 1;
}

/// Adds `n` under `key`, allocating the key only the first time it is seen: reports run
/// over a year of records on a phone, where an allocation per field per record shows.
pub(crate) fn add_str<N: Copy + std::ops::AddAssign>(
    map: &mut BTreeMap<String, N>,
    key: &str,
    n: N,
) {
    match map.get_mut(key) {
        Some(total) => *total += n,
        None => {
            map.insert(key.to_owned(), n);
        }
    }
}

fn direction_key(direction: Option<Direction>) -> &'static str {
    match direction {
        Some(Direction::Sent) => "sent",
        Some(Direction::Received) => "received",
        None => "",
    }
}

impl Report {
    /// Computes every table from the latest version of each record (callers pass those).
    pub fn compute<'a>(
        records: impl IntoIterator<Item = &'a Record>,
        filter: &ReportFilter,
    ) -> Self {
        Self::compute_tables(records, filter, true)
    }

    /// Every table but the cross-tables: what a worker's phone shows in « Mes chiffres »,
    /// over a year of records on a slow phone.
    pub fn compute_without_cross_tables<'a>(
        records: impl IntoIterator<Item = &'a Record>,
        filter: &ReportFilter,
    ) -> Self {
        Self::compute_tables(records, filter, false)
    }

    fn compute_tables<'a>(
        records: impl IntoIterator<Item = &'a Record>,
        filter: &ReportFilter,
        cross: bool,
    ) -> Self {
        let mut report = if cross {
            Report {
                persons_cross: pairs(&Attribute::PERSON),
                interventions_cross: pairs(&Attribute::INTERVENTION_CROSS),
                ..Report::default()
            }
        } else {
            Report::default()
        };
        // Hashed, with fixed keys: thousands of persons in a year, looked up per contact
        // (a B-tree's string comparisons were a third of the time); only counts and sums
        // come out of them, so their order does not matter.
        let mut latest_by_person: HashMap<PersonKey, &Contact, Fixed> = HashMap::default();
        let mut new_persons = Persons::default();
        // (milieu, venue) pairs: one hash per contact, counted by milieu at the end.
        let mut venues: HashSet<(&str, &str), Fixed> = HashSet::default();
        // Distinct (kind, platform, site) of the activities: a few tens, compared in turn.
        let mut sites: Vec<(&str, &str, &str)> = Vec::new();
        // By platform and direction, and by platform: a few entries each, kept in the
        // report's order by a binary search.
        let mut web: Vec<WebCount> = Vec::new();
        let mut web_persons: Vec<(&str, Persons)> = Vec::new();
        let mut interventions = InterventionCounts::default();
        for record in records.into_iter().filter(|r| filter.includes(r)) {
            match record {
                Record::Contact(c) => {
                    report.interventions += 1;
                    interventions.add(c);
                    for table in &mut report.interventions_cross {
                        table.add(c);
                    }
                    if let Some(venue) = &c.venue {
                        venues.insert((&c.milieu, venue));
                    }
                    let key = person_key(c);
                    if let Some(platform) = &c.platform {
                        let place = (platform.as_str(), c.direction);
                        let at =
                            match web.binary_search_by(|w| (w.platform, w.direction).cmp(&place)) {
                                Ok(at) => at,
                                Err(at) => {
                                    web.insert(
                                        at,
                                        WebCount {
                                            platform: place.0,
                                            direction: place.1,
                                            messages: 0,
                                            persons: Persons::default(),
                                        },
                                    );
                                    at
                                }
                            };
                        let row = &mut web[at];
                        row.messages += 1;
                        if c.direction.is_some() {
                            bump(
                                &mut report.web_messages_by_direction,
                                direction_key(c.direction).to_owned(),
                            );
                        }
                        if let Some(k) = key {
                            row.persons.insert(k);
                            let at = match web_persons.binary_search_by(|w| w.0.cmp(place.0)) {
                                Ok(at) => at,
                                Err(at) => {
                                    web_persons.insert(at, (place.0, Persons::default()));
                                    at
                                }
                            };
                            web_persons[at].1.insert(k);
                        }
                    }
                    if let Some(key) = key {
                        if c.first_contact {
                            new_persons.insert(key);
                        }
                        match latest_by_person.get_mut(&key) {
                            Some(slot) => {
                                if (c.occurred_at, c.id) > (slot.occurred_at, slot.id) {
                                    *slot = c;
                                }
                            }
                            None => {
                                latest_by_person.insert(key, c);
                            }
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
                    if let Some(site) = &a.site {
                        let platform = a.platform.as_deref().unwrap_or_default();
                        let seen = (a.activity.as_str(), platform, site.as_str());
                        if !sites.contains(&seen) {
                            sites.push(seen);
                        }
                    }
                    report.workshop_participants += u64::from(a.head_count.unwrap_or(0));
                    for (code, &n) in &a.material {
                        *report.material.entry(code.clone()).or_default() += u64::from(n);
                    }
                    if let (Some(milieu), Some(venue)) = (&a.milieu, &a.venue) {
                        venues.insert((milieu, venue));
                    }
                }
            }
        }
        interventions.finish(&mut report);
        report.persons = latest_by_person.len() as u32;
        report.new_persons = new_persons.len() as u32;
        let [mut age_group, mut gender, mut status, mut occupation]: [Counts<u32>; 4] =
            Default::default();
        for c in latest_by_person.values() {
            age_group.add(&c.age_group, 1);
            gender.add(&c.gender, 1);
            if let Some(s) = &c.status {
                status.add(s, 1);
            }
            if let Some(o) = &c.occupation {
                occupation.add(o, 1);
            }
            for table in &mut report.persons_cross {
                table.add(c);
            }
        }
        age_group.into_map(&mut report.persons_by_age_group);
        gender.into_map(&mut report.persons_by_gender);
        status.into_map(&mut report.persons_by_status);
        occupation.into_map(&mut report.persons_by_occupation);
        let mut venues_by_milieu = Counts::default();
        for (milieu, _) in venues {
            venues_by_milieu.add(milieu, 1);
        }
        venues_by_milieu.into_map(&mut report.venues_visited_by_milieu);
        for (kind, platform, _) in sites {
            let by_platform = report.sites_by_activity.entry(kind.to_owned()).or_default();
            add_str(by_platform, platform, 1);
        }
        report.web = web
            .into_iter()
            .map(|w| WebRow {
                platform: w.platform.to_owned(),
                direction: w.direction,
                messages: w.messages,
                persons: w.persons.len() as u32,
            })
            .collect();
        for (platform, persons) in web_persons {
            report
                .web_persons_by_platform
                .insert(platform.to_owned(), persons.len() as u32);
        }
        report
    }

    /// The persons cross-table of two attributes, in the orientation asked for.
    pub fn persons_table(&self, rows: Attribute, columns: Attribute) -> Option<CrossTable> {
        find_cross(&self.persons_cross, rows, columns)
    }

    /// The interventions cross-table of two attributes, in the orientation asked for.
    pub fn interventions_table(&self, rows: Attribute, columns: Attribute) -> Option<CrossTable> {
        find_cross(&self.interventions_cross, rows, columns)
    }

    /// Every table as rows of codes and values, in a fixed order; every table is listed,
    /// empty or not, so two reports always have the same tables.
    pub fn tables(&self) -> Vec<Table> {
        let mut tables = vec![Table {
            name: "summary".into(),
            axes: vec![Axis::Measure],
            cells: vec![
                ("interventions".into(), u64::from(self.interventions)),
                ("persons".into(), u64::from(self.persons)),
                ("new_persons".into(), u64::from(self.new_persons)),
                ("workshop_participants".into(), self.workshop_participants),
            ],
        }];
        let one = |name: &str, list: ListKind, map: &BTreeMap<String, u32>| Table {
            name: name.into(),
            axes: vec![Axis::List(list)],
            cells: map
                .iter()
                .map(|(k, &v)| (k.clone(), u64::from(v)))
                .collect(),
        };
        tables.extend([
            one(
                "persons_by_age_group",
                ListKind::AgeGroups,
                &self.persons_by_age_group,
            ),
            one(
                "persons_by_gender",
                ListKind::Genders,
                &self.persons_by_gender,
            ),
            one(
                "persons_by_status",
                ListKind::Statuses,
                &self.persons_by_status,
            ),
            one(
                "persons_by_occupation",
                ListKind::Occupations,
                &self.persons_by_occupation,
            ),
        ]);
        tables.extend(self.persons_cross.iter().map(|t| cross_table("persons", t)));
        tables.extend([
            one(
                "interventions_by_reality",
                ListKind::Realities,
                &self.interventions_by_reality,
            ),
            one(
                "interventions_by_type",
                ListKind::InterventionTypes,
                &self.interventions_by_type,
            ),
            one(
                "interventions_by_milieu",
                ListKind::Milieux,
                &self.interventions_by_milieu,
            ),
            one(
                "interventions_by_program",
                ListKind::Programs,
                &self.interventions_by_program,
            ),
            one(
                "interventions_by_gender",
                ListKind::Genders,
                &self.interventions_by_gender,
            ),
            one(
                "interventions_by_age_group",
                ListKind::AgeGroups,
                &self.interventions_by_age_group,
            ),
            one(
                "interventions_by_status",
                ListKind::Statuses,
                &self.interventions_by_status,
            ),
            one(
                "interventions_by_occupation",
                ListKind::Occupations,
                &self.interventions_by_occupation,
            ),
            one(
                "interventions_by_mode",
                ListKind::Modes,
                &self.interventions_by_mode,
            ),
        ]);
        tables.extend(
            self.interventions_cross
                .iter()
                .map(|t| cross_table("interventions", t)),
        );
        tables.extend([
            one(
                "venues_visited_by_milieu",
                ListKind::Milieux,
                &self.venues_visited_by_milieu,
            ),
            Table {
                name: "material".into(),
                axes: vec![Axis::List(ListKind::Materials)],
                cells: self.material.iter().map(|(k, &v)| (k.clone(), v)).collect(),
            },
            one("referrals", ListKind::Partners, &self.referrals),
            one("activities", ListKind::ActivityKinds, &self.activities),
            nested("activities_by_platform", &self.activities_by_platform),
            nested("sites_by_activity", &self.sites_by_activity),
        ]);
        let web = |name: &str, value: fn(&WebRow) -> u32| Table {
            name: name.into(),
            axes: vec![Axis::List(ListKind::Platforms), Axis::Direction],
            cells: self
                .web
                .iter()
                .map(|w| {
                    (
                        format!("{}/{}", w.platform, direction_key(w.direction)),
                        u64::from(value(w)),
                    )
                })
                .collect(),
        };
        tables.extend([
            web("web_messages", |w| w.messages),
            web("web_persons", |w| w.persons),
            one(
                "web_persons_by_platform",
                ListKind::Platforms,
                &self.web_persons_by_platform,
            ),
            Table {
                name: "web_messages_by_direction".into(),
                axes: vec![Axis::Direction],
                cells: self
                    .web_messages_by_direction
                    .iter()
                    .map(|(k, &v)| (k.clone(), u64::from(v)))
                    .collect(),
            },
        ]);
        tables
    }

    /// The report as CSV rows `table,code,value`, one table after another, for spreadsheets.
    pub fn to_csv(&self) -> String {
        let mut out = String::from("table,code,value\n");
        for table in self.tables() {
            for (code, value) in &table.cells {
                crate::csv::row(&mut out, &[&table.name, code, &value.to_string()]);
            }
        }
        out
    }
}

fn find_cross(tables: &[CrossTable], rows: Attribute, columns: Attribute) -> Option<CrossTable> {
    tables.iter().find_map(|t| {
        if (t.rows, t.columns) == (rows, columns) {
            Some(t.clone())
        } else if (t.rows, t.columns) == (columns, rows) {
            Some(t.transposed())
        } else {
            None
        }
    })
}

fn cross_table(unit: &str, t: &CrossTable) -> Table {
    Table {
        name: format!("{unit}_by_{}_and_{}", t.rows.key(), t.columns.key()),
        axes: vec![Axis::List(t.rows.list()), Axis::List(t.columns.list())],
        cells: t
            .cells
            .iter()
            .flat_map(|(r, cols)| {
                cols.iter()
                    .map(move |(c, &n)| (format!("{r}/{c}"), u64::from(n)))
            })
            .collect(),
    }
}

fn nested(name: &str, map: &BTreeMap<String, BTreeMap<String, u32>>) -> Table {
    Table {
        name: name.into(),
        axes: vec![
            Axis::List(ListKind::ActivityKinds),
            Axis::List(ListKind::Platforms),
        ],
        cells: map
            .iter()
            .flat_map(|(kind, inner)| {
                inner
                    .iter()
                    .map(move |(p, &n)| (format!("{kind}/{p}"), u64::from(n)))
            })
            .collect(),
    }
}

/// What the codes of a table are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "list")]
pub enum Axis {
    /// Codes of one taxonomy list.
    List(ListKind),
    /// The summary's measures: `interventions`, `persons`, `new_persons`, …
    Measure,
    /// `sent` or `received` (empty when not said).
    Direction,
}

/// One table of the report as rows. With two axes a code is `row/column`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table {
    pub name: String,
    pub axes: Vec<Axis>,
    pub cells: Vec<(String, u64)>,
}

/// One row of two periods side by side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Difference {
    pub table: String,
    pub code: String,
    /// In the report's period.
    pub value: u64,
    /// In the period compared with.
    pub compare_value: u64,
    /// `value - compare_value`: positive is a rise (« une hausse »).
    pub difference: i64,
}

/// Two periods side by side: every row that is non-zero in either, table by table.
pub fn differences(current: &Report, other: &Report) -> Vec<Difference> {
    let mine = current.tables();
    let theirs = other.tables();
    let mut names: Vec<&str> = mine.iter().map(|t| t.name.as_str()).collect();
    for t in &theirs {
        if !names.contains(&t.name.as_str()) {
            names.push(&t.name);
        }
    }
    let cells = |tables: &[Table], name: &str| -> Vec<(String, u64)> {
        tables
            .iter()
            .find(|t| t.name == name)
            .map(|t| t.cells.clone())
            .unwrap_or_default()
    };
    let mut out = Vec::new();
    for name in names {
        let (a, b) = (cells(&mine, name), cells(&theirs, name));
        let b_by_code: BTreeMap<&str, u64> = b.iter().map(|(c, v)| (c.as_str(), *v)).collect();
        let a_codes: BTreeSet<&str> = a.iter().map(|(c, _)| c.as_str()).collect();
        let only_b = b
            .iter()
            .filter(|(c, _)| !a_codes.contains(c.as_str()))
            .map(|(c, _)| (c.clone(), 0));
        for (code, value) in a.iter().cloned().chain(only_b) {
            let compare_value = b_by_code.get(code.as_str()).copied().unwrap_or(0);
            out.push(Difference {
                table: name.to_owned(),
                difference: value as i64 - compare_value as i64,
                code,
                value,
                compare_value,
            });
        }
    }
    out
}

/// Two periods as CSV rows `table,code,value,compare_value,difference`.
pub fn differences_csv(rows: &[Difference]) -> String {
    let mut out = String::from("table,code,value,compare_value,difference\n");
    for d in rows {
        crate::csv::row(
            &mut out,
            &[
                &d.table,
                &d.code,
                &d.value.to_string(),
                &d.compare_value.to_string(),
                &d.difference.to_string(),
            ],
        );
    }
    out
}

/// [`Report`]'s fields, in the order they are declared (and written).
#[cfg(any(target_arch = "wasm32", test))]
const REPORT_FIELDS: &[&str] = &[
    "interventions",
    "persons",
    "new_persons",
    "persons_by_age_group",
    "persons_by_gender",
    "persons_by_status",
    "persons_by_occupation",
    "interventions_by_reality",
    "interventions_by_type",
    "interventions_by_milieu",
    "interventions_by_program",
    "interventions_by_gender",
    "interventions_by_age_group",
    "interventions_by_status",
    "interventions_by_occupation",
    "interventions_by_mode",
    "persons_cross",
    "interventions_cross",
    "venues_visited_by_milieu",
    "material",
    "referrals",
    "web",
    "web_persons_by_platform",
    "web_messages_by_direction",
    "activities",
    "activities_by_platform",
    "sites_by_activity",
    "workshop_participants",
];

/// The places in [`REPORT_FIELDS`] of the fields a report may leave out (`#[serde(default)]`).
#[cfg(any(target_arch = "wasm32", test))]
const REPORT_OPTIONAL: u64 = 0b11111 << 11 | 0b11 << 16 | 0b11 << 22 | 1 << 26;

/// Reads a [`Report`] as serde's derived reader does from a JSON object (the same fields
/// accepted, unknown ones skipped, a duplicate or a missing required field refused with the
/// same words: [`crate::names::read_struct`]), in a fraction of the derived reader's wasm
/// (12 kB raw on the phone). A report as a JSON array, which no one writes, is refused.
#[cfg(any(target_arch = "wasm32", test))]
pub fn read_report<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Report, D::Error> {
    crate::names::read_struct(d)
}

#[cfg(target_arch = "wasm32")]
impl<'de> Deserialize<'de> for Report {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        read_report(d)
    }
}

#[cfg(any(target_arch = "wasm32", test))]
impl crate::names::Fields for Report {
    const EXPECTING: &'static str = "struct Report";
    const NAMES: &'static [&'static str] = REPORT_FIELDS;
    const OPTIONAL: u64 = REPORT_OPTIONAL;
    const DENY_UNKNOWN: bool = false;

    fn empty() -> Self {
        Report::default()
    }

    fn read_field<'de, A: serde::de::MapAccess<'de>>(
        &mut self,
        at: usize,
        map: &mut A,
    ) -> Result<(), A::Error> {
        match at {
            16 => self.persons_cross = map.next_value()?,
            17 => self.interventions_cross = map.next_value()?,
            _ => self.read_table(at, map)?,
        }
        Ok(())
    }
}

/// Reads a [`Report`] as [`read_report`] does, but skips its cross-tables unread: what a
/// worker's phone keeps of its `/tallies` (« Mes chiffres » never shows cross-tables), so
/// that their reader stays out of the phone's module. The report read holds none.
#[cfg(any(target_arch = "wasm32", test))]
pub fn read_report_without_cross_tables<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Report, D::Error> {
    crate::names::read_struct::<WithoutCrossTables, D>(d).map(|read| read.0)
}

#[cfg(any(target_arch = "wasm32", test))]
struct WithoutCrossTables(Report);

#[cfg(any(target_arch = "wasm32", test))]
impl crate::names::Fields for WithoutCrossTables {
    const EXPECTING: &'static str = <Report as crate::names::Fields>::EXPECTING;
    const NAMES: &'static [&'static str] = <Report as crate::names::Fields>::NAMES;
    const OPTIONAL: u64 = <Report as crate::names::Fields>::OPTIONAL;
    const DENY_UNKNOWN: bool = <Report as crate::names::Fields>::DENY_UNKNOWN;

    fn empty() -> Self {
        WithoutCrossTables(Report::default())
    }

    fn read_field<'de, A: serde::de::MapAccess<'de>>(
        &mut self,
        at: usize,
        map: &mut A,
    ) -> Result<(), A::Error> {
        match at {
            16 | 17 => {
                map.next_value::<serde::de::IgnoredAny>()?;
                Ok(())
            }
            _ => self.0.read_table(at, map),
        }
    }
}

#[cfg(any(target_arch = "wasm32", test))]
impl Report {
    /// Reads the field at `at` in [`REPORT_FIELDS`], any but the cross-tables (16, 17).
    fn read_table<'de, A: serde::de::MapAccess<'de>>(
        &mut self,
        at: usize,
        map: &mut A,
    ) -> Result<(), A::Error> {
        let r = self;
        match at {
            0 => r.interventions = map.next_value()?,
            1 => r.persons = map.next_value()?,
            2 => r.new_persons = map.next_value()?,
            19 => r.material = map.next_value()?,
            21 => r.web = map.next_value()?,
            25 => r.activities_by_platform = map.next_value()?,
            26 => r.sites_by_activity = map.next_value()?,
            27 => r.workshop_participants = map.next_value()?,
            _ => *r.counts_mut(at) = map.next_value()?,
        }
        Ok(())
    }

    /// The table of counts by code at this place of [`REPORT_FIELDS`] (one of them).
    fn counts_mut(&mut self, at: usize) -> &mut BTreeMap<String, u32> {
        match at {
            3 => &mut self.persons_by_age_group,
            4 => &mut self.persons_by_gender,
            5 => &mut self.persons_by_status,
            6 => &mut self.persons_by_occupation,
            7 => &mut self.interventions_by_reality,
            8 => &mut self.interventions_by_type,
            9 => &mut self.interventions_by_milieu,
            10 => &mut self.interventions_by_program,
            11 => &mut self.interventions_by_gender,
            12 => &mut self.interventions_by_age_group,
            13 => &mut self.interventions_by_status,
            14 => &mut self.interventions_by_occupation,
            15 => &mut self.interventions_by_mode,
            18 => &mut self.venues_visited_by_milieu,
            20 => &mut self.referrals,
            22 => &mut self.web_persons_by_platform,
            23 => &mut self.web_messages_by_direction,
            _ => &mut self.activities,
        }
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
            programs: None,
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
        filter.programs = Some(BTreeSet::from(["catwoman".to_owned()]));
        assert_eq!(Report::compute(&records, &filter).interventions, 1);
        filter.programs = Some(BTreeSet::from(["catwoman".to_owned(), "sidep".to_owned()]));
        assert_eq!(Report::compute(&records, &filter).interventions, 2);
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

    #[test]
    fn cross_tables_count_each_person_once_in_one_cell() {
        // A: woman 18-25 then 26-40 (latest wins); B: man 26-40; C: uncoded first meeting,
        // woman 41+; D: an uncoded repeat (no person), woman 18-25.
        let mut a1 = coded(1, "2026-02-01T20:00:00-05:00", 'a', true);
        a1.age_group = "18_25".into();
        let a2 = coded(2, "2026-05-01T20:00:00-04:00", 'a', false);
        let mut b = coded(3, "2026-02-03T20:00:00-05:00", 'b', true);
        b.gender = "homme".into();
        b.status = Some("active".into());
        let mut c = contact(4, "2026-03-01T20:00:00-05:00", &["justice"]);
        c.first_contact = true;
        c.age_group = "41_plus".into();
        let mut d = contact(5, "2026-03-02T20:00:00-05:00", &["justice"]);
        d.age_group = "18_25".into();
        let records: Vec<Record> = [a1, a2, b, c, d].into_iter().map(Record::Contact).collect();
        let r = Report::compute(&records, &year());
        assert_eq!(r.persons, 3);
        let t = r
            .persons_table(Attribute::Gender, Attribute::AgeGroup)
            .unwrap();
        assert_eq!(t.get("femme", "26_40"), 1);
        assert_eq!(t.get("femme", "41_plus"), 1);
        assert_eq!(t.get("femme", "18_25"), 0);
        assert_eq!(t.get("homme", "26_40"), 1);
        assert_eq!(t.total(), u64::from(r.persons));
        // Asked the other way round, the same counts transposed.
        let by_age = r
            .persons_table(Attribute::AgeGroup, Attribute::Gender)
            .unwrap();
        assert_eq!(by_age.get("26_40", "homme"), 1);
        // A person without a status is in no status cell.
        let status = r
            .persons_table(Attribute::Gender, Attribute::Status)
            .unwrap();
        assert_eq!(status.total(), 1);
        // Every pair of person attributes is there.
        assert_eq!(r.persons_cross.len(), 6);
        // Interventions count each contact: D is an intervention without a person.
        assert_eq!(r.interventions, 5);
        assert_eq!(r.interventions_by_gender["femme"], 4);
        assert_eq!(r.interventions_by_gender["homme"], 1);
        assert_eq!(r.interventions_by_age_group["18_25"], 2);
        let by_program = r
            .interventions_table(Attribute::Program, Attribute::Gender)
            .unwrap();
        assert_eq!(by_program.get("catwoman", "femme"), 4);
        assert_eq!(by_program.total(), 5);
        let csv = r.to_csv();
        assert!(
            csv.contains("persons_by_gender_and_age_group,femme/26_40,1\n"),
            "{csv}"
        );
        assert!(csv.contains("interventions_by_gender,homme,1\n"));
        assert!(csv.contains("interventions_by_program_and_gender,catwoman/femme,4\n"));
    }

    #[test]
    fn distinct_sites_are_counted_once_however_often_logged() {
        let site = |n: u128, kind: &str, site: &str, platform: &str| {
            let mut a = activity(n, "2026-02-02T20:00:00-05:00", kind);
            a.program = "web_adultes".into();
            a.milieu = None;
            a.site = Some(site.into());
            a.platform = Some(platform.into());
            Record::Activity(a)
        };
        let records = [
            site(1, "site_surveille", "rencontre_a", "site_rencontres"),
            site(2, "site_surveille", "rencontre_a", "site_rencontres"),
            site(3, "site_surveille", "rencontre_b", "site_rencontres"),
            site(4, "site_surveille", "annonces_a", "petites_annonces"),
            site(5, "annonce_publiee", "annonces_a", "petites_annonces"),
            site(6, "annonce_publiee", "annonces_a", "petites_annonces"),
        ];
        let r = Report::compute(&records, &year());
        assert_eq!(r.activities["site_surveille"], 4);
        assert_eq!(r.sites_by_activity["site_surveille"]["site_rencontres"], 2);
        assert_eq!(r.sites_by_activity["site_surveille"]["petites_annonces"], 1);
        assert_eq!(
            r.sites_by_activity["annonce_publiee"]["petites_annonces"],
            1
        );
        assert!(
            r.to_csv()
                .contains("sites_by_activity,site_surveille/site_rencontres,2\n")
        );
    }

    #[test]
    fn web_persons_by_platform_count_each_person_once_across_directions() {
        let msg = |n: u128, code: char, platform: &str, direction: Direction| {
            let mut c = coded(n, "2026-02-01T20:00:00-05:00", code, false);
            c.platform = Some(platform.into());
            c.direction = Some(direction);
            Record::Contact(c)
        };
        let records = [
            msg(1, 'a', "textnow", Direction::Received),
            msg(2, 'a', "textnow", Direction::Sent),
            msg(3, 'b', "textnow", Direction::Received),
            msg(4, 'a', "facebook", Direction::Received),
        ];
        let r = Report::compute(&records, &year());
        assert_eq!(r.web_persons_by_platform["textnow"], 2);
        assert_eq!(r.web_persons_by_platform["facebook"], 1);
        assert_eq!(r.web_messages_by_direction["received"], 3);
        assert_eq!(r.web_messages_by_direction["sent"], 1);
    }

    #[test]
    fn two_periods_side_by_side() {
        let this_year = [
            Record::Contact(contact(1, "2026-02-01T20:00:00-05:00", &["sante"])),
            Record::Contact(contact(
                2,
                "2026-02-02T20:00:00-05:00",
                &["sante", "justice"],
            )),
        ];
        let last_year = [Record::Contact(contact(
            3,
            "2025-02-01T20:00:00-05:00",
            &["hebergement"],
        ))];
        let before = ReportFilter {
            from: NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
            to: NaiveDate::from_ymd_opt(2025, 12, 31).unwrap(),
            programs: None,
        };
        let now = Report::compute(&this_year, &year());
        let then = Report::compute(&last_year, &before);
        let rows = differences(&now, &then);
        let find = |table: &str, code: &str| {
            rows.iter()
                .find(|d| d.table == table && d.code == code)
                .cloned()
                .unwrap()
        };
        let interventions = find("summary", "interventions");
        assert_eq!(
            (
                interventions.value,
                interventions.compare_value,
                interventions.difference
            ),
            (2, 1, 1)
        );
        let housing = find("interventions_by_reality", "hebergement");
        assert_eq!(
            (housing.value, housing.compare_value, housing.difference),
            (0, 1, -1)
        );
        assert_eq!(find("interventions_by_reality", "justice").difference, 1);
        let csv = differences_csv(&rows);
        assert!(csv.starts_with(
            "table,code,value,compare_value,difference\nsummary,interventions,2,1,1\n"
        ));
        assert!(csv.contains("interventions_by_reality,hebergement,0,1,-1\n"));
        // Every table of a report is listed, empty or not, so both sides always align.
        assert_eq!(now.tables().len(), Report::default().tables().len() + 12);
    }

    /// Codes that share a length and their first and last bytes, so that `Counts` must
    /// compare them in full.
    const LOOKALIKES: [&str; 5] = ["axb", "ayb", "azb", "b", "abcdefghijb"];

    proptest::proptest! {
        /// Every one-attribute table and the distinct venues equal a plain count of the
        /// records; persons are counted from each person's latest contact.
        #[test]
        fn tables_equal_a_plain_count(
            generated in proptest::collection::vec(
                (0usize..5, 0usize..5, proptest::collection::vec(0usize..5, 0..3),
                 proptest::option::of(0usize..5), proptest::option::of(0u8..6), 0i64..200),
                0..60,
            )
        ) {
            let start = chrono::DateTime::parse_from_rfc3339("2026-02-01T12:00:00-05:00").unwrap();
            let records: Vec<Record> = generated
                .iter()
                .enumerate()
                .map(|(i, (milieu, gender, realities, venue, person, day))| {
                    let mut c = contact(i as u128 + 1, "2026-02-01T12:00:00-05:00", &["sante"]);
                    c.occurred_at = start + chrono::Duration::days(*day);
                    c.milieu = LOOKALIKES[*milieu].into();
                    c.gender = LOOKALIKES[*gender].into();
                    // A record's réalités are distinct (`finish` makes them so).
                    let distinct: BTreeSet<usize> = realities.iter().copied().collect();
                    c.realities = distinct.iter().map(|&r| LOOKALIKES[r].to_owned()).collect();
                    c.venue = venue.map(|v| LOOKALIKES[v].to_owned());
                    c.person_code = person.map(|p| p.to_string().repeat(64));
                    Record::Contact(c)
                })
                .collect();
            let report = Report::compute(&records, &year());
            let contacts: Vec<&Contact> = records
                .iter()
                .filter_map(|r| match r {
                    Record::Contact(c) => Some(c),
                    Record::Activity(_) => None,
                })
                .collect();
            let count = |f: &dyn Fn(&Contact, &str) -> bool| -> BTreeMap<String, u32> {
                LOOKALIKES
                    .iter()
                    .map(|code| (code.to_string(), contacts.iter().filter(|c| f(c, code)).count() as u32))
                    .filter(|(_, n)| *n > 0)
                    .collect()
            };
            proptest::prop_assert_eq!(&report.interventions_by_milieu, &count(&|c, code| c.milieu == code));
            proptest::prop_assert_eq!(&report.interventions_by_gender, &count(&|c, code| c.gender == code));
            proptest::prop_assert_eq!(
                &report.interventions_by_reality,
                &count(&|c, code| c.realities.iter().any(|r| r == code))
            );
            let venues: BTreeSet<(&str, &str)> = contacts
                .iter()
                .filter_map(|c| Some((c.milieu.as_str(), c.venue.as_deref()?)))
                .collect();
            let venues_by_milieu: BTreeMap<String, u32> = LOOKALIKES
                .iter()
                .map(|m| (m.to_string(), venues.iter().filter(|(of, _)| of == m).count() as u32))
                .filter(|(_, n)| *n > 0)
                .collect();
            proptest::prop_assert_eq!(&report.venues_visited_by_milieu, &venues_by_milieu);
            let mut latest: BTreeMap<&str, &Contact> = BTreeMap::new();
            for c in contacts.iter().filter(|c| c.person_code.is_some()) {
                let slot = latest.entry(c.person_code.as_deref().unwrap_or_default()).or_insert(c);
                if (c.occurred_at, c.id) > (slot.occurred_at, slot.id) {
                    *slot = c;
                }
            }
            let mut persons_by_gender: BTreeMap<String, u32> = BTreeMap::new();
            for c in latest.values() {
                *persons_by_gender.entry(c.gender.clone()).or_default() += 1;
            }
            proptest::prop_assert_eq!(report.persons as usize, latest.len());
            proptest::prop_assert_eq!(&report.persons_by_gender, &persons_by_gender);
        }
    }

    /// [`read_report`] against serde's derived reader: a report with every table filled,
    /// then without each field, with each one twice, of the wrong type, and with a field it
    /// does not know: the same report or the same error, word for word. Then
    /// [`read_report_without_cross_tables`] against it.
    #[test]
    fn the_phones_reader_reads_a_report_as_the_derived_one() {
        let derived = |json: &str| serde_json::from_str::<Report>(json).map_err(|e| e.to_string());
        let by_hand = |json: &str| {
            read_report(&mut serde_json::Deserializer::from_str(json)).map_err(|e| e.to_string())
        };
        let same = |json: &str| assert_eq!(by_hand(json), derived(json), "{json}");
        let serde_json::Value::Object(mut full) = serde_json::to_value(Report::default()).unwrap()
        else {
            panic!("a report is an object");
        };
        let mut keys: Vec<&str> = full.keys().map(String::as_str).collect();
        let mut fields = REPORT_FIELDS.to_vec();
        keys.sort_unstable();
        fields.sort_unstable();
        assert_eq!(keys, fields);
        let cross = serde_json::json!([
            {"rows": "gender", "columns": "age_group", "cells": {"femme": {"26_40": 2}}}
        ]);
        for (n, (name, value)) in full.iter_mut().enumerate() {
            *value = match name.as_str() {
                "persons_cross" | "interventions_cross" => cross.clone(),
                "web" => serde_json::json!([
                    {"platform": "p", "direction": "sent", "messages": 3, "persons": 1}
                ]),
                "activities_by_platform" | "sites_by_activity" => {
                    serde_json::json!({"annonce": {"p": n}})
                }
                _ if value.is_object() => serde_json::json!({"a": n, "b": 1}),
                _ => serde_json::json!(n + 1),
            };
        }
        let text =
            |map: &serde_json::Map<String, serde_json::Value>| serde_json::to_string(map).unwrap();
        let report = by_hand(&text(&full)).unwrap();
        assert_eq!(Ok(report.clone()), derived(&text(&full)));
        assert_ne!(report, Report::default());
        for field in REPORT_FIELDS {
            let mut without = full.clone();
            without.remove(*field);
            same(&text(&without));
            let mut wrong = full.clone();
            wrong.insert(field.to_string(), serde_json::json!("x"));
            same(&text(&wrong));
            let twice = format!("{{\"{field}\":{},{}", full[*field], &text(&full)[1..]);
            same(&twice);
        }
        same("{}");
        same(&format!(
            "{{\"unknown\":[1,{{\"a\":null}}],{}",
            &text(&full)[1..]
        ));
        for bad in ["1", "null", "\"x\"", "[]"] {
            assert!(by_hand(bad).is_err(), "{bad}");
        }
        // The phone's reader of its `/tallies`: the same report, its cross-tables left
        // empty whatever they held; every other field refused or accepted as above.
        let without_cross = |json: &str| {
            read_report_without_cross_tables(&mut serde_json::Deserializer::from_str(json))
                .map_err(|e| e.to_string())
        };
        let expected = Report {
            persons_cross: Vec::new(),
            interventions_cross: Vec::new(),
            ..report.clone()
        };
        assert!(!report.persons_cross.is_empty() && !report.interventions_cross.is_empty());
        assert_eq!(without_cross(&text(&full)), Ok(expected));
        let outcome = |read: Result<Report, String>| read.map(|_| ());
        for field in REPORT_FIELDS {
            let mut without = full.clone();
            without.remove(*field);
            let without = text(&without);
            assert_eq!(
                outcome(without_cross(&without)),
                outcome(by_hand(&without)),
                "{field}"
            );
            let mut wrong = full.clone();
            wrong.insert(field.to_string(), serde_json::json!("x"));
            let cross = matches!(*field, "persons_cross" | "interventions_cross");
            assert_eq!(without_cross(&text(&wrong)).is_ok(), cross, "{field}");
            let twice = format!("{{\"{field}\":{},{}", full[*field], &text(&full)[1..]);
            assert_eq!(
                outcome(without_cross(&twice)),
                outcome(by_hand(&twice)),
                "{field}"
            );
        }
    }
}
