//! The limits on a request's head, and the `Host` rule of HTTP/1.1.
//!
//! The limits sit near what real clients send (browsers and SDKs stay well under 8 KiB a line;
//! a large bearer token is a few KiB) and far below what would let a client make the server
//! hold much memory per connection. hyper enforces two of them while it reads the head
//! ([`MAX_HEAD_BYTES`], [`MAX_HEADER_FIELDS`]); its bare 431 is replaced by the enveloped one
//! (see `parse_error`). The per-line limits need the parsed head and are
//! checked here, so that the answer can name the offending header.

use exsited_spec::errors::detail;
use http::request::Parts;
use http::{StatusCode, Version, header};

use crate::error::ApiError;

/// The most bytes of a request head (request line and header fields), enforced by hyper.
pub(crate) const MAX_HEAD_BYTES: usize = 32 * 1024;
/// The most header fields of a request, enforced by hyper.
pub(crate) const MAX_HEADER_FIELDS: usize = 100;
/// The longest header field line (`name: value`).
pub(crate) const MAX_LINE_BYTES: usize = 16 * 1024;
/// The longest request target (path and query).
pub(crate) const MAX_TARGET_BYTES: usize = 16 * 1024;

/// The details every 431 carries, so that a client can see every bound at once.
pub(crate) fn too_large(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE, message)
        .detail(detail::MAX_HEADER_FIELDS, MAX_HEADER_FIELDS.to_string())
        .detail(detail::MAX_HEAD_BYTES, MAX_HEAD_BYTES.to_string())
        .detail(detail::MAX_LINE_BYTES, MAX_LINE_BYTES.to_string())
}

/// The 414 for a request target over [`MAX_TARGET_BYTES`].
pub(crate) fn target_too_long() -> ApiError {
    ApiError::new(
        StatusCode::URI_TOO_LONG,
        format!("the request target (path and query) is longer than {MAX_TARGET_BYTES} bytes"),
    )
    .detail(detail::MAX_TARGET_BYTES, MAX_TARGET_BYTES.to_string())
}

/// 414 for a long target, 431 naming a header line over the limit, 400 for an HTTP/1.1
/// request without exactly one `Host` (RFC 9112, section 3.2).
pub(crate) fn check(head: &Parts) -> Result<(), ApiError> {
    let target = head.uri.path_and_query().map_or(0, |p| p.as_str().len())
        + head.uri.authority().map_or(0, |a| a.as_str().len());
    if target > MAX_TARGET_BYTES {
        return Err(target_too_long());
    }
    for (name, value) in &head.headers {
        if name.as_str().len() + 2 + value.len() > MAX_LINE_BYTES {
            return Err(too_large(format!(
                "header {name} is longer than {MAX_LINE_BYTES} bytes"
            ))
            .detail(detail::HEADER, name.as_str()));
        }
    }
    if head.version == Version::HTTP_11 {
        let mut hosts = head.headers.get_all(header::HOST).iter();
        let problem = match (hosts.next(), hosts.next()) {
            (Some(_), None) => None,
            (None, _) => Some("an HTTP/1.1 request must carry a Host header"),
            (Some(_), Some(_)) => {
                Some("an HTTP/1.1 request must carry one Host header, not several")
            }
        };
        if let Some(problem) = problem {
            return Err(ApiError::bad_request(problem).detail(detail::HEADER, "host"));
        }
    }
    Ok(())
}
