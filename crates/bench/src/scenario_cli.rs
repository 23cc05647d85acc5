//! Figure 3: `exsited connections delete` in bulk against the SQLite store: wall time, deletes
//! per second and peak RSS for 10,000 connections, and peak RSS for 100,000 ids.

use std::io::Write;
use std::path::Path;
use std::process::Stdio;

use exsited_core::{ConnectionRepository, NewConnection, Partner, TenantId};
use exsited_store_sqlite::SqliteStore;
use futures_util::{StreamExt, stream};
use tokio::process::Command;

use crate::scenario_server::{CLIENT_ID, CLIENT_SECRET, Target, start};
use crate::stats::Figure;
use crate::{Plan, Tools};

/// What the command-line figures are.
pub(crate) struct CliFigures {
    pub(crate) connections: usize,
    pub(crate) wall_s: Figure,
    pub(crate) per_second: Figure,
    pub(crate) max_rss_mib: Figure,
    pub(crate) flat_ids: usize,
    pub(crate) flat_max_rss_mib: Figure,
}

struct Measured {
    wall_s: f64,
    max_rss_mib: f64,
}

pub(crate) async fn run(plan: &Plan, tools: &Tools) -> Result<CliFigures, String> {
    let mut bulk = Vec::new();
    for _ in 0..plan.runs {
        bulk.push(bulk_delete(tools, plan.cli_connections).await?);
    }
    let mut flat = Vec::new();
    for _ in 0..plan.runs {
        flat.push(flat_memory(tools, plan.cli_flat_ids).await?);
    }
    let figures = CliFigures {
        connections: plan.cli_connections,
        wall_s: Figure::of(&bulk.iter().map(|m| m.wall_s).collect::<Vec<_>>()),
        per_second: Figure::of(
            &bulk
                .iter()
                .map(|m| plan.cli_connections as f64 / m.wall_s)
                .collect::<Vec<_>>(),
        ),
        max_rss_mib: Figure::of(&bulk.iter().map(|m| m.max_rss_mib).collect::<Vec<_>>()),
        flat_ids: plan.cli_flat_ids,
        flat_max_rss_mib: Figure::of(&flat.iter().map(|m| m.max_rss_mib).collect::<Vec<_>>()),
    };
    eprintln!(
        "cli     {} deletes in {:.2} s ({:.0}/s), peak RSS {:.1} MiB; {} ids: peak RSS {:.1} MiB",
        figures.connections,
        figures.wall_s.median,
        figures.per_second.median,
        figures.max_rss_mib.median,
        figures.flat_ids,
        figures.flat_max_rss_mib.median
    );
    Ok(figures)
}

/// Seeds `count` connections straight into a SQLite file, serves it, and deletes them all
/// with the command line, from a file.
async fn bulk_delete(tools: &Tools, count: usize) -> Result<Measured, String> {
    let db = tools
        .scratch
        .join(format!("cli-{}.db", uuid::Uuid::new_v4()));
    let ids = seed_sqlite(&db, count).await?;
    let list = tools.scratch.join("cli-ids.txt");
    write_lines(&list, ids.iter().map(String::as_str))?;
    let server = start(tools, Target::Sqlite, &db).await?;
    let measured = measure_cli(tools, &server.base_url(), &list, false).await;
    server.stop().await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    measured
}

/// Deletes `count` ids that do not exist (each a quick 404): the input size grows, the
/// command's memory must not.
async fn flat_memory(tools: &Tools, count: usize) -> Result<Measured, String> {
    let list = tools.scratch.join("cli-flat-ids.txt");
    let ids: Vec<String> = (0..count)
        .map(|_| uuid::Uuid::new_v4().to_string())
        .collect();
    write_lines(&list, ids.iter().map(String::as_str))?;
    drop(ids);
    let server = start(tools, Target::Memory, &tools.scratch.join("unused.db")).await?;
    let measured = measure_cli(tools, &server.base_url(), &list, true).await;
    server.stop().await;
    measured
}

async fn seed_sqlite(db: &Path, count: usize) -> Result<Vec<String>, String> {
    let store = SqliteStore::open(db).map_err(|e| e.to_string())?;
    let repo = store.repository(TenantId::new("default").map_err(|e| e.to_string())?);
    let partner = Partner::new("xero").map_err(|e| e.to_string())?;
    let created: Vec<Result<String, String>> = stream::iter(0..count)
        .map(|i| {
            let (repo, partner) = (&repo, partner.clone());
            async move {
                let new =
                    NewConnection::new(partner, &format!("cli-{i}")).map_err(|e| e.to_string())?;
                repo.create(new)
                    .await
                    .map(|c| c.id.to_string())
                    .map_err(|e| e.to_string())
            }
        })
        .buffer_unordered(256)
        .collect()
        .await;
    drop(repo);
    drop(store);
    created.into_iter().collect()
}

fn write_lines<'a>(path: &Path, lines: impl Iterator<Item = &'a str>) -> Result<(), String> {
    let file = std::fs::File::create(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out = std::io::BufWriter::new(file);
    for line in lines {
        writeln!(out, "{line}").map_err(|e| e.to_string())?;
    }
    out.flush().map_err(|e| e.to_string())
}

/// Runs `exsited connections delete --from-file LIST` under `exsited-bench measure`, which
/// reports the child's wall time and peak RSS.
async fn measure_cli(
    tools: &Tools,
    base_url: &str,
    list: &Path,
    missing: bool,
) -> Result<Measured, String> {
    let mut command = Command::new(&tools.bench);
    command
        .arg("measure")
        .arg("--")
        .arg(&tools.exsited)
        .args([
            "connections",
            "delete",
            "--concurrency",
            "16",
            "--from-file",
        ])
        .arg(list)
        .env("EXSITED_BASE_URL", base_url)
        .env("EXSITED_CLIENT_ID", CLIENT_ID)
        .env("EXSITED_CLIENT_SECRET", CLIENT_SECRET)
        .stdin(Stdio::null())
        .stderr(Stdio::null());
    if missing {
        command.arg("--ignore-not-found");
    }
    let output = command
        .output()
        .await
        .map_err(|e| format!("cannot run the command line: {e}"))?;
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).map_err(|e| {
        format!(
            "measure printed no report ({e}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    })?;
    if report["code"].as_i64() != Some(0) {
        return Err(format!("exsited connections delete failed: {report}"));
    }
    Ok(Measured {
        wall_s: report["wall_s"].as_f64().unwrap_or(f64::NAN),
        max_rss_mib: report["max_rss_kib"].as_f64().unwrap_or(f64::NAN) / 1024.0,
    })
}
