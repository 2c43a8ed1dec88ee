//! « Mes chiffres » (the worker's own figures, offline, from the device's records) and, for
//! coordinators, « Rapport de l'équipe » (the server's report, CSV, print). Both render the
//! same `carnet_core::Report`.

use std::sync::Arc;

use carnet_core::{ListKind, Record, Report, ReportFilter};
use chrono::{Datelike, Duration, NaiveDate};
use leptos::prelude::*;

use crate::figures_cache::{self, ServerFigures};
use crate::i18n::Texts;
use crate::platform;
use crate::state::{use_ctx, use_open};
use crate::ui::use_fetch::use_fetch;
use crate::ui::widgets::{DateField, RadioChip};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Period {
    Shift,
    Today,
    Week,
    Month,
    Year,
    Custom,
}

/// The date range of a period ending today (the shift is handled by time, not dates).
fn range(period: Period, today: NaiveDate) -> (NaiveDate, NaiveDate) {
    match period {
        Period::Shift | Period::Today | Period::Custom => (today, today),
        Period::Week => (
            today - Duration::days(i64::from(today.weekday().num_days_from_monday())),
            today,
        ),
        Period::Month => (today.with_day(1).unwrap_or(today), today),
        Period::Year => (today.with_ordinal(1).unwrap_or(today), today),
    }
}

#[component]
pub fn Figures() -> impl IntoView {
    let ctx = use_ctx();
    let open = use_open();
    let book = RwSignal::from(open.book.clone());
    let profile = RwSignal::from(open.profile.clone());
    let period = RwSignal::new(Period::Today);
    let today = platform::today();
    let from = RwSignal::new(today.with_day(1).unwrap_or(today));
    let to = RwSignal::new(today);

    // The period's first and last day.
    let days = Memo::new(move |_| {
        let chosen = period.get();
        let (start, end) = match chosen {
            Period::Custom => (from.get(), to.get()),
            other => range(other, platform::today()),
        };
        (start.min(end), start.max(end))
    });
    // Reaching back to days whose records the phone no longer keeps: the figures come
    // from the server.
    let beyond = Memo::new(move |_| {
        let pruned = profile.with(|p| p.pruned_through);
        pruned.is_some_and(|through| days.get().0 <= through)
    });

    // The older records are still being read from their blocks (just after unlocking):
    // figures reaching back that far wait for them rather than show too little.
    let complete = RwSignal::from(open.complete.clone());
    let waiting = Memo::new(move |_| {
        !complete.get()
            && days.get().0 < platform::today() - Duration::days(crate::retention::LOOSE_DAYS)
    });

    // Shared with the views through `Arc`: each read of `report` below copied it whole.
    let local = Memo::new(move |_| {
        if waiting.get() {
            return Arc::default();
        }
        crate::bench::mark("figures:start");
        let now = platform::now();
        let chosen = period.get();
        let (start, end) = days.get();
        // A shift is twelve hours back from now, which may begin the day before: its days'
        // records are read and kept by time. Other periods are whole days, which the
        // book's index and the filter select without looking at each record's time twice.
        let shift = matches!(chosen, Period::Shift);
        let filter = ReportFilter {
            from: if shift {
                start - Duration::days(1)
            } else {
                start
            },
            to: if shift { end + Duration::days(1) } else { end },
            programs: None,
        };
        book.with(|all| {
            let shift_start = now - Duration::hours(12);
            let in_period = |r: &&Record| {
                let at = r.occurred_at();
                !shift || (at >= shift_start && at <= now)
            };
            // Only the period's days are read: the index keeps « Mes chiffres » cheap on a
            // full phone.
            let report = Report::compute_without_cross_tables(
                all.days(filter.from, filter.to)
                    .map(|x| &x.record)
                    .filter(in_period),
                &filter,
            );
            crate::bench::mark("figures:done");
            Arc::new(report)
        })
    });

    let secrets = RwSignal::from(open.secrets.clone());
    // The period to ask the server for, if any: the only signal `server` reads. (Reading
    // `beyond` and `days` separately would miss changes of `days`: both derive from it.)
    let wanted = Memo::new(move |_| beyond.get().then(|| days.get()));
    let server = use_fetch(move || {
        let wanted = wanted.get();
        let who = profile.get_untracked();
        let token = secrets.with_untracked(|s| s.token.clone());
        async move {
            let (start, end) = wanted?;
            let figures = figures_cache::fetch_or_kept(&who, token.as_deref(), start, end).await;
            Some(((start, end), figures))
        }
    });
    // The server's figures for the period on screen; `None` while they are asked for (the
    // last period's stay in `server` meanwhile).
    let fetched = Memo::new(move |_| {
        server.with(|answer| match answer {
            Some(Some((period, figures))) if Some(*period) == wanted.get() => Some(figures.clone()),
            _ => None,
        })
    });
    let report = Signal::derive(move || {
        if beyond.get() {
            fetched
                .with(|f| f.as_ref().and_then(ServerFigures::report).cloned())
                .unwrap_or_default()
        } else {
            local.get()
        }
    });
    let note = move || {
        if !beyond.get() {
            return waiting
                .get()
                .then(|| ctx.t().figures_loading_older.to_owned());
        }
        let lang = ctx.lang();
        let kept = profile.with(|p| p.retention_days);
        Some(fetched.with(|f| match f {
            None => lang.t().figures_loading.to_owned(),
            Some(ServerFigures::Fresh(_)) => lang.figures_from_server(kept),
            Some(ServerFigures::Cached(_, at)) => {
                let day = chrono::DateTime::from_timestamp_millis(*at)
                    .map(|d| d.date_naive())
                    .unwrap_or_default();
                lang.figures_cached(&lang.day_title(day))
            }
            Some(ServerFigures::Unavailable) => lang.figures_unavailable(kept),
        }))
    };

    let chip = move |value: Period, label: fn(&Texts) -> &'static str| {
        view! {
            <RadioChip
                name="period"
                label=Signal::derive(move || label(ctx.t()).to_owned())
                checked=Signal::derive(move || period.get() == value)
                on_select=Callback::new(move |()| period.set(value))
            />
        }
    };

    view! {
        <section class="figures">
            <h1>{move || ctx.t().figures_title}</h1>
            <fieldset class="group no-print">
                <legend>{move || ctx.t().period}</legend>
                <div class="chips">
                    {chip(Period::Shift, |t| t.period_shift)}
                    {chip(Period::Today, |t| t.period_today)}
                    {chip(Period::Week, |t| t.period_week)}
                    {chip(Period::Month, |t| t.period_month)}
                    {chip(Period::Year, |t| t.period_year)}
                    {chip(Period::Custom, |t| t.period_custom)}
                </div>
            </fieldset>
            <Show when=move || period.get() == Period::Custom>
                <DateRange from=from to=to />
            </Show>
            {move || note().map(|n| view! { <p class="help" data-testid="figures-source">{n}</p> })}
            <ReportView report=report />
            // The team's figures, the annual report, the lists and the accounts are the
            // coordinator's app, on a computer: its code is not in the phone's download.
            <Show when=move || profile.with(|p| p.coordinator)>
                <p class="coordination-link no-print">
                    <a href="/coordination/" target="_blank" rel="noopener">
                        {move || ctx.t().open_coordination}
                    </a>
                </p>
            </Show>
        </section>
    }
}

