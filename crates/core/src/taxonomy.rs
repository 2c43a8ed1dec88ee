//! The organisation's categories as data.
//!
//! Every list a record draws from (programs, milieux, réalités, …) is part of one versioned
//! document with stable codes and French/English labels, so another organisation can bring
//! its own lists without a code change. Records store codes, never labels.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The organisation's default document, compiled in so the app works on first launch offline.
pub const DEFAULT_TAXONOMY_JSON: &str = include_str!("../taxonomy/default.json");

/// One choice in a list.
///
/// On the phone (wasm32) it is read by hand (`read_entry`), as the [`Taxonomy`] is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(Deserialize))]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Stable identifier stored in records; never shown to the worker.
    pub code: String,
    /// Québec French label (the default language).
    pub fr: String,
    /// English label.
    pub en: String,
    /// Venues only: the milieu the venue belongs to (a code of `milieux`). Distinct venues
    /// visited are counted by it, and a record naming the venue must use this milieu.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub milieu: Option<String>,
    /// Web sites only (required there): the platform of the site (a code of `platforms`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    /// A retired entry stays valid in old records but is not offered for new ones.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub retired: bool,
}

impl Entry {
    /// An active entry with no milieu or platform.
    pub fn new(code: impl Into<String>, fr: impl Into<String>, en: impl Into<String>) -> Self {
        Entry {
            code: code.into(),
            fr: fr.into(),
            en: en.into(),
            milieu: None,
            platform: None,
            retired: false,
        }
    }
}

/// Programs reported together, e.g. « Travail de proximité » = CatWoman + travail de rue.
/// Records never name a group: a report asks for one (`program=proximite`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgramGroup {
    /// Stable identifier; never the code of a program (a report's `program=` takes both).
    pub code: String,
    pub fr: String,
    pub en: String,
    /// Codes of `programs`, at least one.
    pub programs: Vec<String>,
    /// A retired group still resolves in reports but is no longer offered.
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
    Sites,
    ActivityKinds,
}

impl ListKind {
    pub const ALL: [ListKind; 15] = [
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
        ListKind::Sites,
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
            ListKind::Sites => "sites",
            ListKind::ActivityKinds => "activity_kinds",
        }
    }

    /// The list named by a document key (`"venues"`, `"sites"`, …).
    pub fn from_key(key: &str) -> Option<ListKind> {
        ListKind::ALL.into_iter().find(|k| k.key() == key)
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
///
/// On the phone (wasm32) it is read by [`read_taxonomy`] instead of serde's derived reader.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(Deserialize))]
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
    /// Web sites and apps the web project monitors or posts on, each with its platform.
    #[serde(default)]
    pub sites: Vec<Entry>,
    /// Kinds of activity that involve no one person (venue visit, ad posted, …).
    #[serde(default)]
    pub activity_kinds: Vec<Entry>,
    /// Programs reported together.
    #[serde(default)]
    pub program_groups: Vec<ProgramGroup>,
}

/// [`Taxonomy`]'s fields, in the order they are declared: the lists between `organisation`
/// and `program_groups` are those of [`ListKind::ALL`], in its order.
#[cfg(any(target_arch = "wasm32", test))]
const TAXONOMY_FIELDS: &[&str] = &[
    "version",
    "organisation",
    "programs",
    "milieux",
    "modes",
    "platforms",
    "age_groups",
    "genders",
    "statuses",
    "occupations",
    "realities",
    "intervention_types",
    "materials",
    "partners",
    "venues",
    "sites",
    "activity_kinds",
    "program_groups",
];

/// [`Entry`]'s fields, in the order they are declared.
#[cfg(any(target_arch = "wasm32", test))]
const ENTRY_FIELDS: &[&str] = &["code", "fr", "en", "milieu", "platform", "retired"];

/// Reads a [`Taxonomy`] as serde's derived reader does from a JSON object (the same
/// documents accepted, the same words for a refused one: [`crate::names::read_struct`]), in
/// a fraction of the derived readers' wasm on the phone (the taxonomy's, its entries').
/// A document or an entry as a JSON array, which no one writes, is refused.
#[cfg(any(target_arch = "wasm32", test))]
pub fn read_taxonomy<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Taxonomy, D::Error> {
    crate::names::read_struct(d)
}

#[cfg(target_arch = "wasm32")]
impl<'de> Deserialize<'de> for Taxonomy {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        read_taxonomy(d)
    }
}

