//! What every request handler shares.

use std::sync::Arc;

use exsited_core::RepositoryProvider;
use exsited_core::access::AccessStore;

use crate::clock::Clock;
use crate::config::ServerConfig;
use crate::observe::Hook;
use crate::router::Router;
use crate::token_cache::TokenCache;

pub(crate) struct App {
    pub(crate) provider: Arc<dyn RepositoryProvider>,
    pub(crate) access: Arc<dyn AccessStore>,
    pub(crate) config: ServerConfig,
    pub(crate) router: Router,
    /// Recent token lookups; see `token_cache` for why revocation stays immediate.
    pub(crate) tokens: TokenCache,
    /// The time of token expiry and idempotency windows.
    pub(crate) clock: Clock,
    /// Skip routing, authentication and the store: the benchmark baseline of this stack.
    pub(crate) static_204: bool,
    /// Where requests, grants and deletes are reported (see `observe`).
    pub(crate) observer: Hook,
}
