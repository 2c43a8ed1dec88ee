//! Every string the worker reads, in Québec French (default) and English.
//!
//! One struct, one constant per language: a missing translation is a compile error, not a
//! blank on a worker's screen. Category labels come from the taxonomy document instead.

use carnet_core::{Entry, Failure, FieldError, Reason, SyncSummary};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Fr,
    En,
}

impl Lang {
    pub fn t(self) -> &'static Texts {
        match self {
            Lang::Fr => &FR,
            Lang::En => &EN,
        }
    }

    /// The `lang` attribute of the page.
    pub fn html_lang(self) -> &'static str {
        match self {
            Lang::Fr => "fr-CA",
            Lang::En => "en-CA",
        }
    }

    /// A taxonomy entry's label in this language.
    pub fn label(self, entry: &Entry) -> String {
        match self {
            Lang::Fr => entry.fr.clone(),
            Lang::En => entry.en.clone(),
        }
    }

    pub fn pending(self, n: usize) -> String {
        match (self, n) {
            (Lang::Fr, 0) => "Tout est synchronisé".into(),
            (Lang::Fr, n) => format!("{n} en attente"),
            (Lang::En, 0) => "All synced".into(),
            (Lang::En, n) => format!("{n} pending"),
        }
    }

    /// The closing message of a sync run.
    pub fn sync_summary(self, s: &SyncSummary) -> String {
        let fr = self == Lang::Fr;
        let mut parts = Vec::new();
        match (s.synced, fr) {
            (0, _) => {}
            (1, true) => parts.push("1 contact synchronisé.".to_owned()),
            (n, true) => parts.push(format!("{n} contacts synchronisés.")),
            (1, false) => parts.push("1 contact synced.".to_owned()),
            (n, false) => parts.push(format!("{n} contacts synced.")),
        }
        if s.rejected > 0 {
            parts.push(if fr {
                format!(
                    "{} refusé(s) par le serveur, gardé(s) sur l'appareil.",
                    s.rejected
                )
            } else {
                format!("{} refused by the server, kept on the device.", s.rejected)
            });
        }
        let t = self.t();
        match s.failure {
            Some(Failure::Network) => parts.push(t.sync_offline.into()),
            Some(Failure::Unauthorized) => parts.push(t.sync_unauthorized.into()),
            Some(Failure::Server) => parts.push(t.sync_server_error.into()),
            None => {}
        }
        if parts.is_empty() {
            parts.push(t.sync_nothing.into());
        }
        parts.join(" ")
    }

    /// The message for one validation problem in the form.
    pub fn field_error(self, error: &FieldError) -> String {
        let fr = self == Lang::Fr;
        let field = match (error.field.as_str(), fr) {
            ("program", true) => "le volet",
            ("milieu", true) => "le milieu",
            ("mode", true) => "le mode de contact",
            ("age_group", true) => "la tranche d'âge",
            ("gender", true) => "le genre",
            ("realities", true) => "au moins une réalité abordée",
            ("note", true) => "la note",
            ("person_code", true) => "le code de la personne",
            ("activity", true) => "le type d'activité",
            ("head_count", true) => "le nombre de participant·e·s",
            (_, true) => "une information",
            ("program", false) => "the program",
            ("milieu", false) => "the setting",
            ("mode", false) => "how the contact happened",
            ("age_group", false) => "the age group",
            ("gender", false) => "the gender",
            ("realities", false) => "at least one topic",
            ("note", false) => "the note",
            ("person_code", false) => "the person code",
            ("activity", false) => "the kind of activity",
            ("head_count", false) => "the head count",
            (_, false) => "a field",
        };
        let max = carnet_core::MAX_MATERIAL_PER_ITEM;
        let note_max = carnet_core::note::MAX_NOTE_CHARS;
        match (error.reason, fr) {
            (Reason::Missing, true) => format!("Choisis {field}."),
            (Reason::Missing, false) => format!("Choose {field}."),
            (Reason::UnknownCode, true) => format!("Valeur inconnue pour {field}."),
            (Reason::UnknownCode, false) => format!("Unknown value for {field}."),
            (Reason::Duplicate, true) => format!("Valeur en double pour {field}."),
            (Reason::Duplicate, false) => format!("Repeated value for {field}."),
            (Reason::TooLarge, true) if error.field == "head_count" => {
                format!("Nombre trop grand pour {field}.")
            }
            (Reason::TooLarge, false) if error.field == "head_count" => {
                format!("Number too large for {field}.")
            }
            (Reason::TooLarge, true) => format!("Quantité trop grande (maximum {max} par contact)."),
            (Reason::TooLarge, false) => format!("Quantity too large (at most {max} per contact)."),
            (Reason::LooksLikePhone, true) => "La note semble contenir un numéro de téléphone. Retire-le : aucune coordonnée dans Carnet.".into(),
            (Reason::LooksLikePhone, false) => "The note seems to hold a phone number. Remove it: no contact details in Carnet.".into(),
            (Reason::LooksLikeEmail, true) => "La note semble contenir une adresse courriel. Retire-la : aucune coordonnée dans Carnet.".into(),
            (Reason::LooksLikeEmail, false) => "The note seems to hold an e-mail address. Remove it: no contact details in Carnet.".into(),
            (Reason::LooksLikeUrl, true) => "La note semble contenir une adresse web. Retire-la.".into(),
            (Reason::LooksLikeUrl, false) => "The note seems to hold a web address. Remove it.".into(),
            (Reason::LooksLikeHandle, true) => "La note semble contenir un pseudo de réseau social (@…). Retire-le.".into(),
            (Reason::LooksLikeHandle, false) => "The note seems to hold a social media handle (@…). Remove it.".into(),
            (Reason::TooLong, true) => format!("La note dépasse {note_max} caractères."),
            (Reason::TooLong, false) => format!("The note is longer than {note_max} characters."),
            (Reason::BadPersonCode, true) => "Le code de la personne est invalide.".into(),
            (Reason::BadPersonCode, false) => "The person code is invalid.".into(),
            (Reason::NilId | Reason::Malformed | Reason::BadVersion, true) => {
                format!("Erreur interne pour {field}.")
            }
            (Reason::NilId | Reason::Malformed | Reason::BadVersion, false) => {
                format!("Internal error for {field}.")
            }
        }
    }
}

