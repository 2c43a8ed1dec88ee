//! The organisation's categories as data.
//!
//! Every list a record draws from (programs, milieux, réalités, …) is part of one versioned
//! document with stable codes and French/English labels, so another organisation can bring
//! its own lists without a code change. Records store codes, never labels.

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The organisation's default document, compiled in so the app works on first launch offline.
pub const DEFAULT_TAXONOMY_JSON: &str = include_str!("../taxonomy/default.json");

/// One choice in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Stable identifier stored in records; never shown to the worker.
    pub code: String,
    /// Québec French label (the default language).
    pub fr: String,
    /// English label.
    pub en: String,
    /// A retired entry stays valid in old records but is not offered for new ones.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub retired: bool,
}

/// Names the lists of a [`Taxonomy`], for lookups and error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListKind {
    Programs,
    Milieux,
    Modes,
    Platforms,
    AgeGroups,
    Genders,
    Statuses,
    Occupations,
    Realities,
    InterventionTypes,
    Materials,
    Partners,
    Venues,
    ActivityKinds,
}

impl ListKind {
    pub const ALL: [ListKind; 14] = [
        ListKind::Programs,
        ListKind::Milieux,
        ListKind::Modes,
        ListKind::Platforms,
        ListKind::AgeGroups,
        ListKind::Genders,
        ListKind::Statuses,
        ListKind::Occupations,
        ListKind::Realities,
        ListKind::InterventionTypes,
        ListKind::Materials,
        ListKind::Partners,
        ListKind::Venues,
        ListKind::ActivityKinds,
    ];

    /// The JSON key of this list in the taxonomy document.
    pub fn key(self) -> &'static str {
        match self {
            ListKind::Programs => "programs",
            ListKind::Milieux => "milieux",
            ListKind::Modes => "modes",
            ListKind::Platforms => "platforms",
            ListKind::AgeGroups => "age_groups",
            ListKind::Genders => "genders",
            ListKind::Statuses => "statuses",
            ListKind::Occupations => "occupations",
            ListKind::Realities => "realities",
            ListKind::InterventionTypes => "intervention_types",
            ListKind::Materials => "materials",
            ListKind::Partners => "partners",
            ListKind::Venues => "venues",
            ListKind::ActivityKinds => "activity_kinds",
        }
    }

    /// Lists a record cannot do without: an organisation's document must fill them.
    fn required(self) -> bool {
        matches!(
            self,
            ListKind::Programs
                | ListKind::Milieux
                | ListKind::AgeGroups
                | ListKind::Genders
                | ListKind::Realities
        )
    }
}

/// A versioned set of lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Taxonomy {
    /// Bumped whenever an entry is added, retired or relabelled; records carry it.
    pub version: u32,
    /// Free-form name of the organisation the document belongs to.
    pub organisation: String,
    pub programs: Vec<Entry>,
    pub milieux: Vec<Entry>,
    pub modes: Vec<Entry>,
    pub platforms: Vec<Entry>,
    pub age_groups: Vec<Entry>,
    pub genders: Vec<Entry>,
    pub statuses: Vec<Entry>,
    pub occupations: Vec<Entry>,
    pub realities: Vec<Entry>,
    pub intervention_types: Vec<Entry>,
    pub materials: Vec<Entry>,
    #[serde(default)]
    pub partners: Vec<Entry>,
    #[serde(default)]
    pub venues: Vec<Entry>,
    /// Kinds of activity that involve no one person (venue visit, ad posted, …).
    #[serde(default)]
    pub activity_kinds: Vec<Entry>,
}

/// Why a taxonomy document was refused.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum TaxonomyError {
    #[error("the document is not valid taxonomy JSON: {0}")]
    Parse(String),
    #[error("version must be 1 or more")]
    ZeroVersion,
    #[error("list `{list}` is empty but records need it")]
    EmptyList { list: &'static str },
    #[error("list `{list}` has the code `{code}` twice")]
    DuplicateCode { list: &'static str, code: String },
    #[error(
        "list `{list}` has an invalid code `{code}`: use 1 to 40 lowercase ASCII letters, digits or `_`"
    )]
    BadCode { list: &'static str, code: String },
    #[error("version {next} does not follow the current version {current}: it must be higher")]
    VersionNotIncreased { current: u32, next: u32 },
    #[error(
        "list `{list}` lost the code `{code}`: old records use it; mark it \"retired\": true instead"
    )]
    CodeRemoved { list: &'static str, code: String },
    #[error("list `{list}`, code `{code}`: the {lang} label is empty")]
    EmptyLabel {
        list: &'static str,
        code: String,
        lang: &'static str,
    },
}

