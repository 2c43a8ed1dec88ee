//! How long the report and the day's tally take over a year of records or more.
//!
//! ```sh
//! cargo run --release -p carnet-server --example report_bench [YEARS]
//! ```
//!
//! Builds `YEARS` synthetic CatWoman years (1005 contacts each, default 30 → 30 150
//! records, more than a busy worker logs in a year), then times `Report::compute` over all of
//! them and `Tally::for_day` for one day, natively. The phone runs the same code compiled
//! to wasm, typically 1.5–3× slower. Figures are recorded in BENCHMARKS.md.

use std::time::Instant;

use carnet_core::{Report, Tally};
use carnet_server::synthetic;

fn main() {
    let years: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(30);
    let records = synthetic::catwoman_years(years);
    let filter = synthetic::whole_period();
    let day = filter.from + chrono::Duration::days(100);
    let runs = 20;
    let mut report = Report::default();
    let started = Instant::now();
    for _ in 0..runs {
        report = Report::compute(&records, &filter);
    }
    let per_report = started.elapsed() / runs;
    // What « Mes chiffres » computes on the phone (no cross-tables).
    let started = Instant::now();
    for _ in 0..runs {
        report = Report::compute_without_cross_tables(&records, &filter);
    }
    let per_phone_report = started.elapsed() / runs;
    let started = Instant::now();
    let mut tally = Tally::default();
    for _ in 0..runs {
        tally = Tally::for_day(&records, day);
    }
    let per_tally = started.elapsed() / runs;
    let started = Instant::now();
    let json: Vec<String> = records
        .iter()
        .map(|r| serde_json::to_string(r).unwrap_or_default())
        .collect();
    let encode = started.elapsed();
    let started = Instant::now();
    let decoded = json
        .iter()
        .filter(|j| carnet_core::Record::from_json(j).is_ok())
        .count();
    let decode = started.elapsed();
    println!("records: {}", records.len());
    println!(
        "Report::compute (year filter): {per_report:?} per run ({} interventions, {} persons)",
        report.interventions, report.persons
    );
    println!(
        "Report::compute_without_cross_tables (« Mes chiffres »): {per_phone_report:?} per run"
    );
    println!(
        "Tally::for_day: {per_tally:?} per run ({} contacts that day)",
        tally.contacts
    );
    println!("JSON encode all: {encode:?}; decode all: {decode:?} ({decoded} ok)");
}
