//! Whether a period's figures may still change: the banner « Rapport de l'équipe »,
//! « Équipe » and « Rapport annuel » show above their figures, and (on « Équipe ») the
//! devices behind it, from the server's `/completeness`.
//!
//! ```ignore
//! // Shown period: the banner only when something may still come.
//! view! { <CompletenessBanner period=shown /> }
//! // With the devices listed (worker, device, last sync, waiting, version).
//! view! { <CompletenessBanner period=shown details=true /> }
//! ```

use carnet_core::completeness::{Doubt, DoubtfulDevice};
use carnet_core::wire::{CompletenessResponse, DeviceState};
use chrono::NaiveDate;
use leptos::prelude::*;

use crate::api;
use crate::coordination::scope::short_period;
use crate::coordination::texts::workers::{WorkerTexts, workers};
use crate::i18n::Lang;
use crate::state::{use_ctx, use_open};
use crate::ui::use_fetch::use_fetch;

/// The period's completeness, asked again whenever `period` changes (`None`: no period
/// shown yet, nothing asked). `details` lists the devices; without it, only the banner (or,
/// with `say_complete`, the sentence that says the figures are complete, as the printed
/// annual report does).
#[component]
pub fn CompletenessBanner(
    period: Signal<Option<(NaiveDate, NaiveDate)>>,
    #[prop(optional)] details: bool,
    #[prop(optional)] say_complete: bool,
) -> impl IntoView {
    let ctx = use_ctx();
    let secrets = RwSignal::from(use_open().secrets.clone());
    let answer = use_fetch(move || {
        let wanted = period.get();
        let token = secrets
            .with_untracked(|s| s.token.clone())
            .unwrap_or_default();
        async move {
            let (from, to) = wanted?;
            Some(api::get_completeness(&token, from, to).await)
        }
    });
    move || {
        let t = workers(ctx.lang());
        let (from, to) = period.get()?;
        let label = period_words(ctx.lang(), from, to);
        Some(match answer.get() {
            None | Some(None) => view! { <p class="muted completeness-checking">{t.checking}</p> }.into_any(),
            Some(Some(Err(_))) => view! {
                <p class="banner warn" role="status" data-testid="completeness-banner">{t.check_failed}</p>
            }
            .into_any(),
            Some(Some(Ok(c))) if c.completeness.is_complete() => {
                let list = details.then(|| view! { <DeviceLists answer=c.clone() /> });
                (details || say_complete)
                    .then(|| {
                        view! {
                            <p class="complete-note" data-testid="completeness-complete">{t.complete}</p>
                            {list}
                        }
                    })
                    .into_any()
            }
            Some(Some(Ok(c))) => {
                let banner = banner_text(t, &c, &label);
                let list = details.then(|| view! { <DeviceLists answer=c.clone() /> });
                view! {
                    <p class="banner warn" role="status" data-testid="completeness-banner">{banner}</p>
                    {list}
                }
                .into_any()
            }
        })
    }
}

/// « mars 2026 », « 2019-2020 », « 2026-03-01 – 2026-03-15 »: the period as the banner
/// names it.
fn period_words(lang: Lang, from: NaiveDate, to: NaiveDate) -> String {
    use chrono::Datelike;
    let whole_month = from.day() == 1
        && to.month() == from.month()
        && to.year() == from.year()
        && to.succ_opt().is_some_and(|d| d.day() == 1);
    if whole_month {
        let date = lang.date(from);
        // « 1 mars 2026 » → « mars 2026 »; "March 1, 2026" → "March 2026".
        return match lang {
            Lang::Fr => date.trim_start_matches("1 ").to_owned(),
            Lang::En => date.replace(" 1,", ""),
        };
    }
    short_period(from, to)
}

fn banner_text(t: &WorkerTexts, c: &CompletenessResponse, period: &str) -> String {
    let with = |doubt: Doubt| {
        c.completeness
            .pending
            .iter()
            .filter(|d| d.doubts.contains(&doubt))
            .count()
    };
    let silent = with(Doubt::NotSyncedSinceEnd);
    let waiting = c
        .completeness
        .pending
        .iter()
        .filter(|d| {
            d.doubts.contains(&Doubt::WaitingInPeriod)
                && !d.doubts.contains(&Doubt::NotSyncedSinceEnd)
        })
        .count();
    let others = c
        .completeness
        .pending
        .iter()
        .filter(|d| {
            !d.doubts.contains(&Doubt::NotSyncedSinceEnd)
                && !d.doubts.contains(&Doubt::WaitingInPeriod)
        })
        .count();
    let since = c
        .completeness
        .silent_since_ms()
        .and_then(chrono::DateTime::from_timestamp_millis)
        .map(|at| t.lang.date(at.date_naive()));
    t.banner(
        silent,
        since,
        waiting,
        others,
        c.completeness.lost.len(),
        period,
    )
}

