//! The day's hint: which rows hold today's records, so that unlocking opens those first.
//!
//! A phone whose records wait (never paired, or its server out of reach for weeks) keeps
//! each one in a row of its own, and opening 5 000 rows one WebCrypto call at a time took
//! seconds before the day's screen. The hint is one value, keyed [`KEY`] in the records
//! store (above rows, blocks and the sync log) and sealed like a body, naming the day and
//! the ids of that day's rows. The unlock opens it and those rows, shows the day, and
//! reads every row after ([`super::RecordStore::load_first`]; a phone with few rows reads
//! them all first, which costs no more).
//!
//! It is only a hint: everything else (the queue, « Mes chiffres », a backup) waits for
//! every row, and the full read after the day's screen rewrites a hint that was wrong
//! (a build that predates it wrote a row, say). It is kept true where rows are written:
//! [`super::RecordStore::write`] puts it in the same transaction as the row, checking that
//! nobody rewrote it since this window read it; when somebody did (another window), the
//! hint is deleted instead, and the next unlock reads every row first, as it did before.
//! Only a day number and ids are in it, and sealed: the store shows no date in clear.

use std::cell::RefCell;

use chrono::{Datelike, NaiveDate};
use uuid::Uuid;

/// The hint's key: after every row (`~` sorts above hex digits), every block (`~block:`)
/// and the sync log (`~log:`), so no range of theirs reads it.
pub(super) const KEY: &str = "~today";

/// The ids of one day's rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint {
    pub day: NaiveDate,
    pub ids: Vec<Uuid>,
}

impl Hint {
    /// The plain text sealed: the day as days from the common era, then the ids, spaces
    /// between (no serde: this module must not grow the download).
    pub fn to_text(&self) -> String {
        let mut text = self.day.num_days_from_ce().to_string();
        for id in &self.ids {
            text.push(' ');
            text.push_str(&id.to_string());
        }
        text
    }

    /// The hint in `text`; `None` when it is not one.
    pub fn from_text(text: &str) -> Option<Hint> {
        let mut words = text.split(' ');
        let day = NaiveDate::from_num_days_from_ce_opt(words.next()?.parse().ok()?)?;
        let ids = words
            .map(|w| Uuid::parse_str(w).ok())
            .collect::<Option<_>>()?;
        Some(Hint { day, ids })
    }

    /// The hint once a record of `record_day` with `id` is written on `today`; `None` when
    /// it stays as it is.
    pub fn after_write(&self, today: NaiveDate, id: Uuid, record_day: NaiveDate) -> Option<Hint> {
        let mut next = if self.day == today {
            self.clone()
        } else {
            Hint {
                day: today,
                ids: Vec::new(),
            }
        };
        let held = next.ids.contains(&id);
        match (record_day == today, held) {
            (true, false) => next.ids.push(id),
            (false, true) => next.ids.retain(|x| *x != id),
            _ => {}
        }
        (next != *self && (next.day == self.day || !next.ids.is_empty())).then_some(next)
    }
}

/// What this window knows of a database's stored hint.
#[derive(Debug, Clone)]
pub(super) enum Known {
    /// Not read by this window: a write then deletes any stored hint.
    Unknown,
    /// No hint is stored.
    Absent,
    /// The stored value, sealed as it is, and what it says.
    Stored { sealed: String, hint: Hint },
}

thread_local! {
    static KNOWN: RefCell<(String, Known)> = const { RefCell::new((String::new(), Known::Unknown)) };
}

/// What this window knows of `db_name`'s hint.
pub(super) fn known(db_name: &str) -> Known {
    KNOWN.with(|k| {
        let k = k.borrow();
        if k.0 == db_name {
            k.1.clone()
        } else {
            Known::Unknown
        }
    })
}

/// Remembers `db_name`'s hint as stored now.
pub(super) fn remember(db_name: &str, known: Known) {
    KNOWN.with(|k| *k.borrow_mut() = (db_name.to_owned(), known));
}
