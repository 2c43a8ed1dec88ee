//! `carnet-server backup FILE` and `restore FILE`: a consistent copy of a running server's
//! SQLite database, and putting one back.
//!
//! The copy is SQLite's online backup in one step: it reads the database inside one read
//! transaction, so it is the database as it was at one instant, every batch acknowledged
//! before it whole and nothing half-written, while the server goes on writing (WAL: readers
//! never block the writer). The copy is written beside its destination, checked with
//! `PRAGMA integrity_check` and synced to disk before it takes its name, so a file called
//! FILE is always a whole, checked copy.
//!
//! A restore refuses a file that is damaged, that is not a Carnet database, or whose schema
//! is newer than this server knows (it was made by a later version: restoring it with this
//! one would lose what that version added). An older schema is fine: the server upgrades
//! it when it opens it. The database being replaced is kept beside it, never deleted, and a
//! database in use (a server still running on it) is not replaced.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags};
use thiserror::Error;

use crate::store::migrations::MIGRATIONS;

#[derive(Debug, Error)]
pub enum BackupError {
    #[error(
        "this server runs on PostgreSQL: back it up with pg_dump (docs/deploy.md, « Backups »), e.g. `pg_dump --format=custom --file=carnet.dump \"$CARNET_DATABASE_URL\"`"
    )]
    Postgres,
    #[error("{0} exists already: a backup never replaces another file; choose a new name")]
    Exists(PathBuf),
    #[error("no database at {0}")]
    Missing(PathBuf),
    #[error("{0} is damaged: {1}")]
    Damaged(PathBuf, String),
    #[error("{0} is not a Carnet database")]
    NotCarnet(PathBuf),
    #[error(
        "{path} has schema version {found}, newer than this server's {known}: restore it with the version of Carnet that made it"
    )]
    NewerSchema {
        path: PathBuf,
        found: i64,
        known: usize,
    },
    #[error(
        "{0} is in use (is a server still running on it?): stop the server, then restore again"
    )]
    InUse(PathBuf),
    #[error("{0}: {1}")]
    Io(PathBuf, std::io::Error),
    #[error("{0}: {1}")]
    Sqlite(PathBuf, rusqlite::Error),
}

/// What a backup or a restore did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copied {
    pub path: PathBuf,
    pub bytes: u64,
    pub schema: i64,
    /// Record versions in the copy.
    pub records: i64,
    pub took: Duration,
    /// A restore: where the database it replaced was moved.
    pub kept: Option<PathBuf>,
}

/// Copies the SQLite database at `db` to `out` while it may be in use.
pub fn backup(db: &Path, out: &Path) -> Result<Copied, BackupError> {
    let started = Instant::now();
    if out.exists() {
        return Err(BackupError::Exists(out.to_owned()));
    }
    if !db.exists() {
        return Err(BackupError::Missing(db.to_owned()));
    }
    let sql = |path: &Path| {
        let path = path.to_owned();
        move |e| BackupError::Sqlite(path.clone(), e)
    };
    let source =
        Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(sql(db))?;
    source
        .busy_timeout(Duration::from_secs(30))
        .map_err(sql(db))?;
    let partial = partial_name(out);
    let _ = std::fs::remove_file(&partial);
    {
        let mut copy = Connection::open(&partial).map_err(sql(&partial))?;
        let backup = rusqlite::backup::Backup::new(&source, &mut copy).map_err(sql(&partial))?;
        // Every page in one step: one read transaction, one instant of the database. Smaller
        // steps would start again each time the server writes between two of them.
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            match backup.step(-1).map_err(sql(&partial))? {
                rusqlite::backup::StepResult::Done => break,
                // Another connection holds a lock for a moment: try again, a while.
                _ if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(50)),
                _ => {
                    return Err(BackupError::Sqlite(
                        db.to_owned(),
                        rusqlite::Error::SqliteFailure(
                            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
                            Some("the database stayed locked for 60 s".into()),
                        ),
                    ));
                }
            }
        }
    }
    let checked = check(&partial).inspect_err(|_| {
        let _ = std::fs::remove_file(&partial);
    })?;
    sync_file(&partial)?;
    std::fs::rename(&partial, out).map_err(|e| BackupError::Io(out.to_owned(), e))?;
    sync_parent(out)?;
    Ok(Copied {
        path: out.to_owned(),
        took: started.elapsed(),
        ..checked
    })
}

