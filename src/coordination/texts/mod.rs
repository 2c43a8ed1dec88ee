//! The coordinator's app's own strings, Québec French and English, the way `i18n.rs` does
//! it (one struct, one constant per language: a missing translation does not compile).
//!
//! They live here and not in `i18n::Texts` because `Texts` is linked whole into the phone
//! app, whose download has a size budget; nothing of the phone reaches these. Strings both
//! apps show (« Personnes rencontrées », « Annuler », …) stay in `Texts`. The team's
//! accounts have theirs in [`accounts`].

pub mod accounts;
mod import;
pub mod workers;

use carnet_core::wire::ErrorCode;

use crate::api::ClientError;
use crate::i18n::Lang;

pub fn texts(lang: Lang) -> &'static CoordTexts {
    match lang {
        Lang::Fr => &FR,
        Lang::En => &EN,
    }
}

pub struct CoordTexts {
    pub lang: Lang,
    pub coordination_title: &'static str,
    pub not_coordinator: &'static str,
    pub team_accounts: &'static str,
    pub team_report: &'static str,
    pub worker_report: &'static str,
    pub whole_team: &'static str,
    pub all_programs: &'static str,
    pub show_report: &'static str,
    pub download_csv: &'static str,
    pub print: &'static str,
    // Navigation
    pub annual_report: &'static str,
    pub lists: &'static str,
    pub import: &'static str,
    // Tables
    pub summary: &'static str,
    pub venues_visited_by_milieu: &'static str,
    pub material: &'static str,
    pub referrals: &'static str,
    pub activities: &'static str,
    pub activities_by_platform: &'static str,
    pub sites_by_activity: &'static str,
    pub web_messages: &'static str,
    pub web_persons: &'static str,
    pub web_persons_by_platform: &'static str,
    pub web_messages_by_direction: &'static str,
    pub persons_by: &'static str,
    pub interventions_by: &'static str,
    pub and: &'static str,
    pub attr_program: &'static str,
    pub attr_milieu: &'static str,
    pub attr_mode: &'static str,
    pub attr_gender: &'static str,
    pub attr_age_group: &'static str,
    pub attr_status: &'static str,
    pub attr_occupation: &'static str,
    pub attr_reality: &'static str,
    pub attr_type: &'static str,
    pub attr_other: &'static str,
    pub sent: &'static str,
    pub received: &'static str,
    pub direction_unknown: &'static str,
    pub total: &'static str,
    pub difference: &'static str,
    // Team report
    pub programs_covered: &'static str,
    pub several_programs: &'static str,
    pub programs_ticked: &'static str,
    pub tick_a_program: &'static str,
    pub compare_with: &'static str,
    pub compare_from: &'static str,
    pub compare_to: &'static str,
    pub period_is: &'static str,
    pub programs_are: &'static str,
    pub more_tables: &'static str,
    pub cross_tables: &'static str,
    pub no_cross_tables: &'static str,
    pub comparison: &'static str,
    pub comparison_help: &'static str,
    pub download_xlsx: &'static str,
    pub download_comparison_csv: &'static str,
    pub download_comparison_xlsx: &'static str,
    pub download_failed: &'static str,
    // Annual report
    pub year: &'static str,
    pub report_period: &'static str,
    pub fiscal_year: &'static str,
    pub calendar_year: &'static str,
    pub sections: &'static str,
    pub group: &'static str,
    pub compare_year_before: &'static str,
    pub prepare_report: &'static str,
    pub preparing: &'static str,
    pub no_data_for: &'static str,
    pub covers: &'static str,
    pub venues_visited: &'static str,
    pub venues_by_milieu: &'static str,
    pub distinct_sites: &'static str,
    // Lists
    pub lists_help: &'static str,
    pub list_venues: &'static str,
    pub list_sites: &'static str,
    pub list_partners: &'static str,
    pub list_groups: &'static str,
    pub list_empty: &'static str,
    pub list_unchanged: &'static str,
    pub name_fr: &'static str,
    pub name_en: &'static str,
    pub name_en_optional: &'static str,
    pub milieu: &'static str,
    pub platform: &'static str,
    pub programs_of_group: &'static str,
    pub state: &'static str,
    pub actions: &'static str,
    pub active: &'static str,
    pub retired: &'static str,
    pub edit: &'static str,
    pub retire: &'static str,
    pub restore: &'static str,
    pub delete: &'static str,
    pub save_changes: &'static str,
    pub add: &'static str,
    pub none_choice: &'static str,
    pub choose: &'static str,
    pub name_required: &'static str,
    pub platform_required: &'static str,
    pub programs_required: &'static str,
    pub code_exists: &'static str,
    pub code_kept: &'static str,
    pub taxonomy_changed: &'static str,
    pub invalid_list_edit: &'static str,
    pub unknown_program: &'static str,
    pub unknown_code: &'static str,
    // Import
    pub import_help: &'static str,
    pub csv_file: &'static str,
    pub worker: &'static str,
    pub worker_help: &'static str,
    pub dry_run: &'static str,
    pub import_now: &'static str,
    pub choose_file: &'static str,
    pub choose_worker: &'static str,
    pub file_unreadable: &'static str,
    pub dry_run_ok: &'static str,
    pub import_done: &'static str,
    pub import_nothing_new: &'static str,
    pub problems: &'static str,
    pub line: &'static str,
    pub column: &'static str,
    pub problem: &'static str,
    pub unknown_worker: &'static str,
    pub file_too_large: &'static str,
    pub file_not_text: &'static str,
    // Errors any page may show
    pub no_connection: &'static str,
    pub not_allowed: &'static str,
    pub server_failed: &'static str,
    pub bad_period: &'static str,
}

