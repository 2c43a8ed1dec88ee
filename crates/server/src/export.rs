//! `carnet-server export --out DIR`: every record as NDJSON that `import` reads back, one
//! file per worker, with the taxonomy they were written against and a manifest.
//!
//! This is the organisation's data in a readable, lasting form (an archive, or a move to
//! another database): the latest version of each record, deletions included, so that the
//! same records imported into an empty database give the same reports. It is not a backup
//! of the server: accounts, devices, the account log, earlier versions of corrected
//! records and the person-code key are only in the database (`carnet-server backup`).

use std::path::{Path, PathBuf};

use serde::Serialize;
use thiserror::Error;

use crate::store::{Store, StoreError};

#[derive(Debug, Error)]
pub enum ExportError {
    #[error(
        "{0} exists and is not empty: an export never mixes with other files; choose a new folder"
    )]
    NotEmpty(PathBuf),
    #[error("{0}: {1}")]
    Io(PathBuf, std::io::Error),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot write JSON: {0}")]
    Json(#[from] serde_json::Error),
}

/// One worker's file, as the manifest lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportedWorker {
    pub worker: String,
    pub file: String,
    pub records: usize,
}

/// `manifest.json`: what the folder holds and how to load it again.
#[derive(Debug, Clone, Serialize)]
pub struct Manifest {
    pub taxonomy: String,
    pub taxonomy_version: u32,
    pub workers: Vec<ExportedWorker>,
    pub how_to_import: Vec<String>,
}

/// Writes the export into `out` (created; an existing folder must be empty).
pub async fn export(store: &Store, out: &Path) -> Result<Manifest, ExportError> {
    let io = |path: &Path| {
        let path = path.to_owned();
        move |e| ExportError::Io(path.clone(), e)
    };
    if out.exists() && std::fs::read_dir(out).map_err(io(out))?.next().is_some() {
        return Err(ExportError::NotEmpty(out.to_owned()));
    }
    std::fs::create_dir_all(out).map_err(io(out))?;
    let taxonomy = store.taxonomy().await?;
    let path = out.join("taxonomy.json");
    std::fs::write(&path, serde_json::to_string_pretty(&*taxonomy)?).map_err(io(&path))?;
    let workers = store.workers().await?;
    let records = store.latest_records(None).await?;
    let mut exported = Vec::new();
    for (n, (id, name)) in workers.iter().enumerate() {
        let mut lines = String::new();
        let mut count = 0;
        for (_, record) in records.iter().filter(|(w, _)| w == id) {
            lines.push_str(&serde_json::to_string(record)?);
            lines.push('\n');
            count += 1;
        }
        let file = file_name(name, n);
        let path = out.join(&file);
        std::fs::write(&path, lines).map_err(io(&path))?;
        exported.push(ExportedWorker {
            worker: name.clone(),
            file,
            records: count,
        });
    }
    let how_to_import = std::iter::once("carnet-server taxonomy load taxonomy.json".to_owned())
        .chain(exported.iter().flat_map(|w| {
            [
                format!(
                    "carnet-server worker add '{}'",
                    w.worker.replace('\'', "'\\''")
                ),
                format!(
                    "carnet-server import {} --worker '{}'",
                    w.file,
                    w.worker.replace('\'', "'\\''")
                ),
            ]
        }))
        .collect();
    let manifest = Manifest {
        taxonomy: "taxonomy.json".into(),
        taxonomy_version: taxonomy.version,
        workers: exported,
        how_to_import,
    };
    let path = out.join("manifest.json");
    std::fs::write(&path, serde_json::to_string_pretty(&manifest)?).map_err(io(&path))?;
    Ok(manifest)
}

/// A worker's file name: the name itself when it is a safe file name, else its number
/// (worker names are free text: `../x` or `=A1` must not become a path or a surprise).
fn file_name(worker: &str, n: usize) -> String {
    let safe = !worker.is_empty()
        && !worker.starts_with('.')
        && worker.len() <= 64
        && worker
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if safe {
        format!("{worker}.ndjson")
    } else {
        format!("worker-{:03}.ndjson", n + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_worker_name_becomes_a_file_name_only_when_it_is_a_safe_one() {
        assert_eq!(file_name("poste-1", 0), "poste-1.ndjson");
        assert_eq!(file_name("../etc/passwd", 1), "worker-002.ndjson");
        assert_eq!(file_name("=HYPERLINK(\"x\")", 2), "worker-003.ndjson");
        assert_eq!(file_name(".cache", 3), "worker-004.ndjson");
        assert_eq!(file_name("Travailleuse de rue", 4), "worker-005.ndjson");
    }
}
