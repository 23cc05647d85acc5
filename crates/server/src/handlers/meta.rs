//! The unauthenticated routes that describe the server itself.

use http::StatusCode;

use crate::error::ApiError;
use crate::reply::Reply;

/// `GET /healthz`: `{"status": "ok"}` while the server accepts requests.
pub(crate) fn health() -> Result<Reply, ApiError> {
    Reply::json(
        StatusCode::OK,
        &exsited_spec::Health {
            status: "ok".to_owned(),
        },
    )
}

/// `GET /openapi.yaml`: the contract this server implements.
pub(crate) fn openapi() -> Reply {
    Reply::yaml(exsited_spec::OPENAPI_YAML)
}
