//! The report keeps closed months' figures between requests (`report_cache`): every write
//! that changes which latest versions fall in a month — a new record, a correction moving
//! a record out of the period or back, a deletion, a write by another server — shows in the
//! next report, and one worker's figures never answer for another's or the team's. On both
//! backends, through the HTTP API.

#[macro_use]
mod common;

use carnet_core::Record;
use common::{TestServer, record, statuses};
use serde_json::{Value, json};

/// A fiscal year whose first and last months are whole, and one cut at both ends.
const YEAR: &str = "from=2025-04-01&to=2026-03-31";
const CUT: &str = "from=2025-05-10&to=2025-07-20";

/// Record `n`, version `version`, on `day` (`YYYY-MM-DD`).
fn on(n: u32, version: u32, day: &str) -> Value {
    let mut r = record(n);
    r["occurred_at"] = json!(format!("{day}T14:00:00-04:00"));
    r["version"] = json!(version);
    r
}

fn interventions(s: &TestServer, query: &str, token: &str) -> u64 {
    let (status, body, _) = s.get(&format!("/api/v1/report?{query}"), Some(token));
    assert_eq!(status, 200, "{body}");
    body["report"]["interventions"].as_u64().unwrap()
}

fn post_as(s: &TestServer, token: &str, records: &[Value]) {
    let (status, body) = s.post_to(
        "/api/v1/records",
        token,
        "application/json",
        json!({ "records": records }).to_string().as_bytes(),
    );
    assert_eq!(status, 200, "{body}");
    assert!(statuses(&body).iter().all(|s| s == "stored"), "{body}");
}

both_backends! {
    fn every_change_of_a_months_latest_versions_shows_in_the_next_report(backend: Backend) {
        let s = TestServer::start_with(&backend);
        let coordinator = s.db.add_coordinator("coordination");
        let token = s.token.clone();
        post_as(&s, &token, &[on(1, 1, "2025-05-12"), on(2, 1, "2025-05-20"), on(3, 1, "2025-06-02")]);
        assert_eq!(interventions(&s, YEAR, &coordinator), 3);
        assert_eq!(interventions(&s, CUT, &coordinator), 3);
        // Asked again, from the months kept: the same figures.
        assert_eq!(interventions(&s, YEAR, &coordinator), 3);

        // A correction moves record 2 out of the year: its May is read again.
        post_as(&s, &token, &[on(2, 2, "2024-12-01")]);
        assert_eq!(interventions(&s, YEAR, &coordinator), 2);
        assert_eq!(interventions(&s, CUT, &coordinator), 2);
        assert_eq!(interventions(&s, "from=2024-12-01&to=2024-12-31", &coordinator), 1);
        // And back into the year, another month.
        post_as(&s, &token, &[on(2, 3, "2025-06-15")]);
        assert_eq!(interventions(&s, YEAR, &coordinator), 3);
        assert_eq!(interventions(&s, "from=2024-12-01&to=2024-12-31", &coordinator), 0);
        // A correction within the month changes a table, not the count.
        let mut moved = on(3, 2, "2025-06-02");
        moved["milieu"] = json!("salon_massage");
        post_as(&s, &token, &[moved]);
        let (_, body, _) = s.get(&format!("/api/v1/report?{YEAR}"), Some(&coordinator));
        assert_eq!(body["report"]["interventions_by_milieu"]["salon_massage"], 1);
        // A deletion is a tombstone version.
        let mut tombstone = on(1, 2, "2025-05-12");
        tombstone["deleted"] = json!(true);
        post_as(&s, &token, &[tombstone]);
        assert_eq!(interventions(&s, YEAR, &coordinator), 2);
        // A new record in a month already kept.
        post_as(&s, &token, &[on(4, 1, "2025-06-30")]);
        assert_eq!(interventions(&s, YEAR, &coordinator), 3);
        assert_eq!(interventions(&s, CUT, &coordinator), 3);
    }
}

both_backends! {
    fn a_write_through_another_server_shows_in_the_next_report(backend: Backend) {
        let s = TestServer::start_with(&backend);
        let coordinator = s.db.add_coordinator("coordination");
        let token = s.token.clone();
        post_as(&s, &token, &[on(1, 1, "2025-05-12"), on(2, 1, "2025-08-20")]);
        assert_eq!(interventions(&s, YEAR, &coordinator), 2);
        // The test's own store stands for another server on the same database.
        let worker = s
            .db
            .block(s.db.store.worker_by_name("travailleuse-a"))
            .unwrap()
            .unwrap();
        let moved = Record::from_value(on(1, 2, "2026-04-02")).unwrap();
        let added = Record::from_value(on(3, 1, "2025-08-21")).unwrap();
        s.db.block(s.db.store.store_batch(worker, &[moved, added])).unwrap();
        assert_eq!(interventions(&s, YEAR, &coordinator), 2);
        assert_eq!(interventions(&s, "from=2025-08-01&to=2025-08-31", &coordinator), 2);
        assert_eq!(interventions(&s, "from=2026-04-01&to=2026-04-30", &coordinator), 1);
    }
}

