//! The [`Client`]: a cheap handle to one pooled HTTP client, one token cache and one
//! configuration, shared by every clone.

use std::fmt;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use exsited_core::{Connection, Error, NewConnection, Resource};
use exsited_spec::{Operation, convert, paths};
use tracing::Instrument;

use crate::auth::Auth;
use crate::call::Executed;
use crate::config::{ClientConfig, ConfigError};
use crate::errors::{self, Target};
use crate::exchange::{Http, Request, Response};

/// The client of the Exsited integration-connection API, implementing
/// [`ConnectionRepository`](exsited_core::ConnectionRepository).
///
/// Cloning is cheap and clones share the connection pool and the access token, which is what
/// the API needs: it revokes a client's previous token on every new grant, so one process
/// should hold one `Client` per client id. `Debug` never shows a secret.
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) config: ClientConfig,
    pub(crate) http: Http,
    pub(crate) auth: Auth,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

impl Client {
    pub(crate) fn new(config: ClientConfig) -> Result<Self, ConfigError> {
        let http = Http::new(&config)?;
        let auth = Auth::new(config.auth.clone());
        Ok(Self {
            inner: Arc::new(Inner { config, http, auth }),
        })
    }

    /// A client configured from the environment; see [`ClientConfig::from_env`].
    pub fn from_env() -> Result<Self, ConfigError> {
        ClientConfig::from_env()?.build()
    }

    /// The configuration the client was built with.
    pub fn config(&self) -> &ClientConfig {
        &self.inner.config
    }

    /// Creates a connection, sending `idempotency_key` as `X-Idempotency-Key` instead of a
    /// fresh random key: a caller that repeats a create after a lost response (a restore that
    /// resumes, say) passes the same key so that the API applies it once.
    ///
    /// The key must be 1 to 255 visible ASCII characters.
    pub async fn create_with_idempotency_key(
        &self,
        new: NewConnection,
        idempotency_key: &str,
    ) -> Result<Connection, Error> {
        crate::keyed::check_key(idempotency_key)?;
        self.create_connection(new, idempotency_key).await
    }

    pub(crate) async fn create_connection(
        &self,
        new: NewConnection,
        idempotency_key: &str,
    ) -> Result<Connection, Error> {
        let body = json(&convert::new_connection_to_wire(&new))?;
        let path = paths::CREATE_CONNECTION.path(&[]);
        let response = self
            .request(
                paths::CREATE_CONNECTION,
                &path,
                Some(body),
                Some(idempotency_key),
                None,
            )
            .await?;
        errors::read(
            &response,
            "connection",
            |created: exsited_spec::CreateConnectionResponse| {
                convert::connection_from_wire(created.integration.integration_connection)
            },
        )
    }

    /// Runs an operation and returns its response, whatever the status, with what the earlier
    /// attempts left unknown. Every POST gets an idempotency key, the same for all its attempts.
    pub(crate) async fn run(
        &self,
        operation: Operation,
        path_and_query: &str,
        body: Option<Bytes>,
        idempotency_key: Option<&str>,
    ) -> Result<Executed, Error> {
        let generated;
        let idempotency_key = match (idempotency_key, operation.method) {
            (Some(key), _) => Some(key),
            (None, "POST") => {
                generated = uuid::Uuid::new_v4().to_string();
                Some(generated.as_str())
            }
            (None, _) => None,
        };
        let request = Request {
            operation,
            path_and_query,
            body,
            idempotency_key,
        };
        let deadline = Instant::now() + self.inner.config.deadline;
        let span = tracing::info_span!(
            "exsited.operation",
            operation = operation.id,
            method = operation.method,
            path = operation.template,
        );
        self.inner
            .execute(&request, true, deadline)
            .instrument(span)
            .await
    }

    /// Runs an operation that must succeed: any other response becomes the matching error, a
    /// 404 naming `not_found`.
    /// [`request`](Self::request) without a body: the reads, enable and disable.
    pub(crate) async fn fetch(
        &self,
        operation: Operation,
        path_and_query: &str,
        not_found: Option<Target>,
    ) -> Result<Response, Error> {
        self.request(operation, path_and_query, None, None, not_found)
            .await
    }

    pub(crate) async fn request(
        &self,
        operation: Operation,
        path_and_query: &str,
        body: Option<Bytes>,
        idempotency_key: Option<&str>,
        not_found: Option<Target>,
    ) -> Result<Response, Error> {
        let executed = self
            .run(operation, path_and_query, body, idempotency_key)
            .await?;
        if errors::is_success(&executed.response) {
            Ok(executed.response)
        } else {
            Err(errors::from_response(
                &executed.response,
                not_found.as_ref(),
            ))
        }
    }
}

/// A request body. Encoding our own wire types cannot fail; the error path exists for form.
///
/// Create bodies carry partner secrets: the buffer is wiped when the last reference to it is
/// dropped (after the last attempt), like a `SecretString`. Copies that hyper or rustls make
/// into their own write buffers are beyond reach.
pub(crate) fn json<T: serde::Serialize>(value: &T) -> Result<Bytes, Error> {
    serde_json::to_vec(value)
        .map(|body| Bytes::from_owner(WipedOnDrop(body)))
        .map_err(|e| Error::invalid_input("body", e.to_string()))
}

/// A buffer zeroized when dropped.
struct WipedOnDrop(Vec<u8>);

impl AsRef<[u8]> for WipedOnDrop {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl Drop for WipedOnDrop {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.0);
    }
}

/// What a 404 names, for the common case of a connection id.
pub(crate) fn connection_target(id: impl ToString) -> Option<Target> {
    Target::new(Resource::Connection, id)
}
