//! Drives one sync run of the open profile: the state machine from `carnet-core`, the API,
//! IndexedDB, the Web Locks and the waits between tries.
//!
//! Per batch: mark the rows sent (one transaction, before the request), send, persist the
//! server's answers (one transaction), settle conflicts with the server's versions. « Sent »
//! and the answers go in the sync log (`storage/journal.rs`), one value per batch; after the
//! run, [`fold_log`] folds it into the rows. The
//! run holds the profile's sync lock from start to end, so one window sends at a time;
//! each read-modify-write of rows takes the rows lock, so edits in any window interleave
//! safely. Locking the app cancels the run: the request in flight is aborted and whatever
//! was not acknowledged stays pending ("sent, unconfirmed" when it went out).

use std::sync::Arc;

use carnet_core::completeness::DeviceReport;
use carnet_core::sync::{self as core_sync, FIRST_BATCH, MIN_BATCH, Outcome, Resolution, Step};
use carnet_core::wire::MAX_BATCH;
use carnet_core::{Failure, Record, Standing, SyncRun, SyncSummary, Transition};
use leptos::prelude::*;
use uuid::Uuid;

use crate::platform::{self, pause};
use crate::state::{OpenProfile, RunControl, SyncStatus};
use crate::storage::{LocalRecord, Outgoing, StoreError};
use crate::{api, locks};

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunEnd {
    /// It ran; the totals say how it went.
    Ran(SyncSummary),
    /// No token on this device yet.
    NoToken,
    /// Another window of this profile is sending its queue.
    ElsewhereRunning,
    /// The device's storage failed; nothing was lost, the run stopped.
    Storage,
    /// The app was locked during the run.
    Cancelled,
}

/// Sends the open profile's queue.
pub async fn run(open: OpenProfile) -> RunEnd {
    let Some(token) = open.token() else {
        return RunEnd::NoToken;
    };
    // The queue is known once every row is read (a moment after unlocking).
    if !open.all_rows().await {
        return RunEnd::Cancelled;
    }
    let profile = open.id();
    let control = Arc::new(RunControl::default());
    let work = {
        let open = open.clone();
        let control = control.clone();
        async move {
            if let Ok(mut slot) = open.run.lock() {
                *slot = Some(control.clone());
            }
            let end = drive(&open, &token, &control).await;
            if let Ok(mut slot) = open.run.lock() {
                slot.take();
            }
            if matches!(end, RunEnd::Ran(_)) {
                // What waits has changed: the next unlock's banner reads it from the hint.
                open.keep_day_hint().await;
            }
            if matches!(end, RunEnd::Ran(_))
                && let Some(build) = platform::app_build()
            {
                report_holdings(&open, &token, build).await;
            }
            end
        }
    };
    match locks::if_available(&locks::sync(profile), work).await {
        Some(end) => end,
        None => {
            open.sync.set(SyncStatus::ElsewhereRunning);
            RunEnd::ElsewhereRunning
        }
    }
}

/// Tells the server what this device still holds, as counts and dates only, so that a
/// coordinator knows whether a period's figures may still change: the phone app at the end
/// of each run (a build whose page does not name its module, a development build, does
/// not), the coordinator's app when it opens the profile. Best effort: a phone that cannot
/// reach the server says nothing, and the server shows that silence.
pub async fn report_holdings(open: &OpenProfile, token: &str, build: String) {
    let (waiting, days, to_fix) = open
        .book
        .with_untracked(|b| (b.pending_count(), b.pending_days(), b.to_fix_count()));
    let report = DeviceReport {
        waiting: u32::try_from(waiting).unwrap_or(u32::MAX),
        oldest_waiting: days.map(|d| d.0),
        newest_waiting: days.map(|d| d.1),
        to_fix: u32::try_from(to_fix).unwrap_or(u32::MAX),
        build,
        persistent: crate::storage_guard::is_persistent().await.unwrap_or(false),
        reported_at: platform::now(),
    };
    if let Err(err) = api::put_device_report(token, &report).await {
        leptos::logging::warn!("carnet: what this phone holds was not reported: {err}");
    }
}

