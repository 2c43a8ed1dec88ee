//! Encryption at rest: the data key, the worker's PIN, and sealing with AES-256-GCM.
//!
//! A random 256-bit *data key* encrypts every record body (and the sync token and the
//! person-code key). The data key is itself sealed with a key derived from the worker's PIN
//! by PBKDF2-SHA-256 (WebCrypto, `PBKDF2_ITERATIONS` rounds, random 16-byte salt). Only the
//! sealed data key, the salt and the round count are stored; the usable key lives in memory
//! while unlocked and is dropped by [`lock`]. A wrong PIN fails AES-GCM's authentication,
//! which is how a wrong PIN is told apart from a right one. Why PBKDF2 rather than
//! Argon2id: see ARCHITECTURE.md ("Encryption at rest").

use std::cell::RefCell;

use carnet_core::base64;
use js_sys::{Array, ArrayBuffer, Uint8Array};
use serde::{Deserialize, Serialize};
use thiserror::Error;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AesDerivedKeyParams, AesGcmParams, CryptoKey, Pbkdf2Params, SubtleCrypto};

/// PBKDF2-SHA-256 rounds: OWASP's 2023 figure. About 0.3 s on a laptop and 1–2 s on a slow
/// phone, paid once per unlock.
pub const PBKDF2_ITERATIONS: u32 = 600_000;

/// Prefix of a sealed value, so the format can change later.
const SEALED: &str = "v1.";

#[derive(Debug, Error)]
pub enum VaultError {
    #[error("wrong PIN")]
    WrongPin,
    #[error("the vault is locked")]
    Locked,
    #[error("WebCrypto: {0}")]
    Crypto(String),
    #[error("a sealed value is damaged")]
    Damaged,
}

impl From<JsValue> for VaultError {
    fn from(e: JsValue) -> Self {
        VaultError::Crypto(format!("{e:?}"))
    }
}

/// What is stored to unlock a profile: never the PIN, never the usable key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VaultHeader {
    pub salt: String,
    pub iterations: u32,
    /// The data key, sealed under the PIN-derived key.
    pub sealed_key: String,
}

thread_local! {
    static DATA_KEY: RefCell<Option<CryptoKey>> = const { RefCell::new(None) };
}

fn subtle() -> Result<SubtleCrypto, VaultError> {
    web_sys::window()
        .and_then(|w| w.crypto().ok())
        .map(|c| c.subtle())
        .ok_or_else(|| VaultError::Crypto("no WebCrypto (a secure context is needed)".into()))
}

fn random(n: usize) -> Result<Vec<u8>, VaultError> {
    let mut bytes = vec![0u8; n];
    web_sys::window()
        .and_then(|w| w.crypto().ok())
        .ok_or_else(|| VaultError::Crypto("no WebCrypto".into()))?
        .get_random_values_with_u8_array(&mut bytes)?;
    Ok(bytes)
}

fn usages(list: &[&str]) -> Array {
    list.iter().map(|u| JsValue::from_str(u)).collect()
}

async fn derive(pin: &str, salt: &[u8], iterations: u32) -> Result<CryptoKey, VaultError> {
    let subtle = subtle()?;
    let material = Uint8Array::from(pin.as_bytes());
    let base: CryptoKey = JsFuture::from(subtle.import_key_with_str(
        "raw",
        &material,
        "PBKDF2",
        false,
        &usages(&["deriveKey"]),
    )?)
    .await?
    .dyn_into()?;
    let params =
        Pbkdf2Params::new_with_str("PBKDF2", "SHA-256", iterations, &Uint8Array::from(salt));
    let key = JsFuture::from(subtle.derive_key_with_object_and_object(
        &params,
        &base,
        &AesDerivedKeyParams::new("AES-GCM", 256),
        false,
        &usages(&["encrypt", "decrypt"]),
    )?)
    .await?;
    Ok(key.dyn_into()?)
}

async fn import_data_key(raw: &[u8]) -> Result<CryptoKey, VaultError> {
    let key = JsFuture::from(subtle()?.import_key_with_str(
        "raw",
        &Uint8Array::from(raw),
        "AES-GCM",
        false, // never exportable: the raw key exists only during set-up and unlock
        &usages(&["encrypt", "decrypt"]),
    )?)
    .await?;
    Ok(key.dyn_into()?)
}

