//! Connections: list, read (both also at their v3 aliases), create, enable, disable and the
//! delete cascade.

use exsited_spec::paths;
use exsited_spec::query::ListParams;
use exsited_spec::{
    Connection, ConnectionEnvelope, ConnectionList, CreateConnectionRequest,
    CreateConnectionResponse, CreatedIntegration, MessageResponse, convert,
};
use http::{HeaderValue, StatusCode, header};

use super::ctx::Ctx;
use crate::error::ApiError;
use crate::idempotency;
use crate::reply::Reply;

/// The list, at its v2 path or its v3 alias. The pagination links point at the v2 path either
/// way, so that the alias answers byte for byte what the v2 list does.
pub(super) async fn list(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let params = ListParams::<Connection>::parse(ctx.query.unwrap_or_default())?;
    let page = ctx.repository().list(params.query()).await?;
    Reply::json(
        StatusCode::OK,
        &ConnectionList {
            integration_connection: params
                .project(page.items.iter().map(convert::connection_to_wire)),
            pagination: Some(convert::pagination_to_wire(
                &page,
                paths::LIST_CONNECTIONS.template,
                params.query(),
            )),
        },
    )
}

pub(super) async fn get(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let id = ctx.connection_id()?;
    let connection = ctx.repository().get(id).await?;
    Reply::json(
        StatusCode::OK,
        &ConnectionEnvelope {
            integration_connection: convert::connection_to_wire(&connection),
        },
    )
}

pub(super) async fn create(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let body: CreateConnectionRequest = ctx.json()?;
    let new = convert::new_connection_from_wire(body)?;
    let (connection, replayed) = match ctx.idempotency_key()? {
        None => (ctx.repository().create(new).await?, false),
        Some(key) => idempotency::settle(ctx.keyed_creates().create_keyed(&key, new).await?)?,
    };
    let location = paths::get_connection(connection.id);
    let mut reply = Reply::json(
        StatusCode::CREATED,
        &CreateConnectionResponse {
            integration: CreatedIntegration {
                integration_connection: convert::connection_to_wire(&connection),
            },
        },
    )?;
    if let Ok(value) = HeaderValue::from_str(location.as_str()) {
        reply = reply.header(header::LOCATION, value);
    }
    Ok(idempotency::mark(reply, replayed))
}

pub(super) async fn delete(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let id = ctx.connection_id()?;
    ctx.repository().delete(id).await?;
    ctx.app.observer.connection_deleted();
    // Debug, not info: the access log already has the request, and the durable record of who
    // deleted what is the store's delete audit (`exsited admin audit`).
    tracing::debug!(
        connection_uuid = %id,
        tenant = %ctx.caller.principal.tenant,
        client_id = %ctx.caller.principal.client_id,
        "connection deleted"
    );
    Ok(Reply::no_content())
}

/// Enable or disable. The partner name for the message is read first, so that an unknown id
/// is a 404 before anything changes.
pub(super) async fn set_enabled(ctx: &Ctx<'_>, enabled: bool) -> Result<Reply, ApiError> {
    let id = ctx.connection_id()?;
    let repository = ctx.repository();
    let partner = repository.get(id).await?.partner;
    if enabled {
        repository.enable(id).await?;
    } else {
        repository.disable(id).await?;
    }
    let message = if enabled {
        MessageResponse::enabled(partner)
    } else {
        MessageResponse::disabled(partner)
    };
    Reply::json(StatusCode::OK, &message)
}