#[cfg(target_arch = "wasm32")]
impl<'de> Deserialize<'de> for Entry {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        read_entry(d)
    }
}

#[cfg(any(target_arch = "wasm32", test))]
impl crate::names::Fields for Taxonomy {
    const EXPECTING: &'static str = "struct Taxonomy";
    const NAMES: &'static [&'static str] = TAXONOMY_FIELDS;
    /// `partners` to `program_groups` may be left out.
    const OPTIONAL: u64 = 0b11111 << 13;
    const DENY_UNKNOWN: bool = true;

    fn empty() -> Self {
        Taxonomy::empty()
    }

    fn read_field<'de, A: serde::de::MapAccess<'de>>(
        &mut self,
        at: usize,
        map: &mut A,
    ) -> Result<(), A::Error> {
        match at {
            0 => self.version = map.next_value()?,
            1 => self.organisation = map.next_value()?,
            17 => self.program_groups = map.next_value()?,
            _ => *self.list_mut(ListKind::ALL[at - 2]) = map.next_value()?,
        }
        Ok(())
    }
}

/// Reads an [`Entry`] as serde's derived reader does from a JSON object.
#[cfg(any(target_arch = "wasm32", test))]
fn read_entry<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Entry, D::Error> {
    crate::names::read_struct(d)
}

#[cfg(any(target_arch = "wasm32", test))]
impl crate::names::Fields for Entry {
    const EXPECTING: &'static str = "struct Entry";
    const NAMES: &'static [&'static str] = ENTRY_FIELDS;
    /// `milieu`, `platform` and `retired` may be left out.
    const OPTIONAL: u64 = 0b111 << 3;
    const DENY_UNKNOWN: bool = true;

    fn empty() -> Self {
        Entry::new(String::new(), String::new(), String::new())
    }

    fn read_field<'de, A: serde::de::MapAccess<'de>>(
        &mut self,
        at: usize,
        map: &mut A,
    ) -> Result<(), A::Error> {
        let e = self;
        match at {
            0 => e.code = map.next_value()?,
            1 => e.fr = map.next_value()?,
            2 => e.en = map.next_value()?,
            3 => e.milieu = map.next_value()?,
            4 => e.platform = map.next_value()?,
            _ => e.retired = map.next_value()?,
        }
        Ok(())
    }
}

/// Why a taxonomy document was refused.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
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
    #[error("list `{list}`, code `{code}`: {attribute} `{value}` is not a code of `{target}`")]
    UnknownReference {
        list: &'static str,
        code: String,
        attribute: &'static str,
        value: String,
        target: &'static str,
    },
    #[error("list `{list}`, code `{code}`: a {attribute} is required")]
    MissingAttribute {
        list: &'static str,
        code: String,
        attribute: &'static str,
    },
    #[error("list `{list}`, code `{code}`: only {allowed} entries have a {attribute}")]
    AttributeNotAllowed {
        list: &'static str,
        code: String,
        attribute: &'static str,
        allowed: &'static str,
    },
    #[error(
        "list `{list}`, code `{code}`: its {attribute} changed; records made with it would no longer match: retire it and add a new entry instead"
    )]
    AttributeChanged {
        list: &'static str,
        code: String,
        attribute: &'static str,
    },
    #[error("program group `{group}` names `{program}`, which is not a program code")]
    GroupUnknownProgram { group: String, program: String },
    #[error("program group `{group}` names no program")]
    GroupEmpty { group: String },
    #[error("program group `{group}` names the program `{program}` twice")]
    GroupDuplicateProgram { group: String, program: String },
    #[error("`{code}` is both a program and a program group: a report could not tell them apart")]
    GroupCodeIsProgram { code: String },
}

/// Why a report's `program=` selector was refused.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum ProgramSelectorError {
    #[error("`{0}` is neither a program nor a program group")]
    Unknown(String),
    #[error("program group `{group}` names `{program}`, which is not a program")]
    GroupNamesUnknown { group: String, program: String },
}

impl ProgramSelectorError {
    /// The code the caller gave that is wrong.
    pub fn code(&self) -> &str {
        match self {
            ProgramSelectorError::Unknown(code) => code,
            ProgramSelectorError::GroupNamesUnknown { group, .. } => group,
        }
    }
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

