//! What a store reports about its writes, for an embedding process's metrics: how many writes
//! each durable transaction carried and how long it took.
//!
//! A store calls its [`StoreHook`] on its own threads, once per transaction, after it has
//! committed (or failed to). An observer must return at once: count with atomics, never block,
//! never log per call. Nothing a store reports names a tenant, a record or a secret.
//!
//! ```
//! use std::sync::Arc;
//! use std::sync::atomic::{AtomicU64, Ordering};
//!
//! use exsited_core::observe::{StoreHook, StoreObserver, TransactionReport};
//!
//! #[derive(Default)]
//! struct Count(AtomicU64);
//!
//! impl StoreObserver for Count {
//!     fn transaction(&self, report: &TransactionReport) {
//!         self.0.fetch_add(report.writes as u64, Ordering::Relaxed);
//!     }
//! }
//!
//! let count = Arc::new(Count::default());
//! let hook = StoreHook::new(count.clone());
//! hook.report(TransactionReport::new(3, std::time::Duration::from_millis(2), true));
//! assert_eq!(count.0.load(Ordering::Relaxed), 3);
//! ```

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// Receives a store's [`TransactionReport`]s.
pub trait StoreObserver: Send + Sync {
    /// One transaction of writes ended.
    fn transaction(&self, report: &TransactionReport);
}

/// One transaction of writes, as a store saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct TransactionReport {
    /// The writes it carried: a SQLite group commit's batch, 1 for a PostgreSQL write.
    pub writes: usize,
    /// From its start to the end of its commit (the fsync included).
    pub elapsed: Duration,
    /// Whether it committed. A write answered with a domain error (a delete of a missing
    /// connection) still committed; a failure of the database did not.
    pub committed: bool,
}

impl TransactionReport {
    /// A report of `writes` writes that took `elapsed`.
    pub fn new(writes: usize, elapsed: Duration, committed: bool) -> Self {
        Self {
            writes,
            elapsed,
            committed,
        }
    }
}

/// Where a store sends its reports: an observer, or nowhere (the default, which costs a
/// branch). Two hooks are equal when they send to the same observer, so that a store's
/// options can still be compared.
#[derive(Clone, Default)]
pub struct StoreHook(Option<Arc<dyn StoreObserver>>);

impl StoreHook {
    /// A hook that reports to `observer`.
    pub fn new(observer: Arc<dyn StoreObserver>) -> Self {
        Self(Some(observer))
    }

    /// Whether reports go anywhere: a store skips reading the clock when they do not.
    pub fn is_set(&self) -> bool {
        self.0.is_some()
    }

    /// Sends `report` to the observer, if there is one.
    pub fn report(&self, report: TransactionReport) {
        if let Some(observer) = &self.0 {
            observer.transaction(&report);
        }
    }
}

impl fmt::Debug for StoreHook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.is_set() {
            "StoreHook(set)"
        } else {
            "StoreHook(none)"
        })
    }
}

impl PartialEq for StoreHook {
    fn eq(&self, other: &Self) -> bool {
        match (&self.0, &other.0) {
            (None, None) => true,
            (Some(a), Some(b)) => std::ptr::addr_eq(Arc::as_ptr(a), Arc::as_ptr(b)),
            _ => false,
        }
    }
}

impl Eq for StoreHook {}

#[cfg(test)]
mod tests {
    use super::*;

    struct Nothing;

    impl StoreObserver for Nothing {
        fn transaction(&self, _: &TransactionReport) {}
    }

    #[test]
    fn hooks_are_equal_when_they_report_to_the_same_observer() {
        let observer: Arc<dyn StoreObserver> = Arc::new(Nothing);
        let hook = StoreHook::new(observer.clone());
        assert_eq!(hook, StoreHook::new(observer));
        assert_ne!(hook, StoreHook::new(Arc::new(Nothing)));
        assert_ne!(hook, StoreHook::default());
        assert_eq!(StoreHook::default(), StoreHook::default());
        assert_eq!(format!("{hook:?}"), "StoreHook(set)");
    }
}
