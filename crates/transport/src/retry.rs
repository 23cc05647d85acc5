//! When a failed attempt may be tried again, and how long to wait first.
//!
//! The rule (see the crate docs): a request that was never sent may always be retried; a GET or
//! DELETE may also be retried after a transient failure once sent, since repeating it changes
//! nothing; a POST or PATCH that was sent is repeated only when the server said, with a 429 or a
//! 503 carrying `Retry-After`, that it did not take it.

use std::time::{Duration, SystemTime};

use http::HeaderMap;

use crate::config_error::ConfigError;

/// How many attempts an operation may make, and how long to wait between them.
///
/// Waits are "full jitter": a random duration between zero and
/// `min(max_delay, base_delay * 2^(retry - 1))`, so that many clients failing together do not
/// retry together. A server's `Retry-After` replaces the computed wait; no wait ever runs past
/// the operation's deadline (the call fails instead).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    base_delay: Duration,
    max_delay: Duration,
}

impl Default for RetryPolicy {
    /// 4 attempts, waits from 200 ms doubling up to 20 s.
    fn default() -> Self {
        Self {
            max_attempts: 4,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(20),
        }
    }
}

impl RetryPolicy {
    /// At most `max_attempts` attempts (1 means no retry), waits growing from `base_delay` and
    /// capped at `max_delay`. Checked when the client is built: `max_attempts` must be at least
    /// 1 and `base_delay` at most `max_delay`.
    pub fn new(max_attempts: u32, base_delay: Duration, max_delay: Duration) -> Self {
        Self {
            max_attempts,
            base_delay,
            max_delay,
        }
    }

    /// One attempt, never a retry (a 401 is still answered by one token refresh and replay).
    pub fn no_retries() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// The most attempts an operation makes.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    pub(crate) fn check(&self) -> Result<(), ConfigError> {
        if self.max_attempts == 0 {
            return Err(ConfigError::InvalidRetryPolicy {
                reason: "at least one attempt is needed",
            });
        }
        if self.base_delay > self.max_delay {
            return Err(ConfigError::InvalidRetryPolicy {
                reason: "the base delay is longer than the maximum delay",
            });
        }
        Ok(())
    }

    /// The wait before retry number `retry` (1 for the first retry).
    pub(crate) fn backoff(&self, retry: u32) -> Duration {
        let exponent = retry.saturating_sub(1).min(31);
        let ceiling = self
            .base_delay
            .saturating_mul(1u32 << exponent)
            .min(self.max_delay);
        let nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
        Duration::from_nanos(fastrand::u64(0..=nanos))
    }
}

/// Whether a method may be repeated after it reached the server: GET and DELETE change nothing
/// when repeated (a repeated DELETE gets a 404, which the delete operation interprets).
pub(crate) fn is_idempotent(method: &str) -> bool {
    matches!(method, "GET" | "DELETE")
}

/// The statuses that mean "try again later" rather than "this request is wrong".
pub(crate) fn is_transient_status(status: u16) -> bool {
    matches!(status, 429 | 500 | 502 | 503 | 504)
}

/// Whether a response with `status` may be retried for `method`.
pub(crate) fn may_retry_status(method: &str, status: u16, has_retry_after: bool) -> bool {
    if is_idempotent(method) {
        is_transient_status(status)
    } else {
        // The server states it did not take the request, and when to come back.
        matches!(status, 429 | 503) && has_retry_after
    }
}

/// The server's `Retry-After`: delay-seconds or an HTTP date (a date in the past is zero).
pub(crate) fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers
        .get(http::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_bounded_by_the_doubling_ceiling_and_the_cap() {
        let policy = RetryPolicy::new(10, Duration::from_millis(200), Duration::from_secs(20));
        for _ in 0..200 {
            assert!(policy.backoff(1) <= Duration::from_millis(200));
            assert!(policy.backoff(3) <= Duration::from_millis(800));
            assert!(policy.backoff(40) <= Duration::from_secs(20));
        }
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let mut headers = HeaderMap::new();
        headers.insert(http::header::RETRY_AFTER, "7".parse().unwrap());
        assert_eq!(retry_after(&headers, now), Some(Duration::from_secs(7)));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(30));
        headers.insert(http::header::RETRY_AFTER, later.parse().unwrap());
        assert_eq!(retry_after(&headers, now), Some(Duration::from_secs(30)));
        let earlier = httpdate::fmt_http_date(now - Duration::from_secs(30));
        headers.insert(http::header::RETRY_AFTER, earlier.parse().unwrap());
        assert_eq!(retry_after(&headers, now), Some(Duration::ZERO));
        headers.insert(http::header::RETRY_AFTER, "soon".parse().unwrap());
        assert_eq!(retry_after(&headers, now), None);
    }

    #[test]
    fn posts_are_retried_only_when_the_server_says_it_did_not_take_them() {
        assert!(may_retry_status("GET", 502, false));
        assert!(may_retry_status("DELETE", 500, false));
        assert!(!may_retry_status("GET", 501, false));
        assert!(!may_retry_status("POST", 502, true));
        assert!(!may_retry_status("POST", 429, false));
        assert!(may_retry_status("POST", 429, true));
        assert!(may_retry_status("PATCH", 503, true));
    }
}
