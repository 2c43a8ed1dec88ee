//! Any record the device logs and syncs: a contact or an activity.
//!
//! On the wire and in storage a record is a JSON object with `"type": "contact"` or
//! `"type": "activity"`. A record without `type` is a contact (the walking skeleton's form).

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::activity::Activity;
use crate::record::{Contact, RecordError};
use crate::taxonomy::Taxonomy;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Record {
    Contact(Contact),
    Activity(Activity),
}

impl Record {
    /// Decodes a record, taking one without `type` for a contact.
    ///
    /// The `type` is read by hand and the rest read as the variant's struct: what the
    /// derived reader does, without serde's internally-tagged path, which buffers every
    /// field as `Content` first (its reader was 15 kB of the phone's wasm).
    pub fn from_value(value: serde_json::Value) -> Result<Self, serde_json::Error> {
        use serde::de::Error as _;
        use serde_json::Value;
        let Value::Object(object) = value else {
            return Err(serde_json::Error::custom("a record is a JSON object"));
        };
        let activity = match object.get("type") {
            None => false,
            Some(Value::String(kind)) if kind == "contact" => false,
            Some(Value::String(kind)) if kind == "activity" => true,
            Some(_) => {
                return Err(serde_json::Error::custom(
                    "a record's `type` is `contact` or `activity`",
                ));
            }
        };
        #[cfg(target_arch = "wasm32")]
        let read = read_variant;
        #[cfg(not(target_arch = "wasm32"))]
        let read = read_variant_derived;
        read(object, activity)
    }

    pub fn from_json(json: &str) -> Result<Self, serde_json::Error> {
        Self::from_value(serde_json::from_str(json)?)
    }

    pub fn id(&self) -> Uuid {
        match self {
            Record::Contact(c) => c.id,
            Record::Activity(a) => a.id,
        }
    }

    pub fn version(&self) -> u32 {
        match self {
            Record::Contact(c) => c.version,
            Record::Activity(a) => a.version,
        }
    }

    pub fn deleted(&self) -> bool {
        match self {
            Record::Contact(c) => c.deleted,
            Record::Activity(a) => a.deleted,
        }
    }

    pub fn occurred_at(&self) -> DateTime<FixedOffset> {
        match self {
            Record::Contact(c) => c.occurred_at,
            Record::Activity(a) => a.occurred_at,
        }
    }

    /// The calendar day of the record in the worker's own time zone at the time: what
    /// "today" and report periods count by.
    pub fn local_date(&self) -> chrono::NaiveDate {
        self.occurred_at().date_naive()
    }

    pub fn program(&self) -> &str {
        match self {
            Record::Contact(c) => &c.program,
            Record::Activity(a) => &a.program,
        }
    }

    pub fn validate(&self, taxonomy: &Taxonomy) -> Result<(), RecordError> {
        match self {
            Record::Contact(c) => c.validate(taxonomy),
            Record::Activity(a) => a.validate(taxonomy),
        }
    }

    /// The canonical form compared for sync idempotency.
    pub fn normalized(self) -> Self {
        match self {
            Record::Contact(c) => Record::Contact(c.normalized()),
            Record::Activity(a) => Record::Activity(a.normalized()),
        }
    }

    pub fn as_contact(&self) -> Option<&Contact> {
        match self {
            Record::Contact(c) => Some(c),
            Record::Activity(_) => None,
        }
    }

    /// This record as a new version: same id, version + 1.
    pub fn next_version(self) -> Self {
        match self {
            Record::Contact(c) => Record::Contact(c.next_version()),
            Record::Activity(mut a) => {
                a.version = a.version.saturating_add(1);
                Record::Activity(a)
            }
        }
    }

    /// Sets the version and clears the deleted flag (used by corrections).
    pub fn with_version(self, version: u32, deleted: bool) -> Self {
        match self {
            Record::Contact(mut c) => {
                c.version = version;
                c.deleted = deleted;
                Record::Contact(c)
            }
            Record::Activity(mut a) => {
                a.version = version;
                a.deleted = deleted;
                Record::Activity(a)
            }
        }
    }
}

/// The variant's struct read from a record's object on the phone, its `type` left in and
/// skipped ([`crate::names::Tagged`]): the same records read, the same words for a refused
/// one as [`read_variant_derived`], without taking the key out of the object.
#[cfg(any(target_arch = "wasm32", test))]
fn read_variant(
    object: serde_json::Map<String, serde_json::Value>,
    activity: bool,
) -> Result<Record, serde_json::Error> {
    use crate::names::{Tagged, read_struct};
    let value = serde_json::Value::Object(object);
    if activity {
        read_struct::<Tagged<Activity>, _>(value).map(|t| Record::Activity(t.0))
    } else {
        read_struct::<Tagged<Contact>, _>(value).map(|t| Record::Contact(t.0))
    }
}

