//! The one error type every repository returns, whatever the backend.

use std::fmt;
use std::time::Duration;

use crate::id::InvalidId;

/// A boxed source error, for failures that come from below a backend (I/O, TLS, a database).
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What a repository operation failed with.
///
/// Match on the variant, never on the message: messages are for people and may change.
/// No variant ever carries a secret; backends put only ids, field names, statuses and the
/// server's own messages in here.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An id was not a valid UUID.
    #[error(transparent)]
    InvalidId(#[from] InvalidId),

    /// No such resource for this tenant. Another tenant's resource is reported the same way,
    /// so that existence never leaks across tenants.
    #[error("{resource} {id} not found")]
    NotFound {
        /// What kind of resource was looked up.
        resource: Resource,
        /// The id that was looked up.
        id: String,
    },

    /// The caller is not authenticated: no, invalid, expired or revoked credentials, or the
    /// API redirected to a sign-in page.
    #[error("unauthorized: {message}")]
    Unauthorized {
        /// What was wrong, without the credentials themselves.
        message: String,
    },

    /// Authenticated, but not allowed to do this (a read-only client attempting a write).
    #[error("forbidden: {message}")]
    Forbidden {
        /// What was refused.
        message: String,
    },

    /// A field of the input was rejected.
    #[error("invalid {field}: {reason}")]
    InvalidInput {
        /// The field's name as the API spells it (`limit`, `remote_instance_id`, ...).
        field: String,
        /// Why it was rejected.
        reason: String,
    },

    /// The request conflicts with the state of the resource or with an earlier request (an
    /// idempotency key reused with a different body).
    #[error("conflict: {message}")]
    Conflict {
        /// What conflicted.
        message: String,
    },

    /// Too many requests; try again after the given delay when the server named one.
    #[error("rate limited{}", match retry_after { Some(d) => format!(", retry after {} ms", d.as_millis()), None => String::new() })]
    RateLimited {
        /// The server's `Retry-After`, when it sent one.
        retry_after: Option<Duration>,
    },

    /// No answer in time.
    #[error("timed out{}", if *maybe_processed { " (the request may have been processed)" } else { " before the request was sent" })]
    Timeout {
        /// Whether the request may have reached the server and taken effect.
        maybe_processed: bool,
    },

    /// The backend could not be reached or failed in transit.
    #[error("unavailable: {message}{}", if *maybe_processed { " (the request may have been processed)" } else { "" })]
    Unavailable {
        /// What failed.
        message: String,
        /// Whether the request may have reached the server and taken effect.
        maybe_processed: bool,
        /// The underlying failure, when there is one.
        #[source]
        source: Option<BoxError>,
    },

    /// The backend answered with an error that fits none of the above.
    #[error("{}", BackendDisplay { status: *status, messages, request_id: request_id.as_deref() })]
    Backend {
        /// The HTTP status, for remote backends.
        status: Option<u16>,
        /// The backend's messages, or a bounded excerpt of a body that could not be parsed.
        messages: Vec<String>,
        /// The request id, to quote to the API's operators.
        request_id: Option<String>,
    },
}

/// The kinds of resource a [`Error::NotFound`] can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Resource {
    /// An integration connection.
    Connection,
    /// An automation under a connection.
    Automation,
    /// A partner function under a connection.
    PartnerFunction,
}

impl fmt::Display for Resource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Resource::Connection => "connection",
            Resource::Automation => "automation",
            Resource::PartnerFunction => "partner function",
        })
    }
}

/// The field path of `key` in the object at `parent` (empty for the top level), as every
/// [`Error::InvalidInput`] and every body error of the API names it: `parent.key` for a key of
/// ASCII letters, digits, `_` and `-`, `parent["odd key"]` (quoted and escaped) for any other,
/// the key cut to [`MAX_ECHOED_CHARS`](crate::MAX_ECHOED_CHARS) characters.
///
/// ```
/// use exsited_core::key_path;
///
/// assert_eq!(key_path("", "account"), "account");
/// assert_eq!(key_path("account", "export"), "account.export");
/// assert_eq!(key_path("account", "tax rate"), r#"account["tax rate"]"#);
/// assert_eq!(key_path("", "a.b"), r#"["a.b"]"#);
/// ```
pub fn key_path(parent: &str, key: &str) -> String {
    let key: String = key.chars().take(crate::MAX_ECHOED_CHARS).collect();
    let plain = !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    match (plain, parent.is_empty()) {
        (true, true) => key,
        (true, false) => format!("{parent}.{key}"),
        (false, _) => format!("{parent}[{key:?}]"),
    }
}

