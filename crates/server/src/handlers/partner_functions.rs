//! Partner functions under a connection: list, read, create, update, enable, disable and
//! delete.

use exsited_spec::query::ListParams;
use exsited_spec::{
    MessageResponse, PartnerFunction, PartnerFunctionCreateRequest, PartnerFunctionEnvelope,
    PartnerFunctionList, PartnerFunctionRequest, convert,
};
use http::StatusCode;

use super::ctx::Ctx;
use crate::error::ApiError;
use crate::idempotency;
use crate::reply::Reply;

fn envelope(
    status: StatusCode,
    function: &exsited_core::PartnerFunction,
) -> Result<Reply, ApiError> {
    Reply::json(
        status,
        &PartnerFunctionEnvelope {
            partner_function: convert::partner_function_to_wire(function),
        },
    )
}

pub(super) async fn list(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let connection = ctx.connection_id()?;
    let params = ListParams::<PartnerFunction>::parse(ctx.query.unwrap_or_default())?;
    let page = ctx
        .repository()
        .list_partner_functions(connection, params.query())
        .await?;
    Reply::json(
        StatusCode::OK,
        &PartnerFunctionList {
            partner_functions: params
                .project(page.items.iter().map(convert::partner_function_to_wire)),
            pagination: Some(convert::pagination_to_wire(
                &page,
                &ctx.route.path,
                params.query(),
            )),
        },
    )
}

pub(super) async fn get(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let connection = ctx.connection_id()?;
    let id = ctx.partner_function_id()?;
    let function = ctx
        .repository()
        .get_partner_function(connection, id)
        .await?;
    envelope(StatusCode::OK, &function)
}

pub(super) async fn create(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let connection = ctx.connection_id()?;
    let body: PartnerFunctionCreateRequest = ctx.json()?;
    let details = convert::partner_function_create_from_wire(body)?;
    let (function, replayed) = match ctx.idempotency_key()? {
        None => (
            ctx.repository()
                .create_partner_function(connection, details)
                .await?,
            false,
        ),
        Some(key) => idempotency::settle(
            ctx.keyed_creates()
                .create_partner_function_keyed(&key, connection, details)
                .await?,
        )?,
    };
    Ok(idempotency::mark(
        envelope(StatusCode::CREATED, &function)?,
        replayed,
    ))
}

pub(super) async fn update(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let connection = ctx.connection_id()?;
    let id = ctx.partner_function_id()?;
    let body: PartnerFunctionRequest = ctx.json()?;
    let patch = convert::partner_function_patch_from_wire(body)?;
    let function = ctx
        .repository()
        .update_partner_function(connection, id, patch)
        .await?;
    envelope(StatusCode::OK, &function)
}

/// Enable or disable. The body, if any, is ignored: deployed clients send none, or `null`.
pub(super) async fn set_enabled(ctx: &Ctx<'_>, enabled: bool) -> Result<Reply, ApiError> {
    let connection = ctx.connection_id()?;
    let id = ctx.partner_function_id()?;
    let repository = ctx.repository();
    if enabled {
        repository.enable_partner_function(connection, id).await?;
    } else {
        repository.disable_partner_function(connection, id).await?;
    }
    Reply::json(StatusCode::OK, &MessageResponse::partner_function(enabled))
}

pub(super) async fn delete(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let connection = ctx.connection_id()?;
    let id = ctx.partner_function_id()?;
    ctx.repository()
        .delete_partner_function(connection, id)
        .await?;
    Ok(Reply::no_content())
}
