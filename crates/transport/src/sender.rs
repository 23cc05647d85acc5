//! One request sent until it settles: attempts, the retries the rules allow, the waits between
//! them, all within a deadline. The sender knows nothing of tokens: it sends what it is given,
//! and a 401 is an answer like any other.

use std::time::{Duration, Instant, SystemTime};

use exsited_core::Error;
use http::HeaderValue;

use crate::exchange::{Failure, Http, Request};
use crate::response::Response;
use crate::retry::{self, RetryPolicy};
use crate::settings::Settings;

/// The pooled HTTP client with the retry rules and the time each attempt may take.
pub(crate) struct Sender {
    http: Http,
    policy: RetryPolicy,
    attempt_timeout: Duration,
    /// The API's host, for messages.
    host: String,
    max_response_bytes: usize,
}

/// What the attempts of one request have left so far. A request sent again after a 401 (with
/// a fresh token) carries it on: its attempts are numbered on, count against the same limit,
/// and an earlier attempt that may have been applied is not forgotten.
#[derive(Debug, Default)]
pub(crate) struct Progress {
    attempts: u32,
    failures: u32,
    /// Whether an attempt was sent and its outcome lost (timeout, dropped connection, 5xx).
    unknown: bool,
}

/// The final response of a request, and what the attempts before it left unknown.
pub(crate) struct Executed {
    pub(crate) response: Response,
    /// Whether an earlier attempt was sent and its outcome lost: the request may already have
    /// taken effect, as a DELETE that now gets 404.
    pub(crate) after_unknown: bool,
}

/// What to do after an attempt that did not settle the request.
struct Retry {
    /// The server's `Retry-After`, which replaces the computed backoff.
    retry_after: Option<Duration>,
    /// Whether this attempt's outcome is unknown.
    unknown: bool,
    /// The result to return if no retry happens.
    give_up: Result<Response, Error>,
}

impl Sender {
    pub(crate) fn new(settings: &Settings) -> Self {
        Self {
            http: Http::new(settings),
            policy: settings.retry,
            attempt_timeout: settings.attempt_timeout,
            host: settings.base.host.clone(),
            max_response_bytes: settings.max_response_bytes,
        }
    }

    /// Sends `request` with `bearer` (if any) until it settles. Any response that is not
    /// retried is returned, whatever its status, for the caller to interpret.
    pub(crate) async fn send(
        &self,
        request: &Request,
        bearer: Option<&HeaderValue>,
        progress: &mut Progress,
        deadline: Instant,
    ) -> Result<Executed, Error> {
        let method = request.operation.method;
        loop {
            progress.attempts += 1;
            let remaining = deadline.saturating_duration_since(Instant::now());
            if remaining.is_zero() {
                return Err(Error::Timeout {
                    maybe_processed: progress.unknown,
                });
            }
            let timeout = self.attempt_timeout.min(remaining);
            let sent = self
                .http
                .send(request, bearer, progress.attempts, timeout)
                .await;
            let Retry {
                retry_after,
                unknown,
                give_up,
            } = match sent {
                Ok(response) => {
                    let retry_after = retry::retry_after(&response.headers, SystemTime::now());
                    if !retry::may_retry_status(method, response.status, retry_after.is_some()) {
                        return Ok(Executed {
                            response,
                            after_unknown: progress.unknown,
                        });
                    }
                    Retry {
                        retry_after,
                        unknown: response.status >= 500,
                        give_up: Ok(response),
                    }
                }
                Err(failure) => self.after_failure(failure, progress)?,
            };
            let settle = |give_up: Result<Response, Error>, after_unknown| {
                give_up.map(|response| Executed {
                    response,
                    after_unknown,
                })
            };
            // A sent POST or PATCH whose fate is unknown must not be repeated: it may have
            // been applied. (A response that allowed a retry was handled above.)
            if unknown && !retry::is_idempotent(method) && give_up.is_err() {
                return settle(give_up, progress.unknown);
            }
            progress.failures += 1;
            if progress.failures >= self.policy.max_attempts() {
                return settle(give_up, progress.unknown);
            }
            let wait = retry_after.unwrap_or_else(|| self.policy.backoff(progress.failures));
            if Instant::now() + wait >= deadline {
                tracing::debug!(
                    wait_ms = wait.as_millis() as u64,
                    "no retry: the wait would pass the deadline"
                );
                return settle(give_up, progress.unknown);
            }
            progress.unknown |= unknown;
            tracing::debug!(
                attempt = progress.attempts,
                wait_ms = wait.as_millis() as u64,
                "retrying"
            );
            tokio::time::sleep(wait).await;
        }
    }

    /// What an attempt without a complete response leaves: a retry to consider, or (for a
    /// failure that the next attempt would meet again) the final error.
    fn after_failure(&self, failure: Failure, progress: &Progress) -> Result<Retry, Error> {
        Ok(match failure {
            Failure::NotSent(source) => Retry {
                retry_after: None,
                unknown: false,
                give_up: Err(Error::Unavailable {
                    message: format!("could not connect to {}", self.host),
                    maybe_processed: progress.unknown,
                    source: Some(source),
                }),
            },
            // The same certificate meets the next attempt: no retry.
            Failure::Tls(tls) => {
                return Err(Error::Unavailable {
                    message: format!("{tls}; {}", tls.remedy()),
                    maybe_processed: progress.unknown,
                    source: Some(Box::new(tls)),
                });
            }
            Failure::Dropped(source) => Retry {
                retry_after: None,
                unknown: true,
                give_up: Err(Error::Unavailable {
                    message: "the connection failed before the response was complete".to_owned(),
                    maybe_processed: true,
                    source: Some(source),
                }),
            },
            Failure::Timeout => Retry {
                retry_after: None,
                unknown: true,
                give_up: Err(Error::Timeout {
                    maybe_processed: true,
                }),
            },
            Failure::BodyTooLarge { status, request_id } => {
                return Err(Error::Backend {
                    status: Some(status),
                    messages: vec![format!(
                        "the response body is larger than the {}-byte limit",
                        self.max_response_bytes
                    )],
                    request_id: Some(request_id),
                });
            }
        })
    }
}
