//! Why a client configuration was refused: each check that
//! [`build`](crate::ClientConfigBuilder::build) runs has its variant, so that a bad setting fails
//! at start-up, not at the first call.

/// A setting that [`ClientConfigBuilder::build`](crate::ClientConfigBuilder::build) refused. No
/// variant repeats a secret.
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
    /// [`allow_insecure_http`](crate::ClientConfigBuilder::allow_insecure_http).
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
