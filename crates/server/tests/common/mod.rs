//! Shared test harness: a real server on a loopback port over a real database — a SQLite
//! file, or a database of its own on the PostgreSQL server of `CARNET_TEST_DATABASE_URL`.
//!
//! `both_backends!` turns one test body into `name::sqlite` and `name::postgres`. The
//! PostgreSQL variants (and the PostgreSQL-only tests) are built `#[ignore]`d unless the
//! tests were built with `CARNET_TEST_DATABASE_URL` set, or with
//! `CARNET_REQUIRE_POSTGRES=1` (scripts/test.sh), where a missing database fails them (see
//! the server crate's `build.rs`).
#![allow(dead_code)] // each test file uses its own part of the harness

use std::collections::BTreeMap;
use std::future::Future;
use std::io::Read;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use carnet_server::ratelimit::Limits;
use carnet_server::store::{Database, SqliteOptions, SqliteStore};
use carnet_server::{AppState, Store, router};
use serde_json::{Value, json};

/// Runs each test body once per backend: `mod name { fn sqlite(); fn postgres() }`.
#[macro_export]
macro_rules! both_backends {
    ($($(#[$meta:meta])* fn $name:ident($backend:ident: Backend) $body:block)*) => {$(
        $(#[$meta])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            fn run($backend: $crate::common::Backend) $body
            #[test]
            fn sqlite() {
                run($crate::common::Backend::Sqlite)
            }
            #[test]
            #[cfg_attr(
                not(carnet_postgres),
                ignore = "no PostgreSQL: set CARNET_TEST_DATABASE_URL (source scripts/postgres.sh)"
            )]
            fn postgres() {
                if let Some(backend) = $crate::common::Backend::postgres() {
                    run(backend)
                }
            }
        }
    )*};
}

/// Which database a test runs on.
#[derive(Debug, Clone)]
pub enum Backend {
    Sqlite,
    /// The PostgreSQL server's URL (an admin connection: tests create databases in it).
    Postgres(String),
}

impl Backend {
    /// The PostgreSQL server to test against, if there is one (see the module's doc).
    pub fn postgres() -> Option<Backend> {
        match std::env::var("CARNET_TEST_DATABASE_URL") {
            Ok(url) if !url.is_empty() => Some(Backend::Postgres(url)),
            // Built to run on PostgreSQL (or required to): a missing database fails.
            _ if cfg!(carnet_postgres)
                || std::env::var("CARNET_REQUIRE_POSTGRES").as_deref() == Ok("1") =>
            {
                panic!(
                    "CARNET_TEST_DATABASE_URL is not set (or CARNET_REQUIRE_POSTGRES=1 without \
                     it): PostgreSQL could not be started, so this PostgreSQL test cannot run"
                )
            }
            // An ignored variant run with `--include-ignored` and no database.
            _ => {
                eprintln!(
                    "NOTE: PostgreSQL variant not run: CARNET_TEST_DATABASE_URL is not set \
                     (scripts/test.sh starts a PostgreSQL and sets it)"
                );
                None
            }
        }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, Backend::Postgres(_))
    }
}

/// A new, empty database for one test, and a folder with a minimal built app in `dist/`.
pub struct TestDb {
    pub database: Database,
    /// For PostgreSQL: the admin URL and the database's name, dropped at the end.
    postgres: Option<(String, String)>,
    pub dir: tempfile::TempDir,
}

