//! The team's report at scale: 50 workers, five fiscal years, about 250 000 records, on a
//! real database behind a real server, timed over HTTP on loopback.
//!
//! ```sh
//! cargo run --profile server -p carnet-server --example report_scale                  # SQLite
//! cargo run --profile server -p carnet-server --example report_scale -- postgres://carnet@127.0.0.1:5432/postgres
//! ```
//!
//! Seeds through the store: the synthetic year of every program (`synthetic::year`), 14
//! seeds a year, moved to each of the fiscal years 2020-2021 … 2024-2025, spread over 50
//! workers. Then a coordinator asks `GET /api/v1/report` (every table of the annual
//! report) for the whole team, `REQUESTS` times each (or `REPORT_SCALE_REQUESTS`): the last fiscal year; the same year
//! beside the one before (« Rapport de l'équipe »'s default); the five years at once.
//! Prints min / median / p95 / max per query, and the first request of each (cold: the
//! server keeps closed months' reports, `report_cache`), then the five years again right
//! after a correction of one record (one month read again), the first request of each
//! query after a restart (nothing kept, the database settled; then with the start filling
//! the closed months, as `serve` does: at the same moment, and once done), the memory the kept months
//! hold (bytes allocated and not freed, before the requests and after), `/team`,
//! `/tallies` and one worker's `/tallies` for the last year and the five years (`/team`
//! from the team's kept months, `/tallies` reading the period), and
//! where the time of the last year's report goes (the database's read, parsing the bodies, `Report::compute`; the rest of a
//! request is the answer's JSON and HTTP). Budget: ≤ 1 s at p95.
//! With a PostgreSQL URL the database is one of its own, dropped at the end. Figures go
//! in BENCHMARKS.md.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use carnet_core::{Record, Report, ReportFilter, ReportPart};
use carnet_server::store::{Database, Role, WorkerId};
use carnet_server::{AppState, Store, router, synthetic};
use chrono::{Months, NaiveDate};

use common::{create_database, drop_database, ms, percentile};

const WORKERS: usize = 50;
const YEARS: u32 = 5;
const SEEDS_A_YEAR: u64 = 14;
const FIRST_YEAR: i32 = 2020;
const REQUESTS: usize = 20;
/// Records per `store_batch` while seeding.
const SEED_BATCH: usize = 1_000;
/// The pause the server waits for after writes before reading their months again (as
/// `serve`'s).
const REFILL_QUIET: Duration = Duration::from_secs(2);

/// A synthetic record moved `years` later (29 February becomes the 28th).
fn later(record: Record, years: u32) -> Record {
    let months = Months::new(12 * years);
    match record {
        Record::Contact(mut c) => {
            c.occurred_at = c.occurred_at.checked_add_months(months).expect("date");
            Record::Contact(c)
        }
        Record::Activity(mut a) => {
            a.occurred_at = a.occurred_at.checked_add_months(months).expect("date");
            Record::Activity(a)
        }
    }
}

/// Every record to seed, by worker index.
fn team_records() -> Vec<Vec<Record>> {
    let (from, _) = synthetic::period();
    let shift = u32::try_from(FIRST_YEAR - chrono::Datelike::year(&from)).expect("later");
    let mut by_worker: Vec<Vec<Record>> = vec![Vec::new(); WORKERS];
    for year in 0..YEARS {
        for seed in 0..SEEDS_A_YEAR {
            let records = synthetic::year(u64::from(year) * 1_000 + seed);
            for (who, record) in records {
                let slot = synthetic::WORKERS
                    .iter()
                    .position(|w| *w == who)
                    .expect("a synthetic worker");
                let worker = (seed as usize * synthetic::WORKERS.len() + slot) % WORKERS;
                by_worker[worker].push(later(record, shift + year));
            }
        }
    }
    by_worker
}

fn fiscal_year(start: i32) -> (NaiveDate, NaiveDate) {
    (
        NaiveDate::from_ymd_opt(start, 4, 1).expect("date"),
        NaiveDate::from_ymd_opt(start + 1, 3, 31).expect("date"),
    )
}

/// min / median / p95 / max of `times`, in ms.
fn summary(times: &mut [Duration]) -> String {
    times.sort();
    let at = |p: f64| percentile(times, p);
    format!(
        "min {:.0} / median {:.0} / p95 {:.0} / max {:.0} ms",
        ms(times[0]),
        ms(at(0.5)),
        ms(at(0.95)),
        ms(times[times.len() - 1])
    )
}

