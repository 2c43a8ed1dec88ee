//! Load benchmark of the sync path: 50 concurrent workers × 1 000 records, in batches of
//! 100, over real HTTP on loopback, to a real server on a real database; every backend
//! named on the command line in turn, in the same run.
//!
//! ```sh
//! cargo run --profile server -p carnet-server --example load_bench                  # SQLite
//! cargo run --profile server -p carnet-server --example load_bench -- sqlite postgres://carnet@127.0.0.1:5432/postgres
//! ```
//!
//! Two phases per backend, timed apart: every worker sends each of its batches once (first
//! sends: every record `stored`), then all of them again (resends, as after lost answers:
//! every record `duplicate`). Each phase prints records per second, the p50/p99/max
//! latency of a batch, and (on Linux) the CPU time it took per 1 000 records: the server's
//! (this process without its client threads) and, on a PostgreSQL of this machine, its
//! processes' — a figure other work on a shared machine barely moves, unlike the rates.
//! With several backends, the last line is each one's records/s over the first's. It asserts that exactly 50 000 records are stored. With a PostgreSQL URL
//! the benchmark creates a database of its own on that server and drops it at the end.
//! Goal: PostgreSQL at ≥ 0.9× SQLite's records/s, p99 ≤ 250 ms. Figures go in
//! BENCHMARKS.md.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use carnet_server::store::Database;
use carnet_server::{AppState, Store, router};
use serde_json::{Value, json};

use common::{create_database, drop_database, ms, percentile};

const WORKERS: usize = 50;
const RECORDS: usize = 1_000;
const BATCH: usize = 100;

fn contact(worker: usize, n: usize) -> Value {
    let realities = [["hebergement", "sante"], ["sante", "toxicomanie"]][n % 2];
    let milieu = ["bar_erotique", "salon_massage", "rue"][n % 3];
    let age_group = ["18_25", "26_40", "41_plus"][n % 3];
    json!({
        "type": "contact",
        "id": format!("{:08x}-0000-4000-8000-{n:012}", worker + 1),
        "version": 1,
        "taxonomy_version": 1,
        "occurred_at": format!("2026-11-{:02}T22:{:02}:00-05:00", 1 + n % 28, n % 60),
        "program": "catwoman",
        "milieu": milieu,
        "mode": "en_personne",
        "age_group": age_group,
        "gender": "femme",
        "first_contact": n.is_multiple_of(7),
        "realities": realities,
        "material": { "condoms": 1 + n % 12 }
    })
}

/// Linux's clock ticks per second in `/proc/…/stat` (`USER_HZ`, fixed for user space).
const TICKS: f64 = 100.0;

/// The fields of `/proc/{pid}/stat` after the command's name (the state is field 0 here).
fn stat_fields(pid: &str) -> Option<Vec<u64>> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let (_, rest) = text.rsplit_once(") ")?;
    Some(
        rest.split_whitespace()
            .map(|f| f.parse().unwrap_or(0))
            .collect(),
    )
}

/// CPU seconds of this process so far (every thread, ended ones included).
fn process_cpu() -> f64 {
    stat_fields("self").map_or(0.0, |f| (f[11] + f[12]) as f64 / TICKS)
}

/// CPU seconds of the calling thread so far (nanoseconds on the CPU, from schedstat).
fn thread_cpu() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|t| t.split_whitespace().next()?.parse::<u64>().ok())
        .map_or(0.0, |ns| ns as f64 / 1e9)
}

/// CPU seconds of a PostgreSQL cluster on this machine: its postmaster (with the backends
/// it reaped) and its live children. `None` when it is not on this machine.
fn postgres_cpu(postmaster: Option<u32>) -> Option<f64> {
    let pm = postmaster?;
    let main = stat_fields(&pm.to_string())?;
    let mut ticks = main[11] + main[12] + main[13] + main[14];
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .filter(|n| n.bytes().all(|b| b.is_ascii_digit()))
        else {
            continue;
        };
        if let Some(f) = stat_fields(pid)
            && f[1] == u64::from(pm)
        {
            ticks += f[11] + f[12];
        }
    }
    Some(ticks as f64 / TICKS)
}

/// The postmaster behind `url`, if it runs on this machine: the parent of a backend.
fn postmaster(url: &str) -> Option<u32> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .ok()?;
    let backend: i32 = rt.block_on(async {
        let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
            .await
            .ok()?;
        tokio::spawn(connection);
        client
            .query_one("SELECT pg_backend_pid()", &[])
            .await
            .ok()
            .map(|r| r.get(0))
    })?;
    let parent = stat_fields(&backend.to_string())?[1];
    u32::try_from(parent).ok()
}

