//! The client's configuration: what can be set, the defaults, and the checks `build` runs so
//! that a bad setting fails at start-up with a clear [`ConfigError`], not at the first call.

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use exsited_core::SecretString;

use crate::client::Client;
use crate::observe::{Exchange, Observer};
use crate::retry::RetryPolicy;

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

/// A setting that [`ClientConfigBuilder::build`] refused. No variant repeats a secret.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The base URL is not an absolute `http`/`https` URL with a host and no query.
    #[error("invalid base URL: {reason}")]
    InvalidBaseUrl {
        /// What is wrong with it.
        reason: String,
    },
    /// Plain `http` to a host that is not loopback, without
    /// [`allow_insecure_http`](ClientConfigBuilder::allow_insecure_http).
    #[error(
        "plain http to {host} would send credentials unencrypted: use https, or allow insecure http explicitly"
    )]
    InsecureHttp {
        /// The host of the base URL.
        host: String,
    },
    /// Neither client credentials nor a bearer token were given.
    #[error("no credentials: set a client id and client secret, or a bearer token")]
    MissingCredentials,
    /// Both client credentials and a bearer token were given.
    #[error("both client credentials and a bearer token are set: choose one")]
    ConflictingCredentials,
    /// The bearer token has characters an HTTP header cannot carry (a line break, say).
    #[error("the bearer token cannot be sent in an Authorization header (control characters?)")]
    InvalidToken,
    /// Client credentials with a part missing.
    #[error("incomplete client credentials: the {missing} is missing")]
    IncompleteCredentials {
        /// `"client id"` or `"client secret"`.
        missing: &'static str,
    },
    /// A timeout of zero, which would fail every call.
    #[error("the {name} must be greater than zero")]
    ZeroTimeout {
        /// Which one: `"connect timeout"`, `"attempt timeout"`, `"deadline"`, `"pool idle timeout"`.
        name: &'static str,
    },
    /// A retry policy that cannot work.
    #[error("invalid retry policy: {reason}")]
    InvalidRetryPolicy {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A response body limit of zero bytes.
    #[error("the response body limit must be at least one byte")]
    ZeroBodyLimit,
    /// A custom root certificate that is not a PEM certificate rustls accepts.
    #[error("invalid root certificate: {reason}")]
    InvalidRootCertificate {
        /// What is wrong with it.
        reason: String,
    },
    /// A user agent that is not a valid header value.
    #[error("invalid user agent: it must be visible ASCII")]
    InvalidUserAgent,
    /// An environment variable that is set but not UTF-8.
    #[error("environment variable {name} is not valid UTF-8")]
    InvalidEnvironment {
        /// The variable's name.
        name: &'static str,
    },
    /// The TLS stack refused the configuration.
    #[error("TLS configuration failed: {reason}")]
    Tls {
        /// What rustls said.
        reason: String,
    },
}

/// How the client authenticates.
#[derive(Clone)]
pub(crate) enum AuthConfig {
    /// Client credentials, exchanged for tokens at `POST /api/v1/oauth2/token`.
    Credentials {
        client_id: String,
        client_secret: SecretString,
        redirect_uri: String,
    },
    /// A token obtained elsewhere; it cannot be refreshed.
    Bearer(SecretString),
}

impl fmt::Debug for AuthConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // The client id is not a secret (the contract says so); it helps tell configs apart.
            AuthConfig::Credentials {
                client_id,
                client_secret,
                redirect_uri,
            } => f
                .debug_struct("Credentials")
                .field("client_id", client_id)
                .field("client_secret", client_secret)
                .field("redirect_uri", redirect_uri)
                .finish(),
            AuthConfig::Bearer(token) => f.debug_tuple("Bearer").field(token).finish(),
        }
    }
}

/// The base URL, split once so that every request URL is built the same way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BaseUrl {
    pub(crate) scheme: &'static str,
    pub(crate) authority: String,
    /// The path prefix without a trailing slash (`""` or `/exsited`).
    pub(crate) prefix: String,
    pub(crate) host: String,
}

impl BaseUrl {
    fn parse(input: &str) -> Result<Self, ConfigError> {
        let bad = |reason: &str| ConfigError::InvalidBaseUrl {
            reason: reason.to_owned(),
        };
        let input = input.trim();
        if input.contains('#') {
            return Err(bad("it must not have a fragment"));
        }
        let uri: http::Uri = input
            .parse()
            .map_err(|_| bad("not a URL like https://dev-api.exsited.com"))?;
        let scheme = match uri.scheme_str().map(str::to_ascii_lowercase).as_deref() {
            Some("https") => "https",
            Some("http") => "http",
            Some(_) => return Err(bad("the scheme must be http or https")),
            None => return Err(bad("it must be absolute, like https://dev-api.exsited.com")),
        };
        let authority = uri.authority().ok_or_else(|| bad("it has no host"))?;
        // Credentials in the URL would end up in logs and error messages.
        if authority.as_str().contains('@') {
            return Err(bad("it must not contain a user name or password"));
        }
        let host = authority.host();
        if host.is_empty() {
            return Err(bad("it has no host"));
        }
        if uri.query().is_some() {
            return Err(bad("it must not have a query"));
        }
        Ok(Self {
            scheme,
            authority: authority.as_str().to_ascii_lowercase(),
            prefix: uri.path().trim_end_matches('/').to_owned(),
            host: host.to_ascii_lowercase(),
        })
    }

