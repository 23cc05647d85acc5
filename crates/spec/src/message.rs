//! Hand-written constructors of the generated [`MessageResponse`]: the messages the API answers
//! `enableConnection` and `disableConnection` with, as its examples in the document show them.

use std::fmt::Display;

use crate::MessageResponse;

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
        Self {
            message: format!("{partner} integration has been enabled successfully"),
        }
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
        Self {
            message: format!("{partner} integration has been disabled successfully"),
        }
    }
}
