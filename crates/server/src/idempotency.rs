//! `X-Idempotency-Key` on the POST creates: the same key with the same request within the
//! window answers with what the first request created, without creating again; the same key
//! with another request is a 422.
//!
//! The server only reads the header and fingerprints the request (its route and body); the
//! backend does the rest in one atomic step with the create
//! ([`KeyedCreates`](exsited_core::idempotency::KeyedCreates)), which is what makes a key hold
//! under concurrent requests, across server instances sharing a database, and across a crash
//! between the create and its record. Keys are per tenant. A failed create records nothing, so
//! trying it again is safe and may succeed.

use exsited_core::idempotency::{IdempotencyKey, Keyed};
use exsited_spec::errors::detail;
use exsited_spec::headers::{IDEMPOTENT_REPLAYED, X_IDEMPOTENCY_KEY};
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};

use crate::crypto;
use crate::error::ApiError;
use crate::reply::Reply;

/// The request header.
pub(crate) const HEADER: HeaderName = HeaderName::from_static(X_IDEMPOTENCY_KEY.lowercase);
/// Set on a response that answers an earlier request with the same key, so a caller can tell.
const REPLAYED: HeaderName = HeaderName::from_static(IDEMPOTENT_REPLAYED.lowercase);

/// The request's idempotency key, if it sent one, fingerprinted with the normalised request
/// `path` and the `body`: the same body sent to another route under the same key is another
/// request. `now` (seconds since the Unix epoch) is when the request was made; records older
/// than `window` are expired.
pub(crate) fn key(
    headers: &HeaderMap,
    path: &str,
    body: &[u8],
    now: u64,
    window: std::time::Duration,
) -> Result<Option<IdempotencyKey>, ApiError> {
    let Some(value) = headers.get(&HEADER) else {
        return Ok(None);
    };
    let mut fingerprint = Vec::with_capacity(path.len() + body.len() + 1);
    fingerprint.extend_from_slice(path.as_bytes());
    fingerprint.push(b'\n');
    fingerprint.extend_from_slice(body);
    let fingerprint = crypto::sha256_hex(&fingerprint);
    let text = value.to_str().unwrap_or("\u{fffd}");
    IdempotencyKey::new(text, &fingerprint, now, window.as_secs())
        .map(Some)
        .map_err(|e| ApiError::from(e).detail(detail::HEADER, X_IDEMPOTENCY_KEY.name))
}

/// The resource of a keyed create and whether it answers an earlier request; a key reused
/// with another request is a 422.
pub(crate) fn settle<T>(outcome: Keyed<T>) -> Result<(T, bool), ApiError> {
    match outcome {
        Keyed::Created(value) => Ok((value, false)),
        Keyed::Replayed(value) => Ok((value, true)),
        Keyed::Reused => Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!(
                "{} was already used with a different request",
                X_IDEMPOTENCY_KEY.name
            ),
        )
        .detail(detail::HEADER, X_IDEMPOTENCY_KEY.name)),
    }
}

/// Marks `reply` as a replay when it is one.
pub(crate) fn mark(reply: Reply, replayed: bool) -> Reply {
    if replayed {
        reply.header(REPLAYED, HeaderValue::from_static("true"))
    } else {
        reply
    }
}
