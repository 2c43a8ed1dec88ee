//! The form being filled, kept sealed so that locking never loses it: Escape is the quick
//! exit on every screen, and a worker who presses it by accident (or whose phone locks by
//! itself) finds the form as it was after the next unlock.
//!
//! A form seals its draft again at every change and stores it in `localStorage`; leaving
//! the form while unlocked (saving, « Annuler », another screen) removes it. The draft is
//! written as the record it would become, its missing choices empty, through the records'
//! own codec (`storage::codec::BodyCodec`: AES-GCM under the profile's data key): sealed like the
//! records, and no second way of writing one in the download. Sealing starts at the change,
//! while the key is in memory, so a lock that follows at once still finds it written. The
//! alias typed for a person code is never part of it: it is never stored at all.

use std::cell::{Cell, RefCell};

use carnet_core::{Activity, ActivityDraft, Contact, ContactDraft, Record};
use uuid::Uuid;

use crate::storage::codec::BodyCodec;
use crate::{local_store, platform};

/// A record form as the worker left it, and the record it corrects, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormDraft {
    Contact {
        editing: Option<Uuid>,
        draft: ContactDraft,
    },
    Activity {
        editing: Option<Uuid>,
        draft: ActivityDraft,
    },
}

impl FormDraft {
    /// The record this draft would become, with an empty code for each choice still to
    /// make and the nil id for a new record.
    fn as_record(&self) -> Record {
        let text = |value: &Option<String>| value.clone().unwrap_or_default();
        match self {
            FormDraft::Contact { editing, draft: d } => Record::Contact(Contact {
                id: editing.unwrap_or_default(),
                version: 1,
                deleted: false,
                taxonomy_version: 0,
                occurred_at: platform::now(),
                program: text(&d.program),
                milieu: text(&d.milieu),
                venue: d.venue.clone(),
                mode: text(&d.mode),
                platform: d.platform.clone(),
                direction: d.direction,
                age_group: text(&d.age_group),
                gender: text(&d.gender),
                status: d.status.clone(),
                occupation: d.occupation.clone(),
                first_contact: d.first_contact,
                person_code: d.person_code.clone(),
                realities: d.realities.clone(),
                intervention_types: d.intervention_types.clone(),
                material: d.material.clone(),
                referrals: d.referrals.clone(),
                note: d.note.clone(),
            }),
            FormDraft::Activity { editing, draft: d } => Record::Activity(Activity {
                id: editing.unwrap_or_default(),
                version: 1,
                deleted: false,
                taxonomy_version: 0,
                occurred_at: platform::now(),
                program: text(&d.program),
                activity: text(&d.activity),
                milieu: d.milieu.clone(),
                venue: d.venue.clone(),
                platform: d.platform.clone(),
                site: d.site.clone(),
                head_count: d.head_count,
                material: d.material.clone(),
                note: d.note.clone(),
            }),
        }
    }

    /// The draft written by [`FormDraft::as_record`].
    fn from_record(record: &Record) -> FormDraft {
        let editing = Some(record.id()).filter(|id| !id.is_nil());
        let chosen = |value: &mut Option<String>| {
            if value.as_deref() == Some("") {
                *value = None;
            }
        };
        match record {
            Record::Contact(c) => {
                let mut draft = ContactDraft::from(c);
                for value in [
                    &mut draft.program,
                    &mut draft.milieu,
                    &mut draft.mode,
                    &mut draft.age_group,
                    &mut draft.gender,
                ] {
                    chosen(value);
                }
                FormDraft::Contact { editing, draft }
            }
            Record::Activity(a) => {
                let mut draft = ActivityDraft::from(a);
                chosen(&mut draft.program);
                chosen(&mut draft.activity);
                FormDraft::Activity { editing, draft }
            }
        }
    }
}

thread_local! {
    /// Counts every change and removal: a seal still running writes only if nothing came
    /// after it, so an older draft never replaces a newer one or comes back after a save.
    static LATEST: Cell<u64> = const { Cell::new(0) };
    /// The draft opened at unlock, until its form takes it (`take_reopened`) or the
    /// profile locks (`forget_reopened`, from `OpenProfile::clear`). Here rather than in
    /// `OpenProfile`: the start-up module holds the context, and would carry the code to
    /// drop a draft it never has.
    static REOPENED: RefCell<Option<FormDraft>> = const { RefCell::new(None) };
}

fn key(profile: Uuid) -> String {
    format!("carnet.draft.{profile}")
}

fn next() -> u64 {
    LATEST.with(|l| {
        l.set(l.get() + 1);
        l.get()
    })
}

/// Seals `draft` and stores it as `profile`'s form being filled.
pub fn keep(profile: Uuid, draft: &FormDraft) {
    let record = draft.as_record();
    let this = next();
    wasm_bindgen_futures::spawn_local(async move {
        if let Ok(sealed) = BodyCodec.encode(&record).await
            && LATEST.with(Cell::get) == this
        {
            local_store::set(&key(profile), &sealed);
        }
    });
}

/// Forgets `profile`'s form being filled (it was saved, or left on purpose).
pub fn discard(profile: Uuid) {
    next();
    local_store::remove(&key(profile));
}

/// Opens `profile`'s form being filled when it was locked (with the unlocked key) and
/// keeps it for its form; returns it, `None` if there is none or it cannot be opened.
pub async fn reopen(profile: Uuid) -> Option<FormDraft> {
    let sealed: String = local_store::get(&key(profile))?;
    let record = BodyCodec.decode(&sealed).await.ok()?;
    let draft = FormDraft::from_record(&record);
    REOPENED.with(|r| *r.borrow_mut() = Some(draft.clone()));
    Some(draft)
}

/// The draft [`reopen`] opened, for the form it belongs to (once).
pub fn take_reopened() -> Option<FormDraft> {
    REOPENED.with(|r| r.borrow_mut().take())
}

/// Drops the draft [`reopen`] opened (locking: nothing of it stays in memory).
pub fn forget_reopened() {
    REOPENED.with(|r| r.borrow_mut().take());
}
