//! The metrics endpoint: a listener of its own, apart from the API's, serving `GET /metrics`
//! with whatever text a [`Scrape`] renders, so that it can stay on a private address while the
//! API is public. The server knows no metrics format: the embedding process brings one.
//!
//! It is deliberately small: HTTP/1.1, `GET` and `HEAD` of `/metrics` only, no
//! authentication (bind it where only the scraper reaches), at most 16 connections at
//! once (more are closed at once), a header-read timeout against slow clients.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderValue, Method, Request, Response, StatusCode, header};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio::task::JoinHandle;

use crate::server::ServerError;

/// The path the endpoint serves.
pub const METRICS_PATH: &str = "/metrics";
/// The most scrapes served at once; a scraper needs one.
const MAX_CONNECTIONS: usize = 16;
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// What the endpoint serves: rendered afresh on every scrape.
pub trait Scrape: Send + Sync {
    /// The `Content-Type` of what [`render`](Scrape::render) writes.
    fn content_type(&self) -> &'static str;
    /// The current values, in full.
    fn render(&self) -> String;
}

/// A running metrics endpoint. Dropping it stops it.
#[derive(Debug)]
pub struct MetricsEndpoint {
    local_addr: SocketAddr,
    task: JoinHandle<()>,
}

impl MetricsEndpoint {
    /// Listens on `addr` (port 0 picks a free port) and serves `scrape` on the current tokio
    /// runtime.
    ///
    /// # Panics
    ///
    /// When called outside a tokio runtime.
    pub async fn bind(addr: SocketAddr, scrape: Arc<dyn Scrape>) -> Result<Self, ServerError> {
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| ServerError::Bind { addr, source })?;
        let local_addr = listener
            .local_addr()
            .map_err(|source| ServerError::Bind { addr, source })?;
        let task = tokio::spawn(accept_loop(listener, scrape));
        tracing::info!(addr = %local_addr, "metrics listening");
        Ok(Self { local_addr, task })
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }
}

impl Drop for MetricsEndpoint {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn accept_loop(listener: TcpListener, scrape: Arc<dyn Scrape>) {
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _peer)) => stream,
            Err(err) => {
                tracing::warn!(error = %err, "metrics accept failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        // Over the cap the connection is dropped: a scraper retries at its next interval.
        let Ok(slot) = Arc::clone(&slots).try_acquire_owned() else {
            continue;
        };
        let scrape = Arc::clone(&scrape);
        tokio::spawn(async move {
            let service = service_fn(move |request| {
                let scrape = Arc::clone(&scrape);
                async move { Ok::<_, Infallible>(answer(&request, scrape.as_ref())) }
            });
            let mut builder = http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_READ_TIMEOUT);
            let _ = builder
                .serve_connection(TokioIo::new(stream), service)
                .await;
            drop(slot);
        });
    }
}

fn answer(request: &Request<Incoming>, scrape: &dyn Scrape) -> Response<Full<Bytes>> {
    let (status, content_type, body) = if request.uri().path() != METRICS_PATH {
        (
            StatusCode::NOT_FOUND,
            "text/plain; charset=utf-8",
            "not found: the metrics are at /metrics\n".into(),
        )
    } else if request.method() != Method::GET && request.method() != Method::HEAD {
        (
            StatusCode::METHOD_NOT_ALLOWED,
            "text/plain; charset=utf-8",
            "only GET and HEAD\n".into(),
        )
    } else {
        (StatusCode::OK, scrape.content_type(), scrape.render())
    };
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    let content_type = HeaderValue::from_str(content_type)
        .unwrap_or(HeaderValue::from_static("text/plain; charset=utf-8"));
    headers.insert(header::CONTENT_TYPE, content_type);
    if status == StatusCode::METHOD_NOT_ALLOWED {
        headers.insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
