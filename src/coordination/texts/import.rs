//! The problems of an imported file in the coordinator's language: the server sends each
//! one typed ([`ImportProblem`]) beside its English message.
//!
//! ```ignore
//! <td>{t.import_problem(&problem)}</td>
//! ```

use carnet_core::FieldError;
use carnet_core::wire::{ImportProblem, LineProblem};

use super::CoordTexts;

impl CoordTexts {
    /// « « casino » n'est ni un code ni un libellé de cette liste. »
    pub fn import_problem(&self, p: &LineProblem) -> String {
        if let ImportProblem::Invalid { field, reason } = &p.problem {
            return self.lang.field_error(&FieldError {
                field: field.clone(),
                reason: *reason,
            });
        }
        if !self.fr() {
            return p.message.clone();
        }
        match &p.problem {
            ImportProblem::NotCsv { .. } => "Ce fichier n'est pas un CSV lisible.".into(),
            ImportProblem::EmptyFile => {
                "Le fichier est vide\u{a0}: il faut une ligne d'en-tête.".into()
            }
            ImportProblem::UnknownColumn => {
                "Colonne inconnue\u{a0}: la renommer ou la retirer.".into()
            }
            ImportProblem::NoDateColumn => "Il manque la colonne «\u{a0}date\u{a0}».".into(),
            ImportProblem::AlreadyImported { worker } => {
                format!("Cette ligne a déjà été importée pour «\u{a0}{worker}\u{a0}».")
            }
            ImportProblem::TooManyCells => {
                "Cette ligne a plus de cellules que l'en-tête n'a de colonnes.".into()
            }
            ImportProblem::NotInList { value, .. } => {
                format!("«\u{a0}{value}\u{a0}» n'est ni un code ni un libellé de cette liste.")
            }
            ImportProblem::ExpectedType { value } => {
                format!(
                    "«\u{a0}{value}\u{a0}»\u{a0}: «\u{a0}contact\u{a0}» ou «\u{a0}activité\u{a0}» attendu."
                )
            }
            ImportProblem::ExpectedDate { value } => {
                format!("«\u{a0}{value}\u{a0}»\u{a0}: une date attendue, AAAA-MM-JJ ou JJ/MM/AAAA.")
            }
            ImportProblem::ExpectedTime { value } => {
                format!("«\u{a0}{value}\u{a0}»\u{a0}: une heure attendue, HH:MM.")
            }
            ImportProblem::ExpectedDirection { value } => {
                format!(
                    "«\u{a0}{value}\u{a0}»\u{a0}: «\u{a0}envoyé\u{a0}» ou «\u{a0}reçu\u{a0}» attendu."
                )
            }
            ImportProblem::ExpectedYesNo { value } => {
                format!(
                    "«\u{a0}{value}\u{a0}»\u{a0}: «\u{a0}oui\u{a0}» ou «\u{a0}non\u{a0}» attendu."
                )
            }
            ImportProblem::ExpectedCount { value } => {
                format!("«\u{a0}{value}\u{a0}»\u{a0}: un nombre attendu.")
            }
            ImportProblem::AliasTooShort => {
                "Alias trop court pour en faire un code de personne.".into()
            }
            ImportProblem::NoDate => "Aucune date.".into(),
            ImportProblem::NoSuchLocalTime => {
                "Cette date et cette heure n'existent pas au Québec (changement d'heure).".into()
            }
            ImportProblem::Invalid { .. } | ImportProblem::Other => p.message.clone(),
        }
    }
}
