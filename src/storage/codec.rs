//! The one boundary between a record and the bytes IndexedDB keeps.
//!
//! Bodies are sealed with AES-256-GCM under the vault's data key (see `vault.rs`): with the
//! vault locked nothing can be encoded or decoded. Bodies written before encryption existed
//! (plain JSON) are still read, and are sealed when the vault is first set up.

use carnet_core::Record;
use thiserror::Error;

use crate::vault::{self, VaultError};

#[derive(Debug, Error)]
pub enum CodecError {
    #[error("cannot encode a record: {0}")]
    Encode(String),
    #[error("cannot decode a stored record: {0}")]
    Decode(String),
    #[error(transparent)]
    Vault(#[from] VaultError),
}

/// A record as a JSON value (an entry of a block, of a backup): read back from its JSON
/// text, which gives the same value as `serde_json::to_value`, so that the phone's module
/// holds one serializer of records (the text's) instead of two.
pub fn record_value(record: &Record) -> Result<serde_json::Value, CodecError> {
    let json = serde_json::to_string(record).map_err(|e| CodecError::Encode(e.to_string()))?;
    serde_json::from_str(&json).map_err(|e| CodecError::Encode(e.to_string()))
}

/// Turns records into stored bodies and back.
#[derive(Debug, Clone, Default)]
pub struct BodyCodec;

impl BodyCodec {
    pub async fn encode(&self, record: &Record) -> Result<String, CodecError> {
        let json = serde_json::to_string(record).map_err(|e| CodecError::Encode(e.to_string()))?;
        Ok(vault::seal(&json).await?)
    }

    pub async fn decode(&self, body: &str) -> Result<Record, CodecError> {
        let json = if vault::is_sealed(body) {
            vault::open(body).await?
        } else {
            body.to_owned()
        };
        Record::from_json(&json).map_err(|e| CodecError::Decode(e.to_string()))
    }

    /// Decodes many bodies, unsealing them concurrently; one result per body, in order,
    /// so one damaged body fails alone.
    pub async fn decode_many(&self, bodies: &[&str]) -> Vec<Result<Record, CodecError>> {
        let sealed: Vec<&str> = bodies
            .iter()
            .copied()
            .filter(|b| vault::is_sealed(b))
            .collect();
        let mut opened = vault::open_many(&sealed).await.into_iter();
        crate::bench::mark("load:unsealed");
        let decoded = bodies
            .iter()
            .map(|body| {
                let json = if vault::is_sealed(body) {
                    opened.next().unwrap_or(Err(vault::VaultError::Damaged))?
                } else {
                    (*body).to_owned()
                };
                Record::from_json(&json).map_err(|e| CodecError::Decode(e.to_string()))
            })
            .collect::<Vec<_>>();
        crate::bench::mark("load:decoded");
        decoded
    }
}
