//! Each worker's figures side by side, for the coordinator closing a period (« Équipe »).
//!
//! A row is one worker's [`Report`] for the period and programs of the team report, cut
//! down to the columns a coordinator compares. The total row is the team's own report, not
//! the sum of the rows: every column adds up, except distinct persons — one person met by
//! two workers counts once for the team, so the team's persons are at most the rows' sum.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::report::Report;

/// One worker's figures (or the team's, in the total row).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamRow {
    /// The worker's name; empty in the total row.
    #[serde(default)]
    pub worker: String,
    /// Contacts logged: one intervention each.
    pub interventions: u32,
    /// Distinct persons met (see [`crate::report`] for how persons are told apart).
    pub persons: u32,
    /// Persons whose first meeting falls in the period.
    pub new_persons: u32,
    /// Activities logged (venue visits, ads posted, sites monitored, workshops).
    pub activities: u32,
    /// Material given, by kind (taxonomy codes).
    pub material: BTreeMap<String, u64>,
    /// Web messages by direction: `sent`, `received`.
    pub web_messages: BTreeMap<String, u32>,
}

impl TeamRow {
    /// The columns of one report.
    pub fn of(worker: impl Into<String>, report: &Report) -> Self {
        TeamRow {
            worker: worker.into(),
            interventions: report.interventions,
            persons: report.persons,
            new_persons: report.new_persons,
            activities: report.activities.values().sum(),
            material: report.material.clone(),
            web_messages: report
                .web_messages_by_direction
                .iter()
                .filter(|(direction, _)| !direction.is_empty())
                .map(|(direction, n)| (direction.clone(), *n))
                .collect(),
        }
    }
}

/// The table: a row per worker, in the order given, and the team's total.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamTable {
    pub rows: Vec<TeamRow>,
    pub total: TeamRow,
}

/// A column of the table, for sorting and for the CSV's header.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Column {
    Worker,
    Interventions,
    Persons,
    NewPersons,
    Activities,
    /// Material of one kind (its code).
    Material(String),
    /// Web messages in one direction (`sent`, `received`).
    WebMessages(String),
}

impl TeamTable {
    /// Each worker's report beside the team's (`team`: the same period and programs over
    /// every worker's records).
    pub fn new(workers: impl IntoIterator<Item = (String, Report)>, team: &Report) -> Self {
        TeamTable {
            rows: workers
                .into_iter()
                .map(|(name, report)| TeamRow::of(name, &report))
                .collect(),
            total: TeamRow::of("", team),
        }
    }

    /// Every column the table shows: the fixed ones, then each material kind and web
    /// direction that any row has, in code order.
    pub fn columns(&self) -> Vec<Column> {
        let mut columns = vec![
            Column::Worker,
            Column::Interventions,
            Column::Persons,
            Column::NewPersons,
            Column::Activities,
        ];
        let all = || self.rows.iter().chain([&self.total]);
        let material: std::collections::BTreeSet<&String> =
            all().flat_map(|r| r.material.keys()).collect();
        columns.extend(material.into_iter().map(|k| Column::Material(k.clone())));
        let directions: std::collections::BTreeSet<&String> =
            all().flat_map(|r| r.web_messages.keys()).collect();
        columns.extend(
            directions
                .into_iter()
                .map(|k| Column::WebMessages(k.clone())),
        );
        columns
    }

    /// The rows ordered by `column` (workers by name, figures largest first unless
    /// `ascending`); ties keep the workers' names in order.
    pub fn sorted(&self, column: &Column, ascending: bool) -> Vec<&TeamRow> {
        let mut rows: Vec<&TeamRow> = self.rows.iter().collect();
        rows.sort_by(|a, b| {
            let by_name = a.worker.to_lowercase().cmp(&b.worker.to_lowercase());
            let order = match column {
                Column::Worker => by_name,
                other => a.value(other).cmp(&b.value(other)).then(by_name.reverse()),
            };
            if ascending { order } else { order.reverse() }
        });
        rows
    }
}