/// The variant's struct read by serde's derived reader, once `type` is taken out (the
/// server's way).
#[cfg(not(target_arch = "wasm32"))]
fn read_variant_derived(
    mut object: serde_json::Map<String, serde_json::Value>,
    activity: bool,
) -> Result<Record, serde_json::Error> {
    object.remove("type");
    let value = serde_json::Value::Object(object);
    if activity {
        serde_json::from_value(value).map(Record::Activity)
    } else {
        serde_json::from_value(value).map(Record::Contact)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::activity::tests::activity;
    use crate::record::tests::contact;

    #[test]
    fn records_carry_their_type_on_the_wire() {
        let c = Record::Contact(contact(1, "2026-11-28T10:00:00Z", &["sante"]));
        let a = Record::Activity(activity(2, "2026-11-28T11:00:00Z", "visite_milieu"));
        let cj = serde_json::to_value(&c).unwrap();
        let aj = serde_json::to_value(&a).unwrap();
        assert_eq!(cj["type"], "contact");
        assert_eq!(aj["type"], "activity");
        assert_eq!(Record::from_value(cj.clone()).unwrap(), c);
        assert_eq!(Record::from_value(aj).unwrap(), a);
        let mut untyped = cj;
        untyped.as_object_mut().unwrap().remove("type");
        assert_eq!(Record::from_value(untyped).unwrap(), c);
    }

    /// The phone's way ([`read_variant`]) reads every record as the server's way
    /// ([`read_variant_derived`]), and refuses the others in the same words: with or
    /// without `type`, each field left out or of the wrong type, a field too many, and a
    /// contact's fields read as an activity and the other way round.
    #[test]
    fn the_phones_way_reads_records_as_the_derived_readers() {
        use serde_json::{Value, json};
        let mut c = contact(1, "2026-11-28T10:00:00Z", &["sante"]);
        c.venue = Some("v".into());
        c.person_code = Some("a".repeat(64));
        c.note = Some("n".into());
        let mut a = activity(2, "2026-11-28T11:00:00Z", "visite_milieu");
        a.platform = Some("p".into());
        a.head_count = Some(3);
        let same = |value: &Value, activity: bool, compare_words: bool| {
            let Value::Object(object) = value.clone() else {
                panic!("a record is an object");
            };
            crate::record::tests::same_outcome(
                read_variant(object.clone(), activity),
                read_variant_derived(object, activity),
                compare_words,
                &value.to_string(),
            );
        };
        for (record, activity) in [(Record::Contact(c), false), (Record::Activity(a), true)] {
            let full = serde_json::to_value(&record).unwrap();
            let keys: Vec<String> = full.as_object().unwrap().keys().cloned().collect();
            for key in keys {
                let mut without = full.clone();
                without.as_object_mut().unwrap().remove(&key);
                same(&without, activity, true);
                same(&without, !activity, true);
                let mut wrong = full.clone();
                wrong[&key] = json!({"x": 1});
                // `type` is read before, by `Record::from_value`; a time is read by
                // `time::datetime` on the phone, by chrono on the server, in other words.
                if key != "type" {
                    same(&wrong, activity, key != "occurred_at");
                }
            }
            let mut unknown = full.clone();
            unknown["surnom"] = json!("x");
            same(&unknown, activity, true);
            same(&json!({"type": "contact"}), activity, true);
        }
    }

    #[test]
    fn unknown_fields_and_types_are_refused() {
        let mut cj = serde_json::to_value(Record::Contact(contact(
            1,
            "2026-11-28T10:00:00Z",
            &["sante"],
        )))
        .unwrap();
        cj["nom"] = "Personne fictive".into();
        assert!(Record::from_value(cj).is_err());
        let mut aj = serde_json::to_value(Record::Activity(activity(
            2,
            "2026-11-28T11:00:00Z",
            "atelier",
        )))
        .unwrap();
        aj["type"] = "visit".into();
        assert!(Record::from_value(aj.clone()).is_err());
        aj["type"] = 1.into();
        assert!(Record::from_value(aj).is_err());
        assert!(Record::from_value(serde_json::json!([])).is_err());
    }
}
