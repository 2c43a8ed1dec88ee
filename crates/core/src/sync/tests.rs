use std::collections::BTreeMap;

use proptest::prelude::*;

use super::*;
use crate::record::tests::contact;
use crate::record::{FieldError, Reason};
use crate::wire::RecordResult;

fn ids(n: u128) -> Vec<Uuid> {
    (1..=n).map(Uuid::from_u128).collect()
}

fn stamp(version: u32, digest: &str) -> Stamp {
    Stamp {
        version,
        digest: digest.into(),
    }
}

fn ack_all(stamps: &[(Uuid, Stamp)], status: RecordStatus) -> BatchOutcome {
    BatchOutcome::Acknowledged(BatchResponse {
        results: stamps
            .iter()
            .map(|(id, s)| RecordResult {
                id: *id,
                version: s.version,
                status,
            })
            .collect(),
    })
}

/// Runs `next_step` until it sends, marking every id at version 1.
fn send(run: &mut SyncRun) -> Vec<(Uuid, Stamp)> {
    match run.next_step() {
        Step::Send(batch) => {
            let stamps: Vec<_> = batch.iter().map(|id| (*id, stamp(1, "d"))).collect();
            run.marked(stamps.clone());
            stamps
        }
        other => panic!("expected a batch, got {other:?}"),
    }
}

#[test]
fn batches_everything_in_order_and_acknowledges_what_was_sent() {
    let mut run = SyncRun::new(ids(5), 2);
    let mut sizes = Vec::new();
    let mut held = Vec::new();
    while let Step::Send(batch) = run.next_step() {
        let stamps: Vec<_> = batch.iter().map(|id| (*id, stamp(1, "d"))).collect();
        run.marked(stamps.clone());
        sizes.push(batch.len());
        for t in run.settle(ack_all(&stamps, RecordStatus::Stored), 0.5) {
            assert_eq!(t.outcome, Outcome::Held);
            held.push(t.id);
        }
    }
    assert_eq!(sizes, vec![2, 2, 1]);
    assert_eq!(held, ids(5));
    assert_eq!(run.summary().synced, 5);
    assert_eq!(run.summary().still_pending, 0);
}

/// Sends one batch of a growing run, answered after `ms` with `outcome_of(stamps)`;
/// returns the batch's size.
fn answer_after(
    run: &mut SyncRun,
    ms: u64,
    outcome_of: impl FnOnce(&[(Uuid, Stamp)]) -> BatchOutcome,
) -> usize {
    let stamps = send(run);
    run.answered_in(ms);
    let outcome = outcome_of(&stamps);
    run.settle(outcome, 0.5);
    stamps.len()
}

#[test]
fn requests_grow_while_answers_are_fast_and_shrink_when_slow_or_lost() {
    let mut run = SyncRun::growing(ids(2_000), 100, 10, 400);
    let fast = |s: &[(Uuid, Stamp)]| ack_all(s, RecordStatus::Stored);
    let sizes: Vec<usize> = [500, 1_500, 2_000, 1_900]
        .into_iter()
        .map(|ms| answer_after(&mut run, ms, fast))
        .collect();
    assert_eq!(sizes, [100, 200, 400, 400], "doubles up to the maximum");
    assert_eq!(answer_after(&mut run, 9_000, fast), 400);
    assert_eq!(
        run.batch_size(),
        200,
        "a slow answer halves the next request"
    );
    assert_eq!(answer_after(&mut run, 3_000, fast), 200);
    assert_eq!(run.batch_size(), 200, "between fast and slow, it stays");
    // Lost: the same records go again, fewer at a time, oldest first.
    let lost = send(&mut run);
    run.settle(BatchOutcome::Failed(Failure::Network), 0.5);
    assert!(matches!(run.next_step(), Step::Wait { .. }));
    let again = send(&mut run);
    assert_eq!(again.len(), 100);
    assert_eq!(again[..], lost[..100]);
    for _ in 0..5 {
        run.settle(BatchOutcome::Failed(Failure::Network), 0.5);
        assert!(matches!(run.next_step(), Step::Wait { .. }) || run.summary().failure.is_some());
        if run.summary().failure.is_some() {
            break;
        }
        send(&mut run);
    }
    assert!(run.batch_size() >= 10, "never under the floor");
}

#[test]
fn the_last_short_batch_or_an_untimed_answer_does_not_grow_requests() {
    let mut run = SyncRun::growing(ids(150), 100, 10, 400);
    let fast = |s: &[(Uuid, Stamp)]| ack_all(s, RecordStatus::Stored);
    assert_eq!(answer_after(&mut run, 100, fast), 100);
    assert_eq!(answer_after(&mut run, 100, fast), 50);
    assert_eq!(run.batch_size(), 200, "50 of 200 is not a full request");
    let mut fixed = SyncRun::new(ids(300), 100);
    assert_eq!(answer_after(&mut fixed, 100, fast), 100);
    assert_eq!(fixed.batch_size(), 100, "a fixed-size run stays fixed");
}

