//! `exsited-bench`: the harness behind `cargo xtask bench`.
//!
//! - `exsited-bench run --exsited PATH --out DIR [--quick] [--only server|store|transport|cli] [--only server|store|transport|cli]`: every
//!   figure (or one group of them, for profiling), side by side with its baseline, written to
//!   `DIR/report.md` and `DIR/report.json`.
//! - `exsited-bench static-204 --addr HOST:PORT`: the baseline server (the server's own stack,
//!   answering every request with a static 204), in its own process.
//! - `exsited-bench measure -- COMMAND...`: runs a command and prints its wall time and peak RSS
//!   as JSON.
//! - `exsited-bench load --addr HOST:PORT --count N --concurrency C`: seeds N connections into a
//!   running `exsited serve` (started with the bench's client, see `scenario_server`) and
//!   deletes them, for profiling the server under `perf record`.
//!
//! Everything runs on loopback; every figure is the median of several runs, with min and max.

mod loadgen;
// The CLI's logger, compiled in here too: the baseline must pay for the access log exactly as
// `exsited serve` does, and a copy could drift from it.
#[path = "../../cli/src/logging.rs"]
mod logging;
mod process;
mod report;
mod rusage;
mod scenario_cli;
mod scenario_server;
mod scenario_store;
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
                transport_requests: 50_000,
                cli_connections: 10_000,
                cli_flat_ids: 100_000,
            }
        }
    }

    /// Deletes per server run: enough for a stable p99 at every concurrency.
    pub(crate) fn server_requests(&self, concurrency: usize) -> usize {
        // Long enough (a second or more at the memory store's rate) that a p99 and a median
        // over five runs mean something on a noisy shared machine.
        let full = match concurrency {
            1 => 3_000,
            16 => 20_000,
            _ => 40_000,
        };
        if self.quick { full / 100 } else { full }
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
        Some("load") => load(&args[1..]),
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

const USAGE: &str =
    "usage: exsited-bench run --exsited PATH --out DIR [--quick] [--only server|store|transport|cli]
       exsited-bench static-204 [--addr HOST:PORT]
       exsited-bench measure -- COMMAND [ARGS...]
       exsited-bench load --addr HOST:PORT --count N --concurrency C";

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
    let only = flag(args, "--only");
    let wanted = |name: &str| only.is_none_or(|o| o == name);
    let report = runtime()?.block_on(async {
        let server = match wanted("server") {
            true => scenario_server::run(&plan, &tools).await?,
            false => Vec::new(),
        };
        let store = match wanted("store") {
            true => Some(scenario_store::run(&plan, &tools).await?),
            false => None,
        };
        let transport = match wanted("transport") {
            true => scenario_transport::run(&plan, &tools).await?,
            false => Vec::new(),
        };
        let cli = match wanted("cli") {
            true => Some(scenario_cli::run(&plan, &tools).await?),
            false => None,
        };
        Ok::<_, String>(report::Report {
            plan: &plan,
            server,
            store,
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
    // The same logger as `exsited serve`, so that the baseline pays for its access log too.
    let _log = logging::init_stderr("info", logging::LogFormat::Text);
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

fn load(args: &[String]) -> Result<(), String> {
    let addr: std::net::SocketAddr = flag(args, "--addr")
        .ok_or(USAGE)?
        .parse()
        .map_err(|e| format!("--addr: {e}"))?;
    let count: usize = flag(args, "--count")
        .unwrap_or("10000")
        .parse()
        .map_err(|e| format!("--count: {e}"))?;
    let concurrency: usize = flag(args, "--concurrency")
        .unwrap_or("64")
        .parse()
        .map_err(|e| format!("--concurrency: {e}"))?;
    runtime()?.block_on(async {
        let ids = scenario_server::seed(&format!("http://{addr}"), count).await?;
        let paths = ids
            .iter()
            .map(|id| scenario_server::delete_path(*id))
            .collect();
        let token = process::token(
            addr,
            scenario_server::CLIENT_ID,
            scenario_server::CLIENT_SECRET,
        )
        .await?;
        let result = loadgen::deletes(addr, &token, paths, concurrency, 204).await?;
        eprintln!(
            "{} deletes, {} unexpected, {:.0}/s, p50 {:.3} ms, p99 {:.3} ms",
            result.requests,
            result.unexpected,
            result.per_second(),
            result.p50_ms(),
            result.p99_ms()
        );
        Ok(())
    })
}
