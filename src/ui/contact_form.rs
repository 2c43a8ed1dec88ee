//! « Nouveau contact » / « Modifier le contact »: the choices of one record.
//! The common fields come first; the rest sits under « Plus de détails ». On the desk
//! (`ui::desk`) the web fields (mode, platform, direction) and the person's code move up
//! beside the others, and the next form keeps the last contact's mode and platform: the
//! web worker logs one exchange after another.

use carnet_core::{ContactDraft, Direction, ListKind};
use leptos::prelude::*;
use uuid::Uuid;

use crate::actions;
use crate::draft::{self, FormDraft};
use crate::state::{use_ctx, use_open, wide};
use crate::ui::record_form::{FormActions, MaterialCounters, NoteField, keep_draft, use_save};
use crate::ui::widgets::{ChipGroup, ChoiceGroup, MultiChoiceGroup, RadioChip};

/// The form's state: one signal per field of the draft.
#[derive(Clone, Copy)]
struct Fields {
    program: RwSignal<Option<String>>,
    milieu: RwSignal<Option<String>>,
    venue: RwSignal<Option<String>>,
    mode: RwSignal<Option<String>>,
    platform: RwSignal<Option<String>>,
    direction: RwSignal<Option<Direction>>,
    age_group: RwSignal<Option<String>>,
    gender: RwSignal<Option<String>>,
    status: RwSignal<Option<String>>,
    occupation: RwSignal<Option<String>>,
    first_contact: RwSignal<bool>,
    person_code: RwSignal<Option<String>>,
    realities: RwSignal<Vec<String>>,
    intervention_types: RwSignal<Vec<String>>,
    material: RwSignal<std::collections::BTreeMap<String, u32>>,
    referrals: RwSignal<Vec<String>>,
    note: RwSignal<String>,
}

impl Fields {
    fn new(d: ContactDraft) -> Self {
        Fields {
            program: RwSignal::new(d.program),
            milieu: RwSignal::new(d.milieu),
            venue: RwSignal::new(d.venue),
            mode: RwSignal::new(d.mode),
            platform: RwSignal::new(d.platform),
            direction: RwSignal::new(d.direction),
            age_group: RwSignal::new(d.age_group),
            gender: RwSignal::new(d.gender),
            status: RwSignal::new(d.status),
            occupation: RwSignal::new(d.occupation),
            first_contact: RwSignal::new(d.first_contact),
            person_code: RwSignal::new(d.person_code),
            realities: RwSignal::new(d.realities),
            intervention_types: RwSignal::new(d.intervention_types),
            material: RwSignal::new(d.material),
            referrals: RwSignal::new(d.referrals),
            note: RwSignal::new(d.note.unwrap_or_default()),
        }
    }

    /// The draft, tracked: read in an effect, it runs again at every change.
    fn draft(&self) -> ContactDraft {
        let note = self.note.get();
        ContactDraft {
            program: self.program.get(),
            milieu: self.milieu.get(),
            venue: self.venue.get(),
            mode: self.mode.get(),
            platform: self.platform.get(),
            direction: self.direction.get(),
            age_group: self.age_group.get(),
            gender: self.gender.get(),
            status: self.status.get(),
            occupation: self.occupation.get(),
            first_contact: self.first_contact.get(),
            person_code: self.person_code.get(),
            realities: self.realities.get(),
            intervention_types: self.intervention_types.get(),
            material: self.material.get(),
            referrals: self.referrals.get(),
            note: (!note.trim().is_empty()).then_some(note),
        }
    }
}

