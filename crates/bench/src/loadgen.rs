//! The load generator: closed-loop HTTP/1.1 on raw hyper, one keep-alive connection per
//! concurrent client, each sending its next request as soon as the previous answer is read.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper::client::conn::http1;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use crate::stats::percentile;

/// What one load run measured.
#[derive(Debug, Clone)]
pub(crate) struct LoadResult {
    pub(crate) requests: usize,
    pub(crate) unexpected: usize,
    pub(crate) elapsed: Duration,
    /// Sorted.
    pub(crate) latencies: Vec<Duration>,
}

impl LoadResult {
    pub(crate) fn per_second(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }

    pub(crate) fn p50_ms(&self) -> f64 {
        percentile(&self.latencies, 50.0).as_secs_f64() * 1e3
    }

    pub(crate) fn p99_ms(&self) -> f64 {
        percentile(&self.latencies, 99.0).as_secs_f64() * 1e3
    }
}

/// Sends `DELETE {path}` for every path, `concurrency` at a time, and counts answers whose
/// status is not `expect`.
pub(crate) async fn deletes(
    addr: SocketAddr,
    token: &str,
    paths: Vec<String>,
    concurrency: usize,
    expect: u16,
) -> Result<LoadResult, String> {
    let paths = Arc::new(paths);
    let next = Arc::new(AtomicUsize::new(0));
    let authorization = Arc::new(format!("Bearer {token}"));
    let start = Instant::now();
    let workers: Vec<_> = (0..concurrency.max(1))
        .map(|_| {
            let (paths, next, authorization) = (paths.clone(), next.clone(), authorization.clone());
            tokio::spawn(async move { worker(addr, &authorization, &paths, &next, expect).await })
        })
        .collect();
    let mut latencies = Vec::with_capacity(paths.len());
    let mut unexpected = 0;
    for worker in workers {
        let (lat, bad) = worker
            .await
            .map_err(|e| format!("load worker panicked: {e}"))??;
        latencies.extend(lat);
        unexpected += bad;
    }
    let elapsed = start.elapsed();
    latencies.sort();
    Ok(LoadResult {
        requests: latencies.len(),
        unexpected,
        elapsed,
        latencies,
    })
}

async fn worker(
    addr: SocketAddr,
    authorization: &str,
    paths: &[String],
    next: &AtomicUsize,
    expect: u16,
) -> Result<(Vec<Duration>, usize), String> {
    let stream = TcpStream::connect(addr)
        .await
        .map_err(|e| format!("connect {addr}: {e}"))?;
    stream.set_nodelay(true).map_err(|e| e.to_string())?;
    let (mut sender, connection) = http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| format!("handshake: {e}"))?;
    tokio::spawn(connection);
    let host = addr.to_string();
    let mut latencies = Vec::new();
    let mut unexpected = 0;
    loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        let Some(path) = paths.get(i) else { break };
        let request = Request::delete(path.as_str())
            .header("host", &host)
            .header("authorization", authorization)
            .body(Full::new(Bytes::new()))
            .map_err(|e| e.to_string())?;
        let sent = Instant::now();
        sender
            .ready()
            .await
            .map_err(|e| format!("connection closed: {e}"))?;
        let response = sender
            .send_request(request)
            .await
            .map_err(|e| format!("request failed: {e}"))?;
        let status = response.status().as_u16();
        response
            .into_body()
            .collect()
            .await
            .map_err(|e| format!("body: {e}"))?;
        latencies.push(sent.elapsed());
        if status != expect {
            unexpected += 1;
        }
    }
    Ok((latencies, unexpected))
}
