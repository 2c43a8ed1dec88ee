//! The device's side of sync as pure code: what a row knows about the server, which
//! version an edit takes, which answers move a row, and the queue run with its retries.
//!
//! The phone never knows for sure what the server holds: an answer can be lost after the
//! server committed. So every row keeps two stamps besides its content:
//! - `sent`: the last (version, content) put on the wire. Once sent, a version may be on
//!   the server, so it is frozen: an edit or a deletion makes the next version.
//! - `acked`: the last (version, content) the server acknowledged durably.
//!
//! An acknowledgement moves a row to [`SyncState::Synced`] only if the row still holds
//! exactly what was sent; a row edited while its batch was in flight stays pending, as the
//! next version. A `conflict` answer is resolved by asking the server for its versions
//! ([`resolve`]): the device's content is re-sent as the next version when everything the
//! server holds came from this device, and shown to the worker as a genuine conflict when
//! it does not. Network I/O, storage, the clock and randomness stay with the caller.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use uuid::Uuid;

use crate::envelope::Record;
use crate::wire::{BatchResponse, RecordRejection, RecordStatus};

/// A fingerprint of a row's stored content: the first 128 bits of the SHA-256 of the bytes
/// the device stores (for a sealed body, of the ciphertext, so it reveals nothing).
pub type Digest = String;

/// Fingerprints stored content (see [`Digest`]).
pub fn digest(stored: &[u8]) -> Digest {
    let hash = Sha256::digest(stored);
    hash[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// One version of a row's content: which version, and which content under it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    pub version: u32,
    pub digest: Digest,
}

impl Stamp {
    /// A version sent with content the device no longer knows: rows kept before this
    /// bookkeeping existed, when a correction could reuse a version that was sent.
    pub fn unknown(version: u32) -> Self {
        Stamp {
            version,
            digest: String::new(),
        }
    }

    /// Whether the content under this version is known.
    pub fn is_known(&self) -> bool {
        !self.digest.is_empty()
    }
}

/// Where a row stands with the server. Stored as `{"state": "rejected", "reason": …}`;
/// read through [`StoredSyncState`], a plain struct, because serde's reader for an
/// internally tagged enum buffers every field first and cost 6 kB of the phone's wasm.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case", try_from = "StoredSyncState")]
pub enum SyncState {
    /// To be sent (including "sent, unconfirmed": see [`Standing::is_unconfirmed`]).
    Pending,
    /// The server acknowledged this very content durably.
    Synced,
    /// The server refused this content (`422`): kept on the device, not resent until the
    /// worker corrects it. `reason` lists `field:reason` pairs.
    Rejected { reason: String },
    /// The server holds a version this device never sent (another phone of the same
    /// worker, a restored backup): the worker chooses which one stays.
    Conflict { server_version: u32 },
}

/// [`SyncState`] as stored, its fields flattened. On the phone (wasm32) read by hand (its
/// [`crate::names::Fields`]), in every row and sync log value it reads.
#[cfg_attr(not(target_arch = "wasm32"), derive(Deserialize))]
#[cfg_attr(test, derive(Debug, PartialEq))]
struct StoredSyncState {
    state: StateName,
    #[cfg_attr(not(target_arch = "wasm32"), serde(default))]
    reason: Option<String>,
    #[cfg_attr(not(target_arch = "wasm32"), serde(default))]
    server_version: Option<u32>,
}

/// [`StoredSyncState`]'s fields, in the order they are declared.
#[cfg(any(target_arch = "wasm32", test))]
const STORED_SYNC_STATE_FIELDS: &[&str] = &["state", "reason", "server_version"];

#[cfg(target_arch = "wasm32")]
impl<'de> Deserialize<'de> for StoredSyncState {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::names::read_struct(d)
    }
}

