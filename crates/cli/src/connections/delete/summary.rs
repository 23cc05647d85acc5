//! The tally of a delete run, printed at the end as a line for people or a JSON object for
//! machines, and the exit code it implies.

use std::fmt;

use exsited_core::{ConnectionId, DeleteOutcome, Error};
use serde::Serialize;

use crate::connections::failure::describe;
use crate::failure::Failure;

/// How many failures the JSON summary lists; the count covers them all.
const MAX_LISTED_FAILURES: usize = 100;

/// What happened to the ids of one run.
#[derive(Debug, Default, Serialize)]
pub(crate) struct Summary {
    /// Whether this was a `--dry-run` (nothing deleted; `would_delete` counts what exists).
    pub(crate) dry_run: bool,
    /// Distinct ids in the input.
    pub(crate) requested: u64,
    /// Deletes the API confirmed.
    pub(crate) removed: u64,
    /// Connections gone after a retry whose earlier attempt's answer was lost.
    pub(crate) removed_unconfirmed: u64,
    /// Ids the API did not know (or another tenant's, or already deleted).
    pub(crate) not_found: u64,
    /// Deletes that failed; the connection may still exist.
    pub(crate) failed: u64,
    /// Ids never sent: Ctrl-C, or a stop after an authentication failure.
    pub(crate) not_attempted: u64,
    /// With `--dry-run`: ids that exist and would be deleted.
    pub(crate) would_delete: u64,
    /// Whether Ctrl-C stopped the run.
    pub(crate) interrupted: bool,
    /// Why the run stopped early without Ctrl-C.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) stopped: Option<String>,
    /// Where the ids not attempted were written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) remaining_file: Option<String>,
    /// Where the deleted connections were backed up.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) backup_file: Option<String>,
    /// The first failures, with their errors.
    pub(crate) failures: Vec<FailedId>,
    /// Whether not-found ids count as success.
    #[serde(skip)]
    pub(crate) ignore_not_found: bool,
}

/// One failed id.
#[derive(Debug, Serialize)]
pub(crate) struct FailedId {
    pub(crate) uuid: String,
    pub(crate) error: String,
}

/// What one delete (or, with `--dry-run`, one read) came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tally {
    Removed,
    RemovedUnconfirmed,
    NotFound,
    Failed,
    WouldDelete,
}

impl Tally {
    /// The tally of a delete's result.
    pub(crate) fn of_delete(result: &Result<DeleteOutcome, Error>) -> Self {
        match result {
            Ok(DeleteOutcome::Removed) => Tally::Removed,
            Ok(_) => Tally::RemovedUnconfirmed,
            Err(e) if e.is_not_found() => Tally::NotFound,
            Err(_) => Tally::Failed,
        }
    }
}

impl Summary {
    /// Counts one result; a failure keeps its message (the first few).
    pub(crate) fn count(&mut self, id: ConnectionId, tally: Tally, error: Option<&Error>) {
        match tally {
            Tally::Removed => self.removed += 1,
            Tally::RemovedUnconfirmed => self.removed_unconfirmed += 1,
            Tally::NotFound => self.not_found += 1,
            Tally::WouldDelete => self.would_delete += 1,
            Tally::Failed => {
                self.failed += 1;
                if self.failures.len() < MAX_LISTED_FAILURES {
                    self.failures.push(FailedId {
                        uuid: id.to_string(),
                        error: error.map(describe).unwrap_or_default(),
                    });
                }
            }
        }
    }

    /// Exit 0 when everything asked was done; exit 1 when interrupted, stopped, when anything
    /// failed, or was not found without `--ignore-not-found`.
    pub(crate) fn outcome(&self) -> Result<(), Failure> {
        let problem = if self.interrupted {
            Some("interrupted before every id was attempted".to_owned())
        } else if let Some(reason) = &self.stopped {
            Some(format!("stopped early: {reason}"))
        } else if self.failed > 0 {
            Some(format!("{} of {} failed", self.failed, self.requested))
        } else if self.not_found > 0 && !self.ignore_not_found {
            Some(format!(
                "{} of {} not found (--ignore-not-found accepts that)",
                self.not_found, self.requested
            ))
        } else {
            None
        };
        problem.map_or(Ok(()), |p| Err(Failure::Failed(p)))
    }
}

/// The human summary: one line of counts, then where files went.
impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.dry_run {
            write!(
                f,
                "dry run, nothing deleted: {} would be deleted, {} not found, {} failed",
                self.would_delete, self.not_found, self.failed
            )?;
        } else {
            write!(
                f,
                "{} removed, {} removed (unconfirmed), {} not found, {} failed",
                self.removed, self.removed_unconfirmed, self.not_found, self.failed
            )?;
        }
        if self.not_attempted > 0 {
            write!(f, ", {} not attempted", self.not_attempted)?;
        }
        write!(f, " (of {} distinct ids)", self.requested)?;
        if self.interrupted {
            write!(f, "\ninterrupted by Ctrl-C")?;
        }
        if let Some(reason) = &self.stopped {
            write!(f, "\nstopped early: {reason}")?;
        }
        if let Some(path) = &self.backup_file {
            write!(f, "\nbackup of the deleted connections: {path}")?;
        }
        if let Some(path) = &self.remaining_file {
            write!(
                f,
                "\nids not attempted written to {path} (delete them later with --from-file {path})"
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_status_follows_the_counts() {
        let id = ConnectionId::random();
        let mut summary = Summary::default();
        summary.count(id, Tally::Removed, None);
        assert!(summary.outcome().is_ok());
        summary.count(id, Tally::NotFound, None);
        assert!(summary.outcome().is_err());
        summary.ignore_not_found = true;
        assert!(summary.outcome().is_ok());
        summary.count(
            id,
            Tally::Failed,
            Some(&Error::RateLimited { retry_after: None }),
        );
        assert!(
            matches!(summary.outcome(), Err(Failure::Failed(m)) if m.contains("1 of 0 failed"))
        );
        assert_eq!(summary.failures[0].error, "rate limited");
        summary.interrupted = true;
        assert!(matches!(summary.outcome(), Err(Failure::Failed(m)) if m.contains("interrupted")));
    }
}
