//! The client and how it is made: the [`Client`] handle, the checked [`ClientConfig`] it holds,
//! and the [`ClientConfigBuilder`] that checks every setting and makes the client. The three
//! name each other (a config makes a builder, a builder a client, a client shows its config), so
//! they live together; what they run on sits in the modules below.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use exsited_core::{
    Automation, AutomationDetails, Connection, ConnectionId, Error, NewConnection, PartnerFunction,
    PartnerFunctionDetails, Resource, SecretString,
};
use exsited_spec::{convert, paths};

use crate::base_url::BaseUrl;
use crate::call::Call;
use crate::config_error::ConfigError;
use crate::credentials::Credentials;
use crate::engine::Engine;
use crate::headers;
use crate::observe::{Exchange, Observer};
use crate::records;
use crate::retry::RetryPolicy;
use crate::settings::Settings;
use crate::tls;

/// The hosted API, used when no base URL is configured.
pub const DEFAULT_BASE_URL: &str = "https://dev-api.exsited.com";

/// The largest response body read by default: 16 MiB, far above any real page of records, and
/// small enough that a misbehaving server cannot exhaust memory.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const DEFAULT_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(30);
const DEFAULT_DEADLINE: Duration = Duration::from_secs(120);
const DEFAULT_POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// The environment variables [`ClientConfig::from_env`] reads.
pub const ENV_VARS: [&str; 5] = [
    "EXSITED_BASE_URL",
    "EXSITED_CLIENT_ID",
    "EXSITED_CLIENT_SECRET",
    "EXSITED_REDIRECT_URI",
    "EXSITED_TOKEN",
];

/// The client of the Exsited integration-connection API, implementing
/// [`ConnectionRepository`](exsited_core::ConnectionRepository).
///
/// Cloning is cheap and clones share the connection pool and the access token, which is what
/// the API needs: it revokes a client's previous token on every new grant, so one process
/// should hold one `Client` per client id. `Debug` never shows a secret.
#[derive(Clone)]
pub struct Client {
    config: ClientConfig,
    pub(crate) engine: Arc<Engine>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Client {
    fn new(config: ClientConfig) -> Self {
        let engine = Arc::new(Engine::new(&config.settings));
        Self { config, engine }
    }

    /// A client configured from the environment; see [`ClientConfig::from_env`].
    pub fn from_env() -> Result<Self, ConfigError> {
        ClientConfig::from_env()?.build()
    }

    /// The configuration the client was built with.
    pub fn config(&self) -> &ClientConfig {
        &self.config
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
        headers::check_idempotency_key(idempotency_key)?;
        let call = Call::new(paths::create_connection())
            .json(&convert::new_connection_to_wire(&new))?
            .idempotency_key(idempotency_key);
        records::created_connection(&self.engine.expect(&call).await?)
    }

    /// Creates an automation under `connection`, sending `idempotency_key` as
    /// `X-Idempotency-Key`; see [`Client::create_with_idempotency_key`].
    pub async fn create_automation_with_idempotency_key(
        &self,
        connection: ConnectionId,
        details: AutomationDetails,
        idempotency_key: &str,
    ) -> Result<Automation, Error> {
        headers::check_idempotency_key(idempotency_key)?;
        let call = Call::new(paths::create_automation(connection))
            .json(&convert::automation_create_to_wire(&details))?
            .idempotency_key(idempotency_key)
            .not_found(Resource::Connection, connection);
        records::automation(&self.engine.expect(&call).await?, connection)
    }

    /// Creates a partner function under `connection`, sending `idempotency_key` as
    /// `X-Idempotency-Key`; see [`Client::create_with_idempotency_key`].
    pub async fn create_partner_function_with_idempotency_key(
        &self,
        connection: ConnectionId,
        details: PartnerFunctionDetails,
        idempotency_key: &str,
    ) -> Result<PartnerFunction, Error> {
        headers::check_idempotency_key(idempotency_key)?;
        let call = Call::new(paths::create_partner_function(connection))
            .json(&convert::partner_function_create_to_wire(&details))?
            .idempotency_key(idempotency_key)
            .not_found(Resource::Connection, connection);
        records::partner_function(&self.engine.expect(&call).await?, connection)
    }
}

/// A checked configuration, as a [`Client`] holds it. Made by [`ClientConfig::builder`] or
/// [`ClientConfig::from_env`].
///
/// `Debug` shows every setting with the secrets redacted.
#[derive(Clone)]
pub struct ClientConfig {
    settings: Arc<Settings>,
}

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.settings;
        f.debug_struct("ClientConfig")
            .field("base_url", &s.base.to_string())
            .field("auth", &s.credentials)
            .field("user_agent", &s.user_agent)
            .field("connect_timeout", &s.connect_timeout)
            .field("attempt_timeout", &s.attempt_timeout)
            .field("deadline", &s.deadline)
            .field("pool_idle_timeout", &s.pool_idle_timeout)
            .field("retry", &s.retry)
            .field("max_response_bytes", &s.max_response_bytes)
            .field("root_certificates", &s.extra_roots)
            .field("observer", &s.observer.as_ref().map(|_| "<callback>"))
            .finish()
    }
}

