//! Every string the worker reads, in Québec French.
//!
//! Kept in one place so the English translation (and a proper i18n library) can be added
//! without hunting through components. Category labels come from the taxonomy document.

use carnet_core::{FieldError, Reason};

pub const APP_NAME: &str = "Carnet";
pub const NAV_TODAY: &str = "Aujourd'hui";
pub const NAV_NEW: &str = "Nouveau";
pub const NAV_SETTINGS: &str = "Réglages";

pub const NEW_CONTACT: &str = "Nouveau contact";
pub const SAVE: &str = "Enregistrer";
pub const SAVING: &str = "Enregistrement…";
pub const CANCEL: &str = "Annuler";
pub const SAVED: &str = "Contact enregistré sur l'appareil.";
pub const SAVE_FAILED: &str = "Le contact n'a pas pu être enregistré sur l'appareil. Rien n'a été perdu de ce qui était déjà là; réessaie.";
pub const FIX_ERRORS: &str = "Il manque des informations :";

pub const PROGRAM: &str = "Volet";
pub const MILIEU: &str = "Milieu";
pub const AGE_GROUP: &str = "Tranche d'âge";
pub const GENDER: &str = "Genre";
pub const REALITIES: &str = "Réalités abordées";
pub const MATERIAL: &str = "Matériel remis";
pub const ADD_ONE: &str = "Ajouter un";
pub const REMOVE_ONE: &str = "Retirer un";

pub const TODAY_TITLE: &str = "Aujourd'hui";
pub const CONTACTS_TODAY: &str = "Contacts aujourd'hui";
pub const PER_REALITY: &str = "Par réalité";
pub const MATERIAL_TODAY: &str = "Matériel remis aujourd'hui";
pub const NO_CONTACT_YET: &str = "Aucun contact aujourd'hui.";
pub const TODAYS_CONTACTS: &str = "Contacts du jour";

pub const SYNC: &str = "Synchroniser";
pub const SYNCING: &str = "Synchronisation…";
pub const NEEDS_TOKEN: &str = "Ajoute ton jeton dans Réglages pour synchroniser.";
pub const STATE_PENDING: &str = "En attente";
pub const STATE_SYNCED: &str = "Synchronisé";
pub const STATE_REJECTED: &str = "Refusé par le serveur";

pub const SETTINGS_TITLE: &str = "Réglages";
pub const TOKEN_LABEL: &str = "Jeton de synchronisation";
pub const TOKEN_HELP: &str =
    "Ta coordonnatrice te remet ce jeton. Il identifie ton appareil auprès du serveur.";
pub const TOKEN_SAVE: &str = "Enregistrer le jeton";
pub const TOKEN_SAVED: &str = "Jeton enregistré.";
pub const TOKEN_PRESENT: &str = "Un jeton est enregistré sur cet appareil.";
pub const TOKEN_ABSENT: &str = "Aucun jeton enregistré.";
pub const TOKEN_EMPTY: &str = "Colle le jeton avant d'enregistrer.";
pub const STORAGE_UNAVAILABLE: &str = "Le stockage de l'appareil n'est pas disponible (navigation privée?). Les contacts ne peuvent pas être enregistrés.";

/// "3 en attente", shown in the header at all times.
pub fn pending(n: usize) -> String {
    match n {
        0 => "Tout est synchronisé".into(),
        1 => "1 en attente".into(),
        n => format!("{n} en attente"),
    }
}

/// The closing message of a sync run.
pub fn sync_summary(summary: &carnet_core::SyncSummary) -> String {
    use carnet_core::Failure;
    let mut parts = Vec::new();
    match summary.synced {
        0 => {}
        1 => parts.push("1 contact synchronisé.".to_owned()),
        n => parts.push(format!("{n} contacts synchronisés.")),
    }
    if summary.rejected > 0 {
        parts.push(format!(
            "{} refusé(s) par le serveur, gardé(s) sur l'appareil.",
            summary.rejected
        ));
    }
    match summary.failure {
        Some(Failure::Network) => parts.push(
            "Pas de connexion au serveur. Les contacts restent en attente sur l'appareil.".into(),
        ),
        Some(Failure::Unauthorized) => parts.push(
            "Le serveur refuse ton jeton. Vérifie-le dans Réglages; tes contacts restent sur l'appareil."
                .into(),
        ),
        Some(Failure::Server) => parts.push(
            "Le serveur a eu un problème. Les contacts restent en attente; réessaie plus tard.".into(),
        ),
        None => {}
    }
    if parts.is_empty() {
        parts.push("Rien à synchroniser.".into());
    }
    parts.join(" ")
}

/// The message for one validation problem in the form.
pub fn field_error(error: &FieldError) -> String {
    let field = match error.field.as_str() {
        "program" => "le volet",
        "milieu" => "le milieu",
        "age_group" => "la tranche d'âge",
        "gender" => "le genre",
        "realities" => "au moins une réalité abordée",
        f if f.starts_with("material.") => "le matériel remis",
        _ => "une information",
    };
    match error.reason {
        Reason::Missing => format!("Choisis {field}."),
        Reason::UnknownCode => format!("Valeur inconnue pour {field}."),
        Reason::Duplicate => format!("Valeur en double pour {field}."),
        Reason::TooLarge => format!(
            "Quantité trop grande pour {field} (maximum {} par contact).",
            carnet_core::MAX_MATERIAL_PER_ITEM
        ),
        Reason::NilId | Reason::Malformed => format!("Erreur interne pour {field}."),
    }
}
