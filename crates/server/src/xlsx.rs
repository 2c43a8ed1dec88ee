//! The report as a spreadsheet for funders (`GET /api/v1/report?format=xlsx`): a cover
//! sheet, then one sheet per table with French labels from the taxonomy. A one-attribute
//! table is a column of values; a cross-table is a grid with totals. With a comparison,
//! each sheet shows the other period and the difference too.
//!
//! The tables are [`Report::tables`], the same rows as the CSV: the two cannot disagree.

use carnet_core::report::{Axis, Table};
use carnet_core::wire::{ReportResponse, TeamResponse};
use carnet_core::{Report, ReportFilter, Taxonomy};
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

/// The media type of an `.xlsx` file.
pub const CONTENT_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The whole workbook, in memory.
pub fn workbook(response: &ReportResponse, taxonomy: &Taxonomy) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    cover(book.add_worksheet(), response, taxonomy, &bold)?;
    let compare = response.compare.as_ref();
    let others = compare.map(|c| c.report.tables()).unwrap_or_default();
    let mut names = vec!["Rapport".to_owned()];
    for table in response.report.tables() {
        let other = compare.map(|_| {
            others
                .iter()
                .find(|t| t.name == table.name)
                .cloned()
                .unwrap_or_else(|| Table {
                    cells: vec![],
                    ..table.clone()
                })
        });
        let sheet = book.add_worksheet();
        let name = unique(sheet_title(&table.name), &names);
        sheet.set_name(&name)?;
        names.push(name);
        let periods = Periods {
            current: period(&response.filter),
            other: compare.map(|c| period(&c.filter)),
        };
        let sheet_writer = SheetWriter {
            sheet,
            taxonomy,
            bold: &bold,
        };
        if table.axes.len() == 2 {
            sheet_writer.grid(&table, other.as_ref(), &periods)?;
        } else {
            sheet_writer.column(&table, other.as_ref(), &periods)?;
        }
    }
    book.save_to_buffer()
}

/// Each worker's figures beside the team's (`GET /api/v1/team?format=xlsx`): one sheet, a
/// row per worker, the team's total last, and why the persons do not add up.
pub fn team_workbook(response: &TeamResponse, taxonomy: &Taxonomy) -> Result<Vec<u8>, XlsxError> {
    use carnet_core::team::Column;
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let sheet = book.add_worksheet();
    sheet.set_name("Équipe")?;
    sheet.write_string_with_format(0, 0, "Carnet : chiffres par intervenant·e", &bold)?;
    sheet.write_string(1, 0, format!("Période : {}", period(&response.filter)))?;
    let table = &response.table;
    let columns = table.columns();
    for (col, column) in columns.iter().enumerate() {
        let title = match column {
            Column::Worker => "Intervenant·e".to_owned(),
            Column::Interventions => "Interventions".to_owned(),
            Column::Persons => "Personnes".to_owned(),
            Column::NewPersons => "Nouvelles personnes".to_owned(),
            Column::Activities => "Activités".to_owned(),
            Column::Material(code) => {
                label(taxonomy, Axis::List(carnet_core::ListKind::Materials), code)
            }
            Column::WebMessages(direction) => {
                format!(
                    "Messages web {}",
                    label(taxonomy, Axis::Direction, direction).to_lowercase()
                )
            }
        };
        sheet.set_column_width(col as u16, if col == 0 { 28 } else { 16 })?;
        sheet.write_string_with_format(3, col as u16, title, &bold)?;
    }
    let rows = table
        .rows
        .iter()
        .map(|r| (r, false))
        .chain([(&table.total, true)]);
    for (i, (row, total)) in rows.enumerate() {
        let at = 4 + i as u32;
        for (col, column) in columns.iter().enumerate() {
            let col = col as u16;
            match (column, total) {
                // A string cell: a name such as `=HYPERLINK(…)` stays text.
                (Column::Worker, false) => sheet.write_string(at, col, &row.worker)?,
                (Column::Worker, true) => {
                    sheet.write_string_with_format(at, col, "Équipe", &bold)?
                }
                (_, false) => sheet.write_number(at, col, row.value(column) as f64)?,
                (_, true) => {
                    sheet.write_number_with_format(at, col, row.value(column) as f64, &bold)?
                }
            };
        }
    }
    sheet.write_string(
        6 + table.rows.len() as u32,
        0,
        "Les personnes de l'équipe ne sont pas la somme des lignes : une personne rencontrée par deux intervenant·e·s compte une fois pour l'équipe. Les autres colonnes s'additionnent.",
    )?;
    book.save_to_buffer()
}

fn period(filter: &ReportFilter) -> String {
    format!("{} au {}", filter.from, filter.to)
}

struct Periods {
    current: String,
    other: Option<String>,
}

