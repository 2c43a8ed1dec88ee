//! `carnet-server`: run the server, or manage workers.
//!
//! ```text
//! carnet-server serve [--db carnet.db] [--dist dist] [--addr 127.0.0.1:8080]
//! carnet-server worker add NAME [--db carnet.db]
//! carnet-server taxonomy load FILE [--db carnet.db]
//! ```

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use carnet_server::{AppState, Store, router};

const USAGE: &str = "usage:
  carnet-server serve [--db FILE] [--dist DIR] [--addr HOST:PORT]
  carnet-server worker add NAME [--db FILE]
  carnet-server taxonomy load FILE [--db FILE]

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
        Command::AddWorker { db, name } => {
            let store = Store::open(&db).map_err(|e| e.to_string())?;
            let token = store.add_worker(&name).map_err(|e| e.to_string())?;
            eprintln!("worker `{name}` added; give this token to the worker (shown once):");
            println!("{token}");
            Ok(())
        }
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
            let state = Arc::new(AppState { store, taxonomy });
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
                name: "alex".into()
            })
        );
        assert!(parse(&args("serve --port 3")).is_err());
        assert!(parse(&args("worker add")).is_err());
        assert!(parse(&args("serve --db")).is_err());
    }
}
