//! The report's tables as the coordinator reads them: titles and labels in her language,
//! cross-tables as real HTML tables, one-attribute tables as bar charts, and two periods
//! side by side. Everything is drawn from `Report::tables()`, the rows the CSV and the
//! spreadsheet are made of, so the screen cannot disagree with the downloads.

use std::collections::BTreeMap;

use carnet_core::report::{Axis, Table};
use carnet_core::{Difference, ListKind, Record, Report, ReportFilter};
use chrono::NaiveDate;
use leptos::prelude::*;

use crate::coordination::texts::{CoordTexts, texts};
use crate::i18n::Lang;
use crate::state::{Ctx, use_ctx};
use crate::ui::figures::Bars;

/// The report's table of that name (every table is listed, empty or not).
pub fn table(report: &Report, name: &str) -> Option<Table> {
    report.tables().into_iter().find(|t| t.name == name)
}

/// The axes of a table, from its name (an empty report lists every table, cross-tables
/// included).
pub fn axes(name: &str) -> Vec<Axis> {
    let every_day = ReportFilter {
        from: NaiveDate::MIN,
        to: NaiveDate::MAX,
        programs: None,
    };
    let empty = Report::compute(std::iter::empty::<&Record>(), &every_day);
    table(&empty, name).map(|t| t.axes).unwrap_or_default()
}

/// « Personnes par genre et tranche d'âge », « Matériel remis », …
pub fn title(lang: Lang, name: &str) -> String {
    let t = texts(lang);
    let fixed = match name {
        "summary" => Some(t.summary),
        "venues_visited_by_milieu" => Some(t.venues_visited_by_milieu),
        "material" => Some(t.material),
        "referrals" => Some(t.referrals),
        "activities" => Some(t.activities),
        "activities_by_platform" => Some(t.activities_by_platform),
        "sites_by_activity" => Some(t.sites_by_activity),
        "web_messages" => Some(t.web_messages),
        "web_persons" => Some(t.web_persons),
        "web_persons_by_platform" => Some(t.web_persons_by_platform),
        "web_messages_by_direction" => Some(t.web_messages_by_direction),
        _ => None,
    };
    if let Some(fixed) = fixed {
        return fixed.to_owned();
    }
    let (unit, rest) = if let Some(rest) = name.strip_prefix("persons_by_") {
        (t.persons_by, rest)
    } else if let Some(rest) = name.strip_prefix("interventions_by_") {
        (t.interventions_by, rest)
    } else {
        return name.to_owned();
    };
    let words: Vec<&str> = rest.split("_and_").map(|a| attribute_word(t, a)).collect();
    format!("{unit} {}", words.join(t.and))
}

