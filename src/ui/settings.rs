//! « Réglages »: language, theme, locking, pairing, the device's storage, unreadable rows
//! set aside, encrypted backups, and the PIN.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::actions::{self, Paired};
use crate::api::ClientError;
use crate::backup::{self, BackupError};
use crate::i18n::{Lang, Texts};
use crate::platform;
use crate::prefs::{LOCK_CHOICES, Prefs, STALE_CHOICES, Theme};
use crate::state::{use_ctx, use_open};
use crate::storage_guard;
use crate::ui::effect::effect;
use crate::ui::task::Task;
use crate::ui::use_fetch::use_fetch;
use crate::ui::widgets::{ChipGroup, PinField, RadioChip, new_pin_problem};

#[component]
pub fn Settings() -> impl IntoView {
    let ctx = use_ctx();

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
    let text =
        move |label: fn(&Texts) -> &'static str| Signal::derive(move || label(ctx.t()).to_owned());
    let number_chips = move |name: &'static str,
                             choices: &'static [u32],
                             label: fn(Lang, u32) -> String,
                             get: fn(&Prefs) -> u32,
                             set: fn(&mut Prefs, u32)| {
        choices
            .iter()
            .map(|&n| {
                view! {
                    <RadioChip
                        name=name
                        label=Signal::derive(move || label(ctx.lang(), n))
                        checked=Signal::derive(move || ctx.prefs.with(get) == n)
                        on_select=Callback::new(move |()| {
                            let mut p = ctx.prefs.get_untracked();
                            set(&mut p, n);
                            ctx.set_prefs(p);
                        })
                    />
                }
            })
            .collect_view()
    };

    view! {
        <div class="settings">
            <h1>{move || ctx.t().settings_title}</h1>
            <ChipGroup legend=|t| t.language>
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
            </ChipGroup>
            <ChipGroup legend=|t| t.theme>
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
            </ChipGroup>
            <ChipGroup legend=|t| t.lock_after>
                {number_chips(
                    "lock-after",
                    &LOCK_CHOICES,
                    |lang, n| lang.minutes(n),
                    |p| p.lock_after_minutes,
                    |p, n| p.lock_after_minutes = n,
                )}
            </ChipGroup>
            <ChipGroup legend=|t| t.stale_after>
                {number_chips(
                    "stale-after",
                    &STALE_CHOICES,
                    |_, n| format!("{n} h"),
                    |p| p.stale_after_hours,
                    |p, n| p.stale_after_hours = n,
                )}
            </ChipGroup>
            <Pairing />
            <DeviceStorage />
            <Backup />
            <ChangePin />
        </div>
    }
}

/// Pairing with a one-time code, or (advanced) pasting a token.
#[component]
fn Pairing() -> impl IntoView {
    let ctx = use_ctx();
    let open = use_open();
    let secrets = open.secrets.clone();
    let has_token = move || secrets.with(|s| s.token.is_some());
    let code = RwSignal::new(ctx.pairing_hint.get_untracked().unwrap_or_default());
    let label = RwSignal::new(String::new());
    let pair = Task::new(move |(typed, label): &(String, String)| {
        let (typed, label) = (typed.clone(), label.clone());
        async move { actions::pair_device(ctx, typed, Some(label)).await }
    });
    let pair_message = move || {
        let t = ctx.t();
        pair.value().get().map(|result| match result {
            Ok(Paired::Yes) => t.paired,
            Ok(Paired::NotKept) => t.pair_not_kept,
            Err(ClientError::Network | ClientError::Timeout) => t.pair_offline,
            Err(e) if e.code() == Some(carnet_core::wire::ErrorCode::InvalidDeviceLabel) => {
                t.device_label_invalid
            }
            Err(_) => t.pair_refused,
        })
    };
    effect(move |_| {
        if matches!(pair.value().get(), Some(Ok(_))) {
            code.set(String::new());
            ctx.pairing_hint.set(None);
        }
    });
    let on_pair = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let typed = code.get_untracked();
        if !typed.trim().is_empty() {
            pair.dispatch((typed, label.get_untracked()));
        }
    };

    let draft = RwSignal::new(String::new());
    let save = Task::new(move |token: &String| {
        let token = token.clone();
        async move { actions::save_token(ctx, token).await }
    });
    let token_message = RwSignal::new(None::<&'static str>);
    effect(move |_| match save.value().get() {
        Some(true) => {
            draft.set(String::new());
            token_message.set(Some(ctx.t().token_saved));
        }
        Some(false) => token_message.set(Some(ctx.t().storage_unavailable)),
        None => {}
    });
    let on_save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let token = draft.get_untracked().trim().to_owned();
        if token.is_empty() {
            token_message.set(Some(ctx.t().token_empty));
            return;
        }
        save.dispatch(token);
    };

    view! {
        <p class="muted">
            {move || if has_token() { ctx.t().token_present } else { ctx.t().token_absent }}
        </p>
        <form on:submit=on_pair>
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
            <label for="device-label">{move || ctx.t().device_label}</label>
            <input
                id="device-label"
                type="text"
                autocomplete="off"
                maxlength="40"
                prop:value=move || label.get()
                on:input=move |ev| label.set(event_target_value(&ev))
            />
            <p class="help">{move || ctx.t().device_label_help}</p>
            <button type="submit" class="primary" disabled=move || pair.pending().get()>
                {move || ctx.t().pair_button}
            </button>
            {move || pair_message().map(|m| view! { <p role="status">{m}</p> })}
        </form>
        <details class="more">
            <summary>{move || ctx.t().token_advanced}</summary>
            <form on:submit=on_save>
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
                <button type="submit" class="primary" disabled=move || save.pending().get()>
                    {move || ctx.t().token_save}
                </button>
                {move || token_message.get().map(|m| view! { <p role="status">{m}</p> })}
            </form>
        </details>
    }
}

