//! The organisation's past spreadsheets: `carnet-server import FILE.csv --worker NAME
//! [--dry-run]` and `POST /api/v1/import` (coordinators).
//!
//! A CSV file with a header row, `,` or `;` separated (as a French spreadsheet exports it),
//! one contact or activity per row. Column names and values may be codes or French (or
//! English) labels, accents and case aside: `Milieu` = `milieu`, `Bar érotique` =
//! `bar_erotique`. Several values in one cell are separated by `;`, `|` or `,`.
//!
//! A dry run reads the whole file and lists what would be imported and every problem by
//! line number; nothing is written. A real import writes all rows in one transaction, or
//! none if any row has a problem. Each row's id is a UUIDv5 of what the row says (plus its
//! rank among identical rows), so importing the same file twice changes nothing; the same
//! file for another worker is refused (the rows are someone else's already).
//!
//! Aliases in a `personne` column are turned into person codes with the organisation key,
//! as the app does, and dropped: they are never stored.

use std::collections::{BTreeMap, HashMap};

use carnet_core::person::{AliasError, is_person_code, key_from_hex, person_code};
use carnet_core::wire::{ImportOutcome, ImportProblem, LineProblem, RecordStatus};
use carnet_core::{
    ActivityDraft, ContactDraft, Direction, ListKind, Record, RecordError, Taxonomy,
};
use chrono::{NaiveDate, NaiveTime};
use uuid::Uuid;

use crate::import::ImportError;
use crate::store::Store;

/// Namespace of the ids of imported rows (UUIDv5).
const NAMESPACE: Uuid = Uuid::from_u128(0x6c1a_73d2_5b0e_4f8a_9d41_2e7c_b3f0_a915);

/// A file read: the valid rows as records (with their line), and every problem.
#[derive(Debug, Default, PartialEq)]
pub struct Parsed {
    pub records: Vec<(usize, Record)>,
    pub problems: Vec<LineProblem>,
    /// Data rows read, blank lines aside.
    pub rows: usize,
}

/// Reads the file into valid records, or every problem found.
pub fn parse(text: &str, taxonomy: &Taxonomy, person_key: &[u8]) -> Parsed {
    let mut problems = Vec::new();
    let rows = match read_csv(text) {
        Ok(rows) => rows,
        Err(problem) => {
            return Parsed {
                problems: vec![problem],
                ..Parsed::default()
            };
        }
    };
    let Some((header_line, header)) = rows.first() else {
        problems.push(LineProblem::new(1, None, ImportProblem::EmptyFile));
        return Parsed {
            problems,
            ..Parsed::default()
        };
    };
    let columns: Vec<Option<Column>> = header
        .iter()
        .map(|name| {
            let column = Column::from_header(name, taxonomy);
            if column.is_none() && !name.trim().is_empty() {
                problems.push(LineProblem::new(
                    *header_line,
                    Some(name),
                    ImportProblem::UnknownColumn,
                ));
            }
            column
        })
        .collect();
    if !columns.iter().flatten().any(|c| *c == Column::Date) {
        problems.push(LineProblem::new(
            *header_line,
            None,
            ImportProblem::NoDateColumn,
        ));
    }
    // Which header names each record field, for messages in the file's own words.
    let headers: BTreeMap<&'static str, String> = columns
        .iter()
        .zip(header)
        .filter_map(|(c, h)| Some((c.as_ref()?.field()?, h.clone())))
        .collect();
    let mut parsed = Parsed::default();
    let mut seen: HashMap<String, u32> = HashMap::new();
    for (line, raw) in &rows[1..] {
        if raw.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        parsed.rows += 1;
        let mut row = Row {
            line: *line,
            taxonomy,
            person_key,
            headers: &headers,
            problems: Vec::new(),
        };
        if raw.len() > header.len() && raw[header.len()..].iter().any(|c| !c.trim().is_empty()) {
            row.problem(None, ImportProblem::TooManyCells);
        }
        let cells: Vec<(&Column, &str, &str)> = columns
            .iter()
            .zip(header)
            .zip(raw)
            .filter_map(|((c, h), v)| c.as_ref().map(|c| (c, h.as_str(), v.trim())))
            .filter(|(_, _, v)| !v.is_empty())
            .collect();
        if let Some(record) = row.record(&cells) {
            // Same content, same id: re-importing changes nothing. Identical rows (two
            // anonymous visits on one day) are told apart by their rank.
            let key = identity(&record);
            let rank = seen.entry(key.clone()).or_default();
            *rank += 1;
            let id = Uuid::new_v5(&NAMESPACE, format!("{key}#{rank}").as_bytes());
            parsed.records.push((*line, with_id(record, id)));
        }
        problems.extend(row.problems);
    }
    parsed.problems = problems;
    parsed
}