pub const FR: CoordTexts = CoordTexts {
    lang: Lang::Fr,
    coordination_title: "Carnet — coordination",
    not_coordinator: "Ce profil n'est pas celui d'une coordonnatrice. Jumelle cet ordinateur avec un compte de coordination.",
    team_accounts: "Comptes de l'équipe",
    team_report: "Rapport de l'équipe",
    worker_report: "Rapport d'un·e intervenant·e",
    whole_team: "Toute l'équipe",
    all_programs: "Tous les volets",
    show_report: "Afficher le rapport",
    download_csv: "Télécharger le CSV",
    print: "Imprimer",
    annual_report: "Rapport annuel",
    lists: "Listes",
    import: "Importer",
    summary: "Sommaire",
    venues_visited_by_milieu: "Lieux distincts visités, par milieu",
    material: "Matériel remis",
    referrals: "Références",
    activities: "Activités",
    activities_by_platform: "Activités par plateforme",
    sites_by_activity: "Sites distincts, par activité et plateforme",
    web_messages: "Messages web par plateforme et sens",
    web_persons: "Personnes jointes par plateforme et sens",
    web_persons_by_platform: "Personnes jointes par plateforme",
    web_messages_by_direction: "Messages web par sens",
    persons_by: "Personnes par",
    interventions_by: "Interventions par",
    and: " et ",
    attr_program: "volet",
    attr_milieu: "milieu",
    attr_mode: "mode de contact",
    attr_gender: "genre",
    attr_age_group: "tranche d'âge",
    attr_status: "statut",
    attr_occupation: "occupation",
    attr_reality: "réalité",
    attr_type: "type d'intervention",
    attr_other: "autre",
    sent: "Envoyés",
    received: "Reçus",
    direction_unknown: "Sens non précisé",
    total: "Total",
    difference: "Écart",
    programs_covered: "Volets couverts",
    several_programs: "Plusieurs volets…",
    programs_ticked: "Volets choisis",
    tick_a_program: "Choisis au moins un volet.",
    compare_with: "Comparer avec une autre période",
    compare_from: "Comparer du",
    compare_to: "au",
    period_is: "Période\u{a0}:",
    programs_are: "Volets\u{a0}:",
    more_tables: "Interventions et web",
    cross_tables: "Tableaux croisés",
    no_cross_tables: "Aucun tableau croisé pour cette période.",
    comparison: "Comparaison",
    comparison_help: "Chaque ligne non nulle dans l'une ou l'autre période\u{a0}; l'écart est la première moins la seconde (positif\u{a0}: une hausse).",
    download_xlsx: "Télécharger le classeur (xlsx)",
    download_comparison_csv: "Comparaison en CSV",
    download_comparison_xlsx: "Comparaison en classeur (xlsx)",
    download_failed: "Le téléchargement n'a pas pu commencer dans ce navigateur.",
    year: "Année",
    report_period: "Période du rapport",
    fiscal_year: "Exercice (avril à mars)",
    calendar_year: "Année civile",
    sections: "Sections du rapport",
    group: "regroupement",
    compare_year_before: "Montrer l'année précédente à côté",
    prepare_report: "Préparer le rapport",
    preparing: "Préparation du rapport…",
    no_data_for: "Aucune donnée pour cette période\u{a0}:",
    covers: "Regroupe\u{a0}:",
    venues_visited: "Milieux visités",
    venues_by_milieu: "Milieux visités, par type",
    distinct_sites: "Sites distincts",
    lists_help: "Les listes que l'organisme tient à jour. Chaque modification crée la version suivante des listes, en vigueur tout de suite sur le serveur\u{a0}; les téléphones la reçoivent à leur prochaine synchronisation (hors ligne, ils gardent la leur). Un code n'est jamais supprimé\u{a0}: une entrée retirée n'est plus proposée, et les anciens enregistrements restent valides.",
    list_venues: "Lieux",
    list_sites: "Sites web",
    list_partners: "Partenaires",
    list_groups: "Regroupements de volets",
    list_empty: "Cette liste est vide.",
    list_unchanged: "Rien n'a changé\u{a0}: la liste était déjà ainsi.",
    name_fr: "Nom (français)",
    name_en: "Nom (anglais)",
    name_en_optional: "Nom (anglais, facultatif)",
    milieu: "Milieu",
    platform: "Plateforme",
    programs_of_group: "Volets regroupés",
    state: "État",
    actions: "Actions",
    active: "Offert",
    retired: "Retiré",
    edit: "Modifier",
    retire: "Retirer",
    restore: "Rétablir",
    delete: "Supprimer",
    save_changes: "Enregistrer",
    add: "Ajouter",
    none_choice: "— aucun —",
    choose: "— choisir —",
    name_required: "Donne un nom en français.",
    platform_required: "Choisis la plateforme du site.",
    programs_required: "Coche au moins un volet.",
    code_exists: "Ce nom est déjà dans la liste. S'il a été retiré, rétablis-le plutôt.",
    code_kept: "Un code n'est jamais supprimé\u{a0}: des enregistrements et des téléphones pas encore synchronisés peuvent l'utiliser. Retire-le plutôt\u{a0}: il ne sera plus proposé, et les anciens enregistrements restent valides.",
    taxonomy_changed: "Quelqu'un d'autre a modifié les listes entre-temps. Elles viennent d'être rechargées\u{a0}: vérifie, puis recommence.",
    invalid_list_edit: "Modification refusée\u{a0}: vérifie le nom (non vide), le milieu ou la plateforme.",
    unknown_program: "Un des volets n'existe pas.",
    unknown_code: "Cette entrée n'est plus dans la liste\u{a0}: recharge la page.",
    import_help: "Un fichier CSV avec une ligne d'en-tête, une rencontre ou une activité par ligne\u{a0}; les codes ou les libellés français sont acceptés. Vérifie d'abord (essai à blanc)\u{a0}: rien n'est importé, et chaque problème est nommé par son numéro de ligne. L'import est ensuite tout ou rien, et importer deux fois le même fichier ne change rien.",
    csv_file: "Fichier CSV",
    worker: "Poste ou intervenante",
    worker_help: "Le compte à qui les lignes appartiendront (voir «\u{a0}Comptes de l'équipe\u{a0}»).",
    dry_run: "Vérifier (essai à blanc)",
    import_now: "Importer le fichier",
    choose_file: "Choisis d'abord un fichier CSV.",
    choose_worker: "Indique le poste ou l'intervenante.",
    file_unreadable: "Ce fichier n'a pas pu être lu.",
    dry_run_ok: "Essai à blanc réussi\u{a0}: rien n'a encore été importé",
    import_done: "Importation faite",
    import_nothing_new: "Rien n'a changé\u{a0}: ces lignes étaient déjà importées",
    problems: "Problèmes, par ligne du fichier",
    line: "Ligne",
    column: "Colonne",
    problem: "Problème",
    unknown_worker: "Ce poste n'existe pas\u{a0}: crée-le d'abord dans «\u{a0}Comptes de l'équipe\u{a0}».",
    file_too_large: "Le fichier dépasse 1 Mo\u{a0}: importe-le avec la commande «\u{a0}carnet-server import\u{a0}».",
    file_not_text: "Le fichier n'est pas du texte UTF-8\u{a0}: enregistre le classeur en «\u{a0}CSV UTF-8\u{a0}».",
    no_connection: "Pas de réponse du serveur\u{a0}: vérifie la connexion.",
    not_allowed: "Réservé aux coordonnatrices\u{a0}: ce profil n'a pas ce droit.",
    server_failed: "Le serveur n'a pas pu répondre. Réessaie dans un moment.",
    bad_period: "Période invalide\u{a0}: vérifie les dates.",
};

