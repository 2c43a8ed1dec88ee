//! The lists coordinators keep without editing a JSON file: venues (each in a milieu), web
//! sites (each on a platform), partners, and program groups.
//!
//! An edit is a pure function from the current taxonomy to the next version. Codes are never
//! removed: records and phones not yet synced may use them, so an entry is retired instead
//! (still valid in records, no longer offered). The result always passes
//! [`Taxonomy::check_successor`], which the server checks again when it stores it.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::taxonomy::{Entry, ListKind, ProgramGroup, Taxonomy, TaxonomyError, is_valid_code};

/// A list coordinators may edit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EditableList {
    Venues,
    Sites,
    Partners,
    ProgramGroups,
}

impl EditableList {
    pub const ALL: [EditableList; 4] = [
        EditableList::Venues,
        EditableList::Sites,
        EditableList::Partners,
        EditableList::ProgramGroups,
    ];

    /// The list's key in the taxonomy document and in the API's path.
    pub fn key(self) -> &'static str {
        match self {
            EditableList::Venues => "venues",
            EditableList::Sites => "sites",
            EditableList::Partners => "partners",
            EditableList::ProgramGroups => "program_groups",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.key() == key)
    }

    /// The entry list behind it; `None` for program groups.
    fn kind(self) -> Option<ListKind> {
        match self {
            EditableList::Venues => Some(ListKind::Venues),
            EditableList::Sites => Some(ListKind::Sites),
            EditableList::Partners => Some(ListKind::Partners),
            EditableList::ProgramGroups => None,
        }
    }
}

/// One change to a list. On the wire: `{"op": "add", …}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum ListEdit {
    /// A new entry. Without `code`, one is made from the French label (`Bar Le Chat` →
    /// `bar_le_chat`). `en` defaults to `fr`. Venues take a `milieu`, sites a `platform`
    /// (required), groups their `programs`.
    Add {
        #[serde(default)]
        code: Option<String>,
        fr: String,
        #[serde(default)]
        en: Option<String>,
        #[serde(default)]
        milieu: Option<String>,
        #[serde(default)]
        platform: Option<String>,
        #[serde(default)]
        programs: Vec<String>,
    },
    /// New labels; the code stays, so records keep their meaning.
    Rename {
        code: String,
        #[serde(default)]
        fr: Option<String>,
        #[serde(default)]
        en: Option<String>,
    },
    /// No longer offered for new records; old records stay valid.
    Retire { code: String },
    /// Offered again.
    Restore { code: String },
    /// Program groups only: the programs the group covers from now on.
    SetPrograms { code: String, programs: Vec<String> },
    /// Always refused with [`ListEditError::CodeKept`]: accepted on the wire so the refusal
    /// can say why and what to do instead.
    Remove { code: String },
}

impl ListEdit {
    fn name(&self) -> &'static str {
        match self {
            ListEdit::Add { .. } => "add",
            ListEdit::Rename { .. } => "rename",
            ListEdit::Retire { .. } => "retire",
            ListEdit::Restore { .. } => "restore",
            ListEdit::SetPrograms { .. } => "set_programs",
            ListEdit::Remove { .. } => "remove",
        }
    }
}

/// Why a list edit was refused. `index` is the position of the edit in the request.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum ListEditError {
    #[error("no edits given")]
    NoEdits,
    #[error("edit {index}: `{code}` is already in `{list}`")]
    CodeExists {
        index: usize,
        list: &'static str,
        code: String,
    },
    #[error("edit {index}: `{list}` has no `{code}`")]
    UnknownCode {
        index: usize,
        list: &'static str,
        code: String,
    },
    #[error(
        "edit {index}: `{code}` cannot be removed from `{list}`: codes are never removed, since records and phones not yet synced may use them; retire it instead"
    )]
    CodeKept {
        index: usize,
        list: &'static str,
        code: String,
    },
    #[error("edit {index}: `{op}` does not apply to `{list}`")]
    WrongList {
        index: usize,
        op: &'static str,
        list: &'static str,
    },
    #[error("edit {index}: no code can be made from the label `{label}`; give a `code`")]
    NoCodeFromLabel { index: usize, label: String },
    #[error("edit {index}: program group `{group}` names `{program}`, which is not a program")]
    UnknownProgram {
        index: usize,
        group: String,
        program: String,
    },
    #[error("edit {index}: {source}")]
    Invalid { index: usize, source: TaxonomyError },
}

