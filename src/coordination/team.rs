//! « Comptes de l'équipe » (coordinators): the team's workers and their devices (label,
//! last use, expired or revoked), revoking a device or a whole worker, a new pairing code
//! for a replacement phone (text and QR code), adding a worker, changing a role, and the
//! recent account actions.
//!
//! The team and the account log are read through `use_fetch`, again after every change; every
//! change is one [`Change`] through one action, so one flag (the action's) says a change is
//! under way. Making someone a coordinator and revoking a worker ask for the name to be
//! typed again; the server checks it too.

use carnet_core::wire::{
    AuditAction, AuditEntry, AuditPage, DeviceInfo, DeviceState, ErrorCode, Pairing, TeamAccounts,
    WorkerAccount,
};
use leptos::prelude::*;

use crate::api::{self, ClientError};
use crate::coordination::texts::accounts::{AccountTexts, accounts};
use crate::state::{Ctx, use_ctx, use_open};
use crate::ui::use_fetch::{Fetch, use_fetch};

/// One string of [`AccountTexts`], chosen before the language is known.
type Words = fn(&AccountTexts) -> &'static str;

/// Audit entries fetched at a time.
const AUDIT_PAGE: u32 = 20;

/// What a coordinator asks the server to change.
#[derive(Debug, Clone)]
enum Change {
    /// A new worker, a coordinator when `confirm` (the name retyped) is given.
    AddWorker {
        name: String,
        coordinator: bool,
        confirm: Option<String>,
    },
    /// A pairing code for a worker's replacement phone.
    NewCode(String),
    Role {
        name: String,
        coordinator: bool,
        confirm: String,
    },
    RevokeWorker {
        name: String,
        confirm: String,
    },
    RevokeDevice(i64),
}

/// How a change went through.
#[derive(Debug, Clone)]
enum Done {
    /// A worker was added: its first pairing code.
    Added(Pairing),
    /// A replacement phone's code.
    Code(Pairing),
    /// Said in one line (« Rôle changé. »).
    Said(Words),
}

/// Why a change did not go through.
#[derive(Debug, Clone)]
enum Refused {
    /// The name typed again is not the name: nothing was asked of the server.
    Mismatch,
    Server(ClientError),
}

impl Change {
    /// Asks the server; a name retyped wrong is refused here first.
    async fn send(self, token: String) -> Result<Done, Refused> {
        let server = Refused::Server;
        match self {
            Change::AddWorker {
                name,
                coordinator,
                confirm,
            } => {
                if coordinator && confirm.as_deref() != Some(name.as_str()) {
                    return Err(Refused::Mismatch);
                }
                api::create_worker(&token, &name, coordinator, confirm.as_deref())
                    .await
                    .map(Done::Added)
                    .map_err(server)
            }
            Change::NewCode(name) => api::new_pairing(&token, &name)
                .await
                .map(Done::Code)
                .map_err(server),
            Change::Role {
                name,
                coordinator,
                confirm,
            } => {
                if confirm != name {
                    return Err(Refused::Mismatch);
                }
                api::change_role(&token, &name, coordinator, &confirm)
                    .await
                    .map(|()| Done::Said(|a| a.role_changed))
                    .map_err(server)
            }
            Change::RevokeWorker { name, confirm } => {
                if confirm != name {
                    return Err(Refused::Mismatch);
                }
                api::revoke_worker(&token, &name, &confirm)
                    .await
                    .map(|()| Done::Said(|a| a.account_revoked_done))
                    .map_err(server)
            }
            Change::RevokeDevice(id) => api::revoke_device(&token, id)
                .await
                .map(|()| Done::Said(|a| a.device_revoked_done))
                .map_err(server),
        }
    }
}

/// The confirmation panel open under one worker, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Panel {
    /// Make a coordinator (`true`) or not.
    Role(String, bool),
    Revoke(String),
}

