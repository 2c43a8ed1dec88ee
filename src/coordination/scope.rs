//! What a report covers: a period (the organisation's fiscal year by default), and all
//! programs, one program or group, or any set of programs.

use chrono::{Datelike, NaiveDate};
use leptos::prelude::*;

use crate::coordination::texts::texts;
use crate::state::{Ctx, use_ctx};
use crate::ui::widgets::{CheckChip, DateField, RadioChip};

pub use carnet_core::calendar::{fiscal_year_start, year_before};

/// « 2025-04-01 – 2026-03-31 »
pub fn period_label(from: NaiveDate, to: NaiveDate) -> String {
    format!("{from} – {to}")
}

/// A period as briefly as it can be said: « 2019-2020 » for a fiscal year, « 2019 » for a
/// calendar year, else its first and last days.
pub fn short_period(from: NaiveDate, to: NaiveDate) -> String {
    let (y, m, d) = (from.year(), from.month(), from.day());
    if (m, d) == (4, 1) && (to.year(), to.month(), to.day()) == (y + 1, 3, 31) {
        format!("{y}-{}", y + 1)
    } else if (m, d) == (1, 1) && (to.year(), to.month(), to.day()) == (y, 12, 31) {
        y.to_string()
    } else {
        period_label(from, to)
    }
}

/// The choice of programs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    All,
    /// One program or one group, by code.
    One(String),
    /// The programs ticked below the choices.
    Several,
}

/// « Several programs » with none ticked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoneTicked;

/// Choices to offer: `(code, label)`.
pub type Choices = Vec<(String, String)>;

/// The picker's state: the choice and, for `Several`, the programs ticked.
#[derive(Debug, Clone, Copy)]
pub struct ScopeState {
    pub choice: RwSignal<Scope>,
    pub several: RwSignal<Vec<String>>,
}

impl ScopeState {
    pub fn new() -> Self {
        ScopeState {
            choice: RwSignal::new(Scope::All),
            several: RwSignal::new(Vec::new()),
        }
    }

    /// The report's `program=` value: `Ok(None)` for all programs, `Err` when « several »
    /// is chosen with none ticked.
    pub fn program_param(&self) -> Result<Option<String>, NoneTicked> {
        match self.choice.get_untracked() {
            Scope::All => Ok(None),
            Scope::One(code) => Ok(Some(code)),
            Scope::Several => {
                let ticked = self.several.get_untracked();
                if ticked.is_empty() {
                    Err(NoneTicked)
                } else {
                    Ok(Some(ticked.join(",")))
                }
            }
        }
    }
}

impl Default for ScopeState {
    fn default() -> Self {
        Self::new()
    }
}

/// The groups and the programs offered (active ones), with their labels.
pub fn offered(ctx: Ctx) -> (Choices, Choices) {
    let lang = ctx.lang();
    ctx.taxonomy.with(|t| {
        let groups = t
            .program_groups
            .iter()
            .filter(|g| !g.retired)
            .map(|g| {
                let label = match lang {
                    crate::i18n::Lang::Fr => g.fr.clone(),
                    crate::i18n::Lang::En => g.en.clone(),
                };
                (g.code.clone(), label)
            })
            .collect();
        let programs = t
            .active(carnet_core::ListKind::Programs)
            .map(|e| (e.code.clone(), lang.label(e)))
            .collect();
        (groups, programs)
    })
}

/// Radio chips: all programs, each group, each program, « several » (then checkboxes).
#[component]
pub fn ScopePicker(state: ScopeState) -> impl IntoView {
    let ctx = use_ctx();
    let chip = move |value: Scope, label: String| {
        let picked = value.clone();
        view! {
            <RadioChip
                name="report-program"
                label=Signal::stored(label)
                checked=Signal::derive(move || state.choice.with(|c| *c == value))
                on_select=Callback::new(move |()| state.choice.set(picked.clone()))
            />
        }
    };
    let choices = move || {
        let t = texts(ctx.lang());
        let (groups, programs) = offered(ctx);
        view! {
            <div class="chips">
                {chip(Scope::All, t.all_programs.to_owned())}
                {groups.into_iter().map(|(code, label)| chip(Scope::One(code), label)).collect_view()}
            </div>
            <div class="chips">
                {programs.into_iter().map(|(code, label)| chip(Scope::One(code), label)).collect_view()}
                {chip(Scope::Several, t.several_programs.to_owned())}
            </div>
        }
    };
    let ticks = move || {
        let (_, programs) = offered(ctx);
        view! {
            <CheckChips
                name="report-programs"
                legend=Signal::derive(move || texts(ctx.lang()).programs_ticked.to_owned())
                items=programs
                selected=state.several
            />
        }
    };
    view! {
        <fieldset class="group scope">
            <legend>{move || texts(ctx.lang()).programs_covered}</legend>
            {choices}
        </fieldset>
        <Show when=move || state.choice.with(|c| *c == Scope::Several)>{ticks}</Show>
    }
}

/// Checkbox chips over `(code, label)` items.
#[component]
pub fn CheckChips(
    name: &'static str,
    legend: Signal<String>,
    items: Choices,
    selected: RwSignal<Vec<String>>,
) -> impl IntoView {
    let chips = items
        .into_iter()
        .map(|(code, label)| {
            view! { <CheckChip name=name code=code label=label selected=selected /> }
        })
        .collect_view();
    view! {
        <fieldset class="group">
            <legend>{move || legend.get()}</legend>
            <div class="chips">{chips}</div>
        </fieldset>
    }
}

/// Two date fields with their own ids (the page's main period uses `DateRange`).
#[component]
pub fn DatePair(
    id: &'static str,
    from: RwSignal<NaiveDate>,
    to: RwSignal<NaiveDate>,
    from_label: Signal<String>,
    to_label: Signal<String>,
) -> impl IntoView {
    view! {
        <div class="date-range">
            <DateField id=format!("{id}-from") label=from_label value=from />
            <DateField id=format!("{id}-to") label=to_label value=to />
        </div>
    }
}