impl Error {
    /// A rejected input field.
    pub fn invalid_input(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::InvalidInput {
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// A missing resource.
    pub fn not_found(resource: Resource, id: impl fmt::Display) -> Self {
        Error::NotFound {
            resource,
            id: id.to_string(),
        }
    }

    /// Whether the same request may succeed if tried again later: rate limiting, timeouts,
    /// transport failures and the 5xx statuses that mean "temporarily".
    ///
    /// Whether it is *safe* to try again is another question: see
    /// [`may_have_been_processed`](Self::may_have_been_processed).
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::RateLimited { .. } | Error::Timeout { .. } | Error::Unavailable { .. } => true,
            Error::Backend {
                status: Some(status),
                ..
            } => matches!(status, 500 | 502 | 503 | 504),
            _ => false,
        }
    }

    /// Whether the request may have taken effect although it failed: a timeout or a dropped
    /// connection after the request was sent. A caller that retries a non-idempotent request
    /// in that case may apply it twice.
    pub fn may_have_been_processed(&self) -> bool {
        match self {
            Error::Timeout { maybe_processed }
            | Error::Unavailable {
                maybe_processed, ..
            } => *maybe_processed,
            Error::Backend {
                status: Some(status),
                ..
            } => *status >= 500,
            _ => false,
        }
    }

    /// Whether this is [`Error::NotFound`].
    pub fn is_not_found(&self) -> bool {
        matches!(self, Error::NotFound { .. })
    }

    /// The request id the backend assigned, when it reported one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Backend { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }
}

struct BackendDisplay<'a> {
    status: Option<u16>,
    messages: &'a [String],
    request_id: Option<&'a str>,
}

impl fmt::Display for BackendDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("backend error")?;
        if let Some(status) = self.status {
            write!(f, " (status {status})")?;
        }
        if !self.messages.is_empty() {
            write!(f, ": {}", self.messages.join("; "))?;
        }
        if let Some(id) = self.request_id {
            write!(f, " [request id {id}]")?;
        }
        Ok(())
    }
}

/// The result of every repository operation.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retryable_kinds() {
        assert!(Error::RateLimited { retry_after: None }.is_retryable());
        assert!(
            Error::Timeout {
                maybe_processed: true
            }
            .is_retryable()
        );
        assert!(
            Error::Backend {
                status: Some(503),
                messages: vec![],
                request_id: None
            }
            .is_retryable()
        );
        assert!(
            !Error::Backend {
                status: Some(501),
                messages: vec![],
                request_id: None
            }
            .is_retryable()
        );
        assert!(!Error::not_found(Resource::Connection, "x").is_retryable());
        assert!(!Error::invalid_input("limit", "too large").is_retryable());
    }

    #[test]
    fn processed_is_only_claimed_after_sending() {
        assert!(
            !Error::Timeout {
                maybe_processed: false
            }
            .may_have_been_processed()
        );
        assert!(
            Error::Timeout {
                maybe_processed: true
            }
            .may_have_been_processed()
        );
        assert!(!Error::RateLimited { retry_after: None }.may_have_been_processed());
    }

    #[test]
    fn backend_display_carries_status_messages_and_request_id() {
        let err = Error::Backend {
            status: Some(502),
            messages: vec!["bad gateway".into()],
            request_id: Some("req_1".into()),
        };
        assert_eq!(
            err.to_string(),
            "backend error (status 502): bad gateway [request id req_1]"
        );
        assert_eq!(err.request_id(), Some("req_1"));
    }
}
