//! The one boundary between a record and the bytes IndexedDB keeps.
//!
//! Today the body is plain JSON. Encryption at rest (AES-GCM under a key unlocked by the
//! worker's PIN) replaces this type's insides only: its methods are already `async`, as
//! WebCrypto is, so no caller changes.

use carnet_core::Record;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum CodecError {
    #[error("cannot encode a record: {0}")]
    Encode(String),
    #[error("cannot decode a stored record: {0}")]
    Decode(String),
}

/// Turns records into stored bodies and back.
#[derive(Debug, Clone, Default)]
pub struct BodyCodec;

impl BodyCodec {
    pub async fn encode(&self, record: &Record) -> Result<String, CodecError> {
        serde_json::to_string(record).map_err(|e| CodecError::Encode(e.to_string()))
    }

    pub async fn decode(&self, body: &str) -> Result<Record, CodecError> {
        Record::from_json(body).map_err(|e| CodecError::Decode(e.to_string()))
    }
}
