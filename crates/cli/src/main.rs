//! `exsited`: the command line of `exsited-rs`.
//!
//! - `exsited serve`: the reference server over a SQLite file, a PostgreSQL database shared by
//!   several instances, or memory.
//! - `exsited admin add-client | audit | gen-key`: the store's API clients and its delete audit,
//!   and the secret key of partner secrets in PostgreSQL.
//! - `exsited connections ...`: list, get, create, enable, disable, delete, restore through the API.
//! - `exsited demo`: the reference server in-process and the delete story over HTTP.
//! - `exsited config list | show NAME`: the profiles of the config file.
//! - `exsited completions SHELL`: the shell completion script.
//!
//! One module per subcommand group. Exit codes: 0 success, 1 the operation failed, 2 the
//! command line was wrong (clap's own usage errors exit 2 as well). Logs go to stderr
//! (`RUST_LOG` filters them); stdout carries only what a script reads: the listening URL,
//! credentials, the audit.

// The doc comments of clap's arguments are the command's `--help` text, written for a
// terminal: URLs and placeholders such as <time> stay as they are, not as rustdoc markup.
#![allow(rustdoc::bare_urls, rustdoc::invalid_html_tags)]

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod admin;
mod completions;
mod config;
mod connections;
mod demo;
mod failure;
mod logging;
mod output;
mod profile;
mod serve;
mod store;

use failure::Failure;
use logging::LogFormat;

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
    /// Administer a server's store: API clients and the delete audit; new secret keys.
    #[command(subcommand)]
    Admin(admin::Command),
    /// Manage integration connections through the API: list, get, create, enable, disable,
    /// delete (in bulk, safely) and restore.
    Connections(connections::Args),
    /// Run the reference server in-process and show a delete over HTTP, offline.
    Demo(demo::Args),
    /// The profiles of the config file ($EXSITED_CONFIG, else ~/.config/exsited/config.toml).
    #[command(subcommand)]
    Config(config::Command),
    /// Print the shell completion script for bash, zsh, fish or powershell.
    Completions(completions::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Command::Completions(args) = &cli.command {
        // No logger and no runtime: the script is all this prints.
        return match completions::run(args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(failure) => failure.report(),
        };
    }
    let (default_level, format) = match &cli.command {
        Command::Serve(args) => ("info", args.log_format()),
        Command::Admin(_) => ("warn", LogFormat::Text),
        Command::Connections(_)
        | Command::Demo(_)
        | Command::Completions(_)
        | Command::Config(_) => ("warn", LogFormat::Text),
    };
    let _log = logging::init_stderr(default_level, format);
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
            Command::Connections(args) => connections::run(args).await,
            Command::Demo(args) => demo::run(args).await,
            Command::Completions(args) => completions::run(&args),
            Command::Config(command) => config::run(command),
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => failure.report(),
    }
}
