//! Prometheus metrics of an `exsited` server process: the reference server's requests, token
//! grants and confirmed deletes (through its [`Observer`] hook) and the stores' write
//! transactions (through their [`StoreHook`]), in the Prometheus text format.
//!
//! Counting is on the path of every request, so it takes no lock and allocates nothing: every
//! series is an atomic counter or an atomic histogram (`histogram.rs`) allocated up front,
//! indexed by fixed label values (`labels.rs`). Only a scrape walks them, and
//! `prometheus-client` writes the text.
//!
//! No label ever carries a client id, a connection id, a token or a secret: routes are the
//! document's templates, unknown values fold into `other` or `unmatched`.
//!
//! ```
//! use exsited_metrics::{Metrics, StoreKind};
//!
//! let metrics = Metrics::new();
//! let _hook = metrics.store_hook(StoreKind::Sqlite); // into the store's Options
//! // Server::builder().observer(metrics.clone()) ... MetricsEndpoint::bind(addr, metrics.clone())
//! assert!(metrics.render().contains("exsited_http_requests_in_flight 0"));
//! ```
//!
//! | metric | labels | what |
//! |---|---|---|
//! | `exsited_http_requests_total` | `route`, `method`, `status` | requests answered |
//! | `exsited_http_request_duration_seconds` | `route`, `method` | histogram: arrival to response |
//! | `exsited_http_requests_in_flight` | | requests being served now |
//! | `exsited_http_requests_abandoned_total` | | requests whose client left before the answer |
//! | `exsited_http_errors_total` | `kind` | error responses by [`ErrorKind`](exsited_server::ErrorKind) |
//! | `exsited_token_grants_total` | `grant_type` | tokens issued |
//! | `exsited_connection_deletes_total` | | deletes confirmed (the 204) |
//! | `exsited_store_commit_duration_seconds` | `store` | histogram: a write transaction, start to the end of its commit |
//! | `exsited_store_commit_batch_size` | `store` | histogram: writes per transaction (SQLite's group commit; 1 on PostgreSQL) |
//! | `exsited_store_commit_failures_total` | `store` | transactions that did not commit |

#![deny(missing_docs)]

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

use exsited_core::observe::{StoreHook, StoreObserver, TransactionReport};
use exsited_server::{FinishedRequest, GrantType, Observer, Scrape};

mod encode;
mod histogram;
mod labels;

use histogram::Histogram;
use labels::Routes;

/// Request latency bounds, in nanoseconds: 0.5 ms to 10 s.
const LATENCY_BOUNDS: &[u64] = &[
    500_000,
    1_000_000,
    2_500_000,
    5_000_000,
    10_000_000,
    25_000_000,
    50_000_000,
    100_000_000,
    250_000_000,
    500_000_000,
    1_000_000_000,
    2_500_000_000,
    5_000_000_000,
    10_000_000_000,
];
/// Writes per transaction: the SQLite writer's batches are at most 256 by default.
const BATCH_BOUNDS: &[u64] = &[1, 2, 4, 8, 16, 32, 64, 128, 256, 512];

/// The stores a process reports on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StoreKind {
    /// `exsited-store-sqlite`.
    Sqlite,
    /// `exsited-store-postgres`.
    Postgres,
}

impl StoreKind {
    const ALL: [StoreKind; 2] = [StoreKind::Sqlite, StoreKind::Postgres];

    fn as_str(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }
}

/// Every metric of the process. Cheap to clone: clones count into the same series.
#[derive(Debug, Clone)]
pub struct Metrics(Arc<Counters>);

#[derive(Debug)]
struct Counters {
    routes: Routes,
    /// By route, method and status.
    requests: Box<[AtomicU64]>,
    /// By route and method.
    latency: Box<[Histogram]>,
    in_flight: AtomicI64,
    abandoned: AtomicU64,
    errors: Box<[AtomicU64]>,
    grants: Box<[AtomicU64]>,
    deletes: AtomicU64,
    stores: [StoreCounters; 2],
}

