//! « Listes »: the lists coordinators keep — venues (by milieu), web sites (by platform),
//! partners and program groups — through `POST /api/v1/taxonomy/lists/{list}`.
//!
//! Add, rename, retire, restore; a group's programs. A code is never removed (records
//! and phones not yet synced use it): « Supprimer » asks the server anyway and shows its
//! refusal in plain words, with what to do instead. Each change is the next taxonomy
//! version, in force at once on the server; phones get it at their next sync.

use carnet_core::lists::{EditableList, ListEdit};
use carnet_core::wire::{ErrorCode, ListEditRequest};
use carnet_core::{Entry, ListKind, Taxonomy};
use leptos::prelude::*;

use crate::api;
use crate::api::ClientError;
use crate::coordination::scope::CheckChips;
use crate::coordination::texts::{CoordTexts, texts};
use crate::i18n::Lang;
use crate::state::{use_ctx, use_open};
use crate::taxonomy_cache;

/// One row of a list, whatever the list.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Row {
    code: String,
    fr: String,
    en: String,
    /// Venue: its milieu; site: its platform; group: its programs (codes).
    attribute: Vec<String>,
    retired: bool,
}

fn rows(t: &Taxonomy, list: EditableList) -> Vec<Row> {
    let entry_row = |e: &Entry, attribute: Option<&String>| Row {
        code: e.code.clone(),
        fr: e.fr.clone(),
        en: e.en.clone(),
        attribute: attribute.cloned().into_iter().collect(),
        retired: e.retired,
    };
    let mut out: Vec<Row> = match list {
        EditableList::Venues => t
            .venues
            .iter()
            .map(|e| entry_row(e, e.milieu.as_ref()))
            .collect(),
        EditableList::Sites => t
            .sites
            .iter()
            .map(|e| entry_row(e, e.platform.as_ref()))
            .collect(),
        EditableList::Partners => t.partners.iter().map(|e| entry_row(e, None)).collect(),
        EditableList::ProgramGroups => t
            .program_groups
            .iter()
            .map(|g| Row {
                code: g.code.clone(),
                fr: g.fr.clone(),
                en: g.en.clone(),
                attribute: g.programs.clone(),
                retired: g.retired,
            })
            .collect(),
    };
    // Venues by milieu, sites by platform, each in the order of its list.
    let rank = |kind: ListKind, code: Option<&String>| {
        code.and_then(|c| t.list(kind).iter().position(|e| &e.code == c))
            .unwrap_or(usize::MAX)
    };
    match list {
        EditableList::Venues => out.sort_by_key(|r| rank(ListKind::Milieux, r.attribute.first())),
        EditableList::Sites => out.sort_by_key(|r| rank(ListKind::Platforms, r.attribute.first())),
        _ => {}
    }
    out
}

/// The list the attribute's codes come from, and its column's head.
fn attribute_of(list: EditableList, lang: Lang) -> Option<(ListKind, &'static str)> {
    let t = texts(lang);
    match list {
        EditableList::Venues => Some((ListKind::Milieux, t.milieu)),
        EditableList::Sites => Some((ListKind::Platforms, t.platform)),
        EditableList::ProgramGroups => Some((ListKind::Programs, t.programs_of_group)),
        EditableList::Partners => None,
    }
}

fn list_name(list: EditableList, lang: Lang) -> &'static str {
    let t = texts(lang);
    match list {
        EditableList::Venues => t.list_venues,
        EditableList::Sites => t.list_sites,
        EditableList::Partners => t.list_partners,
        EditableList::ProgramGroups => t.list_groups,
    }
}

/// The outcome of the last change, for the one line under the title.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Said {
    Done(String),
    Refused(String),
}

/// The edits, and the name of the entry they are about (for the refusal's words).
type Edit = (Vec<ListEdit>, String);

/// Sends `edit` unless another is under way (a form submitted with Enter skips the
/// disabled button).
fn send(action: Action<Edit, Said>, edit: Edit) {
    if !action.pending().get_untracked() {
        action.dispatch(edit);
    }
}

