//! The strings of « Équipe » (`coordination::workers`) and of a period's completeness
//! (`coordination::completeness`), Québec French and English, one struct per language like
//! `i18n.rs`. Only the coordinator's app reaches them.

use carnet_core::completeness::Doubt;

use crate::i18n::Lang;

pub struct WorkerTexts {
    pub lang: Lang,
    pub title: &'static str,
    pub intro: &'static str,
    pub show: &'static str,
    pub worker: &'static str,
    pub interventions: &'static str,
    pub persons: &'static str,
    pub new_persons: &'static str,
    pub activities: &'static str,
    pub sent: &'static str,
    pub received: &'static str,
    pub team_total: &'static str,
    pub persons_note: &'static str,
    pub sort_by: &'static str,
    pub open_report: &'static str,
    pub no_worker: &'static str,
    pub download_csv: &'static str,
    pub download_xlsx: &'static str,
    // Completeness
    pub devices_title: &'static str,
    pub devices_intro: &'static str,
    pub complete: &'static str,
    pub lost_title: &'static str,
    pub lost_intro: &'static str,
    pub never: &'static str,
    pub last_sync: &'static str,
    pub waiting: &'static str,
    pub build: &'static str,
    pub build_current: &'static str,
    pub build_other: &'static str,
    pub build_unknown: &'static str,
    pub revoked: &'static str,
    pub expired: &'static str,
    pub checking: &'static str,
    pub check_failed: &'static str,
    pub of_active: &'static str,
    pub never_seen: &'static str,
}

pub fn workers(lang: Lang) -> &'static WorkerTexts {
    match lang {
        Lang::Fr => &FR,
        Lang::En => &EN,
    }
}

const FR: WorkerTexts = WorkerTexts {
    lang: Lang::Fr,
    title: "Équipe",
    intro: "Les chiffres de chaque intervenant·e pour la période et les volets choisis, côte à côte, avec ceux de l'équipe.",
    show: "Afficher les chiffres",
    worker: "Intervenant·e",
    interventions: "Interventions",
    persons: "Personnes",
    new_persons: "Nouvelles personnes",
    activities: "Activités",
    sent: "Messages web envoyés",
    received: "Messages web reçus",
    team_total: "Équipe",
    persons_note: "Personnes\u{a0}: une personne rencontrée par deux intervenant·e·s compte une seule fois pour l'équipe, le total n'est donc pas la somme des lignes. Toutes les autres colonnes s'additionnent.",
    sort_by: "Trier par",
    open_report: "Voir son rapport",
    no_worker: "Aucun·e intervenant·e.",
    download_csv: "Télécharger le tableau (CSV)",
    download_xlsx: "Télécharger le tableau (xlsx)",
    devices_title: "Appareils qui peuvent encore envoyer des contacts de la période",
    devices_intro: "Chaque téléphone dit, à chaque synchronisation, combien de contacts il garde encore (jamais lesquels). Un appareil qui n'a rien envoyé depuis la fin de la période peut encore en avoir.",
    complete: "Tous les appareils ont synchronisé après la fin de la période, sans contact de la période en attente\u{a0}: les chiffres sont complets.",
    lost_title: "Appareils révoqués ou expirés",
    lost_intro: "Ces appareils ne peuvent plus se connecter\u{a0}: les contacts qu'ils gardaient n'arriveront pas au serveur, à moins que le téléphone soit jumelé de nouveau.",
    never: "jamais",
    last_sync: "Dernière synchro",
    waiting: "En attente",
    build: "Version",
    build_current: "à jour",
    build_other: "pas la version du serveur",
    build_unknown: "inconnue (ancienne version)",
    revoked: "révoqué",
    expired: "expiré",
    checking: "Vérification des appareils…",
    check_failed: "Impossible de vérifier les appareils\u{a0}: les chiffres peuvent être incomplets.",
    of_active: "appareils actifs",
    never_seen: "Aucun appareil n'a jamais joint le serveur pour ces intervenant·e·s (un carnet tenu sur un téléphone jamais jumelé reste invisible au serveur)\u{a0}:",
};

const EN: WorkerTexts = WorkerTexts {
    lang: Lang::En,
    title: "Team",
    intro: "Each worker's figures for the chosen period and programs, side by side, with the team's.",
    show: "Show the figures",
    worker: "Worker",
    interventions: "Interventions",
    persons: "Persons",
    new_persons: "New persons",
    activities: "Activities",
    sent: "Web messages sent",
    received: "Web messages received",
    team_total: "Team",
    persons_note: "Persons: a person met by two workers counts once for the team, so the total is not the sum of the rows. Every other column adds up.",
    sort_by: "Sort by",
    open_report: "See their report",
    no_worker: "No worker.",
    download_csv: "Download the table (CSV)",
    download_xlsx: "Download the table (xlsx)",
    devices_title: "Devices that may still send records of the period",
    devices_intro: "At each sync, every phone says how many records it still holds (never which). A device that sent nothing since the period ended may still hold some.",
    complete: "Every device synced after the period ended, with no record of the period waiting: the figures are complete.",
    lost_title: "Revoked or expired devices",
    lost_intro: "These devices can no longer connect: the records they held will not reach the server unless the phone is paired again.",
    never: "never",
    last_sync: "Last sync",
    waiting: "Waiting",
    build: "Version",
    build_current: "up to date",
    build_other: "not the server's version",
    build_unknown: "unknown (older version)",
    revoked: "revoked",
    expired: "expired",
    checking: "Checking the devices…",
    check_failed: "The devices could not be checked: the figures may be incomplete.",
    of_active: "active devices",
    never_seen: "No device ever reached the server for these workers (records kept on a phone never paired stay out of the server's sight):",
};

