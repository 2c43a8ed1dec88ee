//! Form controls sized for one thumb in a dark bar: big chips, big counter buttons.
//! Native radio and checkbox inputs underneath, so screen readers and tests see real
//! form controls with their labels in the worker's language.
//!
//! The phone's screens bind their inputs by hand (`prop:value` and `on:input`): Leptos's
//! `bind:value` would add about 2.7 kB brotli to the phone's module and 1.8 kB to the
//! start-up module. The coordinator's app, which has no such budget, uses `bind:`.

use std::collections::BTreeMap;

use carnet_core::{Entry, ListKind};
use chrono::NaiveDate;
use leptos::prelude::*;

use crate::i18n::Texts;
use crate::session::MIN_PIN_CHARS;
use crate::state::use_ctx;

/// The entries to offer: active ones, plus a retired one the record already uses.
fn offered(kind: ListKind, keep: &[String]) -> Vec<Entry> {
    let ctx = use_ctx();
    ctx.taxonomy.with(|t| {
        t.list(kind)
            .iter()
            .filter(|e| !e.retired || keep.contains(&e.code))
            .cloned()
            .collect()
    })
}

/// One choice drawn as a chip: a real radio input under its label, so screen readers and
/// tests see a labelled radio button.
#[component]
pub fn RadioChip(
    name: &'static str,
    label: Signal<String>,
    checked: Signal<bool>,
    on_select: Callback<()>,
    /// The label's language when it differs from the page's (« English » on a French page).
    #[prop(optional_no_strip)]
    lang: Option<&'static str>,
) -> impl IntoView {
    view! {
        <label class="chip">
            <input
                type="radio"
                name=name
                prop:checked=move || checked.get()
                on:change=move |_| on_select.run(())
            />
            <span lang=lang>{move || label.get()}</span>
        </label>
    }
}

/// A labelled date input bound to `value` (a date the browser cannot read is ignored).
#[component]
pub fn DateField(id: String, label: Signal<String>, value: RwSignal<NaiveDate>) -> impl IntoView {
    view! {
        <div class="field date">
            <label for=id.clone()>{move || label.get()}</label>
            <input
                id=id
                type="date"
                prop:value=move || value.get().to_string()
                on:change=move |ev| {
                    if let Some(day) = carnet_core::time::parse_date(&event_target_value(&ev)) {
                        value.set(day);
                    }
                }
            />
        </div>
    }
}

/// One code of a multiple choice drawn as a chip: a real checkbox under its label, which
/// adds `code` to `selected` or takes it out.
/// `tab_stop`: in a group of the phone's forms, whether this chip is the one Tab reaches
/// (the arrow keys move to the others, see `ui::keys`), as in a radio group.
#[component]
pub fn CheckChip(
    name: &'static str,
    code: String,
    label: String,
    selected: RwSignal<Vec<String>>,
    #[prop(optional)] tab_stop: Option<bool>,
) -> impl IntoView {
    let checked = {
        let code = code.clone();
        move || selected.with(|s| s.contains(&code))
    };
    view! {
        <label class="chip">
            <input
                type="checkbox"
                name=name
                value=code.clone()
                tabindex=tab_stop.map(|first| if first { "0" } else { "-1" })
                prop:checked=checked
                on:change=move |ev| {
                    let on = event_target_checked(&ev);
                    selected
                        .update(|s| {
                            s.retain(|c| c != &code);
                            if on {
                                s.push(code.clone());
                            }
                        });
                }
            />
            <span>{label}</span>
        </label>
    }
}

/// A group of chips under its legend, in the worker's language.
#[component]
pub fn ChipGroup(legend: fn(&Texts) -> &'static str, children: Children) -> impl IntoView {
    let ctx = use_ctx();
    view! {
        <fieldset class="group">
            <legend>{move || legend(ctx.t())}</legend>
            <div class="chips">{children()}</div>
        </fieldset>
    }
}

/// Pick one entry of a list (radio chips). `optional` adds a « — » chip to clear it.
#[component]
pub fn ChoiceGroup(
    legend: fn(&Texts) -> &'static str,
    name: &'static str,
    kind: ListKind,
    selected: RwSignal<Option<String>>,
    #[prop(optional)] optional: bool,
    /// The label of the « nothing chosen » chip (default « — »); setting it implies `optional`.
    #[prop(optional)]
    none_label: Option<fn(&Texts) -> &'static str>,
) -> impl IntoView {
    let ctx = use_ctx();
    let keep: Vec<String> = selected.get_untracked().into_iter().collect();
    let entries = offered(kind, &keep);
    let chips = move || {
        let lang = ctx.lang();
        let mut chips: Vec<(Option<String>, String)> = Vec::new();
        if optional || none_label.is_some() {
            let none = none_label.map_or(lang.t().none_choice, |f| f(lang.t()));
            chips.push((None, none.to_owned()));
        }
        chips.extend(
            entries
                .iter()
                .map(|e| (Some(e.code.clone()), lang.label(e))),
        );
        chips
            .into_iter()
            .map(|(code, label)| {
                let picked = code.clone();
                view! {
                    <RadioChip
                        name=name
                        label=Signal::stored(label)
                        checked=Signal::derive(move || selected.with(|s| *s == code))
                        on_select=Callback::new(move |()| selected.set(picked.clone()))
                    />
                }
            })
            .collect_view()
    };
    view! { <ChipGroup legend=legend>{chips}</ChipGroup> }
}

