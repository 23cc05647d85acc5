//! What the client tells an observer about each HTTP exchange.
//!
//! One [`Exchange`] per request sent (token requests and retries included), so a command-line
//! tool can print the traffic and a test can count it, without parsing logs.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// The callback given to [`ClientConfigBuilder::observer`](crate::ClientConfigBuilder::observer).
pub(crate) type Observer = Arc<dyn Fn(&Exchange) + Send + Sync>;

/// One HTTP exchange: a request and how it ended.
///
/// Never carries a header value, a body or a secret: only what is safe to print.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Exchange {
    /// The HTTP method (`GET`, `POST`, `PATCH`, `DELETE`).
    pub method: &'static str,
    /// The path template of the operation (`/api/v3/integration/{uuid}`), not the filled path,
    /// so that exchanges group by operation.
    pub path: &'static str,
    /// The status, or why there was none.
    pub outcome: ExchangeOutcome,
    /// Which attempt of the operation this was, from 1 (a token request counts its own).
    pub attempt: u32,
    /// From sending the request to the end of the response body (or the failure).
    pub elapsed: Duration,
    /// The request id: the server's `X-Request-Id` when it sent one, else the one sent.
    pub request_id: String,
}

/// How an [`Exchange`] ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ExchangeOutcome {
    /// The server answered with this status (the body was read in full).
    Status(u16),
    /// No complete answer.
    Failed(FailureKind),
}

/// Why an exchange got no complete answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FailureKind {
    /// No connection could be made (DNS, refused, reset, connect timeout): the request was not
    /// sent.
    Connect,
    /// The TLS handshake failed for good (see [`TlsError`](crate::TlsError)): the request was
    /// not sent, and is not retried.
    Tls,
    /// The connection closed or reset after the request was sent.
    Dropped,
    /// The attempt's time ran out.
    Timeout,
    /// The response body was larger than the configured limit.
    BodyTooLarge,
}

impl fmt::Display for FailureKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FailureKind::Connect => "connect error",
            FailureKind::Tls => "TLS handshake refused",
            FailureKind::Dropped => "connection dropped",
            FailureKind::Timeout => "timed out",
            FailureKind::BodyTooLarge => "body too large",
        })
    }
}

impl fmt::Display for ExchangeOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExchangeOutcome::Status(status) => write!(f, "{status}"),
            ExchangeOutcome::Failed(kind) => write!(f, "{kind}"),
        }
    }
}

/// `DELETE /api/v3/integration/{uuid} -> 204 (attempt 1, 12 ms, request id ...)`.
impl fmt::Display for Exchange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} -> {} (attempt {}, {} ms, request id {})",
            self.method,
            self.path,
            self.outcome,
            self.attempt,
            self.elapsed.as_millis(),
            self.request_id
        )
    }
}
