//! Creates of sync configurations under a caller-chosen idempotency key, the counterparts of
//! [`Client::create_with_idempotency_key`] for automations and partner functions: a caller that
//! repeats a create after a lost response or a crash (a restore that resumes) passes the same
//! key, and the API applies it once.

use exsited_core::{
    Automation, AutomationDetails, ConnectionId, Error, PartnerFunction, PartnerFunctionDetails,
};
use exsited_spec::{AutomationEnvelope, PartnerFunctionEnvelope, convert, paths};

use crate::client::{Client, connection_target, json};
use crate::errors;

/// The longest idempotency key accepted (the server's bound).
const MAX_KEY: usize = 255;

/// A caller's idempotency key: 1 to 255 visible ASCII characters, as the server accepts.
pub(crate) fn check_key(key: &str) -> Result<(), Error> {
    if !key.is_empty() && key.len() <= MAX_KEY && key.bytes().all(|b| b.is_ascii_graphic()) {
        Ok(())
    } else {
        Err(Error::invalid_input(
            "idempotency_key",
            "must be 1 to 255 visible ASCII characters",
        ))
    }
}

impl Client {
    /// Creates an automation under `connection`, sending `idempotency_key` as
    /// `X-Idempotency-Key`; see [`Client::create_with_idempotency_key`].
    pub async fn create_automation_with_idempotency_key(
        &self,
        connection: ConnectionId,
        details: AutomationDetails,
        idempotency_key: &str,
    ) -> Result<Automation, Error> {
        check_key(idempotency_key)?;
        self.post_automation(connection, &details, Some(idempotency_key))
            .await
    }

    /// Creates a partner function under `connection`, sending `idempotency_key` as
    /// `X-Idempotency-Key`; see [`Client::create_with_idempotency_key`].
    pub async fn create_partner_function_with_idempotency_key(
        &self,
        connection: ConnectionId,
        details: PartnerFunctionDetails,
        idempotency_key: &str,
    ) -> Result<PartnerFunction, Error> {
        check_key(idempotency_key)?;
        self.post_partner_function(connection, &details, Some(idempotency_key))
            .await
    }

    /// The automation create, with the caller's key or (`None`) a fresh one per operation.
    pub(crate) async fn post_automation(
        &self,
        connection: ConnectionId,
        details: &AutomationDetails,
        idempotency_key: Option<&str>,
    ) -> Result<Automation, Error> {
        let body = json(&convert::automation_create_to_wire(details))?;
        let path = paths::CREATE_AUTOMATION.path(&[&connection.to_string()]);
        let response = self
            .request(
                paths::CREATE_AUTOMATION,
                &path,
                Some(body),
                idempotency_key,
                connection_target(connection),
            )
            .await?;
        errors::read(&response, "automation", |envelope: AutomationEnvelope| {
            convert::automation_from_wire(envelope.integration_automation, connection)
        })
    }

    /// The partner-function create, with the caller's key or (`None`) a fresh one.
    pub(crate) async fn post_partner_function(
        &self,
        connection: ConnectionId,
        details: &PartnerFunctionDetails,
        idempotency_key: Option<&str>,
    ) -> Result<PartnerFunction, Error> {
        let body = json(&convert::partner_function_create_to_wire(details))?;
        let path = paths::CREATE_PARTNER_FUNCTION.path(&[&connection.to_string()]);
        let response = self
            .request(
                paths::CREATE_PARTNER_FUNCTION,
                &path,
                Some(body),
                idempotency_key,
                connection_target(connection),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_checked_like_the_server_does() {
        assert!(check_key("restore-1f2e").is_ok());
        assert!(check_key("").is_err());
        assert!(check_key("has space").is_err());
        assert!(check_key(&"k".repeat(256)).is_err());
    }
}
