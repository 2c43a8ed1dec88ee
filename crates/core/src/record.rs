//! One contact record, and the rules it must follow on the phone and on the server.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};
use thiserror::Error;
use uuid::Uuid;

use crate::taxonomy::{ListKind, Taxonomy};

/// Largest count of one material item in one contact. Harm-reduction visits hand out
/// syringes by the hundred; ten thousand in a single contact is a typo, not a visit.
pub const MAX_MATERIAL_PER_ITEM: u32 = 10_000;

/// One interaction with one (unnamed) person.
///
/// Holds codes from the [`Taxonomy`] only: nothing here can name, locate or contact the
/// person met. The worker is not in the record: the server takes it from the token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    /// Made on the device when the record is first saved; the sync idempotency key.
    pub id: Uuid,
    /// Version of the taxonomy the codes were chosen from.
    pub taxonomy_version: u32,
    /// When the contact happened, with the worker's UTC offset at the time.
    pub occurred_at: DateTime<FixedOffset>,
    pub program: String,
    pub milieu: String,
    pub age_group: String,
    pub gender: String,
    /// Réalités abordées: one or more, sorted, no repeats.
    pub realities: Vec<String>,
    /// Material given, by material code; zero counts are not stored.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub material: BTreeMap<String, u32>,
}

/// Which rule a field broke. Serialized as a stable snake_case code for the API and the
/// app's translated messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// A required choice was not made.
    Missing,
    /// The code is not in the organisation's list.
    UnknownCode,
    /// The same code was given twice.
    Duplicate,
    /// A count is beyond what one contact can plausibly hold.
    TooLarge,
    /// The record id is the nil UUID.
    NilId,
    /// The record cannot be decoded at all (wrong types, unknown fields).
    Malformed,
}

/// One broken rule, on one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// The field's wire name; material items as `material.<code>`.
    pub field: String,
    pub reason: Reason,
}

impl FieldError {
    fn new(field: impl Into<String>, reason: Reason) -> Self {
        FieldError {
            field: field.into(),
            reason,
        }
    }
}

/// A record that breaks one or more rules; every problem is listed, not just the first.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("invalid record: {}", .errors.iter().map(|e| format!("{} ({:?})", e.field, e.reason)).collect::<Vec<_>>().join(", "))]
pub struct RecordError {
    pub errors: Vec<FieldError>,
}

/// A contact being filled in: every choice may still be missing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactDraft {
    pub program: Option<String>,
    pub milieu: Option<String>,
    pub age_group: Option<String>,
    pub gender: Option<String>,
    pub realities: Vec<String>,
    pub material: BTreeMap<String, u32>,
}

impl ContactDraft {
    /// Turns the draft into a valid record, or lists everything still wrong with it.
    /// The caller supplies the id and the time (this crate has no randomness or clock).
    pub fn finish(
        self,
        id: Uuid,
        occurred_at: DateTime<FixedOffset>,
        taxonomy: &Taxonomy,
    ) -> Result<Contact, RecordError> {
        let mut errors = Vec::new();
        let mut take = |field: &str, value: Option<String>| {
            value.unwrap_or_else(|| {
                errors.push(FieldError::new(field, Reason::Missing));
                String::new()
            })
        };
        let contact = Contact {
            id,
            taxonomy_version: taxonomy.version,
            occurred_at,
            program: take("program", self.program),
            milieu: take("milieu", self.milieu),
            age_group: take("age_group", self.age_group),
            gender: take("gender", self.gender),
            realities: self.realities,
            material: self.material,
        };
        match contact.validate(taxonomy) {
            Ok(()) if errors.is_empty() => Ok(contact.normalized()),
            Ok(()) => Err(RecordError { errors }),
            Err(RecordError { errors: more }) => {
                // A missing field is reported once, as missing, not also as unknown.
                for e in more {
                    if !errors.iter().any(|m| m.field == e.field) {
                        errors.push(e);
                    }
                }
                Err(RecordError { errors })
            }
        }
    }
}