impl ClientConfig {
    /// A builder with the defaults: the hosted API, 10 s to connect, 30 s per attempt, 120 s per
    /// operation, [`RetryPolicy::default`], a 16 MiB body limit. Credentials are required.
    pub fn builder() -> ClientConfigBuilder {
        ClientConfigBuilder::default()
    }

    /// A builder filled from the environment: `EXSITED_BASE_URL`, `EXSITED_CLIENT_ID`,
    /// `EXSITED_CLIENT_SECRET`, `EXSITED_REDIRECT_URI` and `EXSITED_TOKEN` (unset or empty
    /// variables are skipped). Further settings can be chained before
    /// [`build`](ClientConfigBuilder::build), which reports missing credentials.
    pub fn from_env() -> Result<ClientConfigBuilder, ConfigError> {
        let mut values = Vec::new();
        for name in ENV_VARS {
            if let Some(value) = std::env::var_os(name) {
                let value = value
                    .into_string()
                    .map_err(|_| ConfigError::InvalidEnvironment { name })?;
                values.push((name, value));
            }
        }
        Ok(Self::from_lookup(|name| {
            values
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.clone())
        }))
    }

    /// Like [`from_env`](Self::from_env), reading the same variable names from `lookup` (a
    /// `.env` file already parsed, a test's map) instead of the process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> ClientConfigBuilder {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let mut builder = ClientConfigBuilder::default();
        if let Some(url) = get("EXSITED_BASE_URL") {
            builder = builder.base_url(url);
        }
        builder.client_id = get("EXSITED_CLIENT_ID");
        builder.client_secret = get("EXSITED_CLIENT_SECRET").map(SecretString::new);
        builder.redirect_uri = get("EXSITED_REDIRECT_URI");
        builder.token = get("EXSITED_TOKEN").map(SecretString::new);
        builder
    }

    /// The base URL requests go to (scheme, host and path prefix).
    pub fn base_url(&self) -> String {
        self.settings.base.to_string()
    }
}

/// Sets up a [`Client`]; see [`ClientConfig::builder`]. Every check runs in
/// [`build`](Self::build).
///
/// ```
/// use std::time::Duration;
/// use exsited_core::SecretString;
/// use exsited_transport::{ClientConfig, RetryPolicy};
///
/// let client = ClientConfig::builder()
///     .base_url("https://dev-api.exsited.com")
///     .credentials("my-client-id", SecretString::new("my-client-secret"))
///     .attempt_timeout(Duration::from_secs(20))
///     .retry_policy(RetryPolicy::new(3, Duration::from_millis(100), Duration::from_secs(5)))
///     .build()?;
/// assert!(!format!("{client:?}").contains("my-client-secret"));
/// # Ok::<(), exsited_transport::ConfigError>(())
/// ```
#[derive(Clone)]
pub struct ClientConfigBuilder {
    base_url: String,
    client_id: Option<String>,
    client_secret: Option<SecretString>,
    redirect_uri: Option<String>,
    token: Option<SecretString>,
    user_agent: String,
    connect_timeout: Duration,
    attempt_timeout: Duration,
    deadline: Duration,
    pool_idle_timeout: Duration,
    retry: RetryPolicy,
    max_response_bytes: usize,
    allow_insecure_http: bool,
    root_certificates_pem: Vec<Vec<u8>>,
    observer: Option<Observer>,
}

impl Default for ClientConfigBuilder {
    fn default() -> Self {
        Self {
            base_url: DEFAULT_BASE_URL.to_owned(),
            client_id: None,
            client_secret: None,
            redirect_uri: None,
            token: None,
            user_agent: concat!("exsited-rs/", env!("CARGO_PKG_VERSION")).to_owned(),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            attempt_timeout: DEFAULT_ATTEMPT_TIMEOUT,
            deadline: DEFAULT_DEADLINE,
            pool_idle_timeout: DEFAULT_POOL_IDLE_TIMEOUT,
            retry: RetryPolicy::default(),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            allow_insecure_http: false,
            root_certificates_pem: Vec::new(),
            observer: None,
        }
    }
}

