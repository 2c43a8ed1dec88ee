//! Whether a period's figures are complete: which phones may still hold records of it.
//!
//! A phone reports what it still holds at the end of each sync ([`DeviceReport`]: counts and
//! dates only, never contents or ids). Before printing a period, the coordinator needs every
//! device that may hold records of it: one that has not synced since the period ended, one
//! that reported waiting records dated inside it, one that runs another build than the
//! server serves. A revoked or expired device is listed apart: its token no longer works,
//! so what it holds will not arrive with it. Pure: the server passes the devices, the
//! period's end as an instant in the organisation's time zone, and its own build.

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

/// Whether a device's token works.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceState {
    Active,
    /// Unused longer than `device_expiry_days`: refused until the phone is paired again.
    Expired,
    /// Revoked (the device, or its whole worker).
    Revoked,
}

/// The longest app build name a phone may report.
pub const MAX_BUILD_LEN: usize = 64;

/// What a phone still holds, sent with each sync (`PUT /api/v1/device/report`). Counts and
/// dates only: nothing here can tell which records, let alone whom they are about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceReport {
    /// Records not yet acknowledged by the server (waiting, or sent without an answer).
    pub waiting: u32,
    /// The local day of the oldest and of the newest waiting record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        target_arch = "wasm32",
        serde(deserialize_with = "crate::time::optional_date")
    )]
    pub oldest_waiting: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        target_arch = "wasm32",
        serde(deserialize_with = "crate::time::optional_date")
    )]
    pub newest_waiting: Option<NaiveDate>,
    /// Records the server refused, waiting for the worker to correct them.
    pub to_fix: u32,
    /// The app's build (the service worker's version), to spot phones left on an old one.
    pub build: String,
    /// Whether the browser granted persistent storage (else it may evict the records).
    pub persistent: bool,
    /// When the phone made the report, on its own clock.
    #[cfg_attr(
        target_arch = "wasm32",
        serde(deserialize_with = "crate::time::datetime")
    )]
    pub reported_at: DateTime<FixedOffset>,
}

/// Why a report is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum StateError {
    #[error("build must be 1 to {MAX_BUILD_LEN} letters, digits, '.', '-' or '_'")]
    Build,
    #[error(
        "oldest_waiting and newest_waiting go together, oldest first, and only with waiting records"
    )]
    Dates,
}

impl DeviceReport {
    /// Checks what serde cannot: a build name of safe characters, coherent dates.
    pub fn validate(&self) -> Result<(), StateError> {
        let build_ok = !self.build.is_empty()
            && self.build.len() <= MAX_BUILD_LEN
            && self
                .build
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'));
        if !build_ok {
            return Err(StateError::Build);
        }
        match (self.oldest_waiting, self.newest_waiting) {
            (None, None) => Ok(()),
            (Some(oldest), Some(newest)) if oldest <= newest && self.waiting > 0 => Ok(()),
            _ => Err(StateError::Dates),
        }
    }

    /// Whether some waiting record is dated inside `from..=to`.
    pub fn waiting_within(&self, from: NaiveDate, to: NaiveDate) -> bool {
        match (self.oldest_waiting, self.newest_waiting) {
            (Some(oldest), Some(newest)) => self.waiting > 0 && oldest <= to && newest >= from,
            _ => false,
        }
    }
}

/// One device as the server knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceSeen {
    pub worker: String,
    pub device: i64,
    pub label: String,
    pub state: DeviceState,
    /// When it was paired (ms since the epoch).
    pub created_ms: i64,
    /// When the server last received its report, at the end of a sync (ms since the epoch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_sync_ms: Option<i64>,
    /// Its last request of any kind, to within minutes: all that is known of a phone too
    /// old to report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_seen_ms: Option<i64>,
    /// Its latest report, if it ever sent one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<DeviceReport>,
}

/// Why a device may still hold records of the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Doubt {
    /// It never synced at all.
    NeverSynced,
    /// It was used, but never reported what it holds: a build from before reports.
    NoReport,
    /// Its last sync was before the period ended.
    NotSyncedSinceEnd,
    /// It reported waiting records dated inside the period.
    WaitingInPeriod,
    /// It runs another build than the server serves (an old one, most likely).
    OtherBuild,
}

/// A device that may hold records of the period, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DoubtfulDevice {
    #[serde(flatten)]
    pub device: DeviceSeen,
    pub doubts: Vec<Doubt>,
}

/// The answer for one period.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Completeness {
    /// Active devices that may still send records of the period.
    pub pending: Vec<DoubtfulDevice>,
    /// Revoked or expired devices that reported waiting records (or never reported): what
    /// they hold will not arrive with their token.
    pub lost: Vec<DoubtfulDevice>,
    /// Active devices, all told (so a screen can say « 5 appareils sur 7 »).
    pub active_devices: u32,
}

