//! Form controls sized for one thumb in a dark bar: big chips, big counter buttons.
//! Native radio and checkbox inputs underneath, so screen readers and tests see real
//! form controls with their French labels.

use std::collections::BTreeMap;

use carnet_core::Entry;
use leptos::prelude::*;

use crate::text;

/// Pick one entry of a list (radio chips).
#[component]
pub fn ChoiceGroup(
    legend: &'static str,
    name: &'static str,
    entries: Vec<Entry>,
    selected: RwSignal<Option<String>>,
) -> impl IntoView {
    let chips = entries
        .into_iter()
        .map(|entry| {
            let code = entry.code.clone();
            let checked = {
                let code = code.clone();
                move || selected.with(|s| s.as_deref() == Some(code.as_str()))
            };
            view! {
                <label class="chip">
                    <input
                        type="radio"
                        name=name
                        value=code.clone()
                        prop:checked=checked
                        on:change=move |_| selected.set(Some(code.clone()))
                    />
                    <span>{entry.fr}</span>
                </label>
            }
        })
        .collect_view();
    view! {
        <fieldset class="group">
            <legend>{legend}</legend>
            <div class="chips">{chips}</div>
        </fieldset>
    }
}

/// Pick any number of entries of a list (checkbox chips).
#[component]
pub fn MultiChoiceGroup(
    legend: &'static str,
    name: &'static str,
    entries: Vec<Entry>,
    selected: RwSignal<Vec<String>>,
) -> impl IntoView {
    let chips = entries
        .into_iter()
        .map(|entry| {
            let code = entry.code.clone();
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
                        prop:checked=checked
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            selected.update(|s| {
                                s.retain(|c| c != &code);
                                if on {
                                    s.push(code.clone());
                                }
                            });
                        }
                    />
                    <span>{entry.fr}</span>
                </label>
            }
        })
        .collect_view();
    view! {
        <fieldset class="group">
            <legend>{legend}</legend>
            <div class="chips">{chips}</div>
        </fieldset>
    }
}

/// A count with − and + buttons big enough for a thumb, and a number field for large counts.
#[component]
pub fn Counter(entry: Entry, counts: RwSignal<BTreeMap<String, u32>>) -> impl IntoView {
    let code = entry.code.clone();
    let value = {
        let code = code.clone();
        move || counts.with(|m| m.get(&code).copied().unwrap_or(0))
    };
    let set = {
        let code = code.clone();
        move |n: u32| {
            counts.update(|m| {
                if n == 0 {
                    m.remove(&code);
                } else {
                    m.insert(code.clone(), n);
                }
            })
        }
    };
    let label = entry.fr.clone();
    let input_id = format!("material-{}", entry.code);
    let (dec, inc, typed) = (set.clone(), set.clone(), set);
    let (v1, v2, v3) = (value.clone(), value.clone(), value);
    view! {
        <div class="counter">
            <label for=input_id.clone()>{entry.fr}</label>
            <div class="counter-controls">
                <button
                    type="button"
                    class="step"
                    aria-label=format!("{} : {}", text::REMOVE_ONE, label)
                    on:click=move |_| dec(v1().saturating_sub(1))
                >
                    "−"
                </button>
                <input
                    id=input_id
                    type="number"
                    inputmode="numeric"
                    min="0"
                    max=carnet_core::MAX_MATERIAL_PER_ITEM.to_string()
                    prop:value=move || v2().to_string()
                    on:input=move |ev| {
                        let n = event_target_value(&ev).trim().parse::<u32>().unwrap_or(0);
                        typed(n)
                    }
                />
                <button
                    type="button"
                    class="step"
                    aria-label=format!("{} : {}", text::ADD_ONE, label)
                    on:click=move |_| inc(v3().saturating_add(1))
                >
                    "+"
                </button>
            </div>
        </div>
    }
}
