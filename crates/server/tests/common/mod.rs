//! Shared test harness: a real server on a loopback port over a real SQLite file.
#![allow(dead_code)] // each test file uses its own part of the harness

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use std::collections::BTreeMap;
use std::io::Read;
use std::process::Command;

use carnet_server::store::Role;
use carnet_server::synthetic;
use carnet_server::{AppState, Store, router};
use serde_json::{Value, json};

pub struct TestServer {
    pub addr: SocketAddr,
    pub db: PathBuf,
    pub token: String,
    pub _dir: tempfile::TempDir,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl TestServer {
    pub fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let dist = dir.path().join("dist");
        std::fs::create_dir(&dist).unwrap();
        std::fs::write(
            dist.join("index.html"),
            "<!doctype html><title>Carnet</title>",
        )
        .unwrap();
        let store = Store::open(&dir.path().join("carnet.db")).unwrap();
        let token = store.add_worker("travailleuse-a").unwrap();
        drop(store);
        Self::start_in(dir, token)
    }

    /// Starts a server on an existing folder (database and `dist/`), as after a restart.
    pub fn start_in(dir: tempfile::TempDir, token: String) -> Self {
        let db = dir.path().join("carnet.db");
        let dist = dir.path().join("dist");
        let store = Arc::new(Store::open(&db).unwrap());
        let taxonomy = store.taxonomy().unwrap();
        let state = Arc::new(AppState::new(store, taxonomy));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let app = router(state, &dist);
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                axum::serve(listener, app)
                    .with_graceful_shutdown(async {
                        let _ = rx.await;
                    })
                    .await
                    .unwrap();
            });
        });
        TestServer {
            addr,
            db,
            token,
            _dir: dir,
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
        let mut req = Self::agent()
            .post(self.url("/api/v1/records"))
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

    /// Rows in the records table, read through a separate connection to the same file.
    pub fn rows(&self) -> i64 {
        count_rows(&self.db)
    }
}

impl TestServer {
    fn halt(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }

    /// Stops the server and hands back its folder.
    pub fn stop(mut self) -> (tempfile::TempDir, String) {
        self.halt();
        let placeholder = tempfile::tempdir().unwrap();
        let dir = std::mem::replace(&mut self._dir, placeholder);
        (dir, std::mem::take(&mut self.token))
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.halt();
    }
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

/// The synthetic year's records of one worker, as NDJSON.
pub fn ndjson(worker: &str, seed: u64) -> String {
    synthetic::year(seed)
        .into_iter()
        .filter(|(w, _)| *w == worker)
        .map(|(_, r)| serde_json::to_string(&r).unwrap() + "\n")
        .collect()
}

/// A server over a real database holding the synthetic 2019-2020 year of every program:
/// returns it, a coordinator token and the first CatWoman worker's token. One worker's
/// file goes through the real CLI, the others through the library.
pub fn year_server() -> (TestServer, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("carnet.db");
    std::fs::create_dir(dir.path().join("dist")).unwrap();
    std::fs::write(dir.path().join("dist/index.html"), "<!doctype html>").unwrap();
    let store = Store::open(&db).unwrap();
    store
        .load_taxonomy(&serde_json::to_string(&synthetic::taxonomy()).unwrap())
        .unwrap();
    let coordinator = store
        .add_worker_with_role("coordination", Role::Coordinator)
        .unwrap();
    let mut worker_token = String::new();
    for (i, worker) in synthetic::WORKERS.iter().enumerate() {
        let token = store.add_worker(worker).unwrap();
        if i == 0 {
            worker_token = token;
        }
    }
    drop(store);
    let file = dir.path().join("a.ndjson");
    std::fs::write(&file, ndjson(synthetic::WORKERS[0], 2019)).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_carnet-server"))
        .args(["import"])
        .arg(&file)
        .args(["--worker", synthetic::WORKERS[0], "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let store = Store::open(&db).unwrap();
    for worker in &synthetic::WORKERS[1..] {
        let summary =
            carnet_server::import::import_ndjson(&store, worker, &ndjson(worker, 2019)).unwrap();
        assert_eq!((summary.duplicates, summary.conflicts), (0, 0));
    }
    drop(store);
    let server = TestServer::start_in(dir, coordinator.clone());
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