/// Puts the backup `from` in place of the database at `db` (which may not exist yet).
pub fn restore(from: &Path, db: &Path) -> Result<Copied, BackupError> {
    let started = Instant::now();
    if !from.exists() {
        return Err(BackupError::Missing(from.to_owned()));
    }
    let checked = check(from)?;
    let kept = if db.exists() {
        Some(set_aside(db)?)
    } else {
        None
    };
    let partial = partial_name(db);
    std::fs::copy(from, &partial).map_err(|e| BackupError::Io(partial.clone(), e))?;
    sync_file(&partial)?;
    std::fs::rename(&partial, db).map_err(|e| BackupError::Io(db.to_owned(), e))?;
    sync_parent(db)?;
    Ok(Copied {
        path: db.to_owned(),
        took: started.elapsed(),
        kept,
        ..checked
    })
}

/// Opens a copy read-only and checks it whole: integrity, a Carnet schema, one this server
/// knows.
fn check(path: &Path) -> Result<Copied, BackupError> {
    let sql = |e| BackupError::Sqlite(path.to_owned(), e);
    let bytes = std::fs::metadata(path)
        .map_err(|e| BackupError::Io(path.to_owned(), e))?
        .len();
    let db = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(sql)?;
    // A file that is not SQLite at all fails here ("file is not a database").
    let verdict: Result<Vec<String>, rusqlite::Error> = db
        .prepare("PRAGMA integrity_check")
        .and_then(|mut s| s.query_map([], |row| row.get(0))?.collect());
    match verdict {
        Ok(lines) if lines == ["ok"] => {}
        Ok(lines) => return Err(BackupError::Damaged(path.to_owned(), lines.join("; "))),
        Err(e) => return Err(BackupError::Damaged(path.to_owned(), e.to_string())),
    }
    let schema: i64 = db
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .map_err(sql)?;
    let tables: i64 = db
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('records', 'workers')",
            [],
            |row| row.get(0),
        )
        .map_err(sql)?;
    if schema < 1 || tables < 2 {
        return Err(BackupError::NotCarnet(path.to_owned()));
    }
    if schema > MIGRATIONS.len() as i64 {
        return Err(BackupError::NewerSchema {
            path: path.to_owned(),
            found: schema,
            known: MIGRATIONS.len(),
        });
    }
    let records: i64 = db
        .query_row("SELECT count(*) FROM records", [], |row| row.get(0))
        .map_err(sql)?;
    Ok(Copied {
        path: path.to_owned(),
        bytes,
        schema,
        records,
        took: Duration::ZERO,
        kept: None,
    })
}

/// Moves the database being replaced (and its WAL) aside, after making sure no server has
/// it open: `db.before-restore-<seconds since the epoch>`.
fn set_aside(db: &Path) -> Result<PathBuf, BackupError> {
    let sql = |e| BackupError::Sqlite(db.to_owned(), e);
    {
        let conn = Connection::open(db).map_err(sql)?;
        // A server holds its database open: the lock below is refused at once then.
        conn.busy_timeout(Duration::ZERO).map_err(sql)?;
        let in_use = |e: rusqlite::Error| match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
                BackupError::InUse(db.to_owned())
            }
            _ => BackupError::Sqlite(db.to_owned(), e),
        };
        // In WAL mode a plain exclusive transaction only keeps other writers out; in
        // exclusive locking mode it is refused while any other connection has the file open.
        conn.pragma_update(None, "locking_mode", "EXCLUSIVE")
            .map_err(in_use)?;
        conn.execute_batch("BEGIN EXCLUSIVE; SELECT count(*) FROM sqlite_master; COMMIT;")
            .map_err(in_use)?;
        // Everything in the WAL goes into the file, so the file set aside is whole alone.
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .map_err(in_use)?;
    }
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let aside = with_suffix(db, &format!(".before-restore-{stamp}"));
    std::fs::rename(db, &aside).map_err(|e| BackupError::Io(db.to_owned(), e))?;
    for extra in ["-wal", "-shm"] {
        let file = with_suffix(db, extra);
        if file.exists() {
            std::fs::rename(&file, with_suffix(&aside, extra))
                .map_err(|e| BackupError::Io(file.clone(), e))?;
        }
    }
    Ok(aside)
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn partial_name(path: &Path) -> PathBuf {
    with_suffix(path, ".partial")
}

fn sync_file(path: &Path) -> Result<(), BackupError> {
    std::fs::File::open(path)
        .and_then(|f| f.sync_all())
        .map_err(|e| BackupError::Io(path.to_owned(), e))
}

/// The rename itself is durable only once its folder is synced.
fn sync_parent(path: &Path) -> Result<(), BackupError> {
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::File::open(parent)
        .and_then(|f| f.sync_all())
        .map_err(|e| BackupError::Io(parent.to_owned(), e))
}
