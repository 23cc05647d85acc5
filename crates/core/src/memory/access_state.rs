//! The memory store's access data: API clients, grants, idempotency key records and the delete
//! audit, indexed so that every look-up a request makes is by key.

use std::collections::{HashMap, VecDeque};

use crate::access::{ApiClient, DeleteAudit, IssuedTokens};
use crate::id::ConnectionId;
use crate::idempotency::CreatedResource;
use crate::tenancy::TenantId;

/// How many delete records the memory store keeps: it lives in RAM, so a long-running
/// in-memory server keeps the most recent ones rather than grow without bound. The SQLite store
/// keeps every record.
pub(crate) const MAX_AUDIT_RECORDS: usize = 100_000;

/// A tenant's idempotency key.
pub(super) type KeySlot = (TenantId, String);

/// What a used idempotency key remembers: never a response body, only which resource it made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct KeyRecord {
    pub(super) fingerprint: String,
    pub(super) created_at: u64,
    pub(super) resource: CreatedResource,
}

/// Every lookup a request makes is by key, never by scan: a store with a million idempotency
/// records answers a delete as fast as an empty one.
#[derive(Default)]
pub(super) struct AccessState {
    pub(super) clients: HashMap<String, ApiClient>,
    /// The one live grant of each client, by client id.
    pub(super) grants: HashMap<String, IssuedTokens>,
    /// Access-token hash to client id, for the live grants.
    pub(super) by_access_hash: HashMap<String, String>,
    /// Refresh-token hash to client id, for the live grants.
    pub(super) by_refresh_hash: HashMap<String, String>,
    pub(super) keys: HashMap<KeySlot, KeyRecord>,
    /// The keys of everything created under each connection, forgotten with it.
    pub(super) keys_by_connection: HashMap<ConnectionId, Vec<KeySlot>>,
    /// Keys in the order they were stored, for expiry from the oldest.
    pub(super) keys_by_age: VecDeque<(u64, KeySlot)>,
    /// The most recent deletes, oldest first; see [`MAX_AUDIT_RECORDS`].
    pub(super) audit: VecDeque<DeleteAudit>,
}

impl AccessState {
    /// Records a delete and forgets the idempotency keys of everything created under the
    /// connection: the key may be used afresh, and no record names what no longer exists.
    pub(super) fn record_delete(&mut self, audit: DeleteAudit) {
        if let Some(slots) = self.keys_by_connection.remove(&audit.connection_id) {
            for slot in slots {
                if self
                    .keys
                    .get(&slot)
                    .is_some_and(|r| r.resource.connection() == audit.connection_id)
                {
                    self.keys.remove(&slot);
                }
            }
        }
        if self.audit.len() == MAX_AUDIT_RECORDS {
            self.audit.pop_front();
        }
        self.audit.push_back(audit);
    }

    /// Forgets the key records that name `resource` (a partner function that was deleted).
    pub(super) fn forget_resource(&mut self, resource: CreatedResource) {
        let connection = resource.connection();
        let Some(slots) = self.keys_by_connection.get(&connection) else {
            return;
        };
        let gone: Vec<KeySlot> = slots
            .iter()
            .filter(|slot| self.keys.get(*slot).is_some_and(|r| r.resource == resource))
            .cloned()
            .collect();
        for slot in gone {
            self.keys.remove(&slot);
            self.unindex(&slot, connection);
        }
    }

    /// The record of `slot`, if any.
    pub(super) fn key(&self, slot: &KeySlot) -> Option<&KeyRecord> {
        self.keys.get(slot)
    }

    /// Stores the record of a key used just now, replacing an expired or stale one.
    pub(super) fn record_key(&mut self, slot: KeySlot, record: KeyRecord) {
        if let Some(replaced) = self.keys.remove(&slot) {
            self.unindex(&slot, replaced.resource.connection());
        }
        self.keys_by_connection
            .entry(record.resource.connection())
            .or_default()
            .push(slot.clone());
        self.keys_by_age
            .push_back((record.created_at, slot.clone()));
        self.keys.insert(slot, record);
    }

    /// Drops the records made before `older_than`. The age queue may name keys that were
    /// replaced or forgotten since; only a record as old as its queue entry is dropped.
    pub(super) fn expire_keys(&mut self, older_than: u64) {
        while let Some((created_at, _)) = self.keys_by_age.front() {
            if *created_at >= older_than {
                break;
            }
            let Some((created_at, slot)) = self.keys_by_age.pop_front() else {
                break;
            };
            let current = self
                .keys
                .get(&slot)
                .is_some_and(|r| r.created_at == created_at);
            if !current {
                continue;
            }
            let Some(gone) = self.keys.remove(&slot) else {
                continue;
            };
            self.unindex(&slot, gone.resource.connection());
        }
    }

    fn unindex(&mut self, slot: &KeySlot, connection: ConnectionId) {
        if let Some(slots) = self.keys_by_connection.get_mut(&connection) {
            slots.retain(|s| s != slot);
            if slots.is_empty() {
                self.keys_by_connection.remove(&connection);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_records_expire_oldest_first_and_replacements_survive() {
        let mut state = AccessState::default();
        let slot = |name: &str| (TenantId::new("t").unwrap(), name.to_owned());
        let record = |created_at| KeyRecord {
            fingerprint: "f".into(),
            created_at,
            resource: CreatedResource::Connection(ConnectionId::random()),
        };
        state.record_key(slot("old"), record(1));
        state.record_key(slot("kept"), record(2));
        state.record_key(slot("kept"), record(20));
        state.record_key(slot("new"), record(30));
        state.expire_keys(10);
        assert_eq!(state.key(&slot("old")), None);
        assert_eq!(state.key(&slot("kept")).map(|r| r.created_at), Some(20));
        assert!(state.key(&slot("new")).is_some());
        assert_eq!(
            state.keys_by_connection.len(),
            2,
            "no index entry outlives its record: {:?}",
            state.keys_by_connection
        );
    }

    #[test]
    fn the_audit_keeps_the_most_recent_records() {
        let mut state = AccessState::default();
        let record = |n: usize| DeleteAudit {
            at: n.to_string(),
            tenant: TenantId::new("t").unwrap(),
            client_id: "c".into(),
            connection_id: crate::ConnectionId::random(),
            partner: "XERO".into(),
            sync_configurations: 0,
        };
        for n in 0..=MAX_AUDIT_RECORDS {
            state.record_delete(record(n));
        }
        assert_eq!(state.audit.len(), MAX_AUDIT_RECORDS);
        assert_eq!(
            state.audit.front().map(|r| r.at.as_str()),
            Some("1"),
            "the oldest went first"
        );
    }
}
