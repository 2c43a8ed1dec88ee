//! The device's record store: one IndexedDB database per worker profile.
//!
//! A row is `{ id, version, sync, synced_version, body }`: the bookkeeping stays readable
//! so the queue can be worked without decoding, while everything about the contact is in
//! `body`, which only
//! [`codec::BodyCodec`] reads or writes. Every write is committed before it returns, so
//! "saved" on screen means saved on the device.

pub mod codec;

use std::cell::RefCell;

use carnet_core::{Record, SyncState, Transition};
use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use serde::{Deserialize, Serialize};
use thiserror::Error;

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
    pub sync: SyncState,
    /// The last version the server acknowledged, if any: decides whether a correction is
    /// a new version and whether a deletion needs a tombstone.
    pub synced_version: Option<u32>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Row {
    id: String,
    #[serde(default = "one")]
    version: u32,
    sync: SyncState,
    #[serde(default)]
    synced_version: Option<u32>,
    body: String,
}

fn one() -> u32 {
    1
}

thread_local! {
    /// The open connection, reused across calls (the app runs on one thread).
    static OPEN: RefCell<Option<(String, Database)>> = const { RefCell::new(None) };
}

/// Handle on one profile's records. Cheap to clone; the connection is shared.
#[derive(Debug, Clone)]
pub struct RecordStore {
    db_name: String,
    codec: BodyCodec,
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

    /// Every record of this profile.
    pub async fn load_all(&self) -> Result<Vec<LocalRecord>, StoreError> {
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
        drop(store);
        drop(tx);
        let mut records = Vec::with_capacity(rows.len());
        for row in rows {
            records.push(LocalRecord {
                record: self.codec.decode(&row.body).await?,
                sync: row.sync,
                synced_version: row.synced_version,
            });
        }
        Ok(records)
    }

    /// Writes a new or edited record and waits for the commit.
    pub async fn put(&self, record: &LocalRecord) -> Result<(), StoreError> {
        // Encode before opening the transaction: an await on anything but IndexedDB
        // while a transaction is open lets the browser auto-commit it early.
        let row = Row {
            id: record.record.id().to_string(),
            version: record.record.version(),
            sync: record.sync.clone(),
            synced_version: record.synced_version,
            body: self.codec.encode(&record.record).await?,
        };
        let db = self.db().await?;
        let tx = db
            .transaction(RECORDS)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        tx.object_store(RECORDS)?.put(row).serde()?.await?;
        tx.commit().await?;
        Ok(())
    }

    /// Applies sync transitions in one transaction: all of them or none.
    pub async fn apply(&self, transitions: &[Transition]) -> Result<(), StoreError> {
        if transitions.is_empty() {
            return Ok(());
        }
        let db = self.db().await?;
        let tx = db
            .transaction(RECORDS)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let store = tx.object_store(RECORDS)?;
        for t in transitions {
            let row: Option<Row> = store.get(t.id.to_string()).serde()?.await?;
            if let Some(mut row) = row {
                if t.to == SyncState::Synced {
                    row.synced_version = Some(row.version);
                }
                row.sync = t.to.clone();
                store.put(row).serde()?.await?;
            }
        }
        drop(store);
        tx.commit().await?;
        Ok(())
    }

    /// Forgets a record the server never had, and waits for the commit.
    pub async fn remove(&self, id: uuid::Uuid) -> Result<(), StoreError> {
        let db = self.db().await?;
        let tx = db
            .transaction(RECORDS)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        tx.object_store(RECORDS)?.delete(id.to_string()).await?;
        tx.commit().await?;
        Ok(())
    }
}
