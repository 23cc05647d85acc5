//! Each record the API answers with, read from a successful response: the envelope unwrapped,
//! the wire value converted by `exsited_spec::convert` (or `exsited_spec::configuration`), the
//! record named in any failure.

use exsited_core::configuration::Configuration;
use exsited_core::{Automation, Connection, ConnectionId, Error, ListQuery, Page, PartnerFunction};
use exsited_spec::{
    AutomationEnvelope, AutomationList, ConfigurationEnvelope, ConfigurationUpdated,
    ConnectionEnvelope, ConnectionList, CreateConnectionResponse, PartnerFunctionEnvelope,
    PartnerFunctionList, configuration, convert,
};

use crate::response::Response;

pub(crate) fn connection(response: &Response) -> Result<Connection, Error> {
    response.read("connection", |envelope: ConnectionEnvelope| {
        convert::connection_from_wire(envelope.integration_connection)
    })
}

pub(crate) fn created_connection(response: &Response) -> Result<Connection, Error> {
    response.read("connection", |created: CreateConnectionResponse| {
        convert::connection_from_wire(created.integration.integration_connection)
    })
}

pub(crate) fn connections(
    response: &Response,
    query: &ListQuery,
) -> Result<Page<Connection>, Error> {
    response.read("connection", |list: ConnectionList| {
        convert::page_from_wire(
            list.integration_connection,
            list.pagination,
            query,
            convert::connection_from_wire,
        )
    })
}

pub(crate) fn automation(
    response: &Response,
    connection: ConnectionId,
) -> Result<Automation, Error> {
    response.read("automation", |envelope: AutomationEnvelope| {
        convert::automation_from_wire(envelope.integration_automation, connection)
    })
}

pub(crate) fn automations(
    response: &Response,
    connection: ConnectionId,
    query: &ListQuery,
) -> Result<Page<Automation>, Error> {
    response.read("automation", |list: AutomationList| {
        convert::page_from_wire(list.integration_automations, list.pagination, query, |w| {
            convert::automation_from_wire(w, connection)
        })
    })
}

pub(crate) fn partner_function(
    response: &Response,
    connection: ConnectionId,
) -> Result<PartnerFunction, Error> {
    response.read("partner function", |envelope: PartnerFunctionEnvelope| {
        convert::partner_function_from_wire(envelope.partner_function, connection)
    })
}

pub(crate) fn partner_functions(
    response: &Response,
    connection: ConnectionId,
    query: &ListQuery,
) -> Result<Page<PartnerFunction>, Error> {
    response.read("partner function", |list: PartnerFunctionList| {
        convert::page_from_wire(list.partner_functions, list.pagination, query, |w| {
            convert::partner_function_from_wire(w, connection)
        })
    })
}

pub(crate) fn configuration(response: &Response) -> Result<Configuration, Error> {
    response.read("configuration", |envelope: ConfigurationEnvelope| {
        configuration::from_wire(envelope.integration)
    })
}

/// The document after an update, when the answer carries it (the reference server's does).
pub(crate) fn updated_configuration(response: &Response) -> Result<Option<Configuration>, Error> {
    response.read("configuration", |updated: ConfigurationUpdated| {
        updated
            .integration
            .map(configuration::from_wire)
            .transpose()
    })
}
