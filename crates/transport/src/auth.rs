//! What each API call is authorised with: a fixed bearer token, or tokens granted for the
//! client's credentials by `POST /api/v1/oauth2/token`, cached by the [`TokenCache`]. The token
//! request is sent by the [`Sender`] the caller hands in, without a token of its own.

use std::time::{Duration, Instant};

use exsited_core::{Error, SecretString};
use exsited_spec::{Secret, TokenRequest, TokenResponse, paths};
use http::HeaderValue;

use crate::credentials::{ClientCredentials, Credentials};
use crate::exchange::Request;
use crate::headers;
use crate::response::Response;
use crate::sender::{Progress, Sender};
use crate::token::{Fetched, Token, TokenCache};

/// The lifetime assumed when the API does not say (`expires_in` absent).
const DEFAULT_LIFETIME: Duration = Duration::from_secs(3600);

/// The client's authority, shared by every call.
#[expect(
    clippy::large_enum_variant,
    reason = "one per client, made once and never moved"
)]
pub(crate) enum Auth {
    /// A token obtained elsewhere: sent as is, never refreshed.
    Fixed(HeaderValue),
    /// Tokens granted for the client's credentials.
    Granted {
        credentials: ClientCredentials,
        cache: TokenCache,
    },
}

impl Auth {
    pub(crate) fn new(credentials: &Credentials) -> Self {
        match credentials {
            Credentials::Bearer(header) => Auth::Fixed(header.clone()),
            Credentials::Client(client) => Auth::Granted {
                credentials: client.clone(),
                cache: TokenCache::default(),
            },
        }
    }

    /// Whether a rejected token can be replaced (a fixed bearer token cannot).
    pub(crate) fn can_refresh(&self) -> bool {
        matches!(self, Auth::Granted { .. })
    }

    /// The token for the next call; `rejected` is the generation of one the API just answered
    /// 401 to. A token request, when one is needed, goes through `sender`.
    pub(crate) async fn token(
        &self,
        rejected: Option<u64>,
        sender: &Sender,
        deadline: Instant,
    ) -> Result<Token, Error> {
        match self {
            Auth::Fixed(bearer) => Ok(Token {
                bearer: bearer.clone(),
                generation: 0,
            }),
            Auth::Granted { credentials, cache } => {
                let fetch = |refresh| grant(credentials, refresh, sender, deadline);
                cache.token(rejected, deadline, fetch).await
            }
        }
    }
}

/// One token request: the refresh grant when `refresh` is given, else client credentials.
async fn grant(
    credentials: &ClientCredentials,
    refresh: Option<SecretString>,
    sender: &Sender,
    deadline: Instant,
) -> Result<Fetched, Error> {
    let mut body = TokenRequest {
        redirect_uri: credentials.redirect_uri.clone(),
        ..TokenRequest::client_credentials(
            credentials.client_id.clone(),
            Secret::new(credentials.client_secret.expose().to_owned()),
        )
    };
    if let Some(refresh) = refresh {
        body = body.refreshing(Secret::new(refresh.expose().to_owned()));
    }
    let body = serde_json::to_vec(&body).map_err(|e| Error::Unavailable {
        message: "could not encode the token request".to_owned(),
        maybe_processed: false,
        source: Some(e.into()),
    })?;
    let mut request = Request::new(paths::issue_token());
    request.body = Some(body.into());
    let response = sender
        .send(&request, None, &mut Progress::default(), deadline)
        .await?
        .response;
    read_grant(&response, &credentials.client_secret)
}

/// The token a token response grants, or why it grants none.
fn read_grant(response: &Response, client_secret: &SecretString) -> Result<Fetched, Error> {
    if !response.is_success() {
        let error = match response.error(None) {
            Error::Unauthorized { message } => Error::Unauthorized { message },
            other if matches!(response.status, 400 | 403 | 404) => Error::Unauthorized {
                message: format!("the token request was refused: {other}"),
            },
            other => other,
        };
        return Err(scrub(error, client_secret));
    }
    let token: TokenResponse = response.decode("token response")?;
    if token.access_token.is_empty() {
        return Err(response.contract("the token response has an empty access_token".to_owned()));
    }
    let bearer =
        headers::bearer(&SecretString::new(token.access_token.expose())).ok_or_else(|| {
            response.contract(
                "the token response has an access_token that cannot be sent in a header".to_owned(),
            )
        })?;
    Ok(Fetched {
        bearer,
        refresh: token
            .refresh_token
            .as_ref()
            .filter(|r| !r.is_empty())
            .map(|r| SecretString::new(r.expose())),
        lifetime: token
            .expires_in
            .map_or(DEFAULT_LIFETIME, Duration::from_secs),
    })
}

/// A token endpoint that quotes the request back must not put the client secret into an error.
fn scrub(error: Error, secret: &SecretString) -> Error {
    let hide = |text: String| {
        if secret.is_empty() {
            text
        } else {
            text.replace(secret.expose(), "[redacted]")
        }
    };
    match error {
        Error::Unauthorized { message } => Error::Unauthorized {
            message: hide(message),
        },
        Error::Forbidden { message } => Error::Forbidden {
            message: hide(message),
        },
        Error::Conflict { message } => Error::Conflict {
            message: hide(message),
        },
        Error::InvalidInput { field, reason } => Error::InvalidInput {
            field,
            reason: hide(reason),
        },
        Error::Backend {
            status,
            messages,
            request_id,
        } => Error::Backend {
            status,
            messages: messages.into_iter().map(hide).collect(),
            request_id,
        },
        other => other,
    }
}
