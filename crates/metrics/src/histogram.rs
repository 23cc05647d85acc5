//! A histogram of atomic counters: one bucket incremented per observation, the sum in whole
//! units (nanoseconds for durations), so that observing is two relaxed atomic additions and
//! never a lock or a compare-and-swap loop.

use std::sync::atomic::{AtomicU64, Ordering};

/// A fixed set of upper bounds, in the histogram's own unit.
#[derive(Debug)]
pub(crate) struct Histogram {
    /// Upper bounds, increasing; an observation above the last goes to the `+Inf` bucket.
    bounds: &'static [u64],
    /// One more than `bounds`: the last is `+Inf`.
    counts: Box<[AtomicU64]>,
    sum: AtomicU64,
}

/// What a scrape reads of a [`Histogram`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Snapshot {
    pub(crate) count: u64,
    pub(crate) sum: u64,
    /// `(upper bound, observations in that bucket alone)`, `+Inf` excluded (the encoder makes
    /// them cumulative; `+Inf` is `count`).
    pub(crate) buckets: Vec<(u64, u64)>,
}

impl Histogram {
    pub(crate) fn new(bounds: &'static [u64]) -> Self {
        Self {
            bounds,
            counts: (0..=bounds.len()).map(|_| AtomicU64::new(0)).collect(),
            sum: AtomicU64::new(0),
        }
    }

    pub(crate) fn observe(&self, value: u64) {
        // Bounds are few (at most a dozen or two): a scan beats a binary search here.
        let bucket = self
            .bounds
            .iter()
            .position(|bound| value <= *bound)
            .unwrap_or(self.bounds.len());
        self.counts[bucket].fetch_add(1, Ordering::Relaxed);
        self.sum.fetch_add(value, Ordering::Relaxed);
    }

    pub(crate) fn snapshot(&self) -> Snapshot {
        let buckets: Vec<(u64, u64)> = self
            .bounds
            .iter()
            .zip(self.counts.iter())
            .map(|(bound, count)| (*bound, count.load(Ordering::Relaxed)))
            .collect();
        let over = self.counts[self.bounds.len()].load(Ordering::Relaxed);
        Snapshot {
            count: buckets.iter().map(|(_, n)| n).sum::<u64>() + over,
            sum: self.sum.load(Ordering::Relaxed),
            buckets,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn observations_land_in_their_bucket_and_add_up() {
        let histogram = Histogram::new(&[1, 10, 100]);
        for value in [0, 1, 5, 10, 1000] {
            histogram.observe(value);
        }
        assert_eq!(
            histogram.snapshot(),
            Snapshot {
                count: 5,
                sum: 1016,
                buckets: vec![(1, 2), (10, 2), (100, 0)],
            }
        );
    }
}
