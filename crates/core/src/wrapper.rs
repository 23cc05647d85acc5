//! [`RepositoryWrapper`]: a repository that changes a few operations of another and passes the
//! rest through, without forwarding every method of [`ConnectionRepository`] by hand.

use async_trait::async_trait;

use crate::configuration::{Configuration, ConfigurationPatch};
use crate::connection::{Connection, NewConnection};
use crate::error::Result;
use crate::id::{AutomationId, ConnectionId, PartnerFunctionId};
use crate::query::{ListQuery, Page};
use crate::repository::{ConnectionRepository, DeleteOutcome};
use crate::sync::{
    Automation, AutomationDetails, AutomationPatch, PartnerFunction, PartnerFunctionDetails,
    PartnerFunctionPatch,
};

/// A decorator of a [`ConnectionRepository`]: implement [`inner`](Self::inner) and override only
/// the operations you change; every type implementing it is a `ConnectionRepository` whose other
/// operations go to `inner`.
///
/// Forwarding is written once, here, so a decorator stays short and a new operation of the
/// trait reaches every decorator (as a pass-through) without touching it.
///
/// ```
/// use std::sync::atomic::{AtomicU64, Ordering};
///
/// use exsited_core::{
///     ConnectionId, ConnectionRepository, DeleteOutcome, MemoryStore, RepositoryWrapper,
///     Result, TenantId,
/// };
///
/// /// Counts deletes; everything else passes through.
/// struct CountDeletes<R> {
///     inner: R,
///     deletes: AtomicU64,
/// }
///
/// #[async_trait::async_trait]
/// impl<R: ConnectionRepository> RepositoryWrapper for CountDeletes<R> {
///     fn inner(&self) -> &dyn ConnectionRepository {
///         &self.inner
///     }
///
///     async fn delete(&self, id: ConnectionId) -> Result<DeleteOutcome> {
///         self.deletes.fetch_add(1, Ordering::Relaxed);
///         self.inner.delete(id).await
///     }
/// }
///
/// let repo: &dyn ConnectionRepository = &CountDeletes {
///     inner: MemoryStore::new().repository(TenantId::new("acme").unwrap()),
///     deletes: AtomicU64::new(0),
/// };
/// # let _ = repo;
/// ```
#[async_trait]
pub trait RepositoryWrapper: Send + Sync {
    /// The repository every operation not overridden goes to.
    fn inner(&self) -> &dyn ConnectionRepository;

    /// See [`ConnectionRepository::list`].
    async fn list(&self, query: &ListQuery) -> Result<Page<Connection>> {
        self.inner().list(query).await
    }

    /// See [`ConnectionRepository::get`].
    async fn get(&self, id: ConnectionId) -> Result<Connection> {
        self.inner().get(id).await
    }

    /// See [`ConnectionRepository::create`].
    async fn create(&self, new: NewConnection) -> Result<Connection> {
        self.inner().create(new).await
    }

    /// See [`ConnectionRepository::enable`].
    async fn enable(&self, id: ConnectionId) -> Result<()> {
        self.inner().enable(id).await
    }

    /// See [`ConnectionRepository::disable`].
    async fn disable(&self, id: ConnectionId) -> Result<()> {
        self.inner().disable(id).await
    }

    /// See [`ConnectionRepository::delete`].
    async fn delete(&self, id: ConnectionId) -> Result<DeleteOutcome> {
        self.inner().delete(id).await
    }

    /// See [`ConnectionRepository::list_automations`].
    async fn list_automations(
        &self,
        connection: ConnectionId,
        query: &ListQuery,
    ) -> Result<Page<Automation>> {
        self.inner().list_automations(connection, query).await
    }

    /// See [`ConnectionRepository::get_automation`].
    async fn get_automation(
        &self,
        connection: ConnectionId,
        id: AutomationId,
    ) -> Result<Automation> {
        self.inner().get_automation(connection, id).await
    }

    /// See [`ConnectionRepository::create_automation`].
    async fn create_automation(
        &self,
        connection: ConnectionId,
        details: AutomationDetails,
    ) -> Result<Automation> {
        self.inner().create_automation(connection, details).await
    }

    /// See [`ConnectionRepository::update_automation`].
    async fn update_automation(
        &self,
        connection: ConnectionId,
        id: AutomationId,
        patch: AutomationPatch,
    ) -> Result<Automation> {
        self.inner().update_automation(connection, id, patch).await
    }

    /// See [`ConnectionRepository::list_partner_functions`].
    async fn list_partner_functions(
        &self,
        connection: ConnectionId,
        query: &ListQuery,
    ) -> Result<Page<PartnerFunction>> {
        self.inner().list_partner_functions(connection, query).await
    }

    /// See [`ConnectionRepository::get_partner_function`].
    async fn get_partner_function(
        &self,
        connection: ConnectionId,
        id: PartnerFunctionId,
    ) -> Result<PartnerFunction> {
        self.inner().get_partner_function(connection, id).await
    }

    /// See [`ConnectionRepository::create_partner_function`].
    async fn create_partner_function(
        &self,
        connection: ConnectionId,
        details: PartnerFunctionDetails,
    ) -> Result<PartnerFunction> {
        self.inner()
            .create_partner_function(connection, details)
            .await
    }

    /// See [`ConnectionRepository::update_partner_function`].
    async fn update_partner_function(
        &self,
        connection: ConnectionId,
        id: PartnerFunctionId,
        patch: PartnerFunctionPatch,
    ) -> Result<PartnerFunction> {
        self.inner()
            .update_partner_function(connection, id, patch)
            .await
    }

