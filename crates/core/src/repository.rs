//! The one trait every backend implements, and what its operations promise.

use std::sync::Arc;

use async_trait::async_trait;

use crate::configuration::{Configuration, ConfigurationPatch};
use crate::connection::{Connection, NewConnection};
use crate::error::Result;
use crate::id::{AutomationId, ConnectionId, PartnerFunctionId};
use crate::idempotency::KeyedCreates;
use crate::query::{ListQuery, Page};
use crate::sync::{
    Automation, AutomationDetails, AutomationPatch, PartnerFunction, PartnerFunctionDetails,
    PartnerFunctionPatch,
};
use crate::tenancy::Principal;

/// What a successful [`ConnectionRepository::delete`] knows about the removal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DeleteOutcome {
    /// The backend confirmed that it removed the connection and everything attached to it.
    Removed,
    /// The connection is gone, but this call cannot prove it was the one that removed it: an
    /// earlier attempt's response was lost, and the retry found nothing. Only remote backends
    /// produce this; in-process backends always know.
    RemovedUnconfirmed,
}

/// A store of integration connections and their data-sync configurations, seen by one tenant.
///
/// Every backend (in memory, SQLite, the hosted API over HTTP, ...) implements this trait and
/// proves it by passing the conformance suite (`exsited_core::conformance`, feature
/// `conformance`). The conveniences built on it are in [`RepositoryExt`](crate::RepositoryExt).
///
/// A repository value is scoped to one tenant: it never returns, changes or reveals another
/// tenant's resources, which are [`NotFound`](crate::Error::NotFound) like ids that never
/// existed.
///
/// # Behavior
///
/// **Reads.** `get` of an unknown id is `NotFound`. `list` returns the tenant's connections
/// ordered by the query's key (creation order by default), `total` counting all of them; an
/// offset past the end gives an empty page, not an error.
///
/// **Create.** A new connection is `ACTIVE` under a fresh id. Automations and partner
/// functions are created under an existing connection of the tenant; under any other id the
/// create is `NotFound` and nothing is stored.
///
/// **Enable and disable** set the status to `ACTIVE` and `INACTIVE`, whatever it was; doing
/// it twice is not an error. The same holds for an automation's status and a partner
/// function's `enabled` flag.
///
/// **Configuration.** A connection has exactly one configuration document, every section empty
/// until set ([`Configuration`]); an update merges a [`ConfigurationPatch`] into it
/// (RFC 7396), and a patch whose result would break the document's bounds changes nothing.
///
/// **Deleting a partner function** removes it alone; its connection and the connection's other
/// configurations stay. A repeated delete is `NotFound`.
///
/// **Delete** (the centre of the API):
///
/// 1. Success removes the connection **and all its automations, partner functions and its
///    configuration document in one atomic step**: no reader ever sees the connection without its configurations or the
///    configurations without the connection, and afterwards every one of them is `NotFound`.
///    If the delete fails, nothing was removed.
/// 2. An unknown id, and another tenant's id, is [`NotFound`](crate::Error::NotFound).
///    A repeated delete of the same id is `NotFound` too: deleting is idempotent in effect,
///    not in result (see [`RepositoryExt::ensure_deleted`](crate::RepositoryExt::ensure_deleted)).
/// 3. The success value says whether the removal was *confirmed*
///    ([`DeleteOutcome::Removed`]) or *unconfirmed* ([`DeleteOutcome::RemovedUnconfirmed`]: a
///    retry found nothing after an earlier attempt's response was lost). In-process backends
///    always return `Removed`.
/// 4. Of N concurrent deletes of one id exactly one succeeds; the others are `NotFound`.
/// 5. A delete racing with the creation of an automation or partner function under the same
///    connection never leaves an orphan: either the create fails with `NotFound`, or it
///    happened first and the delete removes what it created.
/// 6. The deleted connection's partner credentials are dropped (and wiped from memory), not
///    kept in any readable place: no tombstone, no soft delete.
///
/// The same sentences are in `docs/delete-semantics.md`; the conformance suite checks each.
#[async_trait]
pub trait ConnectionRepository: Send + Sync {
    /// One page of the tenant's connections.
    async fn list(&self, query: &ListQuery) -> Result<Page<Connection>>;

