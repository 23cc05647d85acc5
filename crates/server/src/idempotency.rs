//! `X-Idempotency-Key` on the POST creates: the same key with the same request within the
//! window replays the first response without creating again; the same key with another
//! request is a 422.
//!
//! Keys are per tenant. Only successful responses are remembered: a failed create changed
//! nothing, so trying it again is safe and may succeed. Two requests with one key at the same
//! time would both miss the store and both create, so a key being served is claimed in memory
//! and a concurrent request with it gets a 409 (retry later, and get the replay).

use std::collections::HashSet;
use std::future::Future;
use std::sync::{Mutex, PoisonError};

use bytes::Bytes;
use exsited_core::access::StoredResponse;
use exsited_core::{ConnectionId, TenantId};
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};

use crate::app::{App, now_secs};
use crate::auth::Caller;
use crate::crypto;
use crate::error::ApiError;
use crate::reply::Reply;

/// The request header.
pub(crate) const HEADER: HeaderName = HeaderName::from_static("x-idempotency-key");
/// Set on a replayed response, so that a caller can tell.
const REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");
const MAX_KEY_CHARS: usize = 255;

/// The keys being served right now.
#[derive(Debug, Default)]
pub(crate) struct InFlight(Mutex<HashSet<(TenantId, String)>>);

struct Claim<'a> {
    set: &'a InFlight,
    key: (TenantId, String),
}

impl InFlight {
    fn claim(&self, tenant: &TenantId, key: &str) -> Option<Claim<'_>> {
        let entry = (tenant.clone(), key.to_owned());
        let fresh = self
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(entry.clone());
        fresh.then_some(Claim {
            set: self,
            key: entry,
        })
    }
}

impl Drop for Claim<'_> {
    fn drop(&mut self) {
        self.set
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.key);
    }
}

/// The key of a request, if it sent one: 1 to 255 visible ASCII characters.
fn key(headers: &HeaderMap) -> Result<Option<&str>, ApiError> {
    let Some(value) = headers.get(&HEADER) else {
        return Ok(None);
    };
    let bytes = value.as_bytes();
    if bytes.is_empty() || bytes.len() > MAX_KEY_CHARS || !bytes.iter().all(u8::is_ascii_graphic) {
        return Err(ApiError::bad_request(format!(
            "X-Idempotency-Key must be 1 to {MAX_KEY_CHARS} visible ASCII characters"
        ))
        .detail("header", "X-Idempotency-Key"));
    }
    Ok(value.to_str().ok())
}

/// Runs `create` under the request's idempotency key, if any. `create` yields the reply and
/// the connection the stored response belongs to (deleting that connection forgets it).
///
/// `path` is the normalised request path: the same body sent to another route under the same
/// key is another request.
pub(crate) async fn run<F>(
    app: &App,
    caller: &Caller,
    headers: &HeaderMap,
    path: &str,
    body: &[u8],
    create: F,
) -> Result<Reply, ApiError>
where
    F: Future<Output = Result<(Reply, Option<ConnectionId>), ApiError>>,
{
    let Some(key) = key(headers)? else {
        return create.await.map(|(reply, _)| reply);
    };
    let tenant = &caller.principal.tenant;
    let _claim = app.in_flight_keys.claim(tenant, key).ok_or_else(|| {
        ApiError::new(
            StatusCode::CONFLICT,
            "a request with this X-Idempotency-Key is still being processed; retry later",
        )
    })?;

    let mut fingerprint = Vec::with_capacity(path.len() + body.len() + 1);
    fingerprint.extend_from_slice(path.as_bytes());
    fingerprint.push(b'\n');
    fingerprint.extend_from_slice(body);
    let request_hash = crypto::sha256_hex(&fingerprint);

    let now = now_secs();
    let window_start = now.saturating_sub(app.config.idempotency_window.as_secs());
    let stored = app.access.find_response(tenant, key).await?;
    // An entry older than the window is as good as none: the key may be used afresh.
    if let Some(stored) = stored.filter(|s| s.created_at >= window_start) {
        if stored.request_hash != request_hash {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "X-Idempotency-Key was already used with a different request",
            )
            .detail("header", "X-Idempotency-Key"));
        }
        let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK);
        return Ok(Reply::raw(status, Bytes::from(stored.body))
            .header(REPLAYED, HeaderValue::from_static("true")));
    }

    let (reply, connection_id) = create.await?;
    if reply.status.is_success() {
        let stored = StoredResponse {
            request_hash,
            status: reply.status.as_u16(),
            body: reply.body.to_vec(),
            connection_id,
            created_at: now,
        };
        // The create happened: failing the response now would make the caller retry and
        // create twice, so a store failure here is logged, not returned.
        if let Err(err) = app
            .access
            .remember_response(tenant, key, stored, window_start)
            .await
        {
            tracing::error!(error = %err, "could not remember an idempotent response");
        }
    }
    Ok(reply)
}