fn cover(
    sheet: &mut Worksheet,
    response: &ReportResponse,
    taxonomy: &Taxonomy,
    bold: &Format,
) -> Result<(), XlsxError> {
    sheet.set_name("Rapport")?;
    sheet.set_column_width(0, 28)?;
    sheet.set_column_width(1, 60)?;
    sheet.write_string_with_format(0, 0, "Carnet : rapport", bold)?;
    let programs = match &response.filter.programs {
        None => "Tous les programmes".to_owned(),
        Some(codes) => codes
            .iter()
            .map(|c| label(taxonomy, Axis::List(carnet_core::ListKind::Programs), c))
            .collect::<Vec<_>>()
            .join(", "),
    };
    let mut rows = vec![
        ("Période", period(&response.filter)),
        ("Programmes", programs),
    ];
    if let Some(worker) = &response.worker {
        rows.push(("Travailleuse ou travailleur", worker.clone()));
    }
    if let Some(c) = &response.compare {
        rows.push(("Comparée à", period(&c.filter)));
    }
    let summary = summary_rows(&response.report);
    for (i, (key, value)) in rows.iter().enumerate() {
        sheet.write_string_with_format(i as u32 + 2, 0, *key, bold)?;
        sheet.write_string(i as u32 + 2, 1, value)?;
    }
    let start = rows.len() as u32 + 3;
    for (i, (key, value)) in summary.iter().enumerate() {
        sheet.write_string_with_format(start + i as u32, 0, *key, bold)?;
        sheet.write_number(start + i as u32, 1, *value as f64)?;
    }
    Ok(())
}

fn summary_rows(r: &Report) -> [(&'static str, u64); 4] {
    [
        ("Personnes", u64::from(r.persons)),
        ("Interventions", u64::from(r.interventions)),
        ("Nouvelles personnes", u64::from(r.new_persons)),
        ("Participant·e·s aux ateliers", r.workshop_participants),
    ]
}

struct SheetWriter<'a> {
    sheet: &'a mut Worksheet,
    taxonomy: &'a Taxonomy,
    bold: &'a Format,
}

