//! The server's metrics hook: what it tells an [`Observer`] about each request, each token
//! grant and each confirmed delete, for an embedding process to count (the `exsited` command
//! turns it into Prometheus metrics; the server itself knows no metrics format).
//!
//! The hook is on the path of every request, so it is made to cost next to nothing: without an
//! observer it is one branch; with one, a virtual call per event with borrowed, `Copy` data (no
//! allocation, no lock). An observer must keep it that way: count with atomics, never block.
//! Nothing an observer is told names a client, a connection, a token or a secret: routes are
//! templates, and an unmatched path is not passed at all.

use std::sync::Arc;
use std::time::Duration;

use exsited_spec::token::Grant;

/// Receives the server's events. Every method has a default that does nothing, so an observer
/// implements what it counts.
pub trait Observer: Send + Sync {
    /// A request arrived; it will end in exactly one of [`request_finished`] or
    /// [`request_abandoned`].
    ///
    /// [`request_finished`]: Observer::request_finished
    /// [`request_abandoned`]: Observer::request_abandoned
    fn request_started(&self) {}

    /// A request was answered.
    fn request_finished(&self, request: &FinishedRequest<'_>) {
        let _ = request;
    }

    /// The client went away before its request was answered (the server stopped working on
    /// it).
    fn request_abandoned(&self) {}

    /// A token request succeeded.
    fn token_granted(&self, grant: GrantType) {
        let _ = grant;
    }

    /// A delete was confirmed: the connection and its sync configurations are gone (the 204).
    fn connection_deleted(&self) {}
}

/// A request as it was answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct FinishedRequest<'a> {
    /// The request's method as sent (an observer should fold unknown methods together: any
    /// token is a valid method).
    pub method: &'a str,
    /// The route template of the document (`/api/v3/integration/{uuid}`), `None` when no route
    /// matched.
    pub route: Option<&'static str>,
    /// The response's status code.
    pub status: u16,
    /// From the request's arrival to its response being ready.
    pub elapsed: Duration,
    /// What went wrong, for an error response.
    pub error: Option<ErrorKind>,
}

impl<'a> FinishedRequest<'a> {
    /// A finished request, with no error kind unless [`with_error`](Self::with_error) sets
    /// one (for an observer's own tests; the server builds its own).
    pub fn new(
        method: &'a str,
        route: Option<&'static str>,
        status: u16,
        elapsed: Duration,
    ) -> Self {
        Self {
            method,
            route,
            status,
            elapsed,
            error: None,
        }
    }

    /// The same request, ended by an error of `kind`.
    pub fn with_error(mut self, kind: ErrorKind) -> Self {
        self.error = Some(kind);
        self
    }
}

/// The grant of a successful token request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum GrantType {
    /// `client_credentials`.
    ClientCredentials,
    /// `refresh_token`.
    RefreshToken,
}

impl GrantType {
    pub(crate) fn of(grant: &Grant<'_>) -> Self {
        match grant {
            Grant::ClientCredentials => Self::ClientCredentials,
            Grant::RefreshToken(_) => Self::RefreshToken,
        }
    }
}

/// Why a request ended in an error response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// 400: a body, a path id, a query or a header that is not valid.
    BadRequest,
    /// 401: no token, or one unknown, revoked or expired; or wrong client credentials.
    Unauthorized,
    /// 403: a read-scope client asked to change data.
    Forbidden,
    /// 404: no such route or resource.
    NotFound,
    /// 405: the route exists with other methods.
    MethodNotAllowed,
    /// 408: the body did not arrive in time.
    Timeout,
    /// 409: a conflict with the stored state.
    Conflict,
    /// 413, 414, 431: a body, a request target or a head over the limits.
    TooLarge,
    /// 415: a body that is not JSON.
    UnsupportedMediaType,
    /// 422: an idempotency key reused for another request.
    Unprocessable,
    /// 429: rate limited.
    RateLimited,
    /// 503: the store is unavailable or timed out.
    Unavailable,
    /// 500: a failure of the backend or of the server.
    Internal,
    /// 500: a handler panicked.
    Panic,
    /// Any other error status.
    Other,
}

impl ErrorKind {
    /// The kind's name, in `snake_case`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BadRequest => "bad_request",
            Self::Unauthorized => "unauthorized",
            Self::Forbidden => "forbidden",
            Self::NotFound => "not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::Timeout => "timeout",
            Self::Conflict => "conflict",
            Self::TooLarge => "too_large",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::Unprocessable => "unprocessable",
            Self::RateLimited => "rate_limited",
            Self::Unavailable => "unavailable",
            Self::Internal => "internal",
            Self::Panic => "panic",
            Self::Other => "other",
        }
    }

    /// The kind of an error status (`None` below 400). The server's statuses map one to one
    /// onto the failures that cause them (`error.rs` is the one mapping), so the status is
    /// enough, except for a panic, which the service knows apart.
    pub(crate) fn of_status(status: u16) -> Option<Self> {
        Some(match status {
            0..=399 => return None,
            400 => Self::BadRequest,
            401 => Self::Unauthorized,
            403 => Self::Forbidden,
            404 => Self::NotFound,
            405 => Self::MethodNotAllowed,
            408 => Self::Timeout,
            409 => Self::Conflict,
            413 | 414 | 431 => Self::TooLarge,
            415 => Self::UnsupportedMediaType,
            422 => Self::Unprocessable,
            429 => Self::RateLimited,
            503 => Self::Unavailable,
            500 => Self::Internal,
            _ => Self::Other,
        })
    }
}

/// The server's observer, if it has one.
#[derive(Clone, Default)]
pub(crate) struct Hook(Option<Arc<dyn Observer>>);

impl Hook {
    pub(crate) fn new(observer: Arc<dyn Observer>) -> Self {
        Self(Some(observer))
    }

    pub(crate) fn is_set(&self) -> bool {
        self.0.is_some()
    }

    /// A request arrived: the guard reports how it ended, abandoned if it is dropped unfinished
    /// (hyper drops the request's future when the client goes away).
    pub(crate) fn start(&self) -> InFlight<'_> {
        if let Some(observer) = &self.0 {
            observer.request_started();
        }
        InFlight(self.0.as_deref())
    }

    pub(crate) fn token_granted(&self, grant: &Grant<'_>) {
        if let Some(observer) = &self.0 {
            observer.token_granted(GrantType::of(grant));
        }
    }

    pub(crate) fn connection_deleted(&self) {
        if let Some(observer) = &self.0 {
            observer.connection_deleted();
        }
    }
}

/// A request between [`Hook::start`] and its answer.
pub(crate) struct InFlight<'h>(Option<&'h dyn Observer>);

impl InFlight<'_> {
    /// The request was answered.
    pub(crate) fn finish(mut self, request: &FinishedRequest<'_>) {
        if let Some(observer) = self.0.take() {
            observer.request_finished(request);
        }
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        if let Some(observer) = self.0.take() {
            observer.request_abandoned();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_their_kinds() {
        assert_eq!(ErrorKind::of_status(204), None);
        assert_eq!(ErrorKind::of_status(404), Some(ErrorKind::NotFound));
        assert_eq!(ErrorKind::of_status(431), Some(ErrorKind::TooLarge));
        assert_eq!(ErrorKind::of_status(503), Some(ErrorKind::Unavailable));
        assert_eq!(ErrorKind::of_status(418), Some(ErrorKind::Other));
        assert_eq!(ErrorKind::Panic.as_str(), "panic");
    }
}