/// The system allocator, counting the bytes allocated and not yet freed: what the
/// server's kept months hold once every request is answered.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call goes to `System` unchanged; only a counter is moved beside it.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        // SAFETY: the caller's contract, passed on.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: the caller's contract, passed on.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Bytes allocated and not freed, in MB (without the allocator's own overhead).
/// A coordinator's `GET url`, timed from the request to the last byte of the answer, which
/// must be `200`; the time and the body.
fn timed_get(agent: &ureq::Agent, url: &str, token: &str) -> (Duration, String) {
    let sent = Instant::now();
    let mut resp = agent
        .get(url)
        .header("Authorization", format!("Bearer {token}"))
        .call()
        .expect("request");
    let text = resp.body_mut().read_to_string().expect("body");
    let took = sent.elapsed();
    assert_eq!(resp.status().as_u16(), 200, "{text}");
    (took, text)
}

fn live_mb() -> f64 {
    LIVE.load(Ordering::Relaxed) as f64 / 1_048_576.0
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (database, cleanup) = match std::env::args().nth(1) {
        Some(url) => {
            let (database, name) = create_database(&url, "report_scale");
            (database, Some((url, name)))
        }
        None => (Database::Sqlite(dir.path().join("report.db")), None),
    };
    let dist = dir.path().join("dist");
    std::fs::create_dir(&dist).expect("dist");
    std::fs::write(dist.join("index.html"), "<!doctype html>").expect("index");

    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let store = runtime.block_on(Store::open(&database)).expect("store");
    let taxonomy = serde_json::to_string(&synthetic::taxonomy()).expect("taxonomy");
    runtime
        .block_on(store.load_taxonomy(&taxonomy))
        .expect("load taxonomy");
    let coordinator = runtime
        .block_on(store.add_worker_with_role("coordination", Role::Coordinator))
        .expect("coordinator");

    let seeding = Instant::now();
    let mut total = 0;
    // A record of the last year to correct, with its worker.
    let mut to_correct: Option<(WorkerId, Record)> = None;
    // The first worker's records of the first fiscal year, to write again (a past year
    // imported), with the worker.
    let mut past_year: Option<(WorkerId, Vec<Record>)> = None;
    for (w, records) in team_records().into_iter().enumerate() {
        let name = format!("poste-{w:02}");
        runtime.block_on(store.add_worker(&name)).expect("worker");
        let id: WorkerId = runtime
            .block_on(store.worker_by_name(&name))
            .expect("read")
            .expect("the worker");
        if to_correct.is_none() {
            let last = FIRST_YEAR + YEARS as i32 - 1;
            to_correct = records
                .iter()
                .find(|r| r.local_date() > fiscal_year(last).0 + chrono::Days::new(60))
                .map(|r| (id, r.clone()));
        }
        if past_year.is_none() {
            let (from, to) = fiscal_year(FIRST_YEAR);
            let year = records
                .iter()
                .filter(|r| (from..=to).contains(&r.local_date()))
                .cloned()
                .collect();
            past_year = Some((id, year));
        }
        for chunk in records.chunks(SEED_BATCH) {
            runtime
                .block_on(store.store_batch(id, chunk))
                .expect("seed");
        }
        total += records.len();
    }
    let stored = runtime.block_on(store.counts()).expect("counts").records;
    assert_eq!(stored, total as i64);
    common::settle(&database);
    println!(
        "{database} — {WORKERS} workers, {YEARS} fiscal years from {FIRST_YEAR}, {total} records \
         (seeded in {:.1} s)",
        seeding.elapsed().as_secs_f64()
    );

    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let state = Arc::new(AppState::new(store.clone()));
    let app = router(state.clone(), &dist);
    let memory_before = live_mb();
    runtime.spawn(async move { axum::serve(listener, app).await });

    let last = FIRST_YEAR + YEARS as i32 - 1;
    let (from, to) = fiscal_year(last);
    let (before_from, before_to) = fiscal_year(last - 1);
    let (first_from, _) = fiscal_year(FIRST_YEAR);
    let queries = [
        ("last fiscal year", format!("from={from}&to={to}")),
        (
            "last year beside the one before",
            format!("from={from}&to={to}&compare_from={before_from}&compare_to={before_to}"),
        ),
        ("all five years", format!("from={first_from}&to={to}")),
    ];
    let requests = std::env::var("REPORT_SCALE_REQUESTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(REQUESTS);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    for (label, query) in &queries {
        let url = format!("http://{addr}/api/v1/report?{query}");
        let mut times = Vec::with_capacity(requests);
        let mut interventions = 0;
        let mut cold = Duration::ZERO;
        // One request first, timed apart: a fresh server's caches, as after any restart.
        for run in 0..=requests {
            let (took, text) = timed_get(&agent, &url, &coordinator);
            let answer: serde_json::Value = serde_json::from_str(&text).expect("json");
            interventions = answer["report"]["interventions"].as_u64().expect("report");
            if run > 0 {
                times.push(took);
            } else {
                cold = took;
            }
        }
        println!(
            "GET /report, {label}: {} ({interventions} interventions); first request {:.0} ms",
            summary(&mut times),
            ms(cold)
        );
    }

    // The coordinator's other views of the team: the table of every worker (`/team`, from
    // the team's kept months) and each worker's figures (`/tallies`, which reads the
    // period); and one worker's own figures (`/tallies?worker=`, what a phone asks beyond
    // its retention, from that worker's kept months).
    for (path, worker) in [
        ("team", ""),
        ("tallies", ""),
        ("tallies", "&worker=poste-07"),
    ] {
        for (label, query) in [&queries[0], &queries[2]] {
            let url = format!("http://{addr}/api/v1/{path}?{query}{worker}");
            let mut times = Vec::new();
            for _ in 0..requests.min(5) {
                times.push(timed_get(&agent, &url, &coordinator).0);
            }
            println!("GET /{path}{worker}, {label}: {}", summary(&mut times));
        }
    }

    // A correction of one record of the last year (a new version, its day unchanged), then
    // the five years at once: the corrected month is read again, the others are kept.
    let (worker, record) = to_correct.expect("a record of the last year");
    let mut next = record;
    let mut after_write = Vec::new();
    let five_years = format!("http://{addr}/api/v1/report?{}", queries[2].1);
    for _ in 0..requests.min(5) {
        next = next.next_version();
        runtime
            .block_on(store.store_batch(worker, std::slice::from_ref(&next)))
            .expect("correction");
        after_write.push(timed_get(&agent, &five_years, &coordinator).0);
    }
    println!(
        "GET /report, all five years right after a correction: {}",
        summary(&mut after_write)
    );
    // A past year written again by one worker (a new version of each of its records of the
    // first fiscal year, in batches of 500 as an import or a phone sends them), then the five
    // years: right away, its twelve months read by the request; and once the writes have
    // paused and the server has read them again in the background, as `serve` does
    // (`ReportCache::refill_after_writes`, told by each batch as `POST /records` does).
    let (worker, mut year) = past_year.expect("a worker's past year");
    let (mut right_away, mut refilled, mut refilling) = (Vec::new(), Vec::new(), Vec::new());
    for refill in [false, true, false, true, false, true] {
        let waiting = refill.then(|| {
            let state = state.clone();
            runtime.spawn(async move {
                state
                    .reports
                    .refill_after_writes(&state.store, REFILL_QUIET, carnet_server::calendar::today)
                    .await
                    .expect("refill");
                Instant::now()
            })
        });
        year = year.into_iter().map(Record::next_version).collect();
        for chunk in year.chunks(500) {
            runtime
                .block_on(store.store_batch(worker, chunk))
                .expect("a past year");
            state.reports.written();
        }
        let written = Instant::now();
        match waiting {
            None => right_away.push(timed_get(&agent, &five_years, &coordinator).0),
            Some(refill) => {
                let done = runtime.block_on(refill).expect("refilled");
                refilling.push(done.duration_since(written));
                refilled.push(timed_get(&agent, &five_years, &coordinator).0);
            }
        }
    }
    println!(
        "GET /report, all five years right after a past year of one worker was written \
         again ({} records): {}",
        year.len(),
        summary(&mut right_away)
    );
    println!(
        "GET /report, all five years once those writes paused and were read again: {} \
         (the refill done {} after the last write, {REFILL_QUIET:?} of it the pause)",
        summary(&mut refilled),
        summary(&mut refilling)
    );
    println!(
        "memory: {:.1} MB allocated before the requests, {:.1} MB after ({} months kept)",
        memory_before,
        live_mb(),
        state.reports.len()
    );

    // A restarted server on the same, settled database, three restarts per query: the first
    // request of each query with nothing kept; then as `serve` starts, filling the team's
    // closed months in the background (`ReportCache::warm`): how long that takes, the first
    // request sent at the same moment as the start, and the first request once it is done.
    drop(state);
    let today = carnet_server::calendar::today();
    let mut warming = Vec::new();
    for (label, query) in &queries {
        let (mut cold, mut during, mut after) = (Vec::new(), Vec::new(), Vec::new());
        for warm in [false, true] {
            for _ in 0..3 {
                let listener = runtime
                    .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
                    .expect("bind");
                let fresh = listener.local_addr().expect("addr");
                let state = Arc::new(AppState::new(store.clone()));
                let app = router(state.clone(), &dist);
                let server = runtime.spawn(async move { axum::serve(listener, app).await });
                let started = Instant::now();
                let warmer = warm.then(|| {
                    let state = state.clone();
                    runtime.spawn(async move {
                        state.reports.warm(&state.store, today).await.expect("warm");
                        started.elapsed()
                    })
                });
                let url = format!("http://{fresh}/api/v1/report?{query}");
                let first = || timed_get(&agent, &url, &coordinator).0;
                match warmer {
                    None => cold.push(first()),
                    Some(warmer) => {
                        during.push(first());
                        warming.push(runtime.block_on(warmer).expect("warmed"));
                        after.push(first());
                    }
                }
                server.abort();
            }
        }
        println!(
            "GET /report, {label}, first request after a restart: {}",
            summary(&mut cold)
        );
        println!(
            "GET /report, {label}, first request sent at the start, the start filling the \
             closed months: {}",
            summary(&mut during)
        );
        println!(
            "GET /report, {label}, first request once the start has filled them: {}",
            summary(&mut after)
        );
    }
    println!(
        "a start filling the team's closed months (today {today}): {}",
        summary(&mut warming)
    );

    // Where the last year's report spends its time, step by step, in this process: the
    // store's read of the period (the database, then parsing each body), then the report.
    let filter = ReportFilter {
        from,
        to,
        programs: None,
    };
    let (mut read, mut parse, mut compute) = (Vec::new(), Vec::new(), Vec::new());
    let (mut making, mut combining) = (Vec::new(), Vec::new());
    let mut count = 0;
    for _ in 0..5 {
        let started = Instant::now();
        let records = runtime
            .block_on(store.latest_records_in(None, from, to))
            .expect("records");
        let took = started.elapsed();
        count = records.len();
        // Parsing alone: the same bodies, from memory.
        let bodies: Vec<String> = records
            .iter()
            .map(|(_, r)| serde_json::to_string(r).expect("json"))
            .collect();
        let started = Instant::now();
        let parsed = bodies
            .iter()
            .filter(|b| serde_json::from_str::<Record>(b).is_ok())
            .count();
        let parsing = started.elapsed();
        assert_eq!(parsed, count);
        read.push(took.saturating_sub(parsing));
        parse.push(parsing);
        let started = Instant::now();
        let report = Report::compute(records.iter().map(|(_, r)| r), &filter);
        compute.push(started.elapsed());
        assert!(report.interventions > 0);
        // What the server keeps instead: a part per month and program, then combined.
        let started = Instant::now();
        let mut months: BTreeMap<(u32, &str), Vec<&Record>> = BTreeMap::new();
        for (_, r) in &records {
            let key = (chrono::Datelike::month(&r.local_date()), r.program());
            months.entry(key).or_default().push(r);
        }
        let parts: Vec<ReportPart> = months
            .values()
            .map(|rs| ReportPart::of(rs.iter().copied(), &filter))
            .collect();
        making.push(started.elapsed());
        let started = Instant::now();
        let combined = ReportPart::combine(&parts, true);
        combining.push(started.elapsed());
        assert_eq!(combined, report);
    }
    // What every request reads first: the counts of each month of the five years.
    let mut counting = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        runtime
            .block_on(store.month_counts(first_from, to))
            .expect("month counts");
        counting.push(started.elapsed());
    }
    println!("five years' month counts {}", summary(&mut counting));
    println!("last fiscal year, {count} records read:");
    println!("  database read          {}", summary(&mut read));
    println!("  parsing the bodies     {}", summary(&mut parse));
    println!("  Report::compute        {}", summary(&mut compute));
    println!(
        "  ReportPart::of, by month and program {}",
        summary(&mut making)
    );
    println!("  ReportPart::combine    {}", summary(&mut combining));

    drop(store);
    runtime.shutdown_timeout(Duration::from_secs(1));
    if let Some((url, name)) = cleanup {
        drop_database(&url, &name);
    }
}
