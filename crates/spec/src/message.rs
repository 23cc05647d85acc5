//! Hand-written constructors of the generated [`MessageResponse`] and [`ConfigurationUpdated`]:
//! the messages the API answers enabling, disabling and configuring with, as the examples in the
//! document show them. Every answer is a non-empty object: a deployed client treats an empty 2xx
//! body as an error.

use std::fmt::Display;

use crate::{ConfigurationDocument, ConfigurationUpdated, MessageResponse};

impl MessageResponse {
    /// The answer to enabling a connection of `partner`.
    ///
    /// ```
    /// use exsited_spec::MessageResponse;
    ///
    /// let message = MessageResponse::enabled("XERO").message;
    /// assert_eq!(message, "XERO integration has been enabled successfully");
    /// ```
    pub fn enabled(partner: impl Display) -> Self {
        Self::switched(format!("{partner} integration"), true)
    }

    /// The answer to disabling a connection of `partner`.
    ///
    /// ```
    /// use exsited_spec::MessageResponse;
    ///
    /// let message = MessageResponse::disabled("XERO").message;
    /// assert_eq!(message, "XERO integration has been disabled successfully");
    /// ```
    pub fn disabled(partner: impl Display) -> Self {
        Self::switched(format!("{partner} integration"), false)
    }

    /// The answer to enabling (`true`) or disabling an automation.
    ///
    /// ```
    /// use exsited_spec::MessageResponse;
    ///
    /// let message = MessageResponse::automation(true).message;
    /// assert_eq!(message, "Automation has been enabled successfully");
    /// ```
    pub fn automation(enabled: bool) -> Self {
        Self::switched("Automation", enabled)
    }

    /// The answer to enabling (`true`) or disabling a partner function.
    ///
    /// ```
    /// use exsited_spec::MessageResponse;
    ///
    /// let message = MessageResponse::partner_function(false).message;
    /// assert_eq!(message, "Partner function has been disabled successfully");
    /// ```
    pub fn partner_function(enabled: bool) -> Self {
        Self::switched("Partner function", enabled)
    }

    fn switched(what: impl Display, enabled: bool) -> Self {
        let done = if enabled { "enabled" } else { "disabled" };
        Self {
            message: format!("{what} has been {done} successfully"),
        }
    }
}

impl ConfigurationUpdated {
    /// The answer to a configuration update, with the document after the merge.
    ///
    /// ```
    /// use exsited_spec::{ConfigurationDocument, ConfigurationUpdated};
    ///
    /// let answer = ConfigurationUpdated::new(ConfigurationDocument::default());
    /// assert_eq!(answer.message, "Integration configuration has been updated successfully");
    /// ```
    pub fn new(integration: ConfigurationDocument) -> Self {
        Self {
            message: "Integration configuration has been updated successfully".to_owned(),
            integration: Some(integration),
        }
    }
}
