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
    PartnerFunctionEnvelope, PartnerFunctionList, convert, paths,
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

#[async_trait]
impl ConnectionRepository for Client {
    async fn list(&self, query: &ListQuery) -> Result<Page<Connection>> {
        let path = with_query(paths::LIST_CONNECTIONS.path(&[]), query);
        let response = self
            .request(paths::LIST_CONNECTIONS, &path, None, None, None)
            .await?;
        let list: ConnectionList = errors::decode(&response, "connection list")?;
        convert::page_from_wire(
            list.integration_connection,
            list.pagination,
            query,
            convert::connection_from_wire,
        )
        .map_err(|e| errors::invalid_record(&response, "connection", e))
    }

    async fn get(&self, id: ConnectionId) -> Result<Connection> {
        let path = paths::GET_CONNECTION.path(&[&id.to_string()]);
        let response = self
            .request(
                paths::GET_CONNECTION,
                &path,
                None,
                None,
                connection_target(id),
            )
            .await?;
        let envelope: ConnectionEnvelope = errors::decode(&response, "connection")?;
        convert::connection_from_wire(envelope.integration_connection)
            .map_err(|e| errors::invalid_record(&response, "connection", e))
    }

    async fn create(&self, new: NewConnection) -> Result<Connection> {
        let key = uuid::Uuid::new_v4().to_string();
        self.create_connection(new, &key).await
    }

    async fn enable(&self, id: ConnectionId) -> Result<()> {
        let path = paths::ENABLE_CONNECTION.path(&[&id.to_string()]);
        let response = self
            .request(
                paths::ENABLE_CONNECTION,
                &path,
                None,
                None,
                connection_target(id),
            )
            .await?;
        errors::decode::<MessageResponse>(&response, "message response").map(drop)
    }

    async fn disable(&self, id: ConnectionId) -> Result<()> {
        let path = paths::DISABLE_CONNECTION.path(&[&id.to_string()]);
        let response = self
            .request(
                paths::DISABLE_CONNECTION,
                &path,
                None,
                None,
                connection_target(id),
            )
            .await?;
        errors::decode::<MessageResponse>(&response, "message response").map(drop)
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
            .request(
                paths::LIST_AUTOMATIONS,
                &path,
                None,
                None,
                connection_target(connection),
            )
            .await?;
        let list: AutomationList = errors::decode(&response, "automation list")?;
        convert::page_from_wire(list.integration_automations, list.pagination, query, |w| {
            convert::automation_from_wire(w, connection)
        })
        .map_err(|e| errors::invalid_record(&response, "automation", e))
    }

    async fn get_automation(
        &self,
        connection: ConnectionId,
        id: AutomationId,
    ) -> Result<Automation> {
        let path = paths::GET_AUTOMATION.path(&[&connection.to_string(), &id.to_string()]);
        let response = self
            .request(
                paths::GET_AUTOMATION,
                &path,
                None,
                None,
                Target::new(Resource::Automation, id),
            )
            .await?;
        let envelope: AutomationEnvelope = errors::decode(&response, "automation")?;
        convert::automation_from_wire(envelope.integration_automation, connection)
            .map_err(|e| errors::invalid_record(&response, "automation", e))
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
        let envelope: AutomationEnvelope = errors::decode(&response, "automation")?;
        convert::automation_from_wire(envelope.integration_automation, connection)
            .map_err(|e| errors::invalid_record(&response, "automation", e))
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
            .request(
                paths::LIST_PARTNER_FUNCTIONS,
                &path,
                None,
                None,
                connection_target(connection),
            )
            .await?;
        let list: PartnerFunctionList = errors::decode(&response, "partner function list")?;
        convert::page_from_wire(list.partner_functions, list.pagination, query, |w| {
            convert::partner_function_from_wire(w, connection)
        })
        .map_err(|e| errors::invalid_record(&response, "partner function", e))
    }

    async fn get_partner_function(
        &self,
        connection: ConnectionId,
        id: PartnerFunctionId,
    ) -> Result<PartnerFunction> {
        let path = paths::GET_PARTNER_FUNCTION.path(&[&connection.to_string(), &id.to_string()]);
        let response = self
            .request(
                paths::GET_PARTNER_FUNCTION,
                &path,
                None,
                None,
                Target::new(Resource::PartnerFunction, id),
            )
            .await?;
        let envelope: PartnerFunctionEnvelope = errors::decode(&response, "partner function")?;
        convert::partner_function_from_wire(envelope.partner_function, connection)
            .map_err(|e| errors::invalid_record(&response, "partner function", e))
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
        let envelope: PartnerFunctionEnvelope = errors::decode(&response, "partner function")?;
        convert::partner_function_from_wire(envelope.partner_function, connection)
            .map_err(|e| errors::invalid_record(&response, "partner function", e))
    }
}
