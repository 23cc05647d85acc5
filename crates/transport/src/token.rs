//! The access-token cache: one token shared by every call, replaced before it expires, fetched
//! by one call at a time. It knows nothing of HTTP: whoever asks for a token hands it the means
//! to fetch one.
//!
//! The API revokes a client's previous token whenever it grants a new one, so two token requests
//! racing each other sign each other out. Hence single-flight: whoever finds no valid token
//! takes the fetch lock, checks again (someone may have fetched while it waited), and only then
//! fetches. The lock is held only around the fetch, never around API calls.

use std::future::Future;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use exsited_core::{BoxError, Error, SecretString};
use http::HeaderValue;

use crate::tls_error::TlsError;

/// A token is replaced this long before it expires, so that no call starts with a token that
/// dies in flight. Tokens living less than twice this are replaced at half their life.
const REFRESH_MARGIN: Duration = Duration::from_secs(60);

/// A token to send, and which fetch produced it (so a 401 can say which token was bad).
pub(crate) struct Token {
    /// The whole `Authorization` value, built once per token: cloning it is a reference count,
    /// where building it per request cost an allocation and a validation.
    pub(crate) bearer: HeaderValue,
    pub(crate) generation: u64,
}

/// What a fetch brings back.
pub(crate) struct Fetched {
    /// The `Authorization` value.
    pub(crate) bearer: HeaderValue,
    /// The refresh token to fetch the next one with, if the API gave one.
    pub(crate) refresh: Option<SecretString>,
    pub(crate) lifetime: Duration,
}

struct Cached {
    bearer: HeaderValue,
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

/// The cached token and the fetch lock.
#[derive(Default)]
pub(crate) struct TokenCache {
    state: Mutex<State>,
    /// Held by the one task fetching a token; the others wait on it, then reuse its result.
    fetching: tokio::sync::Mutex<()>,
}

impl TokenCache {
    /// A valid token, fetched with `fetch` when there is none. `rejected` is the generation of
    /// a token the API just answered 401 to: that one is not reused, but a newer one fetched
    /// meanwhile by another call is.
    ///
    /// `fetch` gets the refresh token to use, or `None` for a fresh grant. A failed refresh is
    /// followed by a fresh grant: a refresh token can be revoked or expire independently of
    /// the client's credentials, which remain the authority.
    pub(crate) async fn token<F, Fut>(
        &self,
        rejected: Option<u64>,
        deadline: Instant,
        fetch: F,
    ) -> Result<Token, Error>
    where
        F: Fn(Option<SecretString>) -> Fut,
        Fut: Future<Output = Result<Fetched, Error>>,
    {
        if let Some(token) = self.valid(rejected) {
            return Ok(token);
        }
        let fetches_seen = self.lock().fetches;
        let _fetching = tokio::time::timeout_at(deadline.into(), self.fetching.lock())
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
            Some(refresh) => match fetch(Some(refresh)).await {
                Ok(fresh) => Ok(fresh),
                Err(error) => {
                    tracing::info!(%error, "token refresh failed; requesting a new token with the client credentials");
                    fetch(None).await
                }
            },
            None => fetch(None).await,
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
        let margin = REFRESH_MARGIN.min(fresh.lifetime / 2);
        let token = Token {
            bearer: fresh.bearer.clone(),
            generation: state.generation,
        };
        state.current = Some(Cached {
            bearer: fresh.bearer,
            refresh: fresh.refresh,
            refresh_at: Instant::now() + (fresh.lifetime - margin),
        });
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
            bearer: current.bearer.clone(),
            generation: state.generation,
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    fn fetched(value: &str, refresh: Option<&str>) -> Fetched {
        Fetched {
            bearer: HeaderValue::from_str(value).unwrap(),
            refresh: refresh.map(SecretString::new),
            lifetime: Duration::from_secs(3600),
        }
    }

    fn deadline() -> Instant {
        Instant::now() + Duration::from_secs(10)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_calls_share_one_fetch() {
        let cache = Arc::new(TokenCache::default());
        let fetches = Arc::new(AtomicUsize::new(0));
        let calls = (0..20).map(|_| {
            let (cache, fetches) = (cache.clone(), fetches.clone());
            tokio::spawn(async move {
                let fetch = |_| {
                    let fetches = fetches.clone();
                    async move {
                        fetches.fetch_add(1, Ordering::SeqCst);
                        tokio::task::yield_now().await;
                        Ok(fetched("Bearer one", None))
                    }
                };
                cache
                    .token(None, deadline(), fetch)
                    .await
                    .unwrap()
                    .generation
            })
        });
        for call in calls.collect::<Vec<_>>() {
            assert_eq!(call.await.unwrap(), 1);
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_rejected_token_is_refreshed_and_a_failed_refresh_falls_back_to_a_grant() {
        let cache = TokenCache::default();
        let first = cache
            .token(None, deadline(), |_| async {
                Ok(fetched("Bearer one", Some("refresh-one")))
            })
            .await
            .unwrap();
        let asked = Mutex::new(Vec::new());
        let second = cache
            .token(Some(first.generation), deadline(), |refresh| {
                let refresh = refresh.map(|r| r.expose().to_owned());
                asked.lock().unwrap().push(refresh.clone());
                async move {
                    match refresh {
                        Some(_) => Err(Error::Unauthorized {
                            message: "refresh token revoked".into(),
                        }),
                        None => Ok(fetched("Bearer two", None)),
                    }
                }
            })
            .await
            .unwrap();
        assert_eq!(second.generation, 2);
        assert_eq!(second.bearer, "Bearer two");
        assert_eq!(
            *asked.lock().unwrap(),
            [Some("refresh-one".to_owned()), None]
        );
    }

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
