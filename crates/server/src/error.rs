//! Every failure of a request as one value, and the one mapping from the domain's [`Error`] to
//! an HTTP status.
//!
//! Messages are for people and never carry a secret: the domain error promises that for its
//! variants, and for 5xx the client gets a generic message while the real one goes to the log.

use std::collections::BTreeMap;
use std::time::Duration;

use exsited_core::{Error, InvalidId, Resource};
use exsited_spec::errors::detail;
use http::{HeaderName, HeaderValue, StatusCode, header};

/// A request that ends in the v3 error envelope.
#[derive(Debug)]
pub(crate) struct ApiError {
    pub(crate) status: StatusCode,
    pub(crate) message: String,
    pub(crate) details: BTreeMap<String, String>,
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            details: BTreeMap::new(),
            headers: Vec::new(),
        }
    }

    /// Adds a `details` entry (never a secret).
    pub(crate) fn detail(mut self, key: &str, value: impl Into<String>) -> Self {
        self.details.insert(key.to_owned(), value.into());
        self
    }

    /// Adds a `details` entry unless the key is already set.
    pub(crate) fn default_detail(mut self, key: &str, value: impl Into<String>) -> Self {
        self.details
            .entry(key.to_owned())
            .or_insert_with(|| value.into());
        self
    }

    pub(crate) fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.push((name, value));
        self
    }

    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    /// 401, with the `WWW-Authenticate` challenge RFC 6750 asks for.
    pub(crate) fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, message)
            .header(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"))
    }

    pub(crate) fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, message)
    }

    pub(crate) fn internal() -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "Internal server error")
    }

    /// A path segment that is not a valid id: the message names it, cut short and quoted by
    /// [`InvalidId`]'s `Display`.
    pub(crate) fn invalid_path_id(parameter: &str, err: &InvalidId) -> Self {
        Self::bad_request(err.to_string()).detail(detail::PARAMETER, parameter)
    }

    /// The one mapping from the domain's errors to statuses, messages and details.
    pub(crate) fn from_core(err: Error) -> Self {
        let status = status_of(&err);
        match err {
            Error::InvalidId(e) => Self::bad_request(e.to_string()),
            Error::NotFound { resource, id } => {
                let (message, key) = match resource {
                    Resource::Automation => {
                        ("Integration automation not found", detail::AUTOMATION_UUID)
                    }
                    Resource::PartnerFunction => {
                        ("Partner function not found", detail::PARTNER_FUNCTION_UUID)
                    }
                    _ => ("Integration connection not found", detail::CONNECTION_UUID),
                };
                Self::new(status, message).detail(key, id)
            }
            Error::Unauthorized { message } => Self::unauthorized(message),
            Error::Forbidden { message } => Self::forbidden(message),
            Error::InvalidInput { field, reason } => {
                Self::new(status, format!("invalid {field}: {reason}")).detail(detail::FIELD, field)
            }
            Error::Conflict { message } => Self::new(status, message),
            Error::RateLimited { retry_after } => {
                let mut e = Self::new(status, "Too many requests");
                if let Some(delay) = retry_after {
                    let secs = delay.max(Duration::from_secs(1)).as_secs().to_string();
                    if let Ok(value) = HeaderValue::from_str(&secs) {
                        e = e.header(header::RETRY_AFTER, value);
                    }
                }
                e
            }
            other => {
                // The domain error carries no secret, so its text is safe to log; the caller
                // gets a generic message that reveals nothing of the backend.
                tracing::error!(error = %other, "backend failure");
                Self::new(status, generic_message(status))
            }
        }
    }
}

impl From<Error> for ApiError {
    fn from(err: Error) -> Self {
        Self::from_core(err)
    }
}

/// The HTTP status of a domain error. Match on variants only: messages may change.
pub(crate) fn status_of(err: &Error) -> StatusCode {
    match err {
        Error::InvalidId(_) | Error::InvalidInput { .. } => StatusCode::BAD_REQUEST,
        Error::NotFound { .. } => StatusCode::NOT_FOUND,
        Error::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
        Error::Forbidden { .. } => StatusCode::FORBIDDEN,
        Error::Conflict { .. } => StatusCode::CONFLICT,
        Error::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
        Error::Timeout { .. } | Error::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

fn generic_message(status: StatusCode) -> &'static str {
    if status == StatusCode::SERVICE_UNAVAILABLE {
        "Service temporarily unavailable"
    } else {
        "Internal server error"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_has_its_status() {
        let cases: Vec<(Error, u16)> = vec![
            (Error::not_found(Resource::Connection, "x"), 404),
            (Error::invalid_input("limit", "too big"), 400),
            (
                Error::Unauthorized {
                    message: "m".into(),
                },
                401,
            ),
            (
                Error::Forbidden {
                    message: "m".into(),
                },
                403,
            ),
            (
                Error::Conflict {
                    message: "m".into(),
                },
                409,
            ),
            (Error::RateLimited { retry_after: None }, 429),
            (
                Error::Timeout {
                    maybe_processed: false,
                },
                503,
            ),
            (
                Error::Backend {
                    status: Some(500),
                    messages: vec!["db path /secret/place".into()],
                    request_id: None,
                },
                500,
            ),
        ];
        for (err, status) in cases {
            let api = ApiError::from_core(err);
            assert_eq!(api.status.as_u16(), status, "{api:?}");
            assert!(!api.message.contains("/secret/place"));
        }
    }

    #[test]
    fn not_found_names_the_id_in_details() {
        let api = ApiError::from_core(Error::not_found(Resource::Connection, "abc"));
        assert_eq!(api.message, "Integration connection not found");
        assert_eq!(api.details["connection_uuid"], "abc");
    }
}
