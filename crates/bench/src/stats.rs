//! Summaries of repeated runs: median with min and max, and latency percentiles.

use std::time::Duration;

/// One figure measured over several runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Figure {
    pub(crate) median: f64,
    pub(crate) min: f64,
    pub(crate) max: f64,
}

impl Figure {
    /// The median, min and max of `runs` (at least one).
    pub(crate) fn of(runs: &[f64]) -> Figure {
        assert!(!runs.is_empty(), "a figure needs at least one run");
        let mut sorted = runs.to_vec();
        sorted.sort_by(f64::total_cmp);
        let mid = sorted.len() / 2;
        let median = if sorted.len() % 2 == 1 {
            sorted[mid]
        } else {
            (sorted[mid - 1] + sorted[mid]) / 2.0
        };
        Figure {
            median,
            min: sorted[0],
            max: sorted[sorted.len() - 1],
        }
    }

    /// `self / baseline` of the medians.
    pub(crate) fn ratio_to(&self, baseline: &Figure) -> f64 {
        if baseline.median == 0.0 {
            f64::NAN
        } else {
            self.median / baseline.median
        }
    }

    pub(crate) fn to_json(self) -> serde_json::Value {
        serde_json::json!({ "median": self.median, "min": self.min, "max": self.max })
    }
}

/// The `p`-th percentile (0..=100) of latencies, nearest-rank.
pub(crate) fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_min_max() {
        let f = Figure::of(&[5.0, 1.0, 3.0, 4.0, 2.0]);
        assert_eq!((f.median, f.min, f.max), (3.0, 1.0, 5.0));
        assert_eq!(Figure::of(&[1.0, 3.0]).median, 2.0);
    }

    #[test]
    fn nearest_rank_percentiles() {
        let lat: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile(&lat, 50.0), Duration::from_millis(50));
        assert_eq!(percentile(&lat, 99.0), Duration::from_millis(99));
        assert_eq!(percentile(&lat[..1], 99.0), Duration::from_millis(1));
    }
}
