//! The memory store's [`KeyedCreates`]: the look-up of the key, the create and the key's record
//! in one critical section.

use async_trait::async_trait;

use super::access_state::KeyRecord;
use super::repository::MemoryRepository;
use super::state::{State, lock};
use crate::connection::{Connection, NewConnection};
use crate::error::{Error, Result};
use crate::id::ConnectionId;
use crate::idempotency::{CreatedResource, IdempotencyKey, Keyed, KeyedCreates};
use crate::sync::{Automation, AutomationDetails, PartnerFunction, PartnerFunctionDetails};

/// A resource made by a keyed create, before it is handed back typed.
pub(super) enum Created {
    Connection(Connection),
    Automation(Automation),
    PartnerFunction(PartnerFunction),
}

impl Created {
    fn resource(&self) -> CreatedResource {
        match self {
            Created::Connection(c) => CreatedResource::Connection(c.id),
            Created::Automation(a) => CreatedResource::Automation(a.connection_id, a.id),
            Created::PartnerFunction(p) => CreatedResource::PartnerFunction(p.connection_id, p.id),
        }
    }
}

/// The typed resource of a keyed create's outcome; a record names a resource of the kind its
/// create made (the fingerprint covers the route), so another kind is a broken record.
fn typed<T>(outcome: Keyed<Created>, pick: fn(Created) -> Option<T>) -> Result<Keyed<T>> {
    let broken = || Error::Conflict {
        message: "the idempotency key names a resource of another kind".to_owned(),
    };
    Ok(match outcome {
        Keyed::Created(c) => Keyed::Created(pick(c).ok_or_else(broken)?),
        Keyed::Replayed(c) => Keyed::Replayed(pick(c).ok_or_else(broken)?),
        Keyed::Reused => Keyed::Reused,
    })
}

/// The resource a key record names, as it is now; `None` if it is gone.
fn resolve(repo: &MemoryRepository, state: &State, resource: CreatedResource) -> Option<Created> {
    let entry = repo.entry(state, resource.connection())?;
    match resource {
        CreatedResource::Connection(_) => Some(Created::Connection(entry.connection.clone())),
        CreatedResource::Automation(_, id) => entry
            .automations
            .iter()
            .find(|a| a.id == id)
            .cloned()
            .map(Created::Automation),
        CreatedResource::PartnerFunction(_, id) => entry
            .partner_functions
            .iter()
            .find(|p| p.id == id)
            .cloned()
            .map(Created::PartnerFunction),
    }
}

/// Runs `create` under `key` for `repo`'s tenant, in one critical section with the key's record:
/// a replay, a reuse, or the create and its record together.
fn keyed(
    repo: &MemoryRepository,
    key: &IdempotencyKey,
    create: impl FnOnce(&MemoryRepository, &mut State) -> Result<Created>,
) -> Result<Keyed<Created>> {
    let mut state = lock(&repo.state);
    state.access.expire_keys(key.window_start());
    let slot = (repo.tenant.clone(), key.as_str().to_owned());
    if let Some(record) = state
        .access
        .key(&slot)
        .filter(|r| key.is_live(r.created_at))
    {
        if record.fingerprint != key.fingerprint() {
            return Ok(Keyed::Reused);
        }
        // A record outlives nothing it names (deletes forget them), so a miss here is a
        // record of something gone: create afresh, as for an unknown key.
        if let Some(found) = resolve(repo, &state, record.resource) {
            return Ok(Keyed::Replayed(found));
        }
    }
    let created = create(repo, &mut state)?;
    let record = KeyRecord {
        fingerprint: key.fingerprint().to_owned(),
        created_at: key.now(),
        resource: created.resource(),
    };
    state.access.record_key(slot, record);
    Ok(Keyed::Created(created))
}

#[async_trait]
impl KeyedCreates for MemoryRepository {
    async fn create_keyed(
        &self,
        key: &IdempotencyKey,
        new: NewConnection,
    ) -> Result<Keyed<Connection>> {
        let outcome = keyed(self, key, |repo, state| {
            Ok(Created::Connection(repo.insert_connection(state, new)))
        })?;
        typed(outcome, |c| match c {
            Created::Connection(c) => Some(c),
            _ => None,
        })
    }

    async fn create_automation_keyed(
        &self,
        key: &IdempotencyKey,
        connection: ConnectionId,
        details: AutomationDetails,
    ) -> Result<Keyed<Automation>> {
        let outcome = keyed(self, key, |repo, state| {
            repo.insert_automation(state, connection, details)
                .map(Created::Automation)
        })?;
        typed(outcome, |c| match c {
            Created::Automation(a) => Some(a),
            _ => None,
        })
    }

    async fn create_partner_function_keyed(
        &self,
        key: &IdempotencyKey,
        connection: ConnectionId,
        details: PartnerFunctionDetails,
    ) -> Result<Keyed<PartnerFunction>> {
        let outcome = keyed(self, key, |repo, state| {
            repo.insert_partner_function(state, connection, details)
                .map(Created::PartnerFunction)
        })?;
        typed(outcome, |c| match c {
            Created::PartnerFunction(p) => Some(p),
            _ => None,
        })
    }
}
