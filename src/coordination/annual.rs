//! « Rapport annuel »: a printable page laid out like the organisation's printed report,
//! one section per program or group for a chosen year — its headline numbers, then its
//! tables and bar charts.
//!
//! Data-driven: the sections are the taxonomy's groups (each followed by its programs) and
//! the other programs; a section shows the tables its records fill, in a fixed order, and
//! a program with nothing in the year is only named at the end. Each section is the
//! server's `/report` for that program or group (a group counts a person met in two of its
//! programs once), with the year before side by side if asked.

use carnet_core::Report;
use carnet_core::wire::ReportResponse;
use chrono::{Datelike, NaiveDate};
use leptos::prelude::*;

use crate::api;
use crate::coordination::completeness::CompletenessBanner;
use crate::coordination::scope::{CheckChips, fiscal_year_start, period_label, year_before};
use crate::coordination::tables::{BarBlock, GridTable, program_or_group_label, table, title};
use crate::coordination::texts::texts;
use crate::i18n::Lang;
use crate::platform;
use crate::state::{Ctx, use_ctx, use_open};
use crate::ui::widgets::RadioChip;

/// The tables of a section, in the printed report's order; drawn only when not empty.
const SECTION_TABLES: [&str; 17] = [
    "venues_visited_by_milieu",
    "persons_by_age_group",
    "persons_by_gender",
    "persons_by_status",
    "persons_by_occupation",
    "persons_by_gender_and_age_group",
    "interventions_by_program",
    "interventions_by_gender",
    "interventions_by_reality",
    "interventions_by_type",
    "interventions_by_milieu",
    "material",
    "sites_by_activity",
    "web_messages",
    "web_persons_by_platform",
    "activities",
    "referrals",
];

/// One section of the report: a group or a program.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Section {
    code: String,
    /// A group's programs; `None` for a program.
    programs: Option<Vec<String>>,
}

/// The sections on offer, in the taxonomy's order: each active group followed by its
/// programs, then the other active programs.
fn sections(ctx: Ctx) -> Vec<Section> {
    ctx.taxonomy.with(|t| {
        let active: Vec<&str> = t
            .active(carnet_core::ListKind::Programs)
            .map(|e| e.code.as_str())
            .collect();
        let mut out: Vec<Section> = Vec::new();
        let push_program = |out: &mut Vec<Section>, code: &str| {
            if !out.iter().any(|s| s.code == code && s.programs.is_none()) {
                out.push(Section {
                    code: code.to_owned(),
                    programs: None,
                });
            }
        };
        for group in t.program_groups.iter().filter(|g| !g.retired) {
            out.push(Section {
                code: group.code.clone(),
                programs: Some(group.programs.clone()),
            });
            for p in group
                .programs
                .iter()
                .filter(|p| active.contains(&p.as_str()))
            {
                push_program(&mut out, p);
            }
        }
        for p in &active {
            push_program(&mut out, p);
        }
        out
    })
}

/// A section's report, once asked for.
#[derive(Debug, Clone)]
enum Fetched {
    Report(Box<ReportResponse>),
    Failed(String),
}

/// « 2019-2020 » for a fiscal year, « 2019 » for a calendar year.
fn year_label(fiscal: bool, start: i32) -> String {
    if fiscal {
        format!("{start}-{}", start + 1)
    } else {
        start.to_string()
    }
}

/// The first and last day of the year.
fn year_range(fiscal: bool, start: i32) -> Option<(NaiveDate, NaiveDate)> {
    if fiscal {
        Some((
            NaiveDate::from_ymd_opt(start, 4, 1)?,
            NaiveDate::from_ymd_opt(start + 1, 3, 31)?,
        ))
    } else {
        Some((
            NaiveDate::from_ymd_opt(start, 1, 1)?,
            NaiveDate::from_ymd_opt(start, 12, 31)?,
        ))
    }
}

fn has_data(r: &Report) -> bool {
    r.interventions > 0 || !r.activities.is_empty()
}

