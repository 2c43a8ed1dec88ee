//! What a batch does to the database, decided once for both backends.
//!
//! Each backend reads what it holds for the batch's ids (the owner of each id, the stored
//! body of each (id, version)), calls [`decide`], inserts the rows it names, and answers
//! with the statuses. Being one pure function, the rules cannot drift between SQLite and
//! PostgreSQL.

use std::collections::HashMap;

use carnet_core::Record;
use carnet_core::wire::{RecordResult, RecordStatus};
use uuid::Uuid;

use super::records;

/// One record of a batch, in the form the database keeps.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub uuid: Uuid,
    pub id: String,
    pub version: u32,
    pub deleted: bool,
    /// The canonical JSON (réalités sorted, zero counts dropped): what "same content" means.
    pub body: String,
    /// Its local day, as the `local_date` column keeps it ([`records::local_date`]).
    pub local_date: Option<String>,
}

/// Canonical bodies of a batch's records, in order.
pub fn prepare(records: &[Record]) -> Result<Vec<Prepared>, serde_json::Error> {
    records
        .iter()
        .map(|record| {
            Ok(Prepared {
                uuid: record.id(),
                id: record.id().to_string(),
                version: record.version(),
                deleted: record.deleted(),
                body: serde_json::to_string(&record.clone().normalized())?,
                local_date: records::local_date(record.local_date()),
            })
        })
        .collect()
}

/// What the database holds for a batch's ids.
#[derive(Debug, Default)]
pub struct Held {
    /// The worker owning each id already stored.
    pub owners: HashMap<String, i64>,
    /// The body stored under each (id, version) of the batch that exists.
    pub bodies: HashMap<(String, u32), String>,
}

/// The outcome: a status per record, in request order, and which records to insert.
#[derive(Debug, PartialEq, Eq)]
pub struct Decision {
    pub statuses: Vec<RecordStatus>,
    /// Indexes into the batch of the records to insert (stored).
    pub inserts: Vec<usize>,
    /// Indexes of inserted records whose id had no owner yet (the owner row to add).
    pub new_owners: Vec<usize>,
}

/// Applies the rules record by record, in order, as if each were stored before the next:
/// an id owned by another worker → conflict; an (id, version) held with the same body →
/// duplicate, with another body → conflict; otherwise stored.
pub fn decide(worker: i64, batch: &[Prepared], mut held: Held) -> Decision {
    let mut decision = Decision {
        statuses: Vec::with_capacity(batch.len()),
        inserts: Vec::new(),
        new_owners: Vec::new(),
    };
    for (index, record) in batch.iter().enumerate() {
        let owner = held.owners.get(&record.id).copied();
        let key = (record.id.clone(), record.version);
        let status = match (owner, held.bodies.get(&key)) {
            (Some(w), _) if w != worker => RecordStatus::Conflict,
            (_, Some(stored)) if *stored == record.body => RecordStatus::Duplicate,
            (_, Some(_)) => RecordStatus::Conflict,
            (_, None) => {
                if owner.is_none() {
                    held.owners.insert(record.id.clone(), worker);
                    decision.new_owners.push(index);
                }
                held.bodies.insert(key, record.body.clone());
                decision.inserts.push(index);
                RecordStatus::Stored
            }
        };
        decision.statuses.push(status);
    }
    decision
}

/// The answer for a batch once its statuses are final.
pub fn results(batch: &[Prepared], statuses: &[RecordStatus]) -> Vec<RecordResult> {
    batch
        .iter()
        .zip(statuses)
        .map(|(record, status)| RecordResult {
            id: record.uuid,
            version: record.version,
            status: *status,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use RecordStatus::*;

    fn rec(n: u8, version: u32, body: &str) -> Prepared {
        let uuid = Uuid::from_u128(u128::from(n));
        Prepared {
            uuid,
            id: uuid.to_string(),
            version,
            deleted: false,
            body: body.into(),
            local_date: None,
        }
    }

    #[test]
    fn new_records_are_stored_and_claim_their_id() {
        let batch = [rec(1, 1, "a"), rec(2, 1, "b")];
        let d = decide(7, &batch, Held::default());
        assert_eq!(d.statuses, [Stored, Stored]);
        assert_eq!(d.inserts, [0, 1]);
        assert_eq!(d.new_owners, [0, 1]);
    }

    #[test]
    fn resends_are_duplicates_and_other_content_conflicts() {
        let mut held = Held::default();
        held.owners.insert(rec(1, 1, "").id, 7);
        held.bodies.insert((rec(1, 1, "").id, 1), "a".into());
        let batch = [rec(1, 1, "a"), rec(1, 1, "changed"), rec(1, 2, "b")];
        let d = decide(7, &batch, held);
        assert_eq!(d.statuses, [Duplicate, Conflict, Stored]);
        assert_eq!(d.inserts, [2]);
        assert!(d.new_owners.is_empty());
    }

    #[test]
    fn another_workers_id_is_a_conflict_whatever_the_version() {
        let mut held = Held::default();
        held.owners.insert(rec(1, 1, "").id, 8);
        held.bodies.insert((rec(1, 1, "").id, 1), "a".into());
        let d = decide(7, &[rec(1, 1, "a"), rec(1, 2, "b")], held);
        assert_eq!(d.statuses, [Conflict, Conflict]);
        assert!(d.inserts.is_empty());
    }

    #[test]
    fn a_record_repeated_inside_one_batch_is_stored_once() {
        let batch = [
            rec(1, 1, "a"),
            rec(1, 1, "a"),
            rec(1, 1, "x"),
            rec(1, 2, "b"),
        ];
        let d = decide(7, &batch, Held::default());
        assert_eq!(d.statuses, [Stored, Duplicate, Conflict, Stored]);
        assert_eq!(d.inserts, [0, 3]);
        assert_eq!(d.new_owners, [0]);
    }
}