async fn drive(open: &OpenProfile, token: &str, control: &RunControl) -> RunEnd {
    let pending = open.book.with_untracked(|b| b.pending_ids());
    let mut run = SyncRun::growing(pending, FIRST_BATCH, MIN_BATCH, MAX_BATCH);
    loop {
        if control.is_cancelled() {
            return RunEnd::Cancelled;
        }
        match run.next_step() {
            Step::Done => break,
            Step::Wait { ms } => {
                open.sync.set(SyncStatus::Retrying {
                    at_ms: js_sys::Date::now() + ms as f64,
                });
                if !sleep(ms, control).await {
                    return RunEnd::Cancelled;
                }
            }
            Step::Send(ids) => {
                open.sync.set(SyncStatus::Sending { left: run.queued() });
                match send_batch(open, token, control, &mut run, &ids).await {
                    Ok(()) => {}
                    Err(BatchError::Cancelled) => return RunEnd::Cancelled,
                    Err(BatchError::Storage(err)) => {
                        leptos::logging::warn!("carnet: sync bookkeeping failed: {err}");
                        return RunEnd::Storage;
                    }
                }
            }
        }
    }
    RunEnd::Ran(run.summary())
}

enum BatchError {
    Cancelled,
    Storage(StoreError),
}

impl From<StoreError> for BatchError {
    fn from(e: StoreError) -> Self {
        BatchError::Storage(e)
    }
}

async fn send_batch(
    open: &OpenProfile,
    token: &str,
    control: &RunControl,
    run: &mut SyncRun,
    ids: &[Uuid],
) -> Result<(), BatchError> {
    let store = open.store();
    let rows_lock = locks::rows(open.id());
    crate::bench::mark("sync:batch");
    let outgoing = locks::with_lock(&rows_lock, store.mark_sent(ids)).await?;
    crate::bench::mark("sync:marked");
    run.marked(outgoing.iter().map(|o| (o.id, o.stamp.clone())).collect());
    let records = records_to_send(open, &outgoing).await?;
    mark_in_book(open, &outgoing);
    crate::bench::mark("sync:ready");
    let Some(controller) = control.request_controller() else {
        return Err(BatchError::Cancelled);
    };
    let asked = js_sys::Date::now();
    let outcome = api::post_batch(records, token, controller).await;
    crate::bench::mark("sync:answered");
    run.answered_in((js_sys::Date::now() - asked).max(0.0) as u64);
    if control.is_cancelled() {
        return Err(BatchError::Cancelled);
    }
    let offline = matches!(outcome, carnet_core::BatchOutcome::Failed(Failure::Network))
        && web_sys::window().is_some_and(|w| !w.navigator().on_line());
    let transitions = run.settle(outcome, js_sys::Math::random());
    if offline {
        // No network at all: retrying now is pointless; the run starts again by itself
        // when the phone is back online.
        run.stop(Failure::Network);
    }
    locks::with_lock(&rows_lock, store.log_answers(&transitions)).await?;
    crate::bench::mark("sync:applied");
    let mut touched: Vec<Uuid> = outgoing.iter().map(|o| o.id).collect();
    // The book takes the answers as the rows will read: each moves only a record that
    // still holds what was sent (another window's change comes with its own notice).
    open.book.update(|book| {
        for t in &transitions {
            if let Some(mut local) = book.get(t.id).cloned()
                && local.standing.apply(t)
            {
                book.upsert(local);
            }
        }
    });
    for t in transitions
        .iter()
        .filter(|t| t.outcome == Outcome::Conflict)
    {
        if control.is_cancelled() {
            return Err(BatchError::Cancelled);
        }
        match settle_conflict(open, token, t).await? {
            Some(Resolution::Resend { .. }) => run.requeue(t.id),
            Some(Resolution::Genuine { .. }) => run.count_conflict(),
            _ => {}
        }
        touched.push(t.id);
    }
    notify(open, &touched);
    crate::bench::mark("sync:done");
    Ok(())
}

/// The records of a batch: the copy in memory when it is what the row holds, else the row
/// opened (another window changed it).
async fn records_to_send(
    open: &OpenProfile,
    outgoing: &[Outgoing],
) -> Result<Vec<Record>, StoreError> {
    let mut records: Vec<Option<Record>> = open.book.with_untracked(|book| {
        outgoing
            .iter()
            .map(|o| {
                book.get(o.id)
                    .filter(|l| l.standing.digest == o.stamp.digest)
                    .map(|l| l.record.clone())
            })
            .collect()
    });
    let missing: Vec<&str> = outgoing
        .iter()
        .zip(&records)
        .filter(|(o, r)| r.is_none() && !o.body.is_empty())
        .map(|(o, _)| o.body.as_str())
        .collect();
    if !missing.is_empty() {
        let mut opened = open.store().codec().decode_many(&missing).await.into_iter();
        for (o, slot) in outgoing.iter().zip(records.iter_mut()) {
            if slot.is_none() && !o.body.is_empty() {
                *slot = Some(opened.next().ok_or(StoreError::Idb("decode".into()))??);
            }
        }
    }
    // A record whose body is in a block (not expected for a pending row, but possible).
    for (o, slot) in outgoing.iter().zip(records.iter_mut()) {
        if slot.is_none()
            && let Some(local) = open.store().get(o.id).await?
        {
            *slot = Some(local.record);
        }
    }
    Ok(records.into_iter().flatten().collect())
}

