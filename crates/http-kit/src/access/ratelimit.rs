//! Per-caller rate limits on governor's GCRA: one bucket per key name (or peer address when the
//! service runs open), `RATE_LIMIT_PER_SECOND` refilled, `RATE_LIMIT_BURST` deep.

use governor::{Quota, RateLimiter, clock::Clock};
use std::{num::NonZeroU32, sync::Arc, time::Duration};

/// Remembered callers past which idle ones are forgotten (a full bucket is no state at all).
const SWEEP_ABOVE_CALLERS: usize = 10_000;

/// A configured limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests a second, sustained.
    pub per_second: u32,
    /// Requests at once before the rate applies.
    pub burst: u32,
}

type Keyed = RateLimiter<
    String,
    governor::state::keyed::DefaultKeyedStateStore<String>,
    governor::clock::DefaultClock,
>;

/// The buckets of one service process.
#[derive(Clone)]
pub struct Limiter {
    limiter: Arc<Keyed>,
}

impl std::fmt::Debug for Limiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Limiter")
            .field("callers", &self.limiter.len())
            .finish()
    }
}

impl Limiter {
    /// Buckets for `limit`; `None` when either number is 0 (config refuses that earlier).
    pub fn new(limit: RateLimit) -> Option<Self> {
        let per_second = NonZeroU32::new(limit.per_second)?;
        let burst = NonZeroU32::new(limit.burst)?;
        let quota = Quota::per_second(per_second).allow_burst(burst);
        Some(Self {
            limiter: Arc::new(RateLimiter::keyed(quota)),
        })
    }

    /// Takes one request from `caller`'s bucket: `Err` with how long until the next one is
    /// allowed when it is empty.
    pub fn check(&self, caller: &str) -> Result<(), Duration> {
        let outcome = self.limiter.check_key(&caller.to_owned());
        if self.limiter.len() > SWEEP_ABOVE_CALLERS {
            self.limiter.retain_recent();
        }
        outcome.map_err(|not_until| not_until.wait_time_from(self.limiter.clock().now()))
    }
}

/// `Retry-After` seconds for a wait: whole seconds, rounded up, at least 1.
pub fn retry_after_secs(wait: Duration) -> u64 {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    secs.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_past_the_limit_is_refused_and_other_callers_are_not() {
        let limiter = Limiter::new(RateLimit {
            per_second: 1,
            burst: 3,
        })
        .unwrap();
        for _ in 0..3 {
            assert!(limiter.check("a").is_ok());
        }
        let wait = limiter.check("a").unwrap_err();
        assert!(
            wait > Duration::ZERO && wait <= Duration::from_secs(1),
            "{wait:?}"
        );
        assert!(limiter.check("b").is_ok());
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        assert_eq!(retry_after_secs(Duration::from_millis(1)), 1);
        assert_eq!(retry_after_secs(Duration::from_millis(1500)), 2);
        assert_eq!(retry_after_secs(Duration::ZERO), 1);
    }
}
