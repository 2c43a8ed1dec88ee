//! The store's vocabulary: workers, roles, devices, callers, settings, and what some
//! operations answer.

use std::time::Duration;

use carnet_core::wire::{DEFAULT_DEVICE_EXPIRY_DAYS, DEFAULT_RETENTION_DAYS};
use uuid::Uuid;

use super::{Refusal, StoreError};

/// A worker as the API sees it once the token is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WorkerId(pub i64);

/// What a token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Syncs and reads only its own records and tallies.
    Worker,
    /// Also reads the team's reports and tallies, and manages its accounts.
    Coordinator,
}

impl Role {
    pub const ALL: [Role; 2] = [Role::Worker, Role::Coordinator];

    /// The role as the database, the wire and the command line write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Worker => "worker",
            Role::Coordinator => "coordinator",
        }
    }

    /// `worker` or `coordinator`.
    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == text)
    }
}

/// A paired device (one token), by its number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DeviceId(pub i64);

/// The authenticated caller of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caller {
    pub worker: WorkerId,
    pub role: Role,
    /// The device whose token was presented.
    pub device: DeviceId,
}

/// What a presented token turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenCheck {
    Valid(Caller),
    /// A device of an active worker, unused for longer than `device-expiry-days`.
    Expired,
    /// Unknown, revoked, or of a revoked worker: one answer for all.
    Unknown,
}

/// Who did an account action, for the audit log: the command line, or a coordinator's
/// (or, pairing, the worker's own) name.
pub const ACTOR_CLI: &str = "cli";

/// A device's last-seen time is written at most this often (not on every request).
pub const LAST_SEEN_STEP_MS: i64 = 5 * 60 * 1000;

/// How long a pairing code stays valid.
pub const PAIRING_CODE_TTL_MS: i64 = 15 * 60 * 1000;

/// How long a request waits for the database (the writer's lock, a pooled connection)
/// before it is answered `503`.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(5);

pub(crate) const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// Whether a device last used at `last_used_ms` is past the expiry window at `now_ms`.
pub fn device_expired(last_used_ms: i64, expiry_days: u32, now_ms: i64) -> bool {
    now_ms.saturating_sub(last_used_ms) > i64::from(expiry_days) * DAY_MS
}

/// The organisation's settings that `carnet-server settings set` changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setting {
    /// Days a device may go unused before its token stops working.
    DeviceExpiryDays,
    /// Days a phone keeps records the server acknowledged (sent to phones by `/me`).
    RetentionDays,
}

impl Setting {
    pub const ALL: [Setting; 2] = [Setting::DeviceExpiryDays, Setting::RetentionDays];

    /// The name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Setting::DeviceExpiryDays => "device-expiry-days",
            Setting::RetentionDays => "retention-days",
        }
    }

    /// The row's name in the `settings` table.
    pub(crate) fn key(self) -> &'static str {
        match self {
            Setting::DeviceExpiryDays => "device_expiry_days",
            Setting::RetentionDays => "retention_days",
        }
    }

    pub fn default_value(self) -> u32 {
        match self {
            Setting::DeviceExpiryDays => DEFAULT_DEVICE_EXPIRY_DAYS,
            Setting::RetentionDays => DEFAULT_RETENTION_DAYS,
        }
    }

    pub fn parse(name: &str) -> Result<Self, StoreError> {
        Setting::ALL
            .into_iter()
            .find(|s| s.name() == name || s.key() == name)
            .ok_or_else(|| {
                Refusal::BadSetting(format!(
                    "unknown setting `{name}`; the settings are device-expiry-days and retention-days"
                ))
                .into()
            })
    }

    /// A value as typed: whole days, 1 to 3650.
    pub fn check(self, value: &str) -> Result<u32, StoreError> {
        value
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|days| (1..=3650).contains(days))
            .ok_or_else(|| {
                Refusal::BadSetting(format!(
                    "{} takes a whole number of days from 1 to 3650, not `{value}`",
                    self.name()
                ))
                .into()
            })
    }

    /// A stored value; a missing or unreadable one is the default.
    pub(crate) fn or_default(self, stored: Option<&str>) -> u32 {
        stored
            .and_then(|v| self.check(v).ok())
            .unwrap_or(self.default_value())
    }
}

/// The settings in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    pub device_expiry_days: u32,
    pub retention_days: u32,
}

impl Settings {
    pub fn get(&self, setting: Setting) -> u32 {
        match setting {
            Setting::DeviceExpiryDays => self.device_expiry_days,
            Setting::RetentionDays => self.retention_days,
        }
    }

    /// From the `settings` table's rows; a missing or unreadable value is the default.
    pub(crate) fn from_rows(rows: &[(String, String)]) -> Self {
        let value = |setting: Setting| {
            setting.or_default(
                rows.iter()
                    .find(|(name, _)| name == setting.key())
                    .map(|(_, v)| v.as_str()),
            )
        };
        Settings {
            device_expiry_days: value(Setting::DeviceExpiryDays),
            retention_days: value(Setting::RetentionDays),
        }
    }
}

/// A device revoked, or found revoked already.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevokedDevice {
    pub worker: String,
    pub label: String,
    /// False when the device was revoked already (nothing was written).
    pub changed: bool,
}

/// The latest version the server holds of one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredVersion {
    pub id: Uuid,
    pub version: u32,
    pub deleted: bool,
}

/// Rows per table, and the person-code key: what `migrate-to-postgres` compares.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    pub workers: i64,
    pub devices: i64,
    pub pairing_codes: i64,
    pub records: i64,
    pub record_owners: i64,
    pub taxonomies: i64,
    pub settings: i64,
    pub audit: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_read_back_as_written() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("admin"), None);
        assert_eq!(Role::parse("Coordinator"), None);
    }

    #[test]
    fn a_device_expires_after_the_window_and_settings_are_checked() {
        let day = DAY_MS;
        assert!(!device_expired(0, 90, 90 * day));
        assert!(device_expired(0, 90, 90 * day + 1));
        assert!(!device_expired(10 * day, 1, 11 * day));
        assert_eq!(
            Setting::parse("device-expiry-days").unwrap(),
            Setting::DeviceExpiryDays
        );
        assert_eq!(
            Setting::parse("retention_days").unwrap(),
            Setting::RetentionDays
        );
        assert!(Setting::parse("expiry").is_err());
        assert_eq!(Setting::RetentionDays.check(" 30 ").unwrap(), 30);
        for bad in ["0", "-1", "3651", "trente", "1.5", ""] {
            assert!(Setting::RetentionDays.check(bad).is_err(), "{bad}");
        }
        let rows = vec![
            ("retention_days".to_owned(), "30".to_owned()),
            ("device_expiry_days".to_owned(), "garbage".to_owned()),
        ];
        assert_eq!(
            Settings::from_rows(&rows),
            Settings {
                device_expiry_days: DEFAULT_DEVICE_EXPIRY_DAYS,
                retention_days: 30
            }
        );
    }
}

/// One count of [`super::Store::month_counts`]: of a month (`YYYY-MM`; `None` for the
/// versions without a local day), its versions, or with `later` the later versions of its
/// records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthCount {
    pub month: Option<String>,
    pub later: bool,
    pub count: i64,
}
