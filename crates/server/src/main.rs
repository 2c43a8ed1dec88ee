//! `carnet-server`: run the server, manage workers, move to PostgreSQL.
//!
//! ```text
//! carnet-server serve [--db carnet.db | --database postgres://…] [--dist dist] [--addr 127.0.0.1:8080] [--trusted-proxy 127.0.0.1]
//! carnet-server worker add|pair|revoke NAME, worker role NAME worker|coordinator
//! carnet-server device list [--worker NAME], device revoke ID
//! carnet-server audit [--limit N]
//! carnet-server settings list, settings set device-expiry-days|retention-days DAYS
//! carnet-server import FILE.ndjson|FILE.csv --worker NAME [--dry-run] [--db FILE | --database URL]
//! carnet-server migrate-to-postgres --db FILE --database URL
//! carnet-server --help, carnet-server COMMAND --help
//! ```

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use carnet_server::backup::{self, BackupError};
use carnet_server::client::Network;
use carnet_server::ratelimit::Limits;
use carnet_server::store::{ACTOR_CLI, Database, DeviceId, Role, Setting, now_ms};
use carnet_server::{AppState, Store, log, router};
use clap::{Args, Parser, Subcommand};

/// Carnet's sync server: serves the app and its API, and manages the organisation's
/// workers. SQLite by default (one file); PostgreSQL with --database or
/// CARNET_DATABASE_URL.
#[derive(Debug, Parser)]
#[command(name = "carnet-server", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Where the data is: a SQLite file (default `carnet.db`) or a PostgreSQL database.
#[derive(Debug, Args)]
struct DbArgs {
    /// SQLite database file (the default backend) [default: carnet.db]
    #[arg(long, value_name = "FILE")]
    db: Option<PathBuf>,
    /// PostgreSQL database instead of a SQLite file, as postgres://USER[:PASSWORD]@HOST[:PORT]/DB
    #[arg(
        long,
        value_name = "URL",
        env = "CARNET_DATABASE_URL",
        hide_env_values = true
    )]
    database: Option<String>,
}