#[component]
pub fn Lists() -> impl IntoView {
    let ctx = use_ctx();
    let list = RwSignal::new(EditableList::Venues);
    let editing = RwSignal::new(None::<String>);
    let open = use_open();

    // The lists as the server has them now (another coordinator may have changed them).
    let reload = Action::new_local(move |_: &()| async move {
        if let Some(fresh) = api::get_taxonomy().await {
            taxonomy_cache::save(&fresh);
            ctx.taxonomy.set(fresh);
        }
    });
    reload.dispatch(());

    let edit = Action::new_local(move |(edits, entry): &Edit| {
        let token = open.token().unwrap_or_default();
        let request = ListEditRequest {
            base_version: Some(ctx.taxonomy.with_untracked(|t| t.version)),
            edits: edits.clone(),
        };
        let (key, entry) = (list.get_untracked().key(), entry.clone());
        async move {
            let t = texts(ctx.lang());
            match api::edit_list(&token, key, &request).await {
                Ok(answer) => {
                    let version = answer.taxonomy.version;
                    taxonomy_cache::save(&answer.taxonomy);
                    ctx.taxonomy.set(answer.taxonomy);
                    editing.set(None);
                    Said::Done(if answer.changed {
                        t.list_saved(version)
                    } else {
                        t.list_unchanged.to_owned()
                    })
                }
                Err(e) => {
                    if e.code() == Some(ErrorCode::TaxonomyChanged) {
                        reload.dispatch(());
                    }
                    Said::Refused(t.list_error(&e, &entry))
                }
            }
        }
    });

    let tab = move |target: EditableList| {
        view! {
            <button
                type="button"
                class="tab"
                aria-pressed=move || (list.get() == target).to_string()
                on:click=move |_| {
                    list.set(target);
                    editing.set(None);
                    edit.value().set(None);
                }
            >
                {move || list_name(target, ctx.lang())}
            </button>
        }
    };
    // Keyed by what a row shows: an edit redraws only the rows it changed.
    let shown_rows = move || {
        let current = list.get();
        ctx.taxonomy
            .with(|tx| rows(tx, current))
            .into_iter()
            .map(move |row| (current.key(), row))
            .collect::<Vec<_>>()
    };
    let attribute_head = move || {
        attribute_of(list.get(), ctx.lang()).map(|(_, head)| view! { <th scope="col">{head}</th> })
    };
    let t = move || texts(ctx.lang());

    view! {
        <section class="lists" aria-labelledby="lists-title">
            <h1 id="lists-title">{move || t().lists}</h1>
            <p class="help">{move || t().lists_help}</p>
            <div class="tabs" role="group" aria-label=move || t().lists>
                {tab(EditableList::Venues)}
                {tab(EditableList::Sites)}
                {tab(EditableList::Partners)}
                {tab(EditableList::ProgramGroups)}
            </div>
            <p class="muted" data-testid="taxonomy-version">
                {move || t().lists_version(ctx.taxonomy.with(|t| t.version))}
            </p>
            {move || {
                edit.value().get()
                    .map(|s| match s {
                        Said::Done(m) => view! { <p class="flash list-status" role="status" data-testid="list-message">{m}</p> }.into_any(),
                        Said::Refused(m) => view! { <p class="flash error list-status" role="alert" data-testid="list-message">{m}</p> }.into_any(),
                    })
            }}
            <div class="table-scroll">
                <table class="grid lists" data-testid="list-table">
                    <caption>{move || list_name(list.get(), ctx.lang())}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{move || t().name_fr}</th>
                            <th scope="col">{move || t().name_en}</th>
                            {attribute_head}
                            <th scope="col">{move || t().state}</th>
                            <th scope="col">{move || t().actions}</th>
                        </tr>
                    </thead>
                    <tbody>
                        <For each=shown_rows key=|row| row.clone() let:((_, row))>
                            <EntryRow row=row list=list.get_untracked() editing=editing edit=edit />
                        </For>
                    </tbody>
                </table>
            </div>
            {move || {
                ctx.taxonomy
                    .with(|tx| rows(tx, list.get()).is_empty())
                    .then(|| view! { <p class="muted">{t().list_empty}</p> })
            }}
            {move || view! { <AddForm list=list.get() edit=edit /> }}
        </section>
    }
}