#[component]
pub fn AnnualReport() -> impl IntoView {
    let ctx = use_ctx();
    let today = platform::today();
    let this_year = fiscal_year_start(today).year();
    let fiscal = RwSignal::new(true);
    // The last year that is over: the report is written after the year ends.
    let start = RwSignal::new(this_year - 1);
    let offered = Memo::new(move |_| sections(ctx));
    let chosen = RwSignal::new(
        offered
            .get_untracked()
            .into_iter()
            .map(|s| s.code)
            .collect::<Vec<_>>(),
    );
    // Sections the organisation's lists bring later (the server's lists arrive after the
    // page opens, or a group was just added) are chosen too, like the first ones.
    let known = StoredValue::new(chosen.get_untracked());
    Effect::new(move |_| {
        let now: Vec<String> = offered.get().into_iter().map(|s| s.code).collect();
        let fresh: Vec<String> =
            known.with_value(|k| now.iter().filter(|c| !k.contains(c)).cloned().collect());
        if !fresh.is_empty() {
            chosen.update(|c| c.extend(fresh.iter().cloned()));
            known.update_value(|k| k.extend(fresh));
        }
    });
    let compare = RwSignal::new(true);
    let results = RwSignal::new(Vec::<(Section, Fetched)>::new());
    // The year shown: its label, its days, and the year before's label.
    let heading = RwSignal::new(None::<(String, String, String)>);
    // The period prepared, for the note on its completeness (printed with the report).
    let prepared = RwSignal::new(None::<(NaiveDate, NaiveDate)>);
    let message = RwSignal::new(None::<String>);
    let secrets = RwSignal::from(use_open().secrets.clone());

    // Each section's report in turn, shown as it comes.
    let fetch = Action::new_local(
        move |(picked, from, to, with_compare): &(Vec<Section>, NaiveDate, NaiveDate, bool)| {
            let (picked, from, to, with_compare) = (picked.clone(), *from, *to, *with_compare);
            let token = secrets
                .with_untracked(|s| s.token.clone())
                .unwrap_or_default();
            async move {
                for section in picked {
                    let mut query = format!("from={from}&to={to}&program={}", section.code);
                    if with_compare {
                        query.push_str(&format!(
                            "&compare_from={}&compare_to={}",
                            year_before(from),
                            year_before(to)
                        ));
                    }
                    let fetched = match api::get_report(&token, &query).await {
                        Ok(r) => Fetched::Report(Box::new(r)),
                        Err(e) => Fetched::Failed(texts(ctx.lang()).report_error(&e)),
                    };
                    results.update(|all| all.push((section, fetched)));
                }
            }
        },
    );
    let busy = fetch.pending();
    let prepare = move |_| {
        let t = texts(ctx.lang());
        let picked: Vec<Section> = offered
            .get_untracked()
            .into_iter()
            .filter(|s| chosen.with_untracked(|c| c.contains(&s.code)))
            .collect();
        if picked.is_empty() {
            message.set(Some(t.tick_a_program.to_owned()));
            return;
        }
        let (is_fiscal, year) = (fiscal.get_untracked(), start.get_untracked());
        let Some((from, to)) = year_range(is_fiscal, year) else {
            return;
        };
        message.set(None);
        results.set(Vec::new());
        heading.set(Some((
            year_label(is_fiscal, year),
            period_label(from, to),
            year_label(is_fiscal, year - 1),
        )));
        prepared.set(Some((from, to)));
        fetch.dispatch((picked, from, to, compare.get_untracked()));
    };

    let year_options = move || {
        (this_year - 10..=this_year)
            .rev()
            .map(|y| {
                let label = year_label(fiscal.get(), y);
                view! { <option value=y.to_string() selected=move || start.get() == y>{label}</option> }
            })
            .collect_view()
    };
    let kind_chip = move |value: bool, label: fn(Lang) -> &'static str| {
        view! {
            <RadioChip
                name="year-kind"
                label=Signal::derive(move || label(ctx.lang()).to_owned())
                checked=Signal::derive(move || fiscal.get() == value)
                on_select=Callback::new(move |()| fiscal.set(value))
            />
        }
    };
    let section_items = move || {
        offered
            .get()
            .into_iter()
            .map(|s| {
                let label = program_or_group_label(ctx, &s.code);
                let label = if s.programs.is_some() {
                    format!("{label} ({})", texts(ctx.lang()).group)
                } else {
                    label
                };
                (s.code, label)
            })
            .collect::<Vec<_>>()
    };

    let body = move || {
        let all = results.get();
        let t = texts(ctx.lang());
        let mut empty = Vec::new();
        let mut failed = Vec::new();
        let mut shown = Vec::new();
        for (section, fetched) in all {
            match fetched {
                Fetched::Report(r) if has_data(&r.report) => shown.push((section, r)),
                Fetched::Report(_) => empty.push(program_or_group_label(ctx, &section.code)),
                Fetched::Failed(why) => failed.push(format!(
                    "{}\u{a0}: {why}",
                    program_or_group_label(ctx, &section.code)
                )),
            }
        }
        let before = heading.with(|h| h.as_ref().map(|h| h.2.clone()).unwrap_or_default());
        let sections = shown
            .into_iter()
            .map(|(section, r)| {
                view! { <AnnualSection section=section response=*r before_label=before.clone() /> }
            })
            .collect_view();
        view! {
            {sections}
            {(!empty.is_empty()).then(|| view! {
                <p class="muted annual-empty" data-testid="annual-empty">
                    {t.no_data_for} " " {empty.join(", ")}
                </p>
            })}
            {failed.into_iter().map(|f| view! { <p class="flash error" role="alert">{f}</p> }).collect_view()}
        }
    };

    view! {
        <section class="annual" aria-labelledby="annual-title">
            <h1 id="annual-title">
                {move || texts(ctx.lang()).annual_report}
                {move || heading.get().map(|(year, _, _)| view! { " " <span class="nowrap">{year}</span> })}
            </h1>
            {move || heading.get().map(|(_, period, _)| view! { <p class="report-scope">{period}</p> })}
            <CompletenessBanner period=Signal::derive(move || prepared.get()) say_complete=true />
            <div class="no-print report-controls">
                <fieldset class="group">
                    <legend>{move || texts(ctx.lang()).report_period}</legend>
                    <div class="chips">
                        {kind_chip(true, |l| texts(l).fiscal_year)}
                        {kind_chip(false, |l| texts(l).calendar_year)}
                    </div>
                    <div class="field year">
                        <label for="annual-year">{move || texts(ctx.lang()).year}</label>
                        <select
                            id="annual-year"
                            on:change=move |ev| {
                                if let Ok(y) = event_target_value(&ev).parse::<i32>() {
                                    start.set(y);
                                }
                            }
                        >
                            {year_options}
                        </select>
                    </div>
                </fieldset>
                {move || view! {
                    <CheckChips
                        name="annual-sections"
                        legend=Signal::derive(move || texts(ctx.lang()).sections.to_owned())
                        items=section_items()
                        selected=chosen
                    />
                }}
                <label class="check">
                    <input type="checkbox" bind:checked=compare />
                    <span>{move || texts(ctx.lang()).compare_year_before}</span>
                </label>
                <button type="button" class="primary wide" disabled=move || busy.get() on:click=prepare>
                    {move || texts(ctx.lang()).prepare_report}
                </button>
                {move || message.get().map(|m| view! { <p role="alert" class="flash error">{m}</p> })}
                {move || busy.get().then(|| view! { <p class="muted" role="status">{texts(ctx.lang()).preparing}</p> })}
            </div>
            {body}
            <Show when=move || !results.with(|r| r.is_empty()) && !busy.get()>
                <div class="report-actions no-print">
                    <button type="button" on:click=move |_| platform::print()>{move || texts(ctx.lang()).print}</button>
                </div>
            </Show>
        </section>
    }
}