#[cfg(any(target_arch = "wasm32", test))]
impl crate::names::Fields for StoredSyncState {
    const EXPECTING: &'static str = "struct StoredSyncState";
    const NAMES: &'static [&'static str] = STORED_SYNC_STATE_FIELDS;
    /// Only `state` is required.
    const OPTIONAL: u64 = !1;
    const DENY_UNKNOWN: bool = false;

    fn empty() -> Self {
        StoredSyncState {
            state: StateName::Pending,
            reason: None,
            server_version: None,
        }
    }

    fn read_field<'de, A: serde::de::MapAccess<'de>>(
        &mut self,
        at: usize,
        map: &mut A,
    ) -> Result<(), A::Error> {
        match at {
            0 => self.state = map.next_value()?,
            1 => self.reason = map.next_value()?,
            _ => self.server_version = map.next_value()?,
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(not(target_arch = "wasm32"), derive(serde::Deserialize))]
#[cfg_attr(not(target_arch = "wasm32"), serde(rename_all = "snake_case"))]
pub(crate) enum StateName {
    Pending,
    Synced,
    Rejected,
    Conflict,
}

crate::unit_names!(StateName {
    Pending = "pending",
    Synced = "synced",
    Rejected = "rejected",
    Conflict = "conflict",
});

impl TryFrom<StoredSyncState> for SyncState {
    type Error = &'static str;

    fn try_from(stored: StoredSyncState) -> Result<Self, Self::Error> {
        Ok(match stored.state {
            StateName::Pending => SyncState::Pending,
            StateName::Synced => SyncState::Synced,
            StateName::Rejected => SyncState::Rejected {
                reason: stored.reason.ok_or("missing field `reason`")?,
            },
            StateName::Conflict => SyncState::Conflict {
                server_version: stored
                    .server_version
                    .ok_or("missing field `server_version`")?,
            },
        })
    }
}

/// What one row knows about its record's standing with the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Standing {
    /// The version the device holds now.
    pub version: u32,
    /// Its stored content.
    pub digest: Digest,
    pub sync: SyncState,
    /// The last version and content the server acknowledged.
    #[serde(default)]
    pub acked: Option<Stamp>,
    /// The last version and content sent; the answer may have been lost.
    #[serde(default)]
    pub sent: Option<Stamp>,
}

/// What deleting a record means on the device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeletionPlan {
    /// No version can be on the server: the device simply forgets the record.
    Forget,
    /// Store and sync a tombstone under this version.
    Tombstone { version: u32 },
}

impl Standing {
    /// A record just saved on the device, never sent.
    pub fn new(version: u32, digest: Digest) -> Self {
        Standing {
            version,
            digest,
            sync: SyncState::Pending,
            acked: None,
            sent: None,
        }
    }

    /// A synced record the phone keeps sealed in a block: acknowledged as it is.
    pub fn in_block(version: u32, digest: Digest) -> Self {
        let stamp = Stamp {
            version,
            digest: digest.clone(),
        };
        Standing {
            version,
            digest,
            sync: SyncState::Synced,
            acked: Some(stamp.clone()),
            sent: Some(stamp),
        }
    }

    /// The current version and content.
    pub fn current(&self) -> Stamp {
        Stamp {
            version: self.version,
            digest: self.digest.clone(),
        }
    }

    fn holds(&self, stamp: &Stamp) -> bool {
        self.version == stamp.version && self.digest == stamp.digest
    }

    /// The highest version the server may hold: acknowledged, or sent with no answer.
    pub fn highest_maybe_held(&self) -> Option<u32> {
        let acked = self.acked.as_ref().map(|s| s.version);
        let sent = self.sent.as_ref().map(|s| s.version);
        acked.max(sent)
    }

    /// Whether the row waits for the next sync.
    pub fn needs_sending(&self) -> bool {
        self.sync == SyncState::Pending
    }

    /// Sent, and no answer came back: the server may or may not hold it.
    pub fn is_unconfirmed(&self) -> bool {
        self.needs_sending()
            && self
                .sent
                .as_ref()
                .is_some_and(|s| s.version == self.version && (!s.is_known() || self.holds(s)))
    }

