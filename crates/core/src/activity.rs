//! Work that involves no one person: a venue visit, an ad posted, a site monitored, a
//! prevention workshop with its head count.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::record::{
    FieldError, Reason, RecordError, check_listed_attribute, check_note_and_material,
    listed_attribute, normalised_note, retain_counts,
};
use crate::taxonomy::{ListKind, Taxonomy};

/// Largest head count of one workshop.
pub const MAX_HEAD_COUNT: u32 = 1_000;

/// On the phone (wasm32) it is read by [`read_activity`] instead of serde's derived reader.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(Deserialize))]
#[serde(deny_unknown_fields)]
pub struct Activity {
    pub id: Uuid,
    #[serde(default = "crate::record::first_version")]
    pub version: u32,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deleted: bool,
    pub taxonomy_version: u32,
    #[cfg_attr(
        target_arch = "wasm32",
        serde(deserialize_with = "crate::time::datetime")
    )]
    pub occurred_at: DateTime<FixedOffset>,
    pub program: String,
    /// Code from the taxonomy's `activity_kinds`.
    pub activity: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub milieu: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub venue: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    /// A web site from the organisation's list (`sites`), monitored or posted on; its
    /// platform is then `platform`. Reports count distinct sites from it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
    /// Participants of a workshop: a count, never a list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head_count: Option<u32>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub material: BTreeMap<String, u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// An activity being filled in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityDraft {
    pub program: Option<String>,
    pub activity: Option<String>,
    pub milieu: Option<String>,
    pub venue: Option<String>,
    pub platform: Option<String>,
    pub site: Option<String>,
    pub head_count: Option<u32>,
    pub material: BTreeMap<String, u32>,
    pub note: Option<String>,
}

impl From<&Activity> for ActivityDraft {
    fn from(a: &Activity) -> Self {
        ActivityDraft {
            program: Some(a.program.clone()),
            activity: Some(a.activity.clone()),
            milieu: a.milieu.clone(),
            venue: a.venue.clone(),
            platform: a.platform.clone(),
            site: a.site.clone(),
            head_count: a.head_count,
            material: a.material.clone(),
            note: a.note.clone(),
        }
    }
}

impl ActivityDraft {
    /// Turns the draft into a valid activity, or lists everything still wrong with it.
    pub fn finish(
        self,
        id: Uuid,
        occurred_at: DateTime<FixedOffset>,
        taxonomy: &Taxonomy,
    ) -> Result<Activity, RecordError> {
        let mut missing = Vec::new();
        if self.program.is_none() {
            missing.push(FieldError {
                field: "program".into(),
                reason: Reason::Missing,
            });
        }
        if self.activity.is_none() {
            missing.push(FieldError {
                field: "activity".into(),
                reason: Reason::Missing,
            });
        }
        // A listed venue implies its milieu, a listed site its platform.
        let milieu = self
            .milieu
            .or_else(|| listed_attribute(taxonomy, ListKind::Venues, self.venue.as_deref()));
        let platform = self
            .platform
            .or_else(|| listed_attribute(taxonomy, ListKind::Sites, self.site.as_deref()));
        let activity = Activity {
            id,
            version: 1,
            deleted: false,
            taxonomy_version: taxonomy.version,
            occurred_at,
            program: self.program.unwrap_or_default(),
            activity: self.activity.unwrap_or_default(),
            milieu,
            venue: self.venue,
            platform,
            site: self.site,
            head_count: self.head_count,
            material: self.material,
            note: self.note,
        };
        let mut errors = missing;
        if let Err(more) = activity.validate(taxonomy) {
            for e in more.errors {
                if !errors.iter().any(|m| m.field == e.field) {
                    errors.push(e);
                }
            }
        }
        if errors.is_empty() {
            Ok(activity.normalized())
        } else {
            Err(RecordError { errors })
        }
    }
}