impl Contact {
    /// Checks every rule against the organisation's lists and reports all problems.
    pub fn validate(&self, taxonomy: &Taxonomy) -> Result<(), RecordError> {
        let mut errors = Vec::new();
        if self.id.is_nil() {
            errors.push(FieldError::new("id", Reason::NilId));
        }
        for (field, kind, code) in [
            ("program", ListKind::Programs, &self.program),
            ("milieu", ListKind::Milieux, &self.milieu),
            ("age_group", ListKind::AgeGroups, &self.age_group),
            ("gender", ListKind::Genders, &self.gender),
        ] {
            if code.is_empty() {
                errors.push(FieldError::new(field, Reason::Missing));
            } else if !taxonomy.contains(kind, code) {
                errors.push(FieldError::new(field, Reason::UnknownCode));
            }
        }
        if self.realities.is_empty() {
            errors.push(FieldError::new("realities", Reason::Missing));
        }
        for (i, code) in self.realities.iter().enumerate() {
            if !taxonomy.contains(ListKind::Realities, code) {
                errors.push(FieldError::new("realities", Reason::UnknownCode));
            } else if self.realities[..i].contains(code) {
                errors.push(FieldError::new("realities", Reason::Duplicate));
            }
        }
        for (code, &count) in &self.material {
            let field = format!("material.{code}");
            if !taxonomy.contains(ListKind::Materials, code) {
                errors.push(FieldError::new(field, Reason::UnknownCode));
            } else if count > MAX_MATERIAL_PER_ITEM {
                errors.push(FieldError::new(field, Reason::TooLarge));
            }
        }
        errors.dedup();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(RecordError { errors })
        }
    }

    /// The canonical form: réalités sorted, zero counts dropped. Two records that mean the
    /// same thing have the same canonical form, which is what sync idempotency compares.
    pub fn normalized(mut self) -> Self {
        self.realities.sort();
        self.realities.dedup();
        self.material.retain(|_, count| *count > 0);
        self
    }

    /// The calendar day of the contact in the worker's own time zone at the time.
    pub fn local_date(&self) -> NaiveDate {
        self.occurred_at.date_naive()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn at(rfc3339: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(rfc3339).unwrap()
    }

    pub fn draft() -> ContactDraft {
        ContactDraft {
            program: Some("catwoman".into()),
            milieu: Some("bar_erotique".into()),
            age_group: Some("26_40".into()),
            gender: Some("femme".into()),
            realities: vec!["sante".into(), "hebergement".into()],
            material: BTreeMap::from([("condoms".into(), 12), ("gomme".into(), 0)]),
        }
    }

    pub fn contact(n: u128, when: &str, realities: &[&str]) -> Contact {
        let mut d = draft();
        d.realities = realities.iter().map(|s| s.to_string()).collect();
        d.finish(Uuid::from_u128(n), at(when), &Taxonomy::builtin())
            .unwrap()
    }

    #[test]
    fn a_complete_draft_becomes_a_canonical_record() {
        let t = Taxonomy::builtin();
        let c = draft()
            .finish(Uuid::from_u128(7), at("2026-11-28T22:15:00-05:00"), &t)
            .unwrap();
        assert_eq!(c.realities, vec!["hebergement", "sante"]);
        assert_eq!(c.material, BTreeMap::from([("condoms".into(), 12)]));
        assert_eq!(c.taxonomy_version, t.version);
        assert_eq!(
            c.local_date(),
            NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
        );
    }

    #[test]
    fn an_empty_draft_lists_every_missing_choice_once() {
        let err = ContactDraft::default()
            .finish(
                Uuid::from_u128(1),
                at("2026-11-28T10:00:00Z"),
                &Taxonomy::builtin(),
            )
            .unwrap_err();
        let fields: Vec<_> = err
            .errors
            .iter()
            .map(|e| (e.field.as_str(), e.reason))
            .collect();
        assert_eq!(
            fields,
            vec![
                ("program", Reason::Missing),
                ("milieu", Reason::Missing),
                ("age_group", Reason::Missing),
                ("gender", Reason::Missing),
                ("realities", Reason::Missing),
            ]
        );
    }

    #[test]
    fn unknown_codes_duplicates_and_impossible_counts_are_refused() {
        let t = Taxonomy::builtin();
        let mut c = contact(3, "2026-11-28T10:00:00Z", &["sante"]);
        c.milieu = "casino".into();
        c.realities = vec!["sante".into(), "sante".into(), "astrologie".into()];
        c.material = BTreeMap::from([
            ("condoms".into(), MAX_MATERIAL_PER_ITEM + 1),
            ("ballons".into(), 1),
        ]);
        let err = c.validate(&t).unwrap_err();
        let got: Vec<_> = err
            .errors
            .iter()
            .map(|e| (e.field.as_str(), e.reason))
            .collect();
        assert_eq!(
            got,
            vec![
                ("milieu", Reason::UnknownCode),
                ("realities", Reason::Duplicate),
                ("realities", Reason::UnknownCode),
                ("material.ballons", Reason::UnknownCode),
                ("material.condoms", Reason::TooLarge),
            ]
        );
    }

    #[test]
    fn largest_plausible_count_and_nil_id() {
        let t = Taxonomy::builtin();
        let mut c = contact(4, "2026-11-28T10:00:00Z", &["sante"]);
        c.material = BTreeMap::from([("seringues_remises".into(), MAX_MATERIAL_PER_ITEM)]);
        assert_eq!(c.validate(&t), Ok(()));
        c.id = Uuid::nil();
        assert_eq!(
            c.validate(&t).unwrap_err().errors,
            vec![FieldError::new("id", Reason::NilId)]
        );
    }

    #[test]
    fn wire_form_refuses_unknown_fields_and_negative_counts() {
        let c = contact(5, "2026-11-28T10:00:00Z", &["sante"]);
        let mut v = serde_json::to_value(&c).unwrap();
        assert!(serde_json::from_value::<Contact>(v.clone()).is_ok());
        v["name"] = "someone".into();
        assert!(serde_json::from_value::<Contact>(v.clone()).is_err());
        let mut v = serde_json::to_value(&c).unwrap();
        v["material"]["condoms"] = (-3).into();
        assert!(serde_json::from_value::<Contact>(v).is_err());
    }
}
