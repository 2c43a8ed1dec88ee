//! One contact record, and the rules it must follow on the phone and on the server.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use thiserror::Error;
use uuid::Uuid;

use crate::note::{NoteProblem, check_note};
use crate::person::is_person_code;
use crate::taxonomy::{ListKind, Taxonomy};

/// Largest count of one material item in one contact. Harm-reduction visits hand out
/// syringes by the hundred; ten thousand in a single contact is a typo, not a visit.
pub const MAX_MATERIAL_PER_ITEM: u32 = 10_000;

/// One interaction with one (unnamed) person.
///
/// Holds codes from the [`Taxonomy`], counts, an optional keyed-hash person code and an
/// optional PII-guarded note: nothing here can name, locate or contact the person met. The
/// worker is not in the record: the server takes it from the token.
///
/// On the phone (wasm32) it is read by [`read_contact`] instead of serde's derived reader.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(Deserialize))]
#[serde(deny_unknown_fields)]
pub struct Contact {
    /// Made on the device when the record is first saved; with `version`, the sync
    /// idempotency key.
    pub id: Uuid,
    /// 1 when first logged; a correction or deletion after sync is the next version.
    #[serde(default = "first_version")]
    pub version: u32,
    /// A deletion: the last version of a record the worker removed after sync.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deleted: bool,
    /// Version of the taxonomy the codes were chosen from.
    pub taxonomy_version: u32,
    /// When the contact happened, with the worker's UTC offset at the time.
    #[cfg_attr(
        target_arch = "wasm32",
        serde(deserialize_with = "crate::time::datetime")
    )]
    pub occurred_at: DateTime<FixedOffset>,
    pub program: String,
    pub milieu: String,
    /// A venue from the organisation's configured list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub venue: Option<String>,
    /// En personne, téléphone, texto, …
    pub mode: String,
    /// Web outreach: the platform the exchange happened on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    /// Web outreach: message sent or received.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<Direction>,
    pub age_group: String,
    pub gender: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occupation: Option<String>,
    /// « Première rencontre »: counts new persons when there is no person code.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub first_contact: bool,
    /// HMAC of the alias agreed with the person (see [`crate::person`]); never the alias.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person_code: Option<String>,
    /// Réalités abordées: one or more, sorted, no repeats.
    pub realities: Vec<String>,
    /// Types d'intervention, sorted, no repeats.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub intervention_types: Vec<String>,
    /// Material given, by material code; zero counts are not stored.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub material: BTreeMap<String, u32>,
    /// Referrals to partners, sorted, no repeats.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub referrals: Vec<String>,
    /// Free text, refused if it looks like contact details (see [`crate::note`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

pub(crate) fn first_version() -> u32 {
    1
}

/// Direction of a web message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(serde::Deserialize))]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Sent,
    Received,
}

crate::unit_names!(Direction {
    Sent = "sent",
    Received = "received",
});

/// Which rule a field broke. Serialized as a stable snake_case code for the API and the
/// app's translated messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(serde::Deserialize))]
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
    /// Version 0: versions start at 1.
    BadVersion,
    /// The person code is not an HMAC-SHA256 in hex.
    BadPersonCode,
    /// The note looks like it holds a phone number.
    LooksLikePhone,
    /// The note looks like it holds an e-mail address.
    LooksLikeEmail,
    /// The note looks like it holds a web address.
    LooksLikeUrl,
    /// The note looks like it holds a social media handle.
    LooksLikeHandle,
    /// The note is longer than [`crate::note::MAX_NOTE_CHARS`].
    TooLong,
}

crate::unit_names!(Reason {
    Missing = "missing",
    UnknownCode = "unknown_code",
    Duplicate = "duplicate",
    TooLarge = "too_large",
    NilId = "nil_id",
    Malformed = "malformed",
    BadVersion = "bad_version",
    BadPersonCode = "bad_person_code",
    LooksLikePhone = "looks_like_phone",
    LooksLikeEmail = "looks_like_email",
    LooksLikeUrl = "looks_like_url",
    LooksLikeHandle = "looks_like_handle",
    TooLong = "too_long",
});