/// Everything the component's parts share: `Copy`.
#[derive(Clone, Copy)]
struct Shared {
    ctx: Ctx,
    team: Fetch<Result<TeamAccounts, ClientError>>,
    /// The newest page of the account log.
    audit: Fetch<Result<AuditPage, ClientError>>,
    /// Older pages asked for since the log was last read.
    older: RwSignal<Vec<AuditPage>>,
    more: Action<i64, ()>,
    change: Action<Change, Result<Done, Refused>>,
    /// The code last issued, until hidden.
    pairing: RwSignal<Option<Pairing>>,
    panel: RwSignal<Option<Panel>>,
    /// A device whose revocation waits for a second tap.
    arming: RwSignal<Option<i64>>,
}

impl Shared {
    fn a(&self) -> &'static AccountTexts {
        accounts(self.ctx.lang())
    }

    /// Reads the team and the newest page of the log again.
    fn reload(self) {
        self.older.set(Vec::new());
        self.team.refetch();
        self.audit.refetch();
    }

    /// Something of the team as last read (tracked), if it was read.
    fn loaded<R>(self, f: impl FnOnce(&TeamAccounts) -> R) -> Option<R> {
        self.team
            .with(|t| t.as_ref().and_then(|t| t.as_ref().ok()).map(f))
    }

    /// One worker as last read (tracked).
    fn worker(self, name: &str) -> Option<WorkerAccount> {
        self.loaded(|t| t.workers.iter().find(|w| w.name == name).cloned())
            .flatten()
    }

    /// The log's entries shown, newest first, and where the next older page starts.
    fn log(self) -> (Vec<AuditEntry>, Option<i64>) {
        let (mut entries, mut next) = self
            .audit
            .with(|a| match a {
                Some(Ok(page)) => Some((page.entries.clone(), page.next_before)),
                _ => None,
            })
            .unwrap_or_default();
        self.older.with(|pages| {
            for page in pages {
                entries.extend(page.entries.iter().cloned());
                next = page.next_before;
            }
        });
        (entries, next)
    }

    /// Words for a refusal, in the worker's language.
    fn explain(&self, refused: &Refused) -> &'static str {
        let a = self.a();
        let Refused::Server(error) = refused else {
            return a.confirm_mismatch;
        };
        match (error, error.code()) {
            (_, Some(ErrorCode::WorkerExists)) => a.worker_exists,
            (_, Some(ErrorCode::InvalidWorkerName)) => a.worker_name_invalid,
            (_, Some(ErrorCode::NotFound)) => a.worker_unknown,
            (_, Some(ErrorCode::ConfirmationRequired)) => a.confirm_mismatch,
            (_, Some(ErrorCode::LastCoordinator)) => a.last_coordinator,
            (ClientError::Network | ClientError::Timeout, _) => a.offline,
            (ClientError::Unauthorized | ClientError::Forbidden | ClientError::Expired, _) => {
                a.not_allowed
            }
            _ => a.action_failed,
        }
    }

    fn busy(self) -> bool {
        self.change.pending().get()
    }
}

