//! The sync queue as a pure state machine.
//!
//! The app loads the ids of pending records, then loops: take a batch, send it, hand the
//! outcome back, persist the transitions it returns. A record becomes [`SyncState::Synced`]
//! only when the server's answer names it as stored or already held, which the server sends
//! after its commit; anything else leaves it pending, so a lost answer just means a resend,
//! and resends are idempotent on the server. Network I/O and storage stay with the caller.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::wire::{BatchResponse, RecordRejection, RecordStatus};

/// Where a record stands with the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SyncState {
    /// On the device only; will be sent at the next sync.
    Pending,
    /// The server acknowledged it durably.
    Synced,
    /// The server refused it; kept on the device, not resent automatically.
    Rejected { reason: String },
}

/// What came back for the batch in flight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BatchOutcome {
    /// `200`: per-record results.
    Acknowledged(BatchResponse),
    /// `422 invalid_records`: the server wrote nothing and named the bad records.
    InvalidRecords(Vec<RecordRejection>),
    /// No usable answer (offline, timeout, 401, 5xx, …): nothing is known to be stored.
    Failed(Failure),
}

/// Why a sync run stopped early.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Failure {
    /// The request did not reach the server or the answer did not come back.
    Network,
    /// The token was refused.
    Unauthorized,
    /// The server answered with an error or with something this client cannot read.
    Server,
}

/// A state change to persist for one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    pub id: Uuid,
    pub to: SyncState,
}

/// Totals of a run, for the message shown to the worker.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncSummary {
    pub synced: usize,
    pub rejected: usize,
    /// Still pending when the run ended (not sent, or not acknowledged).
    pub still_pending: usize,
    pub failure: Option<Failure>,
}

/// One sync run over the records pending when it started.
#[derive(Debug, Clone)]
pub struct SyncRun {
    queue: VecDeque<Uuid>,
    in_flight: Vec<Uuid>,
    max_batch: usize,
    summary: SyncSummary,
}

impl SyncRun {
    /// Starts a run over `pending` ids (oldest first), sending at most `max_batch` per request.
    pub fn new(pending: impl IntoIterator<Item = Uuid>, max_batch: usize) -> Self {
        SyncRun {
            queue: pending.into_iter().collect(),
            in_flight: Vec::new(),
            max_batch: max_batch.max(1),
            summary: SyncSummary::default(),
        }
    }

    /// The next ids to send, or `None` when the run is over (or a batch is still in flight).
    pub fn next_batch(&mut self) -> Option<&[Uuid]> {
        if !self.in_flight.is_empty() || self.queue.is_empty() || self.summary.failure.is_some() {
            return None;
        }
        let n = self.max_batch.min(self.queue.len());
        self.in_flight = self.queue.drain(..n).collect();
        Some(&self.in_flight)
    }

    /// Takes the outcome of the batch in flight and returns the transitions to persist.
    pub fn settle(&mut self, outcome: BatchOutcome) -> Vec<Transition> {
        let sent = std::mem::take(&mut self.in_flight);
        match outcome {
            BatchOutcome::Acknowledged(response) => self.acknowledged(&sent, &response),
            BatchOutcome::InvalidRecords(rejections) => self.invalid(sent, &rejections),
            BatchOutcome::Failed(failure) => {
                self.halt(failure, sent.len());
                Vec::new()
            }
        }
    }

    fn acknowledged(&mut self, sent: &[Uuid], response: &BatchResponse) -> Vec<Transition> {
        let mut transitions = Vec::new();
        for id in sent {
            // Only the server's word about this very id moves it; an id missing from the
            // answer stays pending and goes out again at the next sync.
            let status = response
                .results
                .iter()
                .find(|r| r.id == *id)
                .map(|r| r.status);
            let to = match status {
                Some(RecordStatus::Stored | RecordStatus::Duplicate) => {
                    self.summary.synced += 1;
                    SyncState::Synced
                }
                Some(RecordStatus::Conflict) => {
                    self.summary.rejected += 1;
                    SyncState::Rejected {
                        reason: "conflict".into(),
                    }
                }
                None => {
                    self.summary.still_pending += 1;
                    continue;
                }
            };
            transitions.push(Transition { id: *id, to });
        }
        transitions
    }

    fn invalid(&mut self, sent: Vec<Uuid>, rejections: &[RecordRejection]) -> Vec<Transition> {
        let mut transitions = Vec::new();
        for rejection in rejections {
            let Some(&id) = sent.get(rejection.index) else {
                continue;
            };
            if rejection.id.is_some_and(|named| named != id)
                || transitions.iter().any(|t: &Transition| t.id == id)
            {
                continue;
            }
            let reason = rejection
                .errors
                .iter()
                .map(|e| {
                    let code = serde_json::to_value(e.reason)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default();
                    format!("{}:{}", e.field, code)
                })
                .collect::<Vec<_>>()
                .join(",");
            transitions.push(Transition {
                id,
                to: SyncState::Rejected { reason },
            });
        }
        if transitions.is_empty() {
            // The server refused the batch without naming any record we sent: resending
            // would loop forever, so stop and keep everything pending.
            self.halt(Failure::Server, sent.len());
            return transitions;
        }
        self.summary.rejected += transitions.len();
        // The others were valid but not written (the server writes all or nothing):
        // send them again first.
        for id in sent.into_iter().rev() {
            if !transitions.iter().any(|t| t.id == id) {
                self.queue.push_front(id);
            }
        }
        transitions
    }

    fn halt(&mut self, failure: Failure, in_flight: usize) {
        self.summary.failure = Some(failure);
        self.summary.still_pending += in_flight + self.queue.len();
        self.queue.clear();
    }

