//! One request from start to finish: request id, the head limits, routing, `OPTIONS`, limits,
//! authentication, the handler, the error envelope, the common headers and the access log
//! line.

use std::convert::Infallible;
use std::fmt;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use futures_util::FutureExt;
use http::request::Parts;
use http::{HeaderValue, Method, Request, StatusCode, header};
use hyper::body::{Body as _, Incoming};

use crate::app::App;
use crate::error::ApiError;
use crate::handlers::{self, Ctx, meta};
use crate::observe::{ErrorKind, FinishedRequest};
use crate::reply::{self, Reply, Response};
use crate::router::{Endpoint, Matched, Miss};
use crate::{auth, body, docs, head, request_id, token};

/// The most characters of an unmatched path that go into a log line or an error message.
const MAX_LOGGED_PATH: usize = 128;

/// Marks a response that left its request's body unread, so that the connection closes
/// lingering (see `linger.rs`) instead of resetting a client that is still sending.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BodyUnread;

/// Serves one request. Never fails: every outcome is a response, a panic in a handler a 500.
pub(crate) async fn handle(
    app: Arc<App>,
    request: Request<Incoming>,
) -> Result<Response, Infallible> {
    let started = Instant::now();
    let in_flight = app.observer.start();
    let (parts, incoming) = request.into_parts();
    let request_id = request_id::for_request(&parts.headers);
    let mut body = RequestBody::new(incoming);

    let outcome = match head::check(&parts) {
        Err(err) => Ok((Label::path(parts.uri.path()), Err(err))),
        Ok(()) if app.static_204 => Ok((Label::path(parts.uri.path()), Ok(Reply::no_content()))),
        Ok(()) => {
            AssertUnwindSafe(route_and_run(&app, &parts, &mut body))
                .catch_unwind()
                .await
        }
    };
    let panicked = outcome.is_err();
    let (label, result) = outcome.unwrap_or_else(|_| {
        tracing::error!("request handler panicked");
        (Label::path(parts.uri.path()), Err(ApiError::internal()))
    });

    let mut response = reply::into_response(result);
    response
        .headers_mut()
        .insert(request_id::HEADER, request_id.clone());
    if body.left_unread() {
        response.extensions_mut().insert(BodyUnread);
    }
    let (status, elapsed) = (response.status().as_u16(), started.elapsed());
    // Never a body, a query string, a token or a secret: the route template (or the bare path
    // when nothing matched), the status and the timing.
    tracing::info!(
        method = %parts.method,
        route = %label,
        status,
        elapsed_ms = elapsed.as_secs_f64() * 1000.0,
        request_id = request_id.to_str().unwrap_or_default(),
        "request"
    );
    let error = if panicked {
        Some(ErrorKind::Panic)
    } else {
        ErrorKind::of_status(status)
    };
    in_flight.finish(&FinishedRequest {
        method: parts.method.as_str(),
        route: label.route(),
        status,
        elapsed,
        error,
    });
    Ok(response)
}

fn clip(path: &str) -> String {
    path.chars().take(MAX_LOGGED_PATH).collect()
}

/// What the log line calls a request's path: its route template, or, when no route matched,
/// the path itself, cut short. Only a template is ever passed to the observer.
enum Label {
    Route(&'static str),
    Path(String),
}

impl Label {
    fn path(path: &str) -> Self {
        Self::Path(clip(path))
    }

    fn route(&self) -> Option<&'static str> {
        match self {
            Self::Route(template) => Some(template),
            Self::Path(_) => None,
        }
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Route(template) => template,
            Self::Path(path) => path,
        })
    }
}

/// A request's body: read at most once, and whether it was left (partly) unread.
struct RequestBody {
    incoming: Option<Incoming>,
    failed: bool,
}

impl RequestBody {
    fn new(incoming: Incoming) -> Self {
        Self {
            incoming: Some(incoming),
            failed: false,
        }
    }

    /// The whole body, capped and timed (see [`body::read`]).
    async fn read(&mut self, app: &App) -> Result<Bytes, ApiError> {
        let Some(incoming) = self.incoming.take() else {
            return Ok(Bytes::new());
        };
        let result = body::read(
            incoming,
            app.config.max_body_bytes,
            app.config.body_read_timeout,
        )
        .await;
        self.failed = result.is_err();
        result
    }

    fn left_unread(&self) -> bool {
        self.failed || self.incoming.as_ref().is_some_and(|b| !b.is_end_stream())
    }
}

/// The log label and the outcome of a request.
async fn route_and_run(
    app: &App,
    parts: &Parts,
    body: &mut RequestBody,
) -> (Label, Result<Reply, ApiError>) {
    let path = parts.uri.path();
    if parts.method == Method::OPTIONS {
        return options(app, path);
    }
    match app.router.find(&parts.method, path) {
        Ok(matched) => (
            Label::Route(matched.template),
            run(app, &matched, parts, body).await,
        ),
        Err(Miss::NotFound) => (Label::path(path), Err(not_found(path))),
        Err(Miss::MethodNotAllowed(allow)) => {
            let err = ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                format!(
                    "method {} is not allowed here; allowed: {allow}",
                    parts.method
                ),
            )
            .detail(exsited_spec::errors::detail::ALLOW, allow)
            .header(header::ALLOW, allow_header(allow));
            (Label::path(path), Err(err))
        }
    }
}

fn not_found(path: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        format!("no such route: {:?}", clip(path)),
    )
}

fn allow_header(allow: &str) -> HeaderValue {
    HeaderValue::from_str(allow).unwrap_or(HeaderValue::from_static("OPTIONS"))
}

/// `OPTIONS`: 204 with the `Allow` header of the route (of the whole server for `*`), no token
/// needed, since it reveals nothing the OpenAPI document does not.
fn options(app: &App, path: &str) -> (Label, Result<Reply, ApiError>) {
    let found = if path == "*" {
        Some(("*", app.router.allow_all()))
    } else {
        app.router.allow(path)
    };
    match found {
        Some((template, allow)) => (
            Label::Route(template),
            Ok(Reply::no_content().header(header::ALLOW, allow_header(allow))),
        ),
        None => (Label::path(path), Err(not_found(path))),
    }
}

async fn run(
    app: &App,
    matched: &Matched,
    parts: &Parts,
    body: &mut RequestBody,
) -> Result<Reply, ApiError> {
    body::check_declared_length(&parts.headers, app.config.max_body_bytes)?;
    match matched.endpoint {
        Endpoint::Health => return meta::health(),
        Endpoint::OpenApi => return Ok(meta::openapi()),
        Endpoint::Docs(asset) => return Ok(docs::reply(asset)),
        Endpoint::IssueToken => {
            let body = body.read(app).await?;
            return token::issue(app, &parts.headers, &body).await;
        }
        _ => {}
    }
    let caller = auth::authenticate(app, &parts.headers).await?;
    auth::require_scope(&caller, matched.endpoint)?;
    // Bodies are read (and capped) on every route, GET and DELETE included, so that a client
    // sending `Content-Type: application/json` with an empty body is fine and one sending a
    // huge body is refused the same way everywhere.
    let body = body.read(app).await?;
    handlers::dispatch(Ctx {
        app,
        caller,
        route: matched,
        headers: &parts.headers,
        query: parts.uri.query(),
        body,
    })
    .await
}