pub struct Texts {
    pub app_name: &'static str,
    pub nav_today: &'static str,
    pub nav_new: &'static str,
    pub nav_settings: &'static str,
    pub nav_label: &'static str,
    pub new_contact: &'static str,
    pub new_activity: &'static str,
    pub edit_activity: &'static str,
    pub activity_kind: &'static str,
    pub head_count: &'static str,
    pub activities_today: &'static str,
    pub edit_contact: &'static str,
    pub edit: &'static str,
    pub save: &'static str,
    pub saving: &'static str,
    pub cancel: &'static str,
    pub delete: &'static str,
    pub saved: &'static str,
    pub updated: &'static str,
    pub deleted: &'static str,
    pub save_failed: &'static str,
    pub fix_errors: &'static str,
    pub program: &'static str,
    pub milieu: &'static str,
    pub venue: &'static str,
    pub mode: &'static str,
    pub platform: &'static str,
    pub direction: &'static str,
    pub dir_sent: &'static str,
    pub dir_received: &'static str,
    pub age_group: &'static str,
    pub gender: &'static str,
    pub status: &'static str,
    pub occupation: &'static str,
    pub first_contact: &'static str,
    pub person_alias: &'static str,
    pub person_alias_help: &'static str,
    pub person_code_unavailable: &'static str,
    pub person_code_kept: &'static str,
    pub alias_too_short: &'static str,
    pub realities: &'static str,
    pub intervention_types: &'static str,
    pub material: &'static str,
    pub referrals: &'static str,
    pub note: &'static str,
    pub note_help: &'static str,
    pub more_details: &'static str,
    pub none_choice: &'static str,
    pub add_one: &'static str,
    pub remove_one: &'static str,
    pub today_title: &'static str,
    pub contacts_today: &'static str,
    pub per_reality: &'static str,
    pub material_today: &'static str,
    pub no_contact_yet: &'static str,
    pub todays_contacts: &'static str,
    pub sync: &'static str,
    pub syncing: &'static str,
    pub needs_token: &'static str,
    pub sync_offline: &'static str,
    pub sync_unauthorized: &'static str,
    pub sync_server_error: &'static str,
    pub sync_nothing: &'static str,
    pub state_pending: &'static str,
    pub state_synced: &'static str,
    pub state_rejected: &'static str,
    pub shortcuts: &'static str,
    pub shortcuts_help: &'static str,
    pub make_shortcut: &'static str,
    pub shortcut_saved: &'static str,
    pub remove_shortcut: &'static str,
    pub settings_title: &'static str,
    pub token_label: &'static str,
    pub token_help: &'static str,
    pub token_save: &'static str,
    pub token_saved: &'static str,
    pub token_present: &'static str,
    pub token_absent: &'static str,
    pub token_empty: &'static str,
    pub storage_unavailable: &'static str,
    pub language: &'static str,
    pub theme: &'static str,
    pub theme_dark: &'static str,
    pub theme_light: &'static str,
}

