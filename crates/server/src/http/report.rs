//! `/report` (every table of the annual report, as JSON, CSV or a spreadsheet, optionally
//! beside another period), `/tallies` (each worker's figures), and what a coordinator
//! checks before publishing a period: `/team` (each worker's figures side by side, with
//! the team's) and `/completeness` (which phones may still hold records of it).

use std::sync::Arc;

use axum::Extension;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use carnet_core::completeness::{Completeness, DeviceSeen};
use carnet_core::team::{TeamRow, TeamTable};
use carnet_core::wire::{
    Comparison, CompletenessResponse, ErrorCode, ReportResponse, Tallies, TeamResponse, WorkerTally,
};
use carnet_core::{Report, ReportFilter, Taxonomy};

use super::error::Failure;
use super::extract::{Authed, Coordinator, Expected, Query};
use super::state::AppState;
use crate::assets::AppBuild;
use crate::store::{Caller, Role, Store, WorkerId, now_ms};

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/report", get(report))
        .route("/tallies", get(tallies))
        .route("/team", get(team))
        .route("/completeness", get(completeness))
}

/// Query of `GET /api/v1/report` and `GET /api/v1/tallies`.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ReportQuery {
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
    /// A program, a program group, or several of either separated by commas.
    #[serde(default)]
    program: Option<String>,
    #[serde(default)]
    worker: Option<String>,
    #[serde(default)]
    format: Option<String>,
    /// Another period to put side by side (both or neither).
    #[serde(default)]
    compare_from: Option<chrono::NaiveDate>,
    #[serde(default)]
    compare_to: Option<chrono::NaiveDate>,
}

impl Expected for ReportQuery {
    const EXPECTED: &'static str = "from=YYYY-MM-DD&to=YYYY-MM-DD[&program=CODE,…][&worker=…][&format=csv|xlsx][&compare_from=…&compare_to=…]";
}

fn invalid_query(message: impl Into<String>) -> Failure {
    Failure::new(ErrorCode::InvalidQuery, message)
}

/// What `GET /api/v1/report` answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Csv,
    Xlsx,
}

impl ReportQuery {
    fn filter(&self, taxonomy: &Taxonomy) -> Result<ReportFilter, Failure> {
        if self.from > self.to {
            return Err(invalid_query("`from` is after `to`"));
        }
        let programs = taxonomy
            .resolve_programs(self.program.as_deref().unwrap_or(""))
            .map_err(|e| Failure::new(ErrorCode::UnknownProgram, e.to_string()))?;
        Ok(ReportFilter {
            from: self.from,
            to: self.to,
            programs,
        })
    }

    /// The period to compare with, same programs.
    fn compare_filter(&self, filter: &ReportFilter) -> Result<Option<ReportFilter>, Failure> {
        match (self.compare_from, self.compare_to) {
            (None, None) => Ok(None),
            (Some(from), Some(to)) if from <= to => Ok(Some(ReportFilter {
                from,
                to,
                programs: filter.programs.clone(),
            })),
            (Some(_), Some(_)) => Err(invalid_query("`compare_from` is after `compare_to`")),
            _ => Err(invalid_query(
                "give both `compare_from` and `compare_to`, or neither",
            )),
        }
    }

    fn format(&self) -> Result<Format, Failure> {
        match self.format.as_deref() {
            None | Some("json") => Ok(Format::Json),
            Some("csv") => Ok(Format::Csv),
            Some("xlsx") => Ok(Format::Xlsx),
            Some(other) => Err(invalid_query(format!(
                "unknown format `{other}`; use json, csv or xlsx"
            ))),
        }
    }
}

/// Whose records a caller may read: a worker only its own; a coordinator everyone's, or
/// the named worker's.
async fn scope(
    store: &Store,
    caller: Caller,
    worker: Option<&str>,
) -> Result<Option<(WorkerId, String)>, Failure> {
    let own = store.worker_name(caller.worker).await?;
    match (caller.role, worker) {
        (Role::Worker, None) => Ok(Some((caller.worker, own))),
        (Role::Worker, Some(name)) if name == own => Ok(Some((caller.worker, own))),
        (Role::Worker, Some(_)) => Err(Failure::new(
            ErrorCode::Forbidden,
            "a worker token reads only its own figures",
        )),
        (Role::Coordinator, None) => Ok(None),
        (Role::Coordinator, Some(name)) => match store.worker_by_name(name).await? {
            Some(id) => Ok(Some((id, name.to_owned()))),
            None => Err(Failure::not_found("no such worker")),
        },
    }
}

/// The latest records of a period (of one worker, or all): the only ones its figures
/// count, read through the store's index of local days rather than every record.
async fn period_records(
    store: &Store,
    worker: Option<WorkerId>,
    filter: &ReportFilter,
) -> Result<Vec<(WorkerId, carnet_core::Record)>, Failure> {
    Ok(store
        .latest_records_in(worker, filter.from, filter.to)
        .await?)
}

