//! [`ConnectionRepository`] over the API: each operation is its endpoint, its wire types (through
//! `exsited_spec::convert`) and what a 404 from it names.

use async_trait::async_trait;
use exsited_core::{
    Automation, AutomationDetails, AutomationId, AutomationPatch, Connection, ConnectionId,
    ConnectionRepository, DeleteOutcome, ListQuery, NewConnection, Page, PartnerFunction,
    PartnerFunctionDetails, PartnerFunctionId, PartnerFunctionPatch, Resource, Result,
};
use exsited_spec::{
    AutomationEnvelope, AutomationList, ConnectionEnvelope, ConnectionList, MessageResponse,
    Operation, PartnerFunctionEnvelope, PartnerFunctionList, convert, paths,
};

use crate::client::{Client, connection_target, json};
use crate::errors::{self, Target};

/// `?limit=..&offset=..&order_by=..&direction=..`: every value is a number or a fixed ASCII
/// word, so nothing needs escaping.
fn with_query(path: String, query: &ListQuery) -> String {
    format!(
        "{path}?limit={}&offset={}&order_by={}&direction={}",
        query.limit(),
        query.offset(),
        query.order_by(),
        query.direction()
    )
}

impl Client {
    /// Enable or disable: the same call on two routes, answered with a message.
    async fn switch(&self, operation: Operation, id: ConnectionId) -> Result<()> {
        let path = operation.path(&[&id.to_string()]);
        let response = self.fetch(operation, &path, connection_target(id)).await?;
        errors::decode::<MessageResponse>(&response, "message response").map(drop)
    }
}

#[async_trait]
impl ConnectionRepository for Client {
    async fn list(&self, query: &ListQuery) -> Result<Page<Connection>> {
        let path = with_query(paths::LIST_CONNECTIONS.path(&[]), query);
        let response = self.fetch(paths::LIST_CONNECTIONS, &path, None).await?;
        errors::read(&response, "connection", |list: ConnectionList| {
            convert::page_from_wire(
                list.integration_connection,
                list.pagination,
                query,
                convert::connection_from_wire,
            )
        })
    }

    async fn get(&self, id: ConnectionId) -> Result<Connection> {
        let path = paths::GET_CONNECTION.path(&[&id.to_string()]);
        let response = self
            .fetch(paths::GET_CONNECTION, &path, connection_target(id))
            .await?;
        errors::read(&response, "connection", |envelope: ConnectionEnvelope| {
            convert::connection_from_wire(envelope.integration_connection)
        })
    }

    async fn create(&self, new: NewConnection) -> Result<Connection> {
        let key = uuid::Uuid::new_v4().to_string();
        self.create_connection(new, &key).await
    }

    async fn enable(&self, id: ConnectionId) -> Result<()> {
        self.switch(paths::ENABLE_CONNECTION, id).await
    }

    async fn disable(&self, id: ConnectionId) -> Result<()> {
        self.switch(paths::DISABLE_CONNECTION, id).await
    }