#[test]
fn a_413_sends_the_same_records_at_once_half_as_many_and_never_grows_back() {
    let mut run = SyncRun::growing(ids(5), 4, 1, 8);
    let first = send(&mut run);
    assert_eq!(first.len(), 4);
    assert!(run.settle(BatchOutcome::TooLarge, 0.5).is_empty());
    let second = send(&mut run);
    assert_eq!(
        second[..],
        first[..2],
        "at once, no backoff, the oldest first"
    );
    run.answered_in(10);
    run.settle(ack_all(&second, RecordStatus::Stored), 0.5);
    assert_eq!(
        run.batch_size(),
        2,
        "the server's limit, learnt, holds for the run"
    );
    let third = send(&mut run);
    assert_eq!(third[..], first[2..]);
    // One record the server will not take, alone: resending cannot help.
    run.settle(ack_all(&third, RecordStatus::Stored), 0.5);
    let last = send(&mut run);
    assert_eq!(last.len(), 1);
    run.settle(BatchOutcome::TooLarge, 0.5);
    assert_eq!(run.next_step(), Step::Done);
    let s = run.summary();
    assert_eq!(
        (s.synced, s.still_pending, s.failure),
        (4, 1, Some(Failure::Server))
    );
}

#[test]
fn an_acknowledgement_of_another_version_moves_nothing() {
    let mut run = SyncRun::new(ids(1), 10);
    let stamps = send(&mut run);
    let outcome = BatchOutcome::Acknowledged(BatchResponse {
        results: vec![RecordResult {
            id: stamps[0].0,
            version: 7,
            status: RecordStatus::Stored,
        }],
    });
    assert!(run.settle(outcome, 0.0).is_empty());
    assert_eq!(run.summary().still_pending, 1);
}

#[test]
fn network_failures_back_off_with_jitter_then_stop_keeping_everything_pending() {
    let mut run = SyncRun::new(ids(3), 2);
    let first = send(&mut run);
    assert_eq!(
        run.settle(ack_all(&first, RecordStatus::Stored), 0.0).len(),
        2
    );
    let mut waits = Vec::new();
    loop {
        match run.next_step() {
            Step::Send(batch) => {
                assert_eq!(batch, vec![Uuid::from_u128(3)], "the same batch is retried");
                run.marked(vec![(batch[0], stamp(1, "d"))]);
                assert!(
                    run.settle(BatchOutcome::Failed(Failure::Network), 0.5)
                        .is_empty()
                );
            }
            Step::Wait { ms } => waits.push(ms),
            Step::Done => break,
        }
    }
    assert_eq!(waits.len() as u32, MAX_ATTEMPTS);
    assert!(waits.windows(2).all(|w| w[0] < w[1]), "{waits:?}");
    assert_eq!(waits[0], 750, "half of 1 s plus half of the jitter");
    let s = run.summary();
    assert_eq!((s.synced, s.still_pending), (2, 1));
    assert_eq!(s.failure, Some(Failure::Network));
}

#[test]
fn backoff_is_bounded_and_jittered() {
    assert_eq!(backoff_ms(1, 0.0), 500);
    assert_eq!(backoff_ms(1, 1.0), 1000);
    assert_eq!(backoff_ms(3, 0.0), 2000);
    assert_eq!(backoff_ms(40, 1.0), BACKOFF_CAP_MS);
    assert!(backoff_ms(40, 0.0) >= BACKOFF_CAP_MS / 2);
}

#[test]
fn a_429_waits_for_retry_after_and_resumes_by_itself() {
    let mut run = SyncRun::new(ids(2), 10);
    send(&mut run);
    run.settle(
        BatchOutcome::Failed(Failure::RateLimited { retry_after_s: 30 }),
        0.25,
    );
    assert_eq!(run.next_step(), Step::Wait { ms: 30_250 });
    let again = send(&mut run);
    assert_eq!(again.len(), 2);
    assert_eq!(
        run.settle(ack_all(&again, RecordStatus::Stored), 0.0).len(),
        2
    );
    assert_eq!(run.next_step(), Step::Done);
    assert_eq!(run.summary().failure, None);
}

#[test]
fn with_no_network_at_all_the_run_stops_instead_of_waiting() {
    let mut run = SyncRun::new(ids(3), 2);
    send(&mut run);
    run.settle(BatchOutcome::Failed(Failure::Network), 0.5);
    run.stop(Failure::Network);
    assert_eq!(run.next_step(), Step::Done);
    assert_eq!(run.summary().still_pending, 3);
    assert_eq!(run.summary().failure, Some(Failure::Network));
}

#[test]
fn a_refused_token_stops_at_once() {
    let mut run = SyncRun::new(ids(4), 2);
    send(&mut run);
    run.settle(BatchOutcome::Failed(Failure::Unauthorized), 0.0);
    assert_eq!(run.next_step(), Step::Done);
    assert_eq!(run.summary().still_pending, 4);
    assert_eq!(run.summary().failure, Some(Failure::Unauthorized));
}

#[test]
fn cancelling_keeps_everything_not_acknowledged_pending() {
    let mut run = SyncRun::new(ids(3), 2);
    send(&mut run);
    run.cancel();
    assert_eq!(run.next_step(), Step::Done);
    assert_eq!(run.summary().still_pending, 3);
}

