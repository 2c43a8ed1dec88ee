//! The device's record store: one IndexedDB database per worker profile.
//!
//! A row is `{ id, version, digest, sync, acked, sent, body }`: the sync bookkeeping
//! ([`Standing`]) stays readable so the queue can be worked without decoding, while
//! everything about the contact is in `body`, which only [`codec::BodyCodec`] reads or
//! writes (sealed). Every write uses `durability: "strict"` and is committed before it
//! returns, so "saved" on screen means on disk.
//!
//! Rows written before the bookkeeping existed (`synced_version` instead of stamps) are
//! read as "sent, content unknown" so that their versions are never reused.

pub mod codec;

use std::cell::RefCell;

use carnet_core::{Digest, Record, Stamp, Standing, SyncState, Transition, sync};
use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::{TransactionDurability, TransactionMode, TransactionOptions};
use serde::{Deserialize, Serialize};
use thiserror::Error;
use uuid::Uuid;

use crate::profile::Profile;
use codec::{BodyCodec, CodecError};

const DB_VERSION: u32 = 1;
const RECORDS: &str = "records";

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("IndexedDB: {0}")]
    Idb(String),
    #[error(transparent)]
    Codec(#[from] CodecError),
}

impl From<indexed_db_futures::error::Error> for StoreError {
    fn from(e: indexed_db_futures::error::Error) -> Self {
        StoreError::Idb(e.to_string())
    }
}

impl From<indexed_db_futures::error::OpenDbError> for StoreError {
    fn from(e: indexed_db_futures::error::OpenDbError) -> Self {
        StoreError::Idb(e.to_string())
    }
}

/// A record as the app holds it: the record and where it stands with the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalRecord {
    pub record: Record,
    pub standing: Standing,
}

/// A row that could not be read (damaged, or sealed under another key): kept on the
/// device, left out of everything else, reported in « Réglages ».
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetAside {
    pub id: String,
    pub error: String,
}

/// A row as IndexedDB keeps it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Row {
    pub id: String,
    #[serde(default = "one")]
    pub version: u32,
    pub sync: SyncState,
    /// Fingerprint of `body`; absent on rows from before the bookkeeping.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<Digest>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acked: Option<Stamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent: Option<Stamp>,
    /// The old bookkeeping: the last version the server acknowledged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub synced_version: Option<u32>,
    pub body: String,
}

fn one() -> u32 {
    1
}

impl Row {
    fn new(id: Uuid, standing: &Standing, body: String) -> Self {
        Row {
            id: id.to_string(),
            version: standing.version,
            sync: standing.sync.clone(),
            digest: Some(standing.digest.clone()),
            acked: standing.acked.clone(),
            sent: standing.sent.clone(),
            synced_version: None,
            body,
        }
    }

    /// The row's bookkeeping (read from the old fields on rows that predate it).
    pub fn standing(&self) -> Standing {
        if let Some(digest) = &self.digest {
            return Standing {
                version: self.version,
                digest: digest.clone(),
                sync: self.sync.clone(),
                acked: self.acked.clone(),
                sent: self.sent.clone(),
            };
        }
        let digest = sync::digest(self.body.as_bytes());
        if self.sync == SyncState::Synced {
            let stamp = Stamp {
                version: self.version,
                digest: digest.clone(),
            };
            return Standing {
                version: self.version,
                digest,
                sync: SyncState::Synced,
                acked: Some(stamp.clone()),
                sent: Some(stamp),
            };
        }
        // Pending or refused under the old rules: it may have been sent, and corrected in
        // place since, so its version counts as sent with unknown content. An old
        // "conflict" refusal is retried: the conflict is settled with the server's versions.
        let sync = match &self.sync {
            SyncState::Rejected { reason } if reason == "conflict" => SyncState::Pending,
            other => other.clone(),
        };
        Standing {
            version: self.version,
            digest,
            sync,
            acked: self.synced_version.map(Stamp::unknown),
            sent: Some(Stamp::unknown(self.version)),
        }
    }

    fn set_standing(&mut self, standing: &Standing) {
        self.version = standing.version;
        self.sync = standing.sync.clone();
        self.digest = Some(standing.digest.clone());
        self.acked = standing.acked.clone();
        self.sent = standing.sent.clone();
        self.synced_version = None;
    }
}

