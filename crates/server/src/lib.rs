//! The reference server of the Exsited integration-connection API.
//!
//! It serves every route of the wire contract (`crates/spec/openapi.yaml`) over any
//! [`RepositoryProvider`](exsited_core::RepositoryProvider) and
//! [`AccessStore`](exsited_core::access::AccessStore): the in-memory store for tests, the SQLite
//! store for real use. Clients written for the hosted API work against it unchanged, quirks
//! included (doubled slashes, the partner-function trailing slash, a JSON content type on a
//! bodiless GET or DELETE).
//!
//! ```no_run
//! use std::sync::Arc;
//!
//! use exsited_core::MemoryStore;
//! use exsited_server::{Server, ServerConfig};
//!
//! # async fn run() -> Result<(), exsited_server::ServerError> {
//! let store = Arc::new(MemoryStore::new());
//! let server = Server::builder()
//!     .store(store)
//!     .config(ServerConfig::default())
//!     .bind("127.0.0.1:8080".parse().unwrap())
//!     .await?;
//! println!("listening on http://{}", server.local_addr());
//! server.run_until_signal().await
//! # }
//! ```
//!
//! **Architecture invariants.** The public API has no hyper, hyper-util or `http` type in it.
//! The server never stores a token or a client secret, only their SHA-256 hashes; it never logs
//! a body, a token or a secret; every response carries `Content-Type` and `X-Request-Id`, and
//! every error the v3 envelope, including the 400, 414 and 431 hyper writes by itself for a
//! request it cannot parse (the TCP stream replaces them on their way out; see `stream.rs`).
//! The JSON shapes come only from `exsited-spec` (its `convert` module), so the server and the
//! transport cannot disagree about them.
//!
//! **Operations.** [`ServerBuilder::observer`] reports every request, token grant and
//! confirmed delete to an [`Observer`] (for metrics; the server knows no metrics format), and
//! [`MetricsEndpoint`] serves what a [`Scrape`] renders on a listener of its own. `GET /docs` is
//! an interactive page of the document (Swagger UI, compiled in) whose requests reach this
//! server.
//!
//! **HTTP/1.1 edges.** A request head has at most 100 header fields, 32 KiB in all, 16 KiB a
//! header line and 16 KiB of request target (431, 431 and 414 otherwise); an HTTP/1.1 request
//! needs exactly one `Host` (400). `HEAD` is served on every `GET` route, `OPTIONS` on every
//! route (204 with `Allow`). At the connection cap, the longest-idle keep-alive connection is
//! closed to make room for a new client. A response that leaves its request's body unread
//! (a 413, or an error before the body was needed) is followed by a lingering close.

#![deny(missing_docs)]

mod activity;
mod app;
mod auth;
pub mod baseline;
mod body;
mod caller;
pub mod clients;
mod clock;
mod config;
mod crypto;
mod docs;
mod error;
mod handlers;
mod head;
mod idempotency;
#[cfg(test)]
mod imports;
mod linger;
mod observe;
mod parse_error;
mod reply;
mod request_id;
mod router;
mod scrape;
mod server;
mod service;
mod signals;
mod slots;
mod stream;
mod tcp;
mod tenancy;
mod token;
mod token_cache;

pub use clock::Clock;
pub use config::ServerConfig;
pub use observe::{ErrorKind, FinishedRequest, GrantType, Observer};
pub use scrape::{METRICS_PATH, MetricsEndpoint, Scrape};
pub use server::{RunningServer, Server, ServerBuilder, ServerError, shutdown_signal};
