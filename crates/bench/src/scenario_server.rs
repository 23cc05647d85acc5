//! Figure 1: the server's deletes per second and latency, per store and concurrency, against
//! the same server stack answering a static 204.

use std::path::Path;

use exsited_core::{ConnectionId, ConnectionRepository, NewConnection, Partner, SecretString};
use exsited_transport::ClientConfig;
use futures_util::{StreamExt, stream};
use tokio::process::Command;

use crate::loadgen::{self, LoadResult};
use crate::process::{self, ServerProcess};
use crate::stats::Figure;
use crate::{Plan, Tools};

pub(crate) const CLIENT_ID: &str = "bench-client";
pub(crate) const CLIENT_SECRET: &str = "bench-secret-0123456789abcdef";

/// What the server is backed by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    /// `exsited-bench static-204`: the server stack with a handler that answers 204 at once.
    Static204,
    Memory,
    Sqlite,
    /// One instance on a PostgreSQL database of a local, durable (`fsync = on`) cluster,
    /// reached over its Unix socket.
    Postgres,
}

impl Target {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Target::Static204 => "static-204 baseline",
            Target::Memory => "memory store",
            Target::Sqlite => "SQLite store",
            Target::Postgres => "PostgreSQL store",
        }
    }
}

/// One cell of the table: a target at a concurrency, over several runs.
pub(crate) struct Cell {
    pub(crate) target: Target,
    pub(crate) concurrency: usize,
    pub(crate) per_second: Figure,
    pub(crate) p50_ms: Figure,
    pub(crate) p99_ms: Figure,
}

/// The PostgreSQL cluster the `Postgres` target's servers use, with their key file. The
/// cluster is stopped and removed when this is dropped.
pub(crate) struct Postgres {
    cluster: exsited_test_postgres::Cluster,
    key: std::path::PathBuf,
}

impl Postgres {
    /// Starts a durable cluster and writes a key with `exsited admin gen-key`.
    async fn start(tools: &Tools) -> Result<Self, String> {
        let cluster = tokio::task::spawn_blocking(|| {
            exsited_test_postgres::Cluster::start_with(exsited_test_postgres::Durability::Durable)
        })
        .await
        .map_err(|e| format!("the PostgreSQL cluster did not start: {e}"))?;
        let key = tools
            .scratch
            .join(format!("secret-{}.key", uuid::Uuid::new_v4()));
        let status = Command::new(&tools.exsited)
            .args(["admin", "gen-key"])
            .arg(&key)
            .stdout(std::process::Stdio::null())
            .status()
            .await
            .map_err(|e| e.to_string())?;
        if !status.success() {
            return Err(format!("exsited admin gen-key failed: {status}"));
        }
        Ok(Self { cluster, key })
    }

    /// A server on a new database of the cluster.
    async fn serve(&self, tools: &Tools) -> Result<ServerProcess, String> {
        let db = self.cluster.create_database();
        let mut command = Command::new(&tools.exsited);
        command
            .args(["serve", "--addr", "127.0.0.1:0", "--client"])
            .arg(format!("{CLIENT_ID}:{CLIENT_SECRET}"))
            .arg("--postgres")
            .arg(self.cluster.url(&db))
            .arg("--secret-key-file")
            .arg(&self.key);
        ServerProcess::start(command).await
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.key);
    }
}

pub(crate) async fn run(plan: &Plan, tools: &Tools) -> Result<Vec<Cell>, String> {
    let postgres = Postgres::start(tools).await?;
    let mut cells = Vec::new();
    for concurrency in [1, 16, 64] {
        let count = plan.server_requests(concurrency);
        for target in [
            Target::Static204,
            Target::Memory,
            Target::Sqlite,
            Target::Postgres,
        ] {
            let mut runs: Vec<LoadResult> = Vec::new();
            for _ in 0..plan.runs {
                runs.push(one_run(tools, &postgres, target, concurrency, count).await?);
            }
            let figure =
                |f: fn(&LoadResult) -> f64| Figure::of(&runs.iter().map(f).collect::<Vec<_>>());
            let cell = Cell {
                target,
                concurrency,
                per_second: figure(LoadResult::per_second),
                p50_ms: figure(LoadResult::p50_ms),
                p99_ms: figure(LoadResult::p99_ms),
            };
            eprintln!(
                "server  c={concurrency:<3} {:<20} {:>9.0} deletes/s  p50 {:.3} ms  p99 {:.3} ms",
                target.name(),
                cell.per_second.median,
                cell.p50_ms.median,
                cell.p99_ms.median
            );
            cells.push(cell);
        }
    }
    Ok(cells)
}