#[derive(Debug)]
struct StoreCounters {
    /// Whether a store of this kind was hooked: only those are scraped.
    hooked: std::sync::atomic::AtomicBool,
    commit: Histogram,
    batch: Histogram,
    failures: AtomicU64,
}

fn zeros(n: usize) -> Box<[AtomicU64]> {
    (0..n).map(|_| AtomicU64::new(0)).collect()
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Every series at zero.
    pub fn new() -> Self {
        let routes = Routes::of_document();
        let pairs = routes.len() * labels::METHODS.len();
        let store = || StoreCounters {
            hooked: std::sync::atomic::AtomicBool::new(false),
            commit: Histogram::new(LATENCY_BOUNDS),
            batch: Histogram::new(BATCH_BOUNDS),
            failures: AtomicU64::new(0),
        };
        Self(Arc::new(Counters {
            requests: zeros(pairs * labels::STATUSES.len()),
            latency: (0..pairs).map(|_| Histogram::new(LATENCY_BOUNDS)).collect(),
            routes,
            in_flight: AtomicI64::new(0),
            abandoned: AtomicU64::new(0),
            errors: zeros(labels::KINDS.len()),
            grants: zeros(labels::GRANTS.len()),
            deletes: AtomicU64::new(0),
            stores: [store(), store()],
        }))
    }

    /// The hook to give a store of `kind` (its `Options::with_observer`): its transactions are
    /// counted under `store="sqlite"` or `store="postgres"`.
    pub fn store_hook(&self, kind: StoreKind) -> StoreHook {
        self.store(kind).hooked.store(true, Ordering::Relaxed);
        StoreHook::new(Arc::new(StoreReports {
            metrics: self.clone(),
            kind,
        }))
    }

    /// The Prometheus text (version 0.0.4) of every series.
    pub fn render(&self) -> String {
        encode::render(&self.0)
    }

    fn store(&self, kind: StoreKind) -> &StoreCounters {
        let index = StoreKind::ALL.iter().position(|k| *k == kind).unwrap_or(0);
        &self.0.stores[index]
    }
}

impl Observer for Metrics {
    fn request_started(&self) {
        self.0.in_flight.fetch_add(1, Ordering::Relaxed);
    }

    fn request_finished(&self, request: &FinishedRequest<'_>) {
        let c = &self.0;
        c.in_flight.fetch_sub(1, Ordering::Relaxed);
        let pair = c.routes.index(request.route) * labels::METHODS.len()
            + labels::method_index(request.method);
        let series = pair * labels::STATUSES.len() + labels::status_index(request.status);
        c.requests[series].fetch_add(1, Ordering::Relaxed);
        c.latency[pair].observe(nanos(request.elapsed));
        if let Some(kind) = request.error {
            c.errors[labels::kind_index(kind)].fetch_add(1, Ordering::Relaxed);
        }
    }

    fn request_abandoned(&self) {
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
        self.0.abandoned.fetch_add(1, Ordering::Relaxed);
    }

    fn token_granted(&self, grant: GrantType) {
        self.0.grants[labels::grant_index(grant)].fetch_add(1, Ordering::Relaxed);
    }

    fn connection_deleted(&self) {
        self.0.deletes.fetch_add(1, Ordering::Relaxed);
    }
}

impl Scrape for Metrics {
    fn content_type(&self) -> &'static str {
        prometheus_client::encoding::prometheus_text::CONTENT_TYPE
    }

    fn render(&self) -> String {
        Metrics::render(self)
    }
}

/// A store's reports, counted under its kind.
struct StoreReports {
    metrics: Metrics,
    kind: StoreKind,
}

impl StoreObserver for StoreReports {
    fn transaction(&self, report: &TransactionReport) {
        let store = self.metrics.store(self.kind);
        store.commit.observe(nanos(report.elapsed));
        store.batch.observe(report.writes as u64);
        if !report.committed {
            store.failures.fetch_add(1, Ordering::Relaxed);
        }
    }
}

fn nanos(duration: std::time::Duration) -> u64 {
    u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX)
}
