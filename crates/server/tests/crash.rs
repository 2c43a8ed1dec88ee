//! The server crash test: 200 batches are streamed to the real `carnet-server` binary
//! while it is SIGKILLed and restarted at random points, at least 20 times. A batch is
//! resent until it is acknowledged, as the app does. At the end the database is intact
//! (`PRAGMA integrity_check` on SQLite) and every acknowledged record is there exactly
//! once.

#[macro_use]
mod common;

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use common::{ServerProcess, TestDb, record, rusqlite_conn};
use serde_json::{Value, json};

const BATCHES: u32 = 200;
const PER_BATCH: u32 = 20;
const MIN_KILLS: usize = 20;

/// xorshift64*: enough randomness for kill times, and the seed is printed to replay.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn seed() -> u64 {
    std::env::var("CARNET_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        })
}

both_backends! {
    fn acknowledged_records_survive_200_batches_and_20_kills(backend: Backend) {
        let seed = seed();
        eprintln!("crash test seed {seed} (CARNET_CRASH_SEED to replay)");
        let target = Arc::new(TestDb::new(&backend));
        let token = target.open().add_worker("poste-crash");
        let base: Arc<Mutex<Option<String>>> = Arc::new(Mutex::new(None));
        let done = Arc::new(AtomicBool::new(false));
        let kills = Arc::new(AtomicUsize::new(0));

        // The killer: start the server, let it run a random while, SIGKILL it, again.
        let killer = {
            let (target, base, done, kills) =
                (target.clone(), base.clone(), done.clone(), kills.clone());
            std::thread::spawn(move || {
                let mut rng = Rng(seed);
                while !done.load(Ordering::SeqCst) {
                    let server = ServerProcess::start(&target.cli_args(), &target.dist(), None);
                    *base.lock().unwrap() = Some(server.base.clone());
                    std::thread::sleep(Duration::from_millis(1 + rng.below(40)));
                    *base.lock().unwrap() = None;
                    if done.load(Ordering::SeqCst) {
                        server.kill();
                        break;
                    }
                    server.kill();
                    kills.fetch_add(1, Ordering::SeqCst);
                }
            })
        };

        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(5)))
            .build()
            .into();
        let mut acknowledged = BTreeSet::new();
        let mut attempts = 0;
        let started = Instant::now();
        for b in 0..BATCHES {
            let records: Vec<Value> =
                (0..PER_BATCH).map(|i| record(b * PER_BATCH + i + 1)).collect();
            let body = json!({ "records": records }).to_string();
            loop {
                assert!(started.elapsed() < Duration::from_secs(240), "the test is stuck");
                attempts += 1;
                let Some(url) = base.lock().unwrap().clone() else {
                    std::thread::sleep(Duration::from_millis(1));
                    continue;
                };
                let answer = agent
                    .post(format!("{url}/api/v1/records"))
                    .header("Authorization", format!("Bearer {token}"))
                    .header("Content-Type", "application/json")
                    .send(body.as_bytes());
                let Ok(mut resp) = answer else { continue };
                if resp.status().as_u16() != 200 {
                    continue;
                }
                let Ok(text) = resp.body_mut().read_to_string() else { continue };
                let answer: Value = serde_json::from_str(&text).unwrap();
                for result in answer["results"].as_array().unwrap() {
                    let status = result["status"].as_str().unwrap();
                    assert!(
                        status == "stored" || status == "duplicate",
                        "a resend after a crash was answered {status}"
                    );
                    acknowledged.insert(result["id"].as_str().unwrap().to_owned());
                }
                break;
            }
        }
        done.store(true, Ordering::SeqCst);
        killer.join().unwrap();
        let kills = kills.load(Ordering::SeqCst);
        eprintln!(
            "{BATCHES} batches acknowledged after {attempts} attempts, {kills} kills, in {:?}",
            started.elapsed()
        );
        assert!(kills >= MIN_KILLS, "only {kills} kills");
        assert_eq!(acknowledged.len(), (BATCHES * PER_BATCH) as usize);

        if let Some(path) = target.sqlite_path() {
            let conn = rusqlite_conn(path);
            let check: String = conn
                .query_row("PRAGMA integrity_check", [], |r| r.get(0))
                .unwrap();
            assert_eq!(check, "ok");
        }
        // Every acknowledged record is there exactly once, as sent.
        let db = target.open();
        let counts = db.block(db.store.counts()).unwrap();
        assert_eq!(counts.records, acknowledged.len() as i64);
        assert_eq!(counts.record_owners, acknowledged.len() as i64);
        let worker = db
            .block(db.store.worker_by_name("poste-crash"))
            .unwrap()
            .unwrap();
        let latest = db.block(db.store.latest_versions(worker)).unwrap();
        let held: BTreeSet<String> = latest.iter().map(|v| v.id.to_string()).collect();
        assert_eq!(held, acknowledged);
        assert!(latest.iter().all(|v| v.version == 1 && !v.deleted));
        let one = uuid::Uuid::parse_str(acknowledged.iter().next().unwrap()).unwrap();
        let versions = db.block(db.store.versions(worker, one)).unwrap();
        assert_eq!(versions.len(), 1);
        assert_eq!(versions[0].as_contact().unwrap().milieu, "bar_erotique");
    }
}
