//! Property tests of the server's request decoding and validation: whatever bytes arrive,
//! decoding answers (never panics), refuses with a 4xx and a reason, and accepts exactly
//! the valid records. Bounded (a few hundred cases each) so CI stays fast.

use carnet_core::{Contact, Record, Taxonomy};
use carnet_server::http::records::decode_batch;
use proptest::prelude::*;
use serde_json::{Value, json};

fn taxonomy() -> Taxonomy {
    Taxonomy::builtin()
}

fn codes(list: &[carnet_core::Entry]) -> Vec<String> {
    list.iter().map(|e| e.code.clone()).collect()
}

/// Valid contacts drawn from the built-in lists.
fn contact() -> impl Strategy<Value = Contact> {
    let t = taxonomy();
    (
        any::<u128>().prop_filter("not nil", |n| *n != 0),
        prop::sample::select(codes(&t.programs)),
        prop::sample::select(codes(&t.milieux)),
        prop::sample::select(codes(&t.age_groups)),
        prop::sample::select(codes(&t.genders)),
        prop::sample::subsequence(codes(&t.realities), 1..4),
        prop::collection::btree_map(
            prop::sample::select(codes(&t.materials)),
            0u32..10_001,
            0..3,
        ),
        0i64..4_000_000_000,
    )
        .prop_map(
            |(id, program, milieu, age_group, gender, realities, material, secs)| {
                let at = chrono::DateTime::from_timestamp(secs, 0)
                    .unwrap_or_default()
                    .fixed_offset();
                Contact {
                    id: uuid::Uuid::from_u128(id),
                    version: 1,
                    deleted: false,
                    taxonomy_version: 1,
                    occurred_at: at,
                    program,
                    milieu,
                    venue: None,
                    mode: "en_personne".into(),
                    platform: None,
                    direction: None,
                    age_group,
                    gender,
                    status: None,
                    occupation: None,
                    first_contact: false,
                    person_code: None,
                    realities,
                    intervention_types: vec![],
                    material,
                    referrals: vec![],
                    note: None,
                }
                .normalized()
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_are_answered_never_panicked_on(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        if let Err(failure) = decode_batch(&bytes, &taxonomy()) {
            prop_assert!(failure.status().is_client_error());
        }
    }

    #[test]
    fn arbitrary_json_is_refused_with_a_reason(value in any::<(String, i64, bool)>()) {
        let body = json!({ "records": [ { "id": value.0, "taxonomy_version": value.1, "deleted": value.2 } ] });
        let failure = decode_batch(body.to_string().as_bytes(), &taxonomy()).unwrap_err();
        prop_assert_eq!(failure.status().as_u16(), 422);
        prop_assert_eq!(failure.body().records.len(), 1);
    }

    #[test]
    fn valid_records_are_accepted_as_sent(records in prop::collection::vec(contact(), 0..20)) {
        let wire: Vec<Record> = records.into_iter().map(Record::Contact).collect();
        let body = json!({ "records": wire }).to_string();
        let decoded = decode_batch(body.as_bytes(), &taxonomy()).map_err(|f| f.body().message.clone());
        prop_assert_eq!(decoded, Ok(wire));
    }

    #[test]
    fn one_unknown_field_anywhere_refuses_the_record(record in contact(), key in "[a-z]{1,12}") {
        let mut value = serde_json::to_value(Record::Contact(record)).unwrap();
        prop_assume!(value.get(&key).is_none());
        value[&key] = Value::from("x");
        let body = json!({ "records": [value] }).to_string();
        let failure = decode_batch(body.as_bytes(), &taxonomy()).unwrap_err();
        prop_assert_eq!(failure.status().as_u16(), 422);
        prop_assert_eq!(failure.body().records[0].index, 0);
    }
}
