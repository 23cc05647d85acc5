//! Successful replies, and turning a reply or an [`ApiError`] into the HTTP response.

use bytes::Bytes;
use http::{HeaderName, HeaderValue, StatusCode, header};
use http_body_util::Full;
use serde::Serialize;

use crate::error::ApiError;

/// The response type of the whole service: bodies are small and fully built before sending.
pub(crate) type Response = http::Response<Full<Bytes>>;

/// The content type of every response but the OpenAPI document and the API page, 204 and
/// errors included: deployed clients read it unconditionally.
pub(crate) const JSON: &str = "application/json";
const YAML: &str = "application/yaml";

/// A successful reply.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) body: Bytes,
    pub(crate) content_type: &'static str,
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
}

impl Reply {
    /// `value` as JSON.
    pub(crate) fn json<T: Serialize>(status: StatusCode, value: &T) -> Result<Self, ApiError> {
        let body = serde_json::to_vec(value).map_err(|e| {
            tracing::error!(error = %e, "response did not serialize");
            ApiError::internal()
        })?;
        Ok(Self::raw(status, body.into()))
    }

    /// A body that is already JSON (a replayed idempotent response).
    pub(crate) fn raw(status: StatusCode, body: Bytes) -> Self {
        Self {
            status,
            body,
            content_type: JSON,
            headers: Vec::new(),
        }
    }

    /// 204 with an empty body (still with a JSON content type; see [`JSON`]).
    pub(crate) fn no_content() -> Self {
        Self::raw(StatusCode::NO_CONTENT, Bytes::new())
    }

    /// The OpenAPI document.
    pub(crate) fn yaml(text: &'static str) -> Self {
        Self {
            content_type: YAML,
            ..Self::raw(StatusCode::OK, Bytes::from_static(text.as_bytes()))
        }
    }

    /// A file compiled into the server (the API page's).
    pub(crate) fn file(content_type: &'static str, body: &'static [u8]) -> Self {
        Self {
            content_type,
            ..Self::raw(StatusCode::OK, Bytes::from_static(body))
        }
    }

    pub(crate) fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.push((name, value));
        self
    }
}

/// The response for a reply or an error. The request id is added by the service afterwards.
pub(crate) fn into_response(result: Result<Reply, ApiError>) -> Response {
    match result {
        Ok(reply) => build(reply.status, reply.content_type, reply.body, reply.headers),
        Err(mut err) => {
            let headers = std::mem::take(&mut err.headers);
            let status = err.status;
            build(status, JSON, envelope_body(err).into(), headers)
        }
    }
}

/// The v3 error envelope of `err`, serialized.
pub(crate) fn envelope_body(err: ApiError) -> Vec<u8> {
    let envelope = exsited_spec::errors::envelope(err.status.as_u16(), err.message, err.details);
    // The envelope is strings and numbers only; serializing it cannot fail.
    serde_json::to_vec(&envelope).unwrap_or_default()
}

fn build(
    status: StatusCode,
    content_type: &'static str,
    body: Bytes,
    headers: Vec<(HeaderName, HeaderValue)>,
) -> Response {
    let mut response = http::Response::new(Full::new(body));
    *response.status_mut() = status;
    let map = response.headers_mut();
    map.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    for (name, value) in headers {
        map.append(name, value);
    }
    response
}