#[component]
pub fn DateRange(from: RwSignal<NaiveDate>, to: RwSignal<NaiveDate>) -> impl IntoView {
    let ctx = use_ctx();
    let label =
        move |text: fn(&Texts) -> &'static str| Signal::derive(move || text(ctx.t()).to_owned());
    view! {
        <div class="date-range">
            <DateField id="from".to_owned() label=label(|t| t.date_from) value=from />
            <DateField id="to".to_owned() label=label(|t| t.date_to) value=to />
        </div>
    }
}

/// Every table of a report: numbers first, then bar charts.
#[component]
pub fn ReportView(report: Signal<Arc<Report>>) -> impl IntoView {
    let ctx = use_ctx();
    let label = move |kind: ListKind, code: &str| ctx.label(kind, code);
    let table = move |title: fn(&Texts) -> &'static str,
                      kind: ListKind,
                      pick: fn(&Report) -> Vec<(String, u64)>| {
        move || {
            let rows: Vec<(String, u64)> = report
                .with(|r| pick(r))
                .into_iter()
                .map(|(code, n)| (label(kind, &code), n))
                .collect();
            (!rows.is_empty()).then(|| {
                view! {
                    <div class="chart-block">
                        <h2>{title(ctx.t())}</h2>
                        <Bars rows=rows />
                    </div>
                }
            })
        }
    };
    fn counts(map: &std::collections::BTreeMap<String, u32>) -> Vec<(String, u64)> {
        map.iter()
            .map(|(k, v)| (k.clone(), u64::from(*v)))
            .collect()
    }
    let web = move || {
        let t = ctx.t();
        let rows: Vec<(String, u64)> = report.with(|r| {
            r.web
                .iter()
                .map(|w| {
                    let direction = match w.direction {
                        Some(carnet_core::Direction::Sent) => t.dir_sent,
                        Some(carnet_core::Direction::Received) => t.dir_received,
                        None => "",
                    };
                    (
                        format!("{} {direction}", label(ListKind::Platforms, &w.platform)),
                        u64::from(w.messages),
                    )
                })
                .collect()
        });
        (!rows.is_empty()).then(|| {
            view! {
                <div class="chart-block">
                    <h2>{t.web_messages}</h2>
                    <Bars rows=rows />
                </div>
            }
        })
    };
    view! {
        <div class="report">
            <div class="stats" data-testid="figures">
                <p class="stat">
                    <span class="stat-value" data-testid="persons">{move || ctx.lang().count(report.with(|r| r.persons).into())}</span>
                    <span class="stat-label">{move || ctx.t().persons}</span>
                </p>
                <p class="stat">
                    <span class="stat-value" data-testid="interventions">
                        {move || ctx.lang().count(report.with(|r| r.interventions).into())}
                    </span>
                    <span class="stat-label">{move || ctx.t().interventions}</span>
                </p>
                <p class="stat">
                    <span class="stat-value" data-testid="new-persons">{move || ctx.lang().count(report.with(|r| r.new_persons).into())}</span>
                    <span class="stat-label">{move || ctx.t().new_persons}</span>
                </p>
            </div>
            {move || {
                report
                    .with(|r| r.interventions == 0 && r.activities.is_empty())
                    .then(|| view! { <p class="muted">{ctx.t().nothing_in_period}</p> })
            }}
            {table(|t| t.per_reality, ListKind::Realities, |r| counts(&r.interventions_by_reality))}
            {table(|t| t.by_type, ListKind::InterventionTypes, |r| counts(&r.interventions_by_type))}
            {table(|t| t.by_milieu, ListKind::Milieux, |r| counts(&r.interventions_by_milieu))}
            {table(|t| t.by_age, ListKind::AgeGroups, |r| counts(&r.persons_by_age_group))}
            {table(|t| t.by_gender, ListKind::Genders, |r| counts(&r.persons_by_gender))}
            {table(|t| t.by_status, ListKind::Statuses, |r| counts(&r.persons_by_status))}
            {table(|t| t.by_occupation, ListKind::Occupations, |r| counts(&r.persons_by_occupation))}
            {table(|t| t.venues_visited, ListKind::Milieux, |r| counts(&r.venues_visited_by_milieu))}
            {table(|t| t.material, ListKind::Materials, |r| r.material.iter().map(|(k, v)| (k.clone(), *v)).collect())}
            {table(|t| t.referrals_made, ListKind::Partners, |r| counts(&r.referrals))}
            {web}
            {table(|t| t.activities, ListKind::ActivityKinds, |r| counts(&r.activities))}
            {move || {
                let n = report.with(|r| r.workshop_participants);
                (n > 0).then(|| view! { <p class="kv-line">{ctx.t().workshop_participants} " : " <strong>{ctx.lang().count(n)}</strong></p> })
            }}
        </div>
    }
}

