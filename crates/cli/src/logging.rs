//! The process's logger: stderr, without making the server's requests wait for the terminal
//! or the pipe behind it.
//!
//! Lines are formatted on the thread that logs them, then handed to a background writer thread
//! through a bounded queue. When the queue is full (stderr is slower than the server), lines are
//! dropped rather than requests delayed; the writer reports how many it dropped.
//!
//! The benchmark harness compiles this same file for its baseline server, so that the baseline
//! pays for the access log exactly as `exsited serve` does.

use tracing_appender::non_blocking::{NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::EnvFilter;

/// Keeps the writer thread alive; dropping it flushes what is queued. Hold it for the life of
/// the process.
#[must_use = "dropping the guard stops the log writer"]
#[derive(Debug)]
pub(crate) struct LogGuard(#[allow(dead_code)] WorkerGuard);

/// Installs the process's logger: `RUST_LOG` filters (`default_level` when unset or invalid),
/// lines go to stderr through a background writer.
///
/// The server's events never carry a body, a token or a secret; this only decides where they
/// go.
pub(crate) fn init_stderr(default_level: &str) -> LogGuard {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_level));
    let (writer, guard) = NonBlockingBuilder::default()
        .lossy(true)
        .finish(std::io::stderr());
    // A second call (tests that run several commands in one process) keeps the first logger.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .try_init();
    LogGuard(guard)
}