thread_local! {
    /// The open connection, reused across calls (the app runs on one thread).
    static OPEN: RefCell<Option<(String, Database)>> = const { RefCell::new(None) };
}

fn strict() -> TransactionOptions {
    TransactionOptions::new().with_durability(TransactionDurability::Strict)
}

/// Handle on one profile's records. Cheap to clone; the connection is shared.
#[derive(Debug, Clone)]
pub struct RecordStore {
    db_name: String,
    codec: BodyCodec,
}

/// What [`RecordStore::mark_sent`] read: the stamp put on the wire and the stored body.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub id: Uuid,
    pub stamp: Stamp,
    pub body: String,
}

impl RecordStore {
    pub fn for_profile(profile: &Profile) -> Self {
        RecordStore {
            db_name: profile.database_name(),
            codec: BodyCodec,
        }
    }

    async fn db(&self) -> Result<Database, StoreError> {
        let cached = OPEN.with(|open| {
            open.borrow()
                .as_ref()
                .filter(|(name, _)| *name == self.db_name)
                .map(|(_, db)| db.clone())
        });
        if let Some(db) = cached {
            return Ok(db);
        }
        let db = Database::open(self.db_name.as_str())
            .with_version(DB_VERSION)
            .with_on_upgrade_needed(|event, db| {
                if event.old_version() < 1.0 {
                    db.create_object_store(RECORDS)
                        .with_key_path("id".into())
                        .build()?;
                }
                Ok(())
            })
            .await?;
        OPEN.with(|open| *open.borrow_mut() = Some((self.db_name.clone(), db.clone())));
        Ok(db)
    }