impl TestDb {
    pub fn new(backend: &Backend) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let dist = dir.path().join("dist");
        std::fs::create_dir(&dist).unwrap();
        std::fs::write(
            dist.join("index.html"),
            "<!doctype html><title>Carnet</title>",
        )
        .unwrap();
        match backend {
            Backend::Sqlite => TestDb {
                database: Database::Sqlite(dir.path().join("carnet.db")),
                postgres: None,
                dir,
            },
            Backend::Postgres(admin) => {
                let name = format!(
                    "t_{}",
                    carnet_server::token::generate().unwrap()[..16].to_owned()
                );
                admin_sql(admin, &format!("CREATE DATABASE {name}"));
                TestDb {
                    database: Database::Postgres(with_database(admin, &name)),
                    postgres: Some((admin.clone(), name)),
                    dir,
                }
            }
        }
    }

    pub fn dist(&self) -> PathBuf {
        self.dir.path().join("dist")
    }

    /// `--db FILE` or `--database URL`, for the CLI.
    pub fn cli_args(&self) -> Vec<String> {
        match &self.database {
            Database::Sqlite(path) => vec!["--db".into(), path.display().to_string()],
            Database::Postgres(url) => vec!["--database".into(), url.clone()],
        }
    }

    /// The SQLite file, for the tests that look inside it.
    pub fn sqlite_path(&self) -> Option<&Path> {
        match &self.database {
            Database::Sqlite(path) => Some(path),
            Database::Postgres(_) => None,
        }
    }

    /// Runs SQL on this database directly (a test reaching past the store: moving a
    /// device's last use into the past, building an old schema).
    pub fn execute(&self, sql: &str) {
        self.try_execute(sql).unwrap()
    }

    /// Runs `sql` through a connection of the test's own (on SQLite, foreign keys off
    /// unless `sql` turns them on), with the database's error as text.
    pub fn try_execute(&self, sql: &str) -> Result<(), String> {
        match &self.database {
            Database::Sqlite(path) => rusqlite_conn(path)
                .execute_batch(sql)
                .map_err(|e| e.to_string()),
            Database::Postgres(url) => {
                let rt = runtime();
                rt.block_on(async {
                    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
                        .await
                        .unwrap();
                    tokio::spawn(connection);
                    client
                        .batch_execute(sql)
                        .await
                        .map_err(|e| format!("{e}: {:?}", e.as_db_error().map(|d| d.message())))
                })
            }
        }
    }

    /// A store on this database, with its own runtime, for the test's own checks.
    pub fn open(&self) -> Db {
        Db::open(&self.database)
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin, name)) = self.postgres.take() {
            admin_sql(
                &admin,
                &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            );
        }
    }
}

/// Runs one statement on the PostgreSQL server (outside any database of a test).
pub fn admin_sql(admin: &str, sql: &str) {
    let rt = runtime();
    rt.block_on(async {
        let (client, connection) = tokio_postgres::connect(admin, tokio_postgres::NoTls)
            .await
            .unwrap_or_else(|e| panic!("cannot reach PostgreSQL at {admin}: {e}"));
        tokio::spawn(connection);
        client.batch_execute(sql).await.unwrap();
    });
}

/// The same server URL with another database name.
pub fn with_database(url: &str, name: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap();
    let (authority, query) = match rest.find(['/', '?']) {
        Some(i) => {
            let tail = &rest[i..];
            (&rest[..i], tail.find('?').map(|q| &tail[q..]).unwrap_or(""))
        }
        None => (rest, ""),
    };
    format!("{scheme}://{authority}/{name}{query}")
}

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// A store and the runtime its connections live on: `db.block(db.store.add_worker(…))`.
pub struct Db {
    pub store: Store,
    rt: tokio::runtime::Runtime,
}

impl Db {
    pub fn open(database: &Database) -> Self {
        let rt = runtime();
        let store = rt.block_on(Store::open(database)).unwrap();
        Db { store, rt }
    }

    pub fn block<T>(&self, future: impl Future<Output = T>) -> T {
        self.rt.block_on(future)
    }

    pub fn add_worker(&self, name: &str) -> String {
        self.block(self.store.add_worker(name)).unwrap()
    }

    pub fn add_coordinator(&self, name: &str) -> String {
        self.block(
            self.store
                .add_worker_with_role(name, carnet_server::store::Role::Coordinator),
        )
        .unwrap()
    }

    pub fn records(&self) -> i64 {
        self.block(self.store.counts()).unwrap().records
    }
}

