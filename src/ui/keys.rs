//! The keyboard: one `keydown` handler for the whole open app (not one per chip), and the
//! short help « ? » that lists what it does. What the browser already does is left to it:
//! Tab between fields, the arrow keys inside a radio group, Space on a chip. Added here:
//! Ctrl+Enter saves the form from any of its fields; the digits apply the shortcuts and
//! « r » makes one of the last record; the keys « + » and « − » step a counter; the arrow
//! keys move inside a group of checkboxes (one Tab stop each, like a radio group); « ? »
//! opens the help. Escape is the quick exit (`startup`), once an open help has closed.
//!
//! Elements are cast unchecked where the form's markup says what they are: each checked
//! cast costs the download a binding of its own.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, HtmlInputElement, KeyboardEvent};

use crate::actions;
use crate::i18n::Lang;
use crate::startup::dialog_open;
use crate::state::{Ctx, use_ctx, use_open};

/// Listens to the keyboard while a profile is open.
pub fn use_keys(ctx: Ctx) {
    let open = use_open();
    let (presets, book) = (open.presets, open.book);
    let handle = window_event_listener(leptos::ev::keydown, move |ev: KeyboardEvent| {
        // The help has the keyboard while it is open.
        if dialog_open() {
            return;
        }
        let key = ev.key();
        let Some(target) = ev.target().map(JsCast::unchecked_into::<Element>) else {
            return;
        };
        let kind = target
            .dyn_ref::<HtmlInputElement>()
            .map(HtmlInputElement::type_);
        // Where text is typed (a text or number field, the note), keys are text.
        let typing = target.matches(":read-write").unwrap_or(false);
        let handled = match (kind.as_deref(), key.as_str()) {
            (_, "Enter") if ev.ctrl_key() || ev.meta_key() => submit_record_form(),
            (Some("number"), "+" | "-") => step(&target, key == "+"),
            (Some("checkbox"), "ArrowRight" | "ArrowDown") => move_in_group(&target, true),
            (Some("checkbox"), "ArrowLeft" | "ArrowUp") => move_in_group(&target, false),
            _ if typing || ev.ctrl_key() || ev.meta_key() => false,
            _ => command(ctx, &key, presets.clone(), book.clone()),
        };
        if handled {
            ev.prevent_default();
        }
    });
    on_cleanup(move || handle.remove());
}

/// A key that is a command wherever no text is typed: « ? », « r », a digit.
fn command(
    ctx: Ctx,
    key: &str,
    presets: ArcRwSignal<Vec<crate::presets::Preset>>,
    book: ArcRwSignal<crate::book::Book>,
) -> bool {
    let id = match key {
        "?" => {
            open_help();
            return true;
        }
        "r" | "R" => {
            let Some(id) = book.with_untracked(|b| b.latest().map(|r| r.id())) else {
                return false;
            };
            actions::make_preset(ctx, id);
            return true;
        }
        _ => key
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=9).contains(n))
            .and_then(|n| presets.with_untracked(|p| p.get(n - 1).map(|p| p.id))),
    };
    id.is_some_and(|id| {
        actions::apply_preset(ctx, id);
        true
    })
}

/// Saves the record form on screen, as its « Enregistrer » button would.
fn submit_record_form() -> bool {
    let form = document().query_selector("form.record").ok().flatten();
    form.is_some_and(|f| {
        f.unchecked_into::<web_sys::HtmlFormElement>()
            .request_submit()
            .is_ok()
    })
}

/// One more or one less in a counter, through its own « + » or « − » button beside the
/// field (a number field without them takes neither key).
fn step(field: &Element, up: bool) -> bool {
    let button = if up {
        field.next_element_sibling()
    } else {
        field.previous_element_sibling()
    };
    if let Some(button) = button {
        button.unchecked_into::<HtmlElement>().click();
    }
    true
}

