//! The PII guard on free-text notes.
//!
//! A note may say "a parlé de son logement", never how to reach or find someone. Notes
//! that look like they hold a phone number, an e-mail address, a web address or a social
//! media handle are refused, on the phone and again on the server. The rules err on the
//! side of refusing: the worker can always rephrase.

use serde::{Deserialize, Serialize};

/// Longest note accepted, in characters. A note is a reminder, not a case file.
pub const MAX_NOTE_CHARS: usize = 500;

/// Why a note was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoteProblem {
    PhoneNumber,
    Email,
    Url,
    Handle,
    TooLong,
}

/// Checks a note; `Ok` means it may be stored.
pub fn check_note(note: &str) -> Result<(), NoteProblem> {
    if note.chars().count() > MAX_NOTE_CHARS {
        return Err(NoteProblem::TooLong);
    }
    let lower = note.to_lowercase();
    if has_email(&lower) {
        return Err(NoteProblem::Email);
    }
    if has_url(&lower) {
        return Err(NoteProblem::Url);
    }
    if has_handle(&lower) {
        return Err(NoteProblem::Handle);
    }
    if has_phone(&lower) {
        return Err(NoteProblem::PhoneNumber);
    }
    Ok(())
}

fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| {
        c.is_whitespace() || matches!(c, ',' | ';' | '(' | ')' | '<' | '>' | '"' | '«' | '»')
    })
    .filter(|w| !w.is_empty())
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '+')
}

/// `x@y.z`, also with spaces or "(at)"/"[at]" tricks collapsed.
fn has_email(text: &str) -> bool {
    let mut collapsed = text.to_owned();
    for (from, to) in [
        (" (at) ", "@"),
        ("(at)", "@"),
        (" [at] ", "@"),
        ("[at]", "@"),
        (" at ", "@"),
        (" @ ", "@"),
        (" (dot) ", "."),
        ("(dot)", "."),
        (" [dot] ", "."),
        ("[dot]", "."),
        (" dot ", "."),
    ] {
        collapsed = collapsed.replace(from, to);
    }
    words(&collapsed).any(|w| {
        let Some((local, domain)) = w.split_once('@') else {
            return false;
        };
        let domain = domain.trim_end_matches(['.', '!', '?', ':']);
        !local.is_empty()
            && local.chars().all(is_name_char)
            && domain.contains('.')
            && domain
                .split('.')
                .all(|p| !p.is_empty() && p.chars().all(is_name_char))
    })
}

const TOP_LEVEL_DOMAINS: [&str; 14] = [
    "com", "ca", "net", "org", "qc.ca", "io", "me", "info", "fr", "co", "ly", "app", "xyz", "link",
];

/// `http://…`, `www.…`, or a bare `name.com`-like domain.
fn has_url(text: &str) -> bool {
    if text.contains("http://") || text.contains("https://") || text.contains("www.") {
        return true;
    }
    words(text).any(|w| {
        let w = w.trim_end_matches(['.', '!', '?', ':']);
        let Some((name, rest)) = w.split_once('.') else {
            return false;
        };
        let tld = rest.split('/').next().unwrap_or("");
        name.chars().any(char::is_alphabetic)
            && name.chars().all(is_name_char)
            && TOP_LEVEL_DOMAINS.contains(&tld)
    })
}

/// `@name`: Instagram, TikTok, Snapchat, X handles.
fn has_handle(text: &str) -> bool {
    words(text).any(|w| {
        w.strip_prefix('@').is_some_and(|rest| {
            rest.chars()
                .filter(|c| c.is_alphanumeric() || *c == '_')
                .count()
                >= 2
        })
    })
}

/// Ten or more digits in one run (separators allowed), or a local `555-0199` number.
fn has_phone(text: &str) -> bool {
    let mut groups: Vec<usize> = Vec::new();
    let mut digits_in_run = 0;
    let mut current = 0;
    let mut gap = 0;
    for c in text.chars().chain(std::iter::once('\n')) {
        if c.is_ascii_digit() {
            current += 1;
            digits_in_run += 1;
            gap = 0;
            continue;
        }
        if current > 0 {
            groups.push(current);
            current = 0;
        }
        let separator = matches!(c, ' ' | '-' | '.' | '(' | ')' | '+' | '/');
        gap += 1;
        if !separator || gap > 2 {
            if digits_in_run >= 10 || is_local_number(&groups) {
                return true;
            }
            digits_in_run = 0;
            groups.clear();
        }
    }
    false
}

/// Three digits then four, as a seven-digit local number is written.
fn is_local_number(groups: &[usize]) -> bool {
    groups.len() == 2 && groups[0] == 3 && groups[1] == 4 || groups == [7]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_notes() {
        for note in [
            "",
            "A parlé de son logement, à revoir jeudi.",
            "Rapport 2019-2020 mentionné; 3 enfants; 12 condoms.",
            "Suivi prévu à 21h30 au bar.",
            "Veut de l'info sur l'aide juridique (pas de dossier).",
            "Budget: 1500 $ par mois.",
            "Rencontre vers 23:45, très fatiguée.",
            "Question sur le test ITSS du 12/03.",
        ] {
            assert_eq!(check_note(note), Ok(()), "{note}");
        }
    }

    #[test]
    fn refuses_contact_details() {
        let cases = [
            ("Appelle-la au 418 555-0199", NoteProblem::PhoneNumber),
            ("tel 4185550199", NoteProblem::PhoneNumber),
            ("(418) 555-0199", NoteProblem::PhoneNumber),
            ("+1 418 555 0199", NoteProblem::PhoneNumber),
            ("cell: 555-0199", NoteProblem::PhoneNumber),
            ("555.0199 le soir", NoteProblem::PhoneNumber),
            ("écrire à personne.fictive@example.com", NoteProblem::Email),
            ("courriel: abc (at) example (dot) org", NoteProblem::Email),
            ("voir https://exemple.test/annonce", NoteProblem::Url),
            ("annonce sur www.exemple.ca", NoteProblem::Url),
            ("son site exemple.com", NoteProblem::Url),
            ("insta @fictive_22", NoteProblem::Handle),
        ];
        for (note, problem) in cases {
            assert_eq!(check_note(note), Err(problem), "{note}");
        }
    }

    #[test]
    fn refuses_overlong_notes() {
        assert_eq!(check_note(&"a".repeat(MAX_NOTE_CHARS)), Ok(()));
        assert_eq!(
            check_note(&"é".repeat(MAX_NOTE_CHARS + 1)),
            Err(NoteProblem::TooLong)
        );
    }
}
