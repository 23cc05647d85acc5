//! The values of the headers that carry meaning between this client and the API, and the checks
//! on them: each is built once and checked where it enters, not per request. Their names are the
//! document's (`exsited_spec::headers`); the rule for an idempotency key is the domain's
//! (`exsited_core::idempotency::check_key`).

use exsited_core::{Error, SecretString};
use http::HeaderValue;

use crate::config_error::ConfigError;

/// `Bearer <token>`, marked sensitive so that hyper and http never print it; `None` when the
/// token has characters a header cannot carry.
pub(crate) fn bearer(token: &SecretString) -> Option<HeaderValue> {
    let mut value = HeaderValue::from_str(&format!("Bearer {}", token.expose())).ok()?;
    value.set_sensitive(true);
    Some(value)
}

/// The `User-Agent` value, when it is a non-empty, valid header value.
pub(crate) fn user_agent(value: &str) -> Result<HeaderValue, ConfigError> {
    match HeaderValue::from_str(value) {
        Ok(header) if !value.is_empty() => Ok(header),
        _ => Err(ConfigError::InvalidUserAgent),
    }
}

/// A caller's idempotency key, checked by the rule the server applies; the error names the
/// argument the caller passed it in, `idempotency_key`.
pub(crate) fn check_idempotency_key(key: &str) -> Result<(), Error> {
    exsited_core::idempotency::check_key(key).map_err(|error| match error {
        Error::InvalidInput { reason, .. } => Error::invalid_input("idempotency_key", reason),
        other => other,
    })
}

/// A key for a POST whose caller chose none: random, so that no two operations share one.
pub(crate) fn fresh_idempotency_key() -> String {
    uuid::Uuid::new_v4().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idempotency_keys_are_checked_like_the_server_does() {
        assert!(check_idempotency_key("restore-1f2e").is_ok());
        assert!(check_idempotency_key(&fresh_idempotency_key()).is_ok());
        assert!(check_idempotency_key("").is_err());
        assert!(check_idempotency_key("has space").is_err());
        assert!(check_idempotency_key(&"k".repeat(255)).is_ok());
        let too_long = check_idempotency_key(&"k".repeat(256));
        assert!(
            matches!(too_long, Err(Error::InvalidInput { ref field, .. }) if field == "idempotency_key")
        );
    }

    #[test]
    fn bearer_headers_are_sensitive_and_refuse_line_breaks() {
        assert!(bearer(&SecretString::new("tok")).unwrap().is_sensitive());
        assert!(bearer(&SecretString::new("tok\r\nX-Evil: 1")).is_none());
    }
}