/// One entry: its labels and attribute, its state, and what can be done to it.
#[component]
fn EntryRow(
    row: Row,
    list: EditableList,
    editing: RwSignal<Option<String>>,
    edit: Action<Edit, Said>,
) -> impl IntoView {
    let busy = edit.pending();
    let ctx = use_ctx();
    let code = row.code.clone();
    let is_editing = {
        let code = code.clone();
        move || editing.with(|e| e.as_deref() == Some(code.as_str()))
    };
    let fr = RwSignal::new(row.fr.clone());
    let en = RwSignal::new(row.en.clone());
    let programs = RwSignal::new(row.attribute.clone());
    let label = row.fr.clone();
    let codes = row.attribute.clone();
    let attribute = move || {
        attribute_of(list, ctx.lang()).map(|(kind, head)| {
            let names: Vec<String> = codes.iter().map(|c| ctx.label(kind, c)).collect();
            view! { <td data-label=head>{names.join(", ")}</td> }
        })
    };
    let save = {
        let (code, old_fr, old_en, old_programs) = (
            code.clone(),
            row.fr.clone(),
            row.en.clone(),
            row.attribute.clone(),
        );
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let (new_fr, new_en) = (
                fr.get_untracked().trim().to_owned(),
                en.get_untracked().trim().to_owned(),
            );
            let mut edits = Vec::new();
            if new_fr != old_fr || new_en != old_en {
                edits.push(ListEdit::Rename {
                    code: code.clone(),
                    fr: (new_fr != old_fr).then_some(new_fr),
                    en: (new_en != old_en).then_some(new_en),
                });
            }
            let ticked = programs.get_untracked();
            if list == EditableList::ProgramGroups && ticked != old_programs {
                edits.push(ListEdit::SetPrograms {
                    code: code.clone(),
                    programs: ticked,
                });
            }
            if edits.is_empty() {
                editing.set(None);
            } else {
                send(edit, (edits, old_fr.clone()));
            }
        }
    };
    let actions = {
        let (code, label) = (code.clone(), label.clone());
        move || {
            let t = texts(ctx.lang());
            let named = |verb: &str| format!("{verb} — {label}");
            let (c1, c2, c3) = (code.clone(), code.clone(), code.clone());
            let (l2, l3) = (label.clone(), label.clone());
            let retire_or_restore = if row.retired {
                view! {
                    <button type="button" aria-label=named(t.restore) disabled=move || busy.get()
                        on:click=move |_| send(edit, (vec![ListEdit::Restore { code: c2.clone() }], l2.clone()))>
                        {t.restore}
                    </button>
                }
                .into_any()
            } else {
                view! {
                    <button type="button" aria-label=named(t.retire) disabled=move || busy.get()
                        on:click=move |_| send(edit, (vec![ListEdit::Retire { code: c2.clone() }], l2.clone()))>
                        {t.retire}
                    </button>
                }
                .into_any()
            };
            view! {
                <div class="row-actions">
                    <button type="button" aria-label=named(t.edit) on:click=move |_| editing.set(Some(c1.clone()))>
                        {t.edit}
                    </button>
                    {retire_or_restore}
                    <button type="button" class="danger" aria-label=named(t.delete) disabled=move || busy.get()
                        on:click=move |_| send(edit, (vec![ListEdit::Remove { code: c3.clone() }], l3.clone()))>
                        {t.delete}
                    </button>
                </div>
            }
        }
    };
    let form = move || {
        let t = texts(ctx.lang());
        let program_items: Vec<(String, String)> = ctx.taxonomy.with(|tx| {
            tx.programs
                .iter()
                .filter(|e| !e.retired || programs.with_untracked(|p| p.contains(&e.code)))
                .map(|e| (e.code.clone(), ctx.lang().label(e)))
                .collect()
        });
        view! {
            <form class="inline-edit" on:submit=save.clone()>
                <div class="field">
                    <label for="edit-fr">{t.name_fr}</label>
                    <input id="edit-fr" type="text" bind:value=fr />
                </div>
                <div class="field">
                    <label for="edit-en">{t.name_en}</label>
                    <input id="edit-en" type="text" bind:value=en />
                </div>
                {(list == EditableList::ProgramGroups).then(|| view! {
                    <CheckChips
                        name="edit-programs"
                        legend=Signal::derive(move || texts(ctx.lang()).programs_of_group.to_owned())
                        items=program_items
                        selected=programs
                    />
                })}
                <div class="row-actions">
                    <button type="submit" class="primary" disabled=move || busy.get()>{t.save_changes}</button>
                    <button type="button" on:click=move |_| editing.set(None)>{ctx.t().cancel}</button>
                </div>
            </form>
        }
    };
    let state = move || {
        let t = texts(ctx.lang());
        if row.retired { t.retired } else { t.active }
    };
    let columns = if attribute_of(list, Lang::Fr).is_some() {
        5
    } else {
        4
    };
    view! {
        <tr class:retired=row.retired data-code=code.clone()>
            <th scope="row">{row.fr.clone()}</th>
            <td data-label=move || texts(ctx.lang()).name_en>{row.en.clone()}</td>
            {attribute}
            <td data-label=move || texts(ctx.lang()).state>{state}</td>
            <td class="actions-cell">{actions}</td>
        </tr>
        <Show when=is_editing.clone()>
            <tr class="editing">
                <td colspan=columns.to_string()>{form.clone()}</td>
            </tr>
        </Show>
    }
}