async fn seal_with(key: &CryptoKey, plain: &[u8]) -> Result<String, VaultError> {
    let iv = random(12)?;
    let params = AesGcmParams::new("AES-GCM", &Uint8Array::from(iv.as_slice()));
    let out: ArrayBuffer =
        JsFuture::from(subtle()?.encrypt_with_object_and_u8_array(&params, key, plain)?)
            .await?
            .dyn_into()?;
    let mut sealed = iv;
    sealed.extend(Uint8Array::new(&out).to_vec());
    Ok(format!("{SEALED}{}", base64::encode(&sealed)))
}

/// `Err(WrongPin)`-shaped failure when authentication fails: the caller decides what it means.
async fn open_with(key: &CryptoKey, sealed: &str) -> Result<Vec<u8>, VaultError> {
    let out: ArrayBuffer = JsFuture::from(start_decrypt(key, sealed)?)
        .await
        .map_err(|_| VaultError::WrongPin)?
        .dyn_into()?;
    Ok(Uint8Array::new(&out).to_vec())
}

/// Makes a new data key sealed under `pin`, and leaves the vault unlocked with it.
pub async fn create(pin: &str) -> Result<VaultHeader, VaultError> {
    let salt = random(16)?;
    let mut raw = random(32)?;
    let kek = derive(pin, &salt, PBKDF2_ITERATIONS).await?;
    let sealed_key = seal_with(&kek, &raw).await?;
    let key = import_data_key(&raw).await;
    raw.fill(0);
    let key = key?;
    DATA_KEY.with(|k| *k.borrow_mut() = Some(key));
    Ok(VaultHeader {
        salt: base64::encode(&salt),
        iterations: PBKDF2_ITERATIONS,
        sealed_key,
    })
}

/// Unlocks with `pin`, or `Err(WrongPin)`.
pub async fn unlock(header: &VaultHeader, pin: &str) -> Result<(), VaultError> {
    let salt = base64::decode(&header.salt).ok_or(VaultError::Damaged)?;
    let kek = derive(pin, &salt, header.iterations).await?;
    let mut raw = open_with(&kek, &header.sealed_key).await?;
    let key = import_data_key(&raw).await;
    raw.fill(0);
    let key = key?;
    DATA_KEY.with(|k| *k.borrow_mut() = Some(key));
    Ok(())
}

/// Re-seals the data key under a new PIN; `Err(WrongPin)` if `old` is not the PIN.
pub async fn change_pin(
    header: &VaultHeader,
    old: &str,
    new: &str,
) -> Result<VaultHeader, VaultError> {
    let salt = base64::decode(&header.salt).ok_or(VaultError::Damaged)?;
    let old_kek = derive(old, &salt, header.iterations).await?;
    let mut raw = open_with(&old_kek, &header.sealed_key).await?;
    let new_salt = random(16)?;
    let sealed = match derive(new, &new_salt, PBKDF2_ITERATIONS).await {
        Ok(new_kek) => seal_with(&new_kek, &raw).await,
        Err(e) => Err(e),
    };
    raw.fill(0);
    Ok(VaultHeader {
        salt: base64::encode(&new_salt),
        iterations: PBKDF2_ITERATIONS,
        sealed_key: sealed?,
    })
}

/// Hands the usable key over (the start-up module gives it to the app's module, see
/// `boot`), leaving this module's vault locked.
pub fn take_key() -> Option<CryptoKey> {
    DATA_KEY.with(|k| k.borrow_mut().take())
}

/// Takes over a usable key unlocked by the start-up module.
pub fn adopt_key(key: CryptoKey) {
    DATA_KEY.with(|k| *k.borrow_mut() = Some(key));
}

/// Forgets the usable key: nothing sealed can be read until the next unlock.
pub fn lock() {
    DATA_KEY.with(|k| *k.borrow_mut() = None);
}

fn key() -> Result<CryptoKey, VaultError> {
    DATA_KEY
        .with(|k| k.borrow().clone())
        .ok_or(VaultError::Locked)
}

/// Seals text with the data key.
pub async fn seal(plain: &str) -> Result<String, VaultError> {
    seal_with(&key()?, plain.as_bytes()).await
}

/// Opens text sealed with the data key.
pub async fn open(sealed: &str) -> Result<String, VaultError> {
    let bytes = open_with(&key()?, sealed).await.map_err(|e| match e {
        VaultError::WrongPin => VaultError::Damaged,
        other => other,
    })?;
    String::from_utf8(bytes).map_err(|_| VaultError::Damaged)
}

