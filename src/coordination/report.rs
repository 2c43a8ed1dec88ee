//! « Rapport de l'équipe »: the server's report for a period and a group or set of
//! programs, its cross-tables, the same programs over another period side by side (this
//! year and last by default), the CSV and xlsx downloads, and a print stylesheet.

use std::sync::Arc;

use carnet_core::wire::ReportResponse;
use leptos::prelude::*;

use crate::api;
use crate::coordination::completeness::CompletenessBanner;
use crate::coordination::scope::{
    DatePair, ScopePicker, ScopeState, fiscal_year_start, period_label, year_before,
};
use crate::coordination::tables::{BarBlock, Comparison, GridTable, program_or_group_label, table};
use crate::coordination::texts::texts;
use crate::platform;
use crate::state::{use_ctx, use_open};
use crate::ui::figures::{DateRange, ReportView};

/// Per-intervention tables the phone's « Mes chiffres » does not draw.
const MORE_BARS: [&str; 6] = [
    "interventions_by_gender",
    "interventions_by_age_group",
    "interventions_by_program",
    "interventions_by_status",
    "interventions_by_occupation",
    "interventions_by_mode",
];

/// What is on screen: the answer and the query that brought it (downloads use the same).
#[derive(Debug, Clone)]
struct Shown {
    response: ReportResponse,
    query: String,
    /// The query with the comparison, when one was asked for.
    compare_query: Option<String>,
}