    /// The version a correction of this record must carry: the current one while no
    /// version at or above it can be on the server, else the next one. A version the server
    /// may hold is never reused.
    pub fn version_for_edit(&self) -> u32 {
        match self.highest_maybe_held() {
            Some(held) if held >= self.version => held.saturating_add(1),
            _ => self.version,
        }
    }

    /// What deleting this record means.
    pub fn deletion(&self) -> DeletionPlan {
        if self.highest_maybe_held().is_none() {
            DeletionPlan::Forget
        } else {
            DeletionPlan::Tombstone {
                version: self.version_for_edit(),
            }
        }
    }

    /// The standing after the worker stored new content (a correction, a tombstone, a
    /// conflict settled) as `version` with `digest`: pending again; what the server may
    /// hold is unchanged.
    pub fn rewritten(&self, version: u32, digest: Digest) -> Standing {
        Standing {
            version,
            digest,
            sync: SyncState::Pending,
            acked: self.acked.clone(),
            sent: self.sent.clone(),
        }
    }

    /// Records that the current content is about to be put on the wire; returns its stamp.
    pub fn mark_sent(&mut self) -> Stamp {
        let stamp = self.current();
        // A version already sent with content the device no longer knows stays marked so:
        // a conflict on it is then the device's own older content, not another source's.
        let unknown_at_or_above = self
            .sent
            .as_ref()
            .is_some_and(|s| !s.is_known() && s.version >= stamp.version);
        if !unknown_at_or_above {
            self.sent = Some(stamp.clone());
        }
        stamp
    }

    /// Applies the server's word about `transition.sent`. Returns whether anything changed.
    pub fn apply(&mut self, transition: &Transition) -> bool {
        self.apply_outcome(&transition.sent, &transition.outcome)
    }

    fn apply_outcome(&mut self, sent: &Stamp, outcome: &Outcome) -> bool {
        let before = self.clone();
        match outcome {
            Outcome::Held => {
                if self
                    .acked
                    .as_ref()
                    .is_none_or(|a| a.version <= sent.version)
                {
                    self.acked = Some(sent.clone());
                }
                if self.holds(sent) {
                    self.sync = SyncState::Synced;
                }
            }
            Outcome::Refused { reason } => {
                if self.holds(sent) {
                    self.sync = SyncState::Rejected {
                        reason: reason.clone(),
                    };
                }
            }
            // Settled by [`resolve`] with the server's versions, then [`Standing::settle`].
            Outcome::Conflict => {}
        }
        *self != before
    }

    /// Applies a resolution that the caller carried out by storing `record` (with its new
    /// `digest`). Returns the new standing.
    pub fn settle(&self, resolution: &Resolution, digest: Digest) -> Standing {
        match resolution {
            Resolution::AlreadyHeld { version } | Resolution::TakeServers { version } => {
                let stamp = Stamp {
                    version: *version,
                    digest: digest.clone(),
                };
                Standing {
                    version: *version,
                    digest,
                    sync: SyncState::Synced,
                    acked: Some(stamp),
                    sent: self.sent.clone(),
                }
            }
            Resolution::Resend { version } => self.rewritten(*version, digest),
            Resolution::Genuine { server_version } => Standing {
                sync: SyncState::Conflict {
                    server_version: *server_version,
                },
                ..self.clone()
            },
            Resolution::Foreign => Standing {
                sync: SyncState::Rejected {
                    reason: FOREIGN_ID.into(),
                },
                ..self.clone()
            },
        }
    }
}

/// The reason of a record whose id the server knows under another worker.
pub const FOREIGN_ID: &str = "id:taken";

/// The server's word about one record of a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// `stored` or `duplicate`: the server durably holds what was sent.
    Held,
    /// `422`: the server refused this record and wrote nothing.
    Refused { reason: String },
    /// `conflict`: the server holds other content under this id and version.
    Conflict,
}

/// The server's word about what was sent of one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    pub id: Uuid,
    pub sent: Stamp,
    pub outcome: Outcome,
}