/// What a row says, without its id or the taxonomy version it was read with.
fn identity(record: &Record) -> String {
    let mut blank = with_id(record.clone(), Uuid::nil());
    match &mut blank {
        Record::Contact(c) => c.taxonomy_version = 0,
        Record::Activity(a) => a.taxonomy_version = 0,
    }
    serde_json::to_string(&blank).unwrap_or_default()
}

fn with_id(record: Record, id: Uuid) -> Record {
    match record {
        Record::Contact(mut c) => {
            c.id = id;
            Record::Contact(c)
        }
        Record::Activity(mut a) => {
            a.id = id;
            Record::Activity(a)
        }
    }
}

/// Imports (or, with `dry_run`, checks) a file for one worker: all rows or none.
pub async fn import_csv(
    store: &Store,
    worker: &str,
    text: &str,
    dry_run: bool,
) -> Result<ImportOutcome, ImportError> {
    let worker_id = store
        .worker_by_name(worker)
        .await?
        .ok_or_else(|| ImportError::UnknownWorker(worker.to_owned()))?;
    let taxonomy = store.taxonomy().await?;
    let key = key_from_hex(&store.person_code_key().await?).unwrap_or_default();
    let Parsed {
        records,
        mut problems,
        rows,
    } = parse(text, &taxonomy, &key);
    let mut outcome = ImportOutcome {
        dry_run,
        worker: worker.to_owned(),
        rows,
        ..ImportOutcome::default()
    };
    // Who holds each id already.
    let held: HashMap<Uuid, crate::store::WorkerId> = store
        .latest_records(None)
        .await?
        .into_iter()
        .map(|(w, r)| (r.id(), w))
        .collect();
    let mut new = Vec::new();
    for (line, record) in records {
        match &record {
            Record::Contact(_) => outcome.contacts += 1,
            Record::Activity(_) => outcome.activities += 1,
        }
        *outcome
            .by_program
            .entry(record.program().to_owned())
            .or_default() += 1;
        match held.get(&record.id()) {
            None => new.push(record),
            Some(w) if *w == worker_id => outcome.already_there += 1,
            Some(w) => problems.push(LineProblem::new(
                line,
                None,
                ImportProblem::AlreadyImported {
                    worker: store.worker_name(*w).await?,
                },
            )),
        }
    }
    problems.sort_by_key(|p| p.line);
    outcome.problems = problems;
    outcome.new = new.len();
    if dry_run || !outcome.problems.is_empty() || new.is_empty() {
        return Ok(outcome);
    }
    let results = store.store_batch(worker_id, &new).await?;
    let stored = results
        .iter()
        .filter(|r| r.status == RecordStatus::Stored)
        .count();
    outcome.new = stored;
    outcome.already_there += results.len() - stored;
    Ok(outcome)
}

