//! « Importer »: the organisation's past spreadsheets (CSV), for one worker, through
//! `POST /api/v1/import`. A dry run first shows what would be imported and every problem
//! by line; then the import is all or nothing, and importing the same file again changes
//! nothing (the server gives each row an id made from what it says).

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::api;
use crate::coordination::tables::program_or_group_label;
use crate::coordination::texts::texts;
use crate::platform;
use crate::state::{use_ctx, use_open};
use crate::ui::use_fetch::use_fetch;

/// The file chosen, read as text.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Chosen {
    name: String,
    text: String,
}

async fn read_file(input: web_sys::HtmlInputElement) -> Option<Chosen> {
    let file = input.files()?.get(0)?;
    let text = wasm_bindgen_futures::JsFuture::from(file.text())
        .await
        .ok()?
        .as_string()?;
    Some(Chosen {
        name: file.name(),
        text,
    })
}

/// What « Vérifier » or « Importer » sends: a dry run or not, and the worker typed.
type Run = (bool, String);

#[component]
pub fn Import() -> impl IntoView {
    let ctx = use_ctx();
    let worker = RwSignal::new(String::new());
    let secrets = RwSignal::from(use_open().secrets.clone());
    let token = move || {
        secrets
            .with_untracked(|s| s.token.clone())
            .unwrap_or_default()
    };

    // The team's names, offered as suggestions (any name may still be typed).
    let workers = use_fetch(move || {
        let (token, today) = (token(), platform::today());
        async move {
            api::get_tallies(&token, &format!("from={today}&to={today}"))
                .await
                .map(|tallies| tallies.workers.into_iter().map(|w| w.worker).collect())
                .unwrap_or_else(|_| Vec::<String>::new())
        }
    });
    // The file chosen, once read: `Some(None)` when it could not be read.
    let read = Action::new_local(|input: &web_sys::HtmlInputElement| read_file(input.clone()));
    let file = move || read.value().get().flatten();
    // The server's account of the last run, or why there is none.
    let run = Action::new_local(move |(dry_run, who): &Run| {
        let (dry_run, who, chosen, token) = (*dry_run, who.clone(), file(), token());
        async move {
            let t = texts(ctx.lang());
            let chosen = chosen.ok_or(t.choose_file.to_owned())?;
            if who.is_empty() {
                return Err(t.choose_worker.to_owned());
            }
            api::post_import(&token, &who, dry_run, &chosen.text)
                .await
                .map_err(|e| texts(ctx.lang()).import_error(&e))
        }
    });
    let outcome = move || run.value().get().and_then(Result::ok);
    // The dry run that cleared the file and the worker now chosen: only then « Importer ».
    let cleared = move || {
        run.value()
            .with(|o| matches!(o, Some(Ok(o)) if o.dry_run && o.problems.is_empty()))
    };
    let message = move || match run.value().get() {
        Some(Err(why)) => Some(why),
        _ => read
            .value()
            .with(|r| matches!(r, Some(None)))
            .then(|| texts(ctx.lang()).file_unreadable.to_owned()),
    };
    // A new file or another worker: the last run's account and any message go.
    let forget = move || {
        run.value().set(None);
        if read.value().with_untracked(|r| matches!(r, Some(None))) {
            read.value().set(None);
        }
    };
    let on_file = move |ev: leptos::ev::Event| {
        forget();
        if let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        {
            read.dispatch_local(input);
        }
    };
    let start = move |dry_run: bool| {
        run.dispatch((dry_run, worker.get_untracked().trim().to_owned()));
    };

    let summary = move || {
        let o = outcome()?;
        let t = texts(ctx.lang());
        let title = match (o.dry_run, o.problems.is_empty()) {
            (_, false) => t.import_refused(o.problems.len()),
            (true, true) => t.dry_run_ok.to_owned(),
            (false, true) if o.new == 0 => t.import_nothing_new.to_owned(),
            (false, true) => t.import_done.to_owned(),
        };
        let by_program = o
            .by_program
            .iter()
            .map(|(code, n)| {
                view! {
                    <li>
                        {program_or_group_label(ctx, code)} "\u{a0}: " <strong>{*n}</strong>
                    </li>
                }
            })
            .collect_view();
        let problems = (!o.problems.is_empty()).then(|| {
            let rows = o
                .problems
                .iter()
                .map(|p| {
                    view! {
                        <tr>
                            <th scope="row">{p.line}</th>
                            <td>{p.column.clone().unwrap_or_default()}</td>
                            <td>{t.import_problem(p)}</td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <div class="table-scroll">
                    <table class="grid problems" data-testid="import-problems">
                        <caption>{t.problems}</caption>
                        <thead>
                            <tr>
                                <th scope="col">{t.line}</th>
                                <th scope="col">{t.column}</th>
                                <th scope="col">{t.problem}</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            }
        });
        let class = if o.problems.is_empty() {
            "card import-summary"
        } else {
            "card import-summary refused"
        };
        // With problems nothing is imported: say what was read, then each problem.
        let counts = if o.problems.is_empty() {
            view! {
                <p>{t.import_counts(&o.worker, o.rows, o.contacts, o.activities)}</p>
                <ul class="by-program">{by_program}</ul>
                <p data-testid="import-new">{t.import_new(o.dry_run, o.new, o.already_there)}</p>
            }
            .into_any()
        } else {
            view! { <p>{t.rows_read(o.rows, o.contacts + o.activities)}</p> }.into_any()
        };
        Some(view! {
            <div class=class data-testid="import-summary" role="status">
                <h2>{title}</h2>
                {counts}
                {problems}
            </div>
        })
    };

    view! {
        <section class="import" aria-labelledby="import-title">
            <h1 id="import-title">{move || texts(ctx.lang()).import}</h1>
            <p class="help">{move || texts(ctx.lang()).import_help}</p>
            <div class="card">
                <div class="field">
                    <label for="import-file">{move || texts(ctx.lang()).csv_file}</label>
                    <input id="import-file" type="file" accept=".csv,text/csv" on:change=on_file />
                </div>
                <div class="field">
                    <label for="import-worker">{move || texts(ctx.lang()).worker}</label>
                    <input
                        id="import-worker"
                        type="text"
                        list="import-workers"
                        autocomplete="off"
                        prop:value=move || worker.get()
                        on:input=move |ev| {
                            worker.set(event_target_value(&ev));
                            forget();
                        }
                    />
                    <datalist id="import-workers">
                        {move || workers.get().unwrap_or_default().into_iter().map(|w| view! { <option value=w></option> }).collect_view()}
                    </datalist>
                    <p class="help">{move || texts(ctx.lang()).worker_help}</p>
                </div>
                <div class="report-actions">
                    <button type="button" disabled=move || run.pending().get() on:click=move |_| start(true)>
                        {move || texts(ctx.lang()).dry_run}
                    </button>
                    <button
                        type="button"
                        class="primary"
                        disabled=move || run.pending().get() || !cleared()
                        on:click=move |_| start(false)
                    >
                        {move || texts(ctx.lang()).import_now}
                    </button>
                </div>
                {move || message().map(|m| view! { <p class="flash error" role="alert">{m}</p> })}
            </div>
            {summary}
        </section>
    }
}
