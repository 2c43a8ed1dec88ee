//! The body codec: records to sealed bodies and back, one result per body.

use carnet::storage::codec::{BodyCodec, CodecError};
use carnet::vault::{self, VaultError};
use wasm_bindgen_test::wasm_bindgen_test;

use crate::support::{self, contact};

#[wasm_bindgen_test]
async fn decode_many_keeps_order_and_fails_each_item_alone() {
    let codec = BodyCodec;
    let other_key = {
        vault::create(support::PIN).await.expect("create");
        codec.encode(&contact(9)).await.expect("encode")
    };
    vault::create(support::PIN).await.expect("create");
    let records: Vec<_> = (0..4).map(contact).collect();
    let a = codec.encode(&records[0]).await.expect("encode");
    let c = codec.encode(&records[2]).await.expect("encode");
    let e = codec.encode(&records[3]).await.expect("encode");
    assert!(vault::is_sealed(&a));
    // A body from before encryption: plain JSON, still read.
    let legacy = serde_json::to_string(&records[1]).expect("json");
    // Sealed but not a record.
    let not_a_record = vault::seal("{\"hello\":1}").await.expect("seal");

    let bodies = [
        a.as_str(),
        "v1.damaged!",
        legacy.as_str(),
        other_key.as_str(),
        c.as_str(),
        "{not json",
        not_a_record.as_str(),
        e.as_str(),
    ];
    let decoded = codec.decode_many(&bodies).await;
    assert_eq!(decoded.len(), bodies.len());
    let ok = |i: usize| decoded[i].as_ref().expect("decodes").clone();
    assert_eq!(ok(0), records[0]);
    assert!(matches!(
        decoded[1],
        Err(CodecError::Vault(VaultError::Damaged))
    ));
    assert_eq!(ok(2), records[1]);
    assert!(matches!(
        decoded[3],
        Err(CodecError::Vault(VaultError::Damaged))
    ));
    assert_eq!(ok(4), records[2]);
    assert!(matches!(decoded[5], Err(CodecError::Decode(_))));
    assert!(matches!(decoded[6], Err(CodecError::Decode(_))));
    assert_eq!(ok(7), records[3]);

    // One at a time gives the same answers.
    for (body, many) in bodies.iter().zip(&decoded) {
        let one = codec.decode(body).await;
        assert_eq!(one.as_ref().ok(), many.as_ref().ok());
    }
    assert!(codec.decode_many(&[]).await.is_empty());
}

#[wasm_bindgen_test]
async fn nothing_is_encoded_or_decoded_while_locked() {
    let codec = BodyCodec;
    vault::create(support::PIN).await.expect("create");
    let body = codec.encode(&contact(1)).await.expect("encode");
    vault::lock();
    assert!(matches!(
        codec.encode(&contact(2)).await,
        Err(CodecError::Vault(VaultError::Locked))
    ));
    assert!(matches!(
        codec.decode(&body).await,
        Err(CodecError::Vault(VaultError::Locked))
    ));
    let many = codec.decode_many(&[body.as_str()]).await;
    assert!(matches!(
        many[0],
        Err(CodecError::Vault(VaultError::Locked))
    ));
}

/// On wasm32 the enums of unit variants are read by their names alone
/// (`carnet_core::names`): each is read back from what it is written as, an unknown
/// name is refused.
fn names_read_back<T>(names: &[&str], variants: &[T])
where
    T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
{
    assert_eq!(names.len(), variants.len());
    for (name, variant) in names.iter().zip(variants) {
        let written = serde_json::to_string(variant).unwrap();
        assert_eq!(written, format!("\"{name}\""));
        assert_eq!(&serde_json::from_str::<T>(&written).unwrap(), variant);
    }
    assert!(serde_json::from_str::<T>("\"nope\"").is_err());
    assert!(serde_json::from_str::<T>("1").is_err());
}

#[wasm_bindgen_test]
fn enums_are_read_from_the_names_they_are_written_as() {
    use carnet::i18n::Lang;
    use carnet::prefs::Theme;
    use carnet_core::wire::{ErrorCode, RecordStatus};
    use carnet_core::{Attribute, Direction, Reason};
    names_read_back(Lang::NAMES, Lang::VARIANTS);
    names_read_back(Theme::NAMES, Theme::VARIANTS);
    names_read_back(Reason::NAMES, Reason::VARIANTS);
    names_read_back(Direction::NAMES, Direction::VARIANTS);
    names_read_back(Attribute::NAMES, Attribute::VARIANTS);
    names_read_back(ErrorCode::NAMES, ErrorCode::VARIANTS);
    names_read_back(RecordStatus::NAMES, RecordStatus::VARIANTS);
}