#[test]
fn invalid_records_are_set_aside_and_the_rest_resent() {
    let mut run = SyncRun::new(ids(3), 3);
    let stamps = send(&mut run);
    let rejection = RecordRejection {
        index: 1,
        id: Some(stamps[1].0),
        errors: vec![FieldError {
            field: "milieu".into(),
            reason: Reason::UnknownCode,
        }],
    };
    let t = run.settle(BatchOutcome::InvalidRecords(vec![rejection]), 0.0);
    assert_eq!(
        t,
        vec![Transition {
            id: stamps[1].0,
            sent: stamp(1, "d"),
            outcome: Outcome::Refused {
                reason: "milieu:unknown_code".into()
            }
        }]
    );
    let again = send(&mut run);
    assert_eq!(
        again.iter().map(|s| s.0).collect::<Vec<_>>(),
        vec![stamps[0].0, stamps[2].0]
    );
    assert_eq!(
        run.settle(ack_all(&again, RecordStatus::Stored), 0.0).len(),
        2
    );
    assert_eq!(run.next_step(), Step::Done);
    assert_eq!((run.summary().synced, run.summary().rejected), (2, 1));
}

#[test]
fn a_rejection_naming_nothing_we_sent_halts_instead_of_looping() {
    let mut run = SyncRun::new(ids(2), 2);
    send(&mut run);
    let bogus = RecordRejection {
        index: 7,
        id: None,
        errors: vec![],
    };
    assert!(
        run.settle(BatchOutcome::InvalidRecords(vec![bogus]), 0.0)
            .is_empty()
    );
    assert_eq!(run.next_step(), Step::Done);
    assert_eq!(run.summary().failure, Some(Failure::Server));
    assert_eq!(run.summary().still_pending, 2);
}

#[test]
fn a_rejection_whose_id_disagrees_with_its_index_is_ignored() {
    let mut run = SyncRun::new(ids(2), 2);
    let stamps = send(&mut run);
    let wrong = RecordRejection {
        index: 0,
        id: Some(stamps[1].0),
        errors: vec![],
    };
    assert!(
        run.settle(BatchOutcome::InvalidRecords(vec![wrong]), 0.0)
            .is_empty()
    );
    assert_eq!(run.summary().failure, Some(Failure::Server));
}

#[test]
fn an_acknowledgement_applies_only_if_the_row_still_holds_what_was_sent() {
    let mut row = Standing::new(1, "a".into());
    let sent = row.mark_sent();
    // Corrected while the batch was in flight: the correction is the next version.
    assert_eq!(row.version_for_edit(), 2);
    let mut row = row.rewritten(2, "b".into());
    assert!(row.apply(&Transition {
        id: Uuid::nil(),
        sent: sent.clone(),
        outcome: Outcome::Held,
    }));
    assert_eq!(
        row.sync,
        SyncState::Pending,
        "the correction still has to go"
    );
    assert_eq!(row.acked, Some(sent));
    // Its own acknowledgement then settles it.
    let sent = row.mark_sent();
    row.apply(&Transition {
        id: Uuid::nil(),
        sent,
        outcome: Outcome::Held,
    });
    assert_eq!(row.sync, SyncState::Synced);
    // An old acknowledgement arriving late does not move `acked` back.
    row.apply(&Transition {
        id: Uuid::nil(),
        sent: stamp(1, "a"),
        outcome: Outcome::Held,
    });
    assert_eq!(row.acked.as_ref().map(|a| a.version), Some(2));
    assert_eq!(row.sync, SyncState::Synced);
}

#[test]
fn a_refusal_of_content_that_changed_since_is_ignored() {
    let mut row = Standing::new(1, "a".into());
    let sent = row.mark_sent();
    let mut row = row.rewritten(2, "b".into());
    row.apply(&Transition {
        id: Uuid::nil(),
        sent,
        outcome: Outcome::Refused {
            reason: "milieu:unknown_code".into(),
        },
    });
    assert_eq!(row.sync, SyncState::Pending);
}

fn c(milieu: &str, version: u32, deleted: bool) -> Record {
    let mut contact = contact(1, "2026-11-28T21:00:00-05:00", &["sante"]);
    contact.milieu = milieu.into();
    Record::Contact(contact).with_version(version, deleted)
}

#[test]
fn a_conflict_over_content_the_server_already_has_adopts_its_version() {
    let device = c("rue", 2, false);
    let row = Standing::new(2, "a".into());
    let server = [c("bar_erotique", 1, false), c("rue", 3, false)];
    assert_eq!(
        resolve(&device, &row, &server),
        Resolution::AlreadyHeld { version: 3 }
    );
    let settled = row.settle(&Resolution::AlreadyHeld { version: 3 }, "z".into());
    assert_eq!(settled.sync, SyncState::Synced);
    assert_eq!(settled.acked, Some(stamp(3, "z")));
}

#[test]
fn a_conflict_from_a_version_reused_before_this_bookkeeping_is_resent_as_the_next() {
    // Kept from the old app: sent v1 (answer lost), then corrected in place as v1.
    let device = c("rue", 1, false);
    let mut row = Standing::new(1, "b".into());
    row.sent = Some(Stamp::unknown(1));
    let server = [c("bar_erotique", 1, false)];
    let resolution = resolve(&device, &row, &server);
    assert_eq!(resolution, Resolution::Resend { version: 2 });
    let settled = row.settle(&resolution, "c".into());
    assert_eq!((settled.version, settled.sync), (2, SyncState::Pending));
}

