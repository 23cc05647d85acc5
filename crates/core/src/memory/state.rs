//! The one state behind the memory store's lock: every tenant's connections with everything
//! attached to them, and the server's access data.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use super::access_state::AccessState;
use crate::configuration::Configuration;
use crate::connection::Connection;
use crate::id::ConnectionId;
use crate::sync::{Automation, PartnerFunction};
use crate::tenancy::TenantId;

#[derive(Default)]
pub(super) struct State {
    /// Creation counter: the `created_on` order, free of clock ties.
    pub(super) sequence: u64,
    pub(super) connections: HashMap<ConnectionId, Entry>,
    pub(super) access: AccessState,
}

/// A connection with everything attached to it: removing the entry is the whole cascade.
pub(super) struct Entry {
    pub(super) tenant: TenantId,
    pub(super) sequence: u64,
    pub(super) connection: Connection,
    /// In creation order.
    pub(super) automations: Vec<Automation>,
    /// In creation order.
    pub(super) partner_functions: Vec<PartnerFunction>,
    /// Its configuration document.
    pub(super) configuration: Configuration,
}

pub(super) fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    // Every mutation below completes or returns before touching state, so a panic elsewhere
    // cannot leave it half-changed; the poison flag carries no information here.
    state.lock().unwrap_or_else(PoisonError::into_inner)
}
