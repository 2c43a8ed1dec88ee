//! What the two record forms (`contact_form`, `activity_form`) share: saving a draft from
//! « Enregistrer », keeping the draft sealed while it is filled, the material counters,
//! the note, and the sticky bar of actions.

use std::future::Future;

use carnet_core::ListKind;
use leptos::prelude::*;

use crate::draft::{self, FormDraft};
use crate::state::{use_ctx, use_open};
use crate::ui::effect::effect;
use crate::ui::keys::focus_group;
use crate::ui::task::Task;
use crate::ui::widgets::Counter;

/// A record form's saving, from [`use_save`].
#[derive(Clone, Copy)]
pub struct Saving {
    /// The problems the last save answered, shown in the form's bar.
    pub errors: RwSignal<Vec<String>>,
    /// A save is under way.
    pub pending: Memo<bool>,
    /// The form's `submit` handler.
    pub submit: Callback<leptos::ev::SubmitEvent>,
}

/// Saves `draft()` (read when « Enregistrer » is tapped) through `save`, once: a second tap
/// while it saves does nothing. The save's problems land in [`Saving::errors`].
///
/// ```ignore
/// let saving = use_save(move || fields.draft(), move |draft| actions::save_activity(ctx, editing, draft));
/// view! { <form on:submit=move |ev| saving.submit.run(ev)> … <FormActions saving=saving editing=editing /> </form> }
/// ```
pub fn use_save<D, Fut>(
    draft: impl Fn() -> D + Send + Sync + 'static,
    save: impl Fn(D) -> Fut + 'static,
) -> Saving
where
    D: Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<(), Vec<String>>> + 'static,
{
    let errors = RwSignal::new(Vec::new());
    let action = Task::new(move |draft: &D| save(draft.clone()));
    effect(move |_| {
        if let Some(Err(messages)) = action.value().get() {
            errors.set(messages);
        }
    });
    let pending = action.pending();
    let submit = Callback::new(move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !pending.get_untracked() {
            action.dispatch(untrack(&draft));
        }
    });
    Saving {
        errors,
        pending,
        submit,
    }
}

/// Keeps the form being filled sealed (`form_draft`, read again at each change) so that
/// locking never loses it, and forgets it when the form is left while unlocked. On the
/// desk, `focus` names the group where the next record starts.
pub fn keep_draft(form_draft: impl Fn() -> FormDraft + 'static, focus: Option<&'static str>) {
    let ctx = use_ctx();
    let profile = use_open().id();
    effect(move |seen: Option<()>| {
        let current = form_draft();
        if seen.is_some() {
            draft::keep(profile, &current);
        }
    });
    on_cleanup(move || {
        // Locked: the draft stays, sealed, for the next unlock.
        if ctx.open.with_untracked(Option::is_some) {
            draft::discard(profile);
        }
    });
    if let Some(name) = focus {
        // Once the form is on screen.
        leptos::task::spawn_local(async move { focus_group(name) });
    }
}

/// « Matériel remis »: a counter for each material on offer.
#[component]
pub fn MaterialCounters(
    counts: RwSignal<std::collections::BTreeMap<String, u32>>,
) -> impl IntoView {
    let ctx = use_ctx();
    let counters = move || {
        ctx.taxonomy
            .with(|t| t.active(ListKind::Materials).cloned().collect::<Vec<_>>())
            .into_iter()
            .map(|entry| view! { <Counter entry=entry counts=counts /> })
            .collect_view()
    };
    view! {
        <fieldset class="group">
            <legend>{move || ctx.t().material}</legend>
            {counters}
        </fieldset>
    }
}

/// The free-text note, with the reminder of what it must never hold.
#[component]
pub fn NoteField(value: RwSignal<String>) -> impl IntoView {
    let ctx = use_ctx();
    view! {
        <div class="field">
            <label for="note">{move || ctx.t().note}</label>
            <textarea
                id="note"
                rows="3"
                maxlength=carnet_core::note::MAX_NOTE_CHARS.to_string()
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            ></textarea>
            <p class="help">{move || ctx.t().note_help}</p>
        </div>
    }
}

/// The sticky bar under a record form: the problems to fix (seen right where « Enregistrer »
/// was tapped), Annuler or Supprimer, and Enregistrer (the form's submit button).
#[component]
pub fn FormActions(saving: Saving, editing: Option<uuid::Uuid>) -> impl IntoView {
    let ctx = use_ctx();
    let errors = saving.errors;
    let remove = Task::new(move |id: &uuid::Uuid| {
        let id = *id;
        async move { crate::actions::delete_record(ctx, id).await }
    });
    effect(move |_| {
        if let Some(Err(messages)) = remove.value().get() {
            errors.set(messages);
        }
    });
    let saving = Signal::derive(move || saving.pending.get() || remove.pending().get());
    let delete = move |_| {
        if let Some(id) = editing
            && !remove.pending().get_untracked()
        {
            remove.dispatch(id);
        }
    };
    view! {
        <div class="form-actions">
            <Show when=move || errors.with(|e| !e.is_empty())>
                <div class="errors" role="alert">
                    <p>{move || ctx.t().fix_errors}</p>
                    <ul>
                        {move || errors.get().into_iter().map(|e| view! { <li>{e}</li> }).collect_view()}
                    </ul>
                </div>
            </Show>
            {move || {
                if editing.is_some() {
                    view! {
                        <button type="button" class="danger" disabled=move || saving.get() on:click=delete>
                            {ctx.t().delete}
                        </button>
                    }
                        .into_any()
                } else {
                    view! {
                        <button type="button" class="secondary" on:click=move |_| ctx.go(crate::state::Screen::Today)>
                            {ctx.t().cancel}
                        </button>
                    }
                        .into_any()
                }
            }}
            <button type="submit" class="primary" disabled=move || saving.get()>
                {move || if saving.get() { ctx.t().saving } else { ctx.t().save }}
            </button>
        </div>
    }
}