/// A horizontal bar chart in inline SVG: no chart library, prints cleanly, readable at 360 px.
/// Each label sits above its bar, so a long label never runs into it at any width. The
/// chart's text alternative is its rows in words (« Santé : 849 ; … »), for screen readers.
#[component]
pub fn Bars(rows: Vec<(String, u64)>) -> impl IntoView {
    const ROW: usize = 40;
    let lang = use_ctx().lang();
    let max = rows.iter().map(|r| r.1).max().unwrap_or(1).max(1);
    let height = rows.len() * ROW;
    let spoken = rows
        .iter()
        .map(|(label, n)| format!("{label}\u{a0}: {}", lang.count(*n)))
        .collect::<Vec<_>>()
        .join(" ; ");
    let bars = rows
        .into_iter()
        .enumerate()
        .map(|(i, (label, n))| {
            let y = i * ROW;
            // Bars use the left 80% of the width; the number sits at the right. Tenths of a
            // percent in integers: float formatting would weigh on the download.
            let tenths = 800 * n / max;
            let width = format!("{}.{}%", tenths / 10, tenths % 10);
            view! {
                <g>
                    <text x="0" y=y + 15 class="bar-text">{label}</text>
                    <rect x="0" y=y + 21 height="12" rx="4" width=width class="bar-rect"></rect>
                    <text x="100%" y=y + 33 text-anchor="end" class="bar-num">{lang.count(n)}</text>
                </g>
            }
        })
        .collect_view();
    view! {
        <svg class="chart" width="100%" height=height role="img" aria-label=spoken xmlns="http://www.w3.org/2000/svg">
            {bars}
        </svg>
    }
}
