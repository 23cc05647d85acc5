//! Automations under a connection: list, read, create, update, enable and disable.

use exsited_spec::query::ListParams;
use exsited_spec::{
    Automation, AutomationCreateRequest, AutomationEnvelope, AutomationList, AutomationRequest,
    MessageResponse, convert,
};
use http::StatusCode;

use super::ctx::Ctx;
use crate::error::ApiError;
use crate::idempotency;
use crate::reply::Reply;

fn envelope(status: StatusCode, automation: &exsited_core::Automation) -> Result<Reply, ApiError> {
    Reply::json(
        status,
        &AutomationEnvelope {
            integration_automation: convert::automation_to_wire(automation),
        },
    )
}

pub(super) async fn list(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let connection = ctx.connection_id()?;
    let params = ListParams::<Automation>::parse(ctx.query.unwrap_or_default())?;
    let page = ctx
        .repository()
        .list_automations(connection, params.query())
        .await?;
    Reply::json(
        StatusCode::OK,
        &AutomationList {
            integration_automations: params
                .project(page.items.iter().map(convert::automation_to_wire)),
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
    let id = ctx.automation_id()?;
    let automation = ctx.repository().get_automation(connection, id).await?;
    envelope(StatusCode::OK, &automation)
}

pub(super) async fn create(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let connection = ctx.connection_id()?;
    let body: AutomationCreateRequest = ctx.json()?;
    let details = convert::automation_create_from_wire(body)?;
    let (automation, replayed) = match ctx.idempotency_key()? {
        None => (
            ctx.repository()
                .create_automation(connection, details)
                .await?,
            false,
        ),
        Some(key) => idempotency::settle(
            ctx.keyed_creates()
                .create_automation_keyed(&key, connection, details)
                .await?,
        )?,
    };
    Ok(idempotency::mark(
        envelope(StatusCode::CREATED, &automation)?,
        replayed,
    ))
}

pub(super) async fn update(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let connection = ctx.connection_id()?;
    let id = ctx.automation_id()?;
    let body: AutomationRequest = ctx.json()?;
    let patch = convert::automation_patch_from_wire(body)?;
    let automation = ctx
        .repository()
        .update_automation(connection, id, patch)
        .await?;
    envelope(StatusCode::OK, &automation)
}

/// Enable or disable. The body, if any, is ignored: deployed clients send none, or `null`.
pub(super) async fn set_enabled(ctx: &Ctx<'_>, enabled: bool) -> Result<Reply, ApiError> {
    let connection = ctx.connection_id()?;
    let id = ctx.automation_id()?;
    let repository = ctx.repository();
    if enabled {
        repository.enable_automation(connection, id).await?;
    } else {
        repository.disable_automation(connection, id).await?;
    }
    Reply::json(StatusCode::OK, &MessageResponse::automation(enabled))
}
