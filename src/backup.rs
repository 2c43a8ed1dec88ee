//! Encrypted backups of a profile's unsynced records, for the phone that cannot reach the
//! server at year end or is about to be reset.
//!
//! The file is JSON holding only a salt, a round count and one AES-GCM blob sealed under a
//! key derived from a passphrase the worker types (PBKDF2, as for the PIN): no plaintext.
//! Importing puts the records back in the queue of the open profile with the same ids, so
//! importing twice changes nothing and the server counts each record once.
//!
//! ```ignore
//! let file = backup::export(&open, "une longue phrase").await?;  // text to download
//! let summary = backup::import(&open, &text, "une longue phrase").await?;
//! ```

use carnet_core::{Record, Stamp, Standing, SyncState};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::locks;
use crate::state::OpenProfile;
use crate::storage::{LocalRecord, StoreError};
use crate::vault::{self, PassphraseSealed, VaultError};

/// Shortest passphrase accepted: the file may travel, so more than a PIN.
pub const MIN_PASSPHRASE_CHARS: usize = 10;

const FORMAT: &str = "carnet-backup";

#[derive(Debug, Error)]
pub enum BackupError {
    #[error("the passphrase is too short")]
    PassphraseTooShort,
    #[error("nothing is waiting for sync")]
    Nothing,
    #[error("wrong passphrase, or not a Carnet backup")]
    WrongPassphrase,
    #[error("the backup is damaged")]
    Damaged,
    #[error(transparent)]
    Vault(VaultError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The file: `format`, `version` and the sealed value's fields beside them (flattened).
#[derive(Debug, Serialize)]
struct File {
    format: String,
    version: u32,
    #[serde(flatten)]
    sealed: PassphraseSealed,
}

/// Read by hand as one object of five fields ([`carnet_core::names::Fields`]), not by
/// serde's derived reader: reading a flattened field buffers every field as serde's
/// `Content` first, code that no other reader of the phone's module needs. The same files
/// are read; any file refused either way is refused here.
impl<'de> Deserialize<'de> for File {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        carnet_core::names::read_struct(d)
    }
}

impl carnet_core::names::Fields for File {
    const EXPECTING: &'static str = "struct File";
    const NAMES: &'static [&'static str] = &["format", "version", "salt", "iterations", "sealed"];
    const OPTIONAL: u64 = 0;
    const DENY_UNKNOWN: bool = false;

    fn empty() -> Self {
        File {
            format: String::new(),
            version: 0,
            sealed: PassphraseSealed {
                salt: String::new(),
                iterations: 0,
                sealed: String::new(),
            },
        }
    }

    fn read_field<'de, A: serde::de::MapAccess<'de>>(
        &mut self,
        at: usize,
        map: &mut A,
    ) -> Result<(), A::Error> {
        match at {
            0 => self.format = map.next_value()?,
            1 => self.version = map.next_value()?,
            2 => self.sealed.salt = map.next_value()?,
            3 => self.sealed.iterations = map.next_value()?,
            _ => self.sealed.sealed = map.next_value()?,
        }
        Ok(())
    }
}

/// What is sealed inside.
#[derive(Debug, Serialize, Deserialize)]
struct Contents {
    records: Vec<Entry>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Entry {
    record: serde_json::Value,
    /// The highest version the server may hold: the importing phone never reuses it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    maybe_held: Option<u32>,
}

/// The backup file of the open profile's unsynced records (pending, refused, in
/// conflict), and how many it holds.
pub async fn export(open: &OpenProfile, passphrase: &str) -> Result<(String, usize), BackupError> {
    if passphrase.chars().count() < MIN_PASSPHRASE_CHARS {
        return Err(BackupError::PassphraseTooShort);
    }
    // Every unsynced record, so every row read first (a moment after unlocking).
    if !open.all_rows().await {
        return Err(BackupError::Vault(VaultError::Locked));
    }
    let records: Vec<Entry> = open.book.with_untracked(|book| {
        book.iter()
            .filter(|l| l.standing.sync != SyncState::Synced)
            .filter_map(|l| {
                Some(Entry {
                    record: crate::storage::codec::record_value(&l.record).ok()?,
                    maybe_held: l.standing.highest_maybe_held(),
                })
            })
            .collect()
    });
    if records.is_empty() {
        return Err(BackupError::Nothing);
    }
    let count = records.len();
    let plain = serde_json::to_vec(&Contents { records }).map_err(|_| BackupError::Damaged)?;
    let sealed = vault::seal_with_passphrase(passphrase, &plain)
        .await
        .map_err(BackupError::Vault)?;
    let file = File {
        format: FORMAT.into(),
        version: 1,
        sealed,
    };
    let text = serde_json::to_string(&file).map_err(|_| BackupError::Damaged)?;
    Ok((text, count))
}

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Imported {
    /// Put back in the queue.
    pub queued: usize,
    /// Already on this device at this version or later: left alone.
    pub already: usize,
}

/// Opens a backup and puts its records back in the open profile's queue.
pub async fn import(
    open: &OpenProfile,
    text: &str,
    passphrase: &str,
) -> Result<Imported, BackupError> {
    let file: File = serde_json::from_str(text).map_err(|_| BackupError::WrongPassphrase)?;
    if file.format != FORMAT || file.version != 1 {
        return Err(BackupError::WrongPassphrase);
    }
    let plain = vault::open_with_passphrase(passphrase, &file.sealed)
        .await
        .map_err(|e| match e {
            VaultError::WrongPin => BackupError::WrongPassphrase,
            VaultError::Damaged => BackupError::Damaged,
            other => BackupError::Vault(other),
        })?;
    // Read as text, as every other JSON of the phone is: serde_json's reader of bytes
    // would be a second copy of its parser in the module for this one call.
    let plain = String::from_utf8(plain).map_err(|_| BackupError::Damaged)?;
    let contents: Contents = serde_json::from_str(&plain).map_err(|_| BackupError::Damaged)?;
    let mut entries = Vec::with_capacity(contents.records.len());
    for entry in contents.records {
        let record = Record::from_value(entry.record).map_err(|_| BackupError::Damaged)?;
        entries.push((record, entry.maybe_held));
    }
    let store = open.store();
    let written = locks::with_lock(&locks::rows(open.id()), async {
        let mut written: Vec<LocalRecord> = Vec::new();
        let mut already = 0;
        for (record, maybe_held) in entries {
            if let Some(existing) = store.row(record.id()).await?
                && existing.version >= record.version()
            {
                already += 1;
                continue;
            }
            let version = record.version();
            let local = store
                .write(record, |digest| Standing {
                    version,
                    digest,
                    sync: SyncState::Pending,
                    acked: None,
                    // Sent from the other phone, content unknown here: never reused.
                    sent: maybe_held.map(Stamp::unknown),
                })
                .await?;
            written.push(local);
        }
        Ok::<_, StoreError>((written, already))
    })
    .await?;
    let (written, already) = written;
    let ids: Vec<_> = written.iter().map(|l| l.record.id()).collect();
    let queued = written.len();
    open.book.update(|book| book.extend(written));
    crate::sync::notify(open, &ids);
    Ok(Imported { queued, already })
}