    fn is_loopback(&self) -> bool {
        let host = self.host.trim_start_matches('[').trim_end_matches(']');
        host == "localhost"
            || host.ends_with(".localhost")
            || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
    }

    /// The absolute URL of `path_and_query` (which starts with `/`).
    pub(crate) fn url(&self, path_and_query: &str) -> String {
        format!(
            "{}://{}{}{}",
            self.scheme, self.authority, self.prefix, path_and_query
        )
    }
}

impl fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}{}", self.scheme, self.authority, self.prefix)
    }
}

/// A checked configuration, as a [`Client`] holds it. Made by [`ClientConfig::builder`] or
/// [`ClientConfig::from_env`].
///
/// `Debug` shows every setting with the secrets redacted.
#[derive(Clone)]
pub struct ClientConfig {
    pub(crate) base: BaseUrl,
    pub(crate) auth: AuthConfig,
    pub(crate) user_agent: String,
    pub(crate) connect_timeout: Duration,
    pub(crate) attempt_timeout: Duration,
    pub(crate) deadline: Duration,
    pub(crate) pool_idle_timeout: Duration,
    pub(crate) retry: RetryPolicy,
    pub(crate) max_response_bytes: usize,
    pub(crate) root_certificates: Vec<rustls_pki_types::CertificateDer<'static>>,
    pub(crate) observer: Option<Observer>,
}

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfig")
            .field("base_url", &self.base.to_string())
            .field("auth", &self.auth)
            .field("user_agent", &self.user_agent)
            .field("connect_timeout", &self.connect_timeout)
            .field("attempt_timeout", &self.attempt_timeout)
            .field("deadline", &self.deadline)
            .field("pool_idle_timeout", &self.pool_idle_timeout)
            .field("retry", &self.retry)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("root_certificates", &self.root_certificates.len())
            .field("observer", &self.observer.as_ref().map(|_| "<callback>"))
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
        self.base.to_string()
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
        Client::new(self.into_config()?)
    }

    fn into_config(self) -> Result<ClientConfig, ConfigError> {
        let base = BaseUrl::parse(&self.base_url)?;
        if base.scheme == "http" && !base.is_loopback() && !self.allow_insecure_http {
            return Err(ConfigError::InsecureHttp { host: base.host });
        }
        let auth = match (self.client_id, self.client_secret, self.token) {
            (None, None, Some(token)) if !token.is_empty() => {
                if crate::auth::bearer_header(&token).is_none() {
                    return Err(ConfigError::InvalidToken);
                }
                AuthConfig::Bearer(token)
            }
            (None, None, _) => return Err(ConfigError::MissingCredentials),
            (_, _, Some(_)) => return Err(ConfigError::ConflictingCredentials),
            (Some(id), Some(secret), None) => {
                if id.trim().is_empty() {
                    return Err(ConfigError::IncompleteCredentials {
                        missing: "client id",
                    });
                }
                if secret.is_empty() {
                    return Err(ConfigError::IncompleteCredentials {
                        missing: "client secret",
                    });
                }
                AuthConfig::Credentials {
                    client_id: id,
                    client_secret: secret,
                    redirect_uri: self.redirect_uri.unwrap_or_default(),
                }
            }
            (None, Some(_), None) => {
                return Err(ConfigError::IncompleteCredentials {
                    missing: "client id",
                });
            }
            (Some(_), None, None) => {
                return Err(ConfigError::IncompleteCredentials {
                    missing: "client secret",
                });
            }
        };
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
        if http::HeaderValue::from_str(&self.user_agent).is_err() || self.user_agent.is_empty() {
            return Err(ConfigError::InvalidUserAgent);
        }
        let mut root_certificates = Vec::new();
        for pem in &self.root_certificates_pem {
            root_certificates.extend(crate::tls::parse_pem_certificates(pem)?);
        }
        Ok(ClientConfig {
            base,
            auth,
            user_agent: self.user_agent,
            connect_timeout: self.connect_timeout,
            attempt_timeout: self.attempt_timeout,
            deadline: self.deadline,
            pool_idle_timeout: self.pool_idle_timeout,
            retry: self.retry,
            max_response_bytes: self.max_response_bytes,
            root_certificates,
            observer: self.observer,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_split_and_checked() {
        let base = BaseUrl::parse("https://API.example.com:8443/prefix/").unwrap();
        assert_eq!(
            base.url("/api/v1/x"),
            "https://api.example.com:8443/prefix/api/v1/x"
        );
        assert!(BaseUrl::parse("http://[::1]:8080").unwrap().is_loopback());
        assert!(BaseUrl::parse("http://127.0.0.2").unwrap().is_loopback());
        assert!(!BaseUrl::parse("http://10.0.0.1").unwrap().is_loopback());
        for bad in [
            "dev-api.exsited.com",
            "ftp://host",
            "https://user:pw@host",
            "https://host/?q=1",
            "https://host/#x",
            "",
        ] {
            assert!(
                matches!(BaseUrl::parse(bad), Err(ConfigError::InvalidBaseUrl { .. })),
                "{bad}"
            );
        }
    }
}
