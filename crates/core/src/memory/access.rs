//! The memory store's [`AccessStore`]: clients, tokens, idempotency keys and the delete audit,
//! under the same lock as the connections.

use std::collections::{HashMap, VecDeque};

use async_trait::async_trait;

use super::{MemoryStore, lock};
use crate::access::{
    AccessStore, ApiClient, DeleteAudit, IssuedTokens, StoredResponse, TokenOwner,
};
use crate::error::{Error, Result};
use crate::id::ConnectionId;
use crate::tenancy::TenantId;

/// How many delete records the memory store keeps: it lives in RAM, so a long-running
/// in-memory server keeps the most recent ones rather than grow without bound. The SQLite store
/// keeps every record.
pub(crate) const MAX_AUDIT_RECORDS: usize = 100_000;

/// A tenant's idempotency key.
type ResponseKey = (TenantId, String);

/// Every lookup a request makes is by key, never by scan: a store with a million idempotent
/// responses answers a delete as fast as an empty one.
#[derive(Default)]
pub(super) struct AccessState {
    clients: HashMap<String, ApiClient>,
    /// The one live grant of each client, by client id.
    grants: HashMap<String, IssuedTokens>,
    /// Access-token hash to client id, for the live grants.
    by_access_hash: HashMap<String, String>,
    /// Refresh-token hash to client id, for the live grants.
    by_refresh_hash: HashMap<String, String>,
    responses: HashMap<ResponseKey, StoredResponse>,
    /// The keys of the responses that created each connection, forgotten with it.
    responses_by_connection: HashMap<ConnectionId, Vec<ResponseKey>>,
    /// Keys in the order they were stored, for expiry from the oldest.
    responses_by_age: VecDeque<(u64, ResponseKey)>,
    /// The most recent deletes, oldest first; see [`MAX_AUDIT_RECORDS`].
    audit: VecDeque<DeleteAudit>,
}

impl AccessState {
    /// Records a delete and forgets the idempotent responses that created the connection: they
    /// may hold its partner secrets.
    pub(super) fn record_delete(&mut self, audit: DeleteAudit) {
        if let Some(keys) = self.responses_by_connection.remove(&audit.connection_id) {
            for key in keys {
                if self
                    .responses
                    .get(&key)
                    .is_some_and(|r| r.connection_id == Some(audit.connection_id))
                {
                    self.responses.remove(&key);
                }
            }
        }
        if self.audit.len() == MAX_AUDIT_RECORDS {
            self.audit.pop_front();
        }
        self.audit.push_back(audit);
    }

    /// Drops the responses stored before `older_than`. The age queue may name keys that were
    /// replaced or forgotten since; only a response as old as its queue entry is dropped.
    fn expire_responses(&mut self, older_than: u64) {
        while let Some((created_at, _)) = self.responses_by_age.front() {
            if *created_at >= older_than {
                break;
            }
            let Some((created_at, key)) = self.responses_by_age.pop_front() else {
                break;
            };
            let current = self
                .responses
                .get(&key)
                .is_some_and(|r| r.created_at == created_at);
            if !current {
                continue;
            }
            let Some(id) = self
                .responses
                .remove(&key)
                .and_then(|gone| gone.connection_id)
            else {
                continue;
            };
            if let Some(keys) = self.responses_by_connection.get_mut(&id) {
                keys.retain(|k| *k != key);
                if keys.is_empty() {
                    self.responses_by_connection.remove(&id);
                }
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

    async fn find_response(&self, tenant: &TenantId, key: &str) -> Result<Option<StoredResponse>> {
        Ok(lock(&self.state)
            .access
            .responses
            .get(&(tenant.clone(), key.to_owned()))
            .cloned())
    }

    async fn remember_response(
        &self,
        tenant: &TenantId,
        key: &str,
        response: StoredResponse,
        older_than: u64,
    ) -> Result<()> {
        let mut state = lock(&self.state);
        let access = &mut state.access;
        access.expire_responses(older_than);
        let key: ResponseKey = (tenant.clone(), key.to_owned());
        if let Some(id) = response.connection_id {
            access
                .responses_by_connection
                .entry(id)
                .or_default()
                .push(key.clone());
        }
        access
            .responses_by_age
            .push_back((response.created_at, key.clone()));
        access.responses.insert(key, response);
        Ok(())
    }

    async fn delete_audit(&self) -> Result<Vec<DeleteAudit>> {
        Ok(lock(&self.state).access.audit.iter().cloned().collect())
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
    fn stored_responses_expire_oldest_first_and_replacements_survive() {
        let store = MemoryStore::new();
        let tenant = TenantId::new("t").unwrap();
        let response = |created_at, connection_id| StoredResponse {
            request_hash: "h".into(),
            status: 201,
            body: Vec::new(),
            connection_id,
            created_at,
        };
        let id = crate::ConnectionId::random();
        block_on(store.remember_response(&tenant, "old", response(1, Some(id)), 0)).unwrap();
        block_on(store.remember_response(&tenant, "kept", response(2, None), 0)).unwrap();
        block_on(store.remember_response(&tenant, "kept", response(20, None), 0)).unwrap();
        block_on(store.remember_response(&tenant, "new", response(30, None), 10)).unwrap();
        assert_eq!(block_on(store.find_response(&tenant, "old")).unwrap(), None);
        assert_eq!(
            block_on(store.find_response(&tenant, "kept"))
                .unwrap()
                .unwrap()
                .created_at,
            20
        );
        assert!(
            block_on(store.find_response(&tenant, "new"))
                .unwrap()
                .is_some()
        );
        assert!(
            lock(&store.state).access.responses_by_connection.is_empty(),
            "no index entry outlives its response"
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
    fn deletes_are_audited_and_forget_the_stored_create_response() {
        let store = MemoryStore::new();
        let tenant = TenantId::new("t").unwrap();
        let repo =
            RepositoryProvider::repository(&store, &Principal::new(tenant.clone(), "client-9"));
        let conn =
            block_on(repo.create(NewConnection::new(Partner::new("xero").unwrap(), "r").unwrap()))
                .unwrap();
        let response = StoredResponse {
            request_hash: "h".into(),
            status: 201,
            body: b"{}".to_vec(),
            connection_id: Some(conn.id),
            created_at: 5,
        };
        block_on(store.remember_response(&tenant, "key", response, 0)).unwrap();
        block_on(repo.delete(conn.id)).unwrap();
        assert_eq!(block_on(store.find_response(&tenant, "key")).unwrap(), None);
        let audit = block_on(store.delete_audit()).unwrap();
        assert_eq!(audit.len(), 1);
        assert_eq!(
            (audit[0].client_id.as_str(), audit[0].connection_id),
            ("client-9", conn.id)
        );
        assert_eq!(audit[0].partner, "XERO");
    }
}