pub const FR: Texts = Texts {
    app_name: "Carnet",
    nav_today: "Aujourd'hui",
    nav_new: "Nouveau",
    nav_settings: "Réglages",
    nav_label: "Navigation",
    new_contact: "Nouveau contact",
    new_activity: "Activité",
    edit_activity: "Modifier l'activité",
    activity_kind: "Type d'activité",
    head_count: "Nombre de participant·e·s",
    activities_today: "Activités aujourd'hui",
    edit_contact: "Modifier le contact",
    edit: "Modifier",
    save: "Enregistrer",
    saving: "Enregistrement…",
    cancel: "Annuler",
    delete: "Supprimer",
    saved: "Enregistré sur l'appareil.",
    updated: "Modification enregistrée.",
    deleted: "Supprimé.",
    save_failed: "L'appareil n'a pas pu enregistrer. Rien de ce qui était déjà enregistré n'est perdu; réessaie.",
    fix_errors: "À corriger :",
    program: "Volet",
    milieu: "Milieu",
    venue: "Lieu",
    mode: "Mode de contact",
    platform: "Plateforme web",
    direction: "Message",
    dir_sent: "Envoyé",
    dir_received: "Reçu",
    age_group: "Tranche d'âge",
    gender: "Genre",
    status: "Statut",
    occupation: "Occupation / source de revenu",
    first_contact: "Première rencontre",
    person_alias: "Alias convenu avec la personne",
    person_alias_help: "Seul un code chiffré est gardé, jamais l'alias. Au moins 6 lettres ou chiffres.",
    person_code_unavailable: "Synchronise une première fois (jeton requis) pour activer les codes de personne.",
    person_code_kept: "Ce contact a déjà un code de personne; tape un alias seulement pour le changer.",
    alias_too_short: "L'alias doit avoir au moins 6 lettres ou chiffres.",
    realities: "Réalités abordées",
    intervention_types: "Types d'intervention",
    material: "Matériel remis",
    referrals: "Références",
    note: "Note (facultative)",
    note_help: "Aucun nom, numéro, courriel, adresse web ou pseudo.",
    more_details: "Plus de détails",
    none_choice: "—",
    add_one: "Ajouter un",
    remove_one: "Retirer un",
    today_title: "Aujourd'hui",
    contacts_today: "Contacts aujourd'hui",
    per_reality: "Par réalité",
    material_today: "Matériel remis aujourd'hui",
    no_contact_yet: "Aucun contact aujourd'hui.",
    todays_contacts: "Contacts du jour",
    sync: "Synchroniser",
    syncing: "Synchronisation…",
    needs_token: "Ajoute ton jeton dans Réglages pour synchroniser.",
    sync_offline: "Pas de connexion au serveur. Les contacts restent en attente sur l'appareil.",
    sync_unauthorized: "Le serveur refuse ton jeton. Vérifie-le dans Réglages; tes contacts restent sur l'appareil.",
    sync_server_error: "Le serveur a eu un problème. Les contacts restent en attente; réessaie plus tard.",
    sync_nothing: "Rien à synchroniser.",
    state_pending: "En attente",
    state_synced: "Synchronisé",
    state_rejected: "Refusé par le serveur",
    shortcuts: "Raccourcis",
    shortcuts_help: "Crée un raccourci depuis un contact du jour : un toucher pour le remplir, un pour enregistrer.",
    make_shortcut: "Raccourci",
    shortcut_saved: "Raccourci créé.",
    remove_shortcut: "Retirer le raccourci",
    settings_title: "Réglages",
    token_label: "Jeton de synchronisation",
    token_help: "Ta coordonnatrice te remet ce jeton. Il identifie ton appareil auprès du serveur.",
    token_save: "Enregistrer le jeton",
    token_saved: "Jeton enregistré.",
    token_present: "Un jeton est enregistré sur cet appareil.",
    token_absent: "Aucun jeton enregistré.",
    token_empty: "Colle le jeton avant d'enregistrer.",
    storage_unavailable: "Le stockage de l'appareil n'est pas disponible (navigation privée?). Les contacts ne peuvent pas être enregistrés.",
    language: "Langue",
    theme: "Thème",
    theme_dark: "Sombre",
    theme_light: "Clair",
};