/// What a sync run logs about a row instead of rewriting it. The device keeps these lines
/// in a log beside its rows and folds them into a row's standing whenever it reads the row
/// ([`Standing::fold`]), so marking a batch sent and taking the server's answers cost one
/// write each instead of one per record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Logged {
    /// This content went on the wire ([`Standing::mark_sent`]).
    Sent(Stamp),
    /// The server's word about content that was sent ([`Standing::apply`]); never a
    /// conflict, which is settled row by row with the server's versions.
    Answered { sent: Stamp, outcome: Outcome },
}

impl Logged {
    /// The server's word to log about `transition`; `None` for a conflict, which is settled
    /// row by row with the server's versions.
    pub fn answer(transition: &Transition) -> Option<Logged> {
        (transition.outcome != Outcome::Conflict).then(|| Logged::Answered {
            sent: transition.sent.clone(),
            outcome: transition.outcome.clone(),
        })
    }

    /// The line the log keeps: `s|h|r <id> <version> <digest> [reason]`.
    pub fn line(&self, id: Uuid) -> String {
        let (kind, stamp, reason) = match self {
            Logged::Sent(stamp) => ("s", stamp, ""),
            Logged::Answered {
                sent,
                outcome: Outcome::Refused { reason },
            } => ("r", sent, reason.as_str()),
            Logged::Answered { sent, .. } => ("h", sent, ""),
        };
        let digest = if stamp.is_known() { &stamp.digest } else { "-" };
        let line = format!("{kind} {id} {} {digest} {reason}", stamp.version);
        line.trim_end().replace('\n', " ")
    }

    /// Reads a line of [`Logged::line`]; `None` for anything else.
    pub fn parse(line: &str) -> Option<(Uuid, Logged)> {
        let mut parts = line.splitn(5, ' ');
        let kind = parts.next()?;
        let id = Uuid::parse_str(parts.next()?).ok()?;
        let version = parts.next()?.parse().ok()?;
        let digest = match parts.next()? {
            "-" => String::new(),
            d => d.to_owned(),
        };
        let stamp = Stamp { version, digest };
        let reason = parts.next().unwrap_or_default().to_owned();
        let logged = match kind {
            "s" => Logged::Sent(stamp),
            "h" => Logged::Answered {
                sent: stamp,
                outcome: Outcome::Held,
            },
            "r" => Logged::Answered {
                sent: stamp,
                outcome: Outcome::Refused { reason },
            },
            _ => return None,
        };
        Some((id, logged))
    }
}

impl Standing {
    /// Folds one logged line into the standing. Any number of times, in log order: folding
    /// again changes nothing, and a line about content the row no longer holds is
    /// ignored, because every writer of a row folds the log before writing it. The one
    /// exception is a row rewritten *under the version that went out* by a version of
    /// the app that did not read the log: that version counts as sent with unknown
    /// content, so it is never reused and a conflict on it is settled as the device's own.
    pub fn fold(&mut self, logged: &Logged) -> bool {
        match logged {
            Logged::Sent(stamp) if self.holds(stamp) => {
                let before = self.sent.clone();
                self.mark_sent();
                self.sent != before
            }
            Logged::Sent(stamp) => {
                let overwritten = self.version == stamp.version
                    && stamp.is_known()
                    && self.sent.as_ref().is_none_or(|s| {
                        s.version < stamp.version
                            || (s.is_known() && s.version == stamp.version && s != stamp)
                    });
                if overwritten {
                    self.sent = Some(Stamp::unknown(stamp.version));
                }
                overwritten
            }
            Logged::Answered { sent, outcome } => self.apply_outcome(sent, outcome),
        }
    }
}

