//! One authenticated request as the handlers see it, and what they ask of it: the caller's
//! tenant's data, the idempotency key, the path ids and the JSON body.

use std::sync::Arc;

use bytes::Bytes;
use exsited_core::idempotency::{IdempotencyKey, KeyedCreates};
use exsited_core::{AutomationId, ConnectionId, ConnectionRepository, PartnerFunctionId};
use exsited_spec::parameters::{AUTOMATION_UUID, PF_UUID, UUID};
use http::HeaderMap;

use crate::app::App;
use crate::caller::Caller;
use crate::error::ApiError;
use crate::router::Matched;
use crate::{body, idempotency, tenancy};

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
    /// The caller's tenant's repository (see [`tenancy`]).
    pub(super) fn repository(&self) -> Arc<dyn ConnectionRepository> {
        tenancy::repository(self.app, &self.caller)
    }

    /// The caller's tenant's creates under an idempotency key.
    pub(super) fn keyed_creates(&self) -> Arc<dyn KeyedCreates> {
        tenancy::keyed_creates(self.app, &self.caller)
    }

    /// The request's `X-Idempotency-Key`, fingerprinted with its route and body, if it sent
    /// one (see [`idempotency`]).
    pub(super) fn idempotency_key(&self) -> Result<Option<IdempotencyKey>, ApiError> {
        idempotency::key(
            self.headers,
            &self.route.path,
            &self.body,
            self.app.clock.now_secs(),
            self.app.config.idempotency_window,
        )
    }

    /// The `{uuid}` of the path; 400 naming the input when it is not a UUID.
    pub(super) fn connection_id(&self) -> Result<ConnectionId, ApiError> {
        ConnectionId::parse(self.route.param(UUID)).map_err(|e| ApiError::invalid_path_id(UUID, &e))
    }

    pub(super) fn automation_id(&self) -> Result<AutomationId, ApiError> {
        AutomationId::parse(self.route.param(AUTOMATION_UUID))
            .map_err(|e| ApiError::invalid_path_id(AUTOMATION_UUID, &e))
    }

    pub(super) fn partner_function_id(&self) -> Result<PartnerFunctionId, ApiError> {
        PartnerFunctionId::parse(self.route.param(PF_UUID))
            .map_err(|e| ApiError::invalid_path_id(PF_UUID, &e))
    }

    pub(super) fn json<T: exsited_spec::schema::Described + serde::de::DeserializeOwned>(
        &self,
    ) -> Result<T, ApiError> {
        body::json(self.headers, &self.body)
    }
}
