//! The process's logger: stderr, without making the server's requests wait for the terminal
//! or the pipe behind it, as text for people or one JSON object per line for log collectors.
//!
//! Lines are formatted on the thread that logs them, then handed to a background writer thread
//! through a bounded queue. When the queue is full (stderr is slower than the server), lines are
//! dropped rather than requests delayed; the writer reports how many it dropped.
//!
//! The benchmark harness compiles this same file for its baseline server, so that the baseline
//! pays for the access log exactly as `exsited serve` does.

use std::io::IsTerminal;
use std::str::FromStr;

use tracing_appender::non_blocking::{NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::EnvFilter;

/// Keeps the writer thread alive; dropping it flushes what is queued. Hold it for the life of
/// the process.
#[must_use = "dropping the guard stops the log writer"]
#[derive(Debug)]
pub(crate) struct LogGuard(#[allow(dead_code)] WorkerGuard);

/// How each log line is written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum LogFormat {
    /// `2026-01-01T00:00:00.000000Z  INFO exsited_server::service: request method=GET ...`.
    #[default]
    Text,
    /// One JSON object per line: `timestamp`, `level`, `target`, `message` and the event's
    /// fields at the top level (for a request: `method`, `route`, `status`, `elapsed_ms`,
    /// `request_id`).
    Json,
}

impl FromStr for LogFormat {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value {
            "text" => Ok(Self::Text),
            "json" => Ok(Self::Json),
            _ => Err("expected text or json".to_owned()),
        }
    }
}

/// Installs the process's logger: `RUST_LOG` filters (`default_level` when unset or invalid),
/// lines in `format` go to stderr through a background writer.
///
/// The server's events never carry a body, a token or a secret; this only decides where they
/// go and how they are spelled.
pub(crate) fn init_stderr(default_level: &str, format: LogFormat) -> LogGuard {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_level));
    let (writer, guard) = NonBlockingBuilder::default()
        .lossy(true)
        .finish(std::io::stderr());
    // Colours only for a terminal: escape codes in a log file or a collector's pipe are noise.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(writer);
    // A second call (tests that run several commands in one process) keeps the first logger.
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        // Flattened, and without spans: a collector reads the request's fields by name at the
        // top of the object.
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .with_span_list(false)
            .try_init(),
    };
    LogGuard(guard)
}