both_backends! {
    fn one_workers_months_never_answer_for_anothers_or_the_teams(backend: Backend) {
        let s = TestServer::start_with(&backend);
        let coordinator = s.db.add_coordinator("coordination");
        let a = s.token.clone();
        let b = s.db.add_worker("travailleuse-b");
        post_as(&s, &a, &[on(1, 1, "2025-05-12"), on(2, 1, "2025-06-20")]);
        post_as(&s, &b, &[on(11, 1, "2025-05-13")]);
        let mine = |token: &str| interventions(&s, YEAR, token);
        let of = |name: &str| interventions(&s, &format!("{YEAR}&worker={name}"), &coordinator);
        for _ in 0..2 {
            assert_eq!((mine(&a), mine(&b)), (2, 1));
            assert_eq!((of("travailleuse-a"), of("travailleuse-b")), (2, 1));
            assert_eq!(interventions(&s, YEAR, &coordinator), 3);
        }
        // B writes in a month A's figures are kept for: A's stay, B's and the team's move.
        post_as(&s, &b, &[on(12, 1, "2025-06-21"), on(13, 1, "2025-05-30")]);
        assert_eq!((mine(&a), mine(&b)), (2, 3));
        assert_eq!((of("travailleuse-a"), of("travailleuse-b")), (2, 3));
        assert_eq!(interventions(&s, YEAR, &coordinator), 5);
        // Side by side with another period, each scope its own again.
        let (_, body, _) = s.get(
            &format!("/api/v1/report?{YEAR}&compare_from=2025-05-01&compare_to=2025-05-31"),
            Some(&b),
        );
        assert_eq!(body["report"]["interventions"], 3);
        assert_eq!(body["compare"]["report"]["interventions"], 2);
    }
}

both_backends! {
    fn a_start_keeps_the_teams_closed_months_so_the_first_report_reads_none(backend: Backend) {
        use carnet_core::{Report, ReportFilter};
        use carnet_server::report_cache::{ReportCache, Warmed};
        use chrono::NaiveDate;

        let s = TestServer::start_with(&backend);
        let a = s.token.clone();
        let b = s.db.add_worker("travailleuse-b");
        post_as(&s, &a, &[on(1, 1, "2025-05-12"), on(2, 1, "2025-06-20"), on(3, 1, "2026-04-02")]);
        post_as(&s, &b, &[on(11, 1, "2025-06-13"), on(12, 1, "2026-05-03")]);
        // A correction: two versions of record 2, one latest. And a record two years back.
        post_as(&s, &a, &[on(2, 2, "2025-07-01"), on(4, 1, "2024-03-10")]);
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let store = &s.db.store;

        // Today is in May 2026: the months from March 2024 (the oldest with a record) to
        // April 2026 are kept, a year at a time; May 2026, still open, is not.
        let cache = ReportCache::new();
        let warmed = s.db.block(cache.warm(store, day("2026-05-15"))).unwrap();
        assert_eq!(warmed, Warmed { months: 26, records: 6 });
        assert_eq!((cache.len(), cache.months_read()), (26, 26));

        // A report over those months reads none of them, and is the report of the records.
        let filter = ReportFilter {
            from: day("2025-05-01"),
            to: day("2026-04-30"),
            programs: None,
        };
        let report = s.db.block(cache.report(store, None, &filter)).unwrap();
        assert_eq!(cache.months_read(), 26);
        let records = s
            .db
            .block(store.latest_records_in(None, filter.from, filter.to))
            .unwrap();
        let expected = Report::compute(records.iter().map(|(_, r)| r), &filter);
        assert_eq!(report.interventions, 4);
        assert_eq!(report, expected);
        // The month still open, up to today, is read at each request.
        let this_month = ReportFilter { to: day("2026-05-15"), ..filter.clone() };
        s.db.block(cache.report(store, None, &this_month)).unwrap();
        s.db.block(cache.report(store, None, &this_month)).unwrap();
        assert_eq!(cache.months_read(), 28);

        // Two requests at once on a cold cache, as a start's fill and the first
        // coordinator: one reads the months, the other takes them.
        let other = ReportCache::new();
        let (a, b) = s.db.block(async {
            tokio::join!(
                other.report(store, None, &filter),
                other.warm(store, day("2026-05-15"))
            )
        });
        assert_eq!((a.unwrap(), b.unwrap().months), (expected.clone(), 26));
        assert_eq!(other.months_read(), 26);

        // With nothing stored before today's month, nothing is read.
        let empty = ReportCache::new();
        let warmed = s.db.block(empty.warm(store, day("2024-03-20"))).unwrap();
        assert_eq!((warmed, empty.months_read()), (Warmed::default(), 0));
    }
}

