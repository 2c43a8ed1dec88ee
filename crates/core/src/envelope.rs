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
    /// The `type` is taken out of the object by hand and the rest read as the variant's
    /// struct: what the derived reader does, without serde's internally-tagged path, which
    /// buffers every field as `Content` first (its reader was 15 kB of the phone's wasm).
    pub fn from_value(value: serde_json::Value) -> Result<Self, serde_json::Error> {
        use serde::de::Error as _;
        use serde_json::Value;
        let Value::Object(mut object) = value else {
            return Err(serde_json::Error::custom("a record is a JSON object"));
        };
        match object.remove("type") {
            None => serde_json::from_value(Value::Object(object)).map(Record::Contact),
            Some(Value::String(kind)) if kind == "contact" => {
                serde_json::from_value(Value::Object(object)).map(Record::Contact)
            }
            Some(Value::String(kind)) if kind == "activity" => {
                serde_json::from_value(Value::Object(object)).map(Record::Activity)
            }
            Some(_) => Err(serde_json::Error::custom(
                "a record's `type` is `contact` or `activity`",
            )),
        }
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
