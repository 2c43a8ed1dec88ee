//! When the database cannot take a write (locked past the bounded wait, full, unreachable)
//! the answer is `503 unavailable` with `Retry-After`, nothing is acknowledged, reads go
//! on, and the server recovers by itself. And a closed log cannot take the process down.

#[macro_use]
mod common;

use std::time::{Duration, Instant};

use carnet_server::store::SqliteOptions;
use common::{Backend, TestDb, TestServer, record, rusqlite_conn, statuses};
use serde_json::{Value, json};

fn batch(from: u32, n: u32) -> Value {
    json!({ "records": (from..from + n).map(record).collect::<Vec<_>>() })
}

/// POSTs a batch; returns status, the Retry-After header and the body.
fn post_batch(s: &TestServer, body: &Value) -> (u16, Option<String>, Value) {
    let mut resp = TestServer::agent()
        .post(s.url("/api/v1/records"))
        .header("Authorization", format!("Bearer {}", s.token))
        .header("Content-Type", "application/json")
        .send(body.to_string().as_bytes())
        .unwrap();
    let retry = resp
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let text = resp.body_mut().read_to_string().unwrap();
    (
        resp.status().as_u16(),
        retry,
        serde_json::from_str(&text).unwrap(),
    )
}

fn assert_unavailable((status, retry, body): (u16, Option<String>, Value)) {
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"], "unavailable", "{body}");
    let seconds: u64 = retry.expect("Retry-After").parse().unwrap();
    assert!((1..=60).contains(&seconds));
}

fn sqlite_server(options: SqliteOptions) -> TestServer {
    let target = TestDb::new(&Backend::Sqlite);
    let token = target.open().add_worker("travailleuse-a");
    TestServer::start_sqlite_with(target, token, options)
}

#[test]
fn a_write_lock_held_past_the_wait_gives_503_while_reads_go_on() {
    let wait = Duration::from_millis(300);
    let s = sqlite_server(SqliteOptions {
        wait,
        ..SqliteOptions::default()
    });
    assert_eq!(statuses(&s.post(&batch(1, 2)).1), ["stored", "stored"]);

    // Another process's long write (an import, say) holds SQLite's write lock.
    let path = s.target.sqlite_path().unwrap().to_owned();
    let blocker = rusqlite_conn(&path);
    blocker.execute_batch("BEGIN IMMEDIATE").unwrap();

    let started = Instant::now();
    assert_unavailable(post_batch(&s, &batch(3, 2)));
    let waited = started.elapsed();
    assert!(waited >= wait, "answered after {waited:?}, before the wait");
    assert!(
        waited < wait * 10,
        "waited {waited:?}: the wait is not bounded"
    );
    // Reads do not wait for the writer.
    let (status, list, _) = s.get("/api/v1/records", Some(&s.token));
    assert_eq!(status, 200);
    assert_eq!(list["records"].as_array().unwrap().len(), 2);

    blocker.execute_batch("ROLLBACK").unwrap();
    assert_eq!(statuses(&s.post(&batch(3, 2)).1), ["stored", "stored"]);
    assert_eq!(s.rows(), 4);
}

#[test]
fn a_full_database_gives_503_and_keeps_every_acknowledged_record() {
    // Fill a file capped at a few pages more than its schema.
    let target = TestDb::new(&Backend::Sqlite);
    let token = target.open().add_worker("travailleuse-a");
    let pages: u64 = rusqlite_conn(target.sqlite_path().unwrap())
        .query_row("PRAGMA page_count", [], |r| r.get(0))
        .unwrap();
    let s = TestServer::start_sqlite_with(
        target,
        token,
        SqliteOptions {
            max_pages: Some(pages + 40),
            ..SqliteOptions::default()
        },
    );
    let mut acknowledged = 0;
    let mut full = None;
    for i in 0..100 {
        let answer = post_batch(&s, &batch(1 + i * 50, 50));
        if answer.0 == 200 {
            acknowledged += 50;
        } else {
            full = Some(answer);
            break;
        }
    }
    let full = full.expect("the capped file never filled up");
    assert_unavailable(full);
    assert!(acknowledged > 0);
    // Whole or nothing: exactly the acknowledged batches are there.
    assert_eq!(s.rows(), acknowledged);
    let path = s.target.sqlite_path().unwrap().to_owned();
    let ok: String = rusqlite_conn(&path)
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    // Reads still work on a full disk.
    let (status, _, _) = s.get("/api/v1/records", Some(&s.token));
    assert_eq!(status, 200);
}

#[test]
#[cfg_attr(
    not(carnet_postgres),
    ignore = "no PostgreSQL: set CARNET_TEST_DATABASE_URL (source scripts/postgres.sh)"
)]
fn an_unreachable_postgresql_gives_503_then_recovers() {
    let Some(backend) = Backend::postgres() else {
        return;
    };
    let Backend::Postgres(admin) = &backend else {
        unreachable!()
    };
    let s = TestServer::start_with(&backend);
    assert_eq!(statuses(&s.post(&batch(1, 2)).1), ["stored", "stored"]);
    let name = match &s.target.database {
        carnet_server::store::Database::Postgres(url) => url.rsplit('/').next().unwrap().to_owned(),
        _ => unreachable!(),
    };
    // The database goes away: its connections are cut and new ones refused.
    common::admin_sql(
        admin,
        &format!(
            "ALTER DATABASE {name} ALLOW_CONNECTIONS false;
             SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}';"
        ),
    );
    for _ in 0..3 {
        assert_unavailable(post_batch(&s, &batch(3, 2)));
    }
    common::admin_sql(
        admin,
        &format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true"),
    );
    // Recovers by itself: the pool makes new connections.
    let mut stored = None;
    for _ in 0..20 {
        let (status, _, body) = post_batch(&s, &batch(3, 2));
        if status == 200 {
            stored = Some(body);
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(
        statuses(&stored.expect("never recovered")),
        ["stored", "stored"]
    );
    let db = s.target.open();
    assert_eq!(db.records(), 4);
}

both_backends! {
    fn a_closed_log_never_takes_the_server_down(backend: Backend) {
        let target = TestDb::new(&backend);
        let token = target.open().add_worker("poste-log");
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_carnet-server"))
            .args(["serve", "--addr", "127.0.0.1:0", "--dist"])
            .arg(target.dist())
            .args(target.cli_args())
            .env_remove("CARNET_DATABASE_URL")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(child.stdout.take().unwrap()),
            &mut first,
        )
        .unwrap();
        let base = first.trim().trim_start_matches("Carnet: ").trim_end_matches('/').to_owned();
        // Whoever read the log went away: every log line now fails to write.
        drop(child.stderr.take());
        for i in 0..20 {
            let (status, body) = common::post_raw_to(
                &format!("{base}/api/v1/records"),
                Some(&token),
                "application/json",
                batch(i * 2 + 1, 2).to_string().as_bytes(),
            );
            assert_eq!(status, 200, "{body}");
        }
        assert!(child.try_wait().unwrap().is_none(), "the server died");
        let _ = child.kill();
        let _ = child.wait();
        assert_eq!(target.open().records(), 40);
    }
}