    /// Every row, raw.
    pub async fn rows(&self) -> Result<Vec<Row>, StoreError> {
        let db = self.db().await?;
        let tx = db
            .transaction(RECORDS)
            .with_mode(TransactionMode::Readonly)
            .build()?;
        let store = tx.object_store(RECORDS)?;
        let rows: Vec<Row> = store
            .get_all()
            .serde()?
            .await?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// Every record of this profile, opened; rows that cannot be read are set aside.
    pub async fn load_all(&self) -> Result<(Vec<LocalRecord>, Vec<SetAside>), StoreError> {
        let rows = self.rows().await?;
        let bodies: Vec<&str> = rows.iter().map(|r| r.body.as_str()).collect();
        let decoded = self.codec.decode_many(&bodies).await;
        let mut records = Vec::with_capacity(rows.len());
        let mut set_aside = Vec::new();
        for (row, result) in rows.iter().zip(decoded) {
            match result {
                Ok(record) if record.id().to_string() == row.id => records.push(LocalRecord {
                    record,
                    standing: row.standing(),
                }),
                Ok(_) => set_aside.push(SetAside {
                    id: row.id.clone(),
                    error: "id mismatch".into(),
                }),
                Err(err) => set_aside.push(SetAside {
                    id: row.id.clone(),
                    error: err.to_string(),
                }),
            }
        }
        Ok((records, set_aside))
    }

    /// One row, raw.
    pub async fn row(&self, id: Uuid) -> Result<Option<Row>, StoreError> {
        let db = self.db().await?;
        let tx = db
            .transaction(RECORDS)
            .with_mode(TransactionMode::Readonly)
            .build()?;
        let row: Option<Row> = tx
            .object_store(RECORDS)?
            .get(id.to_string())
            .serde()?
            .await?;
        Ok(row)
    }

    /// One record, opened, as it is on the device now (another tab may have changed it).
    pub async fn get(&self, id: Uuid) -> Result<Option<LocalRecord>, StoreError> {
        let Some(row) = self.row(id).await? else {
            return Ok(None);
        };
        let record = self.codec.decode(&row.body).await?;
        Ok(Some(LocalRecord {
            record,
            standing: row.standing(),
        }))
    }

    /// Seals and writes `record`; `standing` receives the new content's digest. Returns
    /// what was stored once the write is on disk.
    pub async fn write(
        &self,
        record: Record,
        standing: impl FnOnce(Digest) -> Standing,
    ) -> Result<LocalRecord, StoreError> {
        // Seal before opening the transaction: awaiting anything but IndexedDB while a
        // transaction is open lets the browser commit it early.
        let body = self.codec.encode(&record).await?;
        let standing = standing(sync::digest(body.as_bytes()));
        let row = Row::new(record.id(), &standing, body);
        self.put_rows(std::slice::from_ref(&row)).await?;
        Ok(LocalRecord { record, standing })
    }

    /// Writes rows as they are (a backup being imported), in one transaction.
    pub async fn put_rows(&self, rows: &[Row]) -> Result<(), StoreError> {
        let db = self.db().await?;
        let tx = db
            .transaction(RECORDS)
            .with_mode(TransactionMode::Readwrite)
            .with_options(strict())
            .build()?;
        let store = tx.object_store(RECORDS)?;
        for row in rows {
            store.put(row).serde()?.await?;
        }
        drop(store);
        tx.commit().await?;
        Ok(())
    }

    /// Rewrites one row's bookkeeping, keeping its content.
    pub async fn write_standing(&self, id: Uuid, standing: &Standing) -> Result<(), StoreError> {
        let db = self.db().await?;
        let tx = db
            .transaction(RECORDS)
            .with_mode(TransactionMode::Readwrite)
            .with_options(strict())
            .build()?;
        let store = tx.object_store(RECORDS)?;
        let row: Option<Row> = store.get(id.to_string()).serde()?.await?;
        if let Some(mut row) = row {
            row.set_standing(standing);
            store.put(&row).serde()?.await?;
        }
        drop(store);
        tx.commit().await?;
        Ok(())
    }

    /// Forgets a record no version of which can be on the server.
    pub async fn remove(&self, id: Uuid) -> Result<(), StoreError> {
        let db = self.db().await?;
        let tx = db
            .transaction(RECORDS)
            .with_mode(TransactionMode::Readwrite)
            .with_options(strict())
            .build()?;
        tx.object_store(RECORDS)?.delete(id.to_string()).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Marks the pending ones among `ids` as sent, in one transaction, and returns what
    /// goes on the wire. Runs before the request, so a lost answer (or a reload) leaves
    /// the rows "sent, unconfirmed" and their versions are never reused.
    pub async fn mark_sent(&self, ids: &[Uuid]) -> Result<Vec<Outgoing>, StoreError> {
        let db = self.db().await?;
        let tx = db
            .transaction(RECORDS)
            .with_mode(TransactionMode::Readwrite)
            .with_options(strict())
            .build()?;
        let store = tx.object_store(RECORDS)?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let row: Option<Row> = store.get(id.to_string()).serde()?.await?;
            let Some(mut row) = row else { continue };
            let mut standing = row.standing();
            if !standing.needs_sending() {
                continue;
            }
            let stamp = standing.mark_sent();
            row.set_standing(&standing);
            store.put(&row).serde()?.await?;
            out.push(Outgoing {
                id: *id,
                stamp,
                body: row.body,
            });
        }
        drop(store);
        tx.commit().await?;
        Ok(out)
    }

    /// Applies the server's answers in one transaction; returns the standings that changed.
    pub async fn apply(
        &self,
        transitions: &[Transition],
    ) -> Result<Vec<(Uuid, Standing)>, StoreError> {
        if transitions.is_empty() {
            return Ok(Vec::new());
        }
        let db = self.db().await?;
        let tx = db
            .transaction(RECORDS)
            .with_mode(TransactionMode::Readwrite)
            .with_options(strict())
            .build()?;
        let store = tx.object_store(RECORDS)?;
        let mut changed = Vec::new();
        for t in transitions {
            let row: Option<Row> = store.get(t.id.to_string()).serde()?.await?;
            let Some(mut row) = row else { continue };
            let mut standing = row.standing();
            if standing.apply(t) {
                row.set_standing(&standing);
                store.put(&row).serde()?.await?;
                changed.push((t.id, standing));
            }
        }
        drop(store);
        tx.commit().await?;
        Ok(changed)
    }

    /// The body codec (for sealing a backup or comparing contents).
    pub fn codec(&self) -> &BodyCodec {
        &self.codec
    }
}