#[test]
fn a_version_the_device_never_sent_is_a_genuine_conflict_for_the_worker() {
    let device = c("rue", 2, false);
    let mut row = Standing::new(1, "a".into());
    row.apply(&Transition {
        id: Uuid::nil(),
        sent: row.clone().mark_sent(),
        outcome: Outcome::Held,
    });
    let mut row = row.rewritten(2, "b".into());
    row.mark_sent();
    // Another phone of the same worker (a restored backup) stored its own version 2.
    let server = [c("bar_erotique", 1, false), c("salon_massage", 2, false)];
    assert_eq!(
        resolve(&device, &row, &server),
        Resolution::Genuine { server_version: 2 }
    );
    assert_eq!(keep_mine(&row, 2), Resolution::Resend { version: 3 });
    assert_eq!(keep_servers(2), Resolution::TakeServers { version: 2 });
    assert_eq!(resolve(&device, &row, &[]), Resolution::Foreign);
}

#[test]
fn logged_lines_read_back_as_written() {
    let id = ids(1)[0];
    let cases = [
        Logged::Sent(stamp(3, "ab12")),
        Logged::Sent(Stamp::unknown(2)),
        Logged::Answered {
            sent: stamp(1, "cd"),
            outcome: Outcome::Held,
        },
        Logged::Answered {
            sent: stamp(4, "ef"),
            outcome: Outcome::Refused {
                reason: "age:too_young, milieu:unknown".into(),
            },
        },
    ];
    for logged in cases {
        let line = logged.line(id);
        assert!(!line.contains('\n'));
        assert_eq!(Logged::parse(&line), Some((id, logged)), "{line}");
    }
    for junk in [
        "",
        "s",
        "x 00000000-0000-0000-0000-000000000001 1 ab",
        "s nope 1 ab",
        "h 00000000-0000-0000-0000-000000000001 v ab",
    ] {
        assert_eq!(Logged::parse(junk), None, "{junk}");
    }
}

#[test]
fn folding_a_line_twice_changes_nothing_more() {
    let sent = stamp(2, "d2");
    let lines = [
        Logged::Sent(sent.clone()),
        Logged::Answered {
            sent: sent.clone(),
            outcome: Outcome::Held,
        },
    ];
    let mut once = Standing::new(2, "d2".into());
    for l in &lines {
        once.fold(l);
    }
    assert_eq!(once.sync, SyncState::Synced);
    assert_eq!(once.sent, Some(sent.clone()));
    let mut twice = once.clone();
    for l in &lines {
        assert!(!twice.fold(l));
    }
    assert_eq!(once, twice);
    // About content the row no longer holds (corrected since): ignored.
    let mut corrected = Standing::new(2, "d2".into()).rewritten(3, "d3".into());
    let before = corrected.clone();
    corrected.fold(&lines[0]);
    assert_eq!(corrected, before);
}

#[test]
fn digests_are_short_stable_hex() {
    assert_eq!(digest(b"abc"), "ba7816bf8f01cfea414140de5dae2223");
    assert_ne!(digest(b"abc"), digest(b"abd"));
}

// ---------------------------------------------------------------------------------------
// The model: random interleavings of a worker's taps, sends, lost answers, late requests,
// locks and a second source of versions, against a server with the real server's rules.
// However they interleave, once the network behaves, device and server agree: every
// record the worker kept is on the server at its latest version, nothing deleted is
// alive there, and nothing the server holds is pending on the device.

/// The server's rules (`Store::store_batch`): (id, version) is the key; the same content
/// again is a duplicate, other content under a held key a conflict; versions are kept.
#[derive(Default)]
struct Server {
    versions: BTreeMap<(Uuid, u32), Record>,
}

impl Server {
    fn store(&mut self, batch: &[Record]) -> Vec<RecordResult> {
        batch
            .iter()
            .map(|r| {
                let key = (r.id(), r.version());
                let status = match self.versions.get(&key) {
                    Some(held) if same_content(held, r) => RecordStatus::Duplicate,
                    Some(_) => RecordStatus::Conflict,
                    None => {
                        self.versions.insert(key, r.clone().normalized());
                        RecordStatus::Stored
                    }
                };
                RecordResult {
                    id: r.id(),
                    version: r.version(),
                    status,
                }
            })
            .collect()
    }

    fn versions_of(&self, id: Uuid) -> Vec<Record> {
        self.versions
            .range((id, 0)..=(id, u32::MAX))
            .map(|(_, r)| r.clone())
            .collect()
    }

    fn latest(&self, id: Uuid) -> Option<Record> {
        self.versions_of(id).into_iter().max_by_key(|r| r.version())
    }

    fn ids(&self) -> std::collections::BTreeSet<Uuid> {
        self.versions.keys().map(|(id, _)| *id).collect()
    }
}

struct Row {
    record: Record,
    standing: Standing,
}

/// One request on the wire: its run, what it carries, and whether the server saw it.
struct Request {
    run: SyncRun,
    records: Vec<Record>,
    run_id: u64,
    answer: Option<Vec<RecordResult>>,
    answered: bool,
}

#[derive(Default)]
struct Device {
    rows: BTreeMap<Uuid, Row>,
    /// As the app keeps it: the sync run logs « sent » and the answers here instead of
    /// rewriting rows; every read folds the log in; `Op::Fold` folds the oldest batch's
    /// lines into the rows and drops them. Off, runs rewrite the rows directly.
    journaled: bool,
    log: Vec<(u64, Uuid, Logged)>,
    log_batches: u64,
    forgotten: Vec<Uuid>,
    /// Records that came back as genuine conflicts (the worker had to choose).
    genuine: std::collections::BTreeSet<Uuid>,
    writes: u64,
    run_id: u64,
}