impl ListEditError {
    /// The edit at fault, if one is.
    pub fn index(&self) -> Option<usize> {
        match self {
            ListEditError::NoEdits => None,
            ListEditError::CodeExists { index, .. }
            | ListEditError::UnknownCode { index, .. }
            | ListEditError::CodeKept { index, .. }
            | ListEditError::WrongList { index, .. }
            | ListEditError::NoCodeFromLabel { index, .. }
            | ListEditError::UnknownProgram { index, .. }
            | ListEditError::Invalid { index, .. } => Some(*index),
        }
    }
}

/// Applies `edits` to one list of `current`, all or none. Returns the next version, or
/// `None` when the edits change nothing (a retried request, a retire of a retired entry):
/// no empty version is made.
pub fn apply_edits(
    current: &Taxonomy,
    list: EditableList,
    edits: &[ListEdit],
) -> Result<Option<Taxonomy>, ListEditError> {
    if edits.is_empty() {
        return Err(ListEditError::NoEdits);
    }
    let mut next = current.clone();
    for (index, edit) in edits.iter().enumerate() {
        apply_one(&mut next, list, index, edit)?;
        next.validate().map_err(|source| invalid(index, source))?;
    }
    if next == *current {
        return Ok(None);
    }
    next.version = current.version.saturating_add(1);
    current
        .check_successor(&next)
        .map_err(|source| invalid(edits.len() - 1, source))?;
    Ok(Some(next))
}

fn invalid(index: usize, source: TaxonomyError) -> ListEditError {
    match source {
        TaxonomyError::GroupUnknownProgram { group, program } => ListEditError::UnknownProgram {
            index,
            group,
            program,
        },
        source => ListEditError::Invalid { index, source },
    }
}

