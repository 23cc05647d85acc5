//! [`ConnectionRepository`](exsited_core::ConnectionRepository) over HTTP: the client of the
//! hosted Exsited API (`https://dev-api.exsited.com`) and of the reference server.
//!
//! ```no_run
//! use exsited_core::{ConnectionId, ConnectionRepository, DeleteOutcome};
//! use exsited_transport::Client;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! // EXSITED_CLIENT_ID, EXSITED_CLIENT_SECRET (or EXSITED_TOKEN), EXSITED_BASE_URL...
//! let client = Client::from_env()?;
//! let id: ConnectionId = "3f0c8a52-9a4e-4d8e-9d53-6f3b2f5b8a10".parse()?;
//! match client.delete(id).await? {
//!     DeleteOutcome::Removed => println!("deleted"),
//!     _ => println!("gone, but an earlier attempt's answer was lost"),
//! }
//! # Ok(()) }
//! ```
//!
//! The example `examples/delete_connection.rs` does the same from the command line:
//! `cargo run -p exsited-transport --example delete_connection -- <uuid>`.
//!
//! # What it promises
//!
//! - **Time.** 10 s to connect, 30 s per attempt (headers and body), 120 s per operation,
//!   waits included; all configurable in [`ClientConfigBuilder`].
//! - **Retries only when safe.** A request that was never sent (no connection) is retried,
//!   unless TLS refused the server (below). A GET or DELETE is also retried after a transient
//!   failure once sent: the connection dropping, the attempt timing out, or a 429, 500, 502, 503
//!   or 504. A POST or PATCH that was sent is never repeated, except on a 429 or 503 carrying
//!   `Retry-After`, where the server says it did not take it; every POST carries an
//!   `X-Idempotency-Key` that stays the same across its attempts
//!   ([`Client::create_with_idempotency_key`] lets a caller choose it). Waits are full jitter
//!   exponential ([`RetryPolicy`]), `Retry-After` (seconds or an HTTP date) replaces them, and
//!   none runs past the deadline.
//! - **Delete outcome.** A 204 is `Removed`. A 404 is `NotFound`, unless an earlier attempt of
//!   the same delete was sent and its answer lost: then the 404 most likely answers our own
//!   earlier success, and the result is `RemovedUnconfirmed`. The delete of a partner function
//!   follows the same rule and returns `Ok(())` in both cases, with a warning in the second.
//! - **Not found.** A 404 is `NotFound` for what the call looked for, unless the error body
//!   names what was missing (the reference server's `details`): enabling an automation of a
//!   connection that is gone is `NotFound` for the connection.
//! - **Configuration.** `update_configuration` is a PATCH: never sent again after an attempt
//!   whose outcome is unknown. It returns the document the server answers with; from a server
//!   that answers with the message alone, it reads the document after.
//! - **Authentication.** Tokens from `POST /api/v1/oauth2/token`, shared by every clone of a
//!   [`Client`], fetched by one call at a time (the API revokes the previous token on every
//!   grant), replaced 60 s before expiry with the refresh grant (falling back to the client
//!   credentials). A 401 gets one refresh and one replay. Redirects are never followed: a 3xx is
//!   `Unauthorized`, naming only the redirect's host.
//! - **Errors** are core's [`Error`](exsited_core::Error), read from every error-body shape the
//!   API sends; a body that is no error envelope (an HTML 502) is kept as a short printable
//!   excerpt. Nothing the client prints (errors, `Debug`, traces) contains a secret.
//! - **TLS** by rustls with the ring provider and the Mozilla roots compiled in, plus any root
//!   given with [`ClientConfigBuilder::add_root_certificate_pem`]. Plain `http` is refused except
//!   to loopback hosts or with [`ClientConfigBuilder::allow_insecure_http`]. A handshake that
//!   fails for good (a certificate that does not verify: unknown issuer, wrong name, expired,
//!   not yet valid; a server that does not speak TLS) is not retried: it is `Unavailable`
//!   (nothing was sent) with a message naming the host, the cause and the remedy, and a
//!   [`TlsError`] source that [`TlsError::find`] reaches.
//! - **Observability.** A `tracing` span per operation (`exsited.operation`) and per attempt
//!   (`exsited.attempt`, with status, request id and elapsed time), and an optional
//!   [`observer`](ClientConfigBuilder::observer) called with an [`Exchange`] for each request.
//!
//! No hyper, http or rustls type appears in this API, so their upgrades are not ours to
//! announce.

#![deny(missing_docs)]

mod auth;
mod base_url;
mod call;
mod client;
mod config_error;
mod credentials;
mod engine;
mod exchange;
mod headers;
mod observe;
mod records;
mod repository;
mod response;
mod retry;
mod sender;
mod settings;
mod text;
mod tls;
mod tls_error;
mod token;

pub use client::{
    Client, ClientConfig, ClientConfigBuilder, DEFAULT_BASE_URL, DEFAULT_MAX_RESPONSE_BYTES,
    ENV_VARS,
};
pub use config_error::ConfigError;
pub use observe::{Exchange, ExchangeOutcome, FailureKind};
pub use retry::RetryPolicy;
pub use tls_error::{TlsCause, TlsError};
