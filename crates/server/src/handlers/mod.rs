//! The handlers of the authenticated routes, one module per resource, and their dispatch.

use std::sync::Arc;

use bytes::Bytes;
use exsited_core::idempotency::{IdempotencyKey, KeyedCreates};
use exsited_core::{AutomationId, ConnectionId, ConnectionRepository, PartnerFunctionId};
use http::{HeaderMap, StatusCode};

use crate::app::App;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::idempotency;
use crate::reply::Reply;
use crate::router::{Endpoint, Matched};

mod automations;
mod connections;
pub(crate) mod meta;
mod partner_functions;

/// One authenticated request, its body read.
pub(crate) struct Ctx<'a> {
    pub(crate) app: &'a App,
    pub(crate) caller: Caller,
    pub(crate) route: &'a Matched,
    pub(crate) headers: &'a HeaderMap,
    pub(crate) query: Option<&'a str>,
    pub(crate) body: Bytes,
}

impl Ctx<'_> {
    fn repository(&self) -> Arc<dyn ConnectionRepository> {
        self.caller.repository(self.app)
    }

    /// The caller's tenant's creates under an idempotency key.
    fn keyed_creates(&self) -> Arc<dyn KeyedCreates> {
        self.app.provider.keyed_creates(&self.caller.principal)
    }

    /// The request's `X-Idempotency-Key`, fingerprinted with its route and body, if it sent
    /// one (see [`idempotency`]).
    fn idempotency_key(&self) -> Result<Option<IdempotencyKey>, ApiError> {
        idempotency::key(
            self.headers,
            &self.route.path,
            &self.body,
            self.app.config.idempotency_window,
        )
    }

    /// The `{uuid}` of the path; 400 naming the input when it is not a UUID.
    fn connection_id(&self) -> Result<ConnectionId, ApiError> {
        ConnectionId::parse(self.route.param("uuid"))
            .map_err(|e| ApiError::invalid_path_id("uuid", &e))
    }

    fn automation_id(&self) -> Result<AutomationId, ApiError> {
        AutomationId::parse(self.route.param("automation_uuid"))
            .map_err(|e| ApiError::invalid_path_id("automation_uuid", &e))
    }

    fn partner_function_id(&self) -> Result<PartnerFunctionId, ApiError> {
        PartnerFunctionId::parse(self.route.param("pf_uuid"))
            .map_err(|e| ApiError::invalid_path_id("pf_uuid", &e))
    }

    fn json<T: exsited_spec::schema::Described + serde::de::DeserializeOwned>(
        &self,
    ) -> Result<T, ApiError> {
        crate::body::json(self.headers, &self.body)
    }
}

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
        Endpoint::IssueToken | Endpoint::Health | Endpoint::OpenApi => {
            unreachable!("public endpoints are served before authentication")
        }
    };
    // Every 404 under a connection names the connection, whichever resource was missing.
    result.map_err(|err| match err.status {
        StatusCode::NOT_FOUND if !ctx.route.param("uuid").is_empty() => {
            err.default_detail("connection_uuid", ctx.route.param("uuid"))
        }
        _ => err,
    })
}