impl Reason {
    /// The reason as the wire spells it (`too_large`), for messages and stored rows.
    pub fn code(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    }
}

impl From<NoteProblem> for Reason {
    fn from(problem: NoteProblem) -> Self {
        match problem {
            NoteProblem::PhoneNumber => Reason::LooksLikePhone,
            NoteProblem::Email => Reason::LooksLikeEmail,
            NoteProblem::Url => Reason::LooksLikeUrl,
            NoteProblem::Handle => Reason::LooksLikeHandle,
            NoteProblem::TooLong => Reason::TooLong,
        }
    }
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
///
/// On the phone (wasm32) it is read by [`read_draft`] instead of serde's derived reader.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(Deserialize))]
pub struct ContactDraft {
    pub program: Option<String>,
    pub milieu: Option<String>,
    pub venue: Option<String>,
    pub mode: Option<String>,
    pub platform: Option<String>,
    pub direction: Option<Direction>,
    pub age_group: Option<String>,
    pub gender: Option<String>,
    pub status: Option<String>,
    pub occupation: Option<String>,
    pub first_contact: bool,
    pub person_code: Option<String>,
    pub realities: Vec<String>,
    pub intervention_types: Vec<String>,
    pub material: BTreeMap<String, u32>,
    pub referrals: Vec<String>,
    pub note: Option<String>,
}

impl From<&Contact> for ContactDraft {
    /// A draft to correct an existing record. The person code is carried over as is; the
    /// alias behind it is unknown here by design.
    fn from(c: &Contact) -> Self {
        ContactDraft {
            program: Some(c.program.clone()),
            milieu: Some(c.milieu.clone()),
            venue: c.venue.clone(),
            mode: Some(c.mode.clone()),
            platform: c.platform.clone(),
            direction: c.direction,
            age_group: Some(c.age_group.clone()),
            gender: Some(c.gender.clone()),
            status: c.status.clone(),
            occupation: c.occupation.clone(),
            first_contact: c.first_contact,
            person_code: c.person_code.clone(),
            realities: c.realities.clone(),
            intervention_types: c.intervention_types.clone(),
            material: c.material.clone(),
            referrals: c.referrals.clone(),
            note: c.note.clone(),
        }
    }
}

impl ContactDraft {
    /// What a shortcut (« raccourci ») keeps of a record: the situation, not the person.
    /// Person code, occupation, note and the first-contact flag are left out.
    pub fn as_preset(&self) -> ContactDraft {
        ContactDraft {
            person_code: None,
            occupation: None,
            note: None,
            first_contact: false,
            ..self.clone()
        }
    }

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
        // A venue from the list belongs to one milieu: choosing it is enough.
        let milieu = self
            .milieu
            .or_else(|| listed_attribute(taxonomy, ListKind::Venues, self.venue.as_deref()));
        let contact = Contact {
            id,
            version: 1,
            deleted: false,
            taxonomy_version: taxonomy.version,
            occurred_at,
            program: take("program", self.program),
            milieu: take("milieu", milieu),
            venue: self.venue,
            mode: take("mode", self.mode),
            platform: self.platform,
            direction: self.direction,
            age_group: take("age_group", self.age_group),
            gender: take("gender", self.gender),
            status: self.status,
            occupation: self.occupation,
            first_contact: self.first_contact,
            person_code: self.person_code,
            realities: self.realities,
            intervention_types: self.intervention_types,
            material: self.material,
            referrals: self.referrals,
            note: self.note,
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

/// The rules contacts and activities share: the note's PII guard, and known material
/// codes with plausible counts.
pub(crate) fn check_note_and_material(
    note: Option<&str>,
    material: &BTreeMap<String, u32>,
    taxonomy: &Taxonomy,
    errors: &mut Vec<FieldError>,
) {
    if let Some(problem) = note.and_then(|n| check_note(n).err()) {
        errors.push(FieldError::new("note", problem.into()));
    }
    for (code, &count) in material {
        let field = format!("material.{code}");
        if !taxonomy.contains(ListKind::Materials, code) {
            errors.push(FieldError::new(field, Reason::UnknownCode));
        } else if count > MAX_MATERIAL_PER_ITEM {
            errors.push(FieldError::new(field, Reason::TooLarge));
        }
    }
}

/// Keeps the material counts `keep` accepts, as `BTreeMap::retain` would, by building the
/// map again when one goes (a handful of entries): the phone's module then holds no B-tree
/// removal code for these maps, 3.9 kB raw that `retain` and `remove` alone brought in.
pub fn retain_counts(counts: &mut BTreeMap<String, u32>, keep: &dyn Fn(&str, u32) -> bool) {
    if counts.iter().all(|(code, &n)| keep(code, n)) {
        return;
    }
    let mut kept = BTreeMap::new();
    for (code, n) in std::mem::take(counts) {
        if keep(&code, n) {
            kept.insert(code, n);
        }
    }
    *counts = kept;
}

/// Sorts a list of codes and drops its duplicates, as `sort_unstable` then `dedup` would,
/// by inserting each code once into a sorted list (the lists are short, and only codes
/// of the taxonomy's lists get here, so it stays small): the phone's module then holds no
/// sort of `String`s, about 3 kB raw (BENCHMARKS.md).
fn sort_codes(codes: &mut Vec<String>) {
    let mut sorted: Vec<String> = Vec::with_capacity(codes.len());
    for code in codes.drain(..) {
        if let Err(at) = sorted.binary_search(&code) {
            sorted.insert(at, code);
        }
    }
    *codes = sorted;
}

/// The milieu of a listed venue, or the platform of a listed site.
pub(crate) fn listed_attribute(
    taxonomy: &Taxonomy,
    kind: ListKind,
    code: Option<&str>,
) -> Option<String> {
    let entry = taxonomy.entry(kind, code?)?;
    match kind {
        ListKind::Venues => entry.milieu.clone(),
        ListKind::Sites => entry.platform.clone(),
        _ => None,
    }
}

/// A listed venue with a milieu may only be named under that milieu (and a site under its
/// platform): otherwise « milieux visités » would count it under two milieux.
pub(crate) fn check_listed_attribute(
    taxonomy: &Taxonomy,
    (field, kind, code): (&str, ListKind, Option<&str>),
    (attribute_field, value): (&str, Option<&str>),
    errors: &mut Vec<FieldError>,
) {
    let Some(expected) = listed_attribute(taxonomy, kind, code) else {
        return;
    };
    match value {
        None => errors.push(FieldError::new(attribute_field, Reason::Missing)),
        Some(v) if v != expected => errors.push(FieldError::new(field, Reason::UnknownCode)),
        Some(_) => {}
    }
}

/// A blank note is no note; others lose surrounding spaces.
pub(crate) fn normalised_note(note: Option<String>) -> Option<String> {
    let trimmed = note?.trim().to_owned();
    (!trimmed.is_empty()).then_some(trimmed)
}

impl Contact {
    /// Checks every rule against the organisation's lists and reports all problems.
    pub fn validate(&self, taxonomy: &Taxonomy) -> Result<(), RecordError> {
        let mut errors = Vec::new();
        if self.id.is_nil() {
            errors.push(FieldError::new("id", Reason::NilId));
        }
        if self.version == 0 {
            errors.push(FieldError::new("version", Reason::BadVersion));
        }
        for (field, kind, code) in [
            ("program", ListKind::Programs, &self.program),
            ("milieu", ListKind::Milieux, &self.milieu),
            ("mode", ListKind::Modes, &self.mode),
            ("age_group", ListKind::AgeGroups, &self.age_group),
            ("gender", ListKind::Genders, &self.gender),
        ] {
            if code.is_empty() {
                errors.push(FieldError::new(field, Reason::Missing));
            } else if !taxonomy.contains(kind, code) {
                errors.push(FieldError::new(field, Reason::UnknownCode));
            }
        }
        for (field, kind, code) in [
            ("venue", ListKind::Venues, &self.venue),
            ("platform", ListKind::Platforms, &self.platform),
            ("status", ListKind::Statuses, &self.status),
            ("occupation", ListKind::Occupations, &self.occupation),
        ] {
            if code.as_ref().is_some_and(|c| !taxonomy.contains(kind, c)) {
                errors.push(FieldError::new(field, Reason::UnknownCode));
            }
        }
        check_listed_attribute(
            taxonomy,
            ("venue", ListKind::Venues, self.venue.as_deref()),
            ("milieu", Some(&self.milieu)),
            &mut errors,
        );
        if self.realities.is_empty() {
            errors.push(FieldError::new("realities", Reason::Missing));
        }
        for (field, kind, codes) in [
            ("realities", ListKind::Realities, &self.realities),
            (
                "intervention_types",
                ListKind::InterventionTypes,
                &self.intervention_types,
            ),
            ("referrals", ListKind::Partners, &self.referrals),
        ] {
            for (i, code) in codes.iter().enumerate() {
                if !taxonomy.contains(kind, code) {
                    errors.push(FieldError::new(field, Reason::UnknownCode));
                } else if codes[..i].contains(code) {
                    errors.push(FieldError::new(field, Reason::Duplicate));
                }
            }
        }
        if self
            .person_code
            .as_deref()
            .is_some_and(|c| !is_person_code(c))
        {
            errors.push(FieldError::new("person_code", Reason::BadPersonCode));
        }
        check_note_and_material(self.note.as_deref(), &self.material, taxonomy, &mut errors);
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
        for codes in [
            &mut self.realities,
            &mut self.intervention_types,
            &mut self.referrals,
        ] {
            sort_codes(codes);
        }
        retain_counts(&mut self.material, &|_, count| count > 0);
        self.note = normalised_note(self.note.take());
        self
    }

    /// The record as corrected after sync: same id, next version, to be synced again.
    pub fn next_version(mut self) -> Self {
        self.version = self.version.saturating_add(1);
        self
    }

    /// The deletion of a synced record: a tombstone version that keeps the id.
    pub fn tombstone(self) -> Self {
        let mut next = self.next_version();
        next.deleted = true;
        next
    }
}

/// [`Contact`]'s fields, in the order they are declared.
#[cfg(any(target_arch = "wasm32", test))]
const CONTACT_FIELDS: &[&str] = &[
    "id",
    "version",
    "deleted",
    "taxonomy_version",
    "occurred_at",
    "program",
    "milieu",
    "venue",
    "mode",
    "platform",
    "direction",
    "age_group",
    "gender",
    "status",
    "occupation",
    "first_contact",
    "person_code",
    "realities",
    "intervention_types",
    "material",
    "referrals",
    "note",
];

/// [`ContactDraft`]'s fields, in the order they are declared: [`Contact`]'s from `program`.
#[cfg(any(target_arch = "wasm32", test))]
const DRAFT_FIELDS: &[&str] = CONTACT_FIELDS.split_at(5).1;

#[cfg(target_arch = "wasm32")]
impl<'de> Deserialize<'de> for Contact {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        read_contact(d)
    }
}

#[cfg(target_arch = "wasm32")]
impl<'de> Deserialize<'de> for ContactDraft {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        read_draft(d)
    }
}

/// Reads a [`Contact`] as serde's derived reader does from a JSON object (the same records
/// accepted, the same words for a refused one: [`crate::names::read_struct`]; the time
/// read by [`crate::time::datetime`], as on the phone), in a fraction of its wasm (9 kB
/// raw on the phone). A contact as a JSON array, which no one writes, is refused.
#[cfg(any(target_arch = "wasm32", test))]
pub fn read_contact<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Contact, D::Error> {
    crate::names::read_struct(d)
}

/// Reads a [`ContactDraft`] as serde's derived reader does from a JSON object.
#[cfg(any(target_arch = "wasm32", test))]
pub fn read_draft<'de, D: serde::Deserializer<'de>>(d: D) -> Result<ContactDraft, D::Error> {
    crate::names::read_struct(d)
}

/// A record's time, read by [`crate::time::datetime`].
#[cfg(any(target_arch = "wasm32", test))]
pub(crate) struct OccurredAt;

#[cfg(any(target_arch = "wasm32", test))]
impl<'de> serde::de::DeserializeSeed<'de> for OccurredAt {
    type Value = DateTime<FixedOffset>;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        crate::time::datetime(d)
    }
}

