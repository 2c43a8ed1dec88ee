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
