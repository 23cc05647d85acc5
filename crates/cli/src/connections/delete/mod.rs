//! `exsited connections delete`: many connections, safely.
//!
//! Every id is validated before any request; duplicates are dropped; deletes run at bounded
//! concurrency through `RepositoryExt::delete_many` over a stream of ids, so memory stays flat
//! for any input size; `--backup` writes each connection to disk before its delete is sent;
//! `--dry-run` only reads; Ctrl-C stops new deletes, lets those in flight finish, and writes
//! the ids not attempted to a file. The summary at the end sets the exit code.

mod backup;
mod dry_run;
use exsited_cli::delete_ids as ids;
mod interrupt;
mod progress;
mod remaining;
mod run;
mod summary;

use std::path::PathBuf;
use std::sync::Arc;

use super::api::ApiArgs;
use super::failure::{failed, usage};
use crate::failure::Failure;
use crate::output;
use backup::{BackingUp, BackupWriter};
use ids::Input;
use interrupt::Stop;
use run::Run;
use summary::Summary;

/// Flags of `exsited connections delete`.
#[derive(Debug, clap::Args)]
pub(crate) struct DeleteArgs {
    /// Connection ids to delete.
    #[arg(value_name = "UUID")]
    pub(crate) ids: Vec<String>,
    /// Also read ids from this file, one per line (`-` for standard input). Blank lines and
    /// lines starting with `#` are skipped.
    #[arg(long, short = 'f', value_name = "PATH")]
    pub(crate) from_file: Option<PathBuf>,
    /// How many deletes run at once.
    #[arg(long, default_value_t = 8, value_name = "N",
          value_parser = clap::value_parser!(u16).range(1..=256))]
    pub(crate) concurrency: u16,
    /// Send no delete: read each connection and print what would be deleted.
    #[arg(long)]
    pub(crate) dry_run: bool,
    /// A connection that does not exist counts as deleted (exit 0).
    #[arg(long)]
    pub(crate) ignore_not_found: bool,
    /// Before each delete, append the whole connection (record, automations, partner
    /// functions, secrets included) to this file as a JSON line; created with mode 0600.
    #[arg(long, value_name = "PATH", conflicts_with = "dry_run")]
    pub(crate) backup: Option<PathBuf>,
    /// Where to write the ids not attempted when the run is stopped [default: next to the
    /// --from-file input as PATH.remaining, else exsited-remaining-<time>.txt].
    #[arg(long, value_name = "PATH")]
    pub(crate) remaining: Option<PathBuf>,
}

/// Runs the command.
pub(crate) async fn run(args: DeleteArgs, api: &ApiArgs, json: bool) -> Result<(), Failure> {
    if args.ids.is_empty() && args.from_file.is_none() {
        return Err(usage(
            "no connection ids: give them as arguments or with --from-file PATH (- for standard input)",
        ));
    }
    let input = Input::open(args.ids, args.from_file.as_deref()).map_err(|e| {
        let from = args.from_file.as_deref().unwrap_or("-".as_ref());
        usage(format!("cannot read {}: {e}", from.display()))
    })?;
    let origin = input.origin().cloned();
    let mut source = match input.validate() {
        Err(e) => return Err(failed("cannot read the connection ids", e)),
        Ok(Err(invalid)) => return Err(usage(invalid)),
        Ok(Ok(source)) => source,
    };
    let writer = match &args.backup {
        Some(path) => Some(Arc::new(BackupWriter::open(path).map_err(usage)?)),
        None => None,
    };
    let client = api.client()?;

    let stop = Arc::new(Stop::default());
    let watcher =
        interrupt::watch(Arc::clone(&stop)).map_err(|e| failed("cannot listen for Ctrl-C", e))?;
    let mut summary = Summary {
        dry_run: args.dry_run,
        requested: source.total(),
        ignore_not_found: args.ignore_not_found,
        backup_file: args.backup.as_ref().map(|p| p.display().to_string()),
        ..Summary::default()
    };
    let run = Run {
        stop: &stop,
        concurrency: usize::from(args.concurrency),
        ignore_not_found: args.ignore_not_found,
        quiet: json,
    };
    let verb = if args.dry_run { "checked" } else { "done" };
    let bar = progress::bar(source.total(), verb);
    match (args.dry_run, writer) {
        (true, _) => dry_run::run(&client, &mut source, &run, &bar, &mut summary).await,
        (false, Some(writer)) => {
            let repo = BackingUp::new(client, writer);
            run.deletes(&repo, &mut source, &bar, &mut summary).await;
        }
        (false, None) => run.deletes(&client, &mut source, &bar, &mut summary).await,
    }
    bar.finish_and_clear();
    watcher.abort();

    summary.interrupted = stop.was_interrupted();
    if stop.is_set() {
        let path = args
            .remaining
            .clone()
            .unwrap_or_else(|| remaining::default_path(origin.as_ref()));
        match remaining::write(&path, &mut source) {
            Ok(0) => {
                let _ = std::fs::remove_file(&path);
            }
            Ok(count) => {
                summary.not_attempted = count;
                summary.remaining_file = Some(path.display().to_string());
            }
            Err(e) => {
                summary.stopped.get_or_insert(format!(
                    "cannot write the ids not attempted to {}: {e}",
                    path.display()
                ));
            }
        }
    }
    if let Some(e) = source.take_error() {
        summary
            .stopped
            .get_or_insert(format!("reading the connection ids failed: {e}"));
    }
    if json {
        output::print_json(&summary).map_err(|e| failed("cannot print", e))?;
    } else {
        println!("{summary}");
    }
    summary.outcome()
}