pub const EN: CoordTexts = CoordTexts {
    lang: Lang::En,
    coordination_title: "Carnet — coordination",
    not_coordinator: "This profile is not a coordinator's. Pair this computer with a coordinator account.",
    team_accounts: "Team accounts",
    team_report: "Team report",
    worker_report: "One worker's report",
    whole_team: "The whole team",
    all_programs: "All programs",
    show_report: "Show report",
    download_csv: "Download CSV",
    print: "Print",
    annual_report: "Annual report",
    lists: "Lists",
    import: "Import",
    summary: "Summary",
    venues_visited_by_milieu: "Distinct venues visited, by setting",
    material: "Material given",
    referrals: "Referrals",
    activities: "Activities",
    activities_by_platform: "Activities by platform",
    sites_by_activity: "Distinct sites, by activity and platform",
    web_messages: "Web messages by platform and direction",
    web_persons: "Persons reached by platform and direction",
    web_persons_by_platform: "Persons reached by platform",
    web_messages_by_direction: "Web messages by direction",
    persons_by: "Persons by",
    interventions_by: "Interventions by",
    and: " and ",
    attr_program: "program",
    attr_milieu: "setting",
    attr_mode: "contact mode",
    attr_gender: "gender",
    attr_age_group: "age group",
    attr_status: "status",
    attr_occupation: "occupation",
    attr_reality: "topic",
    attr_type: "intervention type",
    attr_other: "other",
    sent: "Sent",
    received: "Received",
    direction_unknown: "Direction not given",
    total: "Total",
    difference: "Difference",
    programs_covered: "Programs covered",
    several_programs: "Several programs…",
    programs_ticked: "Programs chosen",
    tick_a_program: "Choose at least one program.",
    compare_with: "Compare with another period",
    compare_from: "Compare from",
    compare_to: "to",
    period_is: "Period:",
    programs_are: "Programs:",
    more_tables: "Interventions and web",
    cross_tables: "Cross-tables",
    no_cross_tables: "No cross-table for this period.",
    comparison: "Comparison",
    comparison_help: "Every row that is not zero in either period; the difference is the first minus the second (positive: a rise).",
    download_xlsx: "Download the spreadsheet (xlsx)",
    download_comparison_csv: "Comparison as CSV",
    download_comparison_xlsx: "Comparison as a spreadsheet (xlsx)",
    download_failed: "The download could not start in this browser.",
    year: "Year",
    report_period: "Period of the report",
    fiscal_year: "Fiscal year (April to March)",
    calendar_year: "Calendar year",
    sections: "Sections of the report",
    group: "group",
    compare_year_before: "Show the year before alongside",
    prepare_report: "Prepare the report",
    preparing: "Preparing the report…",
    no_data_for: "Nothing for this period:",
    covers: "Covers:",
    venues_visited: "Venues visited",
    venues_by_milieu: "Venues visited, by kind",
    distinct_sites: "Distinct sites",
    lists_help: "The lists the organisation keeps up to date. Each change makes the next version of the lists, in force at once on the server; phones get it at their next sync (offline, they keep theirs). A code is never removed: a retired entry is no longer offered, and past records stay valid.",
    list_venues: "Venues",
    list_sites: "Web sites",
    list_partners: "Partners",
    list_groups: "Program groups",
    list_empty: "This list is empty.",
    list_unchanged: "Nothing changed: the list was already like this.",
    name_fr: "Name (French)",
    name_en: "Name (English)",
    name_en_optional: "Name (English, optional)",
    milieu: "Setting",
    platform: "Platform",
    programs_of_group: "Programs in the group",
    state: "State",
    actions: "Actions",
    active: "Offered",
    retired: "Retired",
    edit: "Edit",
    retire: "Retire",
    restore: "Restore",
    delete: "Delete",
    save_changes: "Save",
    add: "Add",
    none_choice: "— none —",
    choose: "— choose —",
    name_required: "Give a French name.",
    platform_required: "Choose the site's platform.",
    programs_required: "Tick at least one program.",
    code_exists: "This name is in the list already. If it was retired, restore it instead.",
    code_kept: "A code is never removed: records, and phones not yet synced, may use it. Retire it instead: it will no longer be offered, and past records stay valid.",
    taxonomy_changed: "Someone else changed the lists meanwhile. They were just reloaded: check, then try again.",
    invalid_list_edit: "Change refused: check the name (not empty), the setting or the platform.",
    unknown_program: "One of the programs does not exist.",
    unknown_code: "This entry is no longer in the list: reload the page.",
    import_help: "A CSV file with a header row, one contact or activity per row; codes or French labels are both accepted. Check it first (dry run): nothing is imported, and every problem is named by its line number. Then the import is all or nothing, and importing the same file twice changes nothing.",
    csv_file: "CSV file",
    worker: "Worker",
    worker_help: "The account the rows will belong to (see “Team accounts”).",
    dry_run: "Check (dry run)",
    import_now: "Import the file",
    choose_file: "Choose a CSV file first.",
    choose_worker: "Name the worker.",
    file_unreadable: "This file could not be read.",
    dry_run_ok: "Dry run passed: nothing was imported yet",
    import_done: "Imported",
    import_nothing_new: "Nothing changed: these rows were imported before",
    problems: "Problems, by line of the file",
    line: "Line",
    column: "Column",
    problem: "Problem",
    unknown_worker: "No such worker: add it first in “Team accounts”.",
    file_too_large: "The file is over 1 MB: import it with the command “carnet-server import”.",
    file_not_text: "The file is not UTF-8 text: save the spreadsheet as “CSV UTF-8”.",
    no_connection: "No answer from the server: check the connection.",
    not_allowed: "For coordinators only: this profile may not do that.",
    server_failed: "The server could not answer. Try again in a moment.",
    bad_period: "Invalid period: check the dates.",
};

