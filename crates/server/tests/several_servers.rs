//! Several `carnet-server` processes on one database, at once: the same batch sent to two
//! servers concurrently is stored once, a pairing code works once across servers, a
//! taxonomy loaded through the CLI is used by both at once, and the report is the same
//! whichever server answers. Then `migrate-to-postgres` moves a SQLite file over.

#[macro_use]
mod common;

use std::sync::{Arc, Barrier};

use common::{ServerProcess, TestDb, post_raw_to, record};
use serde_json::{Value, json};

const WORKERS: usize = 4;
const BATCHES: u32 = 10;
const PER_BATCH: u32 = 50;

fn statuses(body: &Value) -> Vec<String> {
    body["results"]
        .as_array()
        .unwrap_or_else(|| panic!("no results in {body}"))
        .iter()
        .map(|r| r["status"].as_str().unwrap().to_owned())
        .collect()
}

/// Sends `body` to both servers at the same moment; returns both answers.
fn to_both(urls: &[String; 2], token: &str, body: &str) -> [(u16, Value); 2] {
    let barrier = Arc::new(Barrier::new(2));
    let handles: Vec<_> = urls
        .iter()
        .map(|url| {
            let (url, token, body, barrier) = (
                url.clone(),
                token.to_owned(),
                body.to_owned(),
                barrier.clone(),
            );
            std::thread::spawn(move || {
                barrier.wait();
                post_raw_to(&url, Some(&token), "application/json", body.as_bytes())
            })
        })
        .collect();
    let mut answers = handles.into_iter().map(|h| h.join().unwrap());
    [answers.next().unwrap(), answers.next().unwrap()]
}

fn get(url: &str, token: &str) -> (u16, Value) {
    let mut resp = common::TestServer::agent()
        .get(url)
        .header("Authorization", format!("Bearer {token}"))
        .call()
        .unwrap();
    let status = resp.status().as_u16();
    let text = resp.body_mut().read_to_string().unwrap();
    (status, serde_json::from_str(&text).unwrap())
}

