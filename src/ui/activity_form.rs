//! « Activité »: work that involves no one person (venue visit, ad posted, site monitored,
//! workshop with its head count).

use carnet_core::{ActivityDraft, ListKind};
use leptos::prelude::*;
use uuid::Uuid;

use crate::actions;
use crate::draft::{self, FormDraft};
use crate::state::{use_ctx, use_open, wide};
use crate::ui::record_form::{FormActions, MaterialCounters, NoteField, keep_draft, use_save};
use crate::ui::widgets::ChoiceGroup;

#[component]
pub fn ActivityForm(editing: Option<Uuid>) -> impl IntoView {
    let ctx = use_ctx();
    let book = use_open().book;
    let reopened = match draft::take_reopened() {
        Some(FormDraft::Activity { editing: e, draft }) if e == editing => Some(draft),
        _ => None,
    };
    let existing = editing.and_then(|id| {
        book.with_untracked(|b| {
            b.get(id).and_then(|x| match &x.record {
                carnet_core::Record::Activity(a) => Some(ActivityDraft::from(a)),
                carnet_core::Record::Contact(_) => None,
            })
        })
    });
    let start = reopened.or(existing).unwrap_or_else(|| ActivityDraft {
        // Start from the program of the last record: a worker rarely changes it.
        program: book.with_untracked(|b| b.latest().map(|r| r.program().to_owned())),
        ..ActivityDraft::default()
    });
    let first_field = if start.program.is_none() {
        "program"
    } else {
        "activity"
    };
    let program = RwSignal::new(start.program);
    let activity = RwSignal::new(start.activity);
    let milieu = RwSignal::new(start.milieu);
    let venue = RwSignal::new(start.venue);
    let platform = RwSignal::new(start.platform);
    let site = RwSignal::new(start.site);
    let head_count = RwSignal::new(start.head_count.unwrap_or(0));
    let material = RwSignal::new(start.material);
    let note = RwSignal::new(start.note.unwrap_or_default());
    // Tracked: read in an effect, it runs again at every change.
    let draft = move || {
        let text = note.get();
        ActivityDraft {
            program: program.get(),
            activity: activity.get(),
            milieu: milieu.get(),
            venue: venue.get(),
            platform: platform.get(),
            site: site.get(),
            head_count: Some(head_count.get()).filter(|n| *n > 0),
            material: material.get(),
            note: (!text.trim().is_empty()).then_some(text),
        }
    };
    let saving = use_save(draft, move |draft| {
        actions::save_activity(ctx, editing, draft)
    });
    keep_draft(
        move || FormDraft::Activity {
            editing,
            draft: draft(),
        },
        wide().get_untracked().then_some(first_field),
    );
    let has_venues = ctx
        .taxonomy
        .with_untracked(|t| t.active(ListKind::Venues).next().is_some());
    let has_sites = ctx
        .taxonomy
        .with_untracked(|t| t.active(ListKind::Sites).next().is_some());

    view! {
        <form class="record activity-form" on:submit=move |ev| saving.submit.run(ev) novalidate>
            <h1>{move || if editing.is_some() { ctx.t().edit_activity } else { ctx.t().new_activity }}</h1>
            // The choices: on the desk, the panel that scrolls above the bar of actions.
            <div class="fields">
                <ChoiceGroup legend=|t| t.program name="program" kind=ListKind::Programs selected=program />
                <ChoiceGroup legend=|t| t.activity_kind name="activity" kind=ListKind::ActivityKinds selected=activity />
                <ChoiceGroup legend=|t| t.milieu name="milieu" kind=ListKind::Milieux selected=milieu optional=true />
                <Show when=move || has_venues>
                    <ChoiceGroup legend=|t| t.venue name="venue" kind=ListKind::Venues selected=venue optional=true />
                </Show>
                <ChoiceGroup legend=|t| t.platform name="platform" kind=ListKind::Platforms selected=platform optional=true />
                <Show when=move || has_sites>
                    <ChoiceGroup legend=|t| t.site name="site" kind=ListKind::Sites selected=site optional=true />
                </Show>
                <div class="field">
                    <label for="head-count">{move || ctx.t().head_count}</label>
                    <input
                        id="head-count"
                        type="number"
                        inputmode="numeric"
                        min="0"
                        prop:value=move || head_count.get().to_string()
                        on:input=move |ev| {
                            head_count.set(event_target_value(&ev).trim().parse().unwrap_or(0))
                        }
                    />
                </div>
                <MaterialCounters counts=material />
                <NoteField value=note />
            </div>
            <FormActions saving=saving editing=editing />
        </form>
    }
}
