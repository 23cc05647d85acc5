//! The memory store's [`AccessStore`]: clients, tokens, idempotency key records and the delete
//! audit, under the same lock as the connections.

use std::collections::{HashMap, VecDeque};

use async_trait::async_trait;

use super::{MemoryStore, lock};
use crate::access::{AccessStore, ApiClient, DeleteAudit, IssuedTokens, TokenOwner};
use crate::error::{Error, Result};
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
    clients: HashMap<String, ApiClient>,
    /// The one live grant of each client, by client id.
    grants: HashMap<String, IssuedTokens>,
    /// Access-token hash to client id, for the live grants.
    by_access_hash: HashMap<String, String>,
    /// Refresh-token hash to client id, for the live grants.
    by_refresh_hash: HashMap<String, String>,
    keys: HashMap<KeySlot, KeyRecord>,
    /// The keys of everything created under each connection, forgotten with it.
    keys_by_connection: HashMap<ConnectionId, Vec<KeySlot>>,
    /// Keys in the order they were stored, for expiry from the oldest.
    keys_by_age: VecDeque<(u64, KeySlot)>,
    /// The most recent deletes, oldest first; see [`MAX_AUDIT_RECORDS`].
    audit: VecDeque<DeleteAudit>,
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

#[async_trait]
impl AccessStore for MemoryStore {
    async fn add_client(&self, client: ApiClient) -> Result<()> {
        let mut state = lock(&self.state);
        if state.access.clients.contains_key(&client.client_id) {
            return Err(Error::Conflict {
                message: format!("client {} already exists", client.client_id),
            });
        }
        state
            .access
            .clients
            .insert(client.client_id.clone(), client);
        Ok(())
    }

    async fn find_client(&self, client_id: &str) -> Result<Option<ApiClient>> {
        Ok(lock(&self.state).access.clients.get(client_id).cloned())
    }

    async fn client_count(&self) -> Result<u64> {
        Ok(lock(&self.state).access.clients.len() as u64)
    }

    async fn replace_tokens(&self, tokens: IssuedTokens, rotating: Option<&str>) -> Result<bool> {
        let mut state = lock(&self.state);
        let access = &mut state.access;
        if let Some(expected) = rotating {
            let current = access
                .grants
                .get(&tokens.client_id)
                .map(|g| g.refresh_hash.as_str());
            if current != Some(expected) {
                return Ok(false);
            }
        }
        if let Some(old) = access.grants.remove(&tokens.client_id) {
            access.by_access_hash.remove(&old.access_hash);
            access.by_refresh_hash.remove(&old.refresh_hash);
        }
        access
            .by_access_hash
            .insert(tokens.access_hash.clone(), tokens.client_id.clone());
        access
            .by_refresh_hash
            .insert(tokens.refresh_hash.clone(), tokens.client_id.clone());
        access.grants.insert(tokens.client_id.clone(), tokens);
        Ok(true)
    }

    async fn find_access_token(&self, access_hash: &str) -> Result<Option<TokenOwner>> {
        let state = lock(&self.state);
        let access = &state.access;
        Ok(access
            .by_access_hash
            .get(access_hash)
            .and_then(|client| access.grants.get(client))
            .map(|g| TokenOwner {
                client_id: g.client_id.clone(),
                expires_at: g.access_expires_at,
            }))
    }

    async fn find_refresh_token(&self, refresh_hash: &str) -> Result<Option<TokenOwner>> {
        let state = lock(&self.state);
        let access = &state.access;
        Ok(access
            .by_refresh_hash
            .get(refresh_hash)
            .and_then(|client| access.grants.get(client))
            .map(|g| TokenOwner {
                client_id: g.client_id.clone(),
                expires_at: g.refresh_expires_at,
            }))
    }

    async fn delete_audit(&self) -> Result<Vec<DeleteAudit>> {
        Ok(lock(&self.state).access.audit.iter().cloned().collect())
    }

    /// A memory store lives in one process: every grant goes through it.
    fn grants_are_local(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::Scope;
    use crate::{NewConnection, Partner, Principal, RepositoryProvider};

    fn grant(client: &str, n: u32) -> IssuedTokens {
        IssuedTokens {
            client_id: client.into(),
            access_hash: format!("a{n}"),
            access_expires_at: 10,
            refresh_hash: format!("r{n}"),
            refresh_expires_at: 20,
        }
    }

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        futures_util::FutureExt::now_or_never(f).expect("the memory store never waits")
    }

    #[test]
    fn a_new_grant_revokes_the_previous_and_refresh_tokens_rotate_once() {
        let store = MemoryStore::new();
        block_on(store.replace_tokens(grant("c", 1), None)).unwrap();
        block_on(store.replace_tokens(grant("c", 2), None)).unwrap();
        assert_eq!(block_on(store.find_access_token("a1")).unwrap(), None);
        assert!(block_on(store.find_access_token("a2")).unwrap().is_some());
        assert!(block_on(store.replace_tokens(grant("c", 3), Some("r2"))).unwrap());
        assert!(
            !block_on(store.replace_tokens(grant("c", 4), Some("r2"))).unwrap(),
            "a refresh token works once"
        );
        assert_eq!(
            block_on(store.find_refresh_token("r3"))
                .unwrap()
                .unwrap()
                .client_id,
            "c"
        );
    }

    #[test]
    fn clients_are_unique_and_debug_hides_the_hash() {
        let store = MemoryStore::new();
        let client = ApiClient {
            client_id: "id".into(),
            tenant: TenantId::new("t").unwrap(),
            scope: Scope::Write,
            secret_hash: "HASHVALUE".into(),
        };
        assert!(!format!("{client:?}").contains("HASHVALUE"));
        block_on(store.add_client(client.clone())).unwrap();
        assert!(matches!(
            block_on(store.add_client(client)),
            Err(Error::Conflict { .. })
        ));
        assert_eq!(block_on(store.client_count()).unwrap(), 1);
    }

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

    #[test]
    fn deletes_are_audited_with_the_client() {
        let store = MemoryStore::new();
        let tenant = TenantId::new("t").unwrap();
        let repo = RepositoryProvider::repository(&store, &Principal::new(tenant, "client-9"));
        let conn =
            block_on(repo.create(NewConnection::new(Partner::new("xero").unwrap(), "r").unwrap()))
                .unwrap();
        block_on(repo.delete(conn.id)).unwrap();
        let audit = block_on(store.delete_audit()).unwrap();
        assert_eq!(audit.len(), 1);
        assert_eq!(
            (audit[0].client_id.as_str(), audit[0].connection_id),
            ("client-9", conn.id)
        );
        assert_eq!(audit[0].partner, "XERO");
    }
}
