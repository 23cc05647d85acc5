//! Request bodies: the size cap, the read timeout, the content type, and reading JSON through
//! the document's schema of the body (`exsited_spec::validate`).

use std::time::Duration;

use bytes::Bytes;
use exsited_core::Error;
use exsited_spec::errors::detail;
use exsited_spec::schema::Described;
use exsited_spec::validate::{self, BodyError};
use http::{HeaderMap, StatusCode, header};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use hyper::body::Incoming;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

fn too_large(limit: usize) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("request body is larger than {limit} bytes"),
    )
    .detail(detail::MAX_BYTES, limit.to_string())
}

/// Refuses a declared `Content-Length` over the cap before anything else is done.
pub(crate) fn check_declared_length(headers: &HeaderMap, limit: usize) -> Result<(), ApiError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    match declared {
        Some(length) if length > limit as u64 => Err(too_large(limit)),
        _ => Ok(()),
    }
}

/// The whole body, at most `limit` bytes (a chunked body that grows past it is cut off with a
/// 413), within `timeout` (a client that stalls mid-body gets a 408 and frees its slot).
pub(crate) async fn read(
    body: Incoming,
    limit: usize,
    timeout: Duration,
) -> Result<Bytes, ApiError> {
    let collected = tokio::time::timeout(timeout, Limited::new(body, limit).collect()).await;
    match collected {
        Err(_) => Err(ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            "request body not received in time",
        )),
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
        Ok(Err(e)) if e.downcast_ref::<LengthLimitError>().is_some() => Err(too_large(limit)),
        Ok(Err(_)) => Err(ApiError::bad_request("the request body could not be read")),
    }
}

/// Whether the request's `Content-Type` allows reading the body as JSON: `application/json`,
/// any `+json` type, or none at all (some deployed clients omit it; the body decides then).
fn is_json(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return true;
    };
    let Ok(value) = value.to_str() else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// The body as `T`: 415 for a non-JSON content type; 400 for an empty body, for malformed JSON
/// (the message and `details` give line and column) and for a body that does not match `T`'s
/// schema in the document (the message and `details.field` give the field path). No message
/// quotes a value that was sent. Unknown fields are ignored.
pub(crate) fn json<T: Described + DeserializeOwned>(
    headers: &HeaderMap,
    body: &[u8],
) -> Result<T, ApiError> {
    if !is_json(headers) {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "the request body must be JSON (Content-Type: application/json)",
        ));
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad_request("a JSON request body is required"));
    }
    validate::from_slice(body).map_err(|err| match err {
        BodyError::Syntax { line, column, .. } => {
            ApiError::bad_request(format!("malformed JSON body: {err}"))
                .detail(detail::LINE, line.to_string())
                .detail(detail::COLUMN, column.to_string())
        }
        BodyError::Invalid(invalid) if invalid.path().is_root() => {
            ApiError::bad_request(format!("invalid request body: {}", invalid.reason()))
        }
        // The one convention for a field in error, shared with the domain's own checks.
        BodyError::Invalid(invalid) => {
            Error::invalid_input(invalid.path().to_string(), invalid.reason()).into()
        }
        other => {
            tracing::error!(error = %other, "request body matched its schema but not its type");
            ApiError::internal()
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    #[test]
    fn content_types() {
        let with = |v: &'static str| {
            let mut h = HeaderMap::new();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static(v));
            is_json(&h)
        };
        assert!(with("application/json"));
        assert!(with("Application/JSON; charset=utf-8"));
        assert!(with("application/merge-patch+json"));
        assert!(!with("text/plain"));
        assert!(!with("application/x-www-form-urlencoded"));
        assert!(is_json(&HeaderMap::new()));
    }
}
