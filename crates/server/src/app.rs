//! What every request handler shares.

use std::sync::Arc;

use exsited_core::RepositoryProvider;
use exsited_core::access::AccessStore;

use crate::config::ServerConfig;
use crate::router::Router;

pub(crate) struct App {
    pub(crate) provider: Arc<dyn RepositoryProvider>,
    pub(crate) access: Arc<dyn AccessStore>,
    pub(crate) config: ServerConfig,
    pub(crate) router: Router,
    /// Recent token lookups; see `token_cache` for why revocation stays immediate.
    pub(crate) tokens: crate::token_cache::TokenCache,
    /// Skip routing, authentication and the store: the benchmark baseline of this stack.
    pub(crate) static_204: bool,
}

/// Seconds since the Unix epoch, the clock of token expiry and idempotency windows.
pub(crate) fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
