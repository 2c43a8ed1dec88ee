//! « Comptes de l'équipe » (coordinators): the team's workers and their devices (label,
//! last use, expired or revoked), revoking a device or a whole worker, a new pairing code
//! for a replacement phone (text and QR code), adding a worker, changing a role, and the
//! recent account actions.
//!
//! Self-contained: it reads the context (`use_ctx`, `use_open`) and calls `crate::api`,
//! so any screen (or the coordinators' app) can mount it. Making someone a coordinator and
//! revoking a worker ask for the name to be typed again; the server checks it too.

use carnet_core::wire::{
    AuditAction, AuditEntry, DeviceInfo, DeviceState, ErrorCode, Pairing, TeamAccounts,
    WorkerAccount,
};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ClientError};
use crate::i18n::AccountTexts;
use crate::state::{Ctx, use_ctx, use_open};

/// One string of [`AccountTexts`], chosen before the language is known.
type Words = fn(&AccountTexts) -> &'static str;

/// Audit entries fetched at a time.
const AUDIT_PAGE: u32 = 20;

/// What the team list shows.
#[derive(Clone)]
enum Team {
    Loading,
    Loaded(TeamAccounts),
    Failed(&'static str),
}

/// The confirmation panel open under one worker, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Panel {
    /// Make a coordinator (`true`) or not.
    Role(String, bool),
    Revoke(String),
}

/// Everything the component's parts share. All signals: `Copy`.
#[derive(Clone, Copy)]
struct Shared {
    ctx: Ctx,
    token: StoredValue<String>,
    team: RwSignal<Team>,
    audit: RwSignal<Vec<AuditEntry>>,
    older: RwSignal<Option<i64>>,
    pairing: RwSignal<Option<Pairing>>,
    /// The last action's outcome: (is an error, text).
    message: RwSignal<Option<(bool, String)>>,
    panel: RwSignal<Option<Panel>>,
    /// A device whose revocation waits for a second tap.
    arming: RwSignal<Option<i64>>,
    busy: RwSignal<bool>,
}

impl Shared {
    fn a(&self) -> &'static AccountTexts {
        self.ctx.lang().accounts()
    }

    /// Reads the team and the latest audit entries again. (Called after an answer too:
    /// if the app was locked meanwhile, the component is gone and nothing is read.)
    fn reload(self) {
        let Some(token) = self.token.try_get_value() else {
            return;
        };
        spawn_local(async move {
            match api::list_accounts(&token).await {
                Ok(team) => self.team.set(Team::Loaded(team)),
                Err(e) => self.team.set(Team::Failed(self.explain(&e))),
            }
            if let Ok(page) = api::get_audit(&token, AUDIT_PAGE, None).await {
                self.audit.set(page.entries);
                self.older.set(page.next_before);
            }
        });
    }

    fn more_audit(self) {
        let (token, before) = (self.token.get_value(), self.older.get_untracked());
        spawn_local(async move {
            if let Ok(page) = api::get_audit(&token, AUDIT_PAGE, before).await {
                self.audit.update(|a| a.extend(page.entries));
                self.older.set(page.next_before);
            }
        });
    }

    /// Words for a refusal, in the worker's language.
    fn explain(&self, error: &ClientError) -> &'static str {
        let (t, a) = (self.ctx.t(), self.a());
        match (error, error.code()) {
            (_, Some(ErrorCode::WorkerExists)) => t.worker_exists,
            (_, Some(ErrorCode::InvalidWorkerName)) => t.worker_name_invalid,
            (_, Some(ErrorCode::NotFound)) => t.worker_unknown,
            (_, Some(ErrorCode::ConfirmationRequired)) => a.confirm_mismatch,
            (_, Some(ErrorCode::LastCoordinator)) => a.last_coordinator,
            (ClientError::Network | ClientError::Timeout, _) => a.offline,
            (ClientError::Unauthorized | ClientError::Forbidden | ClientError::Expired, _) => {
                a.not_allowed
            }
            _ => t.action_failed,
        }
    }

    /// Runs one change, then says how it went and reads the team again.
    fn run(
        self,
        done: &'static str,
        change: impl std::future::Future<Output = Result<(), ClientError>> + 'static,
    ) {
        self.busy.set(true);
        spawn_local(async move {
            match change.await {
                Ok(()) => {
                    self.message.set(Some((false, done.to_owned())));
                    self.panel.set(None);
                    self.arming.set(None);
                }
                Err(e) => self.message.set(Some((true, self.explain(&e).to_owned()))),
            }
            self.busy.set(false);
            self.reload();
        });
    }

    fn new_code(self, name: String) {
        let token = self.token.get_value();
        self.busy.set(true);
        spawn_local(async move {
            match api::new_pairing(&token, &name).await {
                Ok(pairing) => {
                    self.message.set(None);
                    self.pairing.set(Some(pairing));
                    show_code();
                }
                Err(e) => self.message.set(Some((true, self.explain(&e).to_owned()))),
            }
            self.busy.set(false);
            self.reload();
        });
    }
}