pub struct TestServer {
    pub addr: SocketAddr,
    pub token: String,
    /// The test's own store on the same database (another connection, another pool).
    pub db: Db,
    pub target: TestDb,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl TestServer {
    /// A server on a new SQLite database with one worker, `travailleuse-a`.
    pub fn start() -> Self {
        Self::start_with(&Backend::Sqlite)
    }

    /// A server on a new database of `backend` with one worker, `travailleuse-a`.
    pub fn start_with(backend: &Backend) -> Self {
        let target = TestDb::new(backend);
        let token = target.open().add_worker("travailleuse-a");
        Self::start_on(target, token)
    }

    /// Starts a server on an existing database, as after a restart.
    pub fn start_on(target: TestDb, token: String) -> Self {
        Self::start_limited(target, token, Limits::default(), Vec::new())
    }

    /// A server with these limits, trusting these proxies' `X-Forwarded-For`.
    pub fn start_limited(
        target: TestDb,
        token: String,
        limits: Limits,
        trusted: Vec<carnet_server::client::Network>,
    ) -> Self {
        let database = target.database.clone();
        Self::start_state(
            target,
            token,
            move || Box::pin(async move { Store::open(&database).await }),
            move |store| AppState::with(store, limits, trusted),
        )
    }

    /// Starts a server on a SQLite store with the given options.
    pub fn start_sqlite_with(target: TestDb, token: String, options: SqliteOptions) -> Self {
        let path = target.sqlite_path().unwrap().to_owned();
        Self::start_state(
            target,
            token,
            move || Box::pin(async move { SqliteStore::open(&path, options).map(Store::Sqlite) }),
            AppState::new,
        )
    }

    fn start_state(
        target: TestDb,
        token: String,
        open: impl FnOnce() -> std::pin::Pin<
            Box<dyn Future<Output = Result<Store, carnet_server::StoreError>> + Send>,
        > + Send
        + 'static,
        state: impl FnOnce(Store) -> AppState + Send + 'static,
    ) -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel::<Result<(), String>>();
        let dist = target.dist();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let store = match open().await {
                    Ok(store) => store,
                    Err(e) => {
                        let _ = ready_tx.send(Err(e.to_string()));
                        return;
                    }
                };
                let app = router(Arc::new(state(store)), &dist)
                    .into_make_service_with_connect_info::<SocketAddr>();
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                let _ = ready_tx.send(Ok(()));
                axum::serve(listener, app)
                    .with_graceful_shutdown(async {
                        let _ = rx.await;
                    })
                    .await
                    .unwrap();
            });
        });
        ready_rx
            .recv()
            .unwrap()
            .expect("the server could not open its store");
        let db = target.open();
        TestServer {
            addr,
            token,
            db,
            target,
            shutdown: Some(tx),
            thread: Some(thread),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub fn agent() -> ureq::Agent {
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into()
    }

    /// POSTs raw bytes; returns status and parsed JSON body.
    pub fn post_raw(&self, token: Option<&str>, content_type: &str, body: &[u8]) -> (u16, Value) {
        post_raw_to(&self.url("/api/v1/records"), token, content_type, body)
    }

    pub fn post(&self, body: &Value) -> (u16, Value) {
        self.post_raw(
            Some(&self.token),
            "application/json",
            body.to_string().as_bytes(),
        )
    }

    /// GETs raw bytes: status, content type, body.
    pub fn get_bytes(&self, path: &str, token: &str) -> (u16, String, Vec<u8>) {
        let mut resp = Self::agent()
            .get(self.url(path))
            .header("Authorization", format!("Bearer {token}"))
            .call()
            .unwrap();
        let status = resp.status().as_u16();
        let content_type = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let body = resp.body_mut().read_to_vec().unwrap();
        (status, content_type, body)
    }

    /// POSTs a body with a token; returns status and parsed JSON.
    pub fn post_to(
        &self,
        path: &str,
        token: &str,
        content_type: &str,
        body: &[u8],
    ) -> (u16, Value) {
        let mut resp = Self::agent()
            .post(self.url(path))
            .header("Authorization", format!("Bearer {token}"))
            .header("Content-Type", content_type)
            .send(body)
            .unwrap();
        let status = resp.status().as_u16();
        let text = resp.body_mut().read_to_string().unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    pub fn get(&self, path: &str, token: Option<&str>) -> (u16, Value, String) {
        let mut req = Self::agent().get(self.url(path));
        if let Some(t) = token {
            req = req.header("Authorization", format!("Bearer {t}"));
        }
        let mut resp = req.call().unwrap();
        let status = resp.status().as_u16();
        let cache = resp
            .headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let text = resp.body_mut().read_to_string().unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
            cache,
        )
    }

    /// Record versions in the database, read through the test's own connection.
    pub fn rows(&self) -> i64 {
        self.db.records()
    }

    fn halt(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }

    /// Stops the server and hands back its database.
    pub fn stop(mut self) -> (TestDb, String) {
        self.halt();
        let placeholder = TestDb::new(&Backend::Sqlite);
        let target = std::mem::replace(&mut self.target, placeholder);
        (target, std::mem::take(&mut self.token))
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.halt();
    }
}