fn apply_one(
    t: &mut Taxonomy,
    list: EditableList,
    index: usize,
    edit: &ListEdit,
) -> Result<(), ListEditError> {
    let key = list.key();
    let unknown = |code: &str| ListEditError::UnknownCode {
        index,
        list: key,
        code: code.to_owned(),
    };
    let wrong = || ListEditError::WrongList {
        index,
        op: edit.name(),
        list: key,
    };
    match edit {
        ListEdit::Remove { code } => Err(ListEditError::CodeKept {
            index,
            list: key,
            code: code.clone(),
        }),
        ListEdit::Add {
            code,
            fr,
            en,
            milieu,
            platform,
            programs,
        } => {
            let taken: Vec<(String, String)> = match list.kind() {
                Some(kind) => t
                    .list(kind)
                    .iter()
                    .map(|e| (e.code.clone(), e.fr.clone()))
                    .collect(),
                None => t
                    .program_groups
                    .iter()
                    .map(|g| (g.code.clone(), g.fr.clone()))
                    .collect(),
            };
            // The same name twice is a retried request or a slip, not a second venue.
            if let Some((existing, _)) = taken
                .iter()
                .find(|(_, label)| slug(label) == slug(fr) && !slug(fr).is_empty())
            {
                return Err(ListEditError::CodeExists {
                    index,
                    list: key,
                    code: existing.clone(),
                });
            }
            let code = match code {
                Some(code) if taken.iter().any(|(c, _)| c == code) => {
                    return Err(ListEditError::CodeExists {
                        index,
                        list: key,
                        code: code.clone(),
                    });
                }
                Some(code) => code.clone(),
                None => {
                    derive_code(fr, |c| taken.iter().any(|(t, _)| t == c)).ok_or_else(|| {
                        ListEditError::NoCodeFromLabel {
                            index,
                            label: fr.clone(),
                        }
                    })?
                }
            };
            let en = en.clone().unwrap_or_else(|| fr.clone());
            match list.kind() {
                Some(kind) => {
                    if !programs.is_empty() {
                        return Err(wrong());
                    }
                    t.list_mut(kind).push(Entry {
                        milieu: milieu.clone(),
                        platform: platform.clone(),
                        ..Entry::new(code, fr.trim(), en.trim())
                    });
                }
                None => {
                    if milieu.is_some() || platform.is_some() {
                        return Err(wrong());
                    }
                    t.program_groups.push(ProgramGroup {
                        code,
                        fr: fr.trim().to_owned(),
                        en: en.trim().to_owned(),
                        programs: programs.clone(),
                        retired: false,
                    });
                }
            }
            Ok(())
        }
        ListEdit::Rename { code, fr, en } => {
            let (label_fr, label_en) = labels_mut(t, list, code).ok_or_else(|| unknown(code))?;
            if let Some(fr) = fr {
                *label_fr = fr.trim().to_owned();
            }
            if let Some(en) = en {
                *label_en = en.trim().to_owned();
            }
            Ok(())
        }
        ListEdit::Retire { code } | ListEdit::Restore { code } => {
            let retired = matches!(edit, ListEdit::Retire { .. });
            *retired_mut(t, list, code).ok_or_else(|| unknown(code))? = retired;
            Ok(())
        }
        ListEdit::SetPrograms { code, programs } => {
            if list != EditableList::ProgramGroups {
                return Err(wrong());
            }
            let group = t
                .program_groups
                .iter_mut()
                .find(|g| &g.code == code)
                .ok_or_else(|| unknown(code))?;
            group.programs = programs.clone();
            Ok(())
        }
    }
}

fn labels_mut<'a>(
    t: &'a mut Taxonomy,
    list: EditableList,
    code: &str,
) -> Option<(&'a mut String, &'a mut String)> {
    match list.kind() {
        Some(kind) => t
            .list_mut(kind)
            .iter_mut()
            .find(|e| e.code == code)
            .map(|e| (&mut e.fr, &mut e.en)),
        None => t
            .program_groups
            .iter_mut()
            .find(|g| g.code == code)
            .map(|g| (&mut g.fr, &mut g.en)),
    }
}

fn retired_mut<'a>(t: &'a mut Taxonomy, list: EditableList, code: &str) -> Option<&'a mut bool> {
    match list.kind() {
        Some(kind) => t
            .list_mut(kind)
            .iter_mut()
            .find(|e| e.code == code)
            .map(|e| &mut e.retired),
        None => t
            .program_groups
            .iter_mut()
            .find(|g| g.code == code)
            .map(|g| &mut g.retired),
    }
}

/// A code from a label: lowercase ASCII, accents folded, other characters as `_`, at most
/// 40 characters. `« Bar Le Chat »` → `bar_le_chat`.
pub fn slug(label: &str) -> String {
    let mut out = String::new();
    for c in label.chars().flat_map(char::to_lowercase) {
        let folded: &str = match c {
            'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' => "a",
            'æ' => "ae",
            'ç' => "c",
            'è' | 'é' | 'ê' | 'ë' => "e",
            'ì' | 'í' | 'î' | 'ï' => "i",
            'ñ' => "n",
            'ò' | 'ó' | 'ô' | 'ö' | 'õ' => "o",
            'œ' => "oe",
            'ù' | 'ú' | 'û' | 'ü' => "u",
            'ÿ' | 'ý' => "y",
            c if c.is_ascii_alphanumeric() => {
                out.push(c);
                continue;
            }
            _ => "_",
        };
        out.push_str(folded);
    }
    let mut collapsed = String::with_capacity(out.len());
    for part in out.split('_').filter(|p| !p.is_empty()) {
        if !collapsed.is_empty() {
            collapsed.push('_');
        }
        collapsed.push_str(part);
    }
    collapsed.truncate(40);
    collapsed.trim_end_matches('_').to_owned()
}