#[component]
pub fn TeamAccounts() -> impl IntoView {
    let ctx = use_ctx();
    let token = StoredValue::new(use_open().token().unwrap_or_default());
    let older = RwSignal::new(Vec::new());
    let s = Shared {
        ctx,
        team: use_fetch(move || {
            let token = token.get_value();
            async move { api::list_accounts(&token).await }
        }),
        audit: use_fetch(move || {
            let token = token.get_value();
            async move { api::get_audit(&token, AUDIT_PAGE, None).await }
        }),
        older,
        more: Action::new_local(move |before: &i64| {
            let (token, before) = (token.get_value(), *before);
            async move {
                if let Ok(page) = api::get_audit(&token, AUDIT_PAGE, Some(before)).await {
                    older.update(|pages| pages.push(page));
                }
            }
        }),
        change: Action::new_local(move |change: &Change| change.clone().send(token.get_value())),
        pairing: RwSignal::new(None),
        panel: RwSignal::new(None),
        arming: RwSignal::new(None),
    };
    // After every answer: the panels close on success, a new code comes into view, and
    // the team is read again (a name retyped wrong asked nothing of the server).
    Effect::new(move |_| {
        if s.change.version().get() == 0 {
            return;
        }
        match s.change.value().get_untracked() {
            Some(Ok(Done::Said(_))) => {
                s.panel.set(None);
                s.arming.set(None);
            }
            Some(Ok(Done::Added(pairing) | Done::Code(pairing))) => {
                s.pairing.set(Some(pairing));
                show_code();
            }
            Some(Err(Refused::Mismatch)) => return,
            _ => {}
        }
        s.reload();
    });
    let message = move || {
        let text = s.change.value().with(|done| match done.as_ref()? {
            Ok(Done::Said(words)) => Some((false, words(s.a()))),
            Ok(Done::Added(_) | Done::Code(_)) => None,
            Err(refused) => Some((true, s.explain(refused))),
        });
        text.map(|(error, text)| {
            view! {
                <p role=if error { "alert" } else { "status" } class="flash" class:flash-error=error>
                    {text}
                </p>
            }
        })
    };
    // What the team's part shows, as a memo: a changed worker redraws only its own card.
    let team_state = Memo::new(move |_| {
        s.team.with(|t| match t {
            None => Ok(false),
            Some(Ok(_)) => Ok(true),
            Some(Err(e)) => Err(s.explain(&Refused::Server(e.clone()))),
        })
    });
    let names = move || {
        s.loaded(|t| t.workers.iter().map(|w| w.name.clone()).collect::<Vec<_>>())
            .unwrap_or_default()
    };

    view! {
        <section class="team-accounts no-print" aria-labelledby="team-accounts-title">
            <h1 id="team-accounts-title">{move || crate::coordination::texts::texts(ctx.lang()).team_accounts}</h1>
            {message}
            <PairingCode s=s />
            <AddWorker s=s />
            <div class="team-head">
                <h2>{move || s.a().team_list}</h2>
                <button type="button" class="secondary" on:click=move |_| s.reload()>
                    {move || s.a().refresh}
                </button>
            </div>
            {move || match team_state.get() {
                Ok(false) => view! { <p class="muted">{move || s.a().loading}</p> }.into_any(),
                Err(why) => view! { <p role="alert" class="flash flash-error">{why}</p> }.into_any(),
                Ok(true) => {
                    view! {
                        <p class="help">
                            {move || s.a().expiry_note(s.loaded(|t| t.device_expiry_days).unwrap_or_default())}
                        </p>
                        <ul class="accounts">
                            <For each=names key=|name| name.clone() let:name>
                                <Account s=s name=name />
                            </For>
                        </ul>
                    }
                        .into_any()
                }
            }}
            <AuditLog s=s />
        </section>
    }
}

/// The account log, newest first, with older pages on demand.
#[component]
fn AuditLog(s: Shared) -> impl IntoView {
    let log = Memo::new(move |_| s.log());
    view! {
        <h2>{move || s.a().audit_title}</h2>
        <ol class="audit" data-testid="audit">
            <For each=move || log.get().0 key=|e| e.id let:entry>
                <li>{move || audit_line(s.a(), &entry)}</li>
            </For>
        </ol>
        <Show when=move || log.with(|l| l.0.is_empty())>
            <p class="muted">{move || s.a().audit_empty}</p>
        </Show>
        {move || {
            log.get()
                .1
                .map(|before| {
                    view! {
                        <button type="button" class="secondary wide" on:click=move |_| {
                            s.more.dispatch(before);
                        }>{move || s.a().audit_more}</button>
                    }
                })
        }}
    }
}

