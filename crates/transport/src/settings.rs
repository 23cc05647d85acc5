//! The checked settings a client runs with, as
//! [`ClientConfigBuilder::build`](crate::ClientConfigBuilder::build) leaves them: what the
//! exchange, the sender and the token source are made from. Its public face is
//! [`ClientConfig`](crate::ClientConfig).

use std::time::Duration;

use http::HeaderValue;

use crate::base_url::BaseUrl;
use crate::credentials::Credentials;
use crate::observe::Observer;
use crate::retry::RetryPolicy;

/// Every setting, checked.
pub(crate) struct Settings {
    pub(crate) base: BaseUrl,
    pub(crate) credentials: Credentials,
    pub(crate) user_agent: HeaderValue,
    pub(crate) connect_timeout: Duration,
    pub(crate) attempt_timeout: Duration,
    pub(crate) deadline: Duration,
    pub(crate) pool_idle_timeout: Duration,
    pub(crate) retry: RetryPolicy,
    pub(crate) max_response_bytes: usize,
    /// The rustls configuration: the built-in roots and `extra_roots` more.
    pub(crate) tls: rustls::ClientConfig,
    pub(crate) extra_roots: usize,
    pub(crate) observer: Option<Observer>,
}