impl Completeness {
    /// Whether every device is known to have sent everything of the period.
    pub fn is_complete(&self) -> bool {
        self.pending.is_empty() && self.lost.is_empty()
    }

    /// Sorts every device of the team. `period_end_ms`: the first instant after the period
    /// (midnight after `to`, in the organisation's time zone); `from_ms` the period's first
    /// instant; `server_build`: what it serves (None when it serves no app).
    pub fn of(
        devices: impl IntoIterator<Item = DeviceSeen>,
        (from, to): (NaiveDate, NaiveDate),
        (from_ms, period_end_ms): (i64, i64),
        server_build: Option<&str>,
    ) -> Self {
        let mut out = Completeness::default();
        for device in devices {
            let mut doubts = Vec::new();
            match (&device.report, device.last_sync_ms) {
                // Paired after the period: it cannot hold records of it.
                (None, _) if device.created_ms >= period_end_ms => {}
                // Never used at all, or used by a build too old to report: nothing tells
                // what it holds.
                (None, _) if device.last_seen_ms.is_none() => doubts.push(Doubt::NeverSynced),
                (None, _) => doubts.push(Doubt::NoReport),
                (Some(_), None) => doubts.push(Doubt::NeverSynced),
                (Some(report), Some(at)) => {
                    if at < period_end_ms {
                        doubts.push(Doubt::NotSyncedSinceEnd);
                    }
                    if report.waiting_within(from, to) {
                        doubts.push(Doubt::WaitingInPeriod);
                    }
                    if server_build.is_some_and(|b| b != report.build) {
                        doubts.push(Doubt::OtherBuild);
                    }
                }
            }
            match device.state {
                DeviceState::Active => {
                    out.active_devices += 1;
                    if !doubts.is_empty() {
                        out.pending.push(DoubtfulDevice { device, doubts });
                    }
                }
                DeviceState::Revoked | DeviceState::Expired => {
                    // One that reported nothing waiting of the period lost nothing; one
                    // that never reported may hold some if it was used since the period
                    // began.
                    let holds = device
                        .report
                        .as_ref()
                        .map_or(device.last_seen_ms.is_some_and(|at| at >= from_ms), |r| {
                            r.waiting_within(from, to)
                        });
                    if holds {
                        doubts.retain(|d| *d != Doubt::OtherBuild);
                        out.lost.push(DoubtfulDevice { device, doubts });
                    }
                }
            }
        }
        let order = |d: &DoubtfulDevice| (d.device.worker.to_lowercase(), d.device.device);
        out.pending.sort_by_key(order);
        out.lost.sort_by_key(order);
        out
    }