/// « Ajouter »: a new entry (its code is made from the French name by the server).
#[component]
fn AddForm(list: EditableList, edit: Action<Edit, Said>) -> impl IntoView {
    let busy = edit.pending();
    let ctx = use_ctx();
    let fr = RwSignal::new(String::new());
    let en = RwSignal::new(String::new());
    // After a change went through, the form is ready for the next entry; after a refusal
    // it keeps what was typed.
    let seen = edit.version().get_untracked();
    Effect::new(move |_| {
        if edit.version().get() != seen
            && edit
                .value()
                .with_untracked(|s| matches!(s, Some(Said::Done(_))))
        {
            fr.set(String::new());
            en.set(String::new());
        }
    });
    let attribute = RwSignal::new(String::new());
    let programs = RwSignal::new(Vec::<String>::new());
    let missing = RwSignal::new(None::<&'static str>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let t = texts(ctx.lang());
        let (name, english, attr) = (
            fr.get_untracked().trim().to_owned(),
            en.get_untracked().trim().to_owned(),
            attribute.get_untracked(),
        );
        let ticked = programs.get_untracked();
        let problem = if name.is_empty() {
            Some(t.name_required)
        } else if list == EditableList::Sites && attr.is_empty() {
            Some(t.platform_required)
        } else if list == EditableList::ProgramGroups && ticked.is_empty() {
            Some(t.programs_required)
        } else {
            None
        };
        missing.set(problem);
        if problem.is_some() {
            return;
        }
        let attr = (!attr.is_empty()).then_some(attr);
        send(
            edit,
            (
                vec![ListEdit::Add {
                    code: None,
                    fr: name.clone(),
                    en: (!english.is_empty()).then_some(english),
                    milieu: if list == EditableList::Venues {
                        attr.clone()
                    } else {
                        None
                    },
                    platform: if list == EditableList::Sites {
                        attr
                    } else {
                        None
                    },
                    programs: if list == EditableList::ProgramGroups {
                        ticked
                    } else {
                        Vec::new()
                    },
                }],
                name,
            ),
        );
    };
    let choice = move || {
        let t = texts(ctx.lang());
        let (kind, head, optional) = match list {
            EditableList::Venues => (ListKind::Milieux, t.milieu, true),
            EditableList::Sites => (ListKind::Platforms, t.platform, false),
            _ => return None,
        };
        let options = ctx.taxonomy.with(|tx| {
            tx.active(kind)
                .map(|e| (e.code.clone(), ctx.lang().label(e)))
                .collect::<Vec<_>>()
        });
        Some(view! {
            <div class="field">
                <label for="add-attribute">{head}</label>
                <select id="add-attribute" on:change=move |ev| attribute.set(event_target_value(&ev))>
                    <option value="" selected=move || attribute.with(|a| a.is_empty())>
                        {if optional { t.none_choice } else { t.choose }}
                    </option>
                    {options
                        .into_iter()
                        .map(|(code, label)| {
                            let c = code.clone();
                            view! { <option value=code selected=move || attribute.with(|a| *a == c)>{label}</option> }
                        })
                        .collect_view()}
                </select>
            </div>
        })
    };
    let groups = move || {
        (list == EditableList::ProgramGroups).then(|| {
            let items: Vec<(String, String)> = ctx.taxonomy.with(|tx| {
                tx.active(ListKind::Programs)
                    .map(|e| (e.code.clone(), ctx.lang().label(e)))
                    .collect()
            });
            view! {
                <CheckChips
                    name="add-programs"
                    legend=Signal::derive(move || texts(ctx.lang()).programs_of_group.to_owned())
                    items=items
                    selected=programs
                />
            }
        })
    };
    view! {
        <form class="add-entry card" on:submit=submit aria-labelledby="add-title">
            <h2 id="add-title">{move || texts(ctx.lang()).add_to(list_name(list, ctx.lang()))}</h2>
            <div class="field">
                <label for="add-fr">{move || texts(ctx.lang()).name_fr}</label>
                <input id="add-fr" type="text" bind:value=fr />
            </div>
            <div class="field">
                <label for="add-en">{move || texts(ctx.lang()).name_en_optional}</label>
                <input id="add-en" type="text" bind:value=en />
            </div>
            {choice}
            {groups}
            {move || missing.get().map(|m| view! { <p class="flash error" role="alert">{m}</p> })}
            <button type="submit" class="primary" disabled=move || busy.get()>{move || texts(ctx.lang()).add}</button>
        </form>
    }
}