/// What a column holds.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Column {
    Type,
    Date,
    Time,
    Program,
    Milieu,
    Venue,
    Site,
    Mode,
    Platform,
    Direction,
    AgeGroup,
    Gender,
    Status,
    Occupation,
    FirstContact,
    Person,
    Realities,
    InterventionTypes,
    Referrals,
    Activity,
    HeadCount,
    Note,
    Material(String),
}

impl Column {
    /// The record field the column fills, as validation names it.
    fn field(&self) -> Option<&'static str> {
        Some(match self {
            Column::Type | Column::Date | Column::Time | Column::FirstContact => return None,
            Column::Program => "program",
            Column::Milieu => "milieu",
            Column::Venue => "venue",
            Column::Site => "site",
            Column::Mode => "mode",
            Column::Platform => "platform",
            Column::Direction => "direction",
            Column::AgeGroup => "age_group",
            Column::Gender => "gender",
            Column::Status => "status",
            Column::Occupation => "occupation",
            Column::Person => "person_code",
            Column::Realities => "realities",
            Column::InterventionTypes => "intervention_types",
            Column::Referrals => "referrals",
            Column::Activity => "activity",
            Column::HeadCount => "head_count",
            Column::Note => "note",
            Column::Material(_) => return None,
        })
    }

    fn from_header(name: &str, taxonomy: &Taxonomy) -> Option<Column> {
        let key = fold(name);
        let column = match key.as_str() {
            "type" | "type_de_fiche" | "fiche" => Column::Type,
            "date" | "jour" => Column::Date,
            "heure" | "time" => Column::Time,
            "programme" | "program" | "volet" => Column::Program,
            "milieu" | "setting" => Column::Milieu,
            "lieu" | "venue" => Column::Venue,
            "site" | "site_web" => Column::Site,
            "mode" => Column::Mode,
            "plateforme" | "platform" => Column::Platform,
            "sens" | "direction" => Column::Direction,
            "age" | "tranche_d_age" | "tranche_age" | "age_group" => Column::AgeGroup,
            "genre" | "gender" | "sexe" => Column::Gender,
            "statut" | "status" => Column::Status,
            "occupation" | "source_de_revenu" | "occupation_source_de_revenu" => Column::Occupation,
            "premiere_rencontre" | "first_contact" | "nouvelle_personne" => Column::FirstContact,
            "personne" | "code_personne" | "alias" | "person_code" => Column::Person,
            "realites" | "realites_abordees" | "realities" => Column::Realities,
            "types_d_intervention"
            | "type_d_intervention"
            | "types_intervention"
            | "intervention_types" => Column::InterventionTypes,
            "references" | "referrals" => Column::Referrals,
            "activite" | "activity" | "type_d_activite" => Column::Activity,
            "participants" | "nombre_de_participants" | "head_count" => Column::HeadCount,
            "note" | "notes" => Column::Note,
            _ => {
                return find_code(taxonomy, ListKind::Materials, name).map(Column::Material);
            }
        };
        Some(column)
    }
}

/// One data row being read.
struct Row<'a> {
    line: usize,
    taxonomy: &'a Taxonomy,
    person_key: &'a [u8],
    headers: &'a BTreeMap<&'static str, String>,
    problems: Vec<LineProblem>,
}