impl CoordTexts {
    pub(crate) fn fr(&self) -> bool {
        self.lang == Lang::Fr
    }

    /// What any request's failure means, when it is not about the request itself.
    pub(crate) fn common_error(&self, e: &ClientError) -> Option<String> {
        Some(
            match e {
                ClientError::Network | ClientError::Timeout | ClientError::Cancelled => {
                    self.no_connection
                }
                ClientError::Unauthorized | ClientError::Forbidden | ClientError::Expired => {
                    self.not_allowed
                }
                ClientError::RateLimited(s) => {
                    return Some(if self.fr() {
                        format!("Trop de demandes\u{a0}: réessaie dans {s} s.")
                    } else {
                        format!("Too many requests: try again in {s} s.")
                    });
                }
                ClientError::Server(_) | ClientError::Unreadable | ClientError::Unwritable => {
                    self.server_failed
                }
                ClientError::Refused(_) => return None,
            }
            .to_owned(),
        )
    }

    /// A report that could not be had.
    pub fn report_error(&self, e: &ClientError) -> String {
        if let Some(common) = self.common_error(e) {
            return common;
        }
        match e.code() {
            Some(ErrorCode::UnknownProgram) => self.unknown_program.to_owned(),
            Some(ErrorCode::InvalidQuery) => self.bad_period.to_owned(),
            _ => self.server_failed.to_owned(),
        }
    }