#[component]
pub fn TeamAccounts() -> impl IntoView {
    let ctx = use_ctx();
    let open = use_open();
    let token = open
        .secrets
        .with_untracked(|s| s.token.clone())
        .unwrap_or_default();
    let s = Shared {
        ctx,
        token: StoredValue::new(token),
        team: RwSignal::new(Team::Loading),
        audit: RwSignal::new(Vec::new()),
        older: RwSignal::new(None),
        pairing: RwSignal::new(None),
        message: RwSignal::new(None),
        panel: RwSignal::new(None),
        arming: RwSignal::new(None),
        busy: RwSignal::new(false),
    };
    s.reload();

    view! {
        <section class="team-accounts no-print" aria-labelledby="team-accounts-title">
            <h1 id="team-accounts-title">{move || ctx.t().team_accounts}</h1>
            {move || {
                s.message
                    .get()
                    .map(|(error, text)| {
                        view! {
                            <p role=if error { "alert" } else { "status" } class="flash" class:flash-error=error>
                                {text}
                            </p>
                        }
                    })
            }}
            <PairingCode s=s />
            <AddWorker s=s />
            <div class="team-head">
                <h2>{move || s.a().team_list}</h2>
                <button type="button" class="secondary" on:click=move |_| s.reload()>
                    {move || s.a().refresh}
                </button>
            </div>
            {move || match s.team.get() {
                Team::Loading => view! { <p class="muted">{s.a().loading}</p> }.into_any(),
                Team::Failed(why) => view! { <p role="alert" class="flash flash-error">{why}</p> }.into_any(),
                Team::Loaded(team) => {
                    let days = team.device_expiry_days;
                    view! {
                        <p class="help">{s.a().expiry_note(days)}</p>
                        <ul class="accounts">
                            {team
                                .workers
                                .into_iter()
                                .map(|w| view! { <Account s=s worker=w /> })
                                .collect_view()}
                        </ul>
                    }
                        .into_any()
                }
            }}
            <h2>{move || s.a().audit_title}</h2>
            <ol class="audit" data-testid="audit">
                {move || {
                    s.audit
                        .get()
                        .into_iter()
                        .map(|e| view! { <li>{audit_line(s.a(), &e)}</li> })
                        .collect_view()
                }}
            </ol>
            <Show when=move || s.audit.with(Vec::is_empty)>
                <p class="muted">{move || s.a().audit_empty}</p>
            </Show>
            <Show when=move || s.older.get().is_some()>
                <button type="button" class="secondary wide" on:click=move |_| s.more_audit()>
                    {move || s.a().audit_more}
                </button>
            </Show>
        </section>
    }
}

