//! Every string the worker reads, in Québec French (default) and English.
//!
//! One struct, one constant per language: a missing translation is a compile error, not a
//! blank on a worker's screen. Category labels come from the taxonomy document instead.

use carnet_core::{Entry, Failure, FieldError, Reason, SyncSummary};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(serde::Deserialize))]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Fr,
    En,
}

carnet_core::unit_names!(Lang {
    Fr = "fr",
    En = "en",
});

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

    /// « 2 à corriger »
    pub fn to_fix(self, n: usize) -> String {
        match self {
            Lang::Fr => format!("{n} à corriger"),
            Lang::En => format!("{n} to fix"),
        }
    }

    /// The one line of status while a run sends.
    pub fn sending(self, pending: usize) -> String {
        match self {
            Lang::Fr => format!("Envoi en cours — {pending} en attente"),
            Lang::En => format!("Sending — {pending} pending"),
        }
    }

    /// « 12 en attente — nouvel essai dans 30 s »
    pub fn retrying(self, pending: usize, seconds: u64) -> String {
        match self {
            Lang::Fr => format!("{pending} en attente — nouvel essai dans {seconds} s"),
            Lang::En => format!("{pending} pending — trying again in {seconds} s"),
        }
    }

    /// The banner when records wait for sync too long.
    pub fn stale_warning(self, hours: u32) -> String {
        match self {
            Lang::Fr => format!(
                "Des contacts attendent la synchronisation depuis plus de {hours} h. Synchronise dès que tu as du réseau."
            ),
            Lang::En => format!(
                "Some records have waited for sync for more than {hours} h. Sync as soon as you have a network."
            ),
        }
    }

    /// « 1,2 Mo utilisés sur 300,0 Mo »
    pub fn storage_used(self, used: &str, quota: &str) -> String {
        match self {
            Lang::Fr => format!("{used} utilisés sur {quota} permis."),
            Lang::En => format!("{used} used of {quota} allowed."),
        }
    }

    pub fn backup_exported(self, n: usize) -> String {
        match self {
            Lang::Fr => format!(
                "Sauvegarde de {n} contact(s) téléchargée. Garde la phrase de passe à part."
            ),
            Lang::En => format!("Backup of {n} record(s) downloaded. Keep the passphrase apart."),
        }
    }

    pub fn backup_imported(self, queued: usize, already: usize) -> String {
        match self {
            Lang::Fr => {
                format!("{queued} contact(s) remis en attente; {already} déjà sur l'appareil.")
            }
            Lang::En => {
                format!("{queued} record(s) back in the queue; {already} already on the device.")
            }
        }
    }

    /// A count as the language writes it: « 31 721 » in French (a no-break space between
    /// thousands, as Québec writes them), "31,721" in English. Screens only: CSV and
    /// spreadsheets keep plain numbers.
    pub fn count(self, n: u64) -> String {
        let digits = n.to_string();
        let separator = match self {
            Lang::Fr => '\u{a0}',
            Lang::En => ',',
        };
        let mut out = String::with_capacity(digits.len() + digits.len() / 3 * 2);
        for (i, digit) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(separator);
            }
            out.push(digit);
        }
        out
    }

    /// A difference with its sign (« +1 204 », « −3 », « 0 »), grouped like [`Lang::count`].
    pub fn signed(self, n: i64) -> String {
        let magnitude = self.count(n.unsigned_abs());
        match n.signum() {
            1 => format!("+{magnitude}"),
            -1 => format!("\u{2212}{magnitude}"),
            _ => magnitude,
        }
    }

    /// « jeudi 27 novembre 2026 »: hand-formatted (chrono's formatting would weigh on the
    /// download).
    pub fn day_title(self, day: chrono::NaiveDate) -> String {
        use chrono::Datelike;
        const JOURS: [&str; 7] = [
            "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
        ];
        const DAYS: [&str; 7] = [
            "Monday",
            "Tuesday",
            "Wednesday",
            "Thursday",
            "Friday",
            "Saturday",
            "Sunday",
        ];
        let weekday = day.weekday().num_days_from_monday() as usize;
        match self {
            Lang::Fr => format!("{} {}", JOURS[weekday], self.date(day)),
            Lang::En => format!("{}, {}", DAYS[weekday], self.date(day)),
        }
    }

    /// « 27 novembre 2026 », "November 27, 2026".
    pub fn date(self, day: chrono::NaiveDate) -> String {
        use chrono::Datelike;
        const MOIS: [&str; 12] = [
            "janvier",
            "février",
            "mars",
            "avril",
            "mai",
            "juin",
            "juillet",
            "août",
            "septembre",
            "octobre",
            "novembre",
            "décembre",
        ];
        const MONTHS: [&str; 12] = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        let month = day.month0() as usize;
        match self {
            Lang::Fr => format!("{} {} {}", day.day(), MOIS[month], day.year()),
            Lang::En => format!("{} {}, {}", MONTHS[month], day.day(), day.year()),
        }
    }

    /// The plain-words reasons of a refusal stored as `field:reason,…`.
    pub fn refusal_reasons(self, stored: &str) -> Vec<String> {
        stored
            .split(',')
            .filter(|s| !s.is_empty())
            .map(|pair| {
                if pair == carnet_core::sync::FOREIGN_ID {
                    return match self {
                        Lang::Fr => "Le serveur connaît ce contact sous un autre compte. Parles-en à la coordination.".to_owned(),
                        Lang::En => "The server knows this record under another account. Talk to your coordinator.".to_owned(),
                    };
                }
                let (field, code) = pair.split_once(':').unwrap_or((pair, ""));
                // From text, as answers are read: one decoder of `Reason` in the wasm. Quoted
                // by the serializer of text the module has anyway, not `Value`'s `Display`
                // (a second copy of it, 2 kB raw): the same text.
                let quoted = serde_json::to_string(code).unwrap_or_default();
                let reason = serde_json::from_str::<Reason>(&quoted).unwrap_or(Reason::Malformed);
                self.field_error(&FieldError {
                    field: field.to_owned(),
                    reason,
                })
            })
            .collect()
    }

    /// Figures beyond the phone's window, fresh from the server.
    pub fn figures_from_server(self, kept_days: u32) -> String {
        match self {
            Lang::Fr => format!(
                "Chiffres du serveur : le téléphone ne garde que les {kept_days} derniers jours. Les contacts en attente s'y ajouteront après la synchronisation."
            ),
            Lang::En => format!(
                "Figures from the server: the phone keeps only the last {kept_days} days. Pending records are added once synced."
            ),
        }
    }

    /// Offline, figures fetched earlier.
    pub fn figures_cached(self, when: &str) -> String {
        match self {
            Lang::Fr => format!("Hors ligne : chiffres du serveur tels qu'au {when}."),
            Lang::En => format!("Offline: the server's figures as of {when}."),
        }
    }

    /// Offline, nothing fetched for this period.
    pub fn figures_unavailable(self, kept_days: u32) -> String {
        match self {
            Lang::Fr => format!(
                "Hors ligne : le téléphone ne garde que les {kept_days} derniers jours. Connecte-toi pour voir cette période."
            ),
            Lang::En => format!(
                "Offline: the phone keeps only the last {kept_days} days. Connect to see this period."
            ),
        }
    }

    /// « Profil 2 »
    pub fn default_profile_label(self, n: usize) -> String {
        match self {
            Lang::Fr => format!("Profil {n}"),
            Lang::En => format!("Profile {n}"),
        }
    }

    /// "5 min"
    pub fn minutes(self, n: u32) -> String {
        format!("{n} min")
    }

    /// "Trop d'essais : attends 20 s."
    pub fn wait_seconds(self, seconds: u64) -> String {
        match self {
            Lang::Fr => format!("Trop d'essais. Attends {seconds} s avant de réessayer."),
            Lang::En => format!("Too many tries. Wait {seconds} s before trying again."),
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
        if s.conflicts > 0 {
            parts.push(if fr {
                format!("{} en conflit : voir « À corriger ».", s.conflicts)
            } else {
                format!("{} in conflict: see \"To fix\".", s.conflicts)
            });
        }
        match s.failure {
            Some(Failure::Network) => parts.push(t.sync_offline.into()),
            Some(Failure::Unauthorized) => parts.push(t.sync_unauthorized.into()),
            Some(Failure::Expired) => parts.push(t.sync_expired.into()),
            Some(Failure::Server) => parts.push(t.sync_server_error.into()),
            Some(Failure::RateLimited { .. }) => parts.push(t.sync_rate_limited.into()),
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
    pub sync_expired: &'static str,
    pub figures_loading_older: &'static str,
    pub open_coordination: &'static str,
    pub figures_loading: &'static str,
    pub profile_choose: &'static str,
    pub profile_label: &'static str,
    pub profile_label_help: &'static str,
    pub contacts_of_day: &'static str,
    pub site: &'static str,
    pub record_gone: &'static str,
    pub sync_elsewhere: &'static str,
    /// The header's count while the rows other than today's are still being read.
    pub pending_unknown: &'static str,
    pub sync_rate_limited: &'static str,
    pub shortcuts_unreadable: &'static str,
    pub storage_nearly_full: &'static str,
    pub state_unconfirmed: &'static str,
    pub state_conflict: &'static str,
    pub to_fix_title: &'static str,
    pub to_fix_help: &'static str,
    pub nothing_to_fix: &'static str,
    pub fix: &'static str,
    pub send_again: &'static str,
    pub conflict_explained: &'static str,
    pub compare_versions: &'static str,
    pub this_phone: &'static str,
    pub on_server: &'static str,
    pub keep_mine: &'static str,
    pub keep_theirs: &'static str,
    pub previous_day: &'static str,
    pub next_day: &'static str,
    pub other_days: &'static str,
    pub day_contacts: &'static str,
    pub stale_after: &'static str,
    pub storage_title: &'static str,
    pub storage_persistent: &'static str,
    pub storage_not_persistent: &'static str,
    pub storage_unknown: &'static str,
    pub storage_ask: &'static str,
    pub set_aside_title: &'static str,
    pub set_aside_help: &'static str,
    pub backup_title: &'static str,
    pub backup_help: &'static str,
    pub backup_passphrase: &'static str,
    pub backup_export: &'static str,
    pub backup_import: &'static str,
    pub backup_file: &'static str,
    pub backup_nothing: &'static str,
    pub backup_wrong: &'static str,
    pub backup_passphrase_short: &'static str,
    pub pair_not_kept: &'static str,
    pub device_label: &'static str,
    pub device_label_help: &'static str,
    pub device_label_invalid: &'static str,
    pub lock_after: &'static str,
    pub change_pin: &'static str,
    pub change_pin_sync_first: &'static str,
    pub pin_current: &'static str,
    pub pin_changed: &'static str,
    pub pair_label: &'static str,
    pub pair_help: &'static str,
    pub pair_button: &'static str,
    pub paired: &'static str,
    pub pair_refused: &'static str,
    pub pair_offline: &'static str,
    pub token_advanced: &'static str,
    pub lock_now: &'static str,
    /// The banner shown when a new version of the app is waiting.
    pub update_ready: &'static str,
    pub update_reload: &'static str,
    pub pin_label: &'static str,
    pub pin_new: &'static str,
    pub pin_confirm: &'static str,
    pub pin_create: &'static str,
    pub pin_warning: &'static str,
    pub pin_too_short: &'static str,
    pub pin_mismatch: &'static str,
    pub unlock: &'static str,
    pub unlocking: &'static str,
    pub wrong_pin: &'static str,
    pub new_person_on_device: &'static str,
    pub back: &'static str,
    pub nav_figures: &'static str,
    pub figures_title: &'static str,
    pub period: &'static str,
    pub period_shift: &'static str,
    pub period_today: &'static str,
    pub period_week: &'static str,
    pub period_month: &'static str,
    pub period_year: &'static str,
    pub period_custom: &'static str,
    pub date_from: &'static str,
    pub date_to: &'static str,
    pub persons: &'static str,
    pub interventions: &'static str,
    pub new_persons: &'static str,
    pub by_type: &'static str,
    pub by_milieu: &'static str,
    pub by_age: &'static str,
    pub by_gender: &'static str,
    pub by_status: &'static str,
    pub by_occupation: &'static str,
    pub venues_visited: &'static str,
    pub web_messages: &'static str,
    pub activities: &'static str,
    pub workshop_participants: &'static str,
    pub referrals_made: &'static str,
    pub nothing_in_period: &'static str,
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
    pub app_not_downloaded: &'static str,
    /// The device's data was written by a newer version (a rollback): nothing is opened.
    pub newer_data: &'static str,
    pub language: &'static str,
    pub theme: &'static str,
    pub theme_dark: &'static str,
    pub theme_light: &'static str,
}

pub const FR: Texts = Texts {
    sync_expired: "Cet appareil n'a pas servi depuis trop longtemps : demande un nouveau code de jumelage à la coordination. Tes contacts restent sur l'appareil.",
    figures_loading_older: "Lecture des contacts plus anciens sur l'appareil…",
    open_coordination: "Ouvrir la coordination (rapports, listes, comptes) ›",
    figures_loading: "Chiffres du serveur en cours de chargement…",
    profile_choose: "Profil",
    profile_label: "Nom du profil sur ce téléphone",
    profile_label_help: "Un nom neutre pour reconnaître ton profil si le téléphone est partagé (ex. : Bleu, Poste 2). Jamais le nom d'une personne rencontrée.",
    contacts_of_day: "Contacts ce jour-là",
    site: "Site web",
    record_gone: "Ce contact n'est plus sur l'appareil (supprimé dans une autre fenêtre).",
    sync_elsewhere: "Synchronisation déjà en cours dans une autre fenêtre de Carnet.",
    pending_unknown: "… en attente",
    sync_rate_limited: "Le serveur est très occupé. Les contacts restent en attente; nouvel essai plus tard.",
    shortcuts_unreadable: "Les raccourcis n'ont pas pu être ouverts sur cet appareil : ils ne sont pas modifiés.",
    storage_nearly_full: "Le stockage de l'appareil est presque plein. Synchronise, puis libère de l'espace sur le téléphone.",
    state_unconfirmed: "Envoyé, non confirmé",
    state_conflict: "En conflit",
    to_fix_title: "À corriger",
    to_fix_help: "Le serveur a refusé ces contacts, ou en a reçu une autre version. Ils restent sur l'appareil jusqu'à ce que tu les règles.",
    nothing_to_fix: "Rien à corriger.",
    fix: "Corriger",
    send_again: "Renvoyer tel quel",
    conflict_explained: "Une autre version de ce contact est arrivée au serveur (un autre appareil, ou une sauvegarde restaurée). Choisis celle qui reste; l'autre est gardée dans l'historique du serveur.",
    compare_versions: "Voir les deux versions",
    this_phone: "Sur ce téléphone",
    on_server: "Sur le serveur",
    keep_mine: "Garder celle du téléphone",
    keep_theirs: "Garder celle du serveur",
    previous_day: "‹ Jour précédent",
    next_day: "Jour suivant ›",
    other_days: "Autres jours",
    day_contacts: "Contacts de la journée",
    stale_after: "Avertir quand un contact attend la synchronisation depuis",
    storage_title: "Stockage de l'appareil",
    storage_persistent: "Persistant : le navigateur ne l'effacera pas de lui-même.",
    storage_not_persistent: "Non persistant : le navigateur pourrait l'effacer s'il manque d'espace. Synchronise souvent, ou installe Carnet sur l'écran d'accueil.",
    storage_unknown: "Ce navigateur ne dit pas si le stockage est persistant.",
    storage_ask: "Demander le stockage persistant",
    set_aside_title: "Enregistrements illisibles mis de côté",
    set_aside_help: "Ces lignes n'ont pas pu être lues. Elles restent sur l'appareil, intactes, et ne sont pas envoyées; tout le reste fonctionne.",
    backup_title: "Sauvegarde chiffrée",
    backup_help: "Pour un téléphone qui ne peut pas joindre le serveur, ou qui va être réinitialisé : un fichier des contacts non synchronisés, chiffré avec une phrase de passe. Importé sur n'importe quel téléphone, il remet ces contacts en attente, sans doublon.",
    backup_passphrase: "Phrase de passe de la sauvegarde (10 caractères ou plus)",
    backup_export: "Exporter une sauvegarde",
    backup_import: "Importer une sauvegarde",
    backup_file: "Fichier de sauvegarde",
    backup_nothing: "Aucun contact en attente : rien à sauvegarder.",
    backup_wrong: "Phrase de passe incorrecte, ou fichier qui n'est pas une sauvegarde Carnet. Rien n'a été changé.",
    backup_passphrase_short: "La phrase de passe doit avoir au moins 10 caractères.",
    pair_not_kept: "Appareil jumelé, mais le jeton n'a pas pu être enregistré sur l'appareil : il fonctionne jusqu'au verrouillage. Demande un nouveau code à la coordination.",
    device_label: "Nom de cet appareil (facultatif)",
    device_label_help: "Ex. « Téléphone bleu ». La coordination le voit dans la liste des appareils; rien sur les personnes rencontrées.",
    device_label_invalid: "Le nom de l'appareil : 40 caractères au plus.",
    lock_after: "Verrouiller après (sans toucher l'écran)",
    change_pin: "Changer mon NIP",
    change_pin_sync_first: "Synchronise d'abord : si le nouveau NIP est oublié, les contacts non synchronisés sont perdus.",
    pin_current: "NIP actuel",
    pin_changed: "NIP changé.",
    pair_label: "Code de jumelage",
    pair_help: "Ta coordonnatrice te donne un code à usage unique (ex. K7PQ-2XMA), valide 15 minutes.",
    pair_button: "Jumeler cet appareil",
    paired: "Appareil jumelé.",
    pair_refused: "Code inconnu, déjà utilisé ou expiré. Demande un nouveau code.",
    pair_offline: "Pas de connexion au serveur : le jumelage demande une connexion.",
    token_advanced: "Coller un jeton à la place",
    lock_now: "Verrouiller",
    update_ready: "Nouvelle version",
    update_reload: "Recharger",
    pin_label: "NIP",
    pin_new: "Choisis un NIP",
    pin_confirm: "Confirme le NIP",
    pin_create: "Créer mon NIP",
    pin_warning: "Ton NIP chiffre tes contacts sur ce téléphone. Sans lui, personne ne peut les lire, pas même l'équipe : un NIP oublié fait perdre les contacts pas encore synchronisés. Au moins 6 chiffres ou caractères.",
    pin_too_short: "Le NIP doit avoir au moins 6 chiffres ou caractères.",
    pin_mismatch: "Les deux NIP ne sont pas pareils.",
    unlock: "Déverrouiller",
    unlocking: "Vérification…",
    wrong_pin: "NIP incorrect.",
    new_person_on_device: "Une autre personne utilise ce téléphone",
    back: "Retour",
    nav_figures: "Chiffres",
    figures_title: "Mes chiffres",
    period: "Période",
    period_shift: "Quart (12 h)",
    period_today: "Aujourd'hui",
    period_week: "Semaine",
    period_month: "Mois",
    period_year: "Année",
    period_custom: "Dates",
    date_from: "Du",
    date_to: "Au",
    persons: "Personnes rencontrées",
    interventions: "Interventions",
    new_persons: "Nouvelles personnes",
    by_type: "Par type d'intervention",
    by_milieu: "Par milieu",
    by_age: "Personnes par tranche d'âge",
    by_gender: "Personnes par genre",
    by_status: "Personnes par statut",
    by_occupation: "Personnes par occupation",
    venues_visited: "Lieux visités, par milieu",
    web_messages: "Messages web",
    activities: "Activités",
    workshop_participants: "Participant·e·s aux ateliers",
    referrals_made: "Références",
    nothing_in_period: "Rien dans cette période.",
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
    app_not_downloaded: "Carnet n'a pas fini de se télécharger. Reconnectez-vous un instant, puis réessayez.",
    newer_data: "Une version plus récente de Carnet a enregistré ces données : rien n'a été ouvert ni modifié. Prévenez votre coordination.",
    language: "Langue",
    theme: "Thème",
    theme_dark: "Sombre",
    theme_light: "Clair",
};

pub const EN: Texts = Texts {
    sync_expired: "This device was unused for too long: ask your coordinator for a new pairing code. Your records stay on the device.",
    figures_loading_older: "Reading the older records on the device…",
    open_coordination: "Open coordination (reports, lists, accounts) ›",
    figures_loading: "Loading the server's figures…",
    profile_choose: "Profile",
    profile_label: "Profile name on this phone",
    profile_label_help: "A neutral name to find your profile if the phone is shared (e.g. Blue, Desk 2). Never the name of a person met.",
    contacts_of_day: "Contacts that day",
    site: "Web site",
    record_gone: "This record is no longer on the device (deleted in another window).",
    sync_elsewhere: "Already syncing in another Carnet window.",
    pending_unknown: "… pending",
    sync_rate_limited: "The server is very busy. Records stay pending; it will try again later.",
    shortcuts_unreadable: "The shortcuts could not be opened on this device: they are left unchanged.",
    storage_nearly_full: "The device's storage is nearly full. Sync, then free some space on the phone.",
    state_unconfirmed: "Sent, unconfirmed",
    state_conflict: "In conflict",
    to_fix_title: "To fix",
    to_fix_help: "The server refused these records, or received another version of them. They stay on the device until you settle them.",
    nothing_to_fix: "Nothing to fix.",
    fix: "Fix",
    send_again: "Send again as is",
    conflict_explained: "Another version of this record reached the server (another device, or a restored backup). Choose the one that stays; the other is kept in the server's history.",
    compare_versions: "Show both versions",
    this_phone: "On this phone",
    on_server: "On the server",
    keep_mine: "Keep the phone's",
    keep_theirs: "Keep the server's",
    previous_day: "‹ Previous day",
    next_day: "Next day ›",
    other_days: "Other days",
    day_contacts: "Records of the day",
    stale_after: "Warn when a record has waited for sync for",
    storage_title: "Device storage",
    storage_persistent: "Persistent: the browser will not clear it on its own.",
    storage_not_persistent: "Not persistent: the browser could clear it when space runs short. Sync often, or install Carnet on the home screen.",
    storage_unknown: "This browser does not say whether storage is persistent.",
    storage_ask: "Ask for persistent storage",
    set_aside_title: "Unreadable records set aside",
    set_aside_help: "These rows could not be read. They stay on the device, untouched, and are not sent; everything else works.",
    backup_title: "Encrypted backup",
    backup_help: "For a phone that cannot reach the server, or is about to be reset: a file of the unsynced records, encrypted with a passphrase. Imported on any phone, it puts them back in the queue, without duplicates.",
    backup_passphrase: "Backup passphrase (10 characters or more)",
    backup_export: "Export a backup",
    backup_import: "Import a backup",
    backup_file: "Backup file",
    backup_nothing: "No record is waiting: nothing to back up.",
    backup_wrong: "Wrong passphrase, or not a Carnet backup. Nothing was changed.",
    backup_passphrase_short: "The passphrase must have at least 10 characters.",
    pair_not_kept: "Device paired, but the token could not be stored on the device: it works until the app locks. Ask the coordinator for a new code.",
    device_label: "Name of this device (optional)",
    device_label_help: "E.g. “Blue phone”. Coordinators see it in the list of devices; nothing about the people you meet.",
    device_label_invalid: "The device's name: 40 characters at most.",
    lock_after: "Lock after (no tap)",
    change_pin: "Change my PIN",
    change_pin_sync_first: "Sync first: if the new PIN is forgotten, unsynced contacts are lost.",
    pin_current: "Current PIN",
    pin_changed: "PIN changed.",
    pair_label: "Pairing code",
    pair_help: "Your coordinator gives you a one-time code (e.g. K7PQ-2XMA), valid 15 minutes.",
    pair_button: "Pair this device",
    paired: "Device paired.",
    pair_refused: "Unknown, used or expired code. Ask for a new one.",
    pair_offline: "Cannot reach the server: pairing needs a connection.",
    token_advanced: "Paste a token instead",
    lock_now: "Lock",
    update_ready: "New version",
    update_reload: "Reload",
    pin_label: "PIN",
    pin_new: "Choose a PIN",
    pin_confirm: "Confirm the PIN",
    pin_create: "Create my PIN",
    pin_warning: "Your PIN encrypts your contacts on this phone. Without it nobody can read them, not even the team: a forgotten PIN loses the contacts not yet synced. At least 6 digits or characters.",
    pin_too_short: "The PIN needs at least 6 digits or characters.",
    pin_mismatch: "The two PINs differ.",
    unlock: "Unlock",
    unlocking: "Checking…",
    wrong_pin: "Wrong PIN.",
    new_person_on_device: "Someone else uses this phone",
    back: "Back",
    nav_figures: "Figures",
    figures_title: "My figures",
    period: "Period",
    period_shift: "Shift (12 h)",
    period_today: "Today",
    period_week: "Week",
    period_month: "Month",
    period_year: "Year",
    period_custom: "Dates",
    date_from: "From",
    date_to: "To",
    persons: "Persons met",
    interventions: "Interventions",
    new_persons: "New persons",
    by_type: "By intervention type",
    by_milieu: "By setting",
    by_age: "Persons by age group",
    by_gender: "Persons by gender",
    by_status: "Persons by status",
    by_occupation: "Persons by occupation",
    venues_visited: "Venues visited, by setting",
    web_messages: "Web messages",
    activities: "Activities",
    workshop_participants: "Workshop participants",
    referrals_made: "Referrals",
    nothing_in_period: "Nothing in this period.",
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
    app_not_downloaded: "Carnet has not finished downloading. Get back online for a moment, then try again.",
    newer_data: "A newer version of Carnet saved this data: nothing was opened or changed. Tell your coordinator.",
    language: "Language",
    theme: "Theme",
    theme_dark: "Dark",
    theme_light: "Light",
};
