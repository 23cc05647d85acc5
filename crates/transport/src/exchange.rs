//! One HTTP exchange: send a request, read the whole response within a time and size limit, and
//! say precisely how it failed, since the retry rules depend on whether the request was sent.

use std::time::{Duration, Instant};

use bytes::Bytes;
use http::header::{ACCEPT, AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, HeaderValue, USER_AGENT};
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use tracing::Instrument;

use exsited_core::BoxError;
use exsited_spec::Operation;
use exsited_spec::headers::{X_IDEMPOTENCY_KEY, X_REQUEST_ID};
use exsited_spec::paths::Path;

use crate::base_url::BaseUrl;
use crate::headers;
use crate::observe::{Exchange, ExchangeOutcome, FailureKind, Observer};
use crate::response::Response;
use crate::settings::Settings;
use crate::text::clean;
use crate::tls_error::TlsError;

/// A request, ready to send as many times as the retry rules allow.
pub(crate) struct Request {
    pub(crate) operation: Operation,
    /// The filled path with its query string, without the base URL's prefix.
    pub(crate) path_and_query: String,
    pub(crate) body: Option<Bytes>,
    /// Sent as `X-Idempotency-Key`, the same on every attempt.
    pub(crate) idempotency_key: Option<String>,
}

impl Request {
    /// A request to `path`, without a body. Every POST gets a fresh idempotency key, which the
    /// caller may replace with its own.
    pub(crate) fn new(path: Path) -> Self {
        let operation = path.operation();
        Self {
            operation,
            path_and_query: path.into(),
            body: None,
            idempotency_key: (operation.method == "POST").then(headers::fresh_idempotency_key),
        }
    }
}

/// Why an exchange got no complete response.
#[derive(Debug)]
pub(crate) enum Failure {
    /// Nothing was sent: no connection could be made.
    NotSent(BoxError),
    /// Nothing was sent: the TLS handshake failed, and will fail the same way again.
    Tls(TlsError),
    /// The request was (or may have been) sent, then the connection failed.
    Dropped(BoxError),
    /// The attempt's time ran out; the request may have been sent.
    Timeout,
    /// The body passed the limit; the request was processed, the answer is unusable.
    BodyTooLarge { status: u16, request_id: String },
}

impl Failure {
    fn kind(&self) -> FailureKind {
        match self {
            Failure::NotSent(_) => FailureKind::Connect,
            Failure::Tls(_) => FailureKind::Tls,
            Failure::Dropped(_) => FailureKind::Dropped,
            Failure::Timeout => FailureKind::Timeout,
            Failure::BodyTooLarge { .. } => FailureKind::BodyTooLarge,
        }
    }
}

/// The pooled HTTP/1.1 client and what every request carries.
pub(crate) struct Http {
    client: HyperClient<HttpsConnector<HttpConnector>, Full<Bytes>>,
    base: BaseUrl,
    user_agent: HeaderValue,
    max_response_bytes: usize,
    observer: Option<Observer>,
}

impl Http {
    pub(crate) fn new(settings: &Settings) -> Self {
        let mut tcp = HttpConnector::new();
        tcp.set_nodelay(true);
        tcp.set_connect_timeout(Some(settings.connect_timeout));
        // The TLS layer above handles `https`; the base URL check already refused plain http
        // where it is not allowed.
        tcp.enforce_http(false);
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(settings.tls.clone())
            .https_or_http()
            .enable_http1()
            .wrap_connector(tcp);
        let client = HyperClient::builder(TokioExecutor::new())
            .pool_idle_timeout(settings.pool_idle_timeout)
            // Without a timer the idle timeout is never enforced.
            .pool_timer(TokioTimer::new())
            .timer(TokioTimer::new())
            .build(connector);
        Self {
            client,
            base: settings.base.clone(),
            user_agent: settings.user_agent.clone(),
            max_response_bytes: settings.max_response_bytes,
            observer: settings.observer.clone(),
        }
    }