/// One phase: every worker sends each of its batches once, all workers at once; every
/// record must be answered `want`. Returns records per second.
fn phase(
    url: &str,
    tokens: &[String],
    bodies: &[Vec<String>],
    (label, want): (&str, &str),
    pg: Option<u32>,
) -> f64 {
    let (process, postgres) = (process_cpu(), postgres_cpu(pg));
    let started = Instant::now();
    let (latencies, clients): (Vec<Vec<Duration>>, Vec<f64>) = std::thread::scope(|scope| {
        let handles: Vec<_> = tokens
            .iter()
            .zip(bodies)
            .map(|(token, batches)| {
                scope.spawn(move || {
                    let agent: ureq::Agent = ureq::Agent::config_builder()
                        .http_status_as_error(false)
                        .build()
                        .into();
                    let mut latencies = Vec::new();
                    for body in batches {
                        let sent = Instant::now();
                        let mut resp = agent
                            .post(url)
                            .header("Authorization", format!("Bearer {token}"))
                            .header("Content-Type", "application/json")
                            .send(body.as_bytes())
                            .expect("request");
                        let text = resp.body_mut().read_to_string().expect("body");
                        latencies.push(sent.elapsed());
                        assert_eq!(resp.status().as_u16(), 200, "{label}: {text}");
                        let answer: Value = serde_json::from_str(&text).expect("json");
                        let results = answer["results"].as_array().expect("results");
                        assert_eq!(results.len(), BATCH);
                        assert!(
                            results.iter().all(|r| r["status"] == want),
                            "{label} not all {want}: {text}"
                        );
                    }
                    (latencies, thread_cpu())
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("client"))
            .unzip()
    });
    let elapsed = started.elapsed();
    let mut sorted: Vec<Duration> = latencies.into_iter().flatten().collect();
    sorted.sort();
    let rate = (WORKERS * RECORDS) as f64 / elapsed.as_secs_f64();
    println!(
        "  {label:<11} {rate:>6.0} records/s in {:.2} s; batch p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        elapsed.as_secs_f64(),
        ms(percentile(&sorted, 0.50)),
        ms(percentile(&sorted, 0.99)),
        ms(sorted.last().copied().unwrap_or_default()),
    );
    // CPU per 1 000 records, in ms: seconds × 1 000 ms / (records / 1 000).
    let per_thousand = 1e6 / (WORKERS * RECORDS) as f64;
    let clients: f64 = clients.iter().sum();
    let server = (process_cpu() - process - clients) * per_thousand;
    match postgres_cpu(pg).zip(postgres) {
        Some((after, before)) => println!(
            "  {:<11} CPU per 1 000 records: server {server:.1} ms + PostgreSQL {:.1} ms = {:.1} ms (clients {:.1} ms)",
            "",
            (after - before) * per_thousand,
            server + (after - before) * per_thousand,
            clients * per_thousand
        ),
        None => println!(
            "  {:<11} CPU per 1 000 records: server {server:.1} ms (clients {:.1} ms)",
            "",
            clients * per_thousand
        ),
    }
    rate
}

/// One backend: a fresh database, a server in this process, both phases. Returns the
/// records per second of the first sends and of the resends.
fn run(target: &str, bodies: &[Vec<String>]) -> (String, f64, f64) {
    let dir = tempfile::tempdir().expect("temp dir");
    let (database, cleanup, pg) = if target == "sqlite" {
        (Database::Sqlite(dir.path().join("load.db")), None, None)
    } else {
        let (database, name) = create_database(target, "load_bench");
        (database, Some(name), postmaster(target))
    };
    let dist = dir.path().join("dist");
    std::fs::create_dir(&dist).expect("dist");
    std::fs::write(dist.join("index.html"), "<!doctype html>").expect("index");

    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let store = runtime.block_on(Store::open(&database)).expect("store");
    let backend = store.backend().to_owned();
    let tokens: Vec<String> = (0..WORKERS)
        .map(|w| {
            runtime
                .block_on(store.add_worker(&format!("poste-{w:02}")))
                .expect("worker")
        })
        .collect();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let app = router(Arc::new(AppState::new(store.clone())), &dist);
    runtime.spawn(async move { axum::serve(listener, app).await });

    println!("{database}");
    let url = format!("http://{addr}/api/v1/records");
    let first = phase(&url, &tokens, bodies, ("first sends", "stored"), pg);
    let again = phase(&url, &tokens, bodies, ("resends", "duplicate"), pg);
    let stored = runtime.block_on(store.counts()).expect("counts").records;
    assert_eq!(stored, (WORKERS * RECORDS) as i64, "exactly 50 000 stored");

    drop(store);
    runtime.shutdown_timeout(Duration::from_secs(1));
    if let Some(name) = cleanup {
        drop_database(target, &name);
    }
    (backend, first, again)
}

fn main() {
    let mut targets: Vec<String> = std::env::args().skip(1).collect();
    if targets.is_empty() {
        targets.push("sqlite".into());
    }
    // Bodies are made before the clock starts: the client's JSON is not the server's time.
    let bodies: Vec<Vec<String>> = (0..WORKERS)
        .map(|w| {
            (0..RECORDS)
                .collect::<Vec<_>>()
                .chunks(BATCH)
                .map(|ns| {
                    json!({ "records": ns.iter().map(|&n| contact(w, n)).collect::<Vec<_>>() })
                        .to_string()
                })
                .collect()
        })
        .collect();
    println!(
        "{WORKERS} workers × {RECORDS} records, batches of {BATCH}: first sends, then resends"
    );
    let results: Vec<_> = targets.iter().map(|t| run(t, &bodies)).collect();
    if let Some((base, first, again)) = results.first()
        && results.len() > 1
    {
        for (backend, f, a) in &results[1..] {
            println!(
                "{backend} / {base}: first sends {:.2}, resends {:.2}",
                f / first,
                a / again
            );
        }
    }
}
