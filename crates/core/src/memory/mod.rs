//! The reference backend: every tenant's data in one process, behind one lock.
//!
//! One `std::sync::Mutex` over the whole state makes every operation, the delete cascade
//! included, a single atomic step; it is never held across an `.await` (no method awaits while
//! holding it), so it cannot stall the runtime. It is the backend the other backends are
//! compared against, and the one tests use when they need a store but not a disk.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::SystemTime;

use async_trait::async_trait;

use crate::connection::{Connection, ConnectionStatus, NewConnection};
use crate::error::{Error, Resource, Result};
use crate::id::{AutomationId, ConnectionId, PartnerFunctionId};
use crate::query::{Direction, ListQuery, OrderBy, Page};
use crate::repository::{ConnectionRepository, DeleteOutcome, RepositoryProvider};
use crate::sync::{
    Automation, AutomationDetails, AutomationPatch, PartnerFunction, PartnerFunctionDetails,
    PartnerFunctionPatch,
};
use crate::tenancy::{Principal, TenantId};

mod access;

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
    state: Arc<Mutex<State>>,
}

impl std::fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = lock(&self.state);
        f.debug_struct("MemoryStore")
            .field("connections", &state.connections.len())
            .finish()
    }
}

#[derive(Default)]
struct State {
    /// Creation counter: the `created_on` order, free of clock ties.
    sequence: u64,
    connections: HashMap<ConnectionId, Entry>,
    access: access::AccessState,
}

/// A connection with everything attached to it: removing the entry is the whole cascade.
struct Entry {
    tenant: TenantId,
    sequence: u64,
    connection: Connection,
    /// In creation order.
    automations: Vec<Automation>,
    /// In creation order.
    partner_functions: Vec<PartnerFunction>,
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    // Every mutation below completes or returns before touching state, so a panic elsewhere
    // cannot leave it half-changed; the poison flag carries no information here.
    state.lock().unwrap_or_else(PoisonError::into_inner)
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

    /// How many automations and partner functions the store holds, across all tenants. The
    /// conformance suite uses it to prove that a delete leaves no orphans.
    pub fn sync_configuration_count(&self) -> u64 {
        let state = lock(&self.state);
        state
            .connections
            .values()
            .map(|e| (e.automations.len() + e.partner_functions.len()) as u64)
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

impl RepositoryProvider for MemoryStore {
    fn repository(&self, principal: &Principal) -> Arc<dyn ConnectionRepository> {
        Arc::new(MemoryRepository {
            state: Arc::clone(&self.state),
            tenant: principal.tenant.clone(),
            client_id: principal.client_id.clone(),
        })
    }
}

/// One tenant's view of a [`MemoryStore`].
#[derive(Clone)]
pub struct MemoryRepository {
    state: Arc<Mutex<State>>,
    tenant: TenantId,
    /// Who acts, for the delete audit; empty when the view was made without a principal.
    client_id: String,
}

impl std::fmt::Debug for MemoryRepository {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryRepository")
            .field("tenant", &self.tenant)
            .finish_non_exhaustive()
    }
}

impl MemoryRepository {
    /// The tenant this view belongs to.
    pub fn tenant(&self) -> &TenantId {
        &self.tenant
    }

    /// Runs `f` on this tenant's entry for `id`, under the lock.
    fn with_entry<T>(
        &self,
        id: ConnectionId,
        f: impl FnOnce(&mut Entry) -> Result<T>,
    ) -> Result<T> {
        let mut state = lock(&self.state);
        match state.connections.get_mut(&id) {
            Some(entry) if entry.tenant == self.tenant => f(entry),
            _ => Err(Error::not_found(Resource::Connection, id)),
        }
    }

    fn set_status(&self, id: ConnectionId, status: ConnectionStatus) -> Result<()> {
        self.with_entry(id, |entry| {
            entry.connection.status = status;
            Ok(())
        })
    }
}

/// Sorts `items` as `query` asks and cuts out its page.
fn paginate<T: Clone>(mut items: Vec<(u64, String, &T)>, query: &ListQuery) -> Page<T> {
    match query.order_by() {
        OrderBy::Uuid => items.sort_by(|a, b| a.1.cmp(&b.1)),
        _ => items.sort_by_key(|item| item.0),
    }
    if query.direction() == Direction::Desc {
        items.reverse();
    }
    let total = items.len() as u64;
    let skip = usize::try_from(query.offset()).unwrap_or(usize::MAX);
    let page = items
        .into_iter()
        .skip(skip)
        .take(query.limit() as usize)
        .map(|(_, _, item)| item.clone())
        .collect();
    Page {
        items: page,
        total,
        limit: query.limit(),
        offset: query.offset(),
    }
}

fn entry_audit(entry: &Entry, client_id: &str) -> crate::access::DeleteAudit {
    crate::access::DeleteAudit {
        at: now(),
        tenant: entry.tenant.clone(),
        client_id: client_id.to_owned(),
        connection_id: entry.connection.id,
        partner: entry.connection.partner.to_string(),
        sync_configurations: (entry.automations.len() + entry.partner_functions.len()) as u64,
    }
}

fn now() -> String {
    crate::time::rfc3339(SystemTime::now())
}

#[async_trait]
impl ConnectionRepository for MemoryRepository {
    async fn list(&self, query: &ListQuery) -> Result<Page<Connection>> {
        let state = lock(&self.state);
        let items = state
            .connections
            .values()
            .filter(|e| e.tenant == self.tenant)
            .map(|e| (e.sequence, e.connection.id.to_string(), &e.connection))
            .collect();
        Ok(paginate(items, query))
    }

