//! Who the client is to the API: client credentials, exchanged for tokens, or a bearer token
//! obtained elsewhere. Checked once, from what the builder was given.

use std::fmt;

use exsited_core::SecretString;
use http::HeaderValue;

use crate::config_error::ConfigError;
use crate::headers;

/// How the client authenticates.
#[derive(Clone)]
pub(crate) enum Credentials {
    /// Client credentials, exchanged for tokens at `POST /api/v1/oauth2/token`.
    Client(ClientCredentials),
    /// The `Authorization` value of a token obtained elsewhere; it cannot be refreshed.
    Bearer(HeaderValue),
}

/// A client id and its secret, and the `redirect_uri` token requests carry.
#[derive(Clone)]
pub(crate) struct ClientCredentials {
    pub(crate) client_id: String,
    pub(crate) client_secret: SecretString,
    pub(crate) redirect_uri: String,
}

impl Credentials {
    /// Exactly one kind, complete: an id with its secret, or a token a header can carry.
    pub(crate) fn new(
        client_id: Option<String>,
        client_secret: Option<SecretString>,
        token: Option<SecretString>,
        redirect_uri: Option<String>,
    ) -> Result<Self, ConfigError> {
        let incomplete = |missing| ConfigError::IncompleteCredentials { missing };
        match (client_id, client_secret, token) {
            (None, None, Some(token)) if !token.is_empty() => headers::bearer(&token)
                .map(Credentials::Bearer)
                .ok_or(ConfigError::InvalidToken),
            (None, None, _) => Err(ConfigError::MissingCredentials),
            (_, _, Some(_)) => Err(ConfigError::ConflictingCredentials),
            (Some(id), Some(_), None) if id.trim().is_empty() => Err(incomplete("client id")),
            (Some(_), Some(secret), None) if secret.is_empty() => Err(incomplete("client secret")),
            (None, Some(_), None) => Err(incomplete("client id")),
            (Some(_), None, None) => Err(incomplete("client secret")),
            (Some(client_id), Some(client_secret), None) => {
                Ok(Credentials::Client(ClientCredentials {
                    client_id,
                    client_secret,
                    redirect_uri: redirect_uri.unwrap_or_default(),
                }))
            }
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::Client(client) => client.fmt(f),
            Credentials::Bearer(_) => f
                .debug_tuple("Bearer")
                .field(&format_args!("[redacted]"))
                .finish(),
        }
    }
}

impl fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The client id is not a secret (the contract says so); it helps tell configs apart.
        f.debug_struct("Credentials")
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("redirect_uri", &self.redirect_uri)
            .finish()
    }
}
