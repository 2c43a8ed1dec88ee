//! « Activité »: work that involves no one person (venue visit, ad posted, site monitored,
//! workshop with its head count).

use carnet_core::{ActivityDraft, ListKind};
use leptos::prelude::*;
use uuid::Uuid;

use crate::actions;
use crate::state::{use_ctx, use_open};
use crate::ui::record_form::{FormActions, MaterialCounters, NoteField, use_save};
use crate::ui::widgets::ChoiceGroup;

#[component]
pub fn ActivityForm(editing: Option<Uuid>) -> impl IntoView {
    let ctx = use_ctx();
    let book = use_open().book;
    let existing = editing.and_then(|id| {
        book.with_untracked(|b| {
            b.get(id).and_then(|x| match &x.record {
                carnet_core::Record::Activity(a) => Some(ActivityDraft::from(a)),
                carnet_core::Record::Contact(_) => None,
            })
        })
    });
    let start = existing.unwrap_or_else(|| ActivityDraft {
        // Start from the program of the last record: a worker rarely changes it.
        program: book.with_untracked(|b| b.latest().map(|r| r.program().to_owned())),
        ..ActivityDraft::default()
    });
    let program = RwSignal::new(start.program);
    let activity = RwSignal::new(start.activity);
    let milieu = RwSignal::new(start.milieu);
    let venue = RwSignal::new(start.venue);
    let platform = RwSignal::new(start.platform);
    let site = RwSignal::new(start.site);
    let head_count = RwSignal::new(start.head_count.unwrap_or(0));
    let material = RwSignal::new(start.material);
    let note = RwSignal::new(start.note.unwrap_or_default());
    let draft = move || {
        let text = note.get_untracked();
        ActivityDraft {
            program: program.get_untracked(),
            activity: activity.get_untracked(),
            milieu: milieu.get_untracked(),
            venue: venue.get_untracked(),
            platform: platform.get_untracked(),
            site: site.get_untracked(),
            head_count: Some(head_count.get_untracked()).filter(|n| *n > 0),
            material: material.get_untracked(),
            note: (!text.trim().is_empty()).then_some(text),
        }
    };
    let saving = use_save(draft, move |draft| {
        actions::save_activity(ctx, editing, draft)
    });
    let has_venues = ctx
        .taxonomy
        .with_untracked(|t| t.active(ListKind::Venues).next().is_some());
    let has_sites = ctx
        .taxonomy
        .with_untracked(|t| t.active(ListKind::Sites).next().is_some());

    view! {
        <form class="activity-form" on:submit=move |ev| saving.submit.run(ev) novalidate>
            <h1>{move || if editing.is_some() { ctx.t().edit_activity } else { ctx.t().new_activity }}</h1>
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
            <FormActions saving=saving editing=editing />
        </form>
    }
}