impl Row<'_> {
    fn problem(&mut self, column: Option<&str>, problem: ImportProblem) {
        self.problems
            .push(LineProblem::new(self.line, column, problem));
    }

    /// A code of `kind` for a cell holding a code or a label.
    fn code(&mut self, kind: ListKind, header: &str, value: &str) -> Option<String> {
        let found = find_code(self.taxonomy, kind, value);
        if found.is_none() {
            self.problem(
                Some(header),
                ImportProblem::NotInList {
                    value: value.to_owned(),
                    list: kind,
                },
            );
        }
        found
    }

    fn codes(&mut self, kind: ListKind, header: &str, value: &str) -> Vec<String> {
        value
            .split([';', '|', ','])
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .filter_map(|v| self.code(kind, header, v))
            .collect()
    }

    fn record(&mut self, cells: &[(&Column, &str, &str)]) -> Option<Record> {
        let mut contact = ContactDraft::default();
        let mut activity = ActivityDraft::default();
        let mut is_activity = None;
        let (mut date, mut time) = (None, None);
        for &(column, header, value) in cells {
            match column {
                Column::Type => match fold(value).as_str() {
                    "contact" | "intervention" => is_activity = Some(false),
                    "activite" | "activity" => is_activity = Some(true),
                    _ => self.problem(
                        Some(header),
                        ImportProblem::ExpectedType {
                            value: value.to_owned(),
                        },
                    ),
                },
                Column::Date => {
                    date = parse_date(value).or_else(|| {
                        self.problem(
                            Some(header),
                            ImportProblem::ExpectedDate {
                                value: value.to_owned(),
                            },
                        );
                        None
                    })
                }
                Column::Time => {
                    time = parse_time(value).or_else(|| {
                        self.problem(
                            Some(header),
                            ImportProblem::ExpectedTime {
                                value: value.to_owned(),
                            },
                        );
                        None
                    })
                }
                Column::Program => {
                    let code = self.code(ListKind::Programs, header, value);
                    (contact.program, activity.program) = (code.clone(), code);
                }
                Column::Milieu => {
                    let code = self.code(ListKind::Milieux, header, value);
                    (contact.milieu, activity.milieu) = (code.clone(), code);
                }
                Column::Venue => {
                    let code = self.code(ListKind::Venues, header, value);
                    (contact.venue, activity.venue) = (code.clone(), code);
                }
                Column::Site => {
                    activity.site = self.code(ListKind::Sites, header, value);
                }
                Column::Mode => {
                    contact.mode = self.code(ListKind::Modes, header, value);
                }
                Column::Platform => {
                    let code = self.code(ListKind::Platforms, header, value);
                    (contact.platform, activity.platform) = (code.clone(), code);
                }
                Column::Direction => {
                    contact.direction = match fold(value).as_str() {
                        "envoye" | "envoyes" | "sent" | "message_envoye" => Some(Direction::Sent),
                        "recu" | "recus" | "received" | "message_recu" => Some(Direction::Received),
                        _ => {
                            self.problem(
                                Some(header),
                                ImportProblem::ExpectedDirection {
                                    value: value.to_owned(),
                                },
                            );
                            None
                        }
                    }
                }
                Column::AgeGroup => {
                    contact.age_group = self.code(ListKind::AgeGroups, header, value);
                }
                Column::Gender => {
                    contact.gender = self.code(ListKind::Genders, header, value);
                }
                Column::Status => {
                    contact.status = self.code(ListKind::Statuses, header, value);
                }
                Column::Occupation => {
                    contact.occupation = self.code(ListKind::Occupations, header, value);
                }
                Column::FirstContact => match parse_bool(value) {
                    Some(b) => contact.first_contact = b,
                    None => self.problem(
                        Some(header),
                        ImportProblem::ExpectedYesNo {
                            value: value.to_owned(),
                        },
                    ),
                },
                Column::Person => {
                    contact.person_code = if is_person_code(value) {
                        Some(value.to_owned())
                    } else {
                        match person_code(self.person_key, value) {
                            Ok(code) => Some(code),
                            Err(AliasError::TooShort) => {
                                // Never echo the alias: it may identify someone.
                                self.problem(Some(header), ImportProblem::AliasTooShort);
                                None
                            }
                            Err(e @ AliasError::BadKey) => {
                                self.problems.push(LineProblem {
                                    line: self.line,
                                    column: Some(header.to_owned()),
                                    problem: ImportProblem::Other,
                                    message: format!("unusable alias: {e}"),
                                });
                                None
                            }
                        }
                    };
                }
                Column::Realities => {
                    contact.realities = self.codes(ListKind::Realities, header, value);
                }
                Column::InterventionTypes => {
                    contact.intervention_types =
                        self.codes(ListKind::InterventionTypes, header, value);
                }
                Column::Referrals => {
                    contact.referrals = self.codes(ListKind::Partners, header, value);
                }
                Column::Activity => {
                    activity.activity = self.code(ListKind::ActivityKinds, header, value);
                    is_activity.get_or_insert(true);
                }
                Column::HeadCount => match value.parse() {
                    Ok(n) => activity.head_count = Some(n),
                    Err(_) => self.problem(
                        Some(header),
                        ImportProblem::ExpectedCount {
                            value: value.to_owned(),
                        },
                    ),
                },
                Column::Note => {
                    (contact.note, activity.note) =
                        (Some(value.to_owned()), Some(value.to_owned()));
                }
                Column::Material(code) => match value.parse::<u32>() {
                    Ok(n) => {
                        contact.material.insert(code.clone(), n);
                        activity.material.insert(code.clone(), n);
                    }
                    Err(_) => self.problem(
                        Some(header),
                        ImportProblem::ExpectedCount {
                            value: value.to_owned(),
                        },
                    ),
                },
            }
        }
        if date.is_none() && !cells.iter().any(|(c, _, _)| **c == Column::Date) {
            self.problem(None, ImportProblem::NoDate);
        }
        // Without a valid date the row is still checked, so every problem shows at once.
        let noon = NaiveTime::MIN + chrono::Duration::hours(12);
        let at = crate::calendar::quebec_time(date.unwrap_or_default(), time.unwrap_or(noon))
            .or_else(|| {
                self.problem(None, ImportProblem::NoSuchLocalTime);
                crate::calendar::quebec_time(NaiveDate::default(), noon)
            })
            .unwrap_or_default();
        // A placeholder id: the real one is made from the content once the row is valid.
        let placeholder = Uuid::from_u128(1);
        let built = if is_activity == Some(true) {
            activity
                .finish(placeholder, at, self.taxonomy)
                .map(Record::Activity)
        } else {
            contact
                .finish(placeholder, at, self.taxonomy)
                .map(Record::Contact)
        };
        match built {
            Ok(record) if self.problems.is_empty() => Some(record),
            Ok(_) => None,
            Err(RecordError { errors }) => {
                for e in errors {
                    let column = match e.field.split_once('.') {
                        Some(("material", code)) => code.to_owned(),
                        _ => self
                            .headers
                            .get(e.field.as_str())
                            .cloned()
                            .unwrap_or_else(|| e.field.clone()),
                    };
                    // A cell already refused (unknown value) is not reported twice.
                    if self
                        .problems
                        .iter()
                        .any(|p| p.column.as_deref() == Some(column.as_str()))
                    {
                        continue;
                    }
                    self.problem(
                        Some(&column),
                        ImportProblem::Invalid {
                            field: e.field,
                            reason: e.reason,
                        },
                    );
                }
                None
            }
        }
    }
}

