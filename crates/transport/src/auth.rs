//! Access tokens: fetched, cached, shared by every call, refreshed one at a time.
//!
//! The API revokes a client's previous token whenever it grants a new one, so two token requests
//! racing each other sign each other out. Hence single-flight: whoever finds no valid token
//! takes the fetch lock, checks again (someone may have fetched while it waited), and only then
//! asks the API. The lock is held only around the fetch, never around API calls.

use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use exsited_core::{BoxError, Error, SecretString};
use exsited_spec::{Secret, TokenRequest, TokenResponse, paths};
use http::HeaderValue;

use crate::client::Inner;
use crate::config::AuthConfig;
use crate::errors;
use crate::exchange::Request;
use crate::tls_error::TlsError;

/// A token is replaced this long before it expires, so that no call starts with a token that
/// dies in flight. Tokens living less than twice this are replaced at half their life.
const REFRESH_MARGIN: Duration = Duration::from_secs(60);
/// The lifetime assumed when the API does not say (`expires_in` absent).
const DEFAULT_LIFETIME: Duration = Duration::from_secs(3600);

/// A token to send, and which fetch produced it (so a 401 can say which token was bad).
pub(crate) struct Token {
    /// The whole `Authorization` value, built once per token: cloning it is a reference count,
    /// where building it per request cost an allocation and a validation.
    pub(crate) bearer: HeaderValue,
    pub(crate) generation: u64,
}

/// `Bearer <token>`, marked sensitive so that hyper and http never print it; `None` when the
/// token has characters a header cannot carry.
pub(crate) fn bearer_header(token: &SecretString) -> Option<HeaderValue> {
    let mut value = HeaderValue::from_str(&format!("Bearer {}", token.expose())).ok()?;
    value.set_sensitive(true);
    Some(value)
}

struct Cached {
    header: HeaderValue,
    refresh: Option<SecretString>,
    refresh_at: Instant,
}

#[derive(Default)]
struct State {
    /// Incremented by every successful fetch.
    generation: u64,
    current: Option<Cached>,
    /// Incremented by every fetch, failed or not.
    fetches: u64,
    /// How the last fetch failed, for the calls that waited on it.
    last_failure: Option<Error>,
}

pub(crate) struct Auth {
    config: AuthConfig,
    /// The header of a fixed bearer token, built once.
    fixed: Option<HeaderValue>,
    state: Mutex<State>,
    /// Held by the one task fetching a token; the others wait on it, then reuse its result.
    fetch: tokio::sync::Mutex<()>,
}

type Boxed<'a, T> = Pin<Box<dyn Future<Output = Result<T, Error>> + Send + 'a>>;

impl Auth {
    pub(crate) fn new(config: AuthConfig) -> Self {
        let fixed = match &config {
            AuthConfig::Bearer(token) => bearer_header(token),
            AuthConfig::Credentials { .. } => None,
        };
        Self {
            config,
            fixed,
            state: Mutex::new(State::default()),
            fetch: tokio::sync::Mutex::new(()),
        }
    }

    /// Whether a rejected token can be replaced (a fixed bearer token cannot).
    pub(crate) fn can_refresh(&self) -> bool {
        matches!(self.config, AuthConfig::Credentials { .. })
    }