/// The code just issued, as text and as a QR code of the link that pairs.
#[component]
fn PairingCode(s: Shared) -> impl IntoView {
    move || {
        s.pairing.get().map(|p| {
            view! {
                <div class="pairing" role="status">
                    <p>{s.ctx.t().code_for} " " <strong>{p.worker.clone()}</strong></p>
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
    let ctx = s.ctx;
    let name = RwSignal::new(String::new());
    let coordinator = RwSignal::new(false);
    let confirm = RwSignal::new(String::new());
    let confirmed = move || !coordinator.get() || confirm.get().trim() == name.get().trim();
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !confirmed() {
            s.message
                .set(Some((true, s.a().confirm_mismatch.to_owned())));
            return;
        }
        let token = s.token.get_value();
        let (typed, as_coordinator) = (name.get_untracked(), coordinator.get_untracked());
        let retyped = as_coordinator.then(|| confirm.get_untracked().trim().to_owned());
        s.busy.set(true);
        spawn_local(async move {
            match api::create_worker(&token, typed.trim(), as_coordinator, retyped.as_deref()).await
            {
                Ok(pairing) => {
                    name.set(String::new());
                    confirm.set(String::new());
                    coordinator.set(false);
                    s.message.set(None);
                    s.pairing.set(Some(pairing));
                    show_code();
                }
                Err(e) => s.message.set(Some((true, s.explain(&e).to_owned()))),
            }
            s.busy.set(false);
            s.reload();
        });
    };
    view! {
        <form class="field add-worker" on:submit=add>
            <h2>{move || s.a().add_title}</h2>
            <label for="worker-name">{move || ctx.t().worker_name}</label>
            <input
                id="worker-name"
                type="text"
                autocomplete="off"
                maxlength="64"
                prop:value=move || name.get()
                on:input=move |ev| name.set(event_target_value(&ev))
            />
            <label class="check">
                <input
                    type="checkbox"
                    prop:checked=move || coordinator.get()
                    on:change=move |ev| coordinator.set(event_target_checked(&ev))
                />
                <span>{move || ctx.t().is_coordinator}</span>
            </label>
            <Show when=move || coordinator.get()>
                <p class="help">{move || s.a().coordinator_warning}</p>
                <label for="worker-name-again">{move || s.a().retype_name}</label>
                <input
                    id="worker-name-again"
                    type="text"
                    autocomplete="off"
                    prop:value=move || confirm.get()
                    on:input=move |ev| confirm.set(event_target_value(&ev))
                />
            </Show>
            <button
                type="submit"
                class="primary wide"
                disabled=move || s.busy.get() || name.get().trim().is_empty() || !confirmed()
            >
                {move || ctx.t().add_worker}
            </button>
        </form>
    }
}

/// One worker: name, role, devices, and what a coordinator may do with the account.
#[component]
fn Account(s: Shared, worker: WorkerAccount) -> impl IntoView {
    let a = move || s.a();
    let name = worker.name.clone();
    let coordinator = worker.role == "coordinator";
    let revoked = worker.revoked;
    let devices = worker.devices.clone();
    let no_device = devices.is_empty();
    let (n1, n2, n3, n4) = (name.clone(), name.clone(), name.clone(), name.clone());
    view! {
        <li class="account" class:revoked=revoked data-worker=name.clone()>
            <div class="account-head">
                <strong class="account-name">{name.clone()}</strong>
                <span class="badge" class:badge-accent=coordinator>
                    {move || if coordinator { a().role_coordinator } else { a().role_worker }}
                </span>
                {revoked.then(|| view! { <span class="badge badge-danger">{move || a().account_revoked}</span> })}
            </div>
            <ul class="devices">
                {devices
                    .into_iter()
                    .map(|d| view! { <Device s=s device=d worker_revoked=revoked /> })
                    .collect_view()}
            </ul>
            {no_device.then(|| view! { <p class="muted">{move || a().no_device}</p> })}
            {(!revoked)
                .then(|| {
                    view! {
                        <div class="account-actions">
                            <button
                                type="button"
                                disabled=move || s.busy.get()
                                on:click=move |_| s.new_code(n1.clone())
                            >
                                {move || a().replacement_code}
                            </button>
                            <button
                                type="button"
                                class="secondary"
                                on:click=move |_| s.panel.set(Some(Panel::Role(n2.clone(), !coordinator)))
                            >
                                {move || if coordinator { a().make_worker } else { a().make_coordinator }}
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
                })}
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
        let (name, panel, matches) = (name.clone(), panel.clone(), matches.clone());
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if !matches() {
                s.message.set(Some((true, a().confirm_mismatch.to_owned())));
                return;
            }
            let token = s.token.get_value();
            let (name, retyped) = (name.clone(), typed.get_untracked().trim().to_owned());
            match panel.clone() {
                Panel::Role(_, to_coordinator) => s.run(a().role_changed, async move {
                    api::change_role(&token, &name, to_coordinator, &retyped).await
                }),
                Panel::Revoke(_) => s.run(a().account_revoked_done, async move {
                    api::revoke_worker(&token, &name, &retyped).await
                }),
            }
        }
    };
    let danger = matches!(panel, Panel::Revoke(_));
    view! {
        <form class="confirm-panel" on:submit=submit>
            <p>{move || explanation(a())}</p>
            <label for="confirm-name">{move || a().retype_name} " « " {name.clone()} " »"</label>
            <input
                id="confirm-name"
                type="text"
                autocomplete="off"
                prop:value=move || typed.get()
                on:input=move |ev| typed.set(event_target_value(&ev))
            />
            <div class="account-actions">
                <button
                    type="submit"
                    class:danger=danger
                    class:primary=!danger
                    disabled=move || s.busy.get() || !matches()
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

/// One device: label, state, last use; revoked with a second tap.
#[component]
fn Device(s: Shared, device: DeviceInfo, worker_revoked: bool) -> impl IntoView {
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
                                    disabled=move || s.busy.get()
                                    on:click=move |_| {
                                        let token = s.token.get_value();
                                        s.run(a().device_revoked_done, async move {
                                            api::revoke_device(&token, id).await
                                        })
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