    /// One connection.
    async fn get(&self, id: ConnectionId) -> Result<Connection>;

    /// Stores a new connection, `ACTIVE`, under a fresh id.
    async fn create(&self, new: NewConnection) -> Result<Connection>;

    /// Sets the status to `ACTIVE`.
    async fn enable(&self, id: ConnectionId) -> Result<()>;

    /// Sets the status to `INACTIVE`.
    async fn disable(&self, id: ConnectionId) -> Result<()>;

    /// Removes the connection and every data-sync configuration attached to it, atomically.
    /// See the trait's *Behavior* section.
    async fn delete(&self, id: ConnectionId) -> Result<DeleteOutcome>;

    /// One page of a connection's automations, in creation order by default.
    async fn list_automations(
        &self,
        connection: ConnectionId,
        query: &ListQuery,
    ) -> Result<Page<Automation>>;

    /// One automation of a connection.
    async fn get_automation(
        &self,
        connection: ConnectionId,
        id: AutomationId,
    ) -> Result<Automation>;

    /// Creates an automation under an existing connection.
    async fn create_automation(
        &self,
        connection: ConnectionId,
        details: AutomationDetails,
    ) -> Result<Automation>;

    /// Changes an automation; a rejected patch changes nothing.
    async fn update_automation(
        &self,
        connection: ConnectionId,
        id: AutomationId,
        patch: AutomationPatch,
    ) -> Result<Automation>;

    /// One page of a connection's partner functions, in creation order by default.
    async fn list_partner_functions(
        &self,
        connection: ConnectionId,
        query: &ListQuery,
    ) -> Result<Page<PartnerFunction>>;

    /// One partner function of a connection.
    async fn get_partner_function(
        &self,
        connection: ConnectionId,
        id: PartnerFunctionId,
    ) -> Result<PartnerFunction>;

    /// Creates a partner function under an existing connection.
    async fn create_partner_function(
        &self,
        connection: ConnectionId,
        details: PartnerFunctionDetails,
    ) -> Result<PartnerFunction>;

    /// Changes a partner function; a rejected patch changes nothing.
    async fn update_partner_function(
        &self,
        connection: ConnectionId,
        id: PartnerFunctionId,
        patch: PartnerFunctionPatch,
    ) -> Result<PartnerFunction>;

    /// Sets an automation's status to `ACTIVE`.
    async fn enable_automation(&self, connection: ConnectionId, id: AutomationId) -> Result<()>;

    /// Sets an automation's status to `INACTIVE`.
    async fn disable_automation(&self, connection: ConnectionId, id: AutomationId) -> Result<()>;

    /// Sets a partner function's `enabled` to `true`.
    async fn enable_partner_function(
        &self,
        connection: ConnectionId,
        id: PartnerFunctionId,
    ) -> Result<()>;

    /// Sets a partner function's `enabled` to `false`.
    async fn disable_partner_function(
        &self,
        connection: ConnectionId,
        id: PartnerFunctionId,
    ) -> Result<()>;

    /// Removes one partner function of a connection.
    async fn delete_partner_function(
        &self,
        connection: ConnectionId,
        id: PartnerFunctionId,
    ) -> Result<()>;

    /// The connection's configuration document (every section empty until set).
    async fn get_configuration(&self, connection: ConnectionId) -> Result<Configuration>;

    /// Merges `patch` into the connection's configuration document and returns the result; a
    /// patch whose result is out of bounds changes nothing.
    async fn update_configuration(
        &self,
        connection: ConnectionId,
        patch: ConfigurationPatch,
    ) -> Result<Configuration>;
}

/// A multi-tenant store that hands out one tenant's [`ConnectionRepository`] per caller.
///
/// The reference server authenticates a request, then asks its provider for the repository of
/// the caller's tenant; the caller's client id travels along so that backends can audit who
/// deleted what.
pub trait RepositoryProvider: Send + Sync {
    /// The repository `principal` acts through.
    fn repository(&self, principal: &Principal) -> Arc<dyn ConnectionRepository>;

    /// The creates under an idempotency key of `principal`'s tenant, each atomic with the record
    /// of its key (see [`KeyedCreates`]).
    fn keyed_creates(&self, principal: &Principal) -> Arc<dyn KeyedCreates>;
}