impl Activity {
    pub fn validate(&self, taxonomy: &Taxonomy) -> Result<(), RecordError> {
        let mut errors = Vec::new();
        let mut push = |field: &str, reason| {
            errors.push(FieldError {
                field: field.into(),
                reason,
            })
        };
        if self.id.is_nil() {
            push("id", Reason::NilId);
        }
        if self.version == 0 {
            push("version", Reason::BadVersion);
        }
        for (field, kind, code) in [
            ("program", ListKind::Programs, &self.program),
            ("activity", ListKind::ActivityKinds, &self.activity),
        ] {
            if code.is_empty() {
                push(field, Reason::Missing);
            } else if !taxonomy.contains(kind, code) {
                push(field, Reason::UnknownCode);
            }
        }
        for (field, kind, code) in [
            ("milieu", ListKind::Milieux, &self.milieu),
            ("venue", ListKind::Venues, &self.venue),
            ("platform", ListKind::Platforms, &self.platform),
            ("site", ListKind::Sites, &self.site),
        ] {
            if code.as_ref().is_some_and(|c| !taxonomy.contains(kind, c)) {
                push(field, Reason::UnknownCode);
            }
        }
        if self.head_count.is_some_and(|n| n > MAX_HEAD_COUNT) {
            push("head_count", Reason::TooLarge);
        }
        check_listed_attribute(
            taxonomy,
            ("venue", ListKind::Venues, self.venue.as_deref()),
            ("milieu", self.milieu.as_deref()),
            &mut errors,
        );
        check_listed_attribute(
            taxonomy,
            ("site", ListKind::Sites, self.site.as_deref()),
            ("platform", self.platform.as_deref()),
            &mut errors,
        );
        check_note_and_material(self.note.as_deref(), &self.material, taxonomy, &mut errors);
        if errors.is_empty() {
            Ok(())
        } else {
            Err(RecordError { errors })
        }
    }

    /// Zero counts dropped, blank note removed.
    pub fn normalized(mut self) -> Self {
        retain_counts(&mut self.material, &|_, n| n > 0);
        self.note = normalised_note(self.note.take());
        self
    }
}

/// [`Activity`]'s fields, in the order they are declared.
#[cfg(any(target_arch = "wasm32", test))]
const ACTIVITY_FIELDS: &[&str] = &[
    "id",
    "version",
    "deleted",
    "taxonomy_version",
    "occurred_at",
    "program",
    "activity",
    "milieu",
    "venue",
    "platform",
    "site",
    "head_count",
    "material",
    "note",
];

#[cfg(target_arch = "wasm32")]
impl<'de> Deserialize<'de> for Activity {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        read_activity(d)
    }
}

/// Reads an [`Activity`] as serde's derived reader does from a JSON object, as
/// [`crate::record::read_contact`] reads a contact.
#[cfg(any(target_arch = "wasm32", test))]
pub fn read_activity<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Activity, D::Error> {
    crate::names::read_struct(d)
}