/// POSTs raw bytes to a URL; returns status and parsed JSON body.
pub fn post_raw_to(
    url: &str,
    token: Option<&str>,
    content_type: &str,
    body: &[u8],
) -> (u16, Value) {
    let mut req = TestServer::agent()
        .post(url)
        .header("Content-Type", content_type);
    if let Some(t) = token {
        req = req.header("Authorization", format!("Bearer {t}"));
    }
    let mut resp = req.send(body).unwrap();
    let status = resp.status().as_u16();
    let text = resp.body_mut().read_to_string().unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

pub fn count_rows(db: &Path) -> i64 {
    let conn = rusqlite_conn(db);
    conn.query_row("SELECT COUNT(*) FROM records", [], |r| r.get(0))
        .unwrap()
}

pub fn rusqlite_conn(db: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(db).unwrap()
}

pub fn record(n: u32) -> Value {
    json!({
        "id": format!("00000000-0000-4000-8000-{n:012}"),
        "taxonomy_version": 1,
        "occurred_at": "2026-11-28T22:15:00-05:00",
        "program": "catwoman",
        "milieu": "bar_erotique",
        "mode": "en_personne",
        "age_group": "26_40",
        "gender": "femme",
        "realities": ["hebergement", "sante"],
        "material": { "condoms": 12 }
    })
}

pub fn statuses(body: &Value) -> Vec<String> {
    body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap().to_owned())
        .collect()
}

/// A `carnet-server serve` process (the real binary), on a free port.
pub struct ServerProcess {
    pub child: std::process::Child,
    pub base: String,
}

impl ServerProcess {
    /// Starts `carnet-server serve` with these database arguments; returns once it listens.
    /// Its log goes to `log` (a file, so a full pipe can never stall it), or nowhere.
    pub fn start(db_args: &[String], dist: &Path, log: Option<&Path>) -> Self {
        use std::io::BufRead;
        let stderr = match log {
            Some(path) => std::process::Stdio::from(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)
                    .unwrap(),
            ),
            None => std::process::Stdio::null(),
        };
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_carnet-server"))
            .args(["serve", "--addr", "127.0.0.1:0", "--dist"])
            .arg(dist)
            .args(db_args)
            .env_remove("CARNET_DATABASE_URL")
            .stdout(std::process::Stdio::piped())
            .stderr(stderr)
            .spawn()
            .unwrap();
        let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        stdout.read_line(&mut first).unwrap();
        assert!(
            first.starts_with("Carnet: http://"),
            "the server did not start: {first:?}"
        );
        let base = first
            .trim()
            .trim_start_matches("Carnet: ")
            .trim_end_matches('/')
            .to_owned();
        ServerProcess { child, base }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// SIGKILL, and wait for the process to be gone.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The synthetic year's records of one worker, as NDJSON.
pub fn ndjson(worker: &str, seed: u64) -> String {
    carnet_server::synthetic::year(seed)
        .into_iter()
        .filter(|(w, _)| *w == worker)
        .map(|(_, r)| serde_json::to_string(&r).unwrap() + "\n")
        .collect()
}

/// A server over a real database holding the synthetic 2019-2020 year of every program:
/// returns it, a coordinator token and the first CatWoman worker's token. One worker's
/// file goes through the real CLI, the others through the library.
pub fn year_server(backend: &Backend) -> (TestServer, String, String) {
    use carnet_server::synthetic;
    let target = TestDb::new(backend);
    let db = target.open();
    db.block(
        db.store
            .load_taxonomy(&serde_json::to_string(&synthetic::taxonomy()).unwrap()),
    )
    .unwrap();
    let coordinator = db.add_coordinator("coordination");
    let mut worker_token = String::new();
    for (i, worker) in synthetic::WORKERS.iter().enumerate() {
        let token = db.add_worker(worker);
        if i == 0 {
            worker_token = token;
        }
    }
    let file = target.dir.path().join("a.ndjson");
    std::fs::write(&file, ndjson(synthetic::WORKERS[0], 2019)).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_carnet-server"))
        .args(["import"])
        .arg(&file)
        .args(["--worker", synthetic::WORKERS[0]])
        .args(target.cli_args())
        .env_remove("CARNET_DATABASE_URL")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for worker in &synthetic::WORKERS[1..] {
        let summary = db
            .block(carnet_server::import::import_ndjson(
                &db.store,
                worker,
                &ndjson(worker, 2019),
            ))
            .unwrap();
        assert_eq!((summary.duplicates, summary.conflicts), (0, 0));
    }
    drop(db);
    let server = TestServer::start_on(target, coordinator.clone());
    (server, coordinator, worker_token)
}

/// CSV rows `table,code,value[,…]` as a map from (table, code) to the value columns.
pub fn csv_rows(csv: &str) -> BTreeMap<(String, String), Vec<i64>> {
    csv.lines()
        .skip(1)
        .map(|line| {
            let mut parts = line.split(',');
            let table = parts.next().unwrap().to_owned();
            let code = parts.next().unwrap().to_owned();
            let values = parts.map(|v| v.parse().unwrap()).collect();
            ((table, code), values)
        })
        .collect()
}

/// A spreadsheet read back: each sheet's name and its cells as text, by row and column.
pub fn xlsx_sheets(bytes: &[u8]) -> Vec<(String, Vec<Vec<String>>)> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut read = |name: &str| {
        let mut text = String::new();
        match zip.by_name(name) {
            Ok(mut f) => {
                f.read_to_string(&mut text).unwrap();
            }
            Err(_) => return String::new(),
        }
        text
    };
    let workbook = read("xl/workbook.xml");
    let shared: Vec<String> = elements(&read("xl/sharedStrings.xml"), "si")
        .iter()
        .map(|si| {
            elements(si, "t")
                .iter()
                .map(|t| unescape(inner(t)))
                .collect()
        })
        .collect();
    elements(&workbook, "sheet")
        .iter()
        .enumerate()
        .map(|(i, sheet)| {
            let name = unescape(attribute(sheet, "name").unwrap());
            let xml = read(&format!("xl/worksheets/sheet{}.xml", i + 1));
            let mut grid: Vec<Vec<String>> = Vec::new();
            for c in elements(&xml, "c") {
                let r = attribute(&c, "r").unwrap();
                let (col, row) = cell_ref(r);
                let value = elements(&c, "v").first().map(|v| inner(v).to_owned());
                let text = match (attribute(&c, "t"), value) {
                    (Some("s"), Some(v)) => shared[v.parse::<usize>().unwrap()].clone(),
                    (_, Some(v)) => v,
                    (_, None) => String::new(),
                };
                if grid.len() <= row {
                    grid.resize(row + 1, Vec::new());
                }
                if grid[row].len() <= col {
                    grid[row].resize(col + 1, String::new());
                }
                grid[row][col] = text;
            }
            (name, grid)
        })
        .collect()
}