fn attribute_word(t: &'static CoordTexts, key: &str) -> &'static str {
    match key {
        "program" => t.attr_program,
        "milieu" => t.attr_milieu,
        "mode" => t.attr_mode,
        "gender" => t.attr_gender,
        "age_group" => t.attr_age_group,
        "status" => t.attr_status,
        "occupation" => t.attr_occupation,
        "reality" => t.attr_reality,
        "type" => t.attr_type,
        _ => t.attr_other,
    }
}

/// A code's label on one axis of a table.
pub fn label(ctx: Ctx, axis: Axis, code: &str) -> String {
    let t = texts(ctx.lang());
    match axis {
        Axis::List(kind) => ctx.label(kind, code),
        Axis::Direction => match code {
            "sent" => t.sent.to_owned(),
            "received" => t.received.to_owned(),
            _ => t.direction_unknown.to_owned(),
        },
        Axis::Measure => match code {
            "interventions" => ctx.t().interventions.to_owned(),
            "persons" => ctx.t().persons.to_owned(),
            "new_persons" => ctx.t().new_persons.to_owned(),
            "workshop_participants" => ctx.t().workshop_participants.to_owned(),
            other => other.to_owned(),
        },
    }
}

/// A full code (`femme/18_25` for a two-axis table) as « Femme / 18-25 ».
pub fn full_label(ctx: Ctx, axes: &[Axis], code: &str) -> String {
    match axes {
        [row, column] => {
            let (r, c) = code.split_once('/').unwrap_or((code, ""));
            format!("{} / {}", label(ctx, *row, r), label(ctx, *column, c))
        }
        [one] => label(ctx, *one, code),
        _ => code.to_owned(),
    }
}

/// A label that may wrap between words but not at a hyphen (« 18-25 » stays whole); a
/// short one (« 41 et + ») stays on one line.
pub fn unbroken(label: String) -> impl IntoView {
    if label.chars().count() <= 10 {
        return view! { <span class="nowrap">{label}</span> }.into_any();
    }
    let words: Vec<String> = label.split(' ').map(str::to_owned).collect();
    let last = words.len().saturating_sub(1);
    words
        .into_iter()
        .enumerate()
        .map(|(i, word)| {
            let space = if i < last { " " } else { "" };
            if word.contains('-') {
                view! { <span class="nowrap">{word}</span>{space} }.into_any()
            } else {
                format!("{word}{space}").into_any()
            }
        })
        .collect_view()
        .into_any()
}

/// A full code as `unbroken` labels: « Femme / 18-25 ».
fn full_label_view(ctx: Ctx, axes: &[Axis], code: &str) -> impl IntoView {
    match axes {
        [row, column] => {
            let (r, c) = code.split_once('/').unwrap_or((code, ""));
            view! { {unbroken(label(ctx, *row, r))} " / " {unbroken(label(ctx, *column, c))} }
                .into_any()
        }
        _ => unbroken(full_label(ctx, axes, code)).into_any(),
    }
}

/// Where a code sits in its list, so rows come in the organisation's order (ages
/// ascending), not alphabetically. Codes the list lost come last.
fn rank(ctx: Ctx, axis: Axis, code: &str) -> usize {
    match axis {
        Axis::List(kind) => ctx.taxonomy.with(|t| {
            t.list(kind)
                .iter()
                .position(|e| e.code == code)
                .unwrap_or(usize::MAX)
        }),
        Axis::Direction => match code {
            "sent" => 0,
            "received" => 1,
            _ => 2,
        },
        Axis::Measure => 0,
    }
}

/// A one-attribute table as labelled bars, in the list's order.
pub fn bar_rows(ctx: Ctx, table: &Table) -> Vec<(String, u64)> {
    let Some(&axis) = table.axes.first() else {
        return Vec::new();
    };
    let mut cells: Vec<&(String, u64)> = table.cells.iter().filter(|c| c.1 > 0).collect();
    cells.sort_by_key(|(code, _)| (rank(ctx, axis, code), code.clone()));
    cells
        .into_iter()
        .map(|(code, n)| (label(ctx, axis, code), *n))
        .collect()
}

/// A titled bar chart of a one-attribute table; nothing when the table is empty.
#[component]
pub fn BarBlock(table: Table, #[prop(optional)] heading: Option<String>) -> impl IntoView {
    let ctx = use_ctx();
    let name = table.name.clone();
    move || {
        let rows = bar_rows(ctx, &table);
        (!rows.is_empty()).then(|| {
            let heading = heading.clone().unwrap_or_else(|| title(ctx.lang(), &name));
            view! {
                <figure class="chart-block" data-table=name.clone()>
                    <h3>{heading}</h3>
                    <Bars rows=rows />
                </figure>
            }
        })
    }
}

/// A two-attribute table as an HTML table, rows and columns in the lists' order, with
/// totals. Wide tables (many columns, few rows) are turned on their side so they fit a
/// phone's width. `column_totals` is off where a column's cells may count one thing twice
/// (a site both monitored and posted on).
#[component]
pub fn GridTable(
    table: Table,
    #[prop(optional)] heading: Option<String>,
    #[prop(default = true)] column_totals: bool,
) -> impl IntoView {
    let ctx = use_ctx();
    move || {
        let [row_axis, column_axis] = table.axes[..] else {
            return None;
        };
        let mut grid: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
        for (code, n) in table.cells.iter().filter(|c| c.1 > 0) {
            let (r, c) = code.split_once('/').unwrap_or((code, ""));
            *grid
                .entry(r.to_owned())
                .or_default()
                .entry(c.to_owned())
                .or_default() += n;
        }
        if grid.is_empty() {
            return None;
        }
        let mut columns: Vec<String> = grid.values().flat_map(|r| r.keys().cloned()).collect();
        columns.sort();
        columns.dedup();
        let (mut row_axis, mut column_axis) = (row_axis, column_axis);
        if columns.len() > 3 && columns.len() > grid.len() {
            let mut turned: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
            for (r, cells) in &grid {
                for (c, n) in cells {
                    turned.entry(c.clone()).or_default().insert(r.clone(), *n);
                }
            }
            columns = grid.keys().cloned().collect();
            grid = turned;
            std::mem::swap(&mut row_axis, &mut column_axis);
        }
        columns.sort_by_key(|c| (rank(ctx, column_axis, c), c.clone()));
        let mut rows: Vec<(&String, &BTreeMap<String, u64>)> = grid.iter().collect();
        rows.sort_by_key(|(r, _)| (rank(ctx, row_axis, r), (*r).clone()));

        // A table whose column heads are long takes the whole width of the grid.
        let head_chars: usize = columns
            .iter()
            .map(|c| label(ctx, column_axis, c).chars().count())
            .sum();
        let class = if columns.len() > 3 || head_chars > 30 {
            "table-block wide"
        } else {
            "table-block"
        };
        let t = texts(ctx.lang());
        let lang = ctx.lang();
        let heading = heading
            .clone()
            .unwrap_or_else(|| title(ctx.lang(), &table.name));
        let head = columns
            .iter()
            .map(|c| view! { <th scope="col">{unbroken(label(ctx, column_axis, c))}</th> })
            .collect_view();
        let mut column_sums = vec![0u64; columns.len()];
        let body = rows
            .iter()
            .map(|(r, cells)| {
                let values: Vec<u64> = columns
                    .iter()
                    .map(|c| cells.get(c).copied().unwrap_or(0))
                    .collect();
                for (sum, v) in column_sums.iter_mut().zip(&values) {
                    *sum += v;
                }
                let total: u64 = values.iter().sum();
                view! {
                    <tr>
                        <th scope="row">{unbroken(label(ctx, row_axis, r))}</th>
                        {values.into_iter().map(|v| view! { <td>{lang.count(v)}</td> }).collect_view()}
                        <td class="total">{lang.count(total)}</td>
                    </tr>
                }
            })
            .collect_view();
        let grand: u64 = column_sums.iter().sum();
        let foot = column_totals.then(|| {
            view! {
                <tfoot>
                    <tr>
                        <th scope="row">{t.total}</th>
                        {column_sums.into_iter().map(|v| view! { <td>{lang.count(v)}</td> }).collect_view()}
                        <td class="total">{lang.count(grand)}</td>
                    </tr>
                </tfoot>
            }
        });
        Some(view! {
            <figure class=class data-table=table.name.clone()>
                <div class="table-scroll">
                    <table class="grid">
                        <caption>{heading}</caption>
                        <thead>
                            <tr>
                                <td></td>
                                {head}
                                <th scope="col" class="total">{t.total}</th>
                            </tr>
                        </thead>
                        <tbody>{body}</tbody>
                        {foot}
                    </table>
                </div>
            </figure>
        })
    }
}

/// A period as a column head: a year when it is one, else its days, each kept whole.
fn period_head(period: (NaiveDate, NaiveDate)) -> impl IntoView {
    let short = crate::coordination::scope::short_period(period.0, period.1);
    if short.contains(' ') {
        view! {
            <span class="nowrap">{period.0.to_string()}</span>
            " – "
            <span class="nowrap">{period.1.to_string()}</span>
        }
        .into_any()
    } else {
        view! { <span class="nowrap">{short}</span> }.into_any()
    }
}

/// Two periods side by side, table by table: each row non-zero in either period, its value
/// in both and the difference. `period` and `other` are the periods' first and last days.
#[component]
pub fn Comparison(
    differences: Vec<Difference>,
    period: (NaiveDate, NaiveDate),
    other: (NaiveDate, NaiveDate),
) -> impl IntoView {
    let ctx = use_ctx();
    // In the order the server gave them (the report's tables' order).
    let mut by_table: Vec<(String, Vec<Difference>)> = Vec::new();
    for d in differences
        .into_iter()
        .filter(|d| d.value > 0 || d.compare_value > 0)
    {
        match by_table.last_mut() {
            Some((name, rows)) if *name == d.table => rows.push(d),
            _ => by_table.push((d.table.clone(), vec![d])),
        }
    }
    move || {
        let t = texts(ctx.lang());
        by_table
            .iter()
            .map(|(name, rows)| {
                let axes = axes(name);
                let body = rows
                    .iter()
                    .map(|d| {
                        let class = match d.difference {
                            n if n > 0 => "difference up",
                            n if n < 0 => "difference down",
                            _ => "difference",
                        };
                        view! {
                            <tr>
                                <th scope="row">{full_label_view(ctx, &axes, &d.code)}</th>
                                <td>{ctx.lang().count(d.value)}</td>
                                <td>{ctx.lang().count(d.compare_value)}</td>
                                <td class=class>{ctx.lang().signed(d.difference)}</td>
                            </tr>
                        }
                    })
                    .collect_view();
                view! {
                    <figure class="table-block" data-table=name.clone()>
                        <div class="table-scroll">
                            <table class="grid compare">
                                <caption>{title(ctx.lang(), name)}</caption>
                                <thead>
                                    <tr>
                                        <td></td>
                                        <th scope="col">{period_head(period)}</th>
                                        <th scope="col">{period_head(other)}</th>
                                        <th scope="col">{t.difference}</th>
                                    </tr>
                                </thead>
                                <tbody>{body}</tbody>
                            </table>
                        </div>
                    </figure>
                }
            })
            .collect_view()
    }
}

/// The label of a program or of a group (groups are not a `ListKind`).
pub fn program_or_group_label(ctx: Ctx, code: &str) -> String {
    let lang = ctx.lang();
    ctx.taxonomy.with(|t| match t.group(code) {
        Some(g) => match lang {
            Lang::Fr => g.fr.clone(),
            Lang::En => g.en.clone(),
        },
        None => t
            .entry(ListKind::Programs, code)
            .map(|e| lang.label(e))
            .unwrap_or_else(|| code.to_owned()),
    })
}
