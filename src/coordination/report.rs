//! « Rapport de l'équipe »: the server's report for a period and set of programs, its CSV
//! and a print stylesheet.

use carnet_core::{ListKind, Report};
use chrono::{Datelike, NaiveDate};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::platform;
use crate::state::{use_ctx, use_open};
use crate::ui::figures::{DateRange, ReportView};
use crate::ui::widgets::ChoiceGroup;

/// The coordinator's view of the server's report for a period and program.
#[component]
pub fn TeamReport() -> impl IntoView {
    let ctx = use_ctx();
    let today = platform::today();
    // The organisation's fiscal year starts on April 1st.
    let fiscal_start = if today.month() >= 4 {
        NaiveDate::from_ymd_opt(today.year(), 4, 1)
    } else {
        NaiveDate::from_ymd_opt(today.year() - 1, 4, 1)
    }
    .unwrap_or(today);
    let from = RwSignal::new(fiscal_start);
    let to = RwSignal::new(today);
    let program = RwSignal::new(None::<String>);
    let report = RwSignal::new(None::<Report>);
    let message = RwSignal::new(None::<&'static str>);
    let busy = RwSignal::new(false);

    let query = move || {
        let mut q = format!("from={}&to={}", from.get_untracked(), to.get_untracked());
        if let Some(p) = program.get_untracked() {
            q.push_str("&program=");
            q.push_str(&p);
        }
        q
    };
    let secrets = RwSignal::from(use_open().secrets.clone());
    let token = move || {
        secrets
            .with_untracked(|s| s.token.clone())
            .unwrap_or_default()
    };
    let load = move |_| {
        busy.set(true);
        message.set(None);
        let (token, query) = (token(), query());
        spawn_local(async move {
            match api::get_report(&token, &query).await {
                Ok(r) => report.set(Some(r.report)),
                Err(_) => message.set(Some(ctx.t().report_failed)),
            }
            busy.set(false);
        });
    };
    let download = move |_| {
        let (token, query) = (token(), query());
        let name = format!(
            "carnet-rapport-{}-{}.csv",
            from.get_untracked(),
            to.get_untracked()
        );
        spawn_local(async move {
            match api::get_report_csv(&token, &query).await {
                Ok(csv) => {
                    if platform::download(&name, "text/csv;charset=utf-8", &csv).is_err() {
                        message.set(Some(ctx.t().report_failed));
                    }
                }
                Err(_) => message.set(Some(ctx.t().report_failed)),
            }
        });
    };
    let shown = Signal::derive(move || report.get().unwrap_or_default());

    view! {
        <section class="team-report" aria-labelledby="team-report-title">
            <h1 id="team-report-title">{move || ctx.t().team_report}</h1>
            <div class="no-print">
                <DateRange from=from to=to />
                <ChoiceGroup
                    legend=|t| t.program
                    name="report-program"
                    kind=ListKind::Programs
                    selected=program
                    none_label=|t| t.all_programs
                />
                <button type="button" class="primary wide" disabled=move || busy.get() on:click=load>
                    {move || ctx.t().show_report}
                </button>
                {move || message.get().map(|m| view! { <p role="alert" class="flash">{m}</p> })}
            </div>
            <Show when=move || report.with(|r| r.is_some())>
                <p class="print-only">
                    {move || format!("{} {} — {} {}", ctx.t().date_from, from.get(), ctx.t().date_to, to.get())}
                </p>
                <ReportView report=shown />
                <div class="report-actions no-print">
                    <button type="button" on:click=download>{move || ctx.t().download_csv}</button>
                    <button type="button" on:click=move |_| platform::print()>{move || ctx.t().print}</button>
                </div>
            </Show>
        </section>
    }
}