impl fmt::Debug for ClientConfigBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfigBuilder")
            .field("base_url", &self.base_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("redirect_uri", &self.redirect_uri)
            .field("token", &self.token)
            .field("user_agent", &self.user_agent)
            .field("connect_timeout", &self.connect_timeout)
            .field("attempt_timeout", &self.attempt_timeout)
            .field("deadline", &self.deadline)
            .field("pool_idle_timeout", &self.pool_idle_timeout)
            .field("retry", &self.retry)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("root_certificates_pem", &self.root_certificates_pem.len())
            .field("observer", &self.observer.as_ref().map(|_| "<callback>"))
            .finish()
    }
}

impl ClientConfigBuilder {
    /// Where the API is: scheme, host, optional port and path prefix
    /// (`https://gateway.example.com/exsited`). Default [`DEFAULT_BASE_URL`].
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Client credentials, exchanged for access tokens (and refreshed) by the client.
    pub fn credentials(
        mut self,
        client_id: impl Into<String>,
        client_secret: SecretString,
    ) -> Self {
        self.client_id = Some(client_id.into());
        self.client_secret = Some(client_secret);
        self
    }

    /// The `redirect_uri` sent with token requests (every vendor SDK sends one; the API ignores
    /// it). Default empty.
    pub fn redirect_uri(mut self, redirect_uri: impl Into<String>) -> Self {
        self.redirect_uri = Some(redirect_uri.into());
        self
    }

    /// A bearer token obtained elsewhere, instead of client credentials. It is never refreshed:
    /// once the API rejects it, calls fail with `Unauthorized`.
    pub fn bearer_token(mut self, token: SecretString) -> Self {
        self.token = Some(token);
        self
    }

    /// The `User-Agent` header. Default `exsited-rs/<version>`.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// How long to wait for a TCP connection (and the TLS handshake). Default 10 s.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long one attempt may take, from sending the request to the end of the response
    /// body. Default 30 s.
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = timeout;
        self
    }

    /// How long one operation may take in all: token requests, attempts and the waits between
    /// them. Default 120 s.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// How long an unused pooled connection is kept. Default 60 s.
    pub fn pool_idle_timeout(mut self, timeout: Duration) -> Self {
        self.pool_idle_timeout = timeout;
        self
    }

    /// When and how often to retry. Default [`RetryPolicy::default`].
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The largest response body read; a larger one fails the call. Default 16 MiB.
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// Allows plain `http://` to hosts that are not loopback (loopback hosts are always
    /// allowed). Only for test networks: credentials and tokens then travel unencrypted.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Trusts the certificate(s) of a PEM document as roots, in addition to the built-in Mozilla
    /// roots (a company proxy, a test server's CA). Checked in [`build`](Self::build).
    pub fn add_root_certificate_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.root_certificates_pem.push(pem.into());
        self
    }

    /// Called once per HTTP exchange, token requests and retries included, with a summary that
    /// holds no secret. Keep it quick: it runs on the request's task.
    pub fn observer(mut self, observer: impl Fn(&Exchange) + Send + Sync + 'static) -> Self {
        self.observer = Some(Arc::new(observer));
        self
    }

    /// Checks every setting and makes the client (no connection is opened yet).
    pub fn build(self) -> Result<Client, ConfigError> {
        Ok(Client::new(ClientConfig {
            settings: Arc::new(self.check()?),
        }))
    }

    fn check(self) -> Result<Settings, ConfigError> {
        let base = BaseUrl::parse(&self.base_url)?;
        if base.scheme == "http" && !base.is_loopback() && !self.allow_insecure_http {
            return Err(ConfigError::InsecureHttp { host: base.host });
        }
        let credentials = Credentials::new(
            self.client_id,
            self.client_secret,
            self.token,
            self.redirect_uri,
        )?;
        for (name, value) in [
            ("connect timeout", self.connect_timeout),
            ("attempt timeout", self.attempt_timeout),
            ("deadline", self.deadline),
            ("pool idle timeout", self.pool_idle_timeout),
        ] {
            if value.is_zero() {
                return Err(ConfigError::ZeroTimeout { name });
            }
        }
        self.retry.check()?;
        if self.max_response_bytes == 0 {
            return Err(ConfigError::ZeroBodyLimit);
        }
        let user_agent = headers::user_agent(&self.user_agent)?;
        let mut roots = Vec::new();
        for pem in &self.root_certificates_pem {
            roots.extend(tls::parse_pem_certificates(pem)?);
        }
        Ok(Settings {
            base,
            credentials,
            user_agent,
            connect_timeout: self.connect_timeout,
            attempt_timeout: self.attempt_timeout,
            deadline: self.deadline,
            pool_idle_timeout: self.pool_idle_timeout,
            retry: self.retry,
            max_response_bytes: self.max_response_bytes,
            tls: tls::client_config(&roots)?,
            extra_roots: roots.len(),
            observer: self.observer,
        })
    }
}