/// A free code from a label: its slug, else the slug with `_2`, `_3`, … appended.
fn derive_code(label: &str, taken: impl Fn(&str) -> bool) -> Option<String> {
    let base = slug(label);
    if !is_valid_code(&base) {
        return None;
    }
    if !taken(&base) {
        return Some(base);
    }
    (2..1000).find_map(|n| {
        let suffix = format!("_{n}");
        let mut code = base.clone();
        code.truncate(40 - suffix.len());
        code.push_str(&suffix);
        (!taken(&code)).then_some(code)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn add(fr: &str) -> ListEdit {
        ListEdit::Add {
            code: None,
            fr: fr.into(),
            en: None,
            milieu: None,
            platform: None,
            programs: vec![],
        }
    }

    fn venue(fr: &str, milieu: &str) -> ListEdit {
        ListEdit::Add {
            code: None,
            fr: fr.into(),
            en: None,
            milieu: Some(milieu.into()),
            platform: None,
            programs: vec![],
        }
    }

    #[test]
    fn edits_make_the_next_version_and_keep_every_code() {
        let v = Taxonomy::builtin();
        let next = apply_edits(
            &v,
            EditableList::Venues,
            &[
                venue("Bar Lieu 01", "bar_erotique"),
                venue("Salon Lieu 02", "salon_massage"),
            ],
        )
        .unwrap()
        .unwrap();
        assert_eq!(next.version, v.version + 1);
        let bar = next.entry(ListKind::Venues, "bar_lieu_01").unwrap();
        assert_eq!(
            (bar.fr.as_str(), bar.en.as_str(), bar.milieu.as_deref()),
            ("Bar Lieu 01", "Bar Lieu 01", Some("bar_erotique"))
        );
        let renamed = apply_edits(
            &next,
            EditableList::Venues,
            &[
                ListEdit::Rename {
                    code: "bar_lieu_01".into(),
                    fr: Some("Bar Lieu 1".into()),
                    en: None,
                },
                ListEdit::Retire {
                    code: "salon_lieu_02".into(),
                },
            ],
        )
        .unwrap()
        .unwrap();
        assert_eq!(renamed.version, v.version + 2);
        assert_eq!(
            renamed.entry(ListKind::Venues, "bar_lieu_01").unwrap().fr,
            "Bar Lieu 1"
        );
        assert!(
            renamed
                .entry(ListKind::Venues, "salon_lieu_02")
                .unwrap()
                .retired
        );
        assert_eq!(next.check_successor(&renamed), Ok(()));
        // Retiring again changes nothing: no new version.
        let again = apply_edits(
            &renamed,
            EditableList::Venues,
            &[ListEdit::Retire {
                code: "salon_lieu_02".into(),
            }],
        );
        assert_eq!(again, Ok(None));
        let restored = apply_edits(
            &renamed,
            EditableList::Venues,
            &[ListEdit::Restore {
                code: "salon_lieu_02".into(),
            }],
        )
        .unwrap()
        .unwrap();
        assert!(
            !restored
                .entry(ListKind::Venues, "salon_lieu_02")
                .unwrap()
                .retired
        );
    }

    #[test]
    fn a_code_is_never_removed_and_bad_edits_change_nothing() {
        let v = Taxonomy::builtin();
        let err = apply_edits(
            &v,
            EditableList::Partners,
            &[
                add("Clinique Partenaire A"),
                ListEdit::Remove {
                    code: "infirmiere".into(),
                },
            ],
        )
        .unwrap_err();
        assert_eq!(
            err,
            ListEditError::CodeKept {
                index: 1,
                list: "partners",
                code: "infirmiere".into()
            }
        );
        assert!(err.to_string().contains("retire it instead"));
        assert_eq!(
            apply_edits(&v, EditableList::Partners, &[add("Aide juridique")]),
            Err(ListEditError::CodeExists {
                index: 0,
                list: "partners",
                code: "aide_juridique".into()
            })
        );
        assert_eq!(
            apply_edits(
                &v,
                EditableList::Partners,
                &[ListEdit::Retire {
                    code: "police".into()
                }]
            ),
            Err(ListEditError::UnknownCode {
                index: 0,
                list: "partners",
                code: "police".into()
            })
        );
        assert_eq!(
            apply_edits(&v, EditableList::Venues, &[venue("Lieu 03", "casino")]),
            Err(ListEditError::Invalid {
                index: 0,
                source: TaxonomyError::UnknownReference {
                    list: "venues",
                    code: "lieu_03".into(),
                    attribute: "milieu",
                    value: "casino".into(),
                    target: "milieux"
                }
            })
        );
        // A site needs a platform.
        assert!(matches!(
            apply_edits(&v, EditableList::Sites, &[add("Site A")]),
            Err(ListEditError::Invalid {
                source: TaxonomyError::MissingAttribute { .. },
                ..
            })
        ));
        assert_eq!(
            apply_edits(&v, EditableList::Sites, &[]),
            Err(ListEditError::NoEdits)
        );
        assert!(matches!(
            apply_edits(&v, EditableList::Venues, &[add("« … »")]),
            Err(ListEditError::NoCodeFromLabel { .. })
        ));
    }

    #[test]
    fn groups_are_edited_like_lists_and_name_known_programs() {
        let v = Taxonomy::builtin();
        let next = apply_edits(
            &v,
            EditableList::ProgramGroups,
            &[ListEdit::Add {
                code: Some("sante_services".into()),
                fr: "Services de santé".into(),
                en: Some("Health services".into()),
                milieu: None,
                platform: None,
                programs: vec!["sidep".into(), "reduction_mefaits".into()],
            }],
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            next.resolve_programs("sante_services")
                .unwrap()
                .unwrap()
                .len(),
            2
        );
        let err = apply_edits(
            &next,
            EditableList::ProgramGroups,
            &[ListEdit::SetPrograms {
                code: "sante_services".into(),
                programs: vec!["sidep".into(), "astrologie".into()],
            }],
        )
        .unwrap_err();
        assert_eq!(
            err,
            ListEditError::UnknownProgram {
                index: 0,
                group: "sante_services".into(),
                program: "astrologie".into()
            }
        );
        assert!(matches!(
            apply_edits(
                &v,
                EditableList::Venues,
                &[ListEdit::SetPrograms {
                    code: "x".into(),
                    programs: vec![]
                }]
            ),
            Err(ListEditError::WrongList { .. })
        ));
    }

    #[test]
    fn codes_from_labels() {
        assert_eq!(slug("« Bar Le Chat »"), "bar_le_chat");
        assert_eq!(slug("Cœur d'Été"), "coeur_d_ete");
        assert_eq!(slug("!!!"), "");
        assert_eq!(slug(&"a".repeat(60)).len(), 40);
        assert_eq!(
            derive_code("Lieu", |c| c == "lieu" || c == "lieu_2"),
            Some("lieu_3".into())
        );
    }

    #[test]
    fn the_wire_form_is_tagged_by_op() {
        let edit: ListEdit =
            serde_json::from_str(r#"{"op":"add","fr":"Site A","platform":"site_rencontres"}"#)
                .unwrap();
        assert!(matches!(edit, ListEdit::Add { .. }));
        assert!(serde_json::from_str::<ListEdit>(r#"{"op":"delete","code":"x"}"#).is_err());
        assert!(
            serde_json::from_str::<ListEdit>(r#"{"op":"retire","code":"x","why":"y"}"#).is_err()
        );
    }
}
