//! Rate limits, in memory, per server process (`governor`'s GCRA buckets).
//!
//! - **Per device**: a valid token spends from its device's budget (checked *after* the
//!   token, so presenting made-up tokens costs nobody else's budget).
//! - **Failures per client address**: each bad token, expired device or bad pairing code
//!   spends from its address's budget. An address out of budget is refused (`429`) before
//!   any token or code it sends is checked, so guessing stops there, and so does the
//!   database work it causes. Valid tokens and codes from other addresses are untouched.
//! - **Failures overall**: a global budget for many addresses failing at once. Once it is
//!   spent (lockdown), every failing address is blocked after its *first* failure instead
//!   of after its own budget; addresses that do not fail are never refused, so one abuser,
//!   or many, cannot lock everyone else out.
//!
//! Memory is bounded: at most [`Limits::max_tracked`] addresses (and as many blocked ones)
//! are tracked; past that, idle entries are dropped, and if the table is still full a
//! failure is treated as in lockdown. Per-device buckets are few (one per valid device).
//! IPv6 addresses are keyed by their /64, which one subscriber usually holds whole.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr};
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, NotUntil, Quota, RateLimiter};

/// The numbers behind the limits.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Requests a device may make in a burst…
    pub device_burst: u32,
    /// …then this many per second.
    pub device_per_second: u32,
    /// Failures an address may make in a burst…
    pub address_failures: u32,
    /// …then one more each time this passes.
    pub address_refill: Duration,
    /// Failures of all addresses together in a burst…
    pub global_failures: u32,
    /// …then one more each time this passes.
    pub global_refill: Duration,
    /// How long an address that fails during a lockdown is refused.
    pub lockdown_block: Duration,
    /// Most addresses tracked at once (and most blocked at once).
    pub max_tracked: usize,
}

impl Default for Limits {
    /// A phone syncing 10 000 records needs 100 requests: bursts of 120, then 2 per second.
    /// Failures: 30 per address, then one every 10 s (6 a minute); 300 overall, then 5 a
    /// second; a lockdown blocks a failing address for a minute.
    fn default() -> Self {
        Limits {
            device_burst: 120,
            device_per_second: 2,
            address_failures: 30,
            address_refill: Duration::from_secs(10),
            global_failures: 300,
            global_refill: Duration::from_millis(200),
            lockdown_block: Duration::from_secs(60),
            max_tracked: 65_536,
        }
    }
}

pub struct Limiter {
    limits: Limits,
    devices: DefaultKeyedRateLimiter<i64>,
    addresses: DefaultKeyedRateLimiter<IpAddr>,
    global: DefaultDirectRateLimiter,
    /// Addresses refused before any check, until the instant given.
    blocked: Mutex<HashMap<IpAddr, Instant>>,
    clock: DefaultClock,
}

fn nonzero(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN)
}

fn quota(period: Duration, burst: u32) -> Quota {
    Quota::with_period(period.max(Duration::from_nanos(1)))
        .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
        .allow_burst(nonzero(burst))
}

/// Whole seconds to wait, at least 1 (for `Retry-After`).
fn seconds(wait: Duration) -> u64 {
    wait.as_secs_f64().ceil().max(1.0) as u64
}

impl Limiter {
    pub fn new(limits: Limits) -> Self {
        Limiter {
            devices: RateLimiter::keyed(
                Quota::per_second(nonzero(limits.device_per_second))
                    .allow_burst(nonzero(limits.device_burst)),
            ),
            addresses: RateLimiter::keyed(quota(limits.address_refill, limits.address_failures)),
            global: RateLimiter::direct(quota(limits.global_refill, limits.global_failures)),
            blocked: Mutex::new(HashMap::new()),
            clock: DefaultClock::default(),
            limits,
        }
    }

    fn wait(&self, not_until: &NotUntil<<DefaultClock as Clock>::Instant>) -> Duration {
        not_until.wait_time_from(self.clock.now())
    }

    /// Spends one request of a valid device's budget; `Err(seconds)` says when to retry.
    pub fn spend(&self, device: i64) -> Result<(), u64> {
        if self.devices.len() > self.limits.max_tracked {
            self.devices.retain_recent();
        }
        self.devices
            .check_key(&device)
            .map_err(|n| seconds(self.wait(&n)))
    }

    /// Before a token or pairing code from `address` is checked: `Err(seconds)` while the
    /// address is blocked.
    pub fn admit(&self, address: IpAddr) -> Result<(), u64> {
        let key = key(address);
        let Ok(mut blocked) = self.blocked.lock() else {
            return Ok(()); // a poisoned limiter must not lock everyone out
        };
        match blocked.get(&key) {
            Some(until) => {
                let now = Instant::now();
                if *until > now {
                    Err(seconds(*until - now))
                } else {
                    blocked.remove(&key);
                    Ok(())
                }
            }
            None => Ok(()),
        }
    }

