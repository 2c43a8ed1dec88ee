//! `carnet-server`: run the server, or manage workers.
//!
//! ```text
//! carnet-server serve [--db carnet.db] [--dist dist] [--addr 127.0.0.1:8080]
//! carnet-server worker add NAME [--db carnet.db]
//! carnet-server taxonomy load FILE [--db carnet.db]
//! carnet-server import FILE.ndjson|FILE.csv --worker NAME [--dry-run] [--db carnet.db]
//! ```

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use carnet_server::store::Role;
use carnet_server::{AppState, Store, router};

const USAGE: &str = "usage:
  carnet-server serve [--db FILE] [--dist DIR] [--addr HOST:PORT]
  carnet-server worker add NAME [--coordinator] [--db FILE]
  carnet-server worker pair NAME [--db FILE]
  carnet-server worker revoke NAME [--db FILE]
  carnet-server taxonomy load FILE [--db FILE]
  carnet-server import FILE.ndjson --worker NAME [--db FILE]
  carnet-server import FILE.csv --worker NAME [--dry-run] [--db FILE]
  carnet-server gen --out DIR [--seed N]

defaults: --db carnet.db  --dist dist  --addr 127.0.0.1:8080";

#[derive(Debug, PartialEq)]
enum Command {
    Serve {
        db: PathBuf,
        dist: PathBuf,
        addr: String,
    },
    AddWorker {
        db: PathBuf,
        name: String,
        coordinator: bool,
    },
    RevokeWorker {
        db: PathBuf,
        name: String,
    },
    PairWorker {
        db: PathBuf,
        name: String,
    },
    Import {
        db: PathBuf,
        file: PathBuf,
        worker: String,
        dry_run: bool,
    },
    Generate {
        seed: u64,
        out: PathBuf,
    },
    LoadTaxonomy {
        db: PathBuf,
        file: PathBuf,
    },
}

fn parse(args: &[String]) -> Result<Command, String> {
    let mut db = PathBuf::from("carnet.db");
    let mut dist = PathBuf::from("dist");
    let mut addr = "127.0.0.1:8080".to_owned();
    let mut worker = None;
    let mut out = None;
    let mut seed = 2019u64;
    let mut coordinator = false;
    let mut dry_run = false;
    let mut words = Vec::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |flag: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        match arg.as_str() {
            "--db" => db = PathBuf::from(value("--db")?),
            "--dist" => dist = PathBuf::from(value("--dist")?),
            "--addr" => addr = value("--addr")?,
            "--worker" => worker = Some(value("--worker")?),
            "--out" => out = Some(PathBuf::from(value("--out")?)),
            "--seed" => {
                seed = value("--seed")?
                    .parse()
                    .map_err(|_| "--seed takes a whole number".to_owned())?
            }
            "--coordinator" => coordinator = true,
            "--dry-run" => dry_run = true,
            "-h" | "--help" => return Err(String::new()),
            flag if flag.starts_with("--") => return Err(format!("unknown option {flag}")),
            word => words.push(word.to_owned()),
        }
    }
    match words.as_slice() {
        [cmd] if cmd == "serve" => Ok(Command::Serve { db, dist, addr }),
        [a, b, name] if a == "worker" && b == "add" => Ok(Command::AddWorker {
            db,
            name: name.clone(),
            coordinator,
        }),
        [a, b, name] if a == "worker" && b == "pair" => Ok(Command::PairWorker {
            db,
            name: name.clone(),
        }),
        [a, b, name] if a == "worker" && b == "revoke" => Ok(Command::RevokeWorker {
            db,
            name: name.clone(),
        }),
        [a, file] if a == "import" => Ok(Command::Import {
            db,
            file: PathBuf::from(file),
            worker: worker.ok_or("import needs --worker NAME")?,
            dry_run,
        }),
        [a] if a == "gen" => Ok(Command::Generate {
            seed,
            out: out.ok_or("gen needs --out DIR")?,
        }),
        [a, b, file] if a == "taxonomy" && b == "load" => Ok(Command::LoadTaxonomy {
            db,
            file: PathBuf::from(file),
        }),
        _ => Err("unknown command".into()),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = match parse(&args) {
        Ok(c) => c,
        Err(msg) => {
            if !msg.is_empty() {
                eprintln!("carnet-server: {msg}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("carnet-server: {msg}");
            ExitCode::FAILURE
        }
    }
}

fn run(command: Command) -> Result<(), String> {
    match command {
        Command::AddWorker {
            db,
            name,
            coordinator,
        } => {
            let store = Store::open(&db).map_err(|e| e.to_string())?;
            let role = if coordinator {
                Role::Coordinator
            } else {
                Role::Worker
            };
            let token = store
                .add_worker_with_role(&name, role)
                .map_err(|e| e.to_string())?;
            let what = if coordinator { "coordinator" } else { "worker" };
            eprintln!("{what} `{name}` added; give this token to them (shown once):");
            println!("{token}");
            let code = store
                .create_pairing_code(&name, carnet_server::store::now_ms())
                .map_err(|e| e.to_string())?;
            eprintln!(
                "or, easier on a phone, this one-time pairing code (valid 15 minutes): {code}"
            );
            eprintln!("{}", terminal_qr(&code));
            Ok(())
        }
        Command::PairWorker { db, name } => {
            let store = Store::open(&db).map_err(|e| e.to_string())?;
            let code = store
                .create_pairing_code(&name, carnet_server::store::now_ms())
                .map_err(|e| e.to_string())?;
            eprintln!("one-time pairing code for `{name}`, valid 15 minutes:");
            println!("{code}");
            eprintln!("{}", terminal_qr(&code));
            Ok(())
        }
        Command::RevokeWorker { db, name } => {
            let store = Store::open(&db).map_err(|e| e.to_string())?;
            store.revoke_worker(&name).map_err(|e| e.to_string())?;
            eprintln!(
                "`{name}` revoked: its token is refused from now on; its synced records stay"
            );
            Ok(())
        }
        Command::Import {
            db,
            file,
            worker,
            dry_run,
        } => {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            let store = Store::open(&db).map_err(|e| e.to_string())?;
            if is_csv(&file) {
                return import_csv(&store, &worker, &text, dry_run);
            }
            if dry_run {
                return Err("--dry-run is for CSV files".into());
            }
            let summary = carnet_server::import::import_ndjson(&store, &worker, &text)
                .map_err(|e| e.to_string())?;
            eprintln!(
                "imported for `{worker}`: {} stored, {} already there, {} conflicting (kept the server's)",
                summary.stored, summary.duplicates, summary.conflicts
            );
            Ok(())
        }
        Command::Generate { seed, out } => write_generated(seed, &out),
        Command::LoadTaxonomy { db, file } => {
            let json = std::fs::read_to_string(&file)
                .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            let store = Store::open(&db).map_err(|e| e.to_string())?;
            let loaded = store.load_taxonomy(&json).map_err(|e| e.to_string())?;
            eprintln!(
                "taxonomy version {} of `{}` loaded; restart the server to serve it",
                loaded.version, loaded.organisation
            );
            Ok(())
        }
        Command::Serve { db, dist, addr } => {
            if !dist.join("index.html").is_file() {
                return Err(format!(
                    "{} has no index.html: build the app first (trunk build --release)",
                    dist.display()
                ));
            }
            let store = Arc::new(Store::open(&db).map_err(|e| e.to_string())?);
            let taxonomy = store.taxonomy().map_err(|e| e.to_string())?;
            let state = Arc::new(AppState::new(store, taxonomy));
            let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind(&addr)
                    .await
                    .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
                let local = listener.local_addr().map_err(|e| e.to_string())?;
                println!("Carnet: http://{local}/");
                axum::serve(listener, router(state, &dist))
                    .with_graceful_shutdown(shutdown())
                    .await
                    .map_err(|e| e.to_string())
            })
        }
    }
}