    /// The earliest last sync among the pending devices (ms): « rien envoyé depuis le … ».
    pub fn silent_since_ms(&self) -> Option<i64> {
        self.pending
            .iter()
            .filter(|d| d.doubts.contains(&Doubt::NotSyncedSinceEnd))
            .filter_map(|d| d.device.last_sync_ms)
            .min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn ms(s: &str) -> i64 {
        DateTime::parse_from_rfc3339(s).unwrap().timestamp_millis()
    }

    fn report(waiting: u32, dates: Option<(&str, &str)>, build: &str) -> DeviceReport {
        DeviceReport {
            waiting,
            oldest_waiting: dates.map(|(a, _)| d(a)),
            newest_waiting: dates.map(|(_, b)| d(b)),
            to_fix: 0,
            build: build.into(),
            persistent: true,
            reported_at: DateTime::parse_from_rfc3339("2026-04-02T09:00:00-04:00").unwrap(),
        }
    }

    fn device(
        n: i64,
        state: DeviceState,
        last: Option<&str>,
        r: Option<DeviceReport>,
    ) -> DeviceSeen {
        DeviceSeen {
            worker: format!("poste-{n}"),
            device: n,
            label: "Téléphone".into(),
            state,
            created_ms: ms("2026-01-05T09:00:00-05:00"),
            last_seen_ms: last.map(ms),
            last_sync_ms: last.map(ms),
            report: r,
        }
    }

    const MARCH: (&str, &str) = ("2026-03-01", "2026-03-31");
    /// Midnight after 31 March in Québec (daylight time).
    const END: &str = "2026-04-01T00:00:00-04:00";

    fn march(devices: Vec<DeviceSeen>) -> Completeness {
        let start = ms("2026-03-01T00:00:00-05:00");
        Completeness::of(
            devices,
            (d(MARCH.0), d(MARCH.1)),
            (start, ms(END)),
            Some("b2"),
        )
    }

    #[test]
    fn a_phone_synced_after_the_end_with_nothing_waiting_is_complete() {
        let c = march(vec![device(
            1,
            DeviceState::Active,
            Some("2026-04-01T08:00:00-04:00"),
            Some(report(0, None, "b2")),
        )]);
        assert!(c.is_complete());
        assert_eq!(c.active_devices, 1);
    }

    #[test]
    fn silence_waiting_records_and_old_builds_each_raise_a_doubt() {
        let c = march(vec![
            device(1, DeviceState::Active, None, None),
            device(
                2,
                DeviceState::Active,
                Some("2026-03-15T12:00:00-04:00"),
                Some(report(0, None, "b2")),
            ),
            device(
                3,
                DeviceState::Active,
                Some("2026-04-02T13:00:00Z"),
                Some(report(40, Some(("2026-03-20", "2026-04-02")), "b2")),
            ),
            device(
                4,
                DeviceState::Active,
                Some("2026-04-02T13:00:00Z"),
                Some(report(3, Some(("2026-04-01", "2026-04-02")), "b1")),
            ),
            // Synced one second before the end: not after it.
            device(
                5,
                DeviceState::Active,
                Some("2026-04-01T03:59:59Z"),
                Some(report(0, None, "b2")),
            ),
            // Paired in April, never synced: it holds nothing of March.
            DeviceSeen {
                created_ms: ms("2026-04-01T00:00:00-04:00"),
                ..device(6, DeviceState::Active, None, None)
            },
            // Used in April by a build that does not report: nothing tells what it holds.
            DeviceSeen {
                last_seen_ms: Some(ms("2026-04-03T10:00:00-04:00")),
                ..device(7, DeviceState::Active, None, None)
            },
        ]);
        let got: Vec<(i64, Vec<Doubt>)> = c
            .pending
            .iter()
            .map(|p| (p.device.device, p.doubts.clone()))
            .collect();
        assert_eq!(
            got,
            vec![
                (1, vec![Doubt::NeverSynced]),
                (2, vec![Doubt::NotSyncedSinceEnd]),
                (3, vec![Doubt::WaitingInPeriod]),
                (4, vec![Doubt::OtherBuild]),
                (5, vec![Doubt::NotSyncedSinceEnd]),
                (7, vec![Doubt::NoReport]),
            ]
        );
        assert_eq!(c.silent_since_ms(), Some(ms("2026-03-15T12:00:00-04:00")));
        assert!(!c.is_complete());
    }

    #[test]
    fn a_revoked_phone_with_waiting_records_is_lost_not_pending() {
        let c = march(vec![
            device(
                1,
                DeviceState::Revoked,
                Some("2026-03-10T12:00:00Z"),
                Some(report(12, Some(("2026-03-02", "2026-03-09")), "b1")),
            ),
            // Revoked with nothing waiting, or gone before the period: nothing lost.
            device(
                2,
                DeviceState::Revoked,
                Some("2026-03-10T12:00:00Z"),
                Some(report(0, None, "b2")),
            ),
            device(3, DeviceState::Expired, Some("2025-11-10T12:00:00Z"), None),
        ]);
        assert!(c.pending.is_empty());
        assert_eq!(c.lost.len(), 1);
        assert_eq!(c.lost[0].device.device, 1);
        assert_eq!(
            c.lost[0].doubts,
            vec![Doubt::NotSyncedSinceEnd, Doubt::WaitingInPeriod]
        );
        assert_eq!(c.active_devices, 0);
    }

    #[test]
    fn a_report_is_counts_and_dates_only_and_refuses_anything_else() {
        let good = r#"{"waiting":2,"oldest_waiting":"2026-03-01","newest_waiting":"2026-03-02","to_fix":1,"build":"3f9c2a1b","persistent":true,"reported_at":"2026-03-02T10:00:00-05:00"}"#;
        let report: DeviceReport = serde_json::from_str(good).unwrap();
        assert_eq!(report.validate(), Ok(()));
        for bad in [
            good.replace(r#""waiting":2"#, r#""waiting":-2"#),
            good.replace(r#""to_fix":1"#, r#""to_fix":1,"ids":["x"]"#),
            good.replace(r#""persistent":true,"#, ""),
        ] {
            assert!(serde_json::from_str::<DeviceReport>(&bad).is_err(), "{bad}");
        }
        for (bad, why) in [
            (good.replace("3f9c2a1b", "<script>"), StateError::Build),
            (good.replace("3f9c2a1b", ""), StateError::Build),
            (
                good.replace("2026-03-02\",\"to", "2026-02-01\",\"to"),
                StateError::Dates,
            ),
            (
                good.replace(r#""waiting":2"#, r#""waiting":0"#),
                StateError::Dates,
            ),
            (
                good.replace(r#","newest_waiting":"2026-03-02""#, ""),
                StateError::Dates,
            ),
        ] {
            let report: DeviceReport = serde_json::from_str(&bad).unwrap();
            assert_eq!(report.validate(), Err(why), "{bad}");
        }
    }
}