    /// Counts a failure (bad token, expired device, bad pairing code) of `address`.
    /// `Err(seconds)` when the address is now blocked for that long.
    pub fn failed(&self, address: IpAddr) -> Result<(), u64> {
        let key = key(address);
        let lockdown = self.global.check().is_err();
        if self.addresses.len() >= self.limits.max_tracked {
            self.addresses.retain_recent();
            self.addresses.shrink_to_fit();
        }
        let tracked = self.addresses.len() < self.limits.max_tracked;
        let own = if tracked {
            self.addresses.check_key(&key).err().map(|n| self.wait(&n))
        } else {
            None
        };
        let wait = match (own, lockdown || !tracked) {
            (None, false) => return Ok(()),
            (Some(own), false) => own,
            (own, true) => own.unwrap_or_default().max(self.limits.lockdown_block),
        };
        self.block(key, wait);
        Err(seconds(wait))
    }

    fn block(&self, key: IpAddr, wait: Duration) {
        let Ok(mut blocked) = self.blocked.lock() else {
            return;
        };
        let now = Instant::now();
        if blocked.len() >= self.limits.max_tracked && !blocked.contains_key(&key) {
            blocked.retain(|_, until| *until > now);
        }
        if blocked.len() < self.limits.max_tracked || blocked.contains_key(&key) {
            blocked.insert(key, now + wait);
        }
    }

    /// Addresses tracked and blocked now (for tests of the memory bound).
    pub fn tracked(&self) -> (usize, usize) {
        let blocked = self.blocked.lock().map(|b| b.len()).unwrap_or(0);
        (self.addresses.len(), blocked)
    }
}

/// The key an address is counted under: IPv4 as is (also when mapped into IPv6), IPv6 by
/// its /64 network.
fn key(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V4(_) => address,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let bits = u128::from(v6) & !((1u128 << 64) - 1);
                IpAddr::V6(Ipv6Addr::from(bits))
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;

    use super::*;

    fn v4(n: u32) -> IpAddr {
        IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + n))
    }

    fn small() -> Limits {
        Limits {
            device_burst: 3,
            device_per_second: 1,
            address_failures: 3,
            address_refill: Duration::from_secs(3600),
            global_failures: 10,
            global_refill: Duration::from_secs(3600),
            lockdown_block: Duration::from_secs(60),
            max_tracked: 100,
        }
    }

    #[test]
    fn a_device_budget_is_per_device() {
        let limiter = Limiter::new(small());
        for _ in 0..3 {
            assert!(limiter.spend(1).is_ok());
        }
        assert!(limiter.spend(1).is_err());
        assert!(limiter.spend(2).is_ok());
    }

    #[test]
    fn an_address_is_blocked_after_its_failures_and_others_are_not() {
        let limiter = Limiter::new(small());
        for _ in 0..3 {
            assert!(limiter.admit(v4(1)).is_ok());
            assert!(limiter.failed(v4(1)).is_ok());
        }
        let wait = limiter.failed(v4(1)).unwrap_err();
        assert!(wait >= 3000, "{wait}");
        assert!(limiter.admit(v4(1)).is_err());
        assert!(limiter.admit(v4(2)).is_ok());
    }

    #[test]
    fn past_the_global_cap_a_failing_address_is_blocked_at_once_and_clean_ones_pass() {
        let limiter = Limiter::new(small());
        // Ten addresses fail once each: the global budget is spent.
        for n in 0..10 {
            assert!(limiter.failed(v4(n)).is_ok());
        }
        // A new address is blocked on its first failure, for the lockdown's minute.
        assert_eq!(limiter.failed(v4(50)), Err(60));
        assert!(limiter.admit(v4(50)).is_err());
        // An address that has not failed is admitted.
        assert!(limiter.admit(v4(51)).is_ok());
    }

    #[test]
    fn memory_stays_bounded_under_a_flood_of_addresses() {
        let limiter = Limiter::new(Limits {
            global_failures: 1_000_000,
            ..small()
        });
        for n in 0..5_000 {
            let _ = limiter.failed(v4(n));
        }
        let (tracked, blocked) = limiter.tracked();
        assert!(tracked <= 100, "{tracked} addresses tracked");
        assert!(blocked <= 100, "{blocked} addresses blocked");
    }

    #[test]
    fn ipv6_addresses_count_by_their_64_and_mapped_ipv4_as_ipv4() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(key(a), key(b));
        assert_ne!(key(a), key(c));
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        assert_eq!(key(mapped), "192.0.2.7".parse::<IpAddr>().unwrap());
    }
}
