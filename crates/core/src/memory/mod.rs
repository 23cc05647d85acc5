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
use crate::idempotency::{CreatedResource, IdempotencyKey, Keyed, KeyedCreates};
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

/// A resource made by a keyed create, before it is handed back typed.
enum Created {
    Connection(Connection),
    Automation(Automation),
    PartnerFunction(PartnerFunction),
}

impl Created {
    fn resource(&self) -> CreatedResource {
        match self {
            Created::Connection(c) => CreatedResource::Connection(c.id),
            Created::Automation(a) => CreatedResource::Automation(a.connection_id, a.id),
            Created::PartnerFunction(p) => CreatedResource::PartnerFunction(p.connection_id, p.id),
        }
    }
}

/// The typed resource of a keyed create's outcome; a record names a resource of the kind its
/// create made (the fingerprint covers the route), so another kind is a broken record.
fn typed<T>(outcome: Keyed<Created>, pick: fn(Created) -> Option<T>) -> Result<Keyed<T>> {
    let broken = || Error::Conflict {
        message: "the idempotency key names a resource of another kind".to_owned(),
    };
    Ok(match outcome {
        Keyed::Created(c) => Keyed::Created(pick(c).ok_or_else(broken)?),
        Keyed::Replayed(c) => Keyed::Replayed(pick(c).ok_or_else(broken)?),
        Keyed::Reused => Keyed::Reused,
    })
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
        f(self.entry_mut(&mut lock(&self.state), id)?)
    }

    /// This tenant's entry for `id` in the locked `state`.
    fn entry_mut<'s>(&self, state: &'s mut State, id: ConnectionId) -> Result<&'s mut Entry> {
        match state.connections.get_mut(&id) {
            Some(entry) if entry.tenant == self.tenant => Ok(entry),
            _ => Err(Error::not_found(Resource::Connection, id)),
        }
    }

    /// This tenant's entry for `id` in the locked `state`, if any.
    fn entry<'s>(&self, state: &'s State, id: ConnectionId) -> Option<&'s Entry> {
        state
            .connections
            .get(&id)
            .filter(|entry| entry.tenant == self.tenant)
    }

    fn insert_connection(&self, state: &mut State, new: NewConnection) -> Connection {
        let connection = new.into_connection(ConnectionId::random());
        state.sequence += 1;
        let entry = Entry {
            tenant: self.tenant.clone(),
            sequence: state.sequence,
            connection: connection.clone(),
            automations: Vec::new(),
            partner_functions: Vec::new(),
        };
        state.connections.insert(connection.id, entry);
        connection
    }

    fn insert_automation(
        &self,
        state: &mut State,
        connection: ConnectionId,
        details: AutomationDetails,
    ) -> Result<Automation> {
        let entry = self.entry_mut(state, connection)?;
        let automation = Automation::new(connection, entry.connection.partner.clone(), details);
        entry.automations.push(automation.clone());
        Ok(automation)
    }

    fn insert_partner_function(
        &self,
        state: &mut State,
        connection: ConnectionId,
        details: PartnerFunctionDetails,
    ) -> Result<PartnerFunction> {
        let entry = self.entry_mut(state, connection)?;
        let function = PartnerFunction::new(
            connection,
            entry.connection.partner.clone(),
            details,
            SystemTime::now(),
        );
        entry.partner_functions.push(function.clone());
        Ok(function)
    }

    /// The resource a key record names, as it is now; `None` if it is gone.
    fn resolve(&self, state: &State, resource: CreatedResource) -> Option<Created> {
        let entry = self.entry(state, resource.connection())?;
        match resource {
            CreatedResource::Connection(_) => Some(Created::Connection(entry.connection.clone())),
            CreatedResource::Automation(_, id) => entry
                .automations
                .iter()
                .find(|a| a.id == id)
                .cloned()
                .map(Created::Automation),
            CreatedResource::PartnerFunction(_, id) => entry
                .partner_functions
                .iter()
                .find(|p| p.id == id)
                .cloned()
                .map(Created::PartnerFunction),
        }
    }

    /// Runs `create` under `key`, in one critical section with the key's record: a replay, a
    /// reuse, or the create and its record together.
    fn keyed(
        &self,
        key: &IdempotencyKey,
        create: impl FnOnce(&Self, &mut State) -> Result<Created>,
    ) -> Result<Keyed<Created>> {
        let mut state = lock(&self.state);
        state.access.expire_keys(key.window_start());
        let slot = (self.tenant.clone(), key.as_str().to_owned());
        if let Some(record) = state
            .access
            .key(&slot)
            .filter(|r| key.is_live(r.created_at))
        {
            if record.fingerprint != key.fingerprint() {
                return Ok(Keyed::Reused);
            }
            // A record outlives nothing it names (deletes forget them), so a miss here is a
            // record of something gone: create afresh, as for an unknown key.
            if let Some(found) = self.resolve(&state, record.resource) {
                return Ok(Keyed::Replayed(found));
            }
        }
        let created = create(self, &mut state)?;
        let record = access::KeyRecord {
            fingerprint: key.fingerprint().to_owned(),
            created_at: key.now(),
            resource: created.resource(),
        };
        state.access.record_key(slot, record);
        Ok(Keyed::Created(created))
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
    crate::access::DeleteAudit::new(
        SystemTime::now(),
        &Principal::new(entry.tenant.clone(), client_id),
        entry.connection.id,
        &entry.connection.partner,
        (entry.automations.len() + entry.partner_functions.len()) as u64,
    )
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
        Ok(self.insert_connection(&mut lock(&self.state), new))
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
        self.insert_automation(&mut lock(&self.state), connection, details)
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
            automation.details = patch.apply(&automation.details);
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
        self.insert_partner_function(&mut lock(&self.state), connection, details)
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
            function.update(&patch, SystemTime::now());
            Ok(function.clone())
        })
    }
}

#[async_trait]
impl KeyedCreates for MemoryRepository {
    async fn create_keyed(
        &self,
        key: &IdempotencyKey,
        new: NewConnection,
    ) -> Result<Keyed<Connection>> {
        let outcome = self.keyed(key, |repo, state| {
            Ok(Created::Connection(repo.insert_connection(state, new)))
        })?;
        typed(outcome, |c| match c {
            Created::Connection(c) => Some(c),
            _ => None,
        })
    }

    async fn create_automation_keyed(
        &self,
        key: &IdempotencyKey,
        connection: ConnectionId,
        details: AutomationDetails,
    ) -> Result<Keyed<Automation>> {
        let outcome = self.keyed(key, |repo, state| {
            repo.insert_automation(state, connection, details)
                .map(Created::Automation)
        })?;
        typed(outcome, |c| match c {
            Created::Automation(a) => Some(a),
            _ => None,
        })
    }

    async fn create_partner_function_keyed(
        &self,
        key: &IdempotencyKey,
        connection: ConnectionId,
        details: PartnerFunctionDetails,
    ) -> Result<Keyed<PartnerFunction>> {
        let outcome = self.keyed(key, |repo, state| {
            repo.insert_partner_function(state, connection, details)
                .map(Created::PartnerFunction)
        })?;
        typed(outcome, |c| match c {
            Created::PartnerFunction(p) => Some(p),
            _ => None,
        })
    }
}