/// Moves the focus to the next (or previous) checkbox of the group, round, which becomes
/// the group's Tab stop. Each chip is a label around its checkbox.
fn move_in_group(field: &Element, forward: bool) -> bool {
    let Some(chip) = field.parent_element() else {
        return false;
    };
    let next = if forward {
        chip.next_element_sibling()
    } else {
        chip.previous_element_sibling()
    }
    .or_else(|| {
        let group = chip.parent_element()?;
        if forward {
            group.first_element_child()
        } else {
            group.last_element_child()
        }
    });
    let Some(next) = next.and_then(|chip| chip.first_element_child()) else {
        return false;
    };
    let next = next.unchecked_into::<HtmlElement>();
    field.unchecked_ref::<HtmlElement>().set_tab_index(-1);
    next.set_tab_index(0);
    let _ = next.focus();
    true
}

/// Puts the focus on the group `name` of the record form on screen: its chosen chip, else
/// its first.
pub fn focus_group(name: &str) {
    let find = |selector: String| document().query_selector(&selector).ok().flatten();
    let chip = find(format!("form.record [name={name}]:checked"))
        .or_else(|| find(format!("form.record [name={name}]")));
    if let Some(chip) = chip {
        let _ = chip.unchecked_into::<HtmlElement>().focus();
    }
}

/// The short help « ? »: every key binding, in the worker's language. A modal dialog: the
/// page behind is out of reach while it is open, and Escape closes it (and only it). Its
/// words are fixed markup, one text per language: a view of its own would weigh more in
/// the download than all the keys it explains.
#[component]
pub fn KeysHelp() -> impl IntoView {
    let ctx = use_ctx();
    let markup = move || match ctx.lang() {
        Lang::Fr => HELP_FR,
        Lang::En => HELP_EN,
    };
    view! { <dialog id="keys-help" class="keys-help" aria-labelledby="keys-title" inner_html=markup></dialog> }
}

/// Opens the help (the « ? » key, or its button on the desk).
pub fn open_help() {
    let dialog = document().get_element_by_id("keys-help");
    if let Some(dialog) = dialog.map(JsCast::unchecked_into::<web_sys::HtmlDialogElement>)
        && !dialog.open()
    {
        let _ = dialog.show_modal();
    }
}

/// The label of the button that opens the help on the desk.
pub fn help_button(lang: Lang) -> &'static str {
    match lang {
        Lang::Fr => "Clavier (?)",
        Lang::En => "Keyboard (?)",
    }
}

/// The help's markup: a title, the keys and what they do, a button that closes it.
macro_rules! help {
    ($title:literal, $close:literal, $($keys:literal => $what:literal,)*) => {
        concat!(
            "<h2 id=keys-title>", $title, "</h2><dl>",
            $("<dt><kbd>", $keys, "</kbd></dt><dd>", $what, "</dd>",)*
            "</dl><form method=dialog><button class=primary>", $close, "</button></form>",
        )
    };
}

// The help's words are this module's own, so that the start-up module (which links
// `i18n::Texts` whole) does not carry them.
const HELP_FR: &str = help!(
    "Raccourcis clavier", "Fermer",
    "Tab, Maj+Tab" => "Passer au champ suivant, au précédent",
    "← → ↑ ↓" => "Choisir dans un groupe",
    "Espace" => "Cocher ou décocher",
    "+ −" => "Un de plus, un de moins (ou taper le nombre)",
    "Ctrl+Entrée" => "Enregistrer, de n'importe quel champ",
    "1 … 9" => "Appliquer le raccourci de ce numéro",
    "R" => "Faire un raccourci du dernier contact",
    "?" => "Cette aide",
    "Échap" => "Fermer l'aide, sinon verrouiller à l'instant (le formulaire en cours est gardé, chiffré)",
);

const HELP_EN: &str = help!(
    "Keyboard shortcuts", "Close",
    "Tab, Shift+Tab" => "Next field, previous field",
    "← → ↑ ↓" => "Choose within a group",
    "Space" => "Check or uncheck",
    "+ −" => "One more, one less (or type the number)",
    "Ctrl+Enter" => "Save, from any field",
    "1 … 9" => "Apply the shortcut with that number",
    "R" => "Make a shortcut of the last contact",
    "?" => "This help",
    "Escape" => "Close the help; else lock at once (the form being filled is kept, encrypted)",
);
