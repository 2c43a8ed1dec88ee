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
//! It also carries when the oldest record waiting to be sent happened, so that the banner
//! about records waiting too long is there from the first paint; the full read and the end
//! of a sync run rewrite it when it changed.
//! Only a day number, that time and ids are in it, and sealed: the store shows no date in
//! clear.

use std::cell::RefCell;

use chrono::{Datelike, NaiveDate};
use uuid::Uuid;

/// The hint's key: after every row (`~` sorts above hex digits), every block (`~block:`)
/// and the sync log (`~log:`), so no range of theirs reads it.
pub(super) const KEY: &str = "~today";

/// The ids of one day's rows, and when the oldest record waiting to be sent happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint {
    pub day: NaiveDate,
    pub ids: Vec<Uuid>,
    /// The oldest waiting record's time (ms since the epoch): the banner about records
    /// waiting too long shows from the first paint, instead of appearing a second later
    /// with every row and pushing the day's screen down under the worker's thumb.
    pub waiting_since: Option<i64>,
}

impl Hint {
    /// The plain text sealed: the day as days from the common era, then `w` and the oldest
    /// waiting record's time if any, then the ids, spaces between (no serde: this module
    /// must not grow the download).
    pub fn to_text(&self) -> String {
        let mut text = self.day.num_days_from_ce().to_string();
        if let Some(ms) = self.waiting_since {
            text.push_str(" w");
            text.push_str(&ms.to_string());
        }
        for id in &self.ids {
            text.push(' ');
            text.push_str(&id.to_string());
        }
        text
    }

    /// The hint in `text`; `None` when it is not one. A hint written before the waiting
    /// time was kept has none: the banner then waits for every row, as it did.
    pub fn from_text(text: &str) -> Option<Hint> {
        let mut words = text.split(' ');
        let day = NaiveDate::from_num_days_from_ce_opt(words.next()?.parse().ok()?)?;
        let mut hint = Hint {
            day,
            ids: Vec::new(),
            waiting_since: None,
        };
        // An id is hexadecimal: never `w…`.
        for word in words {
            match word.strip_prefix('w') {
                Some(ms) => hint.waiting_since = Some(ms.parse().ok()?),
                None => hint.ids.push(Uuid::parse_str(word).ok()?),
            }
        }
        Some(hint)
    }

    /// The hint once a record of `record_day` with `id` is written on `today`, waiting to
    /// be sent since `waiting` (`None` when the write leaves it sent); `None` when the
    /// hint stays as it is.
    ///
    /// A write never makes the waiting time later: when it was the oldest waiting record
    /// that got settled, the hint says « older » until the next full read or sync rewrites
    /// it, and the banner shows a moment too long, never too late.
    pub fn after_write(
        &self,
        today: NaiveDate,
        id: Uuid,
        record_day: NaiveDate,
        waiting: Option<i64>,
    ) -> Option<Hint> {
        let mut next = self.clone();
        if record_day == today {
            if next.day != today {
                next.day = today;
                next.ids.clear();
            }
            if !next.ids.contains(&id) {
                next.ids.push(id);
            }
        } else if next.day == today {
            next.ids.retain(|x| *x != id);
        }
        // Any other day's hint says « none today », still true: its ids stay as they are.
        if let Some(ms) = waiting {
            next.waiting_since = Some(next.waiting_since.map_or(ms, |w| w.min(ms)));
        }
        (next != *self).then_some(next)
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
