//! [`MemoryStore`]: the shared handle on the state, the views it hands out per tenant and per
//! caller, and the probes the conformance suite looks through.

use std::sync::{Arc, Mutex};

use super::repository::MemoryRepository;
use super::state::{State, lock};
use crate::idempotency::KeyedCreates;
use crate::repository::{ConnectionRepository, RepositoryProvider};
use crate::tenancy::{Principal, TenantId};

/// An in-memory store of every tenant's connections. Cloning it shares the same data.
///
/// It also keeps the reference server's access data ([`AccessStore`](crate::access::AccessStore)):
/// clients, token hashes, idempotent responses and the delete audit, of which it keeps the
/// most recent 100,000 records (everything lives in RAM; the SQLite store keeps them all).
///
/// ```
/// use exsited_core::{ConnectionRepository, MemoryStore, TenantId};
///
/// let store = MemoryStore::new();
/// let acme = store.repository(TenantId::new("acme")?);
/// let globex = store.repository(TenantId::new("globex")?);
/// // `acme` and `globex` never see each other's connections.
/// # let _ = (acme, globex);
/// # Ok::<(), exsited_core::Error>(())
/// ```
#[derive(Clone, Default)]
pub struct MemoryStore {
    pub(super) state: Arc<Mutex<State>>,
}

impl std::fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = lock(&self.state);
        f.debug_struct("MemoryStore")
            .field("connections", &state.connections.len())
            .finish()
    }
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// The view of one tenant.
    pub fn repository(&self, tenant: TenantId) -> MemoryRepository {
        MemoryRepository {
            state: Arc::clone(&self.state),
            tenant,
            client_id: String::new(),
        }
    }

    /// How many automations, partner functions and set (non-empty) configuration documents the
    /// store holds, across all tenants. The conformance suite uses it to prove that a delete
    /// leaves no orphans.
    pub fn sync_configuration_count(&self) -> u64 {
        let state = lock(&self.state);
        state
            .connections
            .values()
            .map(|e| {
                let configured = usize::from(!e.configuration.is_empty());
                (e.automations.len() + e.partner_functions.len() + configured) as u64
            })
            .sum()
    }

    /// Whether any stored connection holds `secret` as one of its partner secrets. The
    /// conformance suite uses it to prove that a deleted connection's credentials are gone.
    pub fn holds_secret(&self, secret: &str) -> bool {
        let state = lock(&self.state);
        state.connections.values().any(|entry| {
            let c = &entry.connection.credentials;
            [&c.client_secret, &c.access_token, &c.refresh_token]
                .iter()
                .any(|s| s.expose() == secret)
        })
    }
}

impl MemoryStore {
    fn view(&self, principal: &Principal) -> MemoryRepository {
        MemoryRepository {
            state: Arc::clone(&self.state),
            tenant: principal.tenant.clone(),
            client_id: principal.client_id.clone(),
        }
    }
}

impl RepositoryProvider for MemoryStore {
    fn repository(&self, principal: &Principal) -> Arc<dyn ConnectionRepository> {
        Arc::new(self.view(principal))
    }

    fn keyed_creates(&self, principal: &Principal) -> Arc<dyn KeyedCreates> {
        Arc::new(self.view(principal))
    }
}
