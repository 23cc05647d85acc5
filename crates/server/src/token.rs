//! `POST /api/v1/oauth2/token`: both grants, tokens stored only as hashes.
//!
//! Each client has one live grant: a new grant (of either kind) revokes the previous access and
//! refresh tokens, as the hosted API does, and a refresh token is redeemed at most once. Bad
//! client credentials are a 401; a refresh token that grants nothing is a 400 naming it
//! (`invalid_grant`), after which clients fall back to their credentials.

use exsited_core::access::{ApiClient, IssuedTokens};
use exsited_spec::token::{self, Grant};
use exsited_spec::{Secret, TokenRequest, TokenResponse};
use http::{HeaderMap, HeaderValue, StatusCode, header};

use crate::app::App;
use crate::error::ApiError;
use crate::reply::Reply;
use crate::{body, clients, crypto};

/// Handles a token request. Which grant it asks for is read first, like the rest of the body:
/// a refresh grant without a refresh token is a 400 whatever the credentials.
pub(crate) async fn issue(app: &App, headers: &HeaderMap, body: &[u8]) -> Result<Reply, ApiError> {
    let request: TokenRequest = body::json(headers, body)?;
    let kind = request.grant()?;
    let client = authenticate_client(app, &request).await?;
    match kind {
        Grant::ClientCredentials => grant(app, &client, kind, None).await,
        Grant::RefreshToken(refresh) => {
            let hash = crypto::sha256_hex(refresh.expose().as_bytes());
            let owner = app
                .access
                .find_refresh_token(&hash)
                .await?
                .filter(|owner| owner.client_id == client.client_id)
                .ok_or_else(token::refresh_refused)?;
            if owner.expires_at <= app.clock.now_secs() {
                return Err(token::refresh_refused().into());
            }
            grant(app, &client, kind, Some(&hash)).await
        }
    }
}

/// The client named in the request, if its secret is right. An unknown id is checked against
/// a decoy hash so that both failures take the same time and read the same.
async fn authenticate_client(app: &App, request: &TokenRequest) -> Result<ApiClient, ApiError> {
    let secret = request.client_secret.as_ref().map_or("", Secret::expose);
    let client = if request.client_id.is_empty() {
        None
    } else {
        app.access.find_client(&request.client_id).await?
    };
    let verified = match &client {
        Some(client) => clients::verify(client, secret),
        None => {
            let _ = crypto::verify_secret(crypto::decoy_hash(), secret);
            false
        }
    };
    match client {
        Some(client) if verified && !secret.is_empty() => Ok(client),
        _ => Err(ApiError::unauthorized("invalid client credentials")),
    }
}

/// Issues a new access and refresh token for `kind`, revoking the client's previous ones; with
/// `rotating`, only if that refresh token is still the current one.
async fn grant(
    app: &App,
    client: &ApiClient,
    kind: Grant<'_>,
    rotating: Option<&str>,
) -> Result<Reply, ApiError> {
    let access = format!("at_{}", crypto::random_hex(32));
    let refresh = format!("rt_{}", crypto::random_hex(32));
    let now = app.clock.now_secs();
    let lifetime = app.config.access_token_lifetime.as_secs();
    let tokens = IssuedTokens {
        client_id: client.client_id.clone(),
        access_hash: crypto::sha256_hex(access.as_bytes()),
        access_expires_at: now.saturating_add(lifetime),
        refresh_hash: crypto::sha256_hex(refresh.as_bytes()),
        refresh_expires_at: now.saturating_add(app.config.refresh_token_lifetime.as_secs()),
    };
    // Forgotten before the new grant is stored and again after: a request that read the old
    // token between the two cannot cache it (see `token_cache`).
    app.tokens.forget_client(&client.client_id);
    let replaced = app.access.replace_tokens(tokens, rotating).await?;
    app.tokens.forget_client(&client.client_id);
    if !replaced {
        return Err(token::refresh_refused().into());
    }
    tracing::info!(
        client_id = %client.client_id,
        grant = kind.grant_type(),
        "token issued"
    );
    app.observer.token_granted(&kind);
    let response = TokenResponse {
        access_token: Secret::new(access),
        refresh_token: Some(Secret::new(refresh)),
        expires_in: Some(lifetime),
        token_type: "Bearer".to_owned(),
    };
    // RFC 6749 5.1: token responses must not be cached.
    Ok(Reply::json(StatusCode::OK, &response)?
        .header(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))
        .header(header::PRAGMA, HeaderValue::from_static("no-cache")))
}
