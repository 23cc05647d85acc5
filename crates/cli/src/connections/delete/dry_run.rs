//! `delete --dry-run`: reads each connection (a GET, never a DELETE) and prints what would be
//! deleted.

use exsited_core::ConnectionRepository;
use futures_util::{StreamExt, stream};
use indicatif::ProgressBar;

use super::ids::IdSource;
use super::interrupt::UntilStopped;
use super::progress;
use super::run::Run;
use super::summary::{Summary, Tally};
use crate::connections::failure::describe;
use crate::output::printable;

/// Reads every id of `source` at the run's concurrency, counting what exists.
pub(super) async fn run<R: ConnectionRepository>(
    repo: &R,
    source: &mut IdSource,
    settings: &Run<'_>,
    bar: &ProgressBar,
    summary: &mut Summary,
) {
    let ids = UntilStopped {
        inner: source,
        stop: settings.stop,
    };
    let mut results = stream::iter(ids)
        .map(|id| async move { (id, repo.get(id).await) })
        .buffer_unordered(settings.concurrency);
    while let Some((id, result)) = results.next().await {
        let tally = match &result {
            Ok(_) => Tally::WouldDelete,
            Err(e) if e.is_not_found() => Tally::NotFound,
            Err(_) => Tally::Failed,
        };
        summary.count(id, tally, result.as_ref().err());
        bar.inc(1);
        if settings.quiet {
            continue;
        }
        progress::say(bar, || match &result {
            Ok(c) => println!(
                "would delete {id} ({} {})",
                c.partner,
                printable(&c.remote_instance.id)
            ),
            Err(e) if e.is_not_found() && settings.ignore_not_found => {}
            Err(e) if e.is_not_found() => eprintln!("not found {id}"),
            Err(e) => eprintln!("failed {id}: {}", describe(e)),
        });
    }
}
