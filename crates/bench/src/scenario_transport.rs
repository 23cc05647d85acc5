//! Figure 2: the transport's deletes per second and client CPU per delete against a static-204
//! server, side by side with a minimal raw-hyper loop (the floor) and with reqwest.

use std::future::Future;
use std::time::{Duration, Instant};

use bytes::Bytes;
use exsited_core::{ConnectionId, ConnectionRepository, SecretString};
use exsited_transport::ClientConfig;
use futures_util::{StreamExt, stream};
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::rt::TokioExecutor;

use crate::process::ServerProcess;
use crate::rusage::cpu_time;
use crate::scenario_server::{Target, delete_path, start};
use crate::stats::Figure;
use crate::{Plan, Tools};

/// The concurrency every client runs at.
pub(crate) const CONCURRENCY: usize = 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Contender {
    RawHyper,
    Transport,
    Reqwest,
}

impl Contender {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Contender::RawHyper => "raw hyper loop (floor)",
            Contender::Transport => "exsited-transport",
            Contender::Reqwest => "reqwest",
        }
    }
}

pub(crate) struct Row {
    pub(crate) contender: Contender,
    pub(crate) per_second: Figure,
    pub(crate) cpu_us_per_delete: Figure,
}

struct Run {
    per_second: f64,
    cpu_us_per_delete: f64,
}

pub(crate) async fn run(plan: &Plan, tools: &Tools) -> Result<Vec<Row>, String> {
    let server = start(tools, Target::Static204, &tools.scratch.join("unused.db")).await?;
    let result = contenders(plan, &server).await;
    server.stop().await;
    result
}

async fn contenders(plan: &Plan, server: &ServerProcess) -> Result<Vec<Row>, String> {
    let base = server.base_url();
    let count = plan.transport_requests;
    let mut runs: Vec<(Contender, Vec<Run>)> = [
        Contender::RawHyper,
        Contender::Transport,
        Contender::Reqwest,
    ]
    .map(|c| (c, Vec::new()))
    .into();
    // Interleaved, so that a slow moment of the machine hits every contender alike.
    for _ in 0..plan.runs {
        for (contender, runs) in &mut runs {
            runs.push(match contender {
                Contender::RawHyper => raw_hyper(&base, count).await?,
                Contender::Transport => transport(&base, count).await?,
                Contender::Reqwest => reqwest_loop(&base, count).await?,
            });
        }
    }
    Ok(runs
        .into_iter()
        .map(|(contender, runs)| {
            let row = Row {
                contender,
                per_second: Figure::of(&runs.iter().map(|r| r.per_second).collect::<Vec<_>>()),
                cpu_us_per_delete: Figure::of(
                    &runs.iter().map(|r| r.cpu_us_per_delete).collect::<Vec<_>>(),
                ),
            };
            eprintln!(
                "client  c={CONCURRENCY:<3} {:<24} {:>9.0} deletes/s  {:.1} µs CPU/delete",
                contender.name(),
                row.per_second.median,
                row.cpu_us_per_delete.median
            );
            row
        })
        .collect())
}

/// Runs `one` for `count` fresh ids, `CONCURRENCY` at a time, measuring wall and CPU time.
async fn measure<F, Fut>(count: usize, one: F) -> Result<Run, String>
where
    F: Fn(ConnectionId) -> Fut,
    Fut: Future<Output = Result<(), String>>,
{
    let ids: Vec<ConnectionId> = (0..count).map(|_| ConnectionId::random()).collect();
    let (cpu0, wall0) = (cpu_time(), Instant::now());
    let results: Vec<Result<(), String>> = stream::iter(ids)
        .map(&one)
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    let (wall, cpu) = (wall0.elapsed(), cpu_time().saturating_sub(cpu0));
    results.into_iter().collect::<Result<(), String>>()?;
    Ok(Run {
        per_second: count as f64 / wall.as_secs_f64(),
        cpu_us_per_delete: cpu.as_secs_f64() * 1e6 / count as f64,
    })
}

async fn transport(base: &str, count: usize) -> Result<Run, String> {
    let client = ClientConfig::builder()
        .base_url(base)
        .bearer_token(SecretString::new("static-token"))
        .build()
        .map_err(|e| e.to_string())?;
    measure(count, |id| {
        let client = &client;
        async move { client.delete(id).await.map(drop).map_err(|e| e.to_string()) }
    })
    .await
}

async fn raw_hyper(base: &str, count: usize) -> Result<Run, String> {
    let mut connector = hyper_util::client::legacy::connect::HttpConnector::new();
    connector.set_nodelay(true);
    let client: HyperClient<_, Empty<Bytes>> = HyperClient::builder(TokioExecutor::new())
        .pool_idle_timeout(Duration::from_secs(30))
        .build(connector);
    measure(count, |id| {
        let client = &client;
        async move {
            let request = hyper::Request::delete(format!("{base}{}", delete_path(id)))
                .header("authorization", "Bearer static-token")
                .body(Empty::new())
                .map_err(|e| e.to_string())?;
            let response = client.request(request).await.map_err(|e| e.to_string())?;
            let status = response.status();
            response
                .into_body()
                .collect()
                .await
                .map_err(|e| e.to_string())?;
            if status.as_u16() == 204 {
                Ok(())
            } else {
                Err(format!("status {status}"))
            }
        }
    })
    .await
}

async fn reqwest_loop(base: &str, count: usize) -> Result<Run, String> {
    let client = reqwest::Client::builder()
        .tcp_nodelay(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| e.to_string())?;
    measure(count, |id| {
        let client = &client;
        async move {
            let response = client
                .delete(format!("{base}{}", delete_path(id)))
                .bearer_auth("static-token")
                .send()
                .await
                .map_err(|e| e.to_string())?;
            let status = response.status();
            response.bytes().await.map_err(|e| e.to_string())?;
            if status.as_u16() == 204 {
                Ok(())
            } else {
                Err(format!("status {status}"))
            }
        }
    })
    .await
}
