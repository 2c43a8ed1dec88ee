//! Per-token rate limiting: a token bucket per token hash, in memory.
//!
//! Generous for real use (a phone syncing thousands of records in batches of 100), tight
//! enough that a stolen or guessed token cannot hammer the server.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

pub struct RateLimiter {
    capacity: f64,
    per_second: f64,
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

impl RateLimiter {
    pub fn new(capacity: u32, per_second: f64) -> Self {
        RateLimiter {
            capacity: f64::from(capacity),
            per_second,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one request from `key`'s bucket; `Err(seconds)` says when to retry.
    pub fn check(&self, key: &str) -> Result<(), u64> {
        let now = Instant::now();
        let Ok(mut buckets) = self.buckets.lock() else {
            return Ok(()); // a poisoned limiter must not lock everyone out
        };
        if buckets.len() > 10_000 {
            // Forget idle buckets so unknown tokens cannot grow the map without bound.
            buckets.retain(|_, (_, at)| now.duration_since(*at).as_secs() < 600);
        }
        let (tokens, at) = buckets
            .entry(key.to_owned())
            .or_insert((self.capacity, now));
        *tokens =
            (*tokens + now.duration_since(*at).as_secs_f64() * self.per_second).min(self.capacity);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - *tokens) / self.per_second).ceil().max(1.0) as u64)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_is_allowed_then_refused_and_buckets_are_per_key() {
        let limiter = RateLimiter::new(3, 0.001);
        assert!(limiter.check("a").is_ok());
        assert!(limiter.check("a").is_ok());
        assert!(limiter.check("a").is_ok());
        assert!(limiter.check("a").is_err());
        assert!(limiter.check("b").is_ok());
    }
}