    /// Totals so far; final once [`SyncRun::next_batch`] returns `None`.
    pub fn summary(&self) -> SyncSummary {
        self.summary
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{FieldError, Reason};
    use crate::wire::RecordResult;

    fn ids(n: u128) -> Vec<Uuid> {
        (1..=n).map(Uuid::from_u128).collect()
    }

    fn ack(sent: &[Uuid], status: RecordStatus) -> BatchOutcome {
        BatchOutcome::Acknowledged(BatchResponse {
            results: sent
                .iter()
                .map(|&id| RecordResult {
                    id,
                    version: 1,
                    status,
                })
                .collect(),
        })
    }

    #[test]
    fn batches_everything_in_order_and_marks_acknowledged_as_synced() {
        let mut run = SyncRun::new(ids(5), 2);
        let mut sizes = Vec::new();
        let mut synced = Vec::new();
        while let Some(batch) = run.next_batch() {
            let batch = batch.to_vec();
            sizes.push(batch.len());
            let status = if batch[0] == Uuid::from_u128(3) {
                RecordStatus::Duplicate
            } else {
                RecordStatus::Stored
            };
            for t in run.settle(ack(&batch, status)) {
                assert_eq!(t.to, SyncState::Synced);
                synced.push(t.id);
            }
        }
        assert_eq!(sizes, vec![2, 2, 1]);
        assert_eq!(synced, ids(5));
        assert_eq!(run.summary().synced, 5);
        assert_eq!(run.summary().still_pending, 0);
    }

    #[test]
    fn only_one_batch_in_flight_at_a_time() {
        let mut run = SyncRun::new(ids(4), 2);
        assert!(run.next_batch().is_some());
        assert!(run.next_batch().is_none());
    }

    #[test]
    fn a_network_failure_stops_the_run_and_moves_nothing() {
        let mut run = SyncRun::new(ids(5), 2);
        let first = run.next_batch().unwrap().to_vec();
        assert_eq!(run.settle(ack(&first, RecordStatus::Stored)).len(), 2);
        run.next_batch().unwrap();
        assert!(
            run.settle(BatchOutcome::Failed(Failure::Network))
                .is_empty()
        );
        assert!(run.next_batch().is_none());
        let s = run.summary();
        assert_eq!((s.synced, s.still_pending), (2, 3));
        assert_eq!(s.failure, Some(Failure::Network));
    }

    #[test]
    fn records_missing_from_the_answer_stay_pending() {
        let mut run = SyncRun::new(ids(3), 3);
        let batch = run.next_batch().unwrap().to_vec();
        // The server answers for the first id only, and for an id we never sent.
        let outcome = BatchOutcome::Acknowledged(BatchResponse {
            results: vec![
                RecordResult {
                    id: batch[0],
                    version: 1,
                    status: RecordStatus::Stored,
                },
                RecordResult {
                    id: Uuid::from_u128(99),
                    version: 1,
                    status: RecordStatus::Stored,
                },
            ],
        });
        let transitions = run.settle(outcome);
        assert_eq!(
            transitions,
            vec![Transition {
                id: batch[0],
                to: SyncState::Synced
            }]
        );
        assert!(run.next_batch().is_none());
        assert_eq!(run.summary().still_pending, 2);
    }

    #[test]
    fn a_conflict_is_kept_on_the_device_as_rejected() {
        let mut run = SyncRun::new(ids(1), 10);
        let batch = run.next_batch().unwrap().to_vec();
        let t = run.settle(ack(&batch, RecordStatus::Conflict));
        assert_eq!(
            t[0].to,
            SyncState::Rejected {
                reason: "conflict".into()
            }
        );
        assert_eq!(run.summary().rejected, 1);
    }

    #[test]
    fn invalid_records_are_set_aside_and_the_rest_resent() {
        let mut run = SyncRun::new(ids(3), 3);
        let batch = run.next_batch().unwrap().to_vec();
        let rejection = RecordRejection {
            index: 1,
            id: Some(batch[1]),
            errors: vec![FieldError {
                field: "milieu".into(),
                reason: Reason::UnknownCode,
            }],
        };
        let t = run.settle(BatchOutcome::InvalidRecords(vec![rejection]));
        assert_eq!(
            t,
            vec![Transition {
                id: batch[1],
                to: SyncState::Rejected {
                    reason: "milieu:unknown_code".into()
                }
            }]
        );
        let again = run.next_batch().unwrap().to_vec();
        assert_eq!(again, vec![batch[0], batch[2]]);
        assert_eq!(run.settle(ack(&again, RecordStatus::Stored)).len(), 2);
        assert!(run.next_batch().is_none());
        assert_eq!((run.summary().synced, run.summary().rejected), (2, 1));
    }

    #[test]
    fn a_rejection_naming_nothing_we_sent_halts_instead_of_looping() {
        let mut run = SyncRun::new(ids(2), 2);
        run.next_batch().unwrap();
        let bogus = RecordRejection {
            index: 7,
            id: None,
            errors: vec![],
        };
        assert!(
            run.settle(BatchOutcome::InvalidRecords(vec![bogus]))
                .is_empty()
        );
        assert!(run.next_batch().is_none());
        assert_eq!(run.summary().failure, Some(Failure::Server));
        assert_eq!(run.summary().still_pending, 2);
    }

    #[test]
    fn a_rejection_whose_id_disagrees_with_its_index_is_ignored() {
        let mut run = SyncRun::new(ids(2), 2);
        let batch = run.next_batch().unwrap().to_vec();
        let wrong = RecordRejection {
            index: 0,
            id: Some(batch[1]),
            errors: vec![],
        };
        assert!(
            run.settle(BatchOutcome::InvalidRecords(vec![wrong]))
                .is_empty()
        );
        assert_eq!(run.summary().failure, Some(Failure::Server));
    }
}