impl SheetWriter<'_> {
    /// One attribute: label, code, value (and the other period, the difference), total.
    fn column(
        self,
        table: &Table,
        other: Option<&Table>,
        periods: &Periods,
    ) -> Result<(), XlsxError> {
        let axis = table.axes.first().copied().unwrap_or(Axis::Measure);
        let sheet = self.sheet;
        sheet.set_column_width(0, 40)?;
        sheet.set_column_width(1, 24)?;
        for col in 2..5 {
            sheet.set_column_width(col, 22)?;
        }
        let mut header = vec![axis_title(axis), "Code".to_owned(), periods.current.clone()];
        if let Some(p) = &periods.other {
            header.extend([p.clone(), "Différence".to_owned()]);
        }
        for (col, text) in header.iter().enumerate() {
            sheet.write_string_with_format(0, col as u16, text, self.bold)?;
        }
        let codes = ordered_codes(self.taxonomy, axis, &[Some(table), other]);
        let value_of = |t: Option<&Table>, code: &str| {
            t.and_then(|t| t.cells.iter().find(|(c, _)| c == code))
                .map_or(0, |(_, v)| *v)
        };
        let mut totals = (0u64, 0u64);
        for (i, code) in codes.iter().enumerate() {
            let row = i as u32 + 1;
            let (value, compared) = (value_of(Some(table), code), value_of(other, code));
            totals = (totals.0 + value, totals.1 + compared);
            sheet.write_string(row, 0, label(self.taxonomy, axis, code))?;
            sheet.write_string(row, 1, code)?;
            sheet.write_number(row, 2, value as f64)?;
            if other.is_some() {
                sheet.write_number(row, 3, compared as f64)?;
                sheet.write_number(row, 4, value as f64 - compared as f64)?;
            }
        }
        if axis != Axis::Measure && !codes.is_empty() {
            let row = codes.len() as u32 + 1;
            sheet.write_string_with_format(row, 0, "Total", self.bold)?;
            sheet.write_number_with_format(row, 2, totals.0 as f64, self.bold)?;
            if other.is_some() {
                sheet.write_number_with_format(row, 3, totals.1 as f64, self.bold)?;
                sheet.write_number_with_format(
                    row,
                    4,
                    totals.0 as f64 - totals.1 as f64,
                    self.bold,
                )?;
            }
        }
        Ok(())
    }

    /// Two attributes: a grid with row and column totals; with a comparison, the other
    /// period's grid and the difference grid below it.
    fn grid(
        self,
        table: &Table,
        other: Option<&Table>,
        periods: &Periods,
    ) -> Result<(), XlsxError> {
        let (row_axis, col_axis) = (table.axes[0], table.axes[1]);
        let split = |code: &str| -> (String, String) {
            let (r, c) = code.split_once('/').unwrap_or((code, ""));
            (r.to_owned(), c.to_owned())
        };
        let pairs = |t: Option<&Table>| -> Vec<((String, String), u64)> {
            t.map(|t| t.cells.iter().map(|(c, v)| (split(c), *v)).collect())
                .unwrap_or_default()
        };
        let (mine, theirs) = (pairs(Some(table)), pairs(other));
        let all: Vec<&(String, String)> = mine.iter().chain(&theirs).map(|(k, _)| k).collect();
        let rows = order(self.taxonomy, row_axis, all.iter().map(|(r, _)| r.as_str()));
        let cols = order(self.taxonomy, col_axis, all.iter().map(|(_, c)| c.as_str()));
        let sheet = self.sheet;
        sheet.set_column_width(0, 40)?;
        for col in 1..=cols.len() as u16 + 1 {
            sheet.set_column_width(col, 16)?;
        }
        let lookup = |cells: &[((String, String), u64)], r: &str, c: &str| -> i64 {
            cells
                .iter()
                .find(|((cr, cc), _)| cr == r && cc == c)
                .map_or(0, |(_, v)| *v as i64)
        };
        // Each block is `a × current − b × other`: the current grid, the other period's
        // (b = −1), then the difference.
        let mut blocks = vec![(periods.current.clone(), 1, 0)];
        if let Some(p) = &periods.other {
            blocks.push((p.clone(), 0, -1));
            blocks.push(("Différence".to_owned(), 1, 1));
        }
        let mut top = 0u32;
        for (title, a, b) in blocks {
            let value = |r: &str, c: &str| a * lookup(&mine, r, c) - b * lookup(&theirs, r, c);
            sheet.write_string_with_format(top, 0, &title, self.bold)?;
            let head = top + 1;
            sheet.write_string_with_format(
                head,
                0,
                format!("{} \\ {}", axis_title(row_axis), axis_title(col_axis)),
                self.bold,
            )?;
            for (j, c) in cols.iter().enumerate() {
                sheet.write_string_with_format(
                    head,
                    j as u16 + 1,
                    label(self.taxonomy, col_axis, c),
                    self.bold,
                )?;
            }
            let total_col = cols.len() as u16 + 1;
            sheet.write_string_with_format(head, total_col, "Total", self.bold)?;
            let mut col_totals = vec![0i64; cols.len()];
            for (i, r) in rows.iter().enumerate() {
                let row = head + 1 + i as u32;
                sheet.write_string(row, 0, label(self.taxonomy, row_axis, r))?;
                let mut row_total = 0;
                for (j, c) in cols.iter().enumerate() {
                    let v = value(r, c);
                    row_total += v;
                    col_totals[j] += v;
                    sheet.write_number(row, j as u16 + 1, v as f64)?;
                }
                sheet.write_number_with_format(row, total_col, row_total as f64, self.bold)?;
            }
            let total_row = head + 1 + rows.len() as u32;
            sheet.write_string_with_format(total_row, 0, "Total", self.bold)?;
            for (j, t) in col_totals.iter().enumerate() {
                sheet.write_number_with_format(total_row, j as u16 + 1, *t as f64, self.bold)?;
            }
            sheet.write_number_with_format(
                total_row,
                total_col,
                col_totals.iter().sum::<i64>() as f64,
                self.bold,
            )?;
            top = total_row + 2;
        }
        Ok(())
    }
}

/// The codes of a one-attribute table in the order of the taxonomy's list.
fn ordered_codes(taxonomy: &Taxonomy, axis: Axis, tables: &[Option<&Table>]) -> Vec<String> {
    let codes: Vec<&str> = tables
        .iter()
        .flatten()
        .flat_map(|t| t.cells.iter().map(|(c, _)| c.as_str()))
        .collect();
    order(taxonomy, axis, codes.into_iter())
}

/// Distinct codes, in the list's order (unknown codes last, in the order met).
fn order<'a>(taxonomy: &Taxonomy, axis: Axis, codes: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    for code in codes {
        if !seen.iter().any(|s| s == code) {
            seen.push(code.to_owned());
        }
    }
    let rank = |code: &str| match axis {
        Axis::List(kind) => taxonomy
            .list(kind)
            .iter()
            .position(|e| e.code == code)
            .unwrap_or(usize::MAX),
        Axis::Measure | Axis::Direction => 0,
    };
    seen.sort_by_key(|c| rank(c));
    seen
}

/// The French label of a code.
fn label(taxonomy: &Taxonomy, axis: Axis, code: &str) -> String {
    match axis {
        Axis::List(kind) => taxonomy
            .entry(kind, code)
            .map_or_else(|| code.to_owned(), |e| e.fr.clone()),
        Axis::Measure => match code {
            "interventions" => "Interventions",
            "persons" => "Personnes",
            "new_persons" => "Nouvelles personnes",
            "workshop_participants" => "Participant·e·s aux ateliers",
            other => other,
        }
        .to_owned(),
        Axis::Direction => match code {
            "sent" => "Envoyés",
            "received" => "Reçus",
            _ => "Sens non précisé",
        }
        .to_owned(),
    }
}