impl WorkerTexts {
    /// One doubt, in plain words.
    pub fn doubt(&self, doubt: Doubt) -> &'static str {
        match (self.lang, doubt) {
            (Lang::Fr, Doubt::NeverSynced) => "n'a jamais synchronisé",
            (Lang::Fr, Doubt::NoReport) => "n'a jamais dit ce qu'il garde (ancienne version)",
            (Lang::Fr, Doubt::NotSyncedSinceEnd) => "n'a rien envoyé depuis la fin de la période",
            (Lang::Fr, Doubt::WaitingInPeriod) => "garde des contacts de la période",
            (Lang::Fr, Doubt::OtherBuild) => "n'a pas la version du serveur",
            (Lang::En, Doubt::NeverSynced) => "never synced",
            (Lang::En, Doubt::NoReport) => "never said what it holds (older version)",
            (Lang::En, Doubt::NotSyncedSinceEnd) => "sent nothing since the period ended",
            (Lang::En, Doubt::WaitingInPeriod) => "holds records of the period",
            (Lang::En, Doubt::OtherBuild) => "does not run the server's version",
        }
    }

    /// « 40 contacts depuis le 2 mars 2026 »
    pub fn waiting_since(&self, n: u32, since: Option<String>) -> String {
        let n = self.lang.count(u64::from(n));
        match (self.lang, since) {
            (Lang::Fr, Some(day)) => format!("{n} contact(s) depuis le {day}"),
            (Lang::Fr, None) => format!("{n} contact(s)"),
            (Lang::En, Some(day)) => format!("{n} record(s) since {day}"),
            (Lang::En, None) => format!("{n} record(s)"),
        }
    }

    /// The banner's first sentence, from the worst case down: « 2 appareils n'ont rien
    /// envoyé depuis le 15 mars 2026 », « 1 appareil garde des contacts de la période »…
    pub fn banner(
        &self,
        silent: usize,
        since: Option<String>,
        waiting: usize,
        others: usize,
        lost: usize,
        period: &str,
    ) -> String {
        let fr = self.lang == Lang::Fr;
        let devices = |n: usize| match (fr, n) {
            (true, 1) => "1 appareil".to_owned(),
            (true, n) => format!("{n} appareils"),
            (false, 1) => "1 device".to_owned(),
            (false, n) => format!("{n} devices"),
        };
        let mut parts = Vec::new();
        if silent > 0 {
            parts.push(match (fr, since) {
                (true, Some(day)) => format!(
                    "{} n'{} rien envoyé depuis le {day}",
                    devices(silent),
                    if silent > 1 { "ont" } else { "a" }
                ),
                (true, None) => format!(
                    "{} n'{} rien envoyé depuis la fin de la période",
                    devices(silent),
                    if silent > 1 { "ont" } else { "a" }
                ),
                (false, Some(day)) => format!("{} sent nothing since {day}", devices(silent)),
                (false, None) => format!("{} sent nothing since the period ended", devices(silent)),
            });
        }
        if waiting > 0 {
            parts.push(if fr {
                format!(
                    "{} {} des contacts de la période pas encore envoyés",
                    devices(waiting),
                    if waiting > 1 { "gardent" } else { "garde" }
                )
            } else {
                format!(
                    "{} still {} records of the period",
                    devices(waiting),
                    if waiting > 1 { "hold" } else { "holds" }
                )
            });
        }
        if others > 0 {
            parts.push(if fr {
                format!(
                    "{} {} jamais dit ce qu'{} gardent ou {} une ancienne version",
                    devices(others),
                    if others > 1 { "n'ont" } else { "n'a" },
                    if others > 1 { "ils" } else { "il" },
                    if others > 1 { "ont" } else { "a" }
                )
            } else {
                format!(
                    "{} never said what {} or {} an older version",
                    devices(others),
                    if others > 1 { "they hold" } else { "it holds" },
                    if others > 1 { "run" } else { "runs" }
                )
            });
        }
        if lost > 0 {
            parts.push(if fr {
                format!("{} révoqué(s) ou expiré(s) gardai{} des contacts de la période, qui n'arriveront pas", devices(lost), if lost > 1 { "ent" } else { "t" })
            } else {
                format!("{} revoked or expired held records of the period, which will not arrive", devices(lost))
            });
        }
        let joined = parts.join(if fr { " ; " } else { "; " });
        if fr {
            format!("{joined}\u{a0}: les chiffres de {period} peuvent être incomplets.")
        } else {
            format!("{joined}: the figures of {period} may be incomplete.")
        }
    }
}