    /// Sends `request` once, within `timeout`, and reports it to the observer and the trace.
    pub(crate) async fn send(
        &self,
        request: &Request,
        bearer: Option<&HeaderValue>,
        attempt: u32,
        timeout: Duration,
    ) -> Result<Response, Failure> {
        // A request id needs to be unique, not unpredictable: a version-4 UUID from the fast
        // generator the backoff jitter uses, instead of a system call per request.
        let sent_id = uuid::Builder::from_random_bytes(fastrand::u128(..).to_le_bytes())
            .into_uuid()
            .to_string();
        let span = tracing::debug_span!(
            "exsited.attempt",
            method = request.operation.method,
            path = request.operation.template,
            attempt,
            request_id = %sent_id,
            status = tracing::field::Empty,
            error = tracing::field::Empty,
            elapsed_ms = tracing::field::Empty,
        );
        let started = Instant::now();
        let result = tokio::time::timeout(timeout, self.exchange(request, bearer, &sent_id))
            .instrument(span.clone())
            .await
            .unwrap_or(Err(Failure::Timeout));
        let elapsed = started.elapsed();
        span.record("elapsed_ms", elapsed.as_millis() as u64);
        let (outcome, request_id) = match &result {
            Ok(response) => {
                span.record("status", response.status);
                (
                    ExchangeOutcome::Status(response.status),
                    response.request_id.clone(),
                )
            }
            Err(failure) => {
                span.record("error", tracing::field::display(failure.kind()));
                (ExchangeOutcome::Failed(failure.kind()), sent_id)
            }
        };
        span.in_scope(|| tracing::debug!(%outcome, "exchange finished"));
        if let Some(observer) = &self.observer {
            observer(&Exchange {
                method: request.operation.method,
                path: request.operation.template,
                outcome,
                attempt,
                elapsed,
                request_id,
            });
        }
        result
    }

    async fn exchange(
        &self,
        request: &Request,
        bearer: Option<&HeaderValue>,
        sent_id: &str,
    ) -> Result<Response, Failure> {
        let http_request = self
            .build(request, bearer, sent_id)
            .map_err(|e| Failure::NotSent(e.into()))?;
        let response = self.client.request(http_request).await.map_err(|e| {
            if e.is_connect()
                && let Some(tls) = TlsError::from_connect_error(&self.base.host, &e)
            {
                Failure::Tls(tls)
            } else if is_not_sent(&e) {
                Failure::NotSent(e.into())
            } else {
                Failure::Dropped(e.into())
            }
        })?;
        let (parts, body) = response.into_parts();
        let status = parts.status.as_u16();
        let headers = parts.headers;
        let request_id = headers
            .get(X_REQUEST_ID.lowercase)
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.is_empty())
            .map_or_else(|| sent_id.to_owned(), |v| clean(v, 128));
        let too_large = || Failure::BodyTooLarge {
            status,
            request_id: request_id.clone(),
        };
        // A declared length over the limit fails before a byte of the body is read.
        let declared = headers
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|len| len > self.max_response_bytes as u64) {
            return Err(too_large());
        }
        let body = Limited::new(body, self.max_response_bytes)
            .collect()
            .await
            .map_err(|e| {
                if e.downcast_ref::<LengthLimitError>().is_some() {
                    too_large()
                } else {
                    Failure::Dropped(e)
                }
            })?
            .to_bytes();
        Ok(Response {
            status,
            headers,
            body,
            request_id,
        })
    }

    fn build(
        &self,
        request: &Request,
        bearer: Option<&HeaderValue>,
        sent_id: &str,
    ) -> Result<http::Request<Full<Bytes>>, http::Error> {
        let mut builder = http::Request::builder()
            .method(request.operation.method)
            .uri(self.base.url(&request.path_and_query))
            .header(USER_AGENT, self.user_agent.clone())
            .header(ACCEPT, "application/json")
            .header(X_REQUEST_ID.lowercase, sent_id);
        if let Some(value) = bearer {
            // Marked sensitive when it was built (`headers::bearer`).
            builder = builder.header(AUTHORIZATION, value.clone());
        }
        if let Some(key) = &request.idempotency_key {
            builder = builder.header(X_IDEMPOTENCY_KEY.lowercase, key.as_str());
        }
        let body = match &request.body {
            Some(body) => {
                builder = builder.header(CONTENT_TYPE, "application/json");
                body.clone()
            }
            None => Bytes::new(),
        };
        builder.body(Full::new(body))
    }
}

/// Whether the client failed before writing the request: a connect failure (DNS, refused, TLS,
/// connect timeout), or a request cancelled in the pool before it was written.
fn is_not_sent(error: &hyper_util::client::legacy::Error) -> bool {
    if error.is_connect() {
        return true;
    }
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        if let Some(hyper_error) = cause.downcast_ref::<hyper::Error>() {
            return hyper_error.is_canceled();
        }
        source = cause.source();
    }
    false
}
