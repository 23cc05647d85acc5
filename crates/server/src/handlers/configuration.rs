//! A connection's configuration document: read, and update by merge patch (RFC 7396).

use exsited_spec::{ConfigurationRequest, configuration};
use http::StatusCode;

use super::ctx::Ctx;
use crate::error::ApiError;
use crate::reply::Reply;

pub(super) async fn get(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let connection = ctx.connection_id()?;
    let document = ctx.repository().get_configuration(connection).await?;
    Reply::json(StatusCode::OK, &configuration::envelope(&document))
}

/// The body's schema refuses numbers and unknown sections (naming the field); the domain then
/// checks keys, depth, and the size of the merged document, which is what bounds it: the
/// server's body limit is larger.
pub(super) async fn update(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let connection = ctx.connection_id()?;
    let body: ConfigurationRequest = ctx.json()?;
    let patch = configuration::patch_from_wire(body)?;
    let document = ctx
        .repository()
        .update_configuration(connection, patch)
        .await?;
    Reply::json(StatusCode::OK, &configuration::updated(&document))
}