impl DbArgs {
    /// `--db` given on the command line wins over `CARNET_DATABASE_URL` from the
    /// environment; both given as flags is an error.
    fn database(&self, explicit_url: bool) -> Result<Database, String> {
        match (&self.db, &self.database) {
            (Some(_), Some(_)) if explicit_url => Err(
                "give either --db FILE (SQLite) or --database URL (PostgreSQL), not both".into(),
            ),
            (Some(file), _) => Ok(Database::Sqlite(file.clone())),
            (None, Some(url)) => Database::postgres(url).map_err(|e| e.to_string()),
            (None, None) => Ok(Database::Sqlite(PathBuf::from("carnet.db"))),
        }
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the app and the API
    Serve {
        #[command(flatten)]
        db: DbArgs,
        /// The built app (Trunk's output)
        #[arg(long, value_name = "DIR", default_value = "dist")]
        dist: PathBuf,
        /// Address to listen on; keep it on loopback behind a TLS proxy
        #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:8080")]
        addr: String,
        /// A reverse proxy (address or network) whose X-Forwarded-For names the client, for
        /// the limits on failed tokens and pairing codes; repeat or separate with commas
        #[arg(long, value_name = "ADDRESS[/BITS]", value_delimiter = ',')]
        trusted_proxy: Vec<Network>,
    },
    /// Add, pair or revoke a worker, or change its role
    Worker {
        #[command(subcommand)]
        command: WorkerCommand,
    },
    /// List or revoke paired devices
    Device {
        #[command(subcommand)]
        command: DeviceCommand,
    },
    /// The log of account actions, newest first
    Audit {
        /// How many entries
        #[arg(long, default_value_t = 50)]
        limit: u32,
        #[command(flatten)]
        db: DbArgs,
    },
    /// The organisation's settings
    Settings {
        #[command(subcommand)]
        command: SettingsCommand,
    },
    /// The organisation's lists
    Taxonomy {
        #[command(subcommand)]
        command: TaxonomyCommand,
    },
    /// Import past records for a worker, all or nothing: NDJSON (one record per line) or a
    /// past spreadsheet as CSV
    Import {
        /// The .ndjson or .csv file
        file: PathBuf,
        /// The worker the records belong to
        #[arg(long, value_name = "NAME")]
        worker: String,
        /// CSV only: print what would be imported and every problem, import nothing
        #[arg(long)]
        dry_run: bool,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Copy the SQLite database to FILE while the server runs (checked whole); on
    /// PostgreSQL, says how to use pg_dump
    Backup {
        /// Where the copy goes (a new file: never one that exists)
        file: PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Put the backup FILE in place of the SQLite database (stop the server first); the
    /// database it replaces is kept beside it
    Restore {
        /// A copy made by `carnet-server backup`
        file: PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Write every record (latest versions, deletions included) as NDJSON that `import`
    /// reads back, one file per worker, with the taxonomy and a manifest
    Export {
        /// A new (or empty) folder
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Write a synthetic year (taxonomy and one NDJSON file per worker)
    Gen {
        /// Output folder
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Random seed
        #[arg(long, default_value_t = 2019)]
        seed: u64,
    },
    /// Copy a SQLite database into an empty PostgreSQL one, then check every count
    MigrateToPostgres {
        /// The SQLite file to copy (it may be in use: the copy is one consistent snapshot)
        #[arg(long, value_name = "FILE")]
        db: PathBuf,
        /// The empty PostgreSQL database, as postgres://…
        #[arg(
            long,
            value_name = "URL",
            env = "CARNET_DATABASE_URL",
            hide_env_values = true
        )]
        database: String,
    },
}

#[derive(Debug, Subcommand)]
enum WorkerCommand {
    /// Add a worker; prints its token once, and a one-time pairing code
    Add {
        /// The worker's name (1 to 64 characters; a post or a pseudonym, not a full name)
        name: String,
        /// May read the team's reports and manage accounts
        #[arg(long)]
        coordinator: bool,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Print a new one-time pairing code for a worker's phone (valid 15 minutes)
    Pair {
        name: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Refuse every device of a worker from now on; its synced records stay
    Revoke {
        name: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Make a worker a coordinator (reads the team's figures, manages accounts), or not
    Role {
        name: String,
        /// worker or coordinator
        #[arg(value_parser = clap::builder::PossibleValuesParser::new(Role::ALL.map(Role::as_str)))]
        role: String,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Debug, Subcommand)]
enum DeviceCommand {
    /// Every paired device: number, worker, label, state, created, last seen
    List {
        /// Only this worker's devices
        #[arg(long, value_name = "NAME")]
        worker: Option<String>,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Refuse one device's token from now on (its number from `device list`)
    Revoke {
        id: i64,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Debug, Subcommand)]
enum SettingsCommand {
    /// Print every setting and its value
    List {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Change a setting: device-expiry-days (90 by default: a device unused that long
    /// stops working) or retention-days (45: how long phones keep synced records)
    Set {
        #[arg(value_parser = ["device-expiry-days", "retention-days"])]
        name: String,
        /// Whole days, 1 to 3650
        value: String,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Debug, Subcommand)]
enum TaxonomyCommand {
    /// Load a new taxonomy document (higher version, every code kept)
    Load {
        /// The JSON document
        file: PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
}

fn main() -> ExitCode {
    let matches = <Cli as clap::CommandFactory>::command().get_matches();
    let explicit_url = explicit_database_flag(&matches);
    let copies = matches.subcommand_name() == Some("migrate-to-postgres");
    if explicit_url && explicit_db_flag(&matches) && !copies {
        <Cli as clap::CommandFactory>::command()
            .error(
                clap::error::ErrorKind::ArgumentConflict,
                "give either --db FILE (SQLite) or --database URL (PostgreSQL), not both",
            )
            .exit();
    }
    let cli = match <Cli as clap::FromArgMatches>::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            log!("carnet-server: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command, explicit_url)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            log!("carnet-server: {msg}");
            ExitCode::FAILURE
        }
    }
}

/// The matches of the innermost subcommand.
fn innermost(matches: &clap::ArgMatches) -> &clap::ArgMatches {
    let mut m = matches;
    while let Some((_, sub)) = m.subcommand() {
        m = sub;
    }
    m
}

/// Whether `--database` was typed on the command line (not taken from the environment).
fn explicit_database_flag(matches: &clap::ArgMatches) -> bool {
    let m = innermost(matches);
    m.try_get_raw("database").ok().flatten().is_some()
        && m.value_source("database") == Some(clap::parser::ValueSource::CommandLine)
}

/// Whether `--db` was typed on the command line.
fn explicit_db_flag(matches: &clap::ArgMatches) -> bool {
    innermost(matches)
        .try_get_raw("db")
        .ok()
        .flatten()
        .is_some()
}

async fn open(db: &DbArgs, explicit_url: bool) -> Result<Store, String> {
    let database = db.database(explicit_url)?;
    Store::open(&database)
        .await
        .map_err(|e| format!("cannot open the {database}: {e}"))
}

async fn run(command: Command, explicit_url: bool) -> Result<(), String> {
    let text = |e: &dyn std::fmt::Display| e.to_string();
    match command {
        Command::Worker {
            command:
                WorkerCommand::Add {
                    name,
                    coordinator,
                    db,
                },
        } => {
            let store = open(&db, explicit_url).await?;
            let role = if coordinator {
                Role::Coordinator
            } else {
                Role::Worker
            };
            let token = store
                .add_worker_with_role(&name, role)
                .await
                .map_err(|e| text(&e))?;
            log!(
                "{} `{name}` added; give this token to them (shown once):",
                role.as_str()
            );
            log::out(format_args!("{token}"));
            let code = store
                .create_pairing_code(&name, now_ms())
                .await
                .map_err(|e| text(&e))?;
            log!("or, easier on a phone, this one-time pairing code (valid 15 minutes): {code}");
            log!("{}", terminal_qr(&code));
            Ok(())
        }
        Command::Worker {
            command: WorkerCommand::Pair { name, db },
        } => {
            let store = open(&db, explicit_url).await?;
            let code = store
                .create_pairing_code(&name, now_ms())
                .await
                .map_err(|e| text(&e))?;
            log!("one-time pairing code for `{name}`, valid 15 minutes:");
            log::out(format_args!("{code}"));
            log!("{}", terminal_qr(&code));
            Ok(())
        }
        Command::Worker {
            command: WorkerCommand::Revoke { name, db },
        } => {
            let store = open(&db, explicit_url).await?;
            store.revoke_worker(&name).await.map_err(|e| text(&e))?;
            log!("`{name}` revoked: its token is refused from now on; its synced records stay");
            Ok(())
        }
        Command::Worker {
            command: WorkerCommand::Role { name, role, db },
        } => {
            let role = Role::parse(&role).ok_or("a role is worker or coordinator")?;
            let store = open(&db, explicit_url).await?;
            let changed = store
                .set_role(&name, role, ACTOR_CLI, false)
                .await
                .map_err(|e| text(&e))?;
            if changed {
                log!("`{name}` is now {}", role.as_str());
            } else {
                log!("`{name}` was {} already; nothing changed", role.as_str());
            }
            Ok(())
        }
        Command::Device {
            command: DeviceCommand::List { worker, db },
        } => {
            let store = open(&db, explicit_url).await?;
            let (accounts, expiry) = store.accounts(now_ms()).await.map_err(|e| text(&e))?;
            if let Some(name) = &worker
                && !accounts.iter().any(|a| &a.name == name)
            {
                return Err(format!("no worker named `{name}`"));
            }
            log::out(format_args!(
                "{:>5}  {:<24} {:<24} {:<8} {:<17} LAST SEEN",
                "ID", "WORKER", "LABEL", "STATE", "CREATED (UTC)"
            ));
            for account in accounts
                .iter()
                .filter(|a| worker.as_ref().is_none_or(|w| &a.name == w))
            {
                for device in &account.devices {
                    log::out(format_args!(
                        "{:>5}  {:<24} {:<24} {:<8} {:<17} {}",
                        device.id,
                        account.name,
                        device.label,
                        match device.state {
                            carnet_core::wire::DeviceState::Active => "active",
                            carnet_core::wire::DeviceState::Expired => "expired",
                            carnet_core::wire::DeviceState::Revoked => "revoked",
                        },
                        utc(device.created_ms),
                        device
                            .last_seen_ms
                            .map(utc)
                            .unwrap_or_else(|| "never".into()),
                    ));
                }
            }
            log!(
                "a device unused for {expiry} days stops working (settings set device-expiry-days)"
            );
            Ok(())
        }
        Command::Device {
            command: DeviceCommand::Revoke { id, db },
        } => {
            let store = open(&db, explicit_url).await?;
            let revoked = store
                .revoke_device(DeviceId(id), ACTOR_CLI)
                .await
                .map_err(|e| text(&e))?;
            if revoked.changed {
                log!(
                    "device {id} (`{}` of `{}`) revoked: its token is refused from now on",
                    revoked.label,
                    revoked.worker
                );
            } else {
                log!("device {id} was revoked already; nothing changed");
            }
            Ok(())
        }
        Command::Audit { limit, db } => {
            if !(1..=10_000).contains(&limit) {
                return Err("--limit takes 1 to 10000".into());
            }
            let store = open(&db, explicit_url).await?;
            let entries = store.audit(limit, None).await.map_err(|e| text(&e))?;
            for e in entries {
                log::out(format_args!(
                    "{}  {:<20} {:<16} {}{}{}",
                    utc(e.at_ms),
                    e.actor,
                    e.action.as_str(),
                    e.worker.as_deref().unwrap_or(""),
                    e.device_id
                        .map(|d| format!(" device {d}"))
                        .unwrap_or_default(),
                    e.detail.map(|d| format!(" ({d})")).unwrap_or_default(),
                ));
            }
            Ok(())
        }
        Command::Settings {
            command: SettingsCommand::List { db },
        } => {
            let store = open(&db, explicit_url).await?;
            let settings = store.settings().await.map_err(|e| text(&e))?;
            for setting in Setting::ALL {
                log::out(format_args!("{} {}", setting.name(), settings.get(setting)));
            }
            Ok(())
        }
        Command::Settings {
            command: SettingsCommand::Set { name, value, db },
        } => {
            let setting = Setting::parse(&name).map_err(|e| text(&e))?;
            setting.check(&value).map_err(|e| text(&e))?;
            let store = open(&db, explicit_url).await?;
            let days = store
                .set_setting(setting, &value, ACTOR_CLI)
                .await
                .map_err(|e| text(&e))?;
            log!(
                "{} is now {days}; running servers use it from their next request",
                setting.name()
            );
            Ok(())
        }
        Command::Import {
            file,
            worker,
            dry_run,
            db,
        } => {
            let contents = std::fs::read_to_string(&file)
                .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            let store = open(&db, explicit_url).await?;
            if is_csv(&file) {
                return import_csv(&store, &worker, &contents, dry_run).await;
            }
            if dry_run {
                return Err("--dry-run is for CSV files".into());
            }
            let summary = carnet_server::import::import_ndjson(&store, &worker, &contents)
                .await
                .map_err(|e| text(&e))?;
            log!(
                "imported for `{worker}`: {} stored, {} already there, {} conflicting (kept the server's)",
                summary.stored,
                summary.duplicates,
                summary.conflicts
            );
            Ok(())
        }
        Command::Gen { out, seed } => write_generated(seed, &out),
        Command::Export { out, db } => {
            let store = open(&db, explicit_url).await?;
            let manifest = carnet_server::export::export(&store, &out)
                .await
                .map_err(|e| text(&e))?;
            let records: usize = manifest.workers.iter().map(|w| w.records).sum();
            log!(
                "exported {records} record(s) of {} worker(s) into {} (taxonomy version {}); manifest.json says how to import them",
                manifest.workers.len(),
                out.display(),
                manifest.taxonomy_version
            );
            Ok(())
        }
        Command::Backup { file, db } => {
            let Database::Sqlite(path) = db.database(explicit_url)? else {
                return Err(BackupError::Postgres.to_string());
            };
            let copy = backup::backup(&path, &file).map_err(|e| text(&e))?;
            log!(
                "backed up {} to {}: {} record version(s), schema {}, {} bytes, checked whole, in {} ms",
                path.display(),
                copy.path.display(),
                copy.records,
                copy.schema,
                copy.bytes,
                copy.took.as_millis()
            );
            Ok(())
        }
        Command::Restore { file, db } => {
            let Database::Sqlite(path) = db.database(explicit_url)? else {
                return Err(BackupError::Postgres.to_string());
            };
            let restored = backup::restore(&file, &path).map_err(|e| text(&e))?;
            if let Some(kept) = &restored.kept {
                log!("the database it replaces is kept as {}", kept.display());
            }
            log!(
                "restored {} into {}: {} record version(s), schema {}; start the server again",
                file.display(),
                restored.path.display(),
                restored.records,
                restored.schema
            );
            Ok(())
        }
        Command::Taxonomy {
            command: TaxonomyCommand::Load { file, db },
        } => {
            let json = std::fs::read_to_string(&file)
                .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            let store = open(&db, explicit_url).await?;
            let loaded = store.load_taxonomy(&json).await.map_err(|e| text(&e))?;
            log!(
                "taxonomy version {} of `{}` loaded; running servers use it from their next request",
                loaded.version,
                loaded.organisation
            );
            Ok(())
        }
        Command::MigrateToPostgres { db, database } => {
            let target = Database::postgres(&database).map_err(|e| text(&e))?;
            let Database::Postgres(url) = &target else {
                return Err("--database takes a postgres://… URL".into());
            };
            let counts = carnet_server::migrate::sqlite_to_postgres(&db, url)
                .await
                .map_err(|e| text(&e))?;
            log!(
                "copied {} into the {target} and checked the counts: {} workers, {} devices, \
                 {} pairing codes, {} record versions of {} records, {} taxonomies, {} settings \
                 (the person-code key included), {} audit entries",
                db.display(),
                counts.workers,
                counts.devices,
                counts.pairing_codes,
                counts.records,
                counts.record_owners,
                counts.taxonomies,
                counts.settings,
                counts.audit
            );
            log!("start the servers with --database (or CARNET_DATABASE_URL) from now on");
            Ok(())
        }
        Command::Serve {
            db,
            dist,
            addr,
            trusted_proxy,
        } => {
            db.database(explicit_url)?;
            if !dist.join("index.html").is_file() {
                return Err(format!(
                    "{} has no index.html: build the app first (trunk build --release)",
                    dist.display()
                ));
            }
            let store = open(&db, explicit_url).await?;
            let backend = store.backend();
            let state = Arc::new(AppState::with(store, Limits::default(), trusted_proxy));
            tokio::spawn(warm_reports(state.clone()));
            tokio::spawn(refill_reports(state.clone()));
            let listener = tokio::net::TcpListener::bind(&addr)
                .await
                .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
            let local = listener.local_addr().map_err(|e| text(&e))?;
            log::out(format_args!("Carnet: http://{local}/"));
            log!("carnet-server: serving with {backend}");
            let app =
                router(state, &dist).into_make_service_with_connect_info::<std::net::SocketAddr>();
            axum::serve(listener, app)
                .with_graceful_shutdown(shutdown())
                .await
                .map_err(|e| text(&e))
        }
    }
}

/// Fills the team's closed months' reports in the background, so that the first report
/// after a start reads only what changed (`report_cache`). A failure costs nothing but time:
/// the requests read what they need.
async fn warm_reports(state: Arc<AppState>) {
    let started = std::time::Instant::now();
    match state
        .reports
        .warm(&state.store, carnet_server::calendar::today())
        .await
    {
        Ok(warmed) => log!(
            "carnet-server: the team's report: {} closed months kept ({} record versions) \
             in {:.1} s",
            warmed.months,
            warmed.records,
            started.elapsed().as_secs_f64()
        ),
        Err(e) => log!("carnet-server: the team's report: no closed month kept at start: {e}"),
    }
}

/// How long writes pause before the team's closed months they moved are read again.
const REFILL_QUIET: std::time::Duration = std::time::Duration::from_secs(2);

/// Brings the team's closed months up to date after the writes this server takes, in the
/// background, for as long as it runs (`ReportCache::refill_after_writes`).
async fn refill_reports(state: Arc<AppState>) {
    loop {
        let refilled = state
            .reports
            .refill_after_writes(&state.store, REFILL_QUIET, carnet_server::calendar::today)
            .await;
        if let Err(e) = refilled {
            log!("carnet-server: the team's report: closed months not brought up to date: {e}");
        }
    }
}

/// `2026-11-28 22:15` (UTC) from milliseconds since the epoch.
fn utc(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|| "?".into())
}

fn is_csv(file: &Path) -> bool {
    file.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"))
}

/// A past spreadsheet: a dry run prints what would be imported and every problem; a real
/// run imports all rows or none.
async fn import_csv(store: &Store, worker: &str, text: &str, dry_run: bool) -> Result<(), String> {
    let outcome = carnet_server::csv_import::import_csv(store, worker, text, dry_run)
        .await
        .map_err(|e| e.to_string())?;
    log!("{}", outcome.to_string().trim_end());
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
fn write_generated(seed: u64, out: &Path) -> Result<(), String> {
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
    log!(
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

    fn parse(line: &str) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("carnet-server").chain(line.split_whitespace()))
    }

    #[test]
    fn each_command_takes_only_its_own_flags() {
        match parse("serve --addr 127.0.0.1:0 --db x.db").unwrap().command {
            Command::Serve {
                db,
                dist,
                addr,
                trusted_proxy,
            } => {
                assert!(trusted_proxy.is_empty());
                assert_eq!(db.db, Some(PathBuf::from("x.db")));
                assert_eq!(dist, PathBuf::from("dist"));
                assert_eq!(addr, "127.0.0.1:0");
            }
            other => panic!("{other:?}"),
        }
        match parse("worker add alex --coordinator --db y.db")
            .unwrap()
            .command
        {
            Command::Worker {
                command:
                    WorkerCommand::Add {
                        name,
                        coordinator,
                        db,
                    },
            } => {
                assert_eq!((name.as_str(), coordinator), ("alex", true));
                assert_eq!(db.db, Some(PathBuf::from("y.db")));
            }
            other => panic!("{other:?}"),
        }
        match parse("serve --trusted-proxy 127.0.0.1,10.0.0.0/8 --trusted-proxy ::1")
            .unwrap()
            .command
        {
            Command::Serve { trusted_proxy, .. } => assert_eq!(trusted_proxy.len(), 3),
            other => panic!("{other:?}"),
        }
        assert!(parse("serve --trusted-proxy localhost").is_err());
        assert!(parse("settings set retention-days 30").is_ok());
        assert!(parse("settings set expiry 30").is_err());
        assert!(parse("worker role alex admin").is_err());
        assert!(parse("device revoke abc").is_err());
        assert!(parse("device list --worker alex").is_ok());
        assert!(parse("serve --port 3").is_err());
        assert!(parse("worker add").is_err());
        assert!(parse("serve --db").is_err());
        assert!(parse("worker pair alex --coordinator").is_err());
        assert!(parse("gen --out d --db x.db").is_err());
        assert!(
            parse("import f.ndjson --db x.db").is_err(),
            "--worker is required"
        );
        match parse("import past.csv --worker rue-a --dry-run")
            .unwrap()
            .command
        {
            Command::Import {
                file,
                worker,
                dry_run,
                db,
            } => {
                assert_eq!(
                    (file, worker.as_str(), dry_run),
                    ("past.csv".into(), "rue-a", true)
                );
                assert_eq!(db.db, None);
            }
            other => panic!("{other:?}"),
        }
        assert!(parse("migrate-to-postgres --db x.db --database postgres://h/d").is_ok());
    }

    #[test]
    fn the_database_is_a_file_by_default_and_a_url_on_demand() {
        let args = |db: Option<&str>, url: Option<&str>| DbArgs {
            db: db.map(PathBuf::from),
            database: url.map(str::to_owned),
        };
        assert_eq!(
            args(None, None).database(false),
            Ok(Database::Sqlite("carnet.db".into()))
        );
        assert_eq!(
            args(None, Some("postgres://h/d")).database(true),
            Ok(Database::Postgres("postgres://h/d".into()))
        );
        // CARNET_DATABASE_URL in the environment does not override an explicit --db …
        assert_eq!(
            args(Some("a.db"), Some("postgres://h/d")).database(false),
            Ok(Database::Sqlite("a.db".into()))
        );
        // … but both flags typed is a mistake, and so is a URL of another kind.
        assert!(
            args(Some("a.db"), Some("postgres://h/d"))
                .database(true)
                .is_err()
        );
        assert!(args(None, Some("carnet.db")).database(true).is_err());
    }
}