async fn one_run(
    tools: &Tools,
    postgres: &Postgres,
    target: Target,
    concurrency: usize,
    count: usize,
) -> Result<LoadResult, String> {
    let scratch = tools
        .scratch
        .join(format!("server-{}.db", uuid::Uuid::new_v4()));
    let server = match target {
        Target::Postgres => postgres.serve(tools).await?,
        _ => start(tools, target, &scratch).await?,
    };
    let result = async {
        let paths = match target {
            Target::Static204 => (0..count)
                .map(|_| delete_path(ConnectionId::random()))
                .collect(),
            _ => seed(&server.base_url(), count)
                .await?
                .iter()
                .map(|id| delete_path(*id))
                .collect(),
        };
        let token = match target {
            Target::Static204 => "static".to_owned(),
            _ => process::token(server.addr, CLIENT_ID, CLIENT_SECRET).await?,
        };
        let result = loadgen::deletes(server.addr, &token, paths, concurrency, 204).await?;
        if result.unexpected > 0 {
            return Err(format!(
                "{}: {} deletes did not answer 204",
                target.name(),
                result.unexpected
            ));
        }
        Ok(result)
    }
    .await;
    server.stop().await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", scratch.display()));
    }
    result
}

/// The route the transport and the server use for a delete, from the spec.
pub(crate) fn delete_path(id: ConnectionId) -> String {
    exsited_spec::paths::delete_connection(id).into()
}

pub(crate) async fn start(
    tools: &Tools,
    target: Target,
    db: &Path,
) -> Result<ServerProcess, String> {
    let command = match target {
        Target::Static204 => {
            let mut command = Command::new(&tools.bench);
            command.args(["static-204", "--addr", "127.0.0.1:0"]);
            command
        }
        Target::Memory | Target::Sqlite | Target::Postgres => {
            let mut command = Command::new(&tools.exsited);
            command.args([
                "serve",
                "--addr",
                "127.0.0.1:0",
                "--client",
                &format!("{CLIENT_ID}:{CLIENT_SECRET}"),
            ]);
            match target {
                Target::Memory => {
                    command.arg("--memory");
                }
                // A PostgreSQL server needs a database of a cluster: `Postgres::serve`.
                _ => {
                    command.arg("--db").arg(db);
                }
            }
            // Request logging is measured by leaving it on at the server's default level; its
            // output goes to /dev/null, as a service manager's would go to a file.
            command
        }
    };
    ServerProcess::start(command).await
}

/// Creates `count` connections through the transport and returns their ids.
pub(crate) async fn seed(base_url: &str, count: usize) -> Result<Vec<ConnectionId>, String> {
    let client = ClientConfig::builder()
        .base_url(base_url)
        .credentials(CLIENT_ID, SecretString::new(CLIENT_SECRET))
        .build()
        .map_err(|e| e.to_string())?;
    let partner = Partner::new("xero").map_err(|e| e.to_string())?;
    let ids: Vec<Result<ConnectionId, String>> = stream::iter(0..count)
        .map(|i| {
            let (client, partner) = (&client, partner.clone());
            async move {
                let new = NewConnection::new(partner, &format!("bench-{i}"))
                    .map_err(|e| e.to_string())?;
                client
                    .create(new)
                    .await
                    .map(|c| c.id)
                    .map_err(|e| e.to_string())
            }
        })
        .buffer_unordered(64)
        .collect()
        .await;
    ids.into_iter().collect()
}