#[cfg(any(target_arch = "wasm32", test))]
impl crate::names::Fields for Activity {
    const EXPECTING: &'static str = "struct Activity";
    const NAMES: &'static [&'static str] = ACTIVITY_FIELDS;
    /// Required: `id`, `taxonomy_version`, `occurred_at`, `program` and `activity`.
    const OPTIONAL: u64 = !(1 | 0b1111 << 3);
    const DENY_UNKNOWN: bool = true;

    fn empty() -> Self {
        Activity {
            id: Uuid::nil(),
            version: crate::record::first_version(),
            deleted: false,
            taxonomy_version: 0,
            occurred_at: DateTime::default(),
            program: String::new(),
            activity: String::new(),
            milieu: None,
            venue: None,
            platform: None,
            site: None,
            head_count: None,
            material: BTreeMap::new(),
            note: None,
        }
    }

    fn read_field<'de, A: serde::de::MapAccess<'de>>(
        &mut self,
        at: usize,
        map: &mut A,
    ) -> Result<(), A::Error> {
        let a = self;
        match at {
            0 => a.id = map.next_value()?,
            1 => a.version = map.next_value()?,
            2 => a.deleted = map.next_value()?,
            3 => a.taxonomy_version = map.next_value()?,
            4 => a.occurred_at = map.next_value_seed(crate::record::OccurredAt)?,
            5 => a.program = map.next_value()?,
            6 => a.activity = map.next_value()?,
            7 => a.milieu = map.next_value()?,
            8 => a.venue = map.next_value()?,
            9 => a.platform = map.next_value()?,
            10 => a.site = map.next_value()?,
            11 => a.head_count = map.next_value()?,
            12 => a.material = map.next_value()?,
            _ => a.note = map.next_value()?,
        }
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::record::tests::at;

    pub fn activity(n: u128, when: &str, kind: &str) -> Activity {
        ActivityDraft {
            program: Some("catwoman".into()),
            activity: Some(kind.into()),
            milieu: Some("salon_massage".into()),
            ..ActivityDraft::default()
        }
        .finish(Uuid::from_u128(n), at(when), &Taxonomy::builtin())
        .unwrap()
    }

    #[test]
    fn a_workshop_with_its_head_count() {
        let t = Taxonomy::builtin();
        let a = ActivityDraft {
            program: Some("milieu_de_vie".into()),
            activity: Some("atelier".into()),
            head_count: Some(12),
            material: BTreeMap::from([("condoms".into(), 40), ("gomme".into(), 0)]),
            ..ActivityDraft::default()
        }
        .finish(Uuid::from_u128(1), at("2026-11-28T14:00:00-05:00"), &t)
        .unwrap();
        assert_eq!(a.head_count, Some(12));
        assert_eq!(a.material, BTreeMap::from([("condoms".into(), 40)]));
    }

    #[test]
    fn refuses_missing_unknown_and_impossible_values() {
        let t = Taxonomy::builtin();
        let err = ActivityDraft {
            milieu: Some("casino".into()),
            head_count: Some(MAX_HEAD_COUNT + 1),
            note: Some("www.exemple.ca".into()),
            ..ActivityDraft::default()
        }
        .finish(Uuid::from_u128(2), at("2026-11-28T14:00:00Z"), &t)
        .unwrap_err();
        let got: Vec<_> = err
            .errors
            .iter()
            .map(|e| (e.field.as_str(), e.reason))
            .collect();
        assert_eq!(
            got,
            [
                ("program", Reason::Missing),
                ("activity", Reason::Missing),
                ("milieu", Reason::UnknownCode),
                ("head_count", Reason::TooLarge),
                ("note", Reason::LooksLikeUrl),
            ]
        );
    }

    fn listed() -> Taxonomy {
        let mut t = Taxonomy::builtin();
        t.venues.push(crate::Entry {
            milieu: Some("salon_massage".into()),
            ..crate::Entry::new("salon_01", "Salon 1", "Parlour 1")
        });
        t.sites.push(crate::Entry {
            platform: Some("petites_annonces".into()),
            ..crate::Entry::new("annonces_01", "Annonces 1", "Ads 1")
        });
        t
    }

    #[test]
    fn a_listed_site_or_venue_brings_its_platform_or_milieu() {
        let t = listed();
        let a = ActivityDraft {
            program: Some("web_adultes".into()),
            activity: Some("annonce_publiee".into()),
            site: Some("annonces_01".into()),
            ..ActivityDraft::default()
        }
        .finish(Uuid::from_u128(3), at("2026-11-28T14:00:00-05:00"), &t)
        .unwrap();
        assert_eq!(a.platform.as_deref(), Some("petites_annonces"));
        let visit = ActivityDraft {
            program: Some("catwoman".into()),
            activity: Some("visite_milieu".into()),
            venue: Some("salon_01".into()),
            ..ActivityDraft::default()
        }
        .finish(Uuid::from_u128(4), at("2026-11-28T14:00:00-05:00"), &t)
        .unwrap();
        assert_eq!(visit.milieu.as_deref(), Some("salon_massage"));
        // Drafts from records keep the site (a correction must not lose it).
        assert_eq!(ActivityDraft::from(&a).site.as_deref(), Some("annonces_01"));
    }

    #[test]
    fn a_site_on_another_platform_or_without_one_is_refused() {
        let t = listed();
        let mut a = activity(5, "2026-11-28T14:00:00-05:00", "site_surveille");
        a.milieu = None;
        a.site = Some("annonces_01".into());
        a.platform = Some("site_rencontres".into());
        let fields = |a: &Activity| -> Vec<(String, Reason)> {
            a.validate(&t)
                .unwrap_err()
                .errors
                .into_iter()
                .map(|e| (e.field, e.reason))
                .collect()
        };
        assert_eq!(fields(&a), [("site".into(), Reason::UnknownCode)]);
        a.platform = None;
        assert_eq!(fields(&a), [("platform".into(), Reason::Missing)]);
        a.site = Some("annonces_99".into());
        assert_eq!(fields(&a), [("site".into(), Reason::UnknownCode)]);
        a.site = None;
        a.venue = Some("salon_01".into());
        a.milieu = Some("bar_erotique".into());
        assert_eq!(fields(&a), [("venue".into(), Reason::UnknownCode)]);
        a.milieu = Some("salon_massage".into());
        assert_eq!(a.validate(&t), Ok(()));
    }

    /// [`read_activity`] against serde's derived reader, as for a contact.
    #[test]
    fn the_phones_reader_reads_an_activity_as_the_derived_one() {
        let mut a = activity(3, "2026-11-28T10:00:00-05:00", "atelier");
        a.version = 2;
        a.deleted = true;
        a.venue = Some("v".into());
        a.platform = Some("p".into());
        a.site = Some("s".into());
        a.head_count = Some(12);
        a.material = BTreeMap::from([("condoms".into(), 2)]);
        a.note = Some("n".into());
        let serde_json::Value::Object(full) = serde_json::to_value(&a).unwrap() else {
            panic!("an activity is an object");
        };
        crate::record::tests::check_reader::<Activity>(
            &full,
            ACTIVITY_FIELDS,
            read_activity,
            |t| read_activity(&mut serde_json::Deserializer::from_str(t)),
        );
    }
}