/// How a `conflict` is settled, from the server's versions of the record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// The server's latest version already has the device's content: adopt its number.
    AlreadyHeld { version: u32 },
    /// Everything the server holds could have come from this device, and the device's
    /// content is newer: send it again under this version.
    Resend { version: u32 },
    /// The server holds a version this device never sent: the worker chooses.
    Genuine { server_version: u32 },
    /// The worker chose the server's version: the device stores it, synced.
    TakeServers { version: u32 },
    /// The server has no version of this id for this worker: the id is someone else's.
    Foreign,
}

/// Two records say the same thing (versions aside).
pub fn same_content(a: &Record, b: &Record) -> bool {
    let comparable = |r: &Record| {
        let deleted = r.deleted();
        r.clone().with_version(0, deleted).normalized()
    };
    comparable(a) == comparable(b)
}

/// Settles a `conflict` on `device` from every version the server holds of it.
///
/// A version this device sent is frozen, so the server holding other content under it
/// means another source wrote it (a second phone of the same worker, a restored backup):
/// a genuine conflict, for the worker to settle. The exception is a row whose sent content
/// is unknown ([`Stamp::unknown`]: kept from before this bookkeeping, when a correction
/// could reuse a sent version): when nothing on the server is above what it sent, the
/// device's content is the newer one and goes out again as the next version.
pub fn resolve(device: &Record, standing: &Standing, server_versions: &[Record]) -> Resolution {
    let Some(latest) = server_versions.iter().max_by_key(|r| r.version()) else {
        return Resolution::Foreign;
    };
    if same_content(device, latest) {
        return Resolution::AlreadyHeld {
            version: latest.version(),
        };
    }
    let held = standing.highest_maybe_held().unwrap_or(0);
    let uncertain = standing.sent.as_ref().is_some_and(|s| !s.is_known());
    if uncertain && latest.version() <= held {
        Resolution::Resend {
            version: held.max(standing.version).saturating_add(1),
        }
    } else {
        Resolution::Genuine {
            server_version: latest.version(),
        }
    }
}

/// The worker settled a genuine conflict by keeping the device's content: it goes out
/// above both the server's version and anything this device may have sent.
pub fn keep_mine(standing: &Standing, server_version: u32) -> Resolution {
    let held = standing.highest_maybe_held().unwrap_or(0);
    Resolution::Resend {
        version: server_version.max(held).saturating_add(1),
    }
}

/// The worker settled a genuine conflict by keeping the server's content.
pub fn keep_servers(server_version: u32) -> Resolution {
    Resolution::TakeServers {
        version: server_version,
    }
}

/// What came back for the batch in flight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BatchOutcome {
    /// `200`: per-record results.
    Acknowledged(BatchResponse),
    /// `422 invalid_records`: the server wrote nothing and named the bad records.
    InvalidRecords(Vec<RecordRejection>),
    /// `413`: the server takes fewer records (or fewer bytes) per request, say an older
    /// server behind the same address during a deploy. Nothing was written.
    TooLarge,
    /// No usable answer: nothing is known to be stored.
    Failed(Failure),
}

/// Why a request brought no usable answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Failure {
    /// The request did not reach the server, the answer did not come back, or it took
    /// longer than the client's timeout.
    Network,
    /// The token was refused.
    Unauthorized,
    /// The device was unused for too long: it must be paired again.
    Expired,
    /// `429`: retry after this many seconds.
    RateLimited { retry_after_s: u32 },
    /// The server answered with an error (5xx) or with something this client cannot read.
    Server,
}

impl Failure {
    /// Whether trying again later in the same run can help.
    pub fn is_transient(self) -> bool {
        !matches!(self, Failure::Unauthorized | Failure::Expired)
    }
}

/// Totals of a run, for the message shown to the worker.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncSummary {
    pub synced: usize,
    pub rejected: usize,
    pub conflicts: usize,
    /// Still pending when the run ended (not sent, or not acknowledged).
    pub still_pending: usize,
    pub failure: Option<Failure>,
}

/// What the caller does next in a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Mark these ids sent, send their current content.
    Send(Vec<Uuid>),
    /// Wait this long (backoff, or the server's `Retry-After`), then ask again.
    Wait { ms: u64 },
    /// The run is over; see [`SyncRun::summary`].
    Done,
}