#[component]
pub fn ContactForm(editing: Option<Uuid>) -> impl IntoView {
    let ctx = use_ctx();
    let book = use_open().book;
    let on_desk = wide().get_untracked();
    let existing = editing.and_then(|id| {
        book.with_untracked(|b| b.get(id).and_then(|x| x.record.as_contact().cloned()))
    });
    let start = match (draft::take_reopened(), &existing) {
        (Some(FormDraft::Contact { editing: e, draft }), _) if e == editing => draft,
        (_, Some(contact)) => ContactDraft::from(contact),
        _ => ctx
            .prefill
            .try_update(Option::take)
            .flatten()
            .unwrap_or_else(|| {
                // The program and the milieu rarely change within a shift: start from the
                // last record (on the desk, its mode and platform too).
                let last = book
                    .with_untracked(|b| {
                        b.latest()
                            .and_then(|r| r.as_contact())
                            .map(ContactDraft::from)
                    })
                    .unwrap_or_default();
                let keep = on_desk && last.mode.is_some();
                ContactDraft {
                    program: last.program,
                    milieu: last.milieu,
                    mode: if keep {
                        last.mode
                    } else {
                        Some("en_personne".into())
                    },
                    platform: if keep { last.platform } else { None },
                    ..ContactDraft::default()
                }
            }),
    };
    let has_code = start.person_code.is_some();
    let first_field = first_field(&start);
    let fields = Fields::new(start);
    let alias = RwSignal::new(String::new());
    let saving = use_save(
        move || (fields.draft(), alias.get_untracked()),
        move |(draft, alias)| actions::save_contact(ctx, editing, draft, alias),
    );
    keep_draft(
        move || FormDraft::Contact {
            editing,
            draft: fields.draft(),
        },
        on_desk.then_some(first_field),
    );
    let wide = RwSignal::from(wide());
    let has_venues = ctx
        .taxonomy
        .with_untracked(|t| t.active(ListKind::Venues).next().is_some());

    let direction_chips = move || {
        let t = ctx.t();
        [
            (None, t.none_choice),
            (Some(Direction::Sent), t.dir_sent),
            (Some(Direction::Received), t.dir_received),
        ]
        .into_iter()
        .map(|(value, label)| {
            view! {
                <RadioChip
                    name="direction"
                    label=Signal::stored(label.to_owned())
                    checked=Signal::derive(move || fields.direction.get() == value)
                    on_select=Callback::new(move |()| fields.direction.set(value))
                />
            }
        })
        .collect_view()
    };

    let web_fields = move || {
        view! {
            <ChoiceGroup legend=|t| t.mode name="mode" kind=ListKind::Modes selected=fields.mode />
            <ChoiceGroup
                legend=|t| t.platform
                name="platform"
                kind=ListKind::Platforms
                selected=fields.platform
                optional=true
            />
            <ChipGroup legend=|t| t.direction>{direction_chips}</ChipGroup>
        }
    };
    let person_fields = move || {
        view! {
            <div class="person">
                <label class="check">
                    <input
                        type="checkbox"
                        prop:checked=move || fields.first_contact.get()
                        on:change=move |ev| fields.first_contact.set(event_target_checked(&ev))
                    />
                    <span>{move || ctx.t().first_contact}</span>
                </label>
                <div class="field">
                    <label for="alias">{move || ctx.t().person_alias}</label>
                    <input
                        id="alias"
                        type="text"
                        autocomplete="off"
                        autocapitalize="off"
                        spellcheck="false"
                        prop:value=move || alias.get()
                        on:input=move |ev| alias.set(event_target_value(&ev))
                    />
                    <p class="help">
                        {move || if has_code { ctx.t().person_code_kept } else { ctx.t().person_alias_help }}
                    </p>
                </div>
            </div>
        }
    };

    view! {
        <form class="record contact-form" on:submit=move |ev| saving.submit.run(ev) novalidate>
            <h1>{move || if editing.is_some() { ctx.t().edit_contact } else { ctx.t().new_contact }}</h1>
            // The choices: on the desk, the panel that scrolls above the bar of actions.
            <div class="fields">
                <ChoiceGroup legend=|t| t.program name="program" kind=ListKind::Programs selected=fields.program />
                <ChoiceGroup legend=|t| t.milieu name="milieu" kind=ListKind::Milieux selected=fields.milieu />
                {move || wide.get().then(web_fields)}
                <ChoiceGroup legend=|t| t.age_group name="age_group" kind=ListKind::AgeGroups selected=fields.age_group />
                <ChoiceGroup legend=|t| t.gender name="gender" kind=ListKind::Genders selected=fields.gender />
                {move || wide.get().then(person_fields)}
                <MultiChoiceGroup legend=|t| t.realities name="realities" kind=ListKind::Realities selected=fields.realities />
                <MultiChoiceGroup
                    legend=|t| t.intervention_types
                    name="intervention_types"
                    kind=ListKind::InterventionTypes
                    selected=fields.intervention_types
                />
                <MaterialCounters counts=fields.material />
                <details class="more">
                    <summary>{move || ctx.t().more_details}</summary>
                    {move || (!wide.get()).then(web_fields)}
                    <ChoiceGroup legend=|t| t.status name="status" kind=ListKind::Statuses selected=fields.status optional=true />
                    <ChoiceGroup
                        legend=|t| t.occupation
                        name="occupation"
                        kind=ListKind::Occupations
                        selected=fields.occupation
                        optional=true
                    />
                    <Show when=move || has_venues>
                        <ChoiceGroup legend=|t| t.venue name="venue" kind=ListKind::Venues selected=fields.venue optional=true />
                    </Show>
                    {move || (!wide.get()).then(person_fields)}
                    <MultiChoiceGroup legend=|t| t.referrals name="referrals" kind=ListKind::Partners selected=fields.referrals />
                    <NoteField value=fields.note />
                </details>
            </div>
            <FormActions saving=saving editing=editing />
        </form>
    }
}

/// Where the next record starts: the first choice still to make, or, for a web exchange
/// whose choices are all made (a shortcut, the last exchange), its direction.
fn first_field(d: &ContactDraft) -> &'static str {
    let web = d.platform.is_some();
    if d.program.is_none() {
        "program"
    } else if d.milieu.is_none() {
        "milieu"
    } else if web && d.direction.is_none() {
        "direction"
    } else if d.age_group.is_none() {
        "age_group"
    } else if d.gender.is_none() {
        "gender"
    } else if d.realities.is_empty() {
        "realities"
    } else if web {
        "direction"
    } else {
        "program"
    }
}
