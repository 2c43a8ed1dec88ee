//! The vault against Chromium's WebCrypto (PBKDF2-SHA-256, AES-256-GCM).

use carnet::vault::{self, VaultError};
use carnet_core::base64;
use wasm_bindgen_test::wasm_bindgen_test;

use crate::support::PIN;

const OTHER_PIN: &str = "135799";

#[wasm_bindgen_test]
async fn the_right_pin_unlocks_and_a_wrong_one_is_refused() {
    let header = vault::create(PIN).await.expect("create");
    assert_eq!(header.iterations, vault::PBKDF2_ITERATIONS);
    assert_eq!(base64::decode(&header.salt).map(|s| s.len()), Some(16));
    assert!(!header.sealed_key.contains(PIN));
    let sealed = vault::seal("carnet").await.expect("seal");

    vault::lock();
    assert!(matches!(
        vault::open(&sealed).await,
        Err(VaultError::Locked)
    ));
    assert!(matches!(vault::seal("x").await, Err(VaultError::Locked)));

    assert!(matches!(
        vault::unlock(&header, OTHER_PIN).await,
        Err(VaultError::WrongPin)
    ));
    // A wrong PIN leaves the vault locked.
    assert!(matches!(
        vault::open(&sealed).await,
        Err(VaultError::Locked)
    ));

    vault::unlock(&header, PIN).await.expect("unlock");
    assert_eq!(vault::open(&sealed).await.expect("open"), "carnet");

    // Another vault's PIN does not open this one, even when the PINs are equal.
    let other = vault::create(PIN).await.expect("create");
    assert_ne!(other.salt, header.salt);
    assert!(matches!(
        vault::open(&sealed).await,
        Err(VaultError::Damaged)
    ));
}

#[wasm_bindgen_test]
async fn sealing_round_trips_and_detects_tampering() {
    vault::create(PIN).await.expect("create");
    let text = "Réalités: santé, hébergement — 12 condoms ✓";
    let a = vault::seal(text).await.expect("seal");
    let b = vault::seal(text).await.expect("seal");
    assert!(vault::is_sealed(&a));
    assert!(!vault::is_sealed(text));
    assert_ne!(a, b, "a fresh IV every time");
    assert!(!a.contains("santé"));
    assert_eq!(vault::open(&a).await.expect("open"), text);
    assert_eq!(vault::open(&b).await.expect("open"), text);

    let mut bytes = base64::decode(a.strip_prefix("v1.").expect("prefix")).expect("base64");
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    let tampered = format!("v1.{}", base64::encode(&bytes));
    assert!(matches!(
        vault::open(&tampered).await,
        Err(VaultError::Damaged)
    ));
    assert!(matches!(
        vault::open("v1.???").await,
        Err(VaultError::Damaged)
    ));
    assert!(matches!(
        vault::open("v1.AAAA").await,
        Err(VaultError::Damaged)
    ));
}

#[wasm_bindgen_test]
async fn open_many_keeps_order_and_fails_only_the_damaged() {
    vault::create(PIN).await.expect("create");
    // More than one chunk of concurrent decryptions (512).
    let mut sealed = Vec::new();
    for i in 0..600 {
        sealed.push(vault::seal(&format!("value {i}")).await.expect("seal"));
    }
    sealed[3] = "v1.not base64".into();
    sealed[511] = format!("v1.{}", base64::encode(&[7u8; 40]));
    sealed[512] = sealed[512].replacen("v1.", "v1.A", 1);
    let refs: Vec<&str> = sealed.iter().map(String::as_str).collect();

    let opened = vault::open_many(&refs).await;
    assert_eq!(opened.len(), 600);
    for (i, result) in opened.iter().enumerate() {
        match (i, result) {
            (3 | 511 | 512, Err(VaultError::Damaged)) => {}
            (3 | 511 | 512, other) => panic!("value {i} should be damaged: {other:?}"),
            (_, Ok(text)) => assert_eq!(text, &format!("value {i}")),
            (_, Err(e)) => panic!("value {i} should open: {e}"),
        }
    }
    assert!(vault::open_many(&[]).await.is_empty());

    vault::lock();
    let locked = vault::open_many(&refs[..3]).await;
    assert!(locked.iter().all(|r| matches!(r, Err(VaultError::Locked))));
}

#[wasm_bindgen_test]
async fn a_passphrase_seals_and_a_wrong_one_is_refused() {
    let plain = b"{\"records\":[]}".to_vec();
    let sealed = vault::seal_with_passphrase("une longue phrase", &plain)
        .await
        .expect("seal");
    assert_eq!(sealed.iterations, vault::PBKDF2_ITERATIONS);
    assert!(!sealed.sealed.contains("records"));
    assert_eq!(
        vault::open_with_passphrase("une longue phrase", &sealed)
            .await
            .expect("open"),
        plain
    );
    assert!(matches!(
        vault::open_with_passphrase("une autre phrase", &sealed).await,
        Err(VaultError::WrongPin)
    ));
    // A file that claims few rounds is refused before any work.
    let mut weak = sealed.clone();
    weak.iterations = 1_000;
    assert!(matches!(
        vault::open_with_passphrase("une longue phrase", &weak).await,
        Err(VaultError::Damaged)
    ));
    // Independent of the data key: works while the vault is locked.
    vault::lock();
    assert!(
        vault::open_with_passphrase("une longue phrase", &sealed)
            .await
            .is_ok()
    );
}

#[wasm_bindgen_test]
async fn changing_the_pin_keeps_the_data_key() {
    let header = vault::create(PIN).await.expect("create");
    let sealed = vault::seal("déjà scellé").await.expect("seal");

    assert!(matches!(
        vault::change_pin(&header, OTHER_PIN, "999999").await,
        Err(VaultError::WrongPin)
    ));
    let next = vault::change_pin(&header, PIN, OTHER_PIN)
        .await
        .expect("change");
    assert_ne!(next.salt, header.salt);
    assert_ne!(next.sealed_key, header.sealed_key);

    vault::lock();
    assert!(matches!(
        vault::unlock(&next, PIN).await,
        Err(VaultError::WrongPin)
    ));
    vault::unlock(&next, OTHER_PIN)
        .await
        .expect("unlock with the new PIN");
    assert_eq!(vault::open(&sealed).await.expect("open"), "déjà scellé");
}