/// The devices behind the banner: those that may still send records, then those that
/// never will.
#[component]
fn DeviceLists(answer: CompletenessResponse) -> impl IntoView {
    let ctx = use_ctx();
    let t = workers(ctx.lang());
    let build = answer.server_build.clone();
    let rows = |devices: &[DoubtfulDevice]| {
        devices
            .iter()
            .map(|d| view! { <DeviceRow device=d.clone() server_build=build.clone() /> })
            .collect_view()
    };
    let pending = (!answer.completeness.pending.is_empty()).then(|| {
        view! {
            <section class="devices" aria-labelledby="devices-title" data-testid="completeness-pending">
                <h2 class="section-title" id="devices-title">{t.devices_title}</h2>
                <p class="help">
                    {t.devices_intro} " ("
                    {format!("{} {}", ctx.lang().count(u64::from(answer.completeness.active_devices)), t.of_active)}
                    ")"
                </p>
                <ul class="device-list">{rows(&answer.completeness.pending)}</ul>
            </section>
        }
    });
    let lost = (!answer.completeness.lost.is_empty()).then(|| {
        view! {
            <section class="devices" aria-labelledby="lost-title" data-testid="completeness-lost">
                <h2 class="section-title" id="lost-title">{t.lost_title}</h2>
                <p class="help">{t.lost_intro}</p>
                <ul class="device-list">{rows(&answer.completeness.lost)}</ul>
            </section>
        }
    });
    let unpaired = (!answer.never_seen.is_empty()).then(|| {
        view! {
            <p class="help" data-testid="completeness-unpaired">
                {t.never_seen} " " {answer.never_seen.join(", ")}
            </p>
        }
    });
    view! { {pending} {lost} {unpaired} }
}

#[component]
fn DeviceRow(device: DoubtfulDevice, server_build: Option<String>) -> impl IntoView {
    let ctx = use_ctx();
    let lang = ctx.lang();
    let t = workers(lang);
    let d = &device.device;
    let day =
        |ms: i64| chrono::DateTime::from_timestamp_millis(ms).map(|at| lang.date(at.date_naive()));
    let last_sync = d
        .last_sync_ms
        .and_then(day)
        .unwrap_or_else(|| t.never.to_owned());
    let waiting = d
        .report
        .as_ref()
        .map(|r| t.waiting_since(r.waiting, r.oldest_waiting.map(|day| lang.date(day))));
    let version = match (&d.report, &server_build) {
        (None, _) => t.build_unknown.to_owned(),
        (Some(r), Some(b)) if r.build == *b => format!("{} ({})", short(&r.build), t.build_current),
        (Some(r), Some(_)) => format!("{} ({})", short(&r.build), t.build_other),
        (Some(r), None) => short(&r.build).to_owned(),
    };
    let state = match d.state {
        DeviceState::Active => None,
        DeviceState::Revoked => Some(t.revoked),
        DeviceState::Expired => Some(t.expired),
    };
    let doubts = device
        .doubts
        .iter()
        .map(|doubt| t.doubt(*doubt))
        .collect::<Vec<_>>()
        .join(if lang == Lang::Fr { " ; " } else { "; " });
    view! {
        <li class="device" data-testid="completeness-device" data-worker=d.worker.clone()>
            <p class="device-head">
                <strong>{d.worker.clone()}</strong>
                " — "
                <span>{d.label.clone()}</span>
                {state.map(|s| view! { <span class="badge">{s}</span> })}
            </p>
            <p class="device-why">{doubts}</p>
            <dl class="device-facts">
                <div><dt>{t.last_sync}</dt><dd>{last_sync}</dd></div>
                {waiting.map(|w| view! { <div><dt>{t.waiting}</dt><dd>{w}</dd></div> })}
                <div><dt>{t.build}</dt><dd>{version}</dd></div>
            </dl>
        </li>
    }
}

/// A build's first eight characters: enough to tell two apart on screen.
fn short(build: &str) -> &str {
    build.get(..8).unwrap_or(build)
}
