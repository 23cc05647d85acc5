//! One operation: attempts, the retries the rules allow, the waits between them, the one token
//! refresh and replay after a 401, all within the operation's deadline.

use std::time::{Duration, Instant, SystemTime};

use exsited_core::Error;

use crate::client::Inner;
use crate::exchange::{Failure, Request, Response};
use crate::retry;

/// The final response of an operation, and what the attempts before it left unknown.
pub(crate) struct Executed {
    pub(crate) response: Response,
    /// Whether an earlier attempt was sent and its outcome lost (timeout, dropped connection,
    /// 5xx): the request may already have taken effect, as a DELETE that now gets 404.
    pub(crate) after_unknown: bool,
}

/// What to do after an attempt that did not settle the operation.
struct Retry {
    /// The server's `Retry-After`, which replaces the computed backoff.
    retry_after: Option<Duration>,
    /// Whether this attempt's outcome is unknown.
    unknown: bool,
    /// The result to return if no retry happens.
    give_up: Result<Response, Error>,
}

impl Inner {
    /// Runs `request` until it settles; any response that is not retried is returned, whatever
    /// its status, for the operation to interpret.
    pub(crate) async fn execute(
        &self,
        request: &Request<'_>,
        authenticated: bool,
        deadline: Instant,
    ) -> Result<Executed, Error> {
        let method = request.operation.method;
        let idempotent = retry::is_idempotent(method);
        let policy = self.config.retry;
        let mut attempt = 0;
        let mut failures = 0;
        let mut replayed = false;
        let mut rejected = None;
        let mut unknown = false;
        loop {
            attempt += 1;
            let token = if authenticated {
                Some(self.auth.token(self, rejected, deadline).await?)
            } else {
                None
            };
            let remaining = deadline.saturating_duration_since(Instant::now());
            if remaining.is_zero() {
                return Err(Error::Timeout {
                    maybe_processed: unknown,
                });
            }
            let timeout = self.config.attempt_timeout.min(remaining);
            let bearer = token.as_ref().map(|t| &t.bearer);
            let next = match self.http.send(request, bearer, attempt, timeout).await {
                Ok(response) => {
                    if response.status == 401
                        && authenticated
                        && !replayed
                        && self.auth.can_refresh()
                    {
                        // The token may have been revoked by another grant: one fresh token,
                        // one replay. A second 401 is the answer.
                        replayed = true;
                        rejected = token.map(|t| t.generation);
                        continue;
                    }
                    let retry_after = retry::retry_after(&response.headers, SystemTime::now());
                    if !retry::may_retry_status(method, response.status, retry_after.is_some()) {
                        return Ok(Executed {
                            response,
                            after_unknown: unknown,
                        });
                    }
                    Retry {
                        retry_after,
                        unknown: response.status >= 500,
                        give_up: Ok(response),
                    }
                }
                Err(Failure::NotSent(source)) => Retry {
                    retry_after: None,
                    unknown: false,
                    give_up: Err(Error::Unavailable {
                        message: format!("could not connect to {}", self.config.base.host),
                        maybe_processed: unknown,
                        source: Some(source),
                    }),
                },
                Err(Failure::Tls(tls)) => {
                    // The same certificate meets the next attempt: no retry.
                    return Err(Error::Unavailable {
                        message: format!("{tls}; {}", tls.remedy()),
                        maybe_processed: unknown,
                        source: Some(Box::new(tls)),
                    });
                }
                Err(Failure::Dropped(source)) => Retry {
                    retry_after: None,
                    unknown: true,
                    give_up: Err(Error::Unavailable {
                        message: "the connection failed before the response was complete"
                            .to_owned(),
                        maybe_processed: true,
                        source: Some(source),
                    }),
                },
                Err(Failure::Timeout) => Retry {
                    retry_after: None,
                    unknown: true,
                    give_up: Err(Error::Timeout {
                        maybe_processed: true,
                    }),
                },
                Err(Failure::BodyTooLarge { status, request_id }) => {
                    return Err(Error::Backend {
                        status: Some(status),
                        messages: vec![format!(
                            "the response body is larger than the {}-byte limit",
                            self.config.max_response_bytes
                        )],
                        request_id: Some(request_id),
                    });
                }
            };
            let Retry {
                retry_after,
                unknown: this_unknown,
                give_up,
            } = next;
            let settle = |give_up: Result<Response, Error>, after_unknown| {
                give_up.map(|response| Executed {
                    response,
                    after_unknown,
                })
            };
            // A sent POST or PATCH whose fate is unknown must not be repeated: it may have
            // been applied. (A response that allowed a retry was handled above.)
            if this_unknown && !idempotent && give_up.is_err() {
                return settle(give_up, unknown);
            }
            failures += 1;
            if failures >= policy.max_attempts() {
                return settle(give_up, unknown);
            }
            let wait = retry_after.unwrap_or_else(|| policy.backoff(failures));
            if Instant::now() + wait >= deadline {
                tracing::debug!(
                    wait_ms = wait.as_millis() as u64,
                    "no retry: the wait would pass the deadline"
                );
                return settle(give_up, unknown);
            }
            unknown |= this_unknown;
            tracing::debug!(attempt, wait_ms = wait.as_millis() as u64, "retrying");
            tokio::time::sleep(wait).await;
        }
    }
}