both_backends! {
    fn two_servers_on_one_database_store_each_record_once(backend: Backend) {
        let target = TestDb::new(&backend);
        let db = target.open();
        let coordinator = db.add_coordinator("coordination");
        let tokens: Vec<String> = (0..WORKERS).map(|w| db.add_worker(&format!("poste-{w}"))).collect();
        let a = ServerProcess::start(&target.cli_args(), &target.dist(), None);
        let b = ServerProcess::start(&target.cli_args(), &target.dist(), None);
        let records_url = [a.url("/api/v1/records"), b.url("/api/v1/records")];

        // Each worker's client sends every batch to both servers at once.
        std::thread::scope(|scope| {
            for (w, token) in tokens.iter().enumerate() {
                let records_url = &records_url;
                scope.spawn(move || {
                    for batch in 0..BATCHES {
                        let first = (w as u32 * BATCHES + batch) * PER_BATCH + 1;
                        let records: Vec<Value> = (first..first + PER_BATCH).map(record).collect();
                        let body = json!({ "records": records }).to_string();
                        let [(sa, ba), (sb, bb)] = to_both(records_url, token, &body);
                        assert_eq!((sa, sb), (200, 200), "{ba} {bb}");
                        for (x, y) in statuses(&ba).iter().zip(statuses(&bb)) {
                            let mut pair = [x.as_str(), y.as_str()];
                            pair.sort();
                            assert_eq!(pair, ["duplicate", "stored"], "stored once, acknowledged twice");
                        }
                    }
                });
            }
        });
        let total = WORKERS as i64 * i64::from(BATCHES * PER_BATCH);
        let counts = db.block(db.store.counts()).unwrap();
        assert_eq!((counts.records, counts.record_owners), (total, total));

        // A correction and a hijack raced on two servers: the owner's lands, once.
        let mut corrected = record(1);
        corrected["version"] = json!(2);
        corrected["milieu"] = json!("salon_massage");
        let body = json!({ "records": [corrected] }).to_string();
        let [(_, ba), (_, bb)] = to_both(&records_url, &tokens[0], &body);
        let mut pair = [statuses(&ba)[0].clone(), statuses(&bb)[0].clone()];
        pair.sort();
        assert_eq!(pair, ["duplicate", "stored"]);
        let [(_, ha), (_, hb)] = to_both(&records_url, &tokens[1], &body);
        assert_eq!((statuses(&ha), statuses(&hb)), (vec!["conflict".to_owned()], vec!["conflict".to_owned()]));
        assert_eq!(db.records(), total + 1);

        // A pairing code works once, whichever servers it is typed on at the same moment.
        let pair_url = [a.url("/api/v1/pair"), b.url("/api/v1/pair")];
        for _ in 0..5 {
            let code = db
                .block(db.store.create_pairing_code("poste-0", carnet_server::store::now_ms()))
                .unwrap();
            let body = json!({ "code": code }).to_string();
            let barrier = Arc::new(Barrier::new(2));
            let answers: Vec<u16> = pair_url
                .iter()
                .map(|url| {
                    let (url, body, barrier) = (url.clone(), body.clone(), barrier.clone());
                    std::thread::spawn(move || {
                        barrier.wait();
                        post_raw_to(&url, None, "application/json", body.as_bytes()).0
                    })
                })
                .collect::<Vec<_>>()
                .into_iter()
                .map(|h| h.join().unwrap())
                .collect();
            let mut answers = answers;
            answers.sort();
            assert_eq!(answers, [200, 400], "a code worked twice, or never");
        }

        // A taxonomy loaded through the CLI is used by both running servers at once.
        let mut doc: Value =
            serde_json::from_str(carnet_core::taxonomy::DEFAULT_TAXONOMY_JSON).unwrap();
        doc["version"] = json!(3);
        doc["venues"] = json!([{ "code": "lieu_a", "fr": "Lieu A", "en": "Place A" }]);
        let file = target.dir.path().join("taxonomy.json");
        std::fs::write(&file, doc.to_string()).unwrap();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_carnet-server"))
            .args(["taxonomy", "load"])
            .arg(&file)
            .args(target.cli_args())
            .env_remove("CARNET_DATABASE_URL")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        for server in [&a, &b] {
            let (_, taxonomy) = get(&server.url("/api/v1/taxonomy"), &coordinator);
            assert_eq!(taxonomy["version"], 3);
        }
        let mut with_venue = record(100_000);
        with_venue["venue"] = json!("lieu_a");
        let (status, body) = post_raw_to(
            &b.url("/api/v1/records"),
            Some(&tokens[2]),
            "application/json",
            json!({ "records": [with_venue] }).to_string().as_bytes(),
        );
        assert_eq!((status, statuses(&body)), (200, vec!["stored".to_owned()]));

        // The same report, the same tallies, whichever server answers.
        for path in [
            "/api/v1/report?from=2026-01-01&to=2026-12-31",
            "/api/v1/report?from=2026-01-01&to=2026-12-31&format=csv",
            "/api/v1/tallies?from=2026-01-01&to=2026-12-31",
        ] {
            let fetch = |server: &ServerProcess| {
                let mut resp = common::TestServer::agent()
                    .get(server.url(path))
                    .header("Authorization", format!("Bearer {coordinator}"))
                    .call()
                    .unwrap();
                assert_eq!(resp.status().as_u16(), 200);
                resp.body_mut().read_to_string().unwrap()
            };
            let (ra, rb) = (fetch(&a), fetch(&b));
            assert_eq!(ra, rb, "{path}");
            if path.ends_with("31") && path.contains("report") {
                let report: Value = serde_json::from_str(&ra).unwrap();
                assert_eq!(report["report"]["interventions"], total + 1);
            }
        }
    }
}

