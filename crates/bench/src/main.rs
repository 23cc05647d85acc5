//! `exsited-bench`: the harness behind `cargo xtask bench`.
//!
//! - `exsited-bench run --exsited PATH --out DIR [--quick]`: every figure, side by side with its
//!   baseline, written to `DIR/report.md` and `DIR/report.json`.
//! - `exsited-bench static-204 --addr HOST:PORT`: the baseline server (the server's own stack,
//!   answering every request with a static 204), in its own process.
//! - `exsited-bench measure -- COMMAND...`: runs a command and prints its wall time and peak RSS
//!   as JSON.
//!
//! Everything runs on loopback; every figure is the median of several runs, with min and max.

mod loadgen;
mod process;
mod report;
mod rusage;
mod scenario_cli;
mod scenario_server;
mod scenario_transport;
mod stats;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

/// How much work each figure does.
pub(crate) struct Plan {
    pub(crate) quick: bool,
    pub(crate) runs: usize,
    pub(crate) transport_requests: usize,
    pub(crate) cli_connections: usize,
    pub(crate) cli_flat_ids: usize,
}

impl Plan {
    fn new(quick: bool) -> Plan {
        if quick {
            // Enough to exercise every code path, small enough for CI.
            Plan {
                quick,
                runs: 1,
                transport_requests: 200,
                cli_connections: 200,
                cli_flat_ids: 1_000,
            }
        } else {
            Plan {
                quick,
                runs: 5,
                transport_requests: 20_000,
                cli_connections: 10_000,
                cli_flat_ids: 100_000,
            }
        }
    }

    /// Deletes per server run: enough for a stable p99 at every concurrency.
    pub(crate) fn server_requests(&self, concurrency: usize) -> usize {
        let full = match concurrency {
            1 => 2_000,
            16 => 8_000,
            _ => 16_000,
        };
        if self.quick { full / 40 } else { full }
    }
}

/// The binaries and the scratch directory.
pub(crate) struct Tools {
    pub(crate) exsited: PathBuf,
    pub(crate) bench: PathBuf,
    pub(crate) scratch: PathBuf,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => run(&args[1..]),
        Some("static-204") => static_204(&args[1..]),
        Some("measure") => measure(&args[1..]),
        _ => Err(USAGE.to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("exsited-bench: {message}");
            ExitCode::FAILURE
        }
    }
}

const USAGE: &str = "usage: exsited-bench run --exsited PATH --out DIR [--quick]
       exsited-bench static-204 [--addr HOST:PORT]
       exsited-bench measure -- COMMAND [ARGS...]";

fn flag<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(String::as_str)
}

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())
}

fn run(args: &[String]) -> Result<(), String> {
    let exsited = PathBuf::from(flag(args, "--exsited").ok_or(USAGE)?);
    let out = PathBuf::from(flag(args, "--out").ok_or(USAGE)?);
    let plan = Plan::new(args.iter().any(|a| a == "--quick"));
    let scratch = out.join("scratch");
    std::fs::create_dir_all(&scratch).map_err(|e| format!("{}: {e}", scratch.display()))?;
    let tools = Tools {
        exsited,
        bench: std::env::current_exe().map_err(|e| e.to_string())?,
        scratch,
    };
    let started = Instant::now();
    let report = runtime()?.block_on(async {
        let server = scenario_server::run(&plan, &tools).await?;
        let transport = scenario_transport::run(&plan, &tools).await?;
        let cli = scenario_cli::run(&plan, &tools).await?;
        Ok::<_, String>(report::Report {
            plan: &plan,
            server,
            transport,
            cli,
            elapsed: started.elapsed(),
        })
    })?;
    report.write(&out)?;
    let _ = std::fs::remove_dir_all(&tools.scratch);
    eprintln!(
        "report: {} and report.json",
        out.join("report.md").display()
    );
    Ok(())
}

fn static_204(args: &[String]) -> Result<(), String> {
    let addr = flag(args, "--addr")
        .unwrap_or("127.0.0.1:0")
        .parse()
        .map_err(|e| format!("--addr: {e}"))?;
    runtime()?.block_on(async {
        let server = exsited_server::baseline::static_204(addr)
            .await
            .map_err(|e| e.to_string())?;
        println!("listening on http://{}", server.local_addr());
        server.wait().await.map_err(|e| e.to_string())
    })
}

fn measure(args: &[String]) -> Result<(), String> {
    let command = args
        .iter()
        .position(|a| a == "--")
        .map(|i| &args[i + 1..])
        .ok_or(USAGE)?;
    let (program, rest) = command.split_first().ok_or(USAGE)?;
    let started = Instant::now();
    let status = std::process::Command::new(program)
        .args(rest)
        .stdout(std::process::Stdio::null())
        .status()
        .map_err(|e| format!("{program}: {e}"))?;
    let report = serde_json::json!({
        "wall_s": started.elapsed().as_secs_f64(),
        "max_rss_kib": rusage::children_max_rss_kib(),
        "code": status.code(),
    });
    println!("{report}");
    Ok(())
}