    /// A valid token. `rejected` is the generation of a token the API just answered 401 to: that
    /// one is not reused, but a newer one fetched meanwhile by another call is.
    ///
    /// Boxed: an authenticated call fetches its token through the same retry loop it runs in,
    /// and the box is what lets that loop's future name itself.
    pub(crate) fn token<'a>(
        &'a self,
        inner: &'a Inner,
        rejected: Option<u64>,
        deadline: Instant,
    ) -> Boxed<'a, Token> {
        Box::pin(self.token_inner(inner, rejected, deadline))
    }

    async fn token_inner(
        &self,
        inner: &Inner,
        rejected: Option<u64>,
        deadline: Instant,
    ) -> Result<Token, Error> {
        if let Some(header) = &self.fixed {
            return Ok(Token {
                bearer: header.clone(),
                generation: 0,
            });
        }
        if let Some(token) = self.valid(rejected) {
            return Ok(token);
        }
        let fetches_seen = self.lock().fetches;
        let _fetching = tokio::time::timeout_at(deadline.into(), self.fetch.lock())
            .await
            .map_err(|_| Error::Timeout {
                maybe_processed: false,
            })?;
        if let Some(token) = self.valid(rejected) {
            return Ok(token);
        }
        {
            // A fetch that failed while this call waited answers this call too: fifty calls
            // against a token endpoint that is down make one round of token requests, not fifty.
            let state = self.lock();
            if state.fetches != fetches_seen
                && let Some(failure) = &state.last_failure
            {
                return Err(shared_failure(failure));
            }
        }
        let refresh = self.lock().current.as_ref().and_then(|c| c.refresh.clone());
        let result = match refresh {
            Some(refresh) => match self.grant(inner, Some(&refresh), deadline).await {
                Ok(fresh) => Ok(fresh),
                Err(error) => {
                    // A refresh token can be revoked or expired independently of the client's
                    // credentials, which remain the authority.
                    tracing::info!(%error, "token refresh failed; requesting a new token with the client credentials");
                    self.grant(inner, None, deadline).await
                }
            },
            None => self.grant(inner, None, deadline).await,
        };
        let mut state = self.lock();
        state.fetches += 1;
        let fresh = match result {
            Ok(fresh) => fresh,
            Err(error) => {
                state.last_failure = Some(shared_failure(&error));
                return Err(error);
            }
        };
        state.last_failure = None;
        state.generation += 1;
        let token = Token {
            bearer: fresh.header.clone(),
            generation: state.generation,
        };
        state.current = Some(fresh);
        Ok(token)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // The state is replaced whole under the lock, so a panic elsewhere cannot leave it torn.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn valid(&self, rejected: Option<u64>) -> Option<Token> {
        let state = self.lock();
        let current = state.current.as_ref()?;
        (Instant::now() < current.refresh_at && rejected != Some(state.generation)).then(|| Token {
            bearer: current.header.clone(),
            generation: state.generation,
        })
    }

    /// One token request: the refresh grant when `refresh` is given, else client credentials.
    async fn grant(
        &self,
        inner: &Inner,
        refresh: Option<&SecretString>,
        deadline: Instant,
    ) -> Result<Cached, Error> {
        let AuthConfig::Credentials {
            client_id,
            client_secret,
            redirect_uri,
        } = &self.config
        else {
            unreachable!("only client credentials are exchanged for tokens");
        };
        let body = TokenRequest {
            grant_type: if refresh.is_some() {
                "refresh_token"
            } else {
                "client_credentials"
            }
            .to_owned(),
            client_id: client_id.clone(),
            client_secret: Some(Secret::new(client_secret.expose().to_owned())),
            refresh_token: refresh.map(|r| Secret::new(r.expose().to_owned())),
            redirect_uri: redirect_uri.clone(),
        };
        let body = serde_json::to_vec(&body).map_err(|e| Error::Unavailable {
            message: "could not encode the token request".to_owned(),
            maybe_processed: false,
            source: Some(e.into()),
        })?;
        let path = paths::ISSUE_TOKEN.path(&[]);
        let key = uuid::Uuid::new_v4().to_string();
        let request = Request {
            operation: paths::ISSUE_TOKEN,
            path_and_query: &path,
            body: Some(body.into()),
            idempotency_key: Some(&key),
        };
        let response = inner.execute(&request, false, deadline).await?.response;
        if !errors::is_success(&response) {
            let error = match errors::from_response(&response, None) {
                Error::Unauthorized { message } => Error::Unauthorized { message },
                other if matches!(response.status, 400 | 403 | 404) => Error::Unauthorized {
                    message: format!("the token request was refused: {other}"),
                },
                other => other,
            };
            return Err(scrub(error, client_secret));
        }
        let token: TokenResponse = errors::decode(&response, "token response")?;
        if token.access_token.is_empty() {
            return Err(errors::contract(
                &response,
                "the token response has an empty access_token".to_owned(),
            ));
        }
        let lifetime = token
            .expires_in
            .map_or(DEFAULT_LIFETIME, Duration::from_secs);
        let margin = REFRESH_MARGIN.min(lifetime / 2);
        let header =
            bearer_header(&SecretString::new(token.access_token.expose())).ok_or_else(|| {
                errors::contract(
                    &response,
                    "the token response has an access_token that cannot be sent in a header"
                        .to_owned(),
                )
            })?;
        Ok(Cached {
            header,
            refresh: token
                .refresh_token
                .as_ref()
                .filter(|r| !r.is_empty())
                .map(|r| SecretString::new(r.expose())),
            refresh_at: Instant::now() + (lifetime - margin),
        })
    }
}

/// The failure of a token fetch, as reported to the calls that waited on it (errors are not
/// `Clone`: their sources are not).
fn shared_failure(error: &Error) -> Error {
    match error {
        Error::Unauthorized { message } => Error::Unauthorized {
            message: message.clone(),
        },
        Error::RateLimited { retry_after } => Error::RateLimited {
            retry_after: *retry_after,
        },
        Error::Timeout { .. } => Error::Timeout {
            maybe_processed: false,
        },
        // A TLS failure stays reachable by type for every call that shared it.
        other => Error::Unavailable {
            message: format!("the token request failed: {other}"),
            maybe_processed: false,
            source: TlsError::find(other).map(|tls| Box::new(tls.clone()) as BoxError),
        },
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shared_tls_failure_keeps_its_type() {
        let refused = std::io::Error::other(rustls::Error::InvalidCertificate(
            rustls::CertificateError::UnknownIssuer,
        ));
        let tls = TlsError::from_connect_error("api.example.com", &refused).unwrap();
        let error = Error::Unavailable {
            message: tls.to_string(),
            maybe_processed: false,
            source: Some(Box::new(tls.clone())),
        };
        assert_eq!(TlsError::find(&shared_failure(&error)), Some(&tls));
    }
}