#[test]
#[cfg_attr(
    not(carnet_postgres),
    ignore = "no PostgreSQL: set CARNET_TEST_DATABASE_URL (source scripts/postgres.sh)"
)]
fn migrate_to_postgres_copies_everything_and_checks_the_counts() {
    let Some(backend) = common::Backend::postgres() else {
        return;
    };
    // A SQLite database in use: workers, a paired device, codes, a taxonomy, versions.
    let source = TestDb::new(&common::Backend::Sqlite);
    let db = source.open();
    let coordinator = db.add_coordinator("coordination");
    let worker = db.add_worker("poste-1");
    db.add_worker("poste-2");
    db.block(db.store.revoke_worker("poste-2")).unwrap();
    let now = carnet_server::store::now_ms();
    let code = db
        .block(db.store.create_pairing_code("poste-1", now))
        .unwrap();
    let (device, _) = db
        .block(db.store.redeem_pairing_code(&code, now))
        .unwrap()
        .unwrap();
    db.block(db.store.create_pairing_code("poste-1", now))
        .unwrap();
    let mut doc: Value =
        serde_json::from_str(carnet_core::taxonomy::DEFAULT_TAXONOMY_JSON).unwrap();
    doc["version"] = json!(3);
    db.block(db.store.load_taxonomy(&doc.to_string())).unwrap();
    let sqlite_server = ServerProcess::start(&source.cli_args(), &source.dist(), None);
    let records: Vec<Value> = (1..=250).map(record).collect();
    let (status, _) = post_raw_to(
        &sqlite_server.url("/api/v1/records"),
        Some(&device),
        "application/json",
        json!({ "records": &records[..100] }).to_string().as_bytes(),
    );
    assert_eq!(status, 200);
    for chunk in records[100..].chunks(100) {
        let (status, _) = post_raw_to(
            &sqlite_server.url("/api/v1/records"),
            Some(&worker),
            "application/json",
            json!({ "records": chunk }).to_string().as_bytes(),
        );
        assert_eq!(status, 200);
    }
    let mut corrected = record(7);
    corrected["version"] = json!(2);
    corrected["deleted"] = json!(true);
    post_raw_to(
        &sqlite_server.url("/api/v1/records"),
        Some(&worker),
        "application/json",
        json!({ "records": [corrected] }).to_string().as_bytes(),
    );
    let report_path = "/api/v1/report?from=2026-01-01&to=2026-12-31";
    let (_, sqlite_report) = get(&sqlite_server.url(report_path), &coordinator);
    let (_, sqlite_me) = get(&sqlite_server.url("/api/v1/me"), &worker);
    let expected = db.block(db.store.counts()).unwrap();
    assert_eq!(expected.records, 251);

    // Copy while the SQLite server still runs (the copy reads one snapshot).
    let target = TestDb::new(&backend);
    let migrate = |target: &TestDb| {
        std::process::Command::new(env!("CARGO_BIN_EXE_carnet-server"))
            .arg("migrate-to-postgres")
            .args(source.cli_args())
            .args(target.cli_args())
            .env_remove("CARNET_DATABASE_URL")
            .output()
            .unwrap()
    };
    let out = migrate(&target);
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{log}");
    assert!(log.contains("checked the counts"), "{log}");
    assert!(log.contains("251 record versions"), "{log}");
    sqlite_server.kill();

    let pg = target.open();
    assert_eq!(pg.block(pg.store.counts()).unwrap(), expected);
    let pg_server = ServerProcess::start(&target.cli_args(), &target.dist(), None);
    // Same tokens, same person-code key, same taxonomy, same report.
    let (status, pg_me) = get(&pg_server.url("/api/v1/me"), &worker);
    assert_eq!(status, 200);
    assert_eq!(pg_me, sqlite_me);
    assert_eq!(pg_me["taxonomy_version"], 3);
    assert_eq!(get(&pg_server.url("/api/v1/me"), &device).0, 200);
    let (_, pg_report) = get(&pg_server.url(report_path), &coordinator);
    assert_eq!(pg_report, sqlite_report);
    // Resending what SQLite acknowledged is a duplicate; new workers get new ids.
    let (_, resent) = post_raw_to(
        &pg_server.url("/api/v1/records"),
        Some(&worker),
        "application/json",
        json!({ "records": &records[100..200] })
            .to_string()
            .as_bytes(),
    );
    assert!(statuses(&resent).iter().all(|s| s == "duplicate"));
    pg.add_worker("poste-3");
    assert_eq!(pg.block(pg.store.workers()).unwrap().len(), 4);

    // A second copy into a database that holds data is refused, and changes nothing.
    let again = migrate(&target);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("not empty"));
    assert_eq!(pg.records(), 251);
}
