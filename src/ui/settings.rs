//! « Réglages »: language, theme, and the sync token given by the coordinator.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::actions;
use crate::app::use_ctx;
use crate::i18n::Lang;
use crate::prefs::{LOCK_CHOICES, Prefs, Theme};
use crate::ui::widgets::RadioChip;

#[component]
pub fn Settings() -> impl IntoView {
    let ctx = use_ctx();
    let draft = RwSignal::new(String::new());
    let message = RwSignal::new(None::<&'static str>);
    let has_token = move || ctx.secrets.with(|s| s.token.is_some());
    let code = RwSignal::new(ctx.pairing_hint.get_untracked().unwrap_or_default());
    let pair_message = RwSignal::new(None::<&'static str>);
    let pair = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let typed = code.get_untracked();
        if typed.trim().is_empty() {
            return;
        }
        spawn_local(async move {
            let t = ctx.t();
            let result = actions::pair_device(ctx, typed).await;
            pair_message.set(Some(match result {
                Ok(()) => {
                    code.set(String::new());
                    ctx.pairing_hint.set(None);
                    t.paired
                }
                Err(carnet_core::Failure::Network) => t.pair_offline,
                Err(_) => t.pair_refused,
            }));
        });
    };

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let token = draft.get_untracked().trim().to_owned();
        if token.is_empty() {
            message.set(Some(ctx.t().token_empty));
            return;
        }
        spawn_local(async move {
            if actions::save_token(ctx, token).await {
                draft.set(String::new());
                message.set(Some(ctx.t().token_saved));
            } else {
                message.set(Some(ctx.t().storage_unavailable));
            }
        });
    };

    // Every preference is a chip that saves the whole preferences at once.
    let pref_chip = move |name: &'static str,
                          label: Signal<String>,
                          lang: Option<&'static str>,
                          is_set: fn(&Prefs) -> bool,
                          apply: fn(&mut Prefs)| {
        view! {
            <RadioChip
                name=name
                label=label
                lang=lang
                checked=Signal::derive(move || ctx.prefs.with(is_set))
                on_select=Callback::new(move |()| {
                    let mut p = ctx.prefs.get_untracked();
                    apply(&mut p);
                    ctx.set_prefs(p);
                })
            />
        }
    };
    let text = move |label: fn(&crate::i18n::Texts) -> &'static str| {
        Signal::derive(move || label(ctx.t()).to_owned())
    };
    let lock_choices = move || {
        LOCK_CHOICES
            .into_iter()
            .map(|minutes| {
                view! {
                    <RadioChip
                        name="lock-after"
                        label=Signal::derive(move || ctx.lang().minutes(minutes))
                        checked=Signal::derive(move || {
                            ctx.prefs.with(|p| p.lock_after_minutes) == minutes
                        })
                        on_select=Callback::new(move |()| {
                            let mut p = ctx.prefs.get_untracked();
                            p.lock_after_minutes = minutes;
                            ctx.set_prefs(p);
                        })
                    />
                }
            })
            .collect_view()
    };
    let (old_pin, new_pin, new_again) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let pin_message = RwSignal::new(None::<&'static str>);
    let change_pin = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let t = ctx.t();
        let (old, new, again) = (
            old_pin.get_untracked(),
            new_pin.get_untracked(),
            new_again.get_untracked(),
        );
        if new.chars().count() < crate::session::MIN_PIN_CHARS {
            pin_message.set(Some(t.pin_too_short));
            return;
        }
        if new != again {
            pin_message.set(Some(t.pin_mismatch));
            return;
        }
        spawn_local(async move {
            let t = ctx.t();
            pin_message.set(Some(
                match crate::session::change_pin(ctx, &old, &new).await {
                    Ok(()) => {
                        old_pin.set(String::new());
                        new_pin.set(String::new());
                        new_again.set(String::new());
                        t.pin_changed
                    }
                    Err(crate::session::UnlockError::WrongPin) => t.wrong_pin,
                    Err(_) => t.storage_unavailable,
                },
            ));
        });
    };
    let pin_input = move |id: &'static str,
                          label: fn(&crate::i18n::Texts) -> &'static str,
                          value: RwSignal<String>| {
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
    };

    view! {
        <div class="settings">
            <h1>{move || ctx.t().settings_title}</h1>
            <fieldset class="group">
                <legend>{move || ctx.t().language}</legend>
                <div class="chips">
                    {pref_chip(
                        "lang",
                        Signal::stored("Français".to_owned()),
                        Some("fr-CA"),
                        |p| p.lang == Lang::Fr,
                        |p| p.lang = Lang::Fr,
                    )}
                    {pref_chip(
                        "lang",
                        Signal::stored("English".to_owned()),
                        Some("en-CA"),
                        |p| p.lang == Lang::En,
                        |p| p.lang = Lang::En,
                    )}
                </div>
            </fieldset>
            <fieldset class="group">
                <legend>{move || ctx.t().theme}</legend>
                <div class="chips">
                    {pref_chip(
                        "theme",
                        text(|t| t.theme_dark),
                        None,
                        |p| p.theme == Theme::Dark,
                        |p| p.theme = Theme::Dark,
                    )}
                    {pref_chip(
                        "theme",
                        text(|t| t.theme_light),
                        None,
                        |p| p.theme == Theme::Light,
                        |p| p.theme = Theme::Light,
                    )}
                </div>
            </fieldset>
            <fieldset class="group">
                <legend>{move || ctx.t().lock_after}</legend>
                <div class="chips">{lock_choices}</div>
            </fieldset>
            <p class="muted">
                {move || if has_token() { ctx.t().token_present } else { ctx.t().token_absent }}
            </p>
            <form on:submit=pair>
                <label for="pairing-code">{move || ctx.t().pair_label}</label>
                <input
                    id="pairing-code"
                    type="text"
                    autocomplete="off"
                    autocapitalize="characters"
                    spellcheck="false"
                    prop:value=move || code.get()
                    on:input=move |ev| code.set(event_target_value(&ev))
                />
                <p class="help">{move || ctx.t().pair_help}</p>
                <button type="submit" class="primary">{move || ctx.t().pair_button}</button>
                {move || pair_message.get().map(|m| view! { <p role="status">{m}</p> })}
            </form>
            <details class="more">
            <summary>{move || ctx.t().token_advanced}</summary>
            <form on:submit=save>
                <label for="token">{move || ctx.t().token_label}</label>
                <input
                    id="token"
                    type="password"
                    autocomplete="off"
                    spellcheck="false"
                    prop:value=move || draft.get()
                    on:input=move |ev| draft.set(event_target_value(&ev))
                />
                <p class="help">{move || ctx.t().token_help}</p>
                <button type="submit" class="primary">{move || ctx.t().token_save}</button>
                {move || message.get().map(|m| view! { <p role="status">{m}</p> })}
            </form>
            </details>
            <details class="more">
                <summary>{move || ctx.t().change_pin}</summary>
                <form on:submit=change_pin>
                    <p class="warning">
                        {move || ctx.t().change_pin_sync_first} " "
                        <strong>{move || ctx.lang().pending(ctx.pending_count())}</strong>
                    </p>
                    {pin_input("old-pin", |t| t.pin_current, old_pin)}
                    {pin_input("changed-pin", |t| t.pin_new, new_pin)}
                    {pin_input("changed-pin-again", |t| t.pin_confirm, new_again)}
                    <button type="submit" class="primary">{move || ctx.t().change_pin}</button>
                    {move || pin_message.get().map(|m| view! { <p role="status">{m}</p> })}
                </form>
            </details>
        </div>
    }
}