impl TeamRow {
    /// The row's figure in a column (0 for the worker's name).
    pub fn value(&self, column: &Column) -> u64 {
        match column {
            Column::Worker => 0,
            Column::Interventions => u64::from(self.interventions),
            Column::Persons => u64::from(self.persons),
            Column::NewPersons => u64::from(self.new_persons),
            Column::Activities => u64::from(self.activities),
            Column::Material(kind) => self.material.get(kind).copied().unwrap_or(0),
            Column::WebMessages(direction) => {
                u64::from(self.web_messages.get(direction).copied().unwrap_or(0))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::ReportFilter;
    use crate::{Record, Taxonomy};
    use chrono::{DateTime, Duration, FixedOffset, NaiveDate};
    use proptest::prelude::*;
    use uuid::Uuid;

    type Generated = (usize, i64, Option<u8>, bool, Option<bool>, u32, bool);

    /// A record of a generated year: the day of the fiscal year, a person code (of twelve),
    /// a first meeting, a web message (sent or received), condoms, or a workshop instead.
    fn generated(
        taxonomy: &Taxonomy,
        n: u128,
        &(_, day, person, first, web, condoms, activity): &Generated,
    ) -> Record {
        let at: DateTime<FixedOffset> = DateTime::parse_from_rfc3339("2019-04-01T12:00:00-04:00")
            .unwrap()
            + Duration::days(day);
        if activity {
            let workshop = crate::ActivityDraft {
                program: Some("milieu_de_vie".into()),
                activity: Some("atelier".into()),
                head_count: Some(5),
                material: BTreeMap::from([("condoms".to_owned(), condoms)]),
                ..crate::ActivityDraft::default()
            };
            return Record::Activity(workshop.finish(Uuid::from_u128(n), at, taxonomy).unwrap());
        }
        let mut draft = crate::record::tests::draft();
        draft.person_code = person.map(|p| format!("{:064x}", u128::from(p) + 1));
        draft.first_contact = first;
        draft.material = BTreeMap::from([("condoms".to_owned(), condoms)]);
        if let Some(sent) = web {
            draft.program = Some("web_adultes".into());
            draft.milieu = Some("web".into());
            draft.mode = Some("messagerie".into());
            draft.platform = Some("messenger".into());
            draft.direction = Some(if sent {
                crate::Direction::Sent
            } else {
                crate::Direction::Received
            });
        }
        Record::Contact(draft.finish(Uuid::from_u128(n), at, taxonomy).unwrap())
    }

    fn year() -> impl Strategy<Value = Vec<Generated>> {
        proptest::collection::vec(
            (
                0usize..5,
                0i64..365,
                proptest::option::of(0u8..12),
                any::<bool>(),
                proptest::option::of(any::<bool>()),
                0u32..20,
                proptest::bool::weighted(0.15),
            ),
            0..120,
        )
    }

    proptest! {
        /// Every column of the rows adds up to the team's figure, except persons (and new
        /// persons), which the team counts once however many workers met them.
        #[test]
        fn rows_add_up_to_the_team_except_distinct_persons(records in year(), split in 1i64..365) {
            let taxonomy = Taxonomy::builtin();
            let names = ["a", "b", "c", "d", "e"];
            let all: Vec<(usize, Record)> = records
                .iter()
                .enumerate()
                .map(|(i, g)| (g.0, generated(&taxonomy, i as u128 + 1, g)))
                .collect();
            let start = NaiveDate::from_ymd_opt(2019, 4, 1).unwrap();
            // The whole fiscal year, and a part of it.
            for (from, to) in [
                (start, NaiveDate::from_ymd_opt(2020, 3, 31).unwrap()),
                (start + Duration::days(split / 2), start + Duration::days(split)),
            ] {
                let filter = ReportFilter { from, to, programs: None };
                let team = Report::compute(all.iter().map(|(_, r)| r), &filter);
                let table = TeamTable::new(
                    names.iter().enumerate().map(|(w, name)| {
                        let mine = all.iter().filter(|(of, _)| *of == w).map(|(_, r)| r);
                        (name.to_string(), Report::compute(mine, &filter))
                    }),
                    &team,
                );
                for column in table.columns() {
                    let sum: u64 = table.rows.iter().map(|r| r.value(&column)).sum();
                    let total = table.total.value(&column);
                    match column {
                        Column::Worker => {}
                        Column::Persons | Column::NewPersons => {
                            let most = table.rows.iter().map(|r| r.value(&column)).max().unwrap_or(0);
                            prop_assert!(total <= sum, "{column:?}: {total} > {sum}");
                            prop_assert!(total >= most, "{column:?}: {total} < {most}");
                        }
                        _ => prop_assert_eq!(total, sum, "{:?}", column),
                    }
                }
            }
        }
    }

    #[test]
    fn a_person_met_by_two_workers_counts_once_for_the_team() {
        let taxonomy = Taxonomy::builtin();
        let mine = generated(&taxonomy, 1, &(0, 3, Some(7), true, None, 5, false));
        let theirs = generated(&taxonomy, 2, &(1, 4, Some(7), false, None, 2, false));
        let filter = ReportFilter {
            from: NaiveDate::from_ymd_opt(2019, 4, 1).unwrap(),
            to: NaiveDate::from_ymd_opt(2020, 3, 31).unwrap(),
            programs: None,
        };
        let table = TeamTable::new(
            [
                ("b".to_owned(), Report::compute([&theirs], &filter)),
                ("a".to_owned(), Report::compute([&mine], &filter)),
            ],
            &Report::compute([&mine, &theirs], &filter),
        );
        assert_eq!((table.rows[0].persons, table.rows[1].persons), (1, 1));
        assert_eq!(table.total.persons, 1);
        assert_eq!(table.total.interventions, 2);
        assert_eq!(table.total.material["condoms"], 7);
        let by_condoms: Vec<&str> = table
            .sorted(&Column::Material("condoms".into()), false)
            .iter()
            .map(|r| r.worker.as_str())
            .collect();
        assert_eq!(by_condoms, ["a", "b"]);
        let by_name: Vec<&str> = table
            .sorted(&Column::Worker, true)
            .iter()
            .map(|r| r.worker.as_str())
            .collect();
        assert_eq!(by_name, ["a", "b"]);
    }
}