    /// « Enregistré : version 4 des listes, en vigueur … »
    pub fn list_saved(&self, version: u32) -> String {
        if self.fr() {
            format!(
                "Enregistré\u{a0}: la version {version} des listes est en vigueur. Les téléphones la recevront à leur prochaine synchronisation."
            )
        } else {
            format!(
                "Saved: version {version} of the lists is in force. Phones get it at their next sync."
            )
        }
    }

    pub fn lists_version(&self, version: u32) -> String {
        if self.fr() {
            format!("Version {version} des listes")
        } else {
            format!("Lists version {version}")
        }
    }

    /// « Ajouter — Lieux »
    pub fn add_to(&self, list: &str) -> String {
        if self.fr() {
            format!("Ajouter — {list}")
        } else {
            format!("Add — {list}")
        }
    }

    pub fn import_error(&self, e: &ClientError) -> String {
        if let Some(common) = self.common_error(e) {
            return common;
        }
        match e.code() {
            Some(ErrorCode::NotFound) => self.unknown_worker.to_owned(),
            Some(ErrorCode::PayloadTooLarge) => self.file_too_large.to_owned(),
            Some(ErrorCode::InvalidImport) => self.file_not_text.to_owned(),
            _ => self.server_failed.to_owned(),
        }
    }

    /// « 2 problèmes : rien n'est importé »
    pub fn import_refused(&self, problems: usize) -> String {
        let s = if problems > 1 { "s" } else { "" };
        if self.fr() {
            format!(
                "{problems} problème{s}\u{a0}: rien n'est importé tant que le fichier n'est pas corrigé"
            )
        } else {
            format!("{problems} problem{s}: nothing is imported until the file is fixed")
        }
    }