pub const EN: Texts = Texts {
    app_name: "Carnet",
    nav_today: "Today",
    nav_new: "New",
    nav_settings: "Settings",
    nav_label: "Navigation",
    new_contact: "New contact",
    new_activity: "Activity",
    edit_activity: "Edit activity",
    activity_kind: "Kind of activity",
    head_count: "Participants",
    activities_today: "Activities today",
    edit_contact: "Edit contact",
    edit: "Edit",
    save: "Save",
    saving: "Saving…",
    cancel: "Cancel",
    delete: "Delete",
    saved: "Saved on the device.",
    updated: "Change saved.",
    deleted: "Deleted.",
    save_failed: "The device could not save. Nothing already saved was lost; try again.",
    fix_errors: "To fix:",
    program: "Program",
    milieu: "Setting",
    venue: "Venue",
    mode: "How",
    platform: "Web platform",
    direction: "Message",
    dir_sent: "Sent",
    dir_received: "Received",
    age_group: "Age group",
    gender: "Gender",
    status: "Status",
    occupation: "Occupation / income",
    first_contact: "First meeting",
    person_alias: "Alias agreed with the person",
    person_alias_help: "Only an encrypted code is kept, never the alias. At least 6 letters or digits.",
    person_code_unavailable: "Sync once (token needed) to turn on person codes.",
    person_code_kept: "This contact already has a person code; type an alias only to change it.",
    alias_too_short: "The alias needs at least 6 letters or digits.",
    realities: "Topics discussed",
    intervention_types: "Intervention types",
    material: "Material given",
    referrals: "Referrals",
    note: "Note (optional)",
    note_help: "No name, number, e-mail, web address or handle.",
    more_details: "More details",
    none_choice: "—",
    add_one: "Add one",
    remove_one: "Remove one",
    today_title: "Today",
    contacts_today: "Contacts today",
    per_reality: "By topic",
    material_today: "Material given today",
    no_contact_yet: "No contact today.",
    todays_contacts: "Today's contacts",
    sync: "Sync",
    syncing: "Syncing…",
    needs_token: "Add your token in Settings to sync.",
    sync_offline: "Cannot reach the server. Contacts stay queued on the device.",
    sync_unauthorized: "The server refuses your token. Check it in Settings; your contacts stay on the device.",
    sync_server_error: "The server had a problem. Contacts stay queued; try again later.",
    sync_nothing: "Nothing to sync.",
    state_pending: "Pending",
    state_synced: "Synced",
    state_rejected: "Refused by the server",
    shortcuts: "Shortcuts",
    shortcuts_help: "Make a shortcut from one of today's contacts: one tap fills the form, one tap saves.",
    make_shortcut: "Shortcut",
    shortcut_saved: "Shortcut created.",
    remove_shortcut: "Remove shortcut",
    settings_title: "Settings",
    token_label: "Sync token",
    token_help: "Your coordinator gives you this token. It identifies your device to the server.",
    token_save: "Save token",
    token_saved: "Token saved.",
    token_present: "A token is saved on this device.",
    token_absent: "No token saved.",
    token_empty: "Paste the token before saving.",
    storage_unavailable: "The device's storage is unavailable (private browsing?). Contacts cannot be saved.",
    language: "Language",
    theme: "Theme",
    theme_dark: "Dark",
    theme_light: "Light",
};
