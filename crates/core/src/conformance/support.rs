//! Small builders and assertions shared by the checks.

use crate::{
    AutomationDetails, Connection, ConnectionId, ConnectionRepository, Error, Name, NewConnection,
    Partner, PartnerCredentials, PartnerFunctionDetails, Resource, SecretString, Text,
};

/// A new connection whose secrets are unique, so that a probe can look for them.
pub(crate) fn new_connection(label: &str) -> NewConnection {
    let unique = ConnectionId::random();
    NewConnection::new(Partner::new("xero").unwrap(), &format!("remote-{label}"))
        .unwrap()
        .with_remote_instance_name(&format!("Org {label}"))
        .unwrap()
        .with_credentials(PartnerCredentials {
            client_id: format!("client-{label}"),
            client_secret: SecretString::new(format!("client-secret-{unique}")),
            access_token: SecretString::new(format!("access-token-{unique}")),
            refresh_token: SecretString::new(format!("refresh-token-{unique}")),
        })
        .unwrap()
}

pub(crate) async fn create(repo: &dyn ConnectionRepository, label: &str) -> Connection {
    repo.create(new_connection(label))
        .await
        .unwrap_or_else(|e| panic!("create {label}: {e}"))
}

pub(crate) fn automation(name: &str) -> AutomationDetails {
    let mut details = AutomationDetails::new(Name::new("name", name).unwrap());
    details.direction = text("direction", "OUTBOUND");
    details.applies_to = text("applies_to", "INVOICE");
    details
}

pub(crate) fn partner_function(name: &str) -> PartnerFunctionDetails {
    let mut details = PartnerFunctionDetails::new(Name::new("name", name).unwrap());
    details.object_name = text("object_name", "invoice");
    details.event_name = text("event_name", "invoice.created");
    details
}

/// A valid text; checks and fixtures only.
pub(crate) fn text(field: &str, value: &str) -> Text {
    Text::new(field, value).unwrap_or_else(|e| panic!("{e}"))
}

/// Asserts `result` is `NotFound` for `resource`, with `context` in the failure message.
#[track_caller]
pub(crate) fn assert_not_found<T: std::fmt::Debug>(
    result: Result<T, Error>,
    resource: Resource,
    context: &str,
) {
    match result {
        Err(Error::NotFound { resource: got, .. }) if got == resource => {}
        other => panic!("{context}: expected NotFound({resource}), got {other:?}"),
    }
}

/// Asserts `result` is `NotFound` for any resource.
#[track_caller]
pub(crate) fn assert_any_not_found<T: std::fmt::Debug>(result: Result<T, Error>, context: &str) {
    match result {
        Err(Error::NotFound { .. }) => {}
        other => panic!("{context}: expected NotFound, got {other:?}"),
    }
}