/// A period's records put with their workers, once: each worker's figures count theirs.
fn by_worker(
    records: &[(WorkerId, carnet_core::Record)],
) -> std::collections::HashMap<WorkerId, Vec<&carnet_core::Record>> {
    let mut by_worker: std::collections::HashMap<WorkerId, Vec<&carnet_core::Record>> =
        std::collections::HashMap::new();
    for (worker, record) in records {
        by_worker.entry(*worker).or_default().push(record);
    }
    by_worker
}

/// `GET /api/v1/report`: every table of the annual report, as JSON, CSV or a spreadsheet,
/// optionally beside another period.
async fn report(
    State(state): State<Arc<AppState>>,
    Authed(caller): Authed,
    Query(query): Query<ReportQuery>,
) -> Result<Response, Failure> {
    let taxonomy = state.taxonomy().await?;
    let filter = query.filter(&taxonomy)?;
    let compare_filter = query.compare_filter(&filter)?;
    let format = query.format()?;
    let who = scope(&state.store, caller, query.worker.as_deref()).await?;
    let worker = who.as_ref().map(|w| w.0);
    // Both periods at once; each reads only the months not kept (`report_cache`).
    let (report, other) =
        tokio::try_join!(state.reports.report(&state.store, worker, &filter), async {
            match &compare_filter {
                Some(f) => Ok(Some(state.reports.report(&state.store, worker, f).await?)),
                None => Ok(None),
            }
        })?;
    let compare = compare_filter.zip(other).map(|(filter, other)| Comparison {
        differences: carnet_core::report::differences(&report, &other),
        filter,
        report: other,
    });
    let response = ReportResponse {
        filter,
        worker: who.map(|w| w.1),
        report,
        compare,
    };
    let name = format!(
        "carnet-rapport-{}-{}",
        response.filter.from, response.filter.to
    );
    Ok(match format {
        Format::Json => Json(response).into_response(),
        Format::Csv => {
            let csv = match &response.compare {
                Some(c) => carnet_core::report::differences_csv(&c.differences),
                None => response.report.to_csv(),
            };
            attachment(&name, "text/csv; charset=utf-8", "csv", csv.into_bytes())
        }
        Format::Xlsx => {
            let bytes = crate::xlsx::workbook(&response, &taxonomy).map_err(Failure::internal)?;
            attachment(&name, crate::xlsx::CONTENT_TYPE, "xlsx", bytes)
        }
    })
}

/// `GET /api/v1/tallies`: each worker's figures (coordinators), or the caller's own.
async fn tallies(
    State(state): State<Arc<AppState>>,
    Authed(caller): Authed,
    Query(query): Query<ReportQuery>,
) -> Result<Json<Tallies>, Failure> {
    let filter = query.filter(&*state.taxonomy().await?)?;
    if query.compare_filter(&filter)?.is_some() || query.format()? != Format::Json {
        return Err(invalid_query(
            "tallies come as JSON for one period; use /report to compare or export",
        ));
    }
    let who = scope(&state.store, caller, query.worker.as_deref()).await?;
    // One worker's figures (a phone's « Mes chiffres » beyond its retention) are that
    // worker's report, from the months kept for that worker as `/report` reads them.
    if let Some((id, name)) = who {
        let report = state
            .reports
            .report(&state.store, Some(id), &filter)
            .await?;
        let workers = vec![WorkerTally {
            worker: name,
            report,
        }];
        return Ok(Json(Tallies { filter, workers }));
    }
    let names = state.store.workers().await?;
    let records = period_records(&state.store, None, &filter).await?;
    let compute_filter = filter.clone();
    let workers = tokio::task::spawn_blocking(move || {
        let by_worker = by_worker(&records);
        names
            .into_iter()
            .map(|(id, name)| WorkerTally {
                worker: name,
                report: Report::compute(
                    by_worker.get(&id).into_iter().flatten().copied(),
                    &compute_filter,
                ),
            })
            .collect::<Vec<_>>()
    })
    .await
    .map_err(Failure::internal)?;
    Ok(Json(Tallies { filter, workers }))
}

