//! [`ConnectionRepository`] over the API: each operation is its endpoint, its body (through
//! `exsited_spec::convert` and `exsited_spec::configuration`), what a 404 from it names, and
//! the record its answer is read as.

use std::fmt::Display;

use async_trait::async_trait;
use exsited_core::configuration::{Configuration, ConfigurationPatch};
use exsited_core::{
    Automation, AutomationDetails, AutomationId, AutomationPatch, Connection, ConnectionId,
    ConnectionRepository, DeleteOutcome, ListQuery, NewConnection, Page, PartnerFunction,
    PartnerFunctionDetails, PartnerFunctionId, PartnerFunctionPatch, Resource, Result,
};
use exsited_spec::paths::{self, Path};
use exsited_spec::{MessageResponse, configuration, convert};

use crate::call::Call;
use crate::client::Client;
use crate::engine::Engine;
use crate::headers::fresh_idempotency_key;
use crate::records;

/// Enable or disable of a connection, an automation or a partner function: a POST without a
/// body, answered with a message. A 404 names `resource` by `id` unless the server names what
/// was missing (the connection above it, say).
async fn switch(engine: &Engine, path: Path, resource: Resource, id: impl Display) -> Result<()> {
    let call = Call::new(path).not_found(resource, id);
    let response = engine.expect(&call).await?;
    response
        .decode::<MessageResponse>("message response")
        .map(drop)
}

#[async_trait]
impl ConnectionRepository for Client {
    async fn list(&self, query: &ListQuery) -> Result<Page<Connection>> {
        let call = Call::new(paths::list_connections(query));
        records::connections(&self.engine.expect(&call).await?, query)
    }

    async fn get(&self, id: ConnectionId) -> Result<Connection> {
        let call = Call::new(paths::get_connection(id)).not_found(Resource::Connection, id);
        records::connection(&self.engine.expect(&call).await?)
    }

    async fn create(&self, new: NewConnection) -> Result<Connection> {
        self.create_with_idempotency_key(new, &fresh_idempotency_key())
            .await
    }

    async fn enable(&self, id: ConnectionId) -> Result<()> {
        switch(
            &self.engine,
            paths::enable_connection(id),
            Resource::Connection,
            id,
        )
        .await
    }

    async fn disable(&self, id: ConnectionId) -> Result<()> {
        switch(
            &self.engine,
            paths::disable_connection(id),
            Resource::Connection,
            id,
        )
        .await
    }

    async fn delete(&self, id: ConnectionId) -> Result<DeleteOutcome> {
        let call = Call::new(paths::delete_connection(id)).not_found(Resource::Connection, id);
        let executed = self.engine.execute(&call).await?;
        let response = &executed.response;
        if response.is_success() {
            return Ok(DeleteOutcome::Removed);
        }
        if response.status == 404 && executed.after_unknown {
            // An earlier attempt was sent and its answer lost; the retry found nothing. That
            // attempt most likely removed it, but this call cannot prove it.
            tracing::warn!(
                connection = %id,
                request_id = %response.request_id,
                "delete unconfirmed: an earlier attempt's response was lost and the retry found no connection"
            );
            return Ok(DeleteOutcome::RemovedUnconfirmed);
        }
        Err(response.error(call.not_found.as_ref()))
    }

    async fn list_automations(
        &self,
        connection: ConnectionId,
        query: &ListQuery,
    ) -> Result<Page<Automation>> {
        let call = Call::new(paths::list_automations(connection, query))
            .not_found(Resource::Connection, connection);
        records::automations(&self.engine.expect(&call).await?, connection, query)
    }

    async fn get_automation(
        &self,
        connection: ConnectionId,
        id: AutomationId,
    ) -> Result<Automation> {
        let call =
            Call::new(paths::get_automation(connection, id)).not_found(Resource::Automation, id);
        records::automation(&self.engine.expect(&call).await?, connection)
    }

    async fn create_automation(
        &self,
        connection: ConnectionId,
        details: AutomationDetails,
    ) -> Result<Automation> {
        self.create_automation_with_idempotency_key(connection, details, &fresh_idempotency_key())
            .await
    }

