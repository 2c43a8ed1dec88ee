//! « Équipe »: each worker's figures side by side for a period and programs (the same
//! scope as the team report), the team's total, sortable by any column, as CSV and xlsx,
//! each row opening that worker's own report; above it, whether the period may still
//! change (`completeness`).

use carnet_core::ListKind;
use carnet_core::team::{Column, TeamRow};
use carnet_core::wire::TeamResponse;
use leptos::prelude::*;

use crate::api;
use crate::coordination::completeness::CompletenessBanner;
use crate::coordination::report::download_file;
use crate::coordination::scope::{ScopePicker, ScopeState, fiscal_year_start};
use crate::coordination::texts::texts;
use crate::coordination::texts::workers::{WorkerTexts, workers};
use crate::coordination::{Drill, Page};
use crate::platform;
use crate::state::{Ctx, use_ctx, use_open};
use crate::ui::figures::DateRange;

#[component]
pub fn Workers() -> impl IntoView {
    let ctx = use_ctx();
    let today = platform::today();
    let from = RwSignal::new(fiscal_year_start(today));
    let to = RwSignal::new(today);
    let scope = ScopeState::new();
    let shown = RwSignal::new(None::<(TeamResponse, String)>);
    let message = RwSignal::new(None::<String>);
    let sort = RwSignal::new((Column::Worker, true));
    let secrets = RwSignal::from(use_open().secrets.clone());
    let token = move || {
        secrets
            .with_untracked(|s| s.token.clone())
            .unwrap_or_default()
    };

    let fetch = Action::new_local(move |query: &String| {
        let (query, token) = (query.clone(), token());
        async move {
            match api::get_team(&token, &query).await {
                Ok(response) => shown.set(Some((response, query))),
                Err(e) => message.set(Some(texts(ctx.lang()).report_error(&e))),
            }
        }
    });
    let load = move |_| {
        let Ok(program) = scope.program_param() else {
            message.set(Some(texts(ctx.lang()).tick_a_program.to_owned()));
            return;
        };
        let mut query = format!("from={}&to={}", from.get_untracked(), to.get_untracked());
        if let Some(p) = program {
            query.push_str("&program=");
            query.push_str(&p);
        }
        message.set(None);
        fetch.dispatch(query);
    };
    let download = Action::new_local(move |format: &&'static str| {
        let (format, shown, token) = (*format, shown.get_untracked(), token());
        async move {
            let Some((response, query)) = shown else {
                return;
            };
            let name = format!(
                "carnet-equipe-{}-{}.{format}",
                response.filter.from, response.filter.to
            );
            if let Err(why) = download_file(&token, "team", &query, &name, format).await {
                message.set(Some(why.in_words(ctx.lang())));
            }
        }
    });
    let period = Signal::derive(move || {
        shown.with(|s| s.as_ref().map(|(r, _)| (r.filter.from, r.filter.to)))
    });
    // A row opens the worker's own report, for the same period and programs.
    let drill = use_context::<RwSignal<Option<Drill>>>();
    let page = use_context::<RwSignal<Page>>();
    let open_report = move |worker: String| {
        let Some((response, _)) = shown.get_untracked() else {
            return;
        };
        if let (Some(drill), Some(page)) = (drill, page) {
            drill.set(Some(Drill {
                worker,
                from: response.filter.from,
                to: response.filter.to,
                choice: scope.choice.get_untracked(),
                several: scope.several.get_untracked(),
            }));
            page.set(Page::TeamReport);
        }
    };

    view! {
        <section class="workers" aria-labelledby="workers-title">
            <h1 id="workers-title">{move || workers(ctx.lang()).title}</h1>
            <p class="help no-print">{move || workers(ctx.lang()).intro}</p>
            <div class="no-print report-controls">
                <DateRange from=from to=to />
                <ScopePicker state=scope />
                <button type="button" class="primary wide" disabled=move || fetch.pending().get() on:click=load>
                    {move || workers(ctx.lang()).show}
                </button>
            </div>
            {move || message.get().map(|m| view! { <p role="alert" class="flash error">{m}</p> })}
            <CompletenessBanner period=period details=true />
            {move || {
                shown.with(|s| {
                    s.as_ref().map(|(response, _)| {
                        view! {
                            <TeamTable response=response.clone() sort=sort on_open=Callback::new(open_report) />
                            <div class="report-actions no-print">
                                <button type="button" on:click=move |_| { download.dispatch("csv"); }>
                                    {move || workers(ctx.lang()).download_csv}
                                </button>
                                <button type="button" on:click=move |_| { download.dispatch("xlsx"); }>
                                    {move || workers(ctx.lang()).download_xlsx}
                                </button>
                            </div>
                        }
                    })
                })
            }}
        </section>
    }
}