/// One program's or group's pages: headline numbers, then its non-empty tables.
#[component]
fn AnnualSection(
    section: Section,
    response: ReportResponse,
    /// « 2018-2019 », for the year before's numbers.
    before_label: String,
) -> impl IntoView {
    let ctx = use_ctx();
    let code = section.code.clone();
    let id = format!("annual-{code}");
    move || {
        let t = texts(ctx.lang());
        let r = &response.report;
        let before = response
            .compare
            .as_ref()
            .map(|c| (before_label.clone(), c.report.clone()));
        let covers = section.programs.as_ref().map(|programs| {
            let names: Vec<String> = programs
                .iter()
                .map(|p| program_or_group_label(ctx, p))
                .collect();
            view! { <p class="covers">{t.covers} " " {names.join(", ")}</p> }
        });
        // Headline numbers: persons and interventions, then what the records fill.
        let mut headline: Vec<(String, u64, Option<u64>)> = vec![
            (
                ctx.t().persons.to_owned(),
                u64::from(r.persons),
                before.as_ref().map(|b| u64::from(b.1.persons)),
            ),
            (
                ctx.t().interventions.to_owned(),
                u64::from(r.interventions),
                before.as_ref().map(|b| u64::from(b.1.interventions)),
            ),
        ];
        let venues: u32 = r.venues_visited_by_milieu.values().sum();
        if venues > 0 {
            headline.push((
                t.venues_visited.to_owned(),
                u64::from(venues),
                before
                    .as_ref()
                    .map(|b| u64::from(b.1.venues_visited_by_milieu.values().sum::<u32>())),
            ));
        }
        for (kind, platforms) in &r.sites_by_activity {
            let n: u32 = platforms.values().sum();
            let was = before.as_ref().map(|b| {
                u64::from(
                    b.1.sites_by_activity
                        .get(kind)
                        .map(|p| p.values().sum::<u32>())
                        .unwrap_or(0),
                )
            });
            let label = format!(
                "{} — {}",
                t.distinct_sites,
                ctx.label(carnet_core::ListKind::ActivityKinds, kind)
            );
            headline.push((label, u64::from(n), was));
        }
        if r.workshop_participants > 0 {
            headline.push((
                ctx.t().workshop_participants.to_owned(),
                r.workshop_participants,
                before.as_ref().map(|b| b.1.workshop_participants),
            ));
        }
        let before_label = before.as_ref().map(|b| b.0.clone());
        let lang = ctx.lang();
        let stats = headline
            .into_iter()
            .map(|(label, n, was)| {
                let was = was.zip(before_label.clone()).map(|(was, period)| {
                    let diff = n as i64 - was as i64;
                    let was = lang.count(was);
                    view! { <span class="was">{format!("{period}\u{a0}: {was} ({})", lang.signed(diff))}</span> }
                });
                view! {
                    <p class="stat">
                        <span class="stat-value">{lang.count(n)}</span>
                        <span class="stat-label">{label}</span>
                        {was}
                    </p>
                }
            })
            .collect_view();
        let blocks = SECTION_TABLES
            .iter()
            .filter_map(|name| table(r, name))
            .filter(|tb| tb.cells.iter().any(|c| c.1 > 0))
            .filter(|tb| tb.name != "interventions_by_program" || tb.cells.len() > 1)
            .map(|tb| {
                let heading = (tb.name == "venues_visited_by_milieu")
                    .then(|| t.venues_by_milieu.to_owned())
                    .or_else(|| Some(title(ctx.lang(), &tb.name)));
                match tb.axes.len() {
                    1 => view! { <BarBlock table=tb heading=heading.unwrap_or_default() /> }
                        .into_any(),
                    _ => {
                        let totals = tb.name != "sites_by_activity";
                        view! { <GridTable table=tb column_totals=totals /> }.into_any()
                    }
                }
            })
            .collect_view();
        view! {
            <section class="annual-section" aria-labelledby=id.clone() data-testid=format!("section-{code}")>
                <h2 id=id.clone()>{program_or_group_label(ctx, &code)}</h2>
                {covers}
                <div class="stats headline">{stats}</div>
                <div class="report-grid">{blocks}</div>
            </section>
        }
    }
}