impl Device {
    /// Stores content: a fresh digest at every write, as re-sealing with a new IV gives.
    fn write(&mut self, record: Record, standing: impl FnOnce(Digest) -> Standing) {
        self.writes += 1;
        let d = digest(format!("{}:{:?}", self.writes, record).as_bytes());
        let id = record.id();
        self.rows.insert(
            id,
            Row {
                record,
                standing: standing(d),
            },
        );
    }

    /// A row's standing as the app reads it: the row with the log folded in.
    fn view(&self, id: Uuid) -> Standing {
        let mut standing = self.rows[&id].standing.clone();
        for (_, logged_id, logged) in &self.log {
            if *logged_id == id {
                standing.fold(logged);
            }
        }
        standing
    }

    /// Appends one batch's lines to the log, as one stored value.
    fn log_batch(&mut self, lines: Vec<(Uuid, Logged)>) {
        self.log_batches += 1;
        let batch = self.log_batches;
        self.log
            .extend(lines.into_iter().map(|(id, logged)| (batch, id, logged)));
    }

    /// The app's clean-up pass: the oldest logged batch folded into its rows, then dropped.
    fn fold_oldest(&mut self) {
        let Some(&(batch, _, _)) = self.log.first() else {
            return;
        };
        let ids: Vec<Uuid> = self
            .log
            .iter()
            .filter(|(b, id, _)| *b == batch && self.rows.contains_key(id))
            .map(|(_, id, _)| *id)
            .collect();
        for id in ids {
            let folded = self.view(id);
            if let Some(row) = self.rows.get_mut(&id) {
                row.standing = folded;
            }
        }
        self.log.retain(|(b, _, _)| *b != batch);
    }

    fn content(n: u8) -> &'static str {
        ["bar_erotique", "salon_massage", "rue", "web"][usize::from(n % 4)]
    }

    fn nth(&self, n: usize) -> Option<Uuid> {
        let live: Vec<Uuid> = self.rows.keys().copied().collect();
        (!live.is_empty()).then(|| live[n % live.len()])
    }

    fn save(&mut self, id: Uuid, milieu: u8) {
        let mut contact = contact(1, "2026-11-28T21:00:00-05:00", &["sante"]);
        contact.id = id;
        contact.milieu = Self::content(milieu).into();
        self.write(Record::Contact(contact), |d| Standing::new(1, d));
    }

    /// A correction, made from the row as the app reads it (the log folded in) or, when
    /// `unaware_of_log`, as a window of the previous version of the app does: from the
    /// row as stored.
    fn edit(&mut self, n: usize, milieu: u8, unaware_of_log: bool) {
        let Some(id) = self.nth(n) else { return };
        let row = &self.rows[&id];
        if row.record.deleted() {
            return;
        }
        let mut changed = row.record.as_contact().cloned().expect("contacts only");
        changed.milieu = Self::content(milieu).into();
        let standing = if unaware_of_log {
            row.standing.clone()
        } else {
            self.view(id)
        };
        let fixed = crate::edit::correction(&row.record, &standing, Record::Contact(changed));
        let version = fixed.version();
        self.write(fixed, |d| standing.rewritten(version, d));
    }

    fn delete(&mut self, n: usize) {
        let Some(id) = self.nth(n) else { return };
        let row = &self.rows[&id];
        if row.record.deleted() {
            return;
        }
        let standing = self.view(id);
        match crate::edit::deletion(&row.record, &standing) {
            crate::edit::Deletion::Forget => {
                self.rows.remove(&id);
                self.forgotten.push(id);
            }
            crate::edit::Deletion::Tombstone(t) => {
                let version = t.version();
                self.write(*t, |d| standing.rewritten(version, d));
            }
        }
    }

    /// What the old app did: a correction in place under a version that was sent. The
    /// migrated row knows only that this version went out with unknown content.
    fn legacy_reuse(&mut self, n: usize, milieu: u8) {
        let Some(id) = self.nth(n) else { return };
        let row = &self.rows[&id];
        let Some(mut changed) = row.record.as_contact().cloned() else {
            return;
        };
        let mut standing = self.view(id);
        if changed.deleted || standing.highest_maybe_held() != Some(standing.version) {
            return;
        }
        changed.milieu = Self::content(milieu).into();
        let version = standing.version;
        standing.sent = Some(Stamp::unknown(version));
        self.write(Record::Contact(changed), |d| {
            let mut s = standing.rewritten(version, d);
            s.acked = None;
            s
        });
    }

    /// Starts a batch of at most three pending records: marks them sent, as the app does
    /// in one transaction before the request goes out.
    fn send(&mut self) -> Option<Request> {
        let pending: Vec<Uuid> = self
            .rows
            .keys()
            .copied()
            .filter(|id| self.view(*id).needs_sending())
            .collect();
        let mut run = SyncRun::new(pending, 3);
        let Step::Send(batch) = run.next_step() else {
            return None;
        };
        let mut stamps = Vec::new();
        let mut records = Vec::new();
        let mut lines = Vec::new();
        for id in batch {
            let mut standing = self.view(id);
            let stamp = standing.mark_sent();
            let row = self.rows.get_mut(&id).expect("queued rows exist");
            if self.journaled {
                lines.push((id, Logged::Sent(stamp.clone())));
            } else {
                row.standing = standing;
            }
            stamps.push((id, stamp));
            records.push(row.record.clone());
        }
        if self.journaled {
            self.log_batch(lines);
        }
        run.marked(stamps);
        Some(Request {
            run,
            records,
            run_id: self.run_id,
            answer: None,
            answered: false,
        })
    }

    /// The answer arrives: transitions, then conflicts settled from the server's versions
    /// (`genuine_keeps_mine` decides what the worker picks for a genuine conflict).
    fn receive(&mut self, request: &mut Request, server: &Server, genuine_keeps_mine: bool) {
        let Some(results) = request.answer.clone() else {
            return;
        };
        if request.answered || request.run_id != self.run_id {
            return; // the run was cancelled (app locked): its answer is never read
        }
        request.answered = true;
        let outcome = BatchOutcome::Acknowledged(BatchResponse { results });
        let transitions = request.run.settle(outcome, 0.5);
        if self.journaled {
            let lines = transitions
                .iter()
                .filter_map(|t| Some((t.id, Logged::answer(t)?)))
                .collect();
            self.log_batch(lines);
        }
        for t in transitions {
            if !self.rows.contains_key(&t.id) {
                continue;
            }
            let mut standing = self.view(t.id);
            if !self.journaled {
                standing.apply(&t);
                self.rows.get_mut(&t.id).expect("checked").standing = standing.clone();
            }
            if t.outcome == Outcome::Conflict && standing.holds(&t.sent) {
                let record = &self.rows[&t.id].record;
                let resolution = resolve(record, &standing, &server.versions_of(t.id));
                self.carry_out(t.id, resolution, server, genuine_keeps_mine);
            }
        }
    }

    fn carry_out(&mut self, id: Uuid, resolution: Resolution, server: &Server, keep_mine_: bool) {
        let standing = self.view(id);
        let row = &self.rows[&id];
        match resolution {
            Resolution::AlreadyHeld { version } | Resolution::Resend { version } => {
                let record = row
                    .record
                    .clone()
                    .with_version(version, row.record.deleted());
                self.write(record, |d| standing.settle(&resolution, d));
            }
            Resolution::Genuine { server_version } => {
                self.genuine.insert(id);
                // The worker is shown both versions and picks one.
                let choice = if keep_mine_ {
                    keep_mine(&standing, server_version)
                } else {
                    keep_servers(server_version)
                };
                self.carry_out(id, choice, server, keep_mine_);
            }
            Resolution::TakeServers { version } => {
                let theirs = server
                    .versions_of(id)
                    .into_iter()
                    .find(|r| r.version() == version)
                    .expect("the server's version exists");
                self.write(theirs, |d| standing.settle(&resolution, d));
            }
            Resolution::Foreign => panic!("one worker: every id is its own"),
        }
    }
}

