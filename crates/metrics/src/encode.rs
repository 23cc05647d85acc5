//! A scrape: every series of the counters, written by `prometheus-client` in the Prometheus
//! text format. Series of requests and latencies appear once they have counted something (a
//! full table would be thousands of zero lines); every other series is always there, at zero
//! until it moves.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{
    DescriptorEncoder, EncodeMetric as _, MetricEncoder, NoLabelSet,
};
use prometheus_client::metrics::MetricType;
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::registry::{Registry, Unit};

use crate::histogram::Snapshot;
use crate::labels::{GRANTS, KINDS, METHODS, STATUSES};
use crate::{Counters, StoreKind};

pub(crate) fn render(counters: &Arc<Counters>) -> String {
    let mut registry = Registry::default();
    registry.register_collector(Box::new(Collect(Arc::clone(counters))));
    let mut out = String::new();
    // Writing to a String cannot fail; an encoder error would be a bug in a label value, and
    // the label values are fixed.
    let _ = prometheus_client::encoding::prometheus_text::encode(&mut out, &registry);
    out
}

struct Collect(Arc<Counters>);

impl fmt::Debug for Collect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Collect").field(&"counters").finish()
    }
}

fn counter(encoder: MetricEncoder<'_>, value: u64) -> fmt::Result {
    ConstCounter::new(value).encode(encoder)
}

fn histogram(mut encoder: MetricEncoder<'_>, snapshot: &Snapshot, scale: f64) -> fmt::Result {
    let buckets: Vec<(f64, u64)> = snapshot
        .buckets
        .iter()
        .map(|(bound, n)| (*bound as f64 / scale, *n))
        .collect();
    encoder.encode_histogram::<NoLabelSet>(
        snapshot.sum as f64 / scale,
        snapshot.count,
        &buckets,
        None,
    )
}

impl Collector for Collect {
    fn encode(&self, mut encoder: DescriptorEncoder<'_>) -> fmt::Result {
        let c = &self.0;
        let pairs = || (0..c.routes.len()).flat_map(|r| (0..METHODS.len()).map(move |m| (r, m)));

        let mut metric = encoder.encode_descriptor(
            "exsited_http_requests",
            "Requests answered, by route template, method and status.",
            None,
            MetricType::Counter,
        )?;
        for (route, method) in pairs() {
            for (s, status) in STATUSES.iter().enumerate() {
                let index = (route * METHODS.len() + method) * STATUSES.len() + s;
                let value = c.requests[index].load(Ordering::Relaxed);
                if value > 0 {
                    let labels = [
                        ("route", c.routes.name(route)),
                        ("method", METHODS[method]),
                        ("status", *status),
                    ];
                    counter(metric.encode_family(&labels)?, value)?;
                }
            }
        }

        let mut metric = encoder.encode_descriptor(
            "exsited_http_request_duration",
            "Time from a request's arrival to its response, by route template and method.",
            Some(&Unit::Seconds),
            MetricType::Histogram,
        )?;
        for (route, method) in pairs() {
            let snapshot = c.latency[route * METHODS.len() + method].snapshot();
            if snapshot.count > 0 {
                let labels = [("route", c.routes.name(route)), ("method", METHODS[method])];
                histogram(metric.encode_family(&labels)?, &snapshot, 1e9)?;
            }
        }

        let in_flight = c.in_flight.load(Ordering::Relaxed);
        ConstGauge::new(in_flight).encode(encoder.encode_descriptor(
            "exsited_http_requests_in_flight",
            "Requests being served now.",
            None,
            MetricType::Gauge,
        )?)?;
        ConstCounter::new(c.abandoned.load(Ordering::Relaxed)).encode(
            encoder.encode_descriptor(
                "exsited_http_requests_abandoned",
                "Requests whose client went away before they were answered.",
                None,
                MetricType::Counter,
            )?,
        )?;

        let mut metric = encoder.encode_descriptor(
            "exsited_http_errors",
            "Error responses, by kind.",
            None,
            MetricType::Counter,
        )?;
        for (index, kind) in KINDS.iter().enumerate() {
            let value = c.errors[index].load(Ordering::Relaxed);
            counter(metric.encode_family(&[("kind", kind.as_str())])?, value)?;
        }

        let mut metric = encoder.encode_descriptor(
            "exsited_token_grants",
            "Tokens issued, by grant type.",
            None,
            MetricType::Counter,
        )?;
        for (index, grant) in GRANTS.iter().enumerate() {
            let value = c.grants[index].load(Ordering::Relaxed);
            counter(metric.encode_family(&[("grant_type", *grant)])?, value)?;
        }

        ConstCounter::new(c.deletes.load(Ordering::Relaxed)).encode(encoder.encode_descriptor(
            "exsited_connection_deletes",
            "Deletes confirmed: the connection and its sync configurations are gone.",
            None,
            MetricType::Counter,
        )?)?;

        let hooked: Vec<(StoreKind, &crate::StoreCounters)> = StoreKind::ALL
            .iter()
            .zip(c.stores.iter())
            .filter(|(_, s)| s.hooked.load(Ordering::Relaxed))
            .map(|(k, s)| (*k, s))
            .collect();
        if hooked.is_empty() {
            return Ok(());
        }
        let mut metric = encoder.encode_descriptor(
            "exsited_store_commit_duration",
            "Time of a write transaction, from its start to the end of its commit (fsync \
             included).",
            Some(&Unit::Seconds),
            MetricType::Histogram,
        )?;
        for (kind, store) in &hooked {
            let labels = [("store", kind.as_str())];
            histogram(
                metric.encode_family(&labels)?,
                &store.commit.snapshot(),
                1e9,
            )?;
        }
        let mut metric = encoder.encode_descriptor(
            "exsited_store_commit_batch_size",
            "Writes per transaction: the SQLite writer's group commit; 1 on PostgreSQL.",
            None,
            MetricType::Histogram,
        )?;
        for (kind, store) in &hooked {
            let labels = [("store", kind.as_str())];
            histogram(metric.encode_family(&labels)?, &store.batch.snapshot(), 1.0)?;
        }
        let mut metric = encoder.encode_descriptor(
            "exsited_store_commit_failures",
            "Write transactions that did not commit.",
            None,
            MetricType::Counter,
        )?;
        for (kind, store) in &hooked {
            let value = store.failures.load(Ordering::Relaxed);
            counter(metric.encode_family(&[("store", kind.as_str())])?, value)?;
        }
        Ok(())
    }
}
