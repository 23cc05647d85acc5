//! Authentication and scopes: the bearer token of a request resolved to its [`Caller`] (the
//! client, its tenant and scope), and whether that caller may use an endpoint. Which data the
//! caller then reaches is `tenancy`'s business.

use exsited_core::Principal;
use exsited_core::access::Scope;
use http::{HeaderMap, header};

use crate::app::App;
use crate::caller::Caller;
use crate::crypto;
use crate::error::ApiError;
use crate::router::Endpoint;

/// The token of an `Authorization: Bearer ...` header (the scheme in any case).
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// The caller of a request: 401 for a missing, unknown, revoked or expired token.
pub(crate) async fn authenticate(app: &App, headers: &HeaderMap) -> Result<Caller, ApiError> {
    let token = bearer(headers).ok_or_else(|| ApiError::unauthorized("missing bearer token"))?;
    let hash = crypto::sha256_hex(token.as_bytes());
    let found = match app.tokens.get(&hash) {
        Some(hit) => Some(hit),
        None => {
            let generation = app.tokens.generation();
            let found = app.access.find_token_client(&hash).await?;
            if let Some((client, expires_at)) = &found {
                app.tokens
                    .insert(generation, &hash, client.clone(), *expires_at);
            }
            found
        }
    };
    let (client, expires_at) =
        found.ok_or_else(|| ApiError::unauthorized("invalid or revoked access token"))?;
    if expires_at <= app.clock.now_secs() {
        return Err(ApiError::unauthorized("access token expired"));
    }
    Ok(Caller {
        principal: Principal::new(client.tenant, client.client_id),
        scope: client.scope,
    })
}

/// 403 when a `read` client calls a write endpoint.
pub(crate) fn require_scope(caller: &Caller, endpoint: Endpoint) -> Result<(), ApiError> {
    if endpoint.is_write() && caller.scope != Scope::Write {
        return Err(ApiError::forbidden(format!(
            "client {} has the read scope and may not change data",
            caller.principal.client_id
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    #[test]
    fn bearer_scheme_is_case_insensitive_and_required() {
        let with = |v: &'static str| {
            let mut h = HeaderMap::new();
            h.insert(header::AUTHORIZATION, HeaderValue::from_static(v));
            bearer(&h).map(str::to_owned)
        };
        assert_eq!(with("Bearer abc").as_deref(), Some("abc"));
        assert_eq!(with("bearer  abc ").as_deref(), Some("abc"));
        assert_eq!(with("Basic abc"), None);
        assert_eq!(with("Bearer "), None);
        assert_eq!(bearer(&HeaderMap::new()), None);
    }
}