    /// No lists at all: for a screen that never reads them (the lock screen's start-up
    /// module, which must not carry the built-in document).
    pub fn empty() -> Self {
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
            sites: vec![],
            activity_kinds: vec![],
            program_groups: vec![],
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
            for (at, entry) in entries.iter().enumerate() {
                if !is_valid_code(&entry.code) {
                    return Err(TaxonomyError::BadCode {
                        list,
                        code: entry.code.clone(),
                    });
                }
                // Compared with the earlier entries one by one: a list holds tens of codes,
                // and a set of them was 2 kB of the phone's module for this check alone.
                if entries[..at].iter().any(|e| e.code == entry.code) {
                    return Err(TaxonomyError::DuplicateCode {
                        list,
                        code: entry.code.clone(),
                    });
                }
                check_labels(list, &entry.code, &entry.fr, &entry.en)?;
                self.check_attributes(kind, entry)?;
            }
        }
        self.validate_groups()
    }

    /// Venues may name a milieu, sites must name a platform, other entries name neither.
    fn check_attributes(&self, kind: ListKind, entry: &Entry) -> Result<(), TaxonomyError> {
        let list = kind.key();
        let code = || entry.code.clone();
        for (attribute, value, owner, target) in [
            ("milieu", &entry.milieu, ListKind::Venues, ListKind::Milieux),
            (
                "platform",
                &entry.platform,
                ListKind::Sites,
                ListKind::Platforms,
            ),
        ] {
            match value {
                Some(_) if kind != owner => {
                    return Err(TaxonomyError::AttributeNotAllowed {
                        list,
                        code: code(),
                        attribute,
                        allowed: owner.key(),
                    });
                }
                Some(v) if !self.contains(target, v) => {
                    return Err(TaxonomyError::UnknownReference {
                        list,
                        code: code(),
                        attribute,
                        value: v.clone(),
                        target: target.key(),
                    });
                }
                None if kind == ListKind::Sites && owner == ListKind::Sites => {
                    return Err(TaxonomyError::MissingAttribute {
                        list,
                        code: code(),
                        attribute,
                    });
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn validate_groups(&self) -> Result<(), TaxonomyError> {
        let list = "program_groups";
        let groups = &self.program_groups;
        for (at, group) in groups.iter().enumerate() {
            if !is_valid_code(&group.code) {
                return Err(TaxonomyError::BadCode {
                    list,
                    code: group.code.clone(),
                });
            }
            if groups[..at].iter().any(|g| g.code == group.code) {
                return Err(TaxonomyError::DuplicateCode {
                    list,
                    code: group.code.clone(),
                });
            }
            if self.contains(ListKind::Programs, &group.code) {
                return Err(TaxonomyError::GroupCodeIsProgram {
                    code: group.code.clone(),
                });
            }
            check_labels(list, &group.code, &group.fr, &group.en)?;
            if group.programs.is_empty() {
                return Err(TaxonomyError::GroupEmpty {
                    group: group.code.clone(),
                });
            }
            for (i, program) in group.programs.iter().enumerate() {
                if !self.contains(ListKind::Programs, program) {
                    return Err(TaxonomyError::GroupUnknownProgram {
                        group: group.code.clone(),
                        program: program.clone(),
                    });
                }
                if group.programs[..i].contains(program) {
                    return Err(TaxonomyError::GroupDuplicateProgram {
                        group: group.code.clone(),
                        program: program.clone(),
                    });
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
            for old in self.list(kind) {
                let Some(new) = next.entry(kind, &old.code) else {
                    return Err(TaxonomyError::CodeRemoved {
                        list: kind.key(),
                        code: old.code.clone(),
                    });
                };
                // Adding a milieu or platform to an entry that had none is fine; changing
                // or dropping one would make records made with it refused or miscounted.
                for (attribute, before, after) in [
                    ("milieu", &old.milieu, &new.milieu),
                    ("platform", &old.platform, &new.platform),
                ] {
                    if before.is_some() && before != after {
                        return Err(TaxonomyError::AttributeChanged {
                            list: kind.key(),
                            code: old.code.clone(),
                            attribute,
                        });
                    }
                }
            }
        }
        if let Some(gone) = self
            .program_groups
            .iter()
            .find(|g| next.group(&g.code).is_none())
        {
            return Err(TaxonomyError::CodeRemoved {
                list: "program_groups",
                code: gone.code.clone(),
            });
        }
        Ok(())
    }

    /// A program group by code, retired ones included.
    pub fn group(&self, code: &str) -> Option<&ProgramGroup> {
        self.program_groups.iter().find(|g| g.code == code)
    }

    /// The programs a report's `program=` selector covers: a program code, a group code,
    /// or several of either separated by commas (`catwoman,rue_jeunesse`). An empty
    /// selector means every program (`None`). Retired programs and groups still resolve:
    /// last year's report must stay reproducible.
    pub fn resolve_programs(
        &self,
        selector: &str,
    ) -> Result<Option<BTreeSet<String>>, ProgramSelectorError> {
        let mut programs = BTreeSet::new();
        for token in selector.split(',').map(str::trim).filter(|t| !t.is_empty()) {
            if self.contains(ListKind::Programs, token) {
                programs.insert(token.to_owned());
            } else if let Some(group) = self.group(token) {
                for program in &group.programs {
                    if !self.contains(ListKind::Programs, program) {
                        return Err(ProgramSelectorError::GroupNamesUnknown {
                            group: group.code.clone(),
                            program: program.clone(),
                        });
                    }
                    programs.insert(program.clone());
                }
            } else {
                return Err(ProgramSelectorError::Unknown(token.to_owned()));
            }
        }
        Ok((!programs.is_empty()).then_some(programs))
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
            ListKind::Sites => &self.sites,
            ListKind::ActivityKinds => &self.activity_kinds,
        }
    }

    /// All entries of a list, for the coordinators' list edits (see [`crate::lists`]).
    pub fn list_mut(&mut self, kind: ListKind) -> &mut Vec<Entry> {
        match kind {
            ListKind::Programs => &mut self.programs,
            ListKind::Milieux => &mut self.milieux,
            ListKind::Modes => &mut self.modes,
            ListKind::Platforms => &mut self.platforms,
            ListKind::AgeGroups => &mut self.age_groups,
            ListKind::Genders => &mut self.genders,
            ListKind::Statuses => &mut self.statuses,
            ListKind::Occupations => &mut self.occupations,
            ListKind::Realities => &mut self.realities,
            ListKind::InterventionTypes => &mut self.intervention_types,
            ListKind::Materials => &mut self.materials,
            ListKind::Partners => &mut self.partners,
            ListKind::Venues => &mut self.venues,
            ListKind::Sites => &mut self.sites,
            ListKind::ActivityKinds => &mut self.activity_kinds,
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

fn check_labels(list: &'static str, code: &str, fr: &str, en: &str) -> Result<(), TaxonomyError> {
    for (lang, label) in [("fr", fr), ("en", en)] {
        if label.trim().is_empty() {
            return Err(TaxonomyError::EmptyLabel {
                list,
                code: code.to_owned(),
                lang,
            });
        }
    }
    Ok(())
}

/// 1 to 40 lowercase ASCII letters, digits or `_`.
pub fn is_valid_code(code: &str) -> bool {
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
        assert_eq!(t.programs.len(), 7);
        assert_eq!(t.milieux.len(), 9);
        assert_eq!(t.age_groups.len(), 4);
        assert_eq!(t.genders.len(), 5);
        assert_eq!(t.realities.len(), 14);
        assert_eq!(t.intervention_types.len(), 10);
        assert_eq!(t.materials.len(), 7);
        assert_eq!(t.occupations.len(), 9);
        assert_eq!(t.activity_kinds.len(), 5);
        assert_eq!(
            t.group("proximite").unwrap().programs,
            ["catwoman", "rue_jeunesse"]
        );
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
            v["version"] = 3.into();
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
                current: 2,
                next: 2
            })
        );
        let removed = Taxonomy::from_json(&doc_with(|v| {
            v["version"] = 3.into();
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

    #[test]
    fn the_default_lists_keep_every_code_of_version_one() {
        // The successor rule, checked against the first published document.
        let v1 =
            r#"["catwoman","rue_jeunesse","web_jeunesse","web_adultes","milieu_de_vie","sidep"]"#;
        let t = Taxonomy::builtin();
        for code in serde_json::from_str::<Vec<String>>(v1).unwrap() {
            assert!(t.contains(ListKind::Programs, &code), "{code}");
        }
        assert!(t.version >= 2);
        assert!(t.contains(ListKind::Programs, "reduction_mefaits"));
        assert!(t.contains(ListKind::InterventionTypes, "depistage"));
    }

    #[test]
    fn groups_name_known_programs_only() {
        let unknown = doc_with(|v| v["program_groups"][0]["programs"][1] = "astrologie".into());
        assert_eq!(
            Taxonomy::from_json(&unknown),
            Err(TaxonomyError::GroupUnknownProgram {
                group: "proximite".into(),
                program: "astrologie".into()
            })
        );
        let clash = doc_with(|v| v["program_groups"][0]["code"] = "sidep".into());
        assert_eq!(
            Taxonomy::from_json(&clash),
            Err(TaxonomyError::GroupCodeIsProgram {
                code: "sidep".into()
            })
        );
        let empty = doc_with(|v| v["program_groups"][0]["programs"] = serde_json::json!([]));
        assert!(matches!(
            Taxonomy::from_json(&empty),
            Err(TaxonomyError::GroupEmpty { .. })
        ));
        let twice = doc_with(|v| {
            v["program_groups"][0]["programs"] = serde_json::json!(["sidep", "sidep"])
        });
        assert!(matches!(
            Taxonomy::from_json(&twice),
            Err(TaxonomyError::GroupDuplicateProgram { .. })
        ));
    }

    #[test]
    fn a_selector_is_a_program_a_group_or_a_list_of_either() {
        let t = Taxonomy::builtin();
        let set = |codes: &[&str]| Some(codes.iter().map(|c| c.to_string()).collect());
        assert_eq!(t.resolve_programs(""), Ok(None));
        assert_eq!(t.resolve_programs("sidep"), Ok(set(&["sidep"])));
        assert_eq!(
            t.resolve_programs("proximite"),
            Ok(set(&["catwoman", "rue_jeunesse"]))
        );
        assert_eq!(
            t.resolve_programs("proximite, sidep,catwoman"),
            Ok(set(&["catwoman", "rue_jeunesse", "sidep"]))
        );
        assert_eq!(
            t.resolve_programs("sidep,astrologie"),
            Err(ProgramSelectorError::Unknown("astrologie".into()))
        );
        // A group that names an unknown program cannot be loaded, but a document built in
        // code could hold one: the selector still refuses it by name.
        let mut broken = t.clone();
        broken.program_groups[0].programs.push("astrologie".into());
        assert_eq!(
            broken.resolve_programs("proximite"),
            Err(ProgramSelectorError::GroupNamesUnknown {
                group: "proximite".into(),
                program: "astrologie".into()
            })
        );
    }

    #[test]
    fn venues_name_a_milieu_and_sites_a_platform() {
        let ok = doc_with(|v| {
            v["venues"] = serde_json::json!([{ "code": "bar_01", "fr": "Bar 1", "en": "Bar 1", "milieu": "bar_erotique" }]);
            v["sites"] = serde_json::json!([{ "code": "site_01", "fr": "Site 1", "en": "Site 1", "platform": "site_rencontres" }]);
        });
        let t = Taxonomy::from_json(&ok).unwrap();
        assert_eq!(
            t.entry(ListKind::Sites, "site_01")
                .unwrap()
                .platform
                .as_deref(),
            Some("site_rencontres")
        );
        let bad_milieu = doc_with(|v| {
            v["venues"] = serde_json::json!([{ "code": "bar_01", "fr": "Bar 1", "en": "Bar 1", "milieu": "casino" }]);
        });
        assert!(matches!(
            Taxonomy::from_json(&bad_milieu),
            Err(TaxonomyError::UnknownReference {
                attribute: "milieu",
                ..
            })
        ));
        let no_platform = doc_with(|v| {
            v["sites"] = serde_json::json!([{ "code": "site_01", "fr": "Site 1", "en": "Site 1" }]);
        });
        assert!(matches!(
            Taxonomy::from_json(&no_platform),
            Err(TaxonomyError::MissingAttribute { list: "sites", .. })
        ));
        let misplaced = doc_with(|v| v["partners"][0]["milieu"] = "rue".into());
        assert!(matches!(
            Taxonomy::from_json(&misplaced),
            Err(TaxonomyError::AttributeNotAllowed {
                list: "partners",
                ..
            })
        ));
    }

    #[test]
    fn a_successor_keeps_groups_and_the_milieu_of_each_venue() {
        let base = Taxonomy::from_json(&doc_with(|v| {
            v["venues"] = serde_json::json!([{ "code": "bar_01", "fr": "Bar 1", "en": "Bar 1", "milieu": "bar_erotique" }]);
        }))
        .unwrap();
        let moved = Taxonomy::from_json(&doc_with(|v| {
            v["version"] = 3.into();
            v["venues"] = serde_json::json!([{ "code": "bar_01", "fr": "Bar 1", "en": "Bar 1", "milieu": "salon_massage" }]);
        }))
        .unwrap();
        assert_eq!(
            base.check_successor(&moved),
            Err(TaxonomyError::AttributeChanged {
                list: "venues",
                code: "bar_01".into(),
                attribute: "milieu"
            })
        );
        let no_group = Taxonomy::from_json(&doc_with(|v| {
            v["version"] = 3.into();
            v["venues"] = serde_json::json!([{ "code": "bar_01", "fr": "Bar 1", "en": "Bar 1", "milieu": "bar_erotique" }]);
            v["program_groups"].as_array_mut().unwrap().remove(1);
        }))
        .unwrap();
        assert_eq!(
            base.check_successor(&no_group),
            Err(TaxonomyError::CodeRemoved {
                list: "program_groups",
                code: "projet_web".into()
            })
        );
    }

    /// [`read_taxonomy`] and `read_entry` against serde's derived readers: the built-in
    /// document, then without each field, with each one twice, of the wrong type, with a
    /// field neither knows, and the same for an entry: the same value or the same error,
    /// word for word.
    #[test]
    fn the_phones_reader_reads_a_taxonomy_as_the_derived_one() {
        let derived =
            |json: &str| serde_json::from_str::<Taxonomy>(json).map_err(|e| e.to_string());
        let by_hand = |json: &str| {
            read_taxonomy(&mut serde_json::Deserializer::from_str(json)).map_err(|e| e.to_string())
        };
        let same = |json: &str| assert_eq!(by_hand(json), derived(json), "{json}");
        let serde_json::Value::Object(mut full) =
            serde_json::from_str(DEFAULT_TAXONOMY_JSON).unwrap()
        else {
            panic!("a taxonomy is an object");
        };
        full.insert(
            "program_groups".into(),
            serde_json::json!([{"code": "g", "fr": "G", "en": "G", "programs": ["a"]}]),
        );
        let mut keys: Vec<&str> = full.keys().map(String::as_str).collect();
        let mut fields = TAXONOMY_FIELDS.to_vec();
        keys.sort_unstable();
        fields.sort_unstable();
        assert_eq!(keys, fields);
        for (at, kind) in ListKind::ALL.into_iter().enumerate() {
            assert_eq!(TAXONOMY_FIELDS[at + 2], kind.key());
        }
        let text = |value: &serde_json::Map<String, serde_json::Value>| {
            serde_json::to_string(value).unwrap()
        };
        assert_eq!(by_hand(&text(&full)), derived(&text(&full)));
        assert!(by_hand(&text(&full)).is_ok());
        for field in TAXONOMY_FIELDS {
            let mut without = full.clone();
            without.remove(*field);
            same(&text(&without));
            let mut wrong = full.clone();
            wrong.insert(field.to_string(), serde_json::json!("x"));
            same(&text(&wrong));
            let twice = format!("{{\"{field}\":{},{}", full[*field], &text(&full)[1..]);
            same(&twice);
        }
        same("{}");
        same(&format!("{{\"unknown\":1,{}", &text(&full)[1..]));
        let venue = serde_json::json!(
            {"code": "v", "fr": "V", "en": "V", "milieu": "m", "platform": "p", "retired": true}
        );
        let serde_json::Value::Object(entry) = venue else {
            panic!("an entry is an object");
        };
        let same_entry = |json: &str| {
            let by_hand = read_entry(&mut serde_json::Deserializer::from_str(json))
                .map_err(|e| e.to_string());
            let derived = serde_json::from_str::<Entry>(json).map_err(|e| e.to_string());
            assert_eq!(by_hand, derived, "{json}");
        };
        same_entry(&text(&entry));
        for field in ENTRY_FIELDS {
            let mut without = entry.clone();
            without.remove(*field);
            same_entry(&text(&without));
            let mut wrong = entry.clone();
            wrong.insert(field.to_string(), serde_json::json!(7));
            same_entry(&text(&wrong));
            same_entry(&format!(
                "{{\"{field}\":{},{}",
                entry[*field],
                &text(&entry)[1..]
            ));
        }
        same_entry(&format!("{{\"unknown\":1,{}", &text(&entry)[1..]));
        for bad in ["1", "null", "[]"] {
            assert!(by_hand(bad).is_err(), "{bad}");
        }
    }
}