#[cfg(any(target_arch = "wasm32", test))]
impl crate::names::Fields for Contact {
    const EXPECTING: &'static str = "struct Contact";
    const NAMES: &'static [&'static str] = CONTACT_FIELDS;
    /// Required: `id`, `taxonomy_version`, `occurred_at`, `program`, `milieu`, `mode`,
    /// `age_group`, `gender` and `realities`.
    const OPTIONAL: u64 = !(1 | 0b1111 << 3 | 1 << 8 | 0b11 << 11 | 1 << 17);
    const DENY_UNKNOWN: bool = true;

    fn empty() -> Self {
        Contact {
            id: Uuid::nil(),
            version: first_version(),
            deleted: false,
            taxonomy_version: 0,
            occurred_at: DateTime::default(),
            program: String::new(),
            milieu: String::new(),
            venue: None,
            mode: String::new(),
            platform: None,
            direction: None,
            age_group: String::new(),
            gender: String::new(),
            status: None,
            occupation: None,
            first_contact: false,
            person_code: None,
            realities: Vec::new(),
            intervention_types: Vec::new(),
            material: BTreeMap::new(),
            referrals: Vec::new(),
            note: None,
        }
    }

    fn read_field<'de, A: serde::de::MapAccess<'de>>(
        &mut self,
        at: usize,
        map: &mut A,
    ) -> Result<(), A::Error> {
        let c = self;
        match at {
            0 => c.id = map.next_value()?,
            1 => c.version = map.next_value()?,
            2 => c.deleted = map.next_value()?,
            3 => c.taxonomy_version = map.next_value()?,
            4 => c.occurred_at = map.next_value_seed(OccurredAt)?,
            5 => c.program = map.next_value()?,
            6 => c.milieu = map.next_value()?,
            7 => c.venue = map.next_value()?,
            8 => c.mode = map.next_value()?,
            9 => c.platform = map.next_value()?,
            10 => c.direction = map.next_value()?,
            11 => c.age_group = map.next_value()?,
            12 => c.gender = map.next_value()?,
            13 => c.status = map.next_value()?,
            14 => c.occupation = map.next_value()?,
            15 => c.first_contact = map.next_value()?,
            16 => c.person_code = map.next_value()?,
            17 => c.realities = map.next_value()?,
            18 => c.intervention_types = map.next_value()?,
            19 => c.material = map.next_value()?,
            20 => c.referrals = map.next_value()?,
            _ => c.note = map.next_value()?,
        }
        Ok(())
    }
}

