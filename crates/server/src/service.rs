//! One request from start to finish: request id, routing, limits, authentication, the handler,
//! the error envelope, the common headers and the access log line.

use std::convert::Infallible;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Instant;

use futures_util::FutureExt;
use http::{HeaderValue, Method, Request, StatusCode, header};
use hyper::body::Incoming;

use crate::app::App;
use crate::error::ApiError;
use crate::handlers::{self, Ctx, meta};
use crate::reply::{self, Reply, Response};
use crate::router::{Endpoint, Matched, Miss};
use crate::{auth, body, request_id, token};

/// The most characters of an unmatched path that go into a log line or an error message.
const MAX_LOGGED_PATH: usize = 128;

/// Serves one request. Never fails: every outcome is a response, a panic in a handler a 500.
pub(crate) async fn handle(
    app: Arc<App>,
    request: Request<Incoming>,
) -> Result<Response, Infallible> {
    let started = Instant::now();
    let request_id = request_id::for_request(request.headers());
    let method = request.method().clone();
    let raw_path = request.uri().path().to_owned();

    let outcome = if app.static_204 {
        Ok((clip(&raw_path), Ok(Reply::no_content())))
    } else {
        AssertUnwindSafe(route_and_run(&app, request))
            .catch_unwind()
            .await
    };
    let (label, result) = outcome.unwrap_or_else(|_| {
        tracing::error!("request handler panicked");
        (clip(&raw_path), Err(ApiError::internal()))
    });

    let mut response = reply::into_response(result);
    response
        .headers_mut()
        .insert(request_id::HEADER, request_id.clone());
    // Never a body, a query string, a token or a secret: the route template (or the bare path
    // when nothing matched), the status and the timing.
    tracing::info!(
        method = %method,
        path = %label,
        status = response.status().as_u16(),
        latency_ms = started.elapsed().as_secs_f64() * 1000.0,
        request_id = request_id.to_str().unwrap_or_default(),
        "request"
    );
    Ok(response)
}

fn clip(path: &str) -> String {
    path.chars().take(MAX_LOGGED_PATH).collect()
}

/// The log label and the outcome of a request.
async fn route_and_run(app: &App, request: Request<Incoming>) -> (String, Result<Reply, ApiError>) {
    let path = request.uri().path().to_owned();
    match app.router.find(request.method(), &path) {
        Ok(matched) => {
            let label = matched.template.to_owned();
            (label, run(app, &matched, request).await)
        }
        Err(Miss::NotFound) => {
            let shown = clip(&path);
            let err = ApiError::new(StatusCode::NOT_FOUND, format!("no such route: {shown:?}"));
            (shown, Err(err))
        }
        Err(Miss::MethodNotAllowed(allowed)) => {
            let allow = allowed
                .iter()
                .map(Method::as_str)
                .collect::<Vec<_>>()
                .join(", ");
            let err = ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                format!(
                    "method {} is not allowed here; allowed: {allow}",
                    request.method()
                ),
            )
            .detail("allow", allow.clone())
            .header(
                header::ALLOW,
                HeaderValue::from_str(&allow).unwrap_or(HeaderValue::from_static("GET")),
            );
            (clip(&path), Err(err))
        }
    }
}

async fn run(app: &App, matched: &Matched, request: Request<Incoming>) -> Result<Reply, ApiError> {
    let limit = app.config.max_body_bytes;
    body::check_declared_length(request.headers(), limit)?;
    let (parts, incoming) = request.into_parts();
    let read_body = || body::read(incoming, limit, app.config.body_read_timeout);
    match matched.endpoint {
        Endpoint::Health => return meta::health(),
        Endpoint::OpenApi => return Ok(meta::openapi()),
        Endpoint::IssueToken => {
            let body = read_body().await?;
            return token::issue(app, &parts.headers, &body).await;
        }
        _ => {}
    }
    let caller = auth::authenticate(app, &parts.headers).await?;
    auth::require_scope(&caller, matched.endpoint)?;
    // Bodies are read (and capped) on every route, GET and DELETE included, so that a client
    // sending `Content-Type: application/json` with an empty body is fine and one sending a
    // huge body is refused the same way everywhere.
    let body = read_body().await?;
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
