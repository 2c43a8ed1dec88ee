//! `carnet-server backup` and `restore`, through the real binary: a copy made while ten
//! workers sync holds every record acknowledged before it began and no batch in part; a
//! restore brings it back, refuses damaged or newer files, and never replaces a database
//! in use.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Output;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{Backend, ServerProcess, TestDb, post_raw_to, record, rusqlite_conn};
use serde_json::json;

const WORKERS: u32 = 10;
const PER_BATCH: u32 = 25;

fn cli(args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_carnet-server"))
        .args(args)
        .env_remove("CARNET_DATABASE_URL")
        .output()
        .unwrap()
}

fn ids_in(db: &Path) -> BTreeSet<String> {
    let conn = rusqlite_conn(db);
    let mut stmt = conn.prepare("SELECT id FROM records").unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// One batch a worker sent: its ids, and when the server acknowledged it.
struct Sent {
    ids: Vec<String>,
    acked: Instant,
}

#[test]
fn a_backup_while_ten_workers_sync_holds_every_acknowledged_batch_whole() {
    let target = TestDb::new(&Backend::Sqlite);
    let db_path = target.sqlite_path().unwrap().to_owned();
    let db = target.open();
    let tokens: Vec<String> = (0..WORKERS)
        .map(|w| db.add_worker(&format!("poste-{w}")))
        .collect();
    drop(db);
    let dist = target.dist();
    std::fs::create_dir_all(&dist).unwrap();
    let server = ServerProcess::start(&target.cli_args(), &dist, None);
    let url = server.url("/api/v1/records");

    let stop = Arc::new(AtomicBool::new(false));
    let sent: Arc<Mutex<Vec<Sent>>> = Arc::default();
    let first_token = tokens[0].clone();
    let threads: Vec<_> = tokens
        .into_iter()
        .enumerate()
        .map(|(w, token)| {
            let (stop, sent, url) = (stop.clone(), sent.clone(), url.clone());
            std::thread::spawn(move || {
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) {
                    let records: Vec<_> = (0..PER_BATCH)
                        .map(|i| record(w as u32 * 1_000_000 + n * PER_BATCH + i))
                        .collect();
                    let ids = records
                        .iter()
                        .map(|r| r["id"].as_str().unwrap().to_owned())
                        .collect();
                    let body = json!({ "records": records }).to_string();
                    let (status, _) =
                        post_raw_to(&url, Some(&token), "application/json", body.as_bytes());
                    assert_eq!(status, 200);
                    sent.lock().unwrap().push(Sent {
                        ids,
                        acked: Instant::now(),
                    });
                    n += 1;
                }
            })
        })
        .collect();

    // Syncs going on before, during and after the copy.
    std::thread::sleep(Duration::from_millis(700));
    let copy = target.dist().with_file_name("copy.db");
    let began = Instant::now();
    let made = cli(&[
        "backup",
        copy.to_str().unwrap(),
        "--db",
        db_path.to_str().unwrap(),
    ]);
    let ended = Instant::now();
    std::thread::sleep(Duration::from_millis(300));
    stop.store(true, Ordering::Relaxed);
    for t in threads {
        t.join().unwrap();
    }
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    assert!(String::from_utf8_lossy(&made.stderr).contains("checked whole"));

    let in_copy = ids_in(&copy);
    let sent = sent.lock().unwrap();
    let before = sent.iter().filter(|s| s.acked < began).count();
    let during = sent
        .iter()
        .filter(|s| s.acked >= began && s.acked <= ended)
        .count();
    let after = sent.iter().filter(|s| s.acked > ended).count();
    assert!(
        before >= WORKERS as usize,
        "{before} batches before the copy"
    );
    assert!(after > 0, "no batch after the copy");
    eprintln!(
        "batches acknowledged before / during / after the copy: {before} / {during} / {after}"
    );
    let mut whole = 0;
    for batch in sent.iter() {
        let held = batch.ids.iter().filter(|id| in_copy.contains(*id)).count();
        assert!(
            held == 0 || held == batch.ids.len(),
            "a batch is in the copy in part: {held} of {}",
            batch.ids.len()
        );
        if batch.acked < began {
            assert_eq!(
                held,
                batch.ids.len(),
                "a batch acknowledged before the copy began is missing"
            );
        }
        whole += usize::from(held > 0);
    }
    assert_eq!(
        in_copy.len(),
        whole * PER_BATCH as usize,
        "only whole batches, nothing else"
    );
    let integrity: String = rusqlite_conn(&copy)
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");

    // A restore is refused while the server runs on the database, then done once it stops.
    let refused = cli(&[
        "restore",
        copy.to_str().unwrap(),
        "--db",
        db_path.to_str().unwrap(),
    ]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("in use"));
    let live = ids_in(&db_path);
    server.kill();
    let restored = cli(&[
        "restore",
        copy.to_str().unwrap(),
        "--db",
        db_path.to_str().unwrap(),
    ]);
    assert!(
        restored.status.success(),
        "{}",
        String::from_utf8_lossy(&restored.stderr)
    );
    assert_eq!(ids_in(&db_path), in_copy);
    // The replaced database is kept beside it, whole.
    let kept: Vec<_> = std::fs::read_dir(db_path.parent().unwrap())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains(".before-restore-"))
        .filter(|e| !e.file_name().to_string_lossy().ends_with("-wal"))
        .filter(|e| !e.file_name().to_string_lossy().ends_with("-shm"))
        .collect();
    assert_eq!(kept.len(), 1);
    assert_eq!(ids_in(&kept[0].path()), live);

    // The restored database serves: the first worker's records, through the API.
    let again = ServerProcess::start(&target.cli_args(), &dist, None);
    let mut resp = common::TestServer::agent()
        .get(again.url("/api/v1/records"))
        .header("Authorization", format!("Bearer {first_token}"))
        .call()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let listed: serde_json::Value =
        serde_json::from_str(&resp.body_mut().read_to_string().unwrap()).unwrap();
    let theirs: BTreeSet<String> = listed["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect();
    let expected: BTreeSet<String> = in_copy
        .iter()
        // Worker 0's records are numbered below 1 000 000.
        .filter(|id| id.as_str() < "00000000-0000-4000-8000-000001000000")
        .cloned()
        .collect();
    assert_eq!(theirs, expected);
}