/// Whether the browser keeps the storage, how much is used, and rows set aside.
#[component]
fn DeviceStorage() -> impl IntoView {
    let ctx = use_ctx();
    let open = use_open();
    let persistent = use_fetch(storage_guard::is_persistent);
    let usage = use_fetch(storage_guard::usage);
    let ask = Task::new(move |_: &()| async move {
        storage_guard::request_persistence().await;
        persistent.refetch();
    });
    let persistent = move || persistent.get().flatten();
    let set_aside = open.set_aside.clone();
    let set_aside_list = {
        let set_aside = set_aside.clone();
        move || {
            set_aside
                .get()
                .into_iter()
                .map(|row| {
                    let short: String = row.id.chars().take(8).collect();
                    view! { <li><code>{short}</code> " — " {row.error}</li> }
                })
                .collect_view()
        }
    };
    view! {
        <section class="group" aria-labelledby="storage-title">
            <h2 id="storage-title">{move || ctx.t().storage_title}</h2>
            <p data-testid="storage-persistent">
                {move || match persistent() {
                    Some(true) => ctx.t().storage_persistent,
                    Some(false) => ctx.t().storage_not_persistent,
                    None => ctx.t().storage_unknown,
                }}
            </p>
            {move || {
                usage
                    .get()
                    .flatten()
                    .map(|u| {
                        let french = ctx.lang() == Lang::Fr;
                        view! {
                            <p data-testid="storage-usage">
                                {ctx.lang().storage_used(
                                    &storage_guard::megabytes(u.used, french),
                                    &storage_guard::megabytes(u.quota, french),
                                )}
                            </p>
                        }
                    })
            }}
            <Show when=move || persistent() == Some(false)>
                <button type="button" on:click=move |_| {
                    ask.dispatch(());
                }>{move || ctx.t().storage_ask}</button>
            </Show>
            <Show when={
                let set_aside = set_aside.clone();
                move || set_aside.with(|s| !s.is_empty())
            }>
                <h3>{move || ctx.t().set_aside_title}</h3>
                <p class="help">{move || ctx.t().set_aside_help}</p>
                <ul class="set-aside" data-testid="set-aside">{set_aside_list.clone()}</ul>
            </Show>
        </section>
    }
}