both_backends! {
    fn writes_bring_the_kept_months_up_to_date_once_they_pause(backend: Backend) {
        use std::time::Duration;

        use carnet_core::ReportFilter;
        use carnet_server::report_cache::ReportCache;
        use chrono::NaiveDate;

        let s = TestServer::start_with(&backend);
        let a = s.token.clone();
        post_as(&s, &a, &[on(1, 1, "2025-05-12"), on(2, 1, "2025-06-20")]);
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let today = || NaiveDate::from_ymd_opt(2026, 5, 15).unwrap();
        let store = &s.db.store;
        let cache = ReportCache::new();
        let quiet = Duration::from_millis(100);
        s.db.block(cache.warm(store, today())).unwrap();
        let filled = cache.months_read();
        assert_eq!(filled, 12, "May 2025 to April 2026");

        // Nothing written: nothing to bring up to date, the refill waits.
        let waited = s.db.block(async {
            tokio::time::timeout(
                Duration::from_millis(300),
                cache.refill_after_writes(store, quiet, today),
            )
            .await
        });
        assert!(waited.is_err());

        // A late record of last June and a correction moving record 1 to August: once
        // the writes pause, the refill reads those two months again, and only them.
        post_as(&s, &a, &[on(3, 1, "2025-06-03"), on(1, 2, "2025-08-14")]);
        cache.written();
        cache.written();
        let started = std::time::Instant::now();
        s.db.block(cache.refill_after_writes(store, quiet, today)).unwrap();
        assert!(started.elapsed() >= quiet);
        assert_eq!(cache.months_read(), filled + 3, "May, June and August 2025");

        // The next report over the months kept reads none, and counts the writes.
        let year = ReportFilter {
            from: day("2025-05-01"),
            to: day("2026-04-30"),
            programs: None,
        };
        let report = s.db.block(cache.report(store, None, &year)).unwrap();
        assert_eq!(report.interventions, 3);
        assert_eq!(cache.months_read(), filled + 3);

        // Writes that do not pause are read after ten quiet periods at most.
        let refilled = s.db.block(async {
            let writes = async {
                // Four seconds of writes, one every half quiet period.
                for _ in 0..80 {
                    cache.written();
                    tokio::time::sleep(quiet / 2).await;
                }
            };
            let (refill, ()) = tokio::join!(
                tokio::time::timeout(quiet * 25, cache.refill_after_writes(store, quiet, today)),
                writes
            );
            refill
        });
        assert!(refilled.is_ok(), "the refill waited for the writes to stop");
    }
}

both_backends! {
    fn the_teams_table_comes_from_the_kept_months(backend: Backend) {
        use carnet_core::team::TeamRow;
        use carnet_core::{Report, ReportFilter};
        use carnet_server::report_cache::ReportCache;
        use chrono::NaiveDate;

        let s = TestServer::start_with(&backend);
        let a = s.token.clone();
        let b = s.db.add_worker("travailleuse-b");
        s.db.add_worker("travailleuse-c");
        post_as(&s, &a, &[on(1, 1, "2025-05-12"), on(2, 1, "2025-06-20"), on(3, 1, "2026-04-02")]);
        post_as(&s, &b, &[on(11, 1, "2025-06-13"), on(12, 1, "2026-05-03")]);
        post_as(&s, &a, &[on(2, 2, "2025-07-01")]);
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let store = &s.db.store;
        let workers = s.db.block(store.workers()).unwrap();
        assert_eq!(workers.len(), 3);

        let cache = ReportCache::new();
        s.db.block(cache.warm(store, day("2026-05-15"))).unwrap();
        let kept = cache.months_read();
        let program = Record::from_value(on(1, 1, "2025-05-12")).unwrap().program().to_owned();
        for programs in [None, Some([program].into()), Some(["aucun".to_owned()].into())] {
            // Whole months only (none read), then a period cut at both ends (two read).
            for (from, to, reads) in [("2025-05-01", "2026-04-30", 0), ("2025-05-10", "2026-04-20", 2)] {
                let filter = ReportFilter { from: day(from), to: day(to), programs: programs.clone() };
                let before = cache.months_read();
                let team = s.db.block(cache.period(store, None, &filter)).unwrap();
                assert_eq!(cache.months_read(), before + reads);
                let records = s
                    .db
                    .block(store.latest_records_in(None, filter.from, filter.to))
                    .unwrap();
                let all = || records.iter().map(|(_, r)| r);
                assert_eq!(team.report(true), Report::compute(all(), &filter));
                assert_eq!(team.report(false), Report::compute_without_cross_tables(all(), &filter));
                let mut interventions = 0;
                for (id, name) in &workers {
                    let theirs = records.iter().filter(|(w, _)| w == id).map(|(_, r)| r);
                    let expected =
                        TeamRow::of(name, &Report::compute_without_cross_tables(theirs, &filter));
                    assert_eq!(team.worker_row(*id, name), Some(expected.clone()));
                    interventions += expected.interventions;
                    // One worker's months do not hold the table's rows.
                    let own = s.db.block(cache.period(store, Some(*id), &filter)).unwrap();
                    assert_eq!(own.worker_row(*id, name), None);
                }
                let whole_year = programs.is_none() && reads == 0;
                assert_eq!(interventions, if whole_year { 4 } else { team.report(false).interventions });
            }
        }
        // The team's whole months were kept by the start: only its cut months were read
        // since (two per program filter), and each worker's own months (its twelve whole
        // ones once, then its two cut ones each time).
        assert_eq!(cache.months_read() - kept, 3 * 2 + 3 * (12 + 3 * 2));
    }
}