    /// « 430 lignes pour rdm-a : 430 rencontres, 0 activité »
    pub fn import_counts(
        &self,
        worker: &str,
        rows: usize,
        contacts: usize,
        activities: usize,
    ) -> String {
        if self.fr() {
            format!(
                "{rows} ligne{} pour «\u{a0}{worker}\u{a0}»\u{a0}: {contacts} rencontre{}, {activities} activité{}.",
                plural(rows),
                plural(contacts),
                plural(activities),
                rows = self.lang.count(rows as u64),
                contacts = self.lang.count(contacts as u64),
                activities = self.lang.count(activities as u64)
            )
        } else {
            format!(
                "{rows} rows for “{worker}”: {contacts} contacts, {activities} activities.",
                rows = self.lang.count(rows as u64),
                contacts = self.lang.count(contacts as u64),
                activities = self.lang.count(activities as u64)
            )
        }
    }

    /// A file with problems: what was read.
    pub fn rows_read(&self, rows: usize, valid: usize) -> String {
        if self.fr() {
            format!(
                "{rows} ligne{} lue{}, dont {valid} sans problème.",
                plural(rows),
                plural(rows),
                rows = self.lang.count(rows as u64),
                valid = self.lang.count(valid as u64)
            )
        } else {
            format!(
                "{rows} rows read, {valid} of them without a problem.",
                rows = self.lang.count(rows as u64),
                valid = self.lang.count(valid as u64)
            )
        }
    }

    /// What is (or would be) new, and what was there already.
    pub fn import_new(&self, dry_run: bool, new: usize, already: usize) -> String {
        match (self.fr(), dry_run) {
            (true, true) => format!(
                "{new} nouvelle{} ligne{} à importer\u{a0}; {already} déjà importée{}.",
                plural(new),
                plural(new),
                plural(already),
                new = self.lang.count(new as u64),
                already = self.lang.count(already as u64)
            ),
            (true, false) => format!(
                "{new} nouvelle{} ligne{} importée{}\u{a0}; {already} déjà là, laissée{} telle{} quelle{}.",
                plural(new),
                plural(new),
                plural(new),
                plural(already),
                plural(already),
                plural(already),
                new = self.lang.count(new as u64),
                already = self.lang.count(already as u64)
            ),
            (false, true) => format!(
                "{new} new rows to import; {already} imported before.",
                new = self.lang.count(new as u64),
                already = self.lang.count(already as u64)
            ),
            (false, false) => {
                format!(
                    "{new} new rows imported; {already} there already, left as they were.",
                    new = self.lang.count(new as u64),
                    already = self.lang.count(already as u64)
                )
            }
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n > 1 { "s" } else { "" }
}