fn is_csv(file: &std::path::Path) -> bool {
    file.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"))
}

/// A past spreadsheet: a dry run prints what would be imported and every problem; a real
/// run imports all rows or none.
fn import_csv(store: &Store, worker: &str, text: &str, dry_run: bool) -> Result<(), String> {
    let outcome = carnet_server::csv_import::import_csv(store, worker, text, dry_run)
        .map_err(|e| e.to_string())?;
    eprint!("{outcome}");
    if outcome.problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} problem(s); nothing was imported",
            outcome.problems.len()
        ))
    }
}

/// The pairing code as a QR code drawn with block characters, for a phone's camera.
fn terminal_qr(code: &str) -> String {
    qrcode::QrCode::new(code.as_bytes())
        .map(|qr| {
            qr.render::<qrcode::render::unicode::Dense1x2>()
                .quiet_zone(true)
                .build()
        })
        .unwrap_or_default()
}

/// Writes the synthetic year: its taxonomy and one NDJSON file per worker.
fn write_generated(seed: u64, out: &std::path::Path) -> Result<(), String> {
    use carnet_server::synthetic;
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let write = |name: &str, text: String| {
        std::fs::write(out.join(name), text).map_err(|e| format!("cannot write {name}: {e}"))
    };
    write(
        "taxonomy.json",
        serde_json::to_string_pretty(&synthetic::taxonomy()).map_err(|e| e.to_string())?,
    )?;
    let records = synthetic::year(seed);
    for worker in synthetic::WORKERS {
        let mut lines = String::new();
        for (_, record) in records.iter().filter(|(w, _)| *w == worker) {
            lines.push_str(&serde_json::to_string(record).map_err(|e| e.to_string())?);
            lines.push('\n');
        }
        write(&format!("{worker}.ndjson"), lines)?;
    }
    eprintln!(
        "synthetic year (seed {seed}) in {}: taxonomy.json and {} files; load with\n  \
         carnet-server taxonomy load {0}/taxonomy.json\n  \
         carnet-server worker add NAME; carnet-server import {0}/NAME.ndjson --worker NAME",
        out.display(),
        synthetic::WORKERS.len()
    );
    Ok(())
}

async fn shutdown() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn parses_commands_and_flags() {
        assert_eq!(
            parse(&args("serve --addr 127.0.0.1:0 --db x.db")),
            Ok(Command::Serve {
                db: "x.db".into(),
                dist: "dist".into(),
                addr: "127.0.0.1:0".into()
            })
        );
        assert_eq!(
            parse(&args("worker add alex --db y.db")),
            Ok(Command::AddWorker {
                db: "y.db".into(),
                name: "alex".into(),
                coordinator: false
            })
        );
        assert_eq!(
            parse(&args("import past.csv --worker rue-a --dry-run")),
            Ok(Command::Import {
                db: "carnet.db".into(),
                file: "past.csv".into(),
                worker: "rue-a".into(),
                dry_run: true
            })
        );
        assert!(parse(&args("serve --port 3")).is_err());
        assert!(parse(&args("worker add")).is_err());
        assert!(parse(&args("serve --db")).is_err());
    }
}