/// A column's title.
fn column_title(ctx: Ctx, t: &WorkerTexts, column: &Column) -> String {
    match column {
        Column::Worker => t.worker.to_owned(),
        Column::Interventions => t.interventions.to_owned(),
        Column::Persons => t.persons.to_owned(),
        Column::NewPersons => t.new_persons.to_owned(),
        Column::Activities => t.activities.to_owned(),
        Column::Material(code) => ctx.label(ListKind::Materials, code),
        Column::WebMessages(direction) if direction == "sent" => t.sent.to_owned(),
        Column::WebMessages(_) => t.received.to_owned(),
    }
}

/// The table: a row per worker in the order chosen, the team's total last.
#[component]
fn TeamTable(
    response: TeamResponse,
    sort: RwSignal<(Column, bool)>,
    on_open: Callback<String>,
) -> impl IntoView {
    let ctx = use_ctx();
    let table = response.table;
    let columns = table.columns();
    let head = {
        let columns = columns.clone();
        move || {
            let t = workers(ctx.lang());
            columns
                .iter()
                .map(|column| {
                    let title = column_title(ctx, t, column);
                    let this = column.clone();
                    let order = {
                        let this = this.clone();
                        move || {
                            sort.with(|(c, ascending)| {
                                (*c == this).then_some(if *ascending { "ascending" } else { "descending" })
                            })
                        }
                    };
                    let click = move |_| {
                        sort.update(|(c, ascending)| {
                            if *c == this {
                                *ascending = !*ascending;
                            } else {
                                // Names A to Z, figures largest first.
                                *ascending = this == Column::Worker;
                                *c = this.clone();
                            }
                        });
                    };
                    let label = format!("{} {}", t.sort_by, title.to_lowercase());
                    view! {
                        <th scope="col" aria-sort=order>
                            <button type="button" class="sort" title=label on:click=click>{title}</button>
                        </th>
                    }
                })
                .collect_view()
        }
    };
    let body = {
        let (columns, table) = (columns.clone(), table.clone());
        move || {
            let (by, ascending) = sort.get();
            let lang = ctx.lang();
            let t = workers(lang);
            table
                .sorted(&by, ascending)
                .into_iter()
                .map(|row| worker_row(row, &columns, lang, t, on_open))
                .collect_view()
        }
    };
    let total = {
        let columns = columns.clone();
        move || {
            let lang = ctx.lang();
            let t = workers(lang);
            let cells = columns
                .iter()
                .skip(1)
                .map(|c| view! { <td>{lang.count(table.total.value(c))}</td> })
                .collect_view();
            view! {
                <tr class="total" data-testid="team-total">
                    <th scope="row">{t.team_total}</th>
                    {cells}
                </tr>
            }
        }
    };
    view! {
        <div class="table-scroll" data-testid="team-table">
            <table class="grid team">
                <caption>{move || workers(ctx.lang()).title}</caption>
                <thead><tr>{head}</tr></thead>
                <tbody>{body}</tbody>
                <tfoot>{total}</tfoot>
            </table>
        </div>
        <p class="help" data-testid="persons-note">{move || workers(ctx.lang()).persons_note}</p>
    }
}

fn worker_row(
    row: &TeamRow,
    columns: &[Column],
    lang: crate::i18n::Lang,
    t: &'static WorkerTexts,
    on_open: Callback<String>,
) -> impl IntoView + use<> {
    let name = row.worker.clone();
    let cells = columns
        .iter()
        .skip(1)
        .map(|c| view! { <td>{lang.count(row.value(c))}</td> })
        .collect_view();
    let label = format!("{} — {}", t.open_report, row.worker);
    view! {
        <tr data-testid="team-row">
            <th scope="row">
                <button type="button" class="link" aria-label=label on:click=move |_| on_open.run(name.clone())>
                    {row.worker.clone()}
                </button>
            </th>
            {cells}
        </tr>
    }
}