/// The code just issued, as text and as a QR code of the link that pairs.
#[component]
fn PairingCode(s: Shared) -> impl IntoView {
    move || {
        s.pairing.get().map(|p| {
            view! {
                <div class="pairing" role="status">
                    <p>{move || s.a().code_for} " " <strong>{p.worker.clone()}</strong></p>
                    <p class="pairing-code" data-testid="pairing-code">{p.pairing_code.clone()}</p>
                    <div class="qr" inner_html=p.qr_svg.clone()></div>
                    <p>
                        <button type="button" class="secondary" on:click=move |_| s.pairing.set(None)>
                            {move || s.a().hide_code}
                        </button>
                    </p>
                </div>
            }
        })
    }
}

/// Adds a worker and shows its first pairing code. A coordinator needs the name retyped.
#[component]
fn AddWorker(s: Shared) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let coordinator = RwSignal::new(false);
    let confirm = RwSignal::new(String::new());
    let confirmed = move || !coordinator.get() || confirm.get().trim() == name.get().trim();
    // Added: the form is ready for the next one.
    Effect::new(move |_| {
        if s.change
            .value()
            .with(|d| matches!(d, Some(Ok(Done::Added(_)))))
        {
            name.set(String::new());
            confirm.set(String::new());
            coordinator.set(false);
        }
    });
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let as_coordinator = coordinator.get_untracked();
        s.change.dispatch(Change::AddWorker {
            name: name.get_untracked().trim().to_owned(),
            coordinator: as_coordinator,
            confirm: as_coordinator.then(|| confirm.get_untracked().trim().to_owned()),
        });
    };
    view! {
        <form class="field add-worker" on:submit=add>
            <h2>{move || s.a().add_title}</h2>
            <label for="worker-name">{move || s.a().worker_name}</label>
            <input id="worker-name" type="text" autocomplete="off" maxlength="64" bind:value=name />
            <label class="check">
                <input type="checkbox" bind:checked=coordinator />
                <span>{move || s.a().is_coordinator}</span>
            </label>
            <Show when=move || coordinator.get()>
                <p class="help">{move || s.a().coordinator_warning}</p>
                <label for="worker-name-again">{move || s.a().retype_name}</label>
                <input id="worker-name-again" type="text" autocomplete="off" bind:value=confirm />
            </Show>
            <button
                type="submit"
                class="primary wide"
                disabled=move || s.busy() || name.get().trim().is_empty() || !confirmed()
            >
                {move || s.a().add_worker}
            </button>
        </form>
    }
}

/// One worker: name, role, devices, and what a coordinator may do with the account. It
/// follows the team as read: a reload redraws only what changed.
#[component]
fn Account(s: Shared, name: String) -> impl IntoView {
    let a = move || s.a();
    let worker = {
        let name = name.clone();
        Memo::new(move |_| s.worker(&name))
    };
    let coordinator = move || worker.with(|w| w.as_ref().is_some_and(|w| w.role == "coordinator"));
    let revoked = move || worker.with(|w| w.as_ref().is_some_and(|w| w.revoked));
    let device_ids = move || {
        worker.with(|w| {
            w.as_ref()
                .map(|w| w.devices.iter().map(|d| d.id).collect::<Vec<_>>())
                .unwrap_or_default()
        })
    };
    let no_device = move || worker.with(|w| w.as_ref().is_some_and(|w| w.devices.is_empty()));
    let (n1, n2, n3, n4) = (name.clone(), name.clone(), name.clone(), name.clone());
    let actions = move || {
        let (n1, n2, n3) = (n1.clone(), n2.clone(), n3.clone());
        (!revoked()).then(|| {
            let to_coordinator = !coordinator();
            view! {
                <div class="account-actions">
                    <button
                        type="button"
                        disabled=move || s.busy()
                        on:click=move |_| {
                            s.change.dispatch(Change::NewCode(n1.clone()));
                        }
                    >
                        {move || a().replacement_code}
                    </button>
                    <button
                        type="button"
                        class="secondary"
                        on:click=move |_| s.panel.set(Some(Panel::Role(n2.clone(), to_coordinator)))
                    >
                        {move || if to_coordinator { a().make_coordinator } else { a().make_worker }}
                    </button>
                    <button
                        type="button"
                        class="danger"
                        on:click=move |_| s.panel.set(Some(Panel::Revoke(n3.clone())))
                    >
                        {move || a().revoke_account}
                    </button>
                </div>
            }
        })
    };
    view! {
        <li class="account" class:revoked=revoked data-worker=name.clone()>
            <div class="account-head">
                <strong class="account-name">{name.clone()}</strong>
                <span class="badge" class:badge-accent=coordinator>
                    {move || if coordinator() { a().role_coordinator } else { a().role_worker }}
                </span>
                {move || revoked().then(|| view! { <span class="badge badge-danger">{move || a().account_revoked}</span> })}
            </div>
            <ul class="devices">
                <For each=device_ids key=|id| *id let:id>
                    <Device s=s worker=worker id=id />
                </For>
            </ul>
            {move || no_device().then(|| view! { <p class="muted">{move || a().no_device}</p> })}
            {actions}
            {move || {
                s.panel
                    .get()
                    .filter(|p| match p {
                        Panel::Role(n, _) | Panel::Revoke(n) => *n == n4,
                    })
                    .map(|p| view! { <Confirmation s=s panel=p /> })
            }}
        </li>
    }
}