/// Retries within a run before it stops (network errors and 5xx; 429 counts apart).
pub const MAX_ATTEMPTS: u32 = 5;
/// Consecutive `429` answers honoured before the run stops.
pub const MAX_RATE_LIMITED: u32 = 10;
/// First backoff delay; doubles at each attempt.
pub const BACKOFF_BASE_MS: u64 = 1_000;
/// Longest wait between two tries of a run.
pub const BACKOFF_CAP_MS: u64 = 60_000;

/// The backoff before retry `attempt` (1-based), with `jitter` in `[0, 1)` from the caller:
/// "equal jitter", between half and all of the exponential delay.
pub fn backoff_ms(attempt: u32, jitter: f64) -> u64 {
    let exp = BACKOFF_BASE_MS
        .saturating_mul(1u64 << attempt.saturating_sub(1).min(16))
        .min(BACKOFF_CAP_MS);
    let jitter = jitter.clamp(0.0, 1.0);
    exp / 2 + (exp as f64 / 2.0 * jitter) as u64
}

/// Records in a run's first request: what one bar of signal carries well.
pub const FIRST_BATCH: usize = 100;
/// Fewest records per request once a slow link has halved it.
pub const MIN_BATCH: usize = 10;
/// An answer within this time lets the next request carry twice as many records.
pub const FAST_ANSWER_MS: u64 = 2_000;
/// An answer slower than this halves the next request (the client gives up at 20 s).
pub const SLOW_ANSWER_MS: u64 = 8_000;

/// One sync run over the records pending when it started.
///
/// Requests grow while answers come back fast and shrink when they are slow or lost, so a
/// long queue goes out in few requests on a good link, and a weak one resends little after
/// each lost answer.
#[derive(Debug, Clone)]
pub struct SyncRun {
    queue: VecDeque<Uuid>,
    /// Ids handed out by the last [`Step::Send`], and the stamps the caller marked.
    in_flight: Vec<Uuid>,
    stamps: Vec<(Uuid, Stamp)>,
    /// Records in the next request, between `min_batch` and `max_batch`.
    batch: usize,
    min_batch: usize,
    max_batch: usize,
    /// How long the batch in flight took to answer ([`SyncRun::answered_in`]).
    answer_ms: Option<u64>,
    failures: u32,
    rate_limited: u32,
    wait_ms: Option<u64>,
    summary: SyncSummary,
}

impl SyncRun {
    /// Starts a run over `pending` ids, sent in the order given, `batch` per request.
    pub fn new(pending: impl IntoIterator<Item = Uuid>, batch: usize) -> Self {
        Self::growing(pending, batch, batch, batch)
    }

    /// Starts a run whose requests carry `first` records, then between `min` and `max` as
    /// the answers' times say ([`FAST_ANSWER_MS`], [`SLOW_ANSWER_MS`]).
    pub fn growing(
        pending: impl IntoIterator<Item = Uuid>,
        first: usize,
        min: usize,
        max: usize,
    ) -> Self {
        let max_batch = max.max(1);
        let min_batch = min.clamp(1, max_batch);
        SyncRun {
            queue: pending.into_iter().collect(),
            in_flight: Vec::new(),
            stamps: Vec::new(),
            batch: first.clamp(min_batch, max_batch),
            min_batch,
            max_batch,
            answer_ms: None,
            failures: 0,
            rate_limited: 0,
            wait_ms: None,
            summary: SyncSummary::default(),
        }
    }

    /// What to do next.
    pub fn next_step(&mut self) -> Step {
        if let Some(ms) = self.wait_ms.take() {
            return Step::Wait { ms };
        }
        if !self.in_flight.is_empty() || self.queue.is_empty() || self.summary.failure.is_some() {
            return Step::Done;
        }
        let n = self.batch.min(self.queue.len());
        self.in_flight = self.queue.drain(..n).collect();
        self.stamps.clear();
        Step::Send(self.in_flight.clone())
    }