/// Pick any number of entries of a list (checkbox chips).
#[component]
pub fn MultiChoiceGroup(
    legend: fn(&Texts) -> &'static str,
    name: &'static str,
    kind: ListKind,
    selected: RwSignal<Vec<String>>,
) -> impl IntoView {
    let ctx = use_ctx();
    let entries = offered(kind, &selected.get_untracked());
    let chips = move || {
        let lang = ctx.lang();
        entries
            .iter()
            .enumerate()
            .map(|(i, entry)| {
                view! {
                    <CheckChip
                        name=name
                        code=entry.code.clone()
                        label=lang.label(entry)
                        selected=selected
                        tab_stop=i == 0
                    />
                }
            })
            .collect_view()
    };
    view! { <ChipGroup legend=legend>{chips}</ChipGroup> }
}

/// A PIN (or passphrase) field: its label, and a masked input with the digits keyboard.
#[component]
pub fn PinField(
    id: &'static str,
    label: fn(&Texts) -> &'static str,
    value: RwSignal<String>,
) -> impl IntoView {
    let ctx = use_ctx();
    view! {
        <label for=id>{move || label(ctx.t())}</label>
        <input
            id=id
            type="password"
            inputmode="numeric"
            autocomplete="off"
            prop:value=move || value.get()
            on:input=move |ev| value.set(event_target_value(&ev))
        />
    }
}

/// What is wrong with a new PIN typed twice, in the worker's words; `None` when it can be
/// set.
pub fn new_pin_problem(t: &Texts, pin: &str, again: &str) -> Option<&'static str> {
    if pin.chars().count() < MIN_PIN_CHARS {
        Some(t.pin_too_short)
    } else if pin != again {
        Some(t.pin_mismatch)
    } else {
        None
    }
}

/// A count with − and + buttons big enough for a thumb, and a number field for large counts
/// (which takes + and − from the keyboard, `ui::keys`).
#[component]
pub fn Counter(entry: Entry, counts: RwSignal<BTreeMap<String, u32>>) -> impl IntoView {
    let ctx = use_ctx();
    let code = entry.code.clone();
    let value = {
        let code = code.clone();
        move || counts.with(|m| m.get(&code).copied().unwrap_or(0))
    };
    let set = move |n: u32| {
        counts.update(|m| {
            if n == 0 {
                carnet_core::record::retain_counts(m, &|c, _| c != code);
            } else {
                m.insert(code.clone(), n);
            }
        })
    };
    let label = {
        let entry = entry.clone();
        move || ctx.lang().label(&entry)
    };
    let input_id = format!("material-{}", entry.code);
    // « − » and « + »: one step from the count shown.
    let step = {
        let (value, set, label) = (value.clone(), set.clone(), label.clone());
        move |sign: &'static str, words: fn(&Texts) -> &'static str, next: fn(u32) -> u32| {
            let (value, set, label) = (value.clone(), set.clone(), label.clone());
            view! {
                // Not a Tab stop: from the keyboard, + and − (or a number) in the field.
                <button
                    type="button"
                    class="step"
                    tabindex="-1"
                    aria-label=move || format!("{} : {}", words(ctx.t()), label())
                    on:click=move |_| set(next(value()))
                >
                    {sign}
                </button>
            }
        }
    };
    view! {
        <div class="counter">
            <label for=input_id.clone()>{label}</label>
            <div class="counter-controls">
                {step("−", |t| t.remove_one, |n| n.saturating_sub(1))}
                <input
                    id=input_id
                    type="number"
                    inputmode="numeric"
                    min="0"
                    max=carnet_core::MAX_MATERIAL_PER_ITEM.to_string()
                    prop:value=move || value().to_string()
                    on:input=move |ev| set(event_target_value(&ev).trim().parse::<u32>().unwrap_or(0))
                />
                {step("+", |t| t.add_one, |n| n.saturating_add(1))}
            </div>
        </div>
    }
}
