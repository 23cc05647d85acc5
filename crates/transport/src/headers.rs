//! The headers that carry meaning between this client and the API, and the checks on their
//! values: each is built once and checked where it enters, not per request.

use exsited_core::{Error, SecretString};
use http::HeaderValue;

use crate::config_error::ConfigError;

/// The header the client sends its request id in, and reads the server's from.
pub(crate) const REQUEST_ID: &str = "x-request-id";
/// The header that makes a POST safe to repeat on the server's word.
pub(crate) const IDEMPOTENCY_KEY: &str = "x-idempotency-key";

/// The longest idempotency key accepted (the server's bound).
const MAX_IDEMPOTENCY_KEY: usize = 255;

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

/// A caller's idempotency key: 1 to 255 visible ASCII characters, as the server accepts.
pub(crate) fn check_idempotency_key(key: &str) -> Result<(), Error> {
    if !key.is_empty()
        && key.len() <= MAX_IDEMPOTENCY_KEY
        && key.bytes().all(|b| b.is_ascii_graphic())
    {
        Ok(())
    } else {
        Err(Error::invalid_input(
            "idempotency_key",
            "must be 1 to 255 visible ASCII characters",
        ))
    }
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
        assert!(check_idempotency_key(&"k".repeat(256)).is_err());
    }

    #[test]
    fn bearer_headers_are_sensitive_and_refuse_line_breaks() {
        assert!(bearer(&SecretString::new("tok")).unwrap().is_sensitive());
        assert!(bearer(&SecretString::new("tok\r\nX-Evil: 1")).is_none());
    }
}
