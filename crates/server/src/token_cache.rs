//! Recently seen access tokens, so that a request does not read the store to authenticate.
//!
//! Every request carries a token, and looking it up is a read of the store: on SQLite a trip to
//! a reader thread and back, more than the rest of a delete's overhead together. The cache
//! keeps what a lookup found (the client and the token's expiry), by token hash.
//!
//! Correctness: this server issues every grant, and a grant forgets the client's cached
//! tokens before it answers, so revocation is immediate for requests to this server. A lookup
//! that raced with a grant is not cached (a generation counter tells). Entries also expire after
//! [`TTL`], which bounds how long a token revoked by *another* server process sharing the same
//! store keeps working here.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use exsited_core::access::ApiClient;

/// How long a cached lookup is trusted.
pub(crate) const TTL: Duration = Duration::from_secs(5);
/// The most tokens kept; a full cache starts over rather than track recency.
const CAPACITY: usize = 4096;

/// Off (every look-up goes to the store) when the store says grants may happen in other
/// processes: see [`AccessStore::grants_are_local`](exsited_core::access::AccessStore::grants_are_local).
#[derive(Default)]
pub(crate) struct TokenCache {
    enabled: bool,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// Bumped by every grant: a lookup that started before it must not be cached.
    generation: u64,
    entries: HashMap<String, Entry>,
}

struct Entry {
    client: ApiClient,
    expires_at: u64,
    cached_at: Instant,
}

impl TokenCache {
    /// A cache that keeps look-ups only if `enabled`.
    pub(crate) fn new(enabled: bool) -> Self {
        Self {
            enabled,
            state: Mutex::default(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // The state is a counter and a map, consistent after every statement.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The cached lookup of `access_hash`, if fresh.
    pub(crate) fn get(&self, access_hash: &str) -> Option<(ApiClient, u64)> {
        if !self.enabled {
            return None;
        }
        let state = self.lock();
        let entry = state.entries.get(access_hash)?;
        (entry.cached_at.elapsed() < TTL).then(|| (entry.client.clone(), entry.expires_at))
    }

    /// The generation to pass to [`insert`](Self::insert) after a lookup started now.
    pub(crate) fn generation(&self) -> u64 {
        self.lock().generation
    }

    /// Caches a lookup, unless a grant happened since `generation` was read.
    pub(crate) fn insert(
        &self,
        generation: u64,
        access_hash: &str,
        client: ApiClient,
        expires_at: u64,
    ) {
        let mut state = self.lock();
        if !self.enabled || state.generation != generation {
            return;
        }
        if state.entries.len() >= CAPACITY {
            state.entries.clear();
        }
        state.entries.insert(
            access_hash.to_owned(),
            Entry {
                client,
                expires_at,
                cached_at: Instant::now(),
            },
        );
    }

    /// Forgets every token of `client_id`: called when it is granted new ones.
    pub(crate) fn forget_client(&self, client_id: &str) {
        let mut state = self.lock();
        state.generation += 1;
        state
            .entries
            .retain(|_, entry| entry.client.client_id != client_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use exsited_core::TenantId;
    use exsited_core::access::Scope;

    fn client(id: &str) -> ApiClient {
        ApiClient {
            client_id: id.into(),
            tenant: TenantId::new("t").unwrap(),
            scope: Scope::Write,
            secret_hash: "h".into(),
        }
    }

    #[test]
    fn a_grant_forgets_the_clients_tokens_and_only_theirs() {
        let cache = TokenCache::new(true);
        cache.insert(cache.generation(), "a1", client("a"), 10);
        cache.insert(cache.generation(), "b1", client("b"), 10);
        cache.forget_client("a");
        assert!(cache.get("a1").is_none());
        assert_eq!(
            cache.get("b1").map(|(c, e)| (c.client_id, e)),
            Some(("b".into(), 10))
        );
    }

    #[test]
    fn a_lookup_that_raced_a_grant_is_not_cached() {
        let cache = TokenCache::new(true);
        let before = cache.generation();
        cache.forget_client("a");
        cache.insert(before, "a1", client("a"), 10);
        assert!(cache.get("a1").is_none());
    }

    #[test]
    fn a_disabled_cache_keeps_nothing() {
        let cache = TokenCache::new(false);
        cache.insert(cache.generation(), "a1", client("a"), 10);
        assert!(cache.get("a1").is_none());
    }
}