/// « Exporter une sauvegarde » / « Importer une sauvegarde ».
#[component]
fn Backup() -> impl IntoView {
    let ctx = use_ctx();
    let open = use_open();
    let passphrase = RwSignal::new(String::new());
    let message = RwSignal::new(None::<String>);
    let explain = move |e: &BackupError| -> String {
        let t = ctx.t();
        match e {
            BackupError::PassphraseTooShort => t.backup_passphrase_short.into(),
            BackupError::Nothing => t.backup_nothing.into(),
            BackupError::WrongPassphrase | BackupError::Damaged => t.backup_wrong.into(),
            BackupError::Vault(_) | BackupError::Store(_) => t.save_failed.into(),
        }
    };
    let export = {
        let open = open.clone();
        Task::new(move |phrase: &String| {
            let (open, phrase) = (open.clone(), phrase.clone());
            async move {
                let exported = async {
                    let (text, count) = backup::export(&open, &phrase).await?;
                    let name = format!("carnet-sauvegarde-{}.json", platform::today());
                    platform::download(&name, "application/json", &text)
                        .map_err(|_| BackupError::Damaged)?;
                    Ok::<_, BackupError>(count)
                };
                match exported.await {
                    Ok(n) => ctx.lang().backup_exported(n),
                    Err(e) => explain(&e),
                }
            }
        })
    };
    let import = {
        let open = open.clone();
        Task::new(move |phrase: &String| {
            let (open, phrase) = (open.clone(), phrase.clone());
            async move {
                let Some(text) = chosen_file_text("backup-file").await else {
                    return explain(&BackupError::WrongPassphrase);
                };
                match backup::import(&open, &text, &phrase).await {
                    Ok(done) => ctx.lang().backup_imported(done.queued, done.already),
                    Err(e) => explain(&e),
                }
            }
        })
    };
    for action in [export, import] {
        effect(move |_| {
            if let Some(text) = action.value().get() {
                message.set(Some(text));
                passphrase.set(String::new());
            }
        });
    }
    let busy = move || export.pending().get() || import.pending().get();
    view! {
        <details class="more">
            <summary>{move || ctx.t().backup_title}</summary>
            <p class="help">{move || ctx.t().backup_help}</p>
            <label for="backup-passphrase">{move || ctx.t().backup_passphrase}</label>
            <input
                id="backup-passphrase"
                type="password"
                autocomplete="off"
                prop:value=move || passphrase.get()
                on:input=move |ev| passphrase.set(event_target_value(&ev))
            />
            <button type="button" class="primary" disabled=busy on:click=move |_| {
                export.dispatch(passphrase.get_untracked());
            }>{move || ctx.t().backup_export}</button>
            <label for="backup-file">{move || ctx.t().backup_file}</label>
            <input id="backup-file" type="file" accept="application/json,.json" />
            <button type="button" disabled=busy on:click=move |_| {
                import.dispatch(passphrase.get_untracked());
            }>{move || ctx.t().backup_import}</button>
            {move || message.get().map(|m| view! { <p role="status" data-testid="backup-message">{m}</p> })}
        </details>
    }
}

/// The text of the file chosen in the file input `id`.
async fn chosen_file_text(id: &str) -> Option<String> {
    let input: web_sys::HtmlInputElement = web_sys::window()?
        .document()?
        .get_element_by_id(id)?
        .dyn_into()
        .ok()?;
    let file = input.files()?.get(0)?;
    let text = wasm_bindgen_futures::JsFuture::from(file.text())
        .await
        .ok()?;
    text.as_string()
}

/// Changing the PIN, with the reminder to sync first.
#[component]
fn ChangePin() -> impl IntoView {
    let ctx = use_ctx();
    let open = use_open();
    let (old_pin, new_pin, new_again) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let pin_message = RwSignal::new(None::<&'static str>);
    let change = {
        let open = open.clone();
        Task::new(move |(old, new): &(String, String)| {
            let (open, old, new) = (open.clone(), old.clone(), new.clone());
            async move { crate::session::change_pin(&open, &old, &new).await }
        })
    };
    effect(move |_| {
        let t = ctx.t();
        match change.value().get() {
            Some(Ok(())) => {
                old_pin.set(String::new());
                new_pin.set(String::new());
                new_again.set(String::new());
                pin_message.set(Some(t.pin_changed));
            }
            Some(Err(crate::session::UnlockError::WrongPin)) => pin_message.set(Some(t.wrong_pin)),
            Some(Err(_)) => pin_message.set(Some(t.storage_unavailable)),
            None => {}
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (old, new, again) = (
            old_pin.get_untracked(),
            new_pin.get_untracked(),
            new_again.get_untracked(),
        );
        if let Some(problem) = new_pin_problem(ctx.t(), &new, &again) {
            pin_message.set(Some(problem));
            return;
        }
        change.dispatch((old, new));
    };
    let book = open.book.clone();
    view! {
        <details class="more">
            <summary>{move || ctx.t().change_pin}</summary>
            <form on:submit=submit>
                <p class="warning">
                    {move || ctx.t().change_pin_sync_first} " "
                    <strong>{move || ctx.lang().pending(book.with(|b| b.pending_count()))}</strong>
                </p>
                <PinField id="old-pin" label=|t| t.pin_current value=old_pin />
                <PinField id="changed-pin" label=|t| t.pin_new value=new_pin />
                <PinField id="changed-pin-again" label=|t| t.pin_confirm value=new_again />
                <button type="submit" class="primary" disabled=move || change.pending().get()>
                    {move || ctx.t().change_pin}
                </button>
                {move || pin_message.get().map(|m| view! { <p role="status">{m}</p> })}
            </form>
        </details>
    }
}