#[test]
fn a_damaged_newer_or_foreign_file_is_never_restored() {
    let target = TestDb::new(&Backend::Sqlite);
    let db_path = target.sqlite_path().unwrap().to_owned();
    let db = target.open();
    db.add_worker("poste-a");
    drop(db);
    let dir = db_path.parent().unwrap().to_owned();
    let copy = dir.join("copy.db");
    let made = cli(&[
        "backup",
        copy.to_str().unwrap(),
        "--db",
        db_path.to_str().unwrap(),
    ]);
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    // A backup never replaces a file.
    let twice = cli(&[
        "backup",
        copy.to_str().unwrap(),
        "--db",
        db_path.to_str().unwrap(),
    ]);
    assert!(!twice.status.success());
    assert!(String::from_utf8_lossy(&twice.stderr).contains("exists already"));

    let target_db = dir.join("restored.db");
    let restore = |file: &Path| {
        cli(&[
            "restore",
            file.to_str().unwrap(),
            "--db",
            target_db.to_str().unwrap(),
        ])
    };
    // Newer: made by a later version.
    let newer = dir.join("newer.db");
    std::fs::copy(&copy, &newer).unwrap();
    rusqlite_conn(&newer)
        .pragma_update(None, "user_version", 99)
        .unwrap();
    // Damaged: a page in the middle overwritten.
    let damaged = dir.join("damaged.db");
    let mut bytes = std::fs::read(&copy).unwrap();
    assert!(bytes.len() > 3 * 4096, "a database of a few pages");
    let middle = bytes.len() / 2 / 4096 * 4096;
    bytes[middle..middle + 4096].fill(0x5a);
    std::fs::write(&damaged, &bytes).unwrap();
    // Not a database at all, and a database that is not Carnet's.
    let text = dir.join("notes.db");
    std::fs::write(&text, "not a database").unwrap();
    let foreign = dir.join("foreign.db");
    rusqlite_conn(&foreign)
        .execute_batch("CREATE TABLE t (x); PRAGMA user_version = 1;")
        .unwrap();
    for (file, why) in [
        (&newer, "newer than this server"),
        (&damaged, "damaged"),
        (&text, "damaged"),
        (&foreign, "not a Carnet database"),
    ] {
        let out = restore(file);
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{}", file.display());
        assert!(said.contains(why), "{}: {said}", file.display());
        assert!(
            !target_db.exists(),
            "nothing was written for {}",
            file.display()
        );
    }
    let out = restore(&copy);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        count_workers(&target_db),
        count_workers(&db_path),
        "the copy holds the accounts"
    );
}

fn count_workers(db: &Path) -> i64 {
    rusqlite_conn(db)
        .query_row("SELECT count(*) FROM workers", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn on_postgresql_backup_says_to_use_pg_dump() {
    let out = cli(&[
        "backup",
        "copy.db",
        "--database",
        "postgres://carnet@127.0.0.1:1/carnet",
    ]);
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("pg_dump"), "{said}");
}
