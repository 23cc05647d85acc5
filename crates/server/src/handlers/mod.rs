//! The handlers of the authenticated routes, one module per resource, and their dispatch.

use exsited_spec::errors::detail;
use exsited_spec::parameters::UUID;
use http::StatusCode;

use crate::error::ApiError;
use crate::reply::Reply;
use crate::router::Endpoint;

mod automations;
mod configuration;
mod connections;
mod ctx;
pub(crate) mod meta;
mod partner_functions;

pub(crate) use ctx::Ctx;

/// Runs the handler of an authenticated endpoint.
pub(crate) async fn dispatch(ctx: Ctx<'_>) -> Result<Reply, ApiError> {
    let result = match ctx.route.endpoint {
        Endpoint::ListConnections => connections::list(&ctx).await,
        Endpoint::GetConnection => connections::get(&ctx).await,
        Endpoint::CreateConnection => connections::create(&ctx).await,
        Endpoint::DeleteConnection => connections::delete(&ctx).await,
        Endpoint::EnableConnection => connections::set_enabled(&ctx, true).await,
        Endpoint::DisableConnection => connections::set_enabled(&ctx, false).await,
        Endpoint::ListAutomations => automations::list(&ctx).await,
        Endpoint::GetAutomation => automations::get(&ctx).await,
        Endpoint::CreateAutomation => automations::create(&ctx).await,
        Endpoint::UpdateAutomation => automations::update(&ctx).await,
        Endpoint::ListPartnerFunctions => partner_functions::list(&ctx).await,
        Endpoint::GetPartnerFunction => partner_functions::get(&ctx).await,
        Endpoint::CreatePartnerFunction => partner_functions::create(&ctx).await,
        Endpoint::UpdatePartnerFunction => partner_functions::update(&ctx).await,
        Endpoint::DeletePartnerFunction => partner_functions::delete(&ctx).await,
        Endpoint::EnableAutomation => automations::set_enabled(&ctx, true).await,
        Endpoint::DisableAutomation => automations::set_enabled(&ctx, false).await,
        Endpoint::EnablePartnerFunction => partner_functions::set_enabled(&ctx, true).await,
        Endpoint::DisablePartnerFunction => partner_functions::set_enabled(&ctx, false).await,
        Endpoint::GetConfiguration => configuration::get(&ctx).await,
        Endpoint::UpdateConfiguration => configuration::update(&ctx).await,
        Endpoint::IssueToken | Endpoint::Health | Endpoint::OpenApi | Endpoint::Docs(_) => {
            unreachable!("public endpoints are served before authentication")
        }
    };
    // Every 404 under a connection names the connection, whichever resource was missing.
    result.map_err(|err| match err.status {
        StatusCode::NOT_FOUND if !ctx.route.param(UUID).is_empty() => {
            err.default_detail(detail::CONNECTION_UUID, ctx.route.param(UUID))
        }
        _ => err,
    })
}