/// A code of a list matching a cell: the code itself, or its French or English label,
/// ignoring case, accents, spaces and punctuation.
fn find_code(taxonomy: &Taxonomy, kind: ListKind, value: &str) -> Option<String> {
    let wanted = fold(value);
    if wanted.is_empty() {
        return None;
    }
    let list = taxonomy.list(kind);
    list.iter()
        .find(|e| e.code == wanted)
        .or_else(|| list.iter().find(|e| fold(&e.fr) == wanted))
        .or_else(|| list.iter().find(|e| fold(&e.en) == wanted))
        .map(|e| e.code.clone())
}

/// Case, accents and punctuation folded: `Tranche d'âge` → `tranche_d_age`.
fn fold(text: &str) -> String {
    carnet_core::lists::slug(text)
}

fn parse_bool(value: &str) -> Option<bool> {
    match fold(value).as_str() {
        "oui" | "o" | "yes" | "y" | "1" | "x" | "vrai" | "true" => Some(true),
        "non" | "n" | "no" | "0" | "faux" | "false" => Some(false),
        _ => None,
    }
}

fn parse_date(value: &str) -> Option<NaiveDate> {
    ["%Y-%m-%d", "%d/%m/%Y", "%Y/%m/%d", "%d-%m-%Y"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(value, f).ok())
}