    async fn delete(&self, id: ConnectionId) -> Result<DeleteOutcome> {
        let path = paths::DELETE_CONNECTION.path(&[&id.to_string()]);
        let executed = self
            .run(paths::DELETE_CONNECTION, &path, None, None)
            .await?;
        let response = &executed.response;
        if errors::is_success(response) {
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
        Err(errors::from_response(
            response,
            connection_target(id).as_ref(),
        ))
    }

    async fn list_automations(
        &self,
        connection: ConnectionId,
        query: &ListQuery,
    ) -> Result<Page<Automation>> {
        let path = with_query(
            paths::LIST_AUTOMATIONS.path(&[&connection.to_string()]),
            query,
        );
        let response = self
            .fetch(
                paths::LIST_AUTOMATIONS,
                &path,
                connection_target(connection),
            )
            .await?;
        errors::read(&response, "automation", |list: AutomationList| {
            convert::page_from_wire(list.integration_automations, list.pagination, query, |w| {
                convert::automation_from_wire(w, connection)
            })
        })
    }

    async fn get_automation(
        &self,
        connection: ConnectionId,
        id: AutomationId,
    ) -> Result<Automation> {
        let path = paths::GET_AUTOMATION.path(&[&connection.to_string(), &id.to_string()]);
        let response = self
            .fetch(
                paths::GET_AUTOMATION,
                &path,
                Target::new(Resource::Automation, id),
            )
            .await?;
        errors::read(&response, "automation", |envelope: AutomationEnvelope| {
            convert::automation_from_wire(envelope.integration_automation, connection)
        })
    }

    async fn create_automation(
        &self,
        connection: ConnectionId,
        details: AutomationDetails,
    ) -> Result<Automation> {
        self.post_automation(connection, &details, None).await
    }

    async fn update_automation(
        &self,
        connection: ConnectionId,
        id: AutomationId,
        patch: AutomationPatch,
    ) -> Result<Automation> {
        let body = json(&convert::automation_patch_to_wire(&patch))?;
        let path = paths::UPDATE_AUTOMATION.path(&[&connection.to_string(), &id.to_string()]);
        let response = self
            .request(
                paths::UPDATE_AUTOMATION,
                &path,
                Some(body),
                None,
                Target::new(Resource::Automation, id),
            )
            .await?;
        errors::read(&response, "automation", |envelope: AutomationEnvelope| {
            convert::automation_from_wire(envelope.integration_automation, connection)
        })
    }

    async fn list_partner_functions(
        &self,
        connection: ConnectionId,
        query: &ListQuery,
    ) -> Result<Page<PartnerFunction>> {
        let path = with_query(
            paths::LIST_PARTNER_FUNCTIONS.path(&[&connection.to_string()]),
            query,
        );
        let response = self
            .fetch(
                paths::LIST_PARTNER_FUNCTIONS,
                &path,
                connection_target(connection),
            )
            .await?;
        errors::read(
            &response,
            "partner function",
            |list: PartnerFunctionList| {
                convert::page_from_wire(list.partner_functions, list.pagination, query, |w| {
                    convert::partner_function_from_wire(w, connection)
                })
            },
        )
    }

    async fn get_partner_function(
        &self,
        connection: ConnectionId,
        id: PartnerFunctionId,
    ) -> Result<PartnerFunction> {
        let path = paths::GET_PARTNER_FUNCTION.path(&[&connection.to_string(), &id.to_string()]);
        let response = self
            .fetch(
                paths::GET_PARTNER_FUNCTION,
                &path,
                Target::new(Resource::PartnerFunction, id),
            )
            .await?;
        errors::read(
            &response,
            "partner function",
            |envelope: PartnerFunctionEnvelope| {
                convert::partner_function_from_wire(envelope.partner_function, connection)
            },
        )
    }

    async fn create_partner_function(
        &self,
        connection: ConnectionId,
        details: PartnerFunctionDetails,
    ) -> Result<PartnerFunction> {
        self.post_partner_function(connection, &details, None).await
    }

    async fn update_partner_function(
        &self,
        connection: ConnectionId,
        id: PartnerFunctionId,
        patch: PartnerFunctionPatch,
    ) -> Result<PartnerFunction> {
        let body = json(&convert::partner_function_patch_to_wire(&patch))?;
        let path = paths::UPDATE_PARTNER_FUNCTION.path(&[&connection.to_string(), &id.to_string()]);
        let response = self
            .request(
                paths::UPDATE_PARTNER_FUNCTION,
                &path,
                Some(body),
                None,
                Target::new(Resource::PartnerFunction, id),
            )
            .await?;
        errors::read(
            &response,
            "partner function",
            |envelope: PartnerFunctionEnvelope| {
                convert::partner_function_from_wire(envelope.partner_function, connection)
            },
        )
    }
}
