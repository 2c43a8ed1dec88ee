//! Shared test harness: a real server on a loopback port over a real SQLite file.
#![allow(dead_code)] // each test file uses its own part of the harness

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

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