fn parse_time(value: &str) -> Option<NaiveTime> {
    ["%H:%M", "%H:%M:%S", "%Hh%M", "%Hh"]
        .iter()
        .find_map(|f| NaiveTime::parse_from_str(value, f).ok())
}

/// Splits CSV text into rows of cells with the line each row starts on; blank lines are
/// skipped. The separator is the one the header row uses most: `;` (French spreadsheets),
/// `,` or a tab. Quotes follow RFC 4180; a byte-order mark is skipped.
fn read_csv(text: &str) -> Result<Vec<(usize, Vec<String>)>, LineProblem> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first = text.lines().next().unwrap_or("");
    let separator = [b';', b',', b'\t']
        .into_iter()
        .max_by_key(|s| first.matches(char::from(*s)).count())
        .unwrap_or(b',');
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(separator)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    // The line a record starts on, counted here: the reader's own count leaves out blank
    // lines, and a record's position may be the line break before it.
    let bytes = text.as_bytes();
    let line = |position: Option<&csv::Position>| {
        let mut start = position.map_or(0, |p| p.byte() as usize).min(bytes.len());
        while bytes.get(start).is_some_and(|b| matches!(b, b'\r' | b'\n')) {
            start += 1;
        }
        1 + bytes[..start].iter().filter(|b| **b == b'\n').count()
    };
    reader
        .records()
        .map(|record| {
            let record = record.map_err(|e| {
                LineProblem::new(
                    line(e.position()),
                    None,
                    ImportProblem::NotCsv {
                        detail: e.to_string(),
                    },
                )
            })?;
            Ok((
                line(record.position()),
                record.iter().map(str::to_owned).collect(),
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> Vec<u8> {
        vec![7; 32]
    }

    #[test]
    fn reads_quotes_separators_and_lines() {
        let rows = read_csv("\u{feff}a;b;c\r\n1;\"x; \"\"y\"\"\";3\n\n4;\"multi\nline\";6\n7;8;9")
            .unwrap();
        assert_eq!(rows[0], (1, vec!["a".into(), "b".into(), "c".into()]));
        assert_eq!(
            rows[1],
            (2, vec!["1".into(), "x; \"y\"".into(), "3".into()])
        );
        // A blank line is no row, and the lines after it keep their numbers.
        assert_eq!(
            rows[2],
            (4, vec!["4".into(), "multi\nline".into(), "6".into()])
        );
        assert_eq!(rows[3], (6, vec!["7".into(), "8".into(), "9".into()]));
        assert_eq!(rows.len(), 4);
        let commas = read_csv("date,programme\n2019-06-03,\"a, b\"\n").unwrap();
        assert_eq!(commas[1], (2, vec!["2019-06-03".into(), "a, b".into()]));
    }

    #[test]
    fn labels_and_codes_are_both_accepted() {
        let t = Taxonomy::builtin();
        let csv = "Date;Programme;Milieu;Mode;Tranche d'âge;Genre;Réalités abordées;Seringues distribuées;Première rencontre\n\
                   2019-06-03;CatWoman (travail de milieu);Bar érotique;En personne;26-40;Femme;\"Santé; hebergement\";3;oui\n\
                   15/01/2020;rue_jeunesse;rue;en_personne;18_25;homme;justice;;non\n";
        let Parsed {
            records, problems, ..
        } = parse(csv, &t, &key());
        assert_eq!(problems, vec![]);
        let Record::Contact(c) = &records[0].1 else {
            panic!("a contact")
        };
        assert_eq!(c.program, "catwoman");
        assert_eq!(c.milieu, "bar_erotique");
        assert_eq!(c.realities, ["hebergement", "sante"]);
        assert_eq!(c.material["seringues_remises"], 3);
        assert!(c.first_contact);
        // Summer in Québec: −04:00, noon by default.
        assert_eq!(c.occurred_at.to_rfc3339(), "2019-06-03T12:00:00-04:00");
        assert_eq!(
            records[1].1.occurred_at().to_rfc3339(),
            "2020-01-15T12:00:00-05:00"
        );
        assert_eq!(records[1].0, 3);
    }

    /// The instants of the rows of `rows` (`date;heure` each), read as Québec's clock.
    fn instants(rows: &[&str]) -> Vec<String> {
        let csv = format!(
            "date;heure;programme;milieu;mode;age;genre;realites\n{}",
            rows.iter()
                .map(|r| format!("{r};sidep;locaux;en_personne;26_40;femme;sante\n"))
                .collect::<String>()
        );
        let Parsed {
            records, problems, ..
        } = parse(&csv, &Taxonomy::builtin(), &key());
        assert_eq!(problems, vec![]);
        records
            .iter()
            .map(|(_, r)| r.occurred_at().to_rfc3339())
            .collect()
    }

    #[test]
    fn the_hour_skipped_in_march_is_read_an_hour_later() {
        // 2026-03-08: Québec's clocks go from 02:00 −05:00 to 03:00 −04:00.
        assert_eq!(
            instants(&[
                "2026-03-08;01:59",
                "2026-03-08;02:00",
                "2026-03-08;02:30",
                "2026-03-08;03:00",
                "2026-03-08;03:30",
            ]),
            [
                "2026-03-08T01:59:00-05:00",
                "2026-03-08T03:00:00-04:00",
                "2026-03-08T03:30:00-04:00",
                "2026-03-08T03:00:00-04:00",
                "2026-03-08T03:30:00-04:00",
            ]
        );
    }

    #[test]
    fn the_hour_shown_twice_in_november_is_the_first_one() {
        // 2026-11-01: Québec's clocks go from 02:00 −04:00 back to 01:00 −05:00.
        assert_eq!(
            instants(&[
                "2026-11-01;00:59",
                "2026-11-01;01:00",
                "2026-11-01;01:30",
                "2026-11-01;02:00",
            ]),
            [
                "2026-11-01T00:59:00-04:00",
                "2026-11-01T01:00:00-04:00",
                "2026-11-01T01:30:00-04:00",
                "2026-11-01T02:00:00-05:00",
            ]
        );
    }

    #[test]
    fn month_and_year_ends_keep_their_day_and_offset() {
        assert_eq!(
            instants(&[
                "31/03/2026;23:59",
                "2026-04-01;00:00",
                "31/12/2025;23:59",
                "01/01/2026;00:00",
                "2026-01-01;12:00",
            ]),
            [
                "2026-03-31T23:59:00-04:00",
                "2026-04-01T00:00:00-04:00",
                "2025-12-31T23:59:00-05:00",
                "2026-01-01T00:00:00-05:00",
                "2026-01-01T12:00:00-05:00",
            ]
        );
    }

    #[test]
    fn past_years_follow_the_rules_of_their_time() {
        // Until 2006, daylight time began on the first Sunday of April, not in March.
        assert_eq!(
            instants(&["2006-03-20;12:00", "2006-04-02;12:00", "2019-06-03;12:00"]),
            [
                "2006-03-20T12:00:00-05:00",
                "2006-04-02T12:00:00-04:00",
                "2019-06-03T12:00:00-04:00",
            ]
        );
    }

    #[test]
    fn every_problem_is_named_by_line_and_column() {
        let t = Taxonomy::builtin();
        let csv = "date,programme,milieu,mode,age,genre,realites,couleur\n\
                   2019-06-03,catwoman,casino,en_personne,26_40,femme,sante,bleu\n\
                   2019-13-03,catwoman,rue,en_personne,26_40,femme,astrologie,\n\
                   2019-06-05,catwoman,rue,en_personne,,femme,sante,\n";
        let Parsed {
            records,
            problems,
            rows,
        } = parse(csv, &t, &key());
        assert!(records.is_empty());
        assert_eq!(rows, 3);
        let got: Vec<(usize, Option<&str>)> = problems
            .iter()
            .map(|p| (p.line, p.column.as_deref()))
            .collect();
        assert_eq!(
            got,
            vec![
                (1, Some("couleur")),
                (2, Some("milieu")),
                (3, Some("date")),
                (3, Some("realites")),
                (4, Some("age")),
            ]
        );
        assert!(problems[1].message.contains("`casino`"), "{}", problems[1]);
        // Each problem is typed, for the app to word in the coordinator's language.
        let kinds: Vec<&ImportProblem> = problems.iter().map(|p| &p.problem).collect();
        assert_eq!(kinds[0], &ImportProblem::UnknownColumn);
        assert_eq!(
            kinds[1],
            &ImportProblem::NotInList {
                value: "casino".into(),
                list: ListKind::Milieux
            }
        );
        assert!(matches!(kinds[2], ImportProblem::ExpectedDate { .. }));
    }

    #[test]
    fn ids_come_from_content_so_identical_rows_stay_two() {
        let t = Taxonomy::builtin();
        let csv = "date,programme,milieu,mode,age,genre,realites\n\
                   2019-06-03,sidep,locaux,en_personne,26_40,femme,sante\n\
                   2019-06-03,sidep,locaux,en_personne,26_40,femme,sante\n";
        let a = parse(csv, &t, &key()).records;
        let b = parse(csv, &t, &key()).records;
        assert_eq!(a, b);
        assert_ne!(a[0].1.id(), a[1].1.id());
        // A newer taxonomy does not change what a row is.
        let mut newer = t.clone();
        newer.version += 1;
        let c = parse(csv, &newer, &key()).records;
        assert_eq!(c[0].1.id(), a[0].1.id());
    }

    #[test]
    fn aliases_become_person_codes_and_are_never_echoed() {
        let t = Taxonomy::builtin();
        let csv = "date,programme,milieu,mode,age,genre,realites,personne\n\
                   2019-06-03,sidep,locaux,en_personne,26_40,femme,sante,Étoile 2024\n\
                   2019-06-04,sidep,locaux,en_personne,26_40,femme,sante,abc\n";
        let Parsed {
            records, problems, ..
        } = parse(csv, &t, &key());
        let Record::Contact(c) = &records[0].1 else {
            panic!("a contact")
        };
        assert_eq!(c.person_code, person_code(&key(), "etoile2024").ok());
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].line, 3);
        assert!(!problems[0].message.contains("abc"));
        assert_eq!(problems[0].problem, ImportProblem::AliasTooShort);
        assert!(!serde_json::to_string(&problems[0]).unwrap().contains("abc"));
    }

    #[test]
    fn activities_with_a_site_take_its_platform() {
        let mut t = Taxonomy::builtin();
        t.sites.push(carnet_core::Entry {
            platform: Some("site_rencontres".into()),
            ..carnet_core::Entry::new("rencontres_01", "Site R1", "Site R1")
        });
        let csv =
            "date;programme;activité;site\n2019-06-03;Projet web adultes;Site surveillé;Site R1\n";
        let Parsed {
            records, problems, ..
        } = parse(csv, &t, &key());
        assert_eq!(problems, vec![]);
        let Record::Activity(a) = &records[0].1 else {
            panic!("an activity")
        };
        assert_eq!(a.site.as_deref(), Some("rencontres_01"));
        assert_eq!(a.platform.as_deref(), Some("site_rencontres"));
    }
}
