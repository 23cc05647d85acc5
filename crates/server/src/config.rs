//! The server's tunables, in one struct so that call sites name what they change.

use std::time::Duration;

/// Limits, timeouts and lifetimes of a [`Server`](crate::Server).
///
/// Build it from the defaults and change what you need:
///
/// ```
/// use std::time::Duration;
/// use exsited_server::ServerConfig;
///
/// let config = ServerConfig {
///     access_token_lifetime: Duration::from_secs(60),
///     ..ServerConfig::default()
/// };
/// assert_eq!(config.max_body_bytes, 1024 * 1024);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerConfig {
    /// How long a client may take to send a request's headers (slow-loris guard). Default 10 s.
    pub header_read_timeout: Duration,
    /// How long a client may take to send a request's body once the headers arrived.
    /// Default 30 s.
    pub body_read_timeout: Duration,
    /// How long a keep-alive connection may sit idle between requests before the server closes
    /// it. Default 10 s. The header-read timer also runs while a connection waits for its next
    /// request, so the effective idle limit is the smaller of this and `header_read_timeout`.
    pub keep_alive_idle_timeout: Duration,
    /// The most connections served at once. Default 512.
    ///
    /// When every slot is taken, a new client is accepted and the keep-alive connection that
    /// has been idle longest is closed to make room for it (a connection serving a request is
    /// never closed for this; when all are busy, the new client waits until one is idle or
    /// closed, and further clients wait in the listen backlog).
    pub max_connections: usize,
    /// The largest request body accepted; a larger one is a 413. Default 1 MiB.
    ///
    /// The 413 is sent as soon as the body is known to be too large (at once for a declared
    /// `Content-Length`), and the connection is then closed with a lingering close, so that a
    /// client still sending the body reads the 413 instead of a connection reset.
    pub max_body_bytes: usize,
    /// How long an access token works. Default 3600 s (the hosted API's `expires_in`).
    pub access_token_lifetime: Duration,
    /// How long a refresh token works. Default 14 days (project choice: long enough for a
    /// client that was idle for a weekend to refresh rather than sign in again).
    pub refresh_token_lifetime: Duration,
    /// How long a response is replayed for a repeated idempotency key. Default 24 h.
    pub idempotency_window: Duration,
    /// How long a graceful shutdown waits for in-flight requests before closing their
    /// connections. Default 10 s.
    pub shutdown_grace: Duration,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(30),
            keep_alive_idle_timeout: Duration::from_secs(10),
            max_connections: 512,
            max_body_bytes: 1024 * 1024,
            access_token_lifetime: Duration::from_secs(3600),
            refresh_token_lifetime: Duration::from_secs(14 * 24 * 3600),
            idempotency_window: Duration::from_secs(24 * 3600),
            shutdown_grace: Duration::from_secs(10),
        }
    }
}