#[derive(Debug, Clone)]
enum Op {
    Save(u8),
    Edit(usize, u8),
    Delete(usize),
    LegacyReuse(usize, u8),
    Send,
    /// The server receives request k (maybe long after it was sent).
    Arrive(usize),
    /// The answer of request k reaches the device (if the server saw it).
    Answer(usize),
    /// The app is locked: the run is cancelled, its answers are never read.
    Lock,
    /// Another phone of the same worker stores a version of some record.
    Elsewhere(usize, u8),
    /// The clean-up pass folds the oldest logged batch into the rows.
    Fold,
    /// A window of the previous version of the app corrects a record.
    OldTabEdit(usize, u8),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => any::<u8>().prop_map(Op::Save),
        3 => (any::<usize>(), any::<u8>()).prop_map(|(n, m)| Op::Edit(n, m)),
        2 => any::<usize>().prop_map(Op::Delete),
        1 => (any::<usize>(), any::<u8>()).prop_map(|(n, m)| Op::LegacyReuse(n, m)),
        3 => Just(Op::Send),
        3 => any::<usize>().prop_map(Op::Arrive),
        3 => any::<usize>().prop_map(Op::Answer),
        1 => Just(Op::Lock),
        1 => (any::<usize>(), any::<u8>()).prop_map(|(n, m)| Op::Elsewhere(n, m)),
        2 => Just(Op::Fold),
        1 => (any::<usize>(), any::<u8>()).prop_map(|(n, m)| Op::OldTabEdit(n, m)),
    ]
}

