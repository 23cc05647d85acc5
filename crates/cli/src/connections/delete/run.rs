//! One run of deletes: the settings it shares with each id's handling, and the loop that deletes
//! a stream of ids at bounded concurrency, reports each, and stops the run on an error every
//! later request would get too.

use exsited_core::{ConnectionRepository, Error, RepositoryExt};
use futures_util::StreamExt;
use indicatif::ProgressBar;

use super::ids::IdSource;
use super::interrupt::{Stop, UntilStopped};
use super::progress;
use super::summary::{Summary, Tally};
use crate::connections::failure::describe;

/// The settings a run shares with its per-id handling.
pub(super) struct Run<'a> {
    pub(super) stop: &'a Stop,
    pub(super) concurrency: usize,
    pub(super) ignore_not_found: bool,
    /// `--json`: no per-id lines, only the summary.
    pub(super) quiet: bool,
}

impl Run<'_> {
    /// Deletes every id of `source` until it ends or the run is stopped.
    pub(super) async fn deletes<R: ConnectionRepository>(
        &self,
        repo: &R,
        source: &mut IdSource,
        bar: &ProgressBar,
        summary: &mut Summary,
    ) {
        let ids = UntilStopped {
            inner: source,
            stop: self.stop,
        };
        let mut results = repo.delete_many(ids, self.concurrency);
        while let Some((id, result)) = results.next().await {
            let tally = Tally::of_delete(&result);
            let error = result.as_ref().err();
            summary.count(id, tally, error);
            if let Some(reason) = error.and_then(fatal) {
                if summary.stopped.is_none() {
                    summary.stopped = Some(reason);
                }
                self.stop.halt();
            }
            bar.inc(1);
            if self.quiet {
                continue;
            }
            progress::say(bar, || match (tally, error) {
                (Tally::Removed, _) => println!("deleted {id}"),
                (Tally::RemovedUnconfirmed, _) => println!(
                    "deleted {id} (unconfirmed: an earlier attempt's answer was lost; the connection is gone)"
                ),
                (Tally::NotFound, _) if self.ignore_not_found => {}
                (Tally::NotFound, _) => eprintln!("not found {id}"),
                (_, Some(error)) => eprintln!("failed {id}: {}", describe(error)),
                _ => {}
            });
        }
    }
}

/// An error every later request would get too: stop instead of failing them all.
fn fatal(error: &Error) -> Option<String> {
    match error {
        Error::Unauthorized { .. } | Error::Forbidden { .. } => Some(describe(error)),
        _ => None,
    }
}