    async fn get(&self, id: ConnectionId) -> Result<Connection> {
        self.with_entry(id, |entry| Ok(entry.connection.clone()))
    }

    async fn create(&self, new: NewConnection) -> Result<Connection> {
        let connection = new.into_connection(ConnectionId::random());
        let mut state = lock(&self.state);
        state.sequence += 1;
        let entry = Entry {
            tenant: self.tenant.clone(),
            sequence: state.sequence,
            connection: connection.clone(),
            automations: Vec::new(),
            partner_functions: Vec::new(),
        };
        state.connections.insert(connection.id, entry);
        Ok(connection)
    }

    async fn enable(&self, id: ConnectionId) -> Result<()> {
        self.set_status(id, ConnectionStatus::Active)
    }

    async fn disable(&self, id: ConnectionId) -> Result<()> {
        self.set_status(id, ConnectionStatus::Inactive)
    }

    async fn delete(&self, id: ConnectionId) -> Result<DeleteOutcome> {
        let removed = {
            let mut state = lock(&self.state);
            match state.connections.get(&id) {
                Some(entry) if entry.tenant == self.tenant => {
                    let entry = state.connections.remove(&id);
                    if let Some(entry) = &entry {
                        state
                            .access
                            .record_delete(entry_audit(entry, &self.client_id));
                    }
                    entry
                }
                _ => None,
            }
        };
        // The entry, with its credentials, automations and partner functions, is dropped here,
        // outside the lock; `SecretString` wipes the credentials as it goes.
        match removed {
            Some(_) => Ok(DeleteOutcome::Removed),
            None => Err(Error::not_found(Resource::Connection, id)),
        }
    }

    async fn list_automations(
        &self,
        connection: ConnectionId,
        query: &ListQuery,
    ) -> Result<Page<Automation>> {
        self.with_entry(connection, |entry| {
            let items = entry
                .automations
                .iter()
                .enumerate()
                .map(|(i, a)| (i as u64, a.id.to_string(), a))
                .collect();
            Ok(paginate(items, query))
        })
    }

    async fn get_automation(
        &self,
        connection: ConnectionId,
        id: AutomationId,
    ) -> Result<Automation> {
        self.with_entry(connection, |entry| {
            entry
                .automations
                .iter()
                .find(|a| a.id == id)
                .cloned()
                .ok_or_else(|| Error::not_found(Resource::Automation, id))
        })
    }

    async fn create_automation(
        &self,
        connection: ConnectionId,
        details: AutomationDetails,
    ) -> Result<Automation> {
        details.validate()?;
        self.with_entry(connection, |entry| {
            let automation = Automation {
                id: AutomationId::random(),
                connection_id: connection,
                status: "ACTIVE".to_owned(),
                provider: entry.connection.partner.clone(),
                details,
            };
            entry.automations.push(automation.clone());
            Ok(automation)
        })
    }

    async fn update_automation(
        &self,
        connection: ConnectionId,
        id: AutomationId,
        patch: AutomationPatch,
    ) -> Result<Automation> {
        self.with_entry(connection, |entry| {
            let automation = entry
                .automations
                .iter_mut()
                .find(|a| a.id == id)
                .ok_or_else(|| Error::not_found(Resource::Automation, id))?;
            automation.details = patch.apply(&automation.details)?;
            Ok(automation.clone())
        })
    }

    async fn list_partner_functions(
        &self,
        connection: ConnectionId,
        query: &ListQuery,
    ) -> Result<Page<PartnerFunction>> {
        self.with_entry(connection, |entry| {
            let items = entry
                .partner_functions
                .iter()
                .enumerate()
                .map(|(i, p)| (i as u64, p.id.to_string(), p))
                .collect();
            Ok(paginate(items, query))
        })
    }

    async fn get_partner_function(
        &self,
        connection: ConnectionId,
        id: PartnerFunctionId,
    ) -> Result<PartnerFunction> {
        self.with_entry(connection, |entry| {
            entry
                .partner_functions
                .iter()
                .find(|p| p.id == id)
                .cloned()
                .ok_or_else(|| Error::not_found(Resource::PartnerFunction, id))
        })
    }

    async fn create_partner_function(
        &self,
        connection: ConnectionId,
        details: PartnerFunctionDetails,
    ) -> Result<PartnerFunction> {
        details.validate()?;
        self.with_entry(connection, |entry| {
            let stamp = now();
            let function = PartnerFunction {
                id: PartnerFunctionId::random(),
                connection_id: connection,
                enabled: true,
                provider_name: entry.connection.partner.clone(),
                created: stamp.clone(),
                updated: stamp,
                details,
            };
            entry.partner_functions.push(function.clone());
            Ok(function)
        })
    }

    async fn update_partner_function(
        &self,
        connection: ConnectionId,
        id: PartnerFunctionId,
        patch: PartnerFunctionPatch,
    ) -> Result<PartnerFunction> {
        self.with_entry(connection, |entry| {
            let function = entry
                .partner_functions
                .iter_mut()
                .find(|p| p.id == id)
                .ok_or_else(|| Error::not_found(Resource::PartnerFunction, id))?;
            function.details = patch.apply(&function.details)?;
            function.updated = now();
            Ok(function.clone())
        })
    }
}