    /// The stamps the caller marked sent for the batch (ids that vanished meanwhile, say
    /// forgotten by another tab, are simply absent).
    pub fn marked(&mut self, stamps: Vec<(Uuid, Stamp)>) {
        self.stamps = stamps;
    }

    /// Puts a record back at the end of the queue (a conflict settled as a resend).
    pub fn requeue(&mut self, id: Uuid) {
        if !self.queue.contains(&id) {
            self.queue.push_back(id);
        }
    }

    /// How long the batch in flight took to answer, from the caller's clock; call it before
    /// [`SyncRun::settle`]. Runs told nothing keep their size.
    pub fn answered_in(&mut self, ms: u64) {
        self.answer_ms = Some(ms);
    }

    /// Takes the outcome of the batch in flight; returns the transitions to persist.
    /// `jitter` in `[0, 1)` (from the caller's randomness) spreads retries of many phones.
    pub fn settle(&mut self, outcome: BatchOutcome, jitter: f64) -> Vec<Transition> {
        let ids = std::mem::take(&mut self.in_flight);
        let stamps = std::mem::take(&mut self.stamps);
        let answer_ms = self.answer_ms.take();
        match outcome {
            BatchOutcome::Acknowledged(response) => {
                self.failures = 0;
                self.rate_limited = 0;
                self.resize(ids.len(), answer_ms);
                self.acknowledged(&stamps, &response)
            }
            BatchOutcome::InvalidRecords(rejections) => {
                self.failures = 0;
                self.rate_limited = 0;
                self.resize(ids.len(), answer_ms);
                self.invalid(&ids, &stamps, &rejections)
            }
            BatchOutcome::TooLarge => {
                self.too_large(ids);
                Vec::new()
            }
            BatchOutcome::Failed(failure) => {
                if failure == Failure::Network {
                    // Lost or too slow: on a weak link, a smaller request has better odds
                    // and costs less to send again.
                    self.shrink();
                }
                self.failed(ids, failure, jitter);
                Vec::new()
            }
        }
    }

    /// Grows the next request after a full batch answered fast; halves it after a slow one.
    fn resize(&mut self, sent: usize, answer_ms: Option<u64>) {
        match answer_ms {
            Some(ms) if ms <= FAST_ANSWER_MS && sent >= self.batch => {
                self.batch = (self.batch * 2).min(self.max_batch);
            }
            Some(ms) if ms > SLOW_ANSWER_MS => self.shrink(),
            _ => {}
        }
    }

    /// Halves the next request, down to the run's smallest.
    fn shrink(&mut self) {
        self.batch = (self.batch / 2).max(self.min_batch);
    }

    /// A `413`: the same records go again at once, half as many per request; a single
    /// record too large for the server stops the run (resending it cannot help).
    fn too_large(&mut self, ids: Vec<Uuid>) {
        if ids.len() <= 1 {
            self.halt(Failure::Server, ids.len());
            return;
        }
        self.batch = ids.len() / 2;
        self.min_batch = self.min_batch.min(self.batch);
        self.max_batch = self.batch;
        for id in ids.into_iter().rev() {
            self.queue.push_front(id);
        }
    }

    fn acknowledged(
        &mut self,
        stamps: &[(Uuid, Stamp)],
        response: &BatchResponse,
    ) -> Vec<Transition> {
        let mut transitions = Vec::new();
        for (id, stamp) in stamps {
            // Only the server's word about this very id and version moves it; a record
            // missing from the answer stays pending and goes out again next time.
            let status = response
                .results
                .iter()
                .find(|r| r.id == *id && r.version == stamp.version)
                .map(|r| r.status);
            let outcome = match status {
                Some(RecordStatus::Stored | RecordStatus::Duplicate) => {
                    self.summary.synced += 1;
                    Outcome::Held
                }
                Some(RecordStatus::Conflict) => Outcome::Conflict,
                None => {
                    self.summary.still_pending += 1;
                    continue;
                }
            };
            transitions.push(Transition {
                id: *id,
                sent: stamp.clone(),
                outcome,
            });
        }
        transitions
    }