/// Whether a stored value is sealed (rather than legacy plain text).
pub fn is_sealed(value: &str) -> bool {
    value.starts_with(SEALED)
}

/// Opens many values sealed with the data key at once: WebCrypto works on them
/// concurrently, which is what keeps unlocking a large profile fast. One result per value,
/// in order; a damaged value fails alone.
pub async fn open_many(sealed: &[&str]) -> Vec<Result<String, VaultError>> {
    /// Decryptions in flight at a time: enough to keep WebCrypto busy, few enough to keep
    /// memory flat on a cheap phone.
    const CHUNK: usize = 512;
    let mut out = Vec::with_capacity(sealed.len());
    let key = match key() {
        Ok(key) => key,
        Err(_) => {
            out.extend(sealed.iter().map(|_| Err(VaultError::Locked)));
            return out;
        }
    };
    for chunk in sealed.chunks(CHUNK) {
        let promises = Array::new();
        let mut slots: Vec<Result<(), VaultError>> = Vec::with_capacity(chunk.len());
        for value in chunk {
            match start_decrypt(&key, value) {
                Ok(promise) => {
                    promises.push(&promise);
                    slots.push(Ok(()));
                }
                Err(e) => slots.push(Err(e)),
            }
        }
        let settled = match JsFuture::from(js_sys::Promise::all_settled(&promises)).await {
            Ok(v) => Array::from(&v),
            Err(e) => {
                let e = VaultError::from(e);
                out.extend(chunk.iter().map(|_| Err(VaultError::Crypto(e.to_string()))));
                continue;
            }
        };
        let mut results = settled.iter();
        for slot in slots {
            out.push(match slot {
                Err(e) => Err(e),
                Ok(()) => settled_text(results.next()),
            });
        }
    }
    out
}

/// The decryption of one sealed value, started (`open_with` awaits one, `open_many` many at
/// once); `Damaged` when it is not a sealed value.
fn start_decrypt(key: &CryptoKey, sealed: &str) -> Result<js_sys::Promise, VaultError> {
    let bytes = sealed
        .strip_prefix(SEALED)
        .and_then(base64::decode)
        .filter(|b| b.len() > 12)
        .ok_or(VaultError::Damaged)?;
    let (iv, body) = bytes.split_at(12);
    let params = AesGcmParams::new("AES-GCM", &Uint8Array::from(iv));
    Ok(subtle()?.decrypt_with_object_and_u8_array(&params, key, body)?)
}

/// The text of one `Promise.allSettled` result.
fn settled_text(result: Option<JsValue>) -> Result<String, VaultError> {
    let result = result.ok_or(VaultError::Damaged)?;
    let status = js_sys::Reflect::get(&result, &"status".into())?;
    if status.as_string().as_deref() != Some("fulfilled") {
        return Err(VaultError::Damaged);
    }
    let buffer: ArrayBuffer = js_sys::Reflect::get(&result, &"value".into())?.dyn_into()?;
    String::from_utf8(Uint8Array::new(&buffer).to_vec()).map_err(|_| VaultError::Damaged)
}

/// A value sealed under a passphrase (a backup file): everything needed to open it with
/// the passphrase, and nothing readable without it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassphraseSealed {
    pub salt: String,
    pub iterations: u32,
    pub sealed: String,
}

/// Seals `plain` under a key derived from `passphrase` (PBKDF2, as for the PIN).
pub async fn seal_with_passphrase(
    passphrase: &str,
    plain: &[u8],
) -> Result<PassphraseSealed, VaultError> {
    let salt = random(16)?;
    let key = derive(passphrase, &salt, PBKDF2_ITERATIONS).await?;
    Ok(PassphraseSealed {
        salt: base64::encode(&salt),
        iterations: PBKDF2_ITERATIONS,
        sealed: seal_with(&key, plain).await?,
    })
}

/// Opens a value sealed by [`seal_with_passphrase`]; `Err(WrongPin)` for a wrong passphrase.
pub async fn open_with_passphrase(
    passphrase: &str,
    sealed: &PassphraseSealed,
) -> Result<Vec<u8>, VaultError> {
    let salt = base64::decode(&sealed.salt).ok_or(VaultError::Damaged)?;
    if sealed.iterations < 100_000 {
        return Err(VaultError::Damaged);
    }
    let key = derive(passphrase, &salt, sealed.iterations).await?;
    open_with(&key, &sealed.sealed).await
}
