//! « Nouveau contact »: the choices of one record, saved to the device before we confirm.

use std::collections::BTreeMap;

use carnet_core::{ContactDraft, ListKind, SyncState};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::app::{Screen, use_ctx};
use crate::platform;
use crate::storage::LocalRecord;
use crate::text;
use crate::ui::widgets::{ChoiceGroup, Counter, MultiChoiceGroup};

#[component]
pub fn ContactForm() -> impl IntoView {
    let ctx = use_ctx();
    // The program and the milieu rarely change within a shift: start from the last record.
    let last = ctx.records.with_untracked(|r| {
        r.iter()
            .max_by_key(|x| x.contact.occurred_at)
            .map(|x| (x.contact.program.clone(), x.contact.milieu.clone()))
    });
    let program = RwSignal::new(last.as_ref().map(|l| l.0.clone()));
    let milieu = RwSignal::new(last.map(|l| l.1));
    let age_group = RwSignal::new(None::<String>);
    let gender = RwSignal::new(None::<String>);
    let realities = RwSignal::new(Vec::<String>::new());
    let material = RwSignal::new(BTreeMap::<String, u32>::new());
    let errors = RwSignal::new(Vec::<String>::new());
    let saving = RwSignal::new(false);

    let entries = move |kind: ListKind| {
        ctx.taxonomy
            .with_value(|t| t.active(kind).cloned().collect::<Vec<_>>())
    };

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if saving.get_untracked() || ctx.loaded.get_untracked() != Some(true) {
            return;
        }
        let draft = ContactDraft {
            program: program.get_untracked(),
            milieu: milieu.get_untracked(),
            age_group: age_group.get_untracked(),
            gender: gender.get_untracked(),
            realities: realities.get_untracked(),
            material: material.get_untracked(),
        };
        let finished = ctx
            .taxonomy
            .with_value(|t| draft.finish(platform::random_uuid(), platform::now(), t));
        let contact = match finished {
            Ok(contact) => contact,
            Err(err) => {
                errors.set(err.errors.iter().map(text::field_error).collect());
                return;
            }
        };
        errors.set(Vec::new());
        saving.set(true);
        let record = LocalRecord {
            contact,
            sync: SyncState::Pending,
        };
        spawn_local(async move {
            // Only once IndexedDB has committed do we tell the worker it is saved.
            match ctx.store().add(&record).await {
                Ok(()) => {
                    ctx.records.update(|r| r.push(record));
                    ctx.flash.set(Some(text::SAVED.into()));
                    ctx.go(Screen::Today);
                }
                Err(err) => {
                    leptos::logging::warn!("carnet: save failed: {err}");
                    errors.set(vec![text::SAVE_FAILED.into()]);
                    saving.set(false);
                }
            }
        });
    };

    let material_counters = entries(ListKind::Materials)
        .into_iter()
        .map(|entry| view! { <Counter entry=entry counts=material /> })
        .collect_view();

    view! {
        <form class="contact-form" on:submit=submit novalidate>
            <h1>{text::NEW_CONTACT}</h1>
            <ChoiceGroup
                legend=text::PROGRAM
                name="program"
                entries=entries(ListKind::Programs)
                selected=program
            />
            <ChoiceGroup
                legend=text::MILIEU
                name="milieu"
                entries=entries(ListKind::Milieux)
                selected=milieu
            />
            <ChoiceGroup
                legend=text::AGE_GROUP
                name="age_group"
                entries=entries(ListKind::AgeGroups)
                selected=age_group
            />
            <ChoiceGroup
                legend=text::GENDER
                name="gender"
                entries=entries(ListKind::Genders)
                selected=gender
            />
            <MultiChoiceGroup
                legend=text::REALITIES
                name="realities"
                entries=entries(ListKind::Realities)
                selected=realities
            />
            <fieldset class="group">
                <legend>{text::MATERIAL}</legend>
                {material_counters}
            </fieldset>
            // Inside the sticky action bar: seen right where « Enregistrer » was tapped.
            <div class="form-actions">
                <Show when=move || errors.with(|e| !e.is_empty())>
                    <div class="errors" role="alert">
                        <p>{text::FIX_ERRORS}</p>
                        <ul>
                            {move || {
                                errors.get().into_iter().map(|e| view! { <li>{e}</li> }).collect_view()
                            }}
                        </ul>
                    </div>
                </Show>
                <button type="button" class="secondary" on:click=move |_| ctx.go(Screen::Today)>
                    {text::CANCEL}
                </button>
                <button type="submit" class="primary" disabled=move || saving.get()>
                    {move || if saving.get() { text::SAVING } else { text::SAVE }}
                </button>
            </div>
        </form>
    }
}