fn simulate(ops: &[Op], keep_mine_: bool, journaled: bool) -> Result<(), TestCaseError> {
    let mut server = Server::default();
    let mut device = Device {
        journaled,
        ..Device::default()
    };
    let mut wire: Vec<Request> = Vec::new();
    let mut next_id = 1u128;
    let mut elsewhere = std::collections::BTreeSet::new();
    for op in ops {
        match op {
            Op::Save(m) => {
                device.save(Uuid::from_u128(next_id), *m);
                next_id += 1;
            }
            Op::Edit(n, m) => device.edit(*n, *m, false),
            Op::Delete(n) => device.delete(*n),
            Op::LegacyReuse(n, m) => device.legacy_reuse(*n, *m),
            Op::Fold => device.fold_oldest(),
            // Without the log, the previous version of the app reads rows as this one does.
            Op::OldTabEdit(n, m) => device.edit(*n, *m, true),
            Op::Send => wire.extend(device.send()),
            Op::Arrive(k) => {
                if !wire.is_empty() {
                    let len = wire.len();
                    let request = &mut wire[k % len];
                    if request.answer.is_none() {
                        request.answer = Some(server.store(&request.records));
                    }
                }
            }
            Op::Answer(k) => {
                if !wire.is_empty() {
                    let len = wire.len();
                    device.receive(&mut wire[k % len], &server, keep_mine_);
                }
            }
            Op::Lock => device.run_id += 1,
            Op::Elsewhere(n, m) => {
                let known: Vec<Uuid> = server.ids().into_iter().collect();
                if !known.is_empty() {
                    let id = known[n % known.len()];
                    let latest = server.latest(id).expect("known ids have versions");
                    if let Record::Contact(mut c) = latest {
                        c.milieu = Device::content(*m).into();
                        c.version += 1;
                        c.deleted = false;
                        elsewhere.insert(id);
                        server.store(&[Record::Contact(c)]);
                    }
                }
            }
        }
    }
    // Late requests still arrive: the network held them, the phone gave up on them.
    for request in &mut wire {
        if request.answer.is_none() {
            request.answer = Some(server.store(&request.records));
        }
    }
    // The end of the shift on good signal: sync until nothing is pending.
    device.run_id += 1;
    for _ in 0..100 {
        let Some(mut request) = device.send() else {
            break;
        };
        request.answer = Some(server.store(&request.records));
        device.receive(&mut request, &server, keep_mine_);
    }
    while !device.log.is_empty() {
        device.fold_oldest();
    }
    check_agreement(&device, &server, &elsewhere)
}

fn check_agreement(
    device: &Device,
    server: &Server,
    elsewhere: &std::collections::BTreeSet<Uuid>,
) -> Result<(), TestCaseError> {
    for (id, row) in &device.rows {
        prop_assert_eq!(
            &row.standing.sync,
            &SyncState::Synced,
            "row {} not settled",
            id
        );
        // Acknowledged means held: the server has this very content under this version.
        let held = server.versions.get(&(*id, row.record.version()));
        prop_assert!(
            held.is_some_and(|h| same_content(h, &row.record)),
            "row {} is synced but the server does not hold its content",
            id
        );
        if elsewhere.contains(id) {
            // Another phone wrote versions this device never saw; it only has to be sure
            // of what it holds (above).
            continue;
        }
        let latest = server.latest(*id);
        prop_assert!(
            latest.is_some(),
            "record {} kept on the device is not on the server",
            id
        );
        let latest = latest.unwrap_or_else(|| unreachable!());
        prop_assert_eq!(latest.version(), row.record.version());
        prop_assert!(
            same_content(&latest, &row.record),
            "server's latest {:?} differs from the device's {:?}",
            latest,
            row.record
        );
    }
    for id in server.ids().difference(elsewhere) {
        let id = *id;
        let alive = server.latest(id).is_some_and(|r| !r.deleted());
        if alive {
            prop_assert!(
                device.rows.get(&id).is_some_and(|r| !r.record.deleted()),
                "phantom: {} is alive on the server but deleted or forgotten on the device",
                id
            );
        }
    }
    // Only another source of versions makes the worker choose; the phone's own lost
    // answers, locks and late requests never do.
    prop_assert!(
        device.genuine.is_subset(elsewhere),
        "genuine conflicts {:?} without another phone",
        device.genuine
    );
    for id in &device.forgotten {
        prop_assert!(server.latest(*id).is_none_or(|r| r.deleted()));
    }
    Ok(())
}

/// One answer to a request, for [`every_record_ends_acknowledged_or_pending_once`].
#[derive(Debug, Clone)]
enum Answer {
    /// Stored, after this many ms; `missing` records left out of the answer.
    Ack {
        ms: u64,
        missing: usize,
    },
    Lost,
    TooLarge,
    Refused {
        index: usize,
    },
    RateLimited,
}

fn answer() -> impl Strategy<Value = Answer> {
    prop_oneof![
        4 => (0u64..12_000, 0usize..3).prop_map(|(ms, missing)| Answer::Ack { ms, missing }),
        2 => Just(Answer::Lost),
        1 => Just(Answer::TooLarge),
        1 => (0usize..500).prop_map(|index| Answer::Refused { index }),
        1 => Just(Answer::RateLimited),
    ]
}

