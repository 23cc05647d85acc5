//! The caller's tenant's data: every handler reaches the store through here, so another
//! tenant's data is out of reach (a 404) by construction.

use std::sync::Arc;

use exsited_core::ConnectionRepository;
use exsited_core::idempotency::KeyedCreates;

use crate::app::App;
use crate::caller::Caller;

/// The caller's tenant's repository.
pub(crate) fn repository(app: &App, caller: &Caller) -> Arc<dyn ConnectionRepository> {
    app.provider.repository(&caller.principal)
}

/// The caller's tenant's creates under an idempotency key.
pub(crate) fn keyed_creates(app: &App, caller: &Caller) -> Arc<dyn KeyedCreates> {
    app.provider.keyed_creates(&caller.principal)
}
