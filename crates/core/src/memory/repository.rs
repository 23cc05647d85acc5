//! [`MemoryRepository`]: one tenant's [`ConnectionRepository`] over the memory store, each
//! operation one critical section.

use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use async_trait::async_trait;

use super::state::{Entry, State, lock};
use crate::configuration::{Configuration, ConfigurationPatch};
use crate::connection::{Connection, ConnectionStatus, NewConnection};
use crate::error::{Error, Resource, Result};
use crate::id::{AutomationId, ConnectionId, PartnerFunctionId};
use crate::idempotency::CreatedResource;
use crate::query::{Direction, ListQuery, OrderBy, Page};
use crate::repository::{ConnectionRepository, DeleteOutcome};
use crate::sync::{
    Automation, AutomationDetails, AutomationPatch, AutomationStatus, PartnerFunction,
    PartnerFunctionDetails, PartnerFunctionPatch,
};
use crate::tenancy::{Principal, TenantId};

/// One tenant's view of a [`MemoryStore`](crate::MemoryStore).
#[derive(Clone)]
pub struct MemoryRepository {
    pub(super) state: Arc<Mutex<State>>,
    pub(super) tenant: TenantId,
    /// Who acts, for the delete audit; empty when the view was made without a principal.
    pub(super) client_id: String,
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
    pub(super) fn entry_mut<'s>(
        &self,
        state: &'s mut State,
        id: ConnectionId,
    ) -> Result<&'s mut Entry> {
        match state.connections.get_mut(&id) {
            Some(entry) if entry.tenant == self.tenant => Ok(entry),
            _ => Err(Error::not_found(Resource::Connection, id)),
        }
    }

    /// This tenant's entry for `id` in the locked `state`, if any.
    pub(super) fn entry<'s>(&self, state: &'s State, id: ConnectionId) -> Option<&'s Entry> {
        state
            .connections
            .get(&id)
            .filter(|entry| entry.tenant == self.tenant)
    }

    pub(super) fn insert_connection(&self, state: &mut State, new: NewConnection) -> Connection {
        let connection = new.into_connection(ConnectionId::random());
        state.sequence += 1;
        let entry = Entry {
            tenant: self.tenant.clone(),
            sequence: state.sequence,
            connection: connection.clone(),
            automations: Vec::new(),
            partner_functions: Vec::new(),
            configuration: Configuration::default(),
        };
        state.connections.insert(connection.id, entry);
        connection
    }

    pub(super) fn insert_automation(
        &self,
        state: &mut State,
        connection: ConnectionId,
        details: AutomationDetails,
    ) -> Result<Automation> {
        let entry = self.entry_mut(state, connection)?;
        let automation = Automation::new(
            AutomationId::random(),
            connection,
            entry.connection.partner.clone(),
            details,
        );
        entry.automations.push(automation.clone());
        Ok(automation)
    }

    pub(super) fn insert_partner_function(
        &self,
        state: &mut State,
        connection: ConnectionId,
        details: PartnerFunctionDetails,
    ) -> Result<PartnerFunction> {
        let entry = self.entry_mut(state, connection)?;
        let function = PartnerFunction::new(
            PartnerFunctionId::random(),
            connection,
            entry.connection.partner.clone(),
            details,
            SystemTime::now(),
        );
        entry.partner_functions.push(function.clone());
        Ok(function)
    }

    /// Runs `f` on this tenant's automation `id` of `connection`, under the lock.
    fn with_automation<T>(
        &self,
        connection: ConnectionId,
        id: AutomationId,
        f: impl FnOnce(&mut Automation) -> T,
    ) -> Result<T> {
        self.with_entry(connection, |entry| {
            entry
                .automations
                .iter_mut()
                .find(|a| a.id == id)
                .map(f)
                .ok_or_else(|| Error::not_found(Resource::Automation, id))
        })
    }

    /// Runs `f` on this tenant's partner function `id` of `connection`, under the lock.
    fn with_partner_function<T>(
        &self,
        connection: ConnectionId,
        id: PartnerFunctionId,
        f: impl FnOnce(&mut PartnerFunction) -> T,
    ) -> Result<T> {
        self.with_entry(connection, |entry| {
            entry
                .partner_functions
                .iter_mut()
                .find(|p| p.id == id)
                .map(f)
                .ok_or_else(|| Error::not_found(Resource::PartnerFunction, id))
        })
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
        self.with_automation(connection, id, |automation| {
            automation.details = patch.apply(&automation.details);
            automation.clone()
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
        self.with_partner_function(connection, id, |function| {
            function.update(&patch, SystemTime::now());
            function.clone()
        })
    }

    async fn enable_automation(&self, connection: ConnectionId, id: AutomationId) -> Result<()> {
        self.with_automation(connection, id, |a| a.status = AutomationStatus::Active)
    }

    async fn disable_automation(&self, connection: ConnectionId, id: AutomationId) -> Result<()> {
        self.with_automation(connection, id, |a| a.status = AutomationStatus::Inactive)
    }

    async fn enable_partner_function(
        &self,
        connection: ConnectionId,
        id: PartnerFunctionId,
    ) -> Result<()> {
        self.with_partner_function(connection, id, |p| p.set_enabled(true, SystemTime::now()))
    }

    async fn disable_partner_function(
        &self,
        connection: ConnectionId,
        id: PartnerFunctionId,
    ) -> Result<()> {
        self.with_partner_function(connection, id, |p| p.set_enabled(false, SystemTime::now()))
    }

    async fn delete_partner_function(
        &self,
        connection: ConnectionId,
        id: PartnerFunctionId,
    ) -> Result<()> {
        let removed = {
            let mut state = lock(&self.state);
            let entry = self.entry_mut(&mut state, connection)?;
            let at = entry
                .partner_functions
                .iter()
                .position(|p| p.id == id)
                .ok_or_else(|| Error::not_found(Resource::PartnerFunction, id))?;
            let removed = entry.partner_functions.remove(at);
            state
                .access
                .forget_resource(CreatedResource::PartnerFunction(connection, id));
            removed
        };
        drop(removed);
        Ok(())
    }

    async fn get_configuration(&self, connection: ConnectionId) -> Result<Configuration> {
        self.with_entry(connection, |entry| Ok(entry.configuration.clone()))
    }

    async fn update_configuration(
        &self,
        connection: ConnectionId,
        patch: ConfigurationPatch,
    ) -> Result<Configuration> {
        self.with_entry(connection, |entry| {
            entry.configuration = patch.apply(&entry.configuration)?;
            Ok(entry.configuration.clone())
        })
    }
}