proptest! {
    /// Whatever the answers, a growing run never sends a record twice in one request or
    /// after it was acknowledged or refused, stays within its sizes, and ends with every
    /// record counted once: synced, refused or still pending.
    #[test]
    fn every_record_ends_acknowledged_or_pending_once(
        n in 1u128..300,
        first in 1usize..50,
        answers in prop::collection::vec(answer(), 0..80),
    ) {
        let mut run = SyncRun::growing(ids(n), first, 5, 64);
        let mut answers = answers.into_iter();
        let mut settled = std::collections::BTreeSet::new();
        let mut steps = 0;
        loop {
            steps += 1;
            prop_assert!(steps < 10_000, "the run ends");
            let batch = match run.next_step() {
                Step::Done => break,
                Step::Wait { .. } => continue,
                Step::Send(batch) => batch,
            };
            prop_assert!(!batch.is_empty() && batch.len() <= 64);
            let unique: std::collections::BTreeSet<_> = batch.iter().collect();
            prop_assert_eq!(unique.len(), batch.len(), "no record twice in a request");
            prop_assert!(batch.iter().all(|id| !settled.contains(id)), "nothing settled goes again");
            let stamps: Vec<_> = batch.iter().map(|id| (*id, stamp(1, "d"))).collect();
            run.marked(stamps.clone());
            let outcome = match answers.next().unwrap_or(Answer::Ack { ms: 100, missing: 0 }) {
                Answer::Ack { ms, missing } => {
                    run.answered_in(ms);
                    let kept = stamps.len().saturating_sub(missing);
                    ack_all(&stamps[..kept], RecordStatus::Stored)
                }
                Answer::Lost => BatchOutcome::Failed(Failure::Network),
                Answer::TooLarge => BatchOutcome::TooLarge,
                Answer::RateLimited => BatchOutcome::Failed(Failure::RateLimited { retry_after_s: 1 }),
                Answer::Refused { index } => {
                    let index = index % stamps.len();
                    BatchOutcome::InvalidRecords(vec![RecordRejection {
                        index,
                        id: Some(stamps[index].0),
                        errors: vec![FieldError { field: "milieu".into(), reason: Reason::UnknownCode }],
                    }])
                }
            };
            for t in run.settle(outcome, 0.5) {
                prop_assert!(settled.insert(t.id), "settled once");
            }
        }
        let s = run.summary();
        prop_assert_eq!(s.synced + s.rejected, settled.len());
        // A record left out of an answer counts as pending (it goes in the next run).
        prop_assert_eq!(s.synced + s.rejected + s.still_pending, n as usize);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn device_and_server_agree_whatever_the_interleaving(
        ops in proptest::collection::vec(op(), 0..60),
        keep_mine_ in any::<bool>(),
        journaled in any::<bool>(),
    ) {
        simulate(&ops, keep_mine_, journaled)?;
    }
}

#[test]
fn the_reported_cases_end_in_agreement() {
    use Op::*;
    // Answer lost, then deleted / then corrected; correction during an in-flight batch;
    // lock during a sync with the request arriving later.
    let cases: Vec<Vec<Op>> = vec![
        vec![Save(0), Send, Arrive(0), Delete(0)],
        vec![Save(0), Send, Arrive(0), Edit(0, 1)],
        vec![Save(0), Send, Edit(0, 2), Arrive(0), Answer(0)],
        vec![
            Save(0),
            Send,
            Lock,
            Edit(0, 3),
            Send,
            Arrive(1),
            Answer(1),
            Arrive(0),
        ],
        vec![
            Save(0),
            Send,
            Arrive(0),
            LegacyReuse(0, 1),
            Send,
            Arrive(1),
            Answer(1),
        ],
        vec![
            Save(0),
            Send,
            Arrive(0),
            Answer(0),
            Elsewhere(0, 2),
            Edit(0, 3),
        ],
    ];
    for ops in cases {
        for keep in [true, false] {
            for journaled in [true, false] {
                simulate(&ops, keep, journaled).unwrap_or_else(|e| panic!("{ops:?}: {e}"));
            }
        }
    }
}

#[test]
fn sync_states_read_back_as_stored() {
    for state in [
        SyncState::Pending,
        SyncState::Synced,
        SyncState::Rejected {
            reason: "milieu:unknown_code".into(),
        },
        SyncState::Conflict { server_version: 4 },
    ] {
        let text = serde_json::to_string(&state).unwrap();
        assert_eq!(
            serde_json::from_str::<SyncState>(&text).unwrap(),
            state,
            "{text}"
        );
    }
    // As stored by earlier versions: the same text, fields in any order, extra fields ignored.
    let stored: SyncState =
        serde_json::from_str(r#"{"reason":"age_group:missing","state":"rejected","x":1}"#).unwrap();
    assert_eq!(
        stored,
        SyncState::Rejected {
            reason: "age_group:missing".into()
        }
    );
    assert_eq!(
        serde_json::to_string(&SyncState::Conflict { server_version: 2 }).unwrap(),
        r#"{"state":"conflict","server_version":2}"#
    );
    for bad in [
        r#"{"state":"rejected"}"#,
        r#"{"state":"conflict"}"#,
        r#"{"state":"lost"}"#,
        r#"{}"#,
    ] {
        assert!(serde_json::from_str::<SyncState>(bad).is_err(), "{bad}");
    }
}

/// The stored sync state read by hand (the phone's reader) as serde's derived reader reads
/// it: each field back, only `state` required, a wrong value or a field twice refused in
/// the same words, another field skipped.
#[test]
fn a_stored_sync_state_is_read_as_the_derived_reader_reads_it() {
    let full = serde_json::json!({"state": "conflict", "reason": "note:pii", "server_version": 3});
    let serde_json::Value::Object(full) = full else {
        unreachable!()
    };
    crate::record::tests::check_reader::<StoredSyncState>(
        &full,
        STORED_SYNC_STATE_FIELDS,
        crate::names::read_struct,
        |t| crate::names::read_struct(&mut serde_json::Deserializer::from_str(t)),
    );
}