/// The value at (row label, column header) of a sheet's block: the first row whose first
/// cell is `row` at or after the row holding the header `column`.
pub fn xlsx_cell(grid: &[Vec<String>], row: &str, column: &str) -> Option<String> {
    let (head, col) = grid
        .iter()
        .enumerate()
        .find_map(|(i, cells)| cells.iter().position(|c| c == column).map(|j| (i, j)))?;
    grid[head..]
        .iter()
        .find(|cells| cells.first().map(String::as_str) == Some(row))
        .and_then(|cells| cells.get(col).cloned())
}

fn cell_ref(r: &str) -> (usize, usize) {
    let letters: String = r.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
    let col = letters
        .bytes()
        .fold(0usize, |acc, b| acc * 26 + usize::from(b - b'A' + 1))
        - 1;
    let row: usize = r[letters.len()..].parse().unwrap();
    (col, row - 1)
}

/// Every `<tag …>…</tag>` or `<tag …/>` element of `xml`, whole.
fn elements(xml: &str, tag: &str) -> Vec<String> {
    let mut out = Vec::new();
    let open = format!("<{tag}");
    let close = format!("</{tag}>");
    let mut rest = xml;
    while let Some(start) = rest.find(&open) {
        let after = &rest[start + open.len()..];
        // `<c` must not match `<cols`: the name ends at a space, `>` or `/`.
        if !after.starts_with([' ', '>', '/']) {
            rest = after;
            continue;
        }
        let head_end = after.find('>').unwrap();
        let end = if after[..head_end].ends_with('/') {
            start + open.len() + head_end + 1
        } else {
            start + open.len() + after.find(&close).unwrap() + close.len()
        };
        out.push(rest[start..end].to_owned());
        rest = &rest[end..];
    }
    out
}

fn attribute<'a>(element: &'a str, name: &str) -> Option<&'a str> {
    let head = &element[..element.find('>').unwrap_or(element.len())];
    let key = format!(" {name}=\"");
    let start = head.find(&key)? + key.len();
    Some(&head[start..start + head[start..].find('"')?])
}

fn inner(element: &str) -> &str {
    let start = element.find('>').map_or(0, |i| i + 1);
    let end = element.rfind("</").unwrap_or(element.len());
    if start > end {
        ""
    } else {
        &element[start..end]
    }
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}
