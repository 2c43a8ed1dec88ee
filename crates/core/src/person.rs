//! Anonymous person codes: count unique persons without knowing who they are.
//!
//! The worker and the person agree on an alias (a nickname plus a year, say). Only
//! `HMAC-SHA256(organisation key, normalise(alias))` is kept, so every worker of the
//! organisation who types the same alias gets the same code, and nobody holding a code (or
//! the database) can read the alias back without the key. The alias itself is never stored
//! or sent. Limits (short aliases can be guessed by whoever has the key; two persons may pick
//! the same alias) are in ARCHITECTURE.md.

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use thiserror::Error;

/// Fewest letters and digits an alias must have after normalisation: shorter ones are too
/// easy to guess and too likely to be shared by two persons.
pub const MIN_ALIAS_CHARS: usize = 6;

/// Length of the organisation key, in bytes.
pub const KEY_BYTES: usize = 32;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Error, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AliasError {
    #[error("the alias is too short")]
    TooShort,
    #[error("the organisation key is not 32 bytes")]
    BadKey,
}

/// Folds case, accents, spaces and punctuation: « Étoile 2024 », "etoile-2024" and
/// "ÉTOILE2024" are one alias.
pub fn normalise_alias(alias: &str) -> String {
    alias
        .chars()
        .flat_map(char::to_lowercase)
        .filter_map(|c| {
            let base = match c {
                'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' => 'a',
                'ç' => 'c',
                'è' | 'é' | 'ê' | 'ë' => 'e',
                'ì' | 'í' | 'î' | 'ï' => 'i',
                'ñ' => 'n',
                'ò' | 'ó' | 'ô' | 'ö' | 'õ' => 'o',
                'ù' | 'ú' | 'û' | 'ü' => 'u',
                'ÿ' | 'ý' => 'y',
                c => c,
            };
            base.is_alphanumeric().then_some(base)
        })
        .collect()
}

/// The person code for an alias: 64 lowercase hex characters.
pub fn person_code(key: &[u8], alias: &str) -> Result<String, AliasError> {
    if key.len() != KEY_BYTES {
        return Err(AliasError::BadKey);
    }
    let normalised = normalise_alias(alias);
    if normalised.chars().count() < MIN_ALIAS_CHARS {
        return Err(AliasError::TooShort);
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(key).map_err(|_| AliasError::BadKey)?;
    mac.update(normalised.as_bytes());
    Ok(hex(&mac.finalize().into_bytes()))
}

/// Whether a string has the shape of a person code.
pub fn is_person_code(code: &str) -> bool {
    code.len() == 64
        && code
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0xf)] as char);
    }
    out
}

/// Parses a hex-encoded key.
pub fn key_from_hex(text: &str) -> Option<Vec<u8>> {
    if text.len() != KEY_BYTES * 2 {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: [u8; 32] = [7; 32];

    #[test]
    fn same_alias_same_code_whatever_the_spelling() {
        let a = person_code(&KEY, "Étoile 2024").unwrap();
        for spelling in ["etoile2024", "ÉTOILE-2024", "  étoile_2024 "] {
            assert_eq!(person_code(&KEY, spelling).unwrap(), a, "{spelling}");
        }
        assert!(is_person_code(&a));
        assert_ne!(person_code(&KEY, "etoile2025").unwrap(), a);
    }

    #[test]
    fn the_code_depends_on_the_key_and_hides_the_alias() {
        let a = person_code(&KEY, "lune1999").unwrap();
        let b = person_code(&[8; 32], "lune1999").unwrap();
        assert_ne!(a, b);
        assert!(!a.contains("lune"));
        // Known-answer check against an independent HMAC-SHA256 (Python's hmac module).
        assert_eq!(
            person_code(&[0u8; 32], "abcdef").unwrap(),
            "bbeada616553a552e7b9f2550fe797557cd100cf1d4b9f75ad7c8cea445ce3c2"
        );
    }

    #[test]
    fn refuses_short_aliases_and_bad_keys() {
        assert_eq!(person_code(&KEY, "a b-c"), Err(AliasError::TooShort));
        assert_eq!(person_code(&KEY[..16], "lune1999"), Err(AliasError::BadKey));
    }

    #[test]
    fn keys_round_trip_through_hex() {
        let text = hex(&KEY);
        assert_eq!(key_from_hex(&text).unwrap(), KEY.to_vec());
        assert!(key_from_hex("zz").is_none());
        assert!(key_from_hex(&"g".repeat(64)).is_none());
    }
}