#[cfg(any(target_arch = "wasm32", test))]
impl crate::names::Fields for ContactDraft {
    const EXPECTING: &'static str = "struct ContactDraft";
    const NAMES: &'static [&'static str] = DRAFT_FIELDS;
    /// Required: `first_contact` and the lists (`realities` to `referrals`); an absent
    /// `Option` is `None`, as serde's derived reader has it.
    const OPTIONAL: u64 = !(1 << 10 | 0b1111 << 12);
    const DENY_UNKNOWN: bool = false;

    fn empty() -> Self {
        ContactDraft::default()
    }

    fn read_field<'de, A: serde::de::MapAccess<'de>>(
        &mut self,
        at: usize,
        map: &mut A,
    ) -> Result<(), A::Error> {
        let d = self;
        match at {
            0 => d.program = map.next_value()?,
            1 => d.milieu = map.next_value()?,
            2 => d.venue = map.next_value()?,
            3 => d.mode = map.next_value()?,
            4 => d.platform = map.next_value()?,
            5 => d.direction = map.next_value()?,
            6 => d.age_group = map.next_value()?,
            7 => d.gender = map.next_value()?,
            8 => d.status = map.next_value()?,
            9 => d.occupation = map.next_value()?,
            10 => d.first_contact = map.next_value()?,
            11 => d.person_code = map.next_value()?,
            12 => d.realities = map.next_value()?,
            13 => d.intervention_types = map.next_value()?,
            14 => d.material = map.next_value()?,
            15 => d.referrals = map.next_value()?,
            _ => d.note = map.next_value()?,
        }
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use serde_json::{Map, Value, json};

    proptest::proptest! {
        /// `sort_codes` leaves what `sort_unstable` then `dedup` leave.
        #[test]
        fn sort_codes_is_sort_and_dedup(codes in proptest::collection::vec("[a-d]{0,3}", 0..12)) {
            let mut expected = codes.clone();
            expected.sort_unstable();
            expected.dedup();
            let mut sorted = codes;
            sort_codes(&mut sorted);
            proptest::prop_assert_eq!(sorted, expected);
        }
    }

    pub fn at(rfc3339: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(rfc3339).unwrap()
    }

    pub fn draft() -> ContactDraft {
        ContactDraft {
            program: Some("catwoman".into()),
            milieu: Some("bar_erotique".into()),
            mode: Some("en_personne".into()),
            age_group: Some("26_40".into()),
            gender: Some("femme".into()),
            realities: vec!["sante".into(), "hebergement".into()],
            material: BTreeMap::from([("condoms".into(), 12), ("gomme".into(), 0)]),
            ..ContactDraft::default()
        }
    }

    pub fn contact(n: u128, when: &str, realities: &[&str]) -> Contact {
        let mut d = draft();
        d.realities = realities.iter().map(|s| s.to_string()).collect();
        d.finish(Uuid::from_u128(n), at(when), &Taxonomy::builtin())
            .unwrap()
    }

    proptest::proptest! {
        /// `retain_counts` keeps what `BTreeMap::retain` keeps, whether or not a count goes.
        #[test]
        fn retain_counts_is_retain(
            counts in proptest::collection::btree_map(0u8..6, 0u32..3, 0..6),
            code in 0u8..6,
        ) {
            let counts: BTreeMap<String, u32> =
                counts.into_iter().map(|(c, n)| (format!("m{c}"), n)).collect();
            let code = format!("m{code}");
            let drop_zeros: &dyn Fn(&str, u32) -> bool = &|_, n| n > 0;
            let drop_code: &dyn Fn(&str, u32) -> bool = &|c, _| c != code;
            for keep in [drop_zeros, drop_code] {
                let mut by_retain = counts.clone();
                by_retain.retain(|c, n| keep(c, *n));
                let mut by_rebuild = counts.clone();
                retain_counts(&mut by_rebuild, keep);
                proptest::prop_assert_eq!(by_rebuild, by_retain);
            }
        }
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
            c.occurred_at.date_naive(),
            chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
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
                ("mode", Reason::Missing),
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

    #[test]
    fn every_optional_field_is_checked_against_its_list() {
        let t = Taxonomy::builtin();
        let mut c = contact(6, "2026-11-28T10:00:00Z", &["sante"]);
        c.platform = Some("messenger".into());
        c.direction = Some(Direction::Received);
        c.status = Some("active".into());
        c.occupation = Some("etudiant".into());
        c.intervention_types = vec!["information_prevention".into(), "references".into()];
        c.referrals = vec!["infirmiere".into()];
        c.person_code = Some("ab".repeat(32));
        c.note = Some("A parlé de son logement.".into());
        assert_eq!(c.validate(&t), Ok(()));

        c.platform = Some("myspace".into());
        c.status = Some("cliente".into());
        c.occupation = Some("astronaute".into());
        c.venue = Some("le_bar_x".into());
        c.intervention_types = vec!["mediation".into(), "mediation".into()];
        c.referrals = vec!["police".into()];
        c.person_code = Some("Étoile 2024".into());
        c.note = Some("Son numéro: 418 555-0199".into());
        c.version = 0;
        let got: Vec<_> = c
            .validate(&t)
            .unwrap_err()
            .errors
            .into_iter()
            .map(|e| (e.field, e.reason))
            .collect();
        let want: Vec<(String, Reason)> = vec![
            ("version".into(), Reason::BadVersion),
            ("venue".into(), Reason::UnknownCode),
            ("platform".into(), Reason::UnknownCode),
            ("status".into(), Reason::UnknownCode),
            ("occupation".into(), Reason::UnknownCode),
            ("intervention_types".into(), Reason::Duplicate),
            ("referrals".into(), Reason::UnknownCode),
            ("person_code".into(), Reason::BadPersonCode),
            ("note".into(), Reason::LooksLikePhone),
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn corrections_and_deletions_are_new_versions_of_the_same_record() {
        let c = contact(8, "2026-11-28T10:00:00Z", &["sante"]);
        assert_eq!((c.version, c.deleted), (1, false));
        let corrected = c.clone().next_version();
        assert_eq!(
            (corrected.id, corrected.version, corrected.deleted),
            (c.id, 2, false)
        );
        let gone = corrected.tombstone();
        assert_eq!((gone.id, gone.version, gone.deleted), (c.id, 3, true));
        assert_eq!(gone.validate(&Taxonomy::builtin()), Ok(()));
    }

    #[test]
    fn older_wire_records_default_to_version_one() {
        let c = contact(9, "2026-11-28T10:00:00Z", &["sante"]);
        let mut v = serde_json::to_value(&c).unwrap();
        v.as_object_mut().unwrap().remove("version");
        let back: Contact = serde_json::from_value(v).unwrap();
        assert_eq!(back.version, 1);
    }

    #[test]
    fn a_preset_keeps_the_situation_and_drops_the_person() {
        let mut c = contact(10, "2026-11-28T10:00:00Z", &["sante"]);
        c.person_code = Some("ab".repeat(32));
        c.note = Some("à revoir".into());
        c.first_contact = true;
        c.occupation = Some("etudiant".into());
        c.status = Some("active".into());
        let preset = ContactDraft::from(&c).as_preset();
        assert_eq!(preset.person_code, None);
        assert_eq!(preset.note, None);
        assert_eq!(preset.occupation, None);
        assert!(!preset.first_contact);
        assert_eq!(preset.status.as_deref(), Some("active"));
        assert_eq!(preset.realities, c.realities);
        assert_eq!(preset.material, c.material);
    }

    #[test]
    fn a_listed_venue_belongs_to_its_milieu() {
        let mut t = Taxonomy::builtin();
        t.venues.push(crate::Entry {
            milieu: Some("bar_erotique".into()),
            ..crate::Entry::new("bar_01", "Bar 1", "Bar 1")
        });
        // Choosing the venue is enough: the milieu comes with it.
        let c = ContactDraft {
            milieu: None,
            venue: Some("bar_01".into()),
            ..draft()
        }
        .finish(Uuid::from_u128(11), at("2026-11-28T10:00:00Z"), &t)
        .unwrap();
        assert_eq!(c.milieu, "bar_erotique");
        let mut elsewhere = c.clone();
        elsewhere.milieu = "rue".into();
        assert_eq!(
            elsewhere.validate(&t).unwrap_err().errors,
            vec![FieldError::new("venue", Reason::UnknownCode)]
        );
    }

    /// A hand-written reader's outcome against the derived reader's: the same value, or
    /// an error both times, in the same words when `compare_words`.
    pub(crate) fn same_outcome<T: PartialEq + std::fmt::Debug>(
        mine: Result<T, serde_json::Error>,
        derived: Result<T, serde_json::Error>,
        compare_words: bool,
        input: &str,
    ) {
        match (mine, derived) {
            (Ok(mine), Ok(derived)) => assert_eq!(mine, derived, "{input}"),
            (Err(mine), Err(derived)) if compare_words => {
                assert_eq!(mine.to_string(), derived.to_string(), "{input}")
            }
            (Err(_), Err(_)) => {}
            (mine, derived) => panic!("{input}: {mine:?} but {derived:?}"),
        }
    }

    /// A hand-written reader (`by_hand` from a value, `by_hand_text` from text) against
    /// serde's derived reader of `T`, from `full` (every field set): then without each
    /// field, with each one of the wrong type, twice, and with a field it does not know:
    /// the same value or the same error, word for word (a wrong time apart: the phone
    /// reads it with [`crate::time::datetime`], not chrono's parser).
    pub(crate) fn check_reader<T: serde::de::DeserializeOwned + PartialEq + std::fmt::Debug>(
        full: &Map<String, Value>,
        fields: &[&str],
        by_hand: fn(Value) -> Result<T, serde_json::Error>,
        by_hand_text: fn(&str) -> Result<T, serde_json::Error>,
    ) {
        let same = |value: Value, compare_words: bool| {
            let text = value.to_string();
            let (mine, derived) = (by_hand(value.clone()), serde_json::from_value::<T>(value));
            let (mine_text, derived_text) = (by_hand_text(&text), serde_json::from_str(&text));
            for (mine, derived) in [(mine, derived), (mine_text, derived_text)] {
                same_outcome(mine, derived, compare_words, &text);
            }
        };
        same(Value::Object(full.clone()), true);
        let mut keys: Vec<&str> = full.keys().map(String::as_str).collect();
        let mut sorted = fields.to_vec();
        keys.sort_unstable();
        sorted.sort_unstable();
        assert_eq!(keys, sorted);
        for field in fields {
            let mut without = full.clone();
            without.remove(*field);
            same(Value::Object(without), true);
            let mut wrong = full.clone();
            wrong.insert(field.to_string(), json!({"x": 1}));
            same(Value::Object(wrong), *field != "occurred_at");
            let text = Value::Object(full.clone()).to_string();
            let twice = format!("{{\"{field}\":{},{}", full[*field], &text[1..]);
            let derived = serde_json::from_str::<T>(&twice).map_err(|e| e.to_string());
            assert_eq!(by_hand_text(&twice).map_err(|e| e.to_string()), derived);
        }
        let mut unknown = full.clone();
        unknown.insert("name".into(), json!("someone"));
        same(Value::Object(unknown), true);
        same(json!({}), true);
    }

    /// [`read_contact`] and [`read_draft`] against serde's derived readers
    /// ([`check_reader`]), from a value as records are read and from text.
    #[test]
    fn the_phones_readers_read_a_contact_and_a_draft_as_the_derived_ones() {
        let mut c = contact(5, "2026-11-28T10:00:00-05:00", &["sante"]);
        c.version = 3;
        c.deleted = true;
        c.venue = Some("v".into());
        c.platform = Some("p".into());
        c.direction = Some(Direction::Sent);
        c.status = Some("s".into());
        c.occupation = Some("o".into());
        c.first_contact = true;
        c.person_code = Some("a".repeat(64));
        c.intervention_types = vec!["t".into()];
        c.material = BTreeMap::from([("condoms".into(), 2)]);
        c.referrals = vec!["r".into()];
        c.note = Some("n".into());
        let Value::Object(full) = serde_json::to_value(&c).unwrap() else {
            panic!("a contact is an object");
        };
        check_reader::<Contact>(&full, CONTACT_FIELDS, read_contact, |t| {
            read_contact(&mut serde_json::Deserializer::from_str(t))
        });
        let Value::Object(full) = serde_json::to_value(ContactDraft::from(&c)).unwrap() else {
            panic!("a draft is an object");
        };
        check_reader::<ContactDraft>(&full, DRAFT_FIELDS, read_draft, |t| {
            read_draft(&mut serde_json::Deserializer::from_str(t))
        });
    }
}