#[component]
pub fn TeamReport() -> impl IntoView {
    let ctx = use_ctx();
    let today = platform::today();
    let from = RwSignal::new(fiscal_year_start(today));
    let to = RwSignal::new(today);
    let scope = ScopeState::new();
    let compare = RwSignal::new(true);
    let compare_from = RwSignal::new(year_before(from.get_untracked()));
    let compare_to = RwSignal::new(year_before(to.get_untracked()));
    // The other period follows the report's, a year earlier, until changed by hand.
    Effect::new(move |_| {
        compare_from.set(year_before(from.get()));
        compare_to.set(year_before(to.get()));
    });
    let shown = RwSignal::new(None::<Shown>);
    let message = RwSignal::new(None::<String>);
    // One worker's own report, when « Équipe » opened one (same period and programs).
    let worker = RwSignal::new(None::<String>);
    let drill = use_context::<RwSignal<Option<crate::coordination::Drill>>>()
        .and_then(|d| d.try_update(Option::take).flatten());
    if let Some(d) = &drill {
        from.set(d.from);
        to.set(d.to);
        scope.choice.set(d.choice.clone());
        scope.several.set(d.several.clone());
        worker.set(Some(d.worker.clone()));
    }

    let secrets = RwSignal::from(use_open().secrets.clone());
    let token = move || {
        secrets
            .with_untracked(|s| s.token.clone())
            .unwrap_or_default()
    };
    // The report asked for: `query`, and the same with the comparison when one is asked.
    let fetch = Action::new_local(move |(query, compare_query): &(String, Option<String>)| {
        let (query, compare_query, token) = (query.clone(), compare_query.clone(), token());
        async move {
            let asked = compare_query.as_deref().unwrap_or(&query);
            match api::get_report(&token, asked).await {
                Ok(response) => shown.set(Some(Shown {
                    response,
                    query,
                    compare_query,
                })),
                Err(e) => message.set(Some(texts(ctx.lang()).report_error(&e))),
            }
        }
    });
    let load = move |_: ()| {
        let t = texts(ctx.lang());
        let Ok(program) = scope.program_param() else {
            message.set(Some(t.tick_a_program.to_owned()));
            return;
        };
        let mut query = format!("from={}&to={}", from.get_untracked(), to.get_untracked());
        if let Some(p) = program {
            query.push_str("&program=");
            query.push_str(&p);
        }
        if let Some(name) = worker.get_untracked() {
            query.push_str("&worker=");
            query.push_str(&String::from(js_sys::encode_uri_component(&name)));
        }
        let compare_query = compare.get_untracked().then(|| {
            format!(
                "{query}&compare_from={}&compare_to={}",
                compare_from.get_untracked(),
                compare_to.get_untracked()
            )
        });
        message.set(None);
        fetch.dispatch((query, compare_query));
    };

    // Downloads: the CSV as text, the spreadsheet as a blob, each named after its period.
    let fetch_file = Action::new_local(move |&(format, with_compare): &(&'static str, bool)| {
        let (shown, token) = (shown.get_untracked(), token());
        async move {
            let Some(s) = shown else {
                return;
            };
            let query = if with_compare {
                s.compare_query.clone().unwrap_or(s.query.clone())
            } else {
                s.query.clone()
            };
            let filter = &s.response.filter;
            let name = match (&s.response.compare, with_compare) {
                (Some(c), true) => format!(
                    "carnet-comparaison-{}-{}-{}-{}.{format}",
                    filter.from, filter.to, c.filter.from, c.filter.to
                ),
                _ => format!("carnet-rapport-{}-{}.{format}", filter.from, filter.to),
            };
            if let Err(why) = download_file(&token, "report", &query, &name, format).await {
                message.set(Some(why.in_words(ctx.lang())));
            }
        }
    });
    let download = move |format: &'static str, with_compare: bool| {
        fetch_file.dispatch((format, with_compare));
    };

    let report = Signal::derive(move || {
        shown
            .with(|s| s.as_ref().map(|s| Arc::new(s.response.report.clone())))
            .unwrap_or_default()
    });
    let scope_line = move || {
        shown.with(|s| {
            let s = s.as_ref()?;
            let t = texts(ctx.lang());
            let f = &s.response.filter;
            let programs = match &f.programs {
                Some(p) => p
                    .iter()
                    .map(|code| program_or_group_label(ctx, code))
                    .collect::<Vec<_>>()
                    .join(", "),
                None => t.all_programs.to_owned(),
            };
            Some(view! {
                <p class="report-scope" data-testid="report-scope">
                    <span>{t.period_is} " " <strong>{period_label(f.from, f.to)}</strong></span>
                    <span>{t.programs_are} " " <strong>{programs}</strong></span>
                </p>
            })
        })
    };
    let more = move || {
        let r = report.get();
        let t = texts(ctx.lang());
        let mut bars: Vec<_> = MORE_BARS
            .iter()
            .filter_map(|name| table(&r, name))
            // One program: « interventions by program » is the headline again.
            .filter(|tb| tb.name != "interventions_by_program" || tb.cells.len() > 1)
            .map(|tb| view! { <BarBlock table=tb /> }.into_any())
            .collect();
        if let Some(tb) = table(&r, "web_persons_by_platform") {
            bars.push(view! { <BarBlock table=tb /> }.into_any());
        }
        if let Some(tb) = table(&r, "sites_by_activity") {
            bars.push(view! { <GridTable table=tb column_totals=false /> }.into_any());
        }
        let crosses: Vec<_> = r
            .tables()
            .into_iter()
            .filter(|tb| tb.axes.len() == 2 && tb.name.contains("_and_"))
            .filter(|tb| tb.cells.iter().any(|c| c.1 > 0))
            .map(|tb| view! { <GridTable table=tb /> })
            .collect();
        let no_cross = crosses.is_empty();
        view! {
            <h2 class="section-title">{t.more_tables}</h2>
            <div class="report-grid">{bars}</div>
            <h2 class="section-title">{t.cross_tables}</h2>
            {no_cross.then(|| view! { <p class="muted">{t.no_cross_tables}</p> })}
            <div class="report-grid" data-testid="cross-tables">{crosses}</div>
        }
    };
    let comparison = move || {
        shown.with(|s| {
            let s = s.as_ref()?;
            let c = s.response.compare.clone()?;
            let t = texts(ctx.lang());
            let (period, other) = (
                (s.response.filter.from, s.response.filter.to),
                (c.filter.from, c.filter.to),
            );
            let empty = c.differences.is_empty();
            Some(view! {
                <section class="comparison" aria-labelledby="comparison-title" data-testid="comparison">
                    <h2 class="section-title" id="comparison-title">
                        {format!(
                            "{}\u{a0}: {} / {}",
                            t.comparison,
                            period_label(period.0, period.1),
                            period_label(other.0, other.1),
                        )}
                    </h2>
                    <p class="help">{t.comparison_help}</p>
                    {empty.then(|| view! { <p class="muted">{ctx.t().nothing_in_period}</p> })}
                    <div class="report-grid">
                        <Comparison differences=c.differences period=period other=other />
                    </div>
                    <div class="report-actions no-print">
                        <button type="button" on:click=move |_| download("csv", true)>
                            {t.download_comparison_csv}
                        </button>
                        <button type="button" on:click=move |_| download("xlsx", true)>
                            {t.download_comparison_xlsx}
                        </button>
                    </div>
                </section>
            })
        })
    };

    if drill.is_some() {
        load(());
    }
    let period = Signal::derive(move || {
        shown.with(|s| {
            s.as_ref()
                .map(|s| (s.response.filter.from, s.response.filter.to))
        })
    });
    let whose = move || {
        worker.get().map(|name| {
            let t = texts(ctx.lang());
            view! {
                <p class="report-worker" data-testid="report-worker">
                    <strong>{format!("{}\u{a0}: {name}", t.worker_report)}</strong>
                    " "
                    <button type="button" class="no-print" on:click=move |_| {
                        worker.set(None);
                        shown.set(None);
                    }>{t.whole_team}</button>
                </p>
            }
        })
    };

    view! {
        <section class="team-report" aria-labelledby="team-report-title">
            <h1 id="team-report-title">{move || texts(ctx.lang()).team_report}</h1>
            {whose}
            <div class="no-print report-controls">
                <DateRange from=from to=to />
                <ScopePicker state=scope />
                <label class="check">
                    <input type="checkbox" bind:checked=compare />
                    <span>{move || texts(ctx.lang()).compare_with}</span>
                </label>
                <Show when=move || compare.get()>
                    <DatePair
                        id="compare"
                        from=compare_from
                        to=compare_to
                        from_label=Signal::derive(move || texts(ctx.lang()).compare_from.to_owned())
                        to_label=Signal::derive(move || texts(ctx.lang()).compare_to.to_owned())
                    />
                </Show>
                <button type="button" class="primary wide" disabled=move || fetch.pending().get() on:click=move |_| load(())>
                    {move || texts(ctx.lang()).show_report}
                </button>
            </div>
            {move || message.get().map(|m| view! { <p role="alert" class="flash error">{m}</p> })}
            <CompletenessBanner period=period />
            <Show when=move || shown.with(|s| s.is_some())>
                {scope_line}
                <ReportView report=report />
                {more}
                {comparison}
                <div class="report-actions no-print">
                    <button type="button" on:click=move |_| download("csv", false)>
                        {move || texts(ctx.lang()).download_csv}
                    </button>
                    <button type="button" on:click=move |_| download("xlsx", false)>
                        {move || texts(ctx.lang()).download_xlsx}
                    </button>
                    <button type="button" on:click=move |_| platform::print()>{move || texts(ctx.lang()).print}</button>
                </div>
            </Show>
        </section>
    }
}

/// Why a download did not happen.
pub enum DownloadFailed {
    Server(api::ClientError),
    /// The browser refused to save the file.
    Saving,
}

impl DownloadFailed {
    pub fn in_words(&self, lang: crate::i18n::Lang) -> String {
        let t = texts(lang);
        match self {
            DownloadFailed::Server(e) => t.report_error(e),
            DownloadFailed::Saving => t.download_failed.to_owned(),
        }
    }
}

/// Fetches one of the server's tables (`endpoint`: `report` or `team`) as `format` (`csv`
/// or `xlsx`) and offers it as a file named `name`.
pub async fn download_file(
    token: &str,
    endpoint: &str,
    query: &str,
    name: &str,
    format: &str,
) -> Result<(), DownloadFailed> {
    if format == "xlsx" {
        let blob = api::get_xlsx(token, endpoint, query)
            .await
            .map_err(DownloadFailed::Server)?;
        platform::download_blob(name, &blob).map_err(|_| DownloadFailed::Saving)
    } else {
        let csv = api::get_csv(token, endpoint, query)
            .await
            .map_err(DownloadFailed::Server)?;
        platform::download(name, "text/csv;charset=utf-8", &csv).map_err(|_| DownloadFailed::Saving)
    }
}