    async fn update_automation(
        &self,
        connection: ConnectionId,
        id: AutomationId,
        patch: AutomationPatch,
    ) -> Result<Automation> {
        let call = Call::new(paths::update_automation(connection, id))
            .json(&convert::automation_patch_to_wire(&patch))?
            .not_found(Resource::Automation, id);
        records::automation(&self.engine.expect(&call).await?, connection)
    }

    async fn list_partner_functions(
        &self,
        connection: ConnectionId,
        query: &ListQuery,
    ) -> Result<Page<PartnerFunction>> {
        let call = Call::new(paths::list_partner_functions(connection, query))
            .not_found(Resource::Connection, connection);
        records::partner_functions(&self.engine.expect(&call).await?, connection, query)
    }

    async fn get_partner_function(
        &self,
        connection: ConnectionId,
        id: PartnerFunctionId,
    ) -> Result<PartnerFunction> {
        let call = Call::new(paths::get_partner_function(connection, id))
            .not_found(Resource::PartnerFunction, id);
        records::partner_function(&self.engine.expect(&call).await?, connection)
    }

    async fn create_partner_function(
        &self,
        connection: ConnectionId,
        details: PartnerFunctionDetails,
    ) -> Result<PartnerFunction> {
        let key = fresh_idempotency_key();
        self.create_partner_function_with_idempotency_key(connection, details, &key)
            .await
    }

    async fn update_partner_function(
        &self,
        connection: ConnectionId,
        id: PartnerFunctionId,
        patch: PartnerFunctionPatch,
    ) -> Result<PartnerFunction> {
        let call = Call::new(paths::update_partner_function(connection, id))
            .json(&convert::partner_function_patch_to_wire(&patch))?
            .not_found(Resource::PartnerFunction, id);
        records::partner_function(&self.engine.expect(&call).await?, connection)
    }

    async fn enable_automation(&self, connection: ConnectionId, id: AutomationId) -> Result<()> {
        let path = paths::enable_automation(connection, id);
        switch(&self.engine, path, Resource::Automation, id).await
    }

    async fn disable_automation(&self, connection: ConnectionId, id: AutomationId) -> Result<()> {
        let path = paths::disable_automation(connection, id);
        switch(&self.engine, path, Resource::Automation, id).await
    }

    async fn enable_partner_function(
        &self,
        connection: ConnectionId,
        id: PartnerFunctionId,
    ) -> Result<()> {
        let path = paths::enable_partner_function(connection, id);
        switch(&self.engine, path, Resource::PartnerFunction, id).await
    }

    async fn disable_partner_function(
        &self,
        connection: ConnectionId,
        id: PartnerFunctionId,
    ) -> Result<()> {
        let path = paths::disable_partner_function(connection, id);
        switch(&self.engine, path, Resource::PartnerFunction, id).await
    }

    async fn delete_partner_function(
        &self,
        connection: ConnectionId,
        id: PartnerFunctionId,
    ) -> Result<()> {
        let call = Call::new(paths::delete_partner_function(connection, id))
            .not_found(Resource::PartnerFunction, id);
        let executed = self.engine.execute(&call).await?;
        let response = &executed.response;
        if response.is_success() {
            return Ok(());
        }
        if response.status == 404 && executed.after_unknown {
            // As for a connection: the retry of a delete whose earlier answer was lost finds
            // nothing, most likely because that attempt removed it. Gone either way.
            tracing::warn!(
                connection = %connection,
                partner_function = %id,
                request_id = %response.request_id,
                "partner function delete unconfirmed: an earlier attempt's response was lost and the retry found nothing"
            );
            return Ok(());
        }
        Err(response.error(call.not_found.as_ref()))
    }

    async fn get_configuration(&self, connection: ConnectionId) -> Result<Configuration> {
        let call = Call::new(paths::get_configuration(connection))
            .not_found(Resource::Connection, connection);
        records::configuration(&self.engine.expect(&call).await?)
    }

    async fn update_configuration(
        &self,
        connection: ConnectionId,
        patch: ConfigurationPatch,
    ) -> Result<Configuration> {
        let call = Call::new(paths::update_configuration(connection))
            .json(&configuration::patch_to_wire(&patch))?
            .not_found(Resource::Connection, connection);
        match records::updated_configuration(&self.engine.expect(&call).await?)? {
            Some(document) => Ok(document),
            // A server that answers with the message alone: the document is read after.
            None => self.get_configuration(connection).await,
        }
    }
}
