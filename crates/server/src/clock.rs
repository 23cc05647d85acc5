//! The server's wall clock: token expiry, refresh-token expiry and the idempotency window all
//! read the time from the one [`Clock`] the server was built with.

use std::fmt;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// Where a [`Server`](crate::Server) reads the time. The default is the system clock; a test
/// gives one it can move, to see tokens and idempotency keys expire without waiting:
///
/// ```
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicU64, Ordering};
/// use std::time::{Duration, SystemTime};
///
/// use exsited_server::Clock;
///
/// let skew = Arc::new(AtomicU64::new(0));
/// let clock = Clock::from_fn({
///     let skew = Arc::clone(&skew);
///     move || SystemTime::now() + Duration::from_secs(skew.load(Ordering::Relaxed))
/// });
/// skew.store(7200, Ordering::Relaxed); // two hours later, for the server
/// # let _ = clock;
/// ```
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> SystemTime + Send + Sync>);

impl Clock {
    /// The operating system's clock.
    pub fn system() -> Self {
        Self::from_fn(SystemTime::now)
    }

    /// A clock that asks `now` for the time.
    pub fn from_fn(now: impl Fn() -> SystemTime + Send + Sync + 'static) -> Self {
        Self(Arc::new(now))
    }

    /// Seconds since the Unix epoch (0 for a time before it).
    pub(crate) fn now_secs(&self) -> u64 {
        (self.0)()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    }
}

impl Default for Clock {
    fn default() -> Self {
        Self::system()
    }
}

impl fmt::Debug for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Clock")
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn reads_the_function_it_was_given() {
        let clock = Clock::from_fn(|| UNIX_EPOCH + Duration::from_secs(42));
        assert_eq!(clock.now_secs(), 42);
        let before_epoch = Clock::from_fn(|| UNIX_EPOCH - Duration::from_secs(1));
        assert_eq!(before_epoch.now_secs(), 0);
        assert!(Clock::default().now_secs() > 1_700_000_000);
    }
}