/// The words of a refused list edit live with the lists, not with the other strings: they
/// read the refusal's details, which only this screen knows.
impl CoordTexts {
    /// A list edit about `entry` the server refused, in plain words and with what to do
    /// instead.
    pub fn list_error(&self, e: &ClientError, entry: &str) -> String {
        if let Some(common) = self.common_error(e) {
            return common;
        }
        let ClientError::Refused(refusal) = e else {
            return self.server_failed.to_owned();
        };
        match refusal.error {
            ErrorCode::CodeKept => match refusal.uses {
                Some(n) if self.fr() => format!(
                    "«\u{a0}{entry}\u{a0}» sert dans {} enregistrement{}. {}",
                    self.lang.count(n),
                    if n > 1 { "s" } else { "" },
                    self.code_kept
                ),
                Some(n) => format!(
                    "“{entry}” is used by {} record{}. {}",
                    self.lang.count(n),
                    if n > 1 { "s" } else { "" },
                    self.code_kept
                ),
                None => self.code_kept.to_owned(),
            },
            ErrorCode::CodeExists if self.fr() => {
                format!("«\u{a0}{entry}\u{a0}»\u{a0}: {}", self.code_exists)
            }
            ErrorCode::CodeExists => format!("“{entry}”: {}", self.code_exists),
            ErrorCode::TaxonomyChanged => self.taxonomy_changed.to_owned(),
            ErrorCode::UnknownProgram => self.unknown_program.to_owned(),
            ErrorCode::UnknownCode => self.unknown_code.to_owned(),
            ErrorCode::InvalidListEdit => self.invalid_list_edit.to_owned(),
            _ => self.server_failed.to_owned(),
        }
    }
}
