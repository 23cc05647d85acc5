//! `exsited`: the command line of `exsited-rs`.
//!
//! - `exsited serve`: the reference server over a SQLite file (or memory).
//! - `exsited admin add-client | audit`: the store's API clients and its delete audit.
//!
//! One module per subcommand group. Exit codes: 0 success, 1 the operation failed, 2 the
//! command line was wrong (clap's own usage errors exit 2 as well). Logs go to stderr
//! (`RUST_LOG` filters them); stdout carries only what a script reads: the listening URL,
//! credentials, the audit.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod admin;
mod failure;
mod serve;
mod store;

use failure::Failure;

#[derive(Parser)]
#[command(
    name = "exsited",
    version,
    about = "Exsited integration connections: the reference server and its administration"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the reference server of the integration-connection API.
    Serve(serve::Args),
    /// Administer a server's store: API clients and the delete audit.
    #[command(subcommand)]
    Admin(admin::Command),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let default_level = match cli.command {
        Command::Serve(_) => "info",
        Command::Admin(_) => "warn",
    };
    init_logging(default_level);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => return Failure::Failed(format!("cannot start the runtime: {err}")).report(),
    };
    let result = runtime.block_on(async move {
        match cli.command {
            Command::Serve(args) => serve::run(args).await,
            Command::Admin(command) => admin::run(command).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => failure.report(),
    }
}

/// Logs to stderr, filtered by `RUST_LOG` (`default_level` when unset or invalid).
fn init_logging(default_level: &str) {
    use tracing_subscriber::EnvFilter;
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_level));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}