    /// See [`ConnectionRepository::enable_automation`].
    async fn enable_automation(&self, connection: ConnectionId, id: AutomationId) -> Result<()> {
        self.inner().enable_automation(connection, id).await
    }

    /// See [`ConnectionRepository::disable_automation`].
    async fn disable_automation(&self, connection: ConnectionId, id: AutomationId) -> Result<()> {
        self.inner().disable_automation(connection, id).await
    }

    /// See [`ConnectionRepository::enable_partner_function`].
    async fn enable_partner_function(
        &self,
        connection: ConnectionId,
        id: PartnerFunctionId,
    ) -> Result<()> {
        self.inner().enable_partner_function(connection, id).await
    }

    /// See [`ConnectionRepository::disable_partner_function`].
    async fn disable_partner_function(
        &self,
        connection: ConnectionId,
        id: PartnerFunctionId,
    ) -> Result<()> {
        self.inner().disable_partner_function(connection, id).await
    }

    /// See [`ConnectionRepository::delete_partner_function`].
    async fn delete_partner_function(
        &self,
        connection: ConnectionId,
        id: PartnerFunctionId,
    ) -> Result<()> {
        self.inner().delete_partner_function(connection, id).await
    }

    /// See [`ConnectionRepository::get_configuration`].
    async fn get_configuration(&self, connection: ConnectionId) -> Result<Configuration> {
        self.inner().get_configuration(connection).await
    }

    /// See [`ConnectionRepository::update_configuration`].
    async fn update_configuration(
        &self,
        connection: ConnectionId,
        patch: ConfigurationPatch,
    ) -> Result<Configuration> {
        self.inner().update_configuration(connection, patch).await
    }
}

#[async_trait]
impl<W: RepositoryWrapper> ConnectionRepository for W {
    async fn list(&self, query: &ListQuery) -> Result<Page<Connection>> {
        RepositoryWrapper::list(self, query).await
    }

    async fn get(&self, id: ConnectionId) -> Result<Connection> {
        RepositoryWrapper::get(self, id).await
    }

    async fn create(&self, new: NewConnection) -> Result<Connection> {
        RepositoryWrapper::create(self, new).await
    }

    async fn enable(&self, id: ConnectionId) -> Result<()> {
        RepositoryWrapper::enable(self, id).await
    }

    async fn disable(&self, id: ConnectionId) -> Result<()> {
        RepositoryWrapper::disable(self, id).await
    }

    async fn delete(&self, id: ConnectionId) -> Result<DeleteOutcome> {
        RepositoryWrapper::delete(self, id).await
    }

    async fn list_automations(
        &self,
        connection: ConnectionId,
        query: &ListQuery,
    ) -> Result<Page<Automation>> {
        RepositoryWrapper::list_automations(self, connection, query).await
    }

    async fn get_automation(
        &self,
        connection: ConnectionId,
        id: AutomationId,
    ) -> Result<Automation> {
        RepositoryWrapper::get_automation(self, connection, id).await
    }

    async fn create_automation(
        &self,
        connection: ConnectionId,
        details: AutomationDetails,
    ) -> Result<Automation> {
        RepositoryWrapper::create_automation(self, connection, details).await
    }

    async fn update_automation(
        &self,
        connection: ConnectionId,
        id: AutomationId,
        patch: AutomationPatch,
    ) -> Result<Automation> {
        RepositoryWrapper::update_automation(self, connection, id, patch).await
    }

    async fn list_partner_functions(
        &self,
        connection: ConnectionId,
        query: &ListQuery,
    ) -> Result<Page<PartnerFunction>> {
        RepositoryWrapper::list_partner_functions(self, connection, query).await
    }

    async fn get_partner_function(
        &self,
        connection: ConnectionId,
        id: PartnerFunctionId,
    ) -> Result<PartnerFunction> {
        RepositoryWrapper::get_partner_function(self, connection, id).await
    }

    async fn create_partner_function(
        &self,
        connection: ConnectionId,
        details: PartnerFunctionDetails,
    ) -> Result<PartnerFunction> {
        RepositoryWrapper::create_partner_function(self, connection, details).await
    }

    async fn update_partner_function(
        &self,
        connection: ConnectionId,
        id: PartnerFunctionId,
        patch: PartnerFunctionPatch,
    ) -> Result<PartnerFunction> {
        RepositoryWrapper::update_partner_function(self, connection, id, patch).await
    }

    async fn enable_automation(&self, connection: ConnectionId, id: AutomationId) -> Result<()> {
        RepositoryWrapper::enable_automation(self, connection, id).await
    }

    async fn disable_automation(&self, connection: ConnectionId, id: AutomationId) -> Result<()> {
        RepositoryWrapper::disable_automation(self, connection, id).await
    }

    async fn enable_partner_function(
        &self,
        connection: ConnectionId,
        id: PartnerFunctionId,
    ) -> Result<()> {
        RepositoryWrapper::enable_partner_function(self, connection, id).await
    }

    async fn disable_partner_function(
        &self,
        connection: ConnectionId,
        id: PartnerFunctionId,
    ) -> Result<()> {
        RepositoryWrapper::disable_partner_function(self, connection, id).await
    }

    async fn delete_partner_function(
        &self,
        connection: ConnectionId,
        id: PartnerFunctionId,
    ) -> Result<()> {
        RepositoryWrapper::delete_partner_function(self, connection, id).await
    }

    async fn get_configuration(&self, connection: ConnectionId) -> Result<Configuration> {
        RepositoryWrapper::get_configuration(self, connection).await
    }

    async fn update_configuration(
        &self,
        connection: ConnectionId,
        patch: ConfigurationPatch,
    ) -> Result<Configuration> {
        RepositoryWrapper::update_configuration(self, connection, patch).await
    }
}