/// The second confirmation: the worker's name typed again.
#[component]
fn Confirmation(s: Shared, panel: Panel) -> impl IntoView {
    let a = move || s.a();
    let typed = RwSignal::new(String::new());
    let (name, explanation, action): (String, Words, Words) = match &panel {
        Panel::Role(n, true) => (
            n.clone(),
            |a| a.coordinator_warning,
            |a| a.confirm_coordinator,
        ),
        Panel::Role(n, false) => (n.clone(), |a| a.worker_warning, |a| a.confirm_worker),
        Panel::Revoke(n) => (n.clone(), |a| a.revoke_warning, |a| a.confirm_revoke),
    };
    let matches = {
        let name = name.clone();
        move || typed.get().trim() == name
    };
    let submit = {
        let (name, panel) = (name.clone(), panel.clone());
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let (name, confirm) = (name.clone(), typed.get_untracked().trim().to_owned());
            s.change.dispatch(match panel {
                Panel::Role(_, coordinator) => Change::Role {
                    name,
                    coordinator,
                    confirm,
                },
                Panel::Revoke(_) => Change::RevokeWorker { name, confirm },
            });
        }
    };
    let danger = matches!(panel, Panel::Revoke(_));
    view! {
        <form class="confirm-panel" on:submit=submit>
            <p>{move || explanation(a())}</p>
            <label for="confirm-name">{move || a().retype_name} " « " {name.clone()} " »"</label>
            <input id="confirm-name" type="text" autocomplete="off" bind:value=typed />
            <div class="account-actions">
                <button
                    type="submit"
                    class:danger=danger
                    class:primary=!danger
                    disabled=move || s.busy() || !matches()
                >
                    {move || action(a())}
                </button>
                <button type="button" class="secondary" on:click=move |_| s.panel.set(None)>
                    {move || a().cancel}
                </button>
            </div>
        </form>
    }
}

/// One device of `worker`: label, state, last use; revoked with a second tap.
#[component]
fn Device(s: Shared, worker: Memo<Option<WorkerAccount>>, id: i64) -> impl IntoView {
    let device = Memo::new(move |_| {
        worker.with(|w| {
            let w = w.as_ref()?;
            let d = w.devices.iter().find(|d| d.id == id)?.clone();
            Some((d, w.revoked))
        })
    });
    move || {
        device.get().map(|(device, worker_revoked)| {
            view! { <DeviceCard s=s device=device worker_revoked=worker_revoked /> }
        })
    }
}