/// `GET /api/v1/team` (coordinators): a row per worker (every active worker, and a revoked
/// one who logged records in the period) with the team's figures as the total, as JSON,
/// CSV or a spreadsheet.
async fn team(
    State(state): State<Arc<AppState>>,
    _: Coordinator,
    Query(query): Query<ReportQuery>,
) -> Result<Response, Failure> {
    let taxonomy = state.taxonomy().await?;
    let filter = query.filter(&taxonomy)?;
    if query.compare_filter(&filter)?.is_some() || query.worker.is_some() {
        return Err(invalid_query(
            "the team's table is for one period and every worker; use /report for one worker or a comparison",
        ));
    }
    let format = query.format()?;
    let (accounts, _) = state.store.accounts(now_ms()).await?;
    let workers = state.store.workers().await?;
    // Each worker's row and the team's, from the team's kept months.
    let period = state.reports.period(&state.store, None, &filter).await?;
    let table = tokio::task::spawn_blocking(move || {
        let revoked: std::collections::HashSet<&str> = accounts
            .iter()
            .filter(|a| a.revoked)
            .map(|a| a.name.as_str())
            .collect();
        let mut rows: Vec<TeamRow> = workers
            .iter()
            .filter_map(|(id, name)| period.worker_row(*id, name))
            .filter(|row| {
                !revoked.contains(row.worker.as_str())
                    || row.interventions > 0
                    || row.activities > 0
            })
            .collect();
        rows.sort_by_key(|row| row.worker.to_lowercase());
        let total = TeamRow::of("", &period.report(false));
        TeamTable { rows, total }
    })
    .await
    .map_err(Failure::internal)?;
    let response = TeamResponse { filter, table };
    let name = format!(
        "carnet-equipe-{}-{}",
        response.filter.from, response.filter.to
    );
    Ok(match format {
        Format::Json => Json(response).into_response(),
        Format::Csv => attachment(
            &name,
            "text/csv; charset=utf-8",
            "csv",
            team_csv(&response.table).into_bytes(),
        ),
        Format::Xlsx => {
            let bytes =
                crate::xlsx::team_workbook(&response, &taxonomy).map_err(Failure::internal)?;
            attachment(&name, crate::xlsx::CONTENT_TYPE, "xlsx", bytes)
        }
    })
}

/// A download named `name.extension`.
fn attachment(name: &str, content_type: &str, extension: &str, body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}.{extension}\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// The team's table as CSV: `row,worker,<column>…`, a `worker` row each, then the `team`
/// row. Every text cell goes through [`carnet_core::csv`] (worker names are free text).
fn team_csv(table: &TeamTable) -> String {
    use carnet_core::team::Column;
    let columns: Vec<Column> = table.columns().into_iter().skip(1).collect();
    let mut header = vec!["row".to_owned(), "worker".to_owned()];
    header.extend(columns.iter().map(|c| match c {
        Column::Worker => "worker".to_owned(),
        Column::Interventions => "interventions".to_owned(),
        Column::Persons => "persons".to_owned(),
        Column::NewPersons => "new_persons".to_owned(),
        Column::Activities => "activities".to_owned(),
        Column::Material(code) => format!("material:{code}"),
        Column::WebMessages(direction) => format!("web_messages:{direction}"),
    }));
    let mut out = String::new();
    carnet_core::csv::row(
        &mut out,
        &header.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    let line = |out: &mut String, kind: &str, row: &carnet_core::team::TeamRow| {
        let values: Vec<String> = columns.iter().map(|c| row.value(c).to_string()).collect();
        let mut cells = vec![kind, row.worker.as_str()];
        cells.extend(values.iter().map(String::as_str));
        carnet_core::csv::row(out, &cells);
    };
    for row in &table.rows {
        line(&mut out, "worker", row);
    }
    line(&mut out, "team", &table.total);
    out
}

/// Query of `GET /api/v1/completeness`.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct PeriodQuery {
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
}

impl Expected for PeriodQuery {
    const EXPECTED: &'static str = "from=YYYY-MM-DD&to=YYYY-MM-DD";
}

/// `GET /api/v1/completeness` (coordinators): the devices that may still hold records of
/// the period, from what each last reported and when it last synced.
async fn completeness(
    State(state): State<Arc<AppState>>,
    Extension(build): Extension<AppBuild>,
    _: Coordinator,
    Query(query): Query<PeriodQuery>,
) -> Result<Json<CompletenessResponse>, Failure> {
    if query.from > query.to {
        return Err(invalid_query("`from` is after `to`"));
    }
    let (accounts, _) = state.store.accounts(now_ms()).await?;
    let never_seen = accounts
        .iter()
        .filter(|w| !w.revoked && w.devices.iter().all(|d| d.last_seen_ms.is_none()))
        .map(|w| w.name.clone())
        .collect();
    let devices = accounts.into_iter().flat_map(|worker| {
        let name = worker.name;
        worker.devices.into_iter().map(move |d| DeviceSeen {
            worker: name.clone(),
            device: d.id,
            label: d.label,
            state: d.state,
            created_ms: d.created_ms,
            // The report's time: when it came, or the phone's own clock if earlier. A phone
            // whose clock is behind looks older than it is, never newer: a doubt too many,
            // never a period called complete too soon.
            last_sync_ms: d.report_ms.map(|came| {
                d.report
                    .as_ref()
                    .map_or(came, |r| came.min(r.reported_at.timestamp_millis()))
            }),
            last_seen_ms: d.last_seen_ms,
            report: d.report,
        })
    });
    let bounds = (
        crate::calendar::start_of_day_ms(query.from),
        crate::calendar::start_of_day_ms(query.to + chrono::Duration::days(1)),
    );
    let completeness =
        Completeness::of(devices, (query.from, query.to), bounds, build.0.as_deref());
    Ok(Json(CompletenessResponse {
        from: query.from,
        to: query.to,
        server_build: build.0,
        completeness,
        never_seen,
    }))
}