    fn invalid(
        &mut self,
        ids: &[Uuid],
        stamps: &[(Uuid, Stamp)],
        rejections: &[RecordRejection],
    ) -> Vec<Transition> {
        // The request carried the marked records in the order of `stamps`.
        let mut transitions: Vec<Transition> = Vec::new();
        for rejection in rejections {
            let Some((id, stamp)) = stamps.get(rejection.index) else {
                continue;
            };
            if rejection.id.is_some_and(|named| named != *id)
                || transitions.iter().any(|t| t.id == *id)
            {
                continue;
            }
            transitions.push(Transition {
                id: *id,
                sent: stamp.clone(),
                outcome: Outcome::Refused {
                    reason: rejection_reason(rejection),
                },
            });
        }
        if transitions.is_empty() {
            // Refused without naming anything we sent: resending would loop forever.
            self.halt(Failure::Server, ids.len());
            return transitions;
        }
        self.summary.rejected += transitions.len();
        // The others were valid but not written (all or nothing): send them again first.
        for id in ids.iter().rev() {
            if !transitions.iter().any(|t| t.id == *id) {
                self.queue.push_front(*id);
            }
        }
        transitions
    }

    fn failed(&mut self, ids: Vec<Uuid>, failure: Failure, jitter: f64) {
        let wait = match failure {
            Failure::Unauthorized | Failure::Expired => None,
            Failure::RateLimited { retry_after_s } => {
                self.rate_limited += 1;
                (self.rate_limited <= MAX_RATE_LIMITED).then(|| {
                    // The server's word, plus a little spread so phones do not return at once.
                    u64::from(retry_after_s.max(1)) * 1000
                        + (jitter.clamp(0.0, 1.0) * 1000.0) as u64
                })
            }
            Failure::Network | Failure::Server => {
                self.failures += 1;
                (self.failures <= MAX_ATTEMPTS).then(|| backoff_ms(self.failures, jitter))
            }
        };
        match wait {
            Some(ms) => {
                for id in ids.into_iter().rev() {
                    self.queue.push_front(id);
                }
                self.wait_ms = Some(ms);
            }
            None => self.halt(failure, ids.len()),
        }
    }

    fn halt(&mut self, failure: Failure, in_flight: usize) {
        self.summary.failure = Some(failure);
        self.summary.still_pending += in_flight + self.queue.len();
        self.queue.clear();
    }

    /// Stops the run now (the app was locked, or the phone has no network at all, where
    /// waiting to retry is pointless): everything not acknowledged stays pending.
    pub fn stop(&mut self, failure: Failure) {
        let in_flight = std::mem::take(&mut self.in_flight).len();
        // A batch waiting for its retry is back in the queue, and counted there.
        self.wait_ms = None;
        if self.summary.failure.is_none() {
            self.halt(failure, in_flight);
        }
    }

    /// Stops the run now because the app was locked.
    pub fn cancel(&mut self) {
        self.stop(Failure::Network);
    }

    /// A conflict was settled as genuine: counted for the closing message.
    pub fn count_conflict(&mut self) {
        self.summary.conflicts += 1;
    }

    /// Records the next request carries at most.
    pub fn batch_size(&self) -> usize {
        self.batch
    }

    /// Records still queued, for the status line.
    pub fn queued(&self) -> usize {
        self.queue.len() + self.in_flight.len()
    }

    /// Totals so far; final once [`SyncRun::next_step`] returns [`Step::Done`].
    pub fn summary(&self) -> SyncSummary {
        self.summary
    }
}

/// `field:reason,field:reason` from a rejection, for the row and the « À corriger » list.
fn rejection_reason(rejection: &RecordRejection) -> String {
    rejection
        .errors
        .iter()
        .map(|e| format!("{}:{}", e.field, e.reason.code()))
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests;
