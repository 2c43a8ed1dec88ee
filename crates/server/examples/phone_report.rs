//! « Mes chiffres » for a year as the phone computes it, once, for counting instructions:
//! wall-clock times on a shared machine vary by half, instruction counts do not.
//!
//! ```sh
//! cargo build --release -p carnet-server --example phone_report
//! valgrind --tool=callgrind --toggle-collect='*year_report*' \
//!     target/release/examples/phone_report 20
//! ```
//!
//! Builds `YEARS` synthetic CatWoman years (1005 contacts each, default 20 → 20 100
//! records, the bench phone's count), then computes `Report::compute_without_cross_tables`
//! over them once. Figures are recorded in BENCHMARKS.md.

use carnet_core::{Report, ReportFilter};
use carnet_server::synthetic;

fn main() {
    let years: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20);
    let records = synthetic::catwoman_years(years);
    let filter = synthetic::whole_period();
    let report = year_report(&records, &filter);
    println!(
        "{} records: {} interventions, {} persons",
        records.len(),
        report.interventions,
        report.persons
    );
}

/// Not inlined: callgrind counts what runs inside it.
#[inline(never)]
fn year_report(records: &[carnet_core::Record], filter: &ReportFilter) -> Report {
    Report::compute_without_cross_tables(records, filter)
}