impl Taxonomy {
    /// Parses and validates a document.
    pub fn from_json(json: &str) -> Result<Self, TaxonomyError> {
        let taxonomy: Taxonomy =
            serde_json::from_str(json).map_err(|e| TaxonomyError::Parse(e.to_string()))?;
        taxonomy.validate()?;
        Ok(taxonomy)
    }

    /// The organisation's built-in lists from the domain brief.
    pub fn builtin() -> Self {
        // The embedded document is checked by a unit test, so this cannot fail at run time
        // unless the build itself is broken; fall back to an empty-but-typed value rather
        // than panicking in a worker's hand.
        Self::from_json(DEFAULT_TAXONOMY_JSON).unwrap_or_else(|_| Self::empty())
    }

    fn empty() -> Self {
        Taxonomy {
            version: 1,
            organisation: String::new(),
            programs: vec![],
            milieux: vec![],
            modes: vec![],
            platforms: vec![],
            age_groups: vec![],
            genders: vec![],
            statuses: vec![],
            occupations: vec![],
            realities: vec![],
            intervention_types: vec![],
            materials: vec![],
            partners: vec![],
            venues: vec![],
            activity_kinds: vec![],
        }
    }

    /// Checks the rules every document must follow.
    pub fn validate(&self) -> Result<(), TaxonomyError> {
        if self.version == 0 {
            return Err(TaxonomyError::ZeroVersion);
        }
        for kind in ListKind::ALL {
            let list = kind.key();
            let entries = self.list(kind);
            if kind.required() && entries.iter().all(|e| e.retired) {
                return Err(TaxonomyError::EmptyList { list });
            }
            let mut seen = std::collections::BTreeSet::new();
            for entry in entries {
                if !is_valid_code(&entry.code) {
                    return Err(TaxonomyError::BadCode {
                        list,
                        code: entry.code.clone(),
                    });
                }
                if !seen.insert(entry.code.as_str()) {
                    return Err(TaxonomyError::DuplicateCode {
                        list,
                        code: entry.code.clone(),
                    });
                }
                for (lang, label) in [("fr", &entry.fr), ("en", &entry.en)] {
                    if label.trim().is_empty() {
                        return Err(TaxonomyError::EmptyLabel {
                            list,
                            code: entry.code.clone(),
                            lang,
                        });
                    }
                }
            }
        }
        Ok(())
    }

    /// Checks that `next` may replace this document: a higher version, and every code of
    /// every list still there (retired is fine), so that no stored record loses its meaning.
    pub fn check_successor(&self, next: &Taxonomy) -> Result<(), TaxonomyError> {
        next.validate()?;
        if next.version <= self.version {
            return Err(TaxonomyError::VersionNotIncreased {
                current: self.version,
                next: next.version,
            });
        }
        for kind in ListKind::ALL {
            if let Some(gone) = self
                .list(kind)
                .iter()
                .find(|e| !next.contains(kind, &e.code))
            {
                return Err(TaxonomyError::CodeRemoved {
                    list: kind.key(),
                    code: gone.code.clone(),
                });
            }
        }
        Ok(())
    }

    /// All entries of a list, retired ones included.
    pub fn list(&self, kind: ListKind) -> &[Entry] {
        match kind {
            ListKind::Programs => &self.programs,
            ListKind::Milieux => &self.milieux,
            ListKind::Modes => &self.modes,
            ListKind::Platforms => &self.platforms,
            ListKind::AgeGroups => &self.age_groups,
            ListKind::Genders => &self.genders,
            ListKind::Statuses => &self.statuses,
            ListKind::Occupations => &self.occupations,
            ListKind::Realities => &self.realities,
            ListKind::InterventionTypes => &self.intervention_types,
            ListKind::Materials => &self.materials,
            ListKind::Partners => &self.partners,
            ListKind::Venues => &self.venues,
            ListKind::ActivityKinds => &self.activity_kinds,
        }
    }

    /// Entries to offer when logging a new record (retired ones hidden).
    pub fn active(&self, kind: ListKind) -> impl Iterator<Item = &Entry> {
        self.list(kind).iter().filter(|e| !e.retired)
    }

    /// Looks a code up, retired entries included (old records stay readable).
    pub fn entry(&self, kind: ListKind, code: &str) -> Option<&Entry> {
        self.list(kind).iter().find(|e| e.code == code)
    }