/// The batch shows as "sent" on screen: one update of the book for the whole batch.
fn mark_in_book(open: &OpenProfile, outgoing: &[Outgoing]) {
    open.book.update(|book| {
        for o in outgoing {
            if let Some(mut local) = book.get(o.id).cloned()
                && local.standing.digest == o.stamp.digest
            {
                local.standing.mark_sent();
                book.upsert(local);
            }
        }
    });
}

/// Settles a `conflict` answer: asks the server for its versions and carries out what
/// [`core_sync::resolve`] decides. `Ok(None)` when it could not be settled now (offline,
/// or the row changed since): the row stays pending and the next run tries again.
async fn settle_conflict(
    open: &OpenProfile,
    token: &str,
    t: &Transition,
) -> Result<Option<Resolution>, StoreError> {
    let Ok(server) = api::record_versions(token, t.id, None).await else {
        return Ok(None);
    };
    let store = open.store();
    let id = t.id;
    let sent = t.sent.clone();
    let stored = locks::with_lock(&locks::rows(open.id()), async {
        let Some(current) = store.get(id).await? else {
            return Ok(None);
        };
        if current.standing.version != sent.version || current.standing.digest != sent.digest {
            return Ok(None);
        }
        let resolution = core_sync::resolve(&current.record, &current.standing, &server);
        let written = carry_out(&store, &current, &resolution, &server).await?;
        Ok::<_, StoreError>(Some((resolution, written)))
    })
    .await?;
    let Some((resolution, written)) = stored else {
        return Ok(None);
    };
    open.book.update(|book| book.upsert(written));
    Ok(Some(resolution))
}

/// Stores what a resolution means for a row; returns the row as stored.
pub async fn carry_out(
    store: &crate::storage::RecordStore,
    current: &LocalRecord,
    resolution: &Resolution,
    server: &[Record],
) -> Result<LocalRecord, StoreError> {
    let standing = current.standing.clone();
    let record = match resolution {
        Resolution::AlreadyHeld { version } | Resolution::Resend { version } => current
            .record
            .clone()
            .with_version(*version, current.record.deleted()),
        Resolution::TakeServers { version } => {
            match server.iter().find(|r| r.version() == *version) {
                Some(theirs) => theirs.clone(),
                None => return Ok(current.clone()),
            }
        }
        Resolution::Genuine { .. } | Resolution::Foreign => {
            // Nothing to rewrite: only the row's state changes.
            let standing: Standing = standing.settle(resolution, standing.digest.clone());
            let row_store = store.clone();
            return row_store
                .write_standing(current.record.id(), &standing)
                .await
                .map(|()| LocalRecord {
                    record: current.record.clone(),
                    standing,
                });
        }
    };
    store
        .write(record, |digest| standing.settle(resolution, digest))
        .await
}

/// Folds the sync log into the rows, a logged batch at a time under the rows lock, with a
/// pause between so that saves and taps go first. Stops at the first storage error (the
/// log stays, and is read as it is until the next try).
pub async fn fold_log(open: &OpenProfile) {
    let store = open.store();
    let rows_lock = locks::rows(open.id());
    loop {
        match locks::with_lock(&rows_lock, store.fold_oldest()).await {
            Ok(true) => pause(0).await,
            Ok(false) => break,
            Err(err) => {
                leptos::logging::warn!("carnet: could not fold the sync log: {err}");
                break;
            }
        }
    }
    crate::bench::mark("sync:folded");
}

/// Tells other windows of the profile which rows changed.
pub fn notify(open: &OpenProfile, ids: &[Uuid]) {
    if let Ok(channel) = open.channel.lock()
        && let Some(channel) = channel.as_ref()
    {
        channel.changed(ids);
    }
}

/// Waits `ms`, in short slices so that a cancelled run stops at once; false if cancelled.
async fn sleep(ms: u64, control: &RunControl) -> bool {
    let deadline = js_sys::Date::now() + ms as f64;
    loop {
        if control.is_cancelled() {
            return false;
        }
        let left = deadline - js_sys::Date::now();
        if left <= 0.0 {
            return true;
        }
        pause(left.min(250.0) as i32).await;
    }
}

/// Whether a run that ended this way should start again when the phone is back online.
pub fn resumes_online(end: &RunEnd) -> bool {
    matches!(
        end,
        RunEnd::Ran(SyncSummary {
            failure: Some(Failure::Network | Failure::Server | Failure::RateLimited { .. }),
            ..
        })
    )
}
