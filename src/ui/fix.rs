//! « À corriger »: every record the server refused, across all days, with the reason in
//! plain words, and every conflict with both versions side by side. Nothing stays stuck
//! out of sight: each can be corrected and sent again, or settled.

use carnet_core::{ListKind, Record, SyncState};
use leptos::prelude::*;
use uuid::Uuid;

use crate::actions;
use crate::state::{Screen, use_ctx, use_open};
use crate::storage::LocalRecord;
use crate::ui::effect::effect;
use crate::ui::row_key::RowKey;
use crate::ui::task::Task;
use crate::ui::today::clock;

#[component]
pub fn ToFix() -> impl IntoView {
    let ctx = use_ctx();
    let open = use_open();
    let book = open.book.clone();
    // Keyed by the record, its content and why it is here: settling one redraws no other.
    let items = Memo::new(move |_| book.with(|b| b.to_fix().cloned().collect::<Vec<_>>()));
    let book = open.book.clone();
    let empty = move || book.with(|b| b.to_fix_count() == 0);
    view! {
        <section class="to-fix" aria-labelledby="to-fix-title">
            <h1 id="to-fix-title">{move || ctx.t().to_fix_title}</h1>
            <p class="help">{move || ctx.t().to_fix_help}</p>
            <Show
                when=empty
                fallback=move || {
                    view! {
                        <ul class="contacts">
                            <For each=move || items.get() key=RowKey::of let:local>
                                <FixItem local=local />
                            </For>
                        </ul>
                    }
                }
            >
                <p class="muted">{move || ctx.t().nothing_to_fix}</p>
            </Show>
        </section>
    }
}

/// One refused or conflicting record.
#[component]
fn FixItem(local: LocalRecord) -> impl IntoView {
    let ctx = use_ctx();
    let lang = ctx.lang();
    let t = lang.t();
    let id = local.record.id();
    let when = format!(
        "{} {}",
        lang.day_title(local.record.local_date()),
        clock(&local.record.occurred_at())
    );
    let title = describe(&local.record);
    let message = RwSignal::new(None::<String>);
    let body = match local.standing.sync.clone() {
        SyncState::Rejected { reason } => {
            let reasons = lang.refusal_reasons(&reason);
            let send_again =
                Task::new(move |_: &()| async move { actions::send_again(ctx, id).await });
            effect(move |_| {
                if let Some(Err(m)) = send_again.value().get() {
                    message.set(Some(m));
                }
            });
            view! {
                <ul class="reasons" data-testid="refusal-reasons">
                    {reasons.into_iter().map(|r| view! { <li>{r}</li> }).collect_view()}
                </ul>
                <div class="contact-actions">
                    <button type="button" class="primary" on:click=move |_| ctx.go(Screen::Edit(id))>
                        {t.fix}
                    </button>
                    <button
                        type="button"
                        disabled=move || send_again.pending().get()
                        on:click=move |_| {
                            send_again.dispatch(());
                        }
                    >
                        {t.send_again}
                    </button>
                </div>
            }
            .into_any()
        }
        SyncState::Conflict { .. } => view! { <Conflict id=id message=message /> }.into_any(),
        _ => ().into_any(),
    };
    view! {
        <li class="contact-item" data-testid="to-fix-item">
            <div class="contact-head">
                <span>{when}</span>
                <span>{title}</span>
            </div>
            {body}
            {move || message.get().map(|m| view! { <p role="alert" class="flash error">{m}</p> })}
        </li>
    }
}

/// A record's situation in a few words (milieu or activity, then réalités).
fn describe(record: &Record) -> String {
    let ctx = use_ctx();
    match record {
        Record::Contact(c) => {
            let mut parts = vec![ctx.label(ListKind::Milieux, &c.milieu)];
            parts.extend(
                c.realities
                    .iter()
                    .map(|r| ctx.label(ListKind::Realities, r)),
            );
            parts.join(", ")
        }
        Record::Activity(a) => ctx.label(ListKind::ActivityKinds, &a.activity),
    }
}

/// A genuine conflict: both versions side by side, and the worker's choice.
#[component]
fn Conflict(id: Uuid, message: RwSignal<Option<String>>) -> impl IntoView {
    let ctx = use_ctx();
    let t = ctx.t();
    let versions = RwSignal::new(None::<(Record, Record)>);
    let compare = Task::new(move |_: &()| async move { actions::conflict_versions(ctx, id).await });
    let settle = Task::new(move |mine: &bool| {
        let mine = *mine;
        async move { actions::settle_conflict(ctx, id, mine).await }
    });
    effect(move |_| match compare.value().get() {
        Some(Ok(pair)) => versions.set(Some(pair)),
        Some(Err(m)) => message.set(Some(m)),
        None => {}
    });
    effect(move |_| {
        if let Some(Err(m)) = settle.value().get() {
            message.set(Some(m));
        }
    });
    let busy = move || compare.pending().get() || settle.pending().get();
    view! {
        <p class="help">{t.conflict_explained}</p>
        {move || {
            versions
                .get()
                .map(|(mine, theirs)| {
                    view! {
                        <div class="versions">
                            <div>
                                <h3>{t.this_phone}</h3>
                                <p data-testid="version-mine">{describe(&mine)}</p>
                            </div>
                            <div>
                                <h3>{t.on_server}</h3>
                                <p data-testid="version-server">{describe(&theirs)}</p>
                            </div>
                        </div>
                    }
                })
        }}
        <div class="contact-actions">
            <button type="button" disabled=busy on:click=move |_| {
                compare.dispatch(());
            }>{t.compare_versions}</button>
            <button type="button" class="primary" disabled=busy on:click=move |_| {
                settle.dispatch(true);
            }>{t.keep_mine}</button>
            <button type="button" disabled=busy on:click=move |_| {
                settle.dispatch(false);
            }>{t.keep_theirs}</button>
        </div>
    }
}