    /// Whether a code is known in a list (retired entries count as known).
    pub fn contains(&self, kind: ListKind, code: &str) -> bool {
        self.entry(kind, code).is_some()
    }
}

fn is_valid_code(code: &str) -> bool {
    (1..=40).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc_with(edit: impl FnOnce(&mut serde_json::Value)) -> String {
        let mut value: serde_json::Value = serde_json::from_str(DEFAULT_TAXONOMY_JSON).unwrap();
        edit(&mut value);
        value.to_string()
    }

    #[test]
    fn builtin_document_is_valid_and_complete() {
        let t = Taxonomy::from_json(DEFAULT_TAXONOMY_JSON).expect("default taxonomy is valid");
        assert_eq!(t.programs.len(), 6);
        assert_eq!(t.milieux.len(), 9);
        assert_eq!(t.age_groups.len(), 4);
        assert_eq!(t.genders.len(), 5);
        assert_eq!(t.realities.len(), 14);
        assert_eq!(t.intervention_types.len(), 7);
        assert_eq!(t.materials.len(), 7);
        assert_eq!(t.occupations.len(), 9);
        assert_eq!(t.activity_kinds.len(), 5);
        assert_eq!(Taxonomy::builtin(), t);
        assert_eq!(
            t.entry(ListKind::Milieux, "bar_erotique").unwrap().fr,
            "Bar érotique"
        );
    }

    #[test]
    fn refuses_duplicate_codes() {
        let json = doc_with(|v| {
            v["genders"][1]["code"] = "femme".into();
        });
        assert_eq!(
            Taxonomy::from_json(&json),
            Err(TaxonomyError::DuplicateCode {
                list: "genders",
                code: "femme".into()
            })
        );
    }

    #[test]
    fn refuses_bad_codes_labels_and_versions() {
        let bad_code = doc_with(|v| v["milieux"][0]["code"] = "Bar Érotique".into());
        assert!(matches!(
            Taxonomy::from_json(&bad_code),
            Err(TaxonomyError::BadCode {
                list: "milieux",
                ..
            })
        ));
        let empty_label = doc_with(|v| v["realities"][2]["en"] = " ".into());
        assert!(matches!(
            Taxonomy::from_json(&empty_label),
            Err(TaxonomyError::EmptyLabel { lang: "en", .. })
        ));
        let zero = doc_with(|v| v["version"] = 0.into());
        assert_eq!(Taxonomy::from_json(&zero), Err(TaxonomyError::ZeroVersion));
    }

    #[test]
    fn refuses_empty_required_list_and_unknown_keys() {
        let empty = doc_with(|v| v["programs"] = serde_json::json!([]));
        assert_eq!(
            Taxonomy::from_json(&empty),
            Err(TaxonomyError::EmptyList { list: "programs" })
        );
        let unknown = doc_with(|v| v["colours"] = serde_json::json!([]));
        assert!(matches!(
            Taxonomy::from_json(&unknown),
            Err(TaxonomyError::Parse(_))
        ));
    }

    #[test]
    fn retired_entries_stay_known_but_are_not_offered() {
        let json = doc_with(|v| v["milieux"][5]["retired"] = true.into());
        let t = Taxonomy::from_json(&json).unwrap();
        assert!(t.contains(ListKind::Milieux, "pornographie"));
        assert!(
            t.active(ListKind::Milieux)
                .all(|e| e.code != "pornographie")
        );
        assert_eq!(t.active(ListKind::Milieux).count(), 8);
    }

    #[test]
    fn a_successor_must_keep_every_code_and_raise_the_version() {
        let current = Taxonomy::builtin();
        let retire = Taxonomy::from_json(&doc_with(|v| {
            v["version"] = 2.into();
            v["milieux"][5]["retired"] = true.into();
            v["venues"] =
                serde_json::json!([{ "code": "lieu_a", "fr": "Lieu A", "en": "Place A" }]);
        }))
        .unwrap();
        assert_eq!(current.check_successor(&retire), Ok(()));
        let same_version = Taxonomy::from_json(&doc_with(|_| {})).unwrap();
        assert_eq!(
            current.check_successor(&same_version),
            Err(TaxonomyError::VersionNotIncreased {
                current: 1,
                next: 1
            })
        );
        let removed = Taxonomy::from_json(&doc_with(|v| {
            v["version"] = 2.into();
            v["realities"].as_array_mut().unwrap().remove(0);
        }))
        .unwrap();
        assert_eq!(
            current.check_successor(&removed),
            Err(TaxonomyError::CodeRemoved {
                list: "realities",
                code: "dpj".into()
            })
        );
    }
}