/// A device as last read.
#[component]
fn DeviceCard(s: Shared, device: DeviceInfo, worker_revoked: bool) -> impl IntoView {
    let a = move || s.a();
    let id = device.id;
    let state = if worker_revoked {
        DeviceState::Revoked
    } else {
        device.state
    };
    let (class, word): (&str, Words) = match state {
        DeviceState::Active => ("badge badge-ok", |a| a.device_active),
        DeviceState::Expired => ("badge badge-warn", |a| a.device_expired),
        DeviceState::Revoked => ("badge badge-danger", |a| a.device_revoked),
    };
    let seen = device.last_seen_ms;
    let created = device.created_ms;
    let label = device.label.clone();
    let label2 = device.label.clone();
    view! {
        <li class="device" data-device=id>
            <div class="device-head">
                <span class="device-label">{label}</span>
                <span class=class>{move || word(a())}</span>
            </div>
            <p class="device-meta">
                {move || match seen {
                    Some(ms) => format!("{} {}", a().last_seen, local_time(ms)),
                    None => a().never_seen.to_owned(),
                }}
                " · "
                {move || format!("{} {}", a().paired_on, local_time(created))}
            </p>
            {(state != DeviceState::Revoked)
                .then(|| {
                    view! {
                        <Show
                            when=move || s.arming.get() == Some(id)
                            fallback=move || {
                                view! {
                                    <button type="button" class="danger small" on:click=move |_| s.arming.set(Some(id))>
                                        {move || a().revoke_device}
                                    </button>
                                }
                            }
                        >
                            <div class="account-actions">
                                <button
                                    type="button"
                                    class="danger small"
                                    disabled=move || s.busy()
                                    on:click=move |_| {
                                        s.change.dispatch(Change::RevokeDevice(id));
                                    }
                                >
                                    {let l = label2.clone(); move || format!("{} « {} »", a().confirm_revoke_device, l)}
                                </button>
                                <button type="button" class="secondary small" on:click=move |_| s.arming.set(None)>
                                    {move || a().cancel}
                                </button>
                            </div>
                        </Show>
                    }
                })}
        </li>
    }
}

/// Brings the code just issued into view (the button may be far down the team's list).
fn show_code() {
    request_animation_frame(|| {
        if let Ok(Some(code)) = document().query_selector(".team-accounts .pairing") {
            code.scroll_into_view();
        }
    });
}

/// « 2026-11-28 22:15 · coordination · Appareil révoqué · poste-nuit (Téléphone bleu) »
fn audit_line(a: &AccountTexts, e: &AuditEntry) -> String {
    let actor = if e.actor == "cli" {
        a.actor_cli
    } else {
        e.actor.as_str()
    };
    let action = match e.action {
        AuditAction::WorkerAdded => a.audit_worker_added,
        AuditAction::CodeIssued => a.audit_code_issued,
        AuditAction::DevicePaired => a.audit_device_paired,
        AuditAction::DeviceRevoked => a.audit_device_revoked,
        AuditAction::WorkerRevoked => a.audit_worker_revoked,
        AuditAction::RoleChanged => a.audit_role_changed,
        AuditAction::SettingChanged => a.audit_setting_changed,
    };
    let detail = e.detail.as_deref().map(|d| match d {
        "coordinator" => a.role_coordinator.to_owned(),
        "worker" => a.role_worker.to_owned(),
        other => other.to_owned(),
    });
    let mut line = format!("{} · {actor} · {action}", local_time(e.at_ms));
    if let Some(worker) = &e.worker {
        line.push_str(" · ");
        line.push_str(worker);
    }
    if let Some(detail) = detail {
        line.push_str(&format!(" ({detail})"));
    }
    line
}

/// `2026-11-28 22:15` in the device's time zone.
fn local_time(ms: i64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        date.get_full_year(),
        date.get_month() + 1,
        date.get_date(),
        date.get_hours(),
        date.get_minutes()
    )
}
