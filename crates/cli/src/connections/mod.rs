//! `exsited connections`: list, get, create, enable, disable, delete and restore integration
//! connections through the API (the hosted one, or a reference server), with kubectl- and
//! gh-like conventions: tables for people, `--json` for machines, `--dry-run`,
//! `--ignore-not-found`, and exit codes 0 (done), 1 (an operation failed), 2 (usage).

mod api;
use exsited_cli::backup_file;
mod create;
mod delete;
mod failure;
mod get;
mod list;
mod restore;
mod state;

use crate::failure::Failure;
use api::ApiArgs;

/// `exsited connections ...`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    api: ApiArgs,
    /// Print JSON instead of tables: the API's record shapes, partner secrets redacted.
    #[arg(long, global = true)]
    json: bool,
    // Boxed: the subcommands' flags would make every `exsited` command value large.
    #[command(subcommand)]
    command: Box<Command>,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// List connections (filters apply while walking pages).
    List(list::ListArgs),
    /// Show one connection.
    Get(get::IdArgs),
    /// Create a connection.
    Create(create::CreateArgs),
    /// Enable a connection (status ACTIVE).
    Enable(get::IdArgs),
    /// Disable a connection (status INACTIVE).
    Disable(get::IdArgs),
    /// Delete connections and all their sync configurations, permanently.
    Delete(delete::DeleteArgs),
    /// Create again the connections of a `delete --backup` file, under new ids.
    Restore(restore::RestoreArgs),
}

/// Runs a `connections` subcommand.
pub(crate) async fn run(args: Args) -> Result<(), Failure> {
    let Args { api, json, command } = args;
    match *command {
        Command::List(a) => list::run(a, &api, json).await,
        Command::Get(a) => get::run(a, &api, json).await,
        Command::Create(a) => create::run(a, &api, json).await,
        Command::Enable(a) => state::run(a, &api, json, true).await,
        Command::Disable(a) => state::run(a, &api, json, false).await,
        Command::Delete(a) => delete::run(a, &api, json).await,
        Command::Restore(a) => restore::run(a, &api, json).await,
    }
}