fn axis_title(axis: Axis) -> String {
    use carnet_core::ListKind as K;
    match axis {
        Axis::Measure => "Mesure",
        Axis::Direction => "Sens",
        Axis::List(kind) => match kind {
            K::Programs => "Programme",
            K::Milieux => "Milieu",
            K::Modes => "Mode",
            K::Platforms => "Plateforme",
            K::AgeGroups => "Tranche d'âge",
            K::Genders => "Genre",
            K::Statuses => "Statut",
            K::Occupations => "Occupation",
            K::Realities => "Réalité",
            K::InterventionTypes => "Type d'intervention",
            K::Materials => "Matériel",
            K::Partners => "Partenaire",
            K::Venues => "Lieu",
            K::Sites => "Site",
            K::ActivityKinds => "Activité",
        },
    }
    .to_owned()
}

/// A short French name for a sheet (at most 31 characters, as Excel requires).
fn sheet_title(table: &str) -> String {
    fn attribute(key: &str) -> &str {
        match key {
            "age_group" => "âge",
            "gender" => "genre",
            "status" => "statut",
            "occupation" => "occupation",
            "reality" => "réalité",
            "type" => "type",
            "milieu" => "milieu",
            "program" => "programme",
            "mode" => "mode",
            other => other,
        }
    }
    let fixed = match table {
        "summary" => Some("Sommaire"),
        "venues_visited_by_milieu" => Some("Lieux visités par milieu"),
        "material" => Some("Matériel remis"),
        "referrals" => Some("Références"),
        "activities" => Some("Activités"),
        "activities_by_platform" => Some("Activités par plateforme"),
        "sites_by_activity" => Some("Sites distincts"),
        "web_messages" => Some("Web - messages"),
        "web_persons" => Some("Web - personnes"),
        "web_persons_by_platform" => Some("Web - personnes par plateforme"),
        "web_messages_by_direction" => Some("Web - messages par sens"),
        _ => None,
    };
    let title = fixed.map(str::to_owned).unwrap_or_else(|| {
        let (unit, rest) = if let Some(rest) = table.strip_prefix("persons_by_") {
            ("Personnes", rest)
        } else if let Some(rest) = table.strip_prefix("interventions_by_") {
            ("Interv.", rest)
        } else {
            return table.to_owned();
        };
        const ATTRIBUTES: [&str; 9] = [
            "age_group",
            "gender",
            "status",
            "occupation",
            "reality",
            "type",
            "milieu",
            "program",
            "mode",
        ];
        let pair = ATTRIBUTES.iter().find_map(|a| {
            rest.strip_prefix(a)
                .and_then(|r| r.strip_prefix("_and_"))
                .map(|b| (a, b))
        });
        match pair {
            Some((a, b)) => format!("{unit} {} × {}", attribute(a), attribute(b)),
            None => format!("{unit} par {}", attribute(rest)),
        }
    });
    title.chars().take(31).collect()
}

/// `title`, or `title (2)`, … if a sheet has it already.
fn unique(title: String, taken: &[String]) -> String {
    if !taken.contains(&title) {
        return title;
    }
    (2..)
        .map(|n| {
            let suffix = format!(" ({n})");
            let stem: String = title.chars().take(31 - suffix.chars().count()).collect();
            stem + &suffix
        })
        .find(|t| !taken.contains(t))
        .unwrap_or(title)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn every_table_gets_a_distinct_short_sheet_name() {
        let filter = ReportFilter {
            from: NaiveDate::from_ymd_opt(2019, 4, 1).unwrap(),
            to: NaiveDate::from_ymd_opt(2020, 3, 31).unwrap(),
            programs: None,
        };
        let tables = Report::compute(std::iter::empty(), &filter).tables();
        let mut names = vec!["Rapport".to_owned()];
        for table in &tables {
            let name = unique(sheet_title(&table.name), &names);
            assert!(name.chars().count() <= 31, "{name}");
            assert_eq!(name, sheet_title(&table.name), "titles are distinct");
            names.push(name);
        }
        assert_eq!(
            unique("Sommaire".into(), &["Sommaire".into()]),
            "Sommaire (2)"
        );
        assert_eq!(
            sheet_title("persons_by_gender_and_age_group"),
            "Personnes genre × âge"
        );
        assert_eq!(
            sheet_title("interventions_by_reality"),
            "Interv. par réalité"
        );
        assert_eq!(sheet_title("persons_by_age_group"), "Personnes par âge");
    }
}
