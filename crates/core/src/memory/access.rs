//! The memory store's [`AccessStore`]: clients, tokens, idempotency keys and the delete audit,
//! under the same lock as the connections.

use std::collections::HashMap;

use async_trait::async_trait;

use super::{MemoryStore, lock};
use crate::access::{
    AccessStore, ApiClient, DeleteAudit, IssuedTokens, StoredResponse, TokenOwner,
};
use crate::error::{Error, Result};
use crate::id::ConnectionId;
use crate::tenancy::TenantId;

#[derive(Default)]
pub(super) struct AccessState {
    clients: HashMap<String, ApiClient>,
    /// The one live grant of each client, by client id.
    grants: HashMap<String, IssuedTokens>,
    responses: HashMap<(TenantId, String), StoredResponse>,
    audit: Vec<DeleteAudit>,
}

impl AccessState {
    /// Records a delete and forgets the idempotent responses that created the connection: they
    /// may hold its partner secrets.
    pub(super) fn record_delete(&mut self, audit: DeleteAudit) {
        let gone: ConnectionId = audit.connection_id;
        self.responses.retain(|_, r| r.connection_id != Some(gone));
        self.audit.push(audit);
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
        if let Some(expected) = rotating {
            let current = state
                .access
                .grants
                .get(&tokens.client_id)
                .map(|g| g.refresh_hash.as_str());
            if current != Some(expected) {
                return Ok(false);
            }
        }
        state.access.grants.insert(tokens.client_id.clone(), tokens);
        Ok(true)
    }

    async fn find_access_token(&self, access_hash: &str) -> Result<Option<TokenOwner>> {
        let state = lock(&self.state);
        Ok(state
            .access
            .grants
            .values()
            .find(|g| g.access_hash == access_hash)
            .map(|g| TokenOwner {
                client_id: g.client_id.clone(),
                expires_at: g.access_expires_at,
            }))
    }

    async fn find_refresh_token(&self, refresh_hash: &str) -> Result<Option<TokenOwner>> {
        let state = lock(&self.state);
        Ok(state
            .access
            .grants
            .values()
            .find(|g| g.refresh_hash == refresh_hash)
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
        state
            .access
            .responses
            .retain(|_, r| r.created_at >= older_than);
        state
            .access
            .responses
            .insert((tenant.clone(), key.to_owned()), response);
        Ok(())
    }

    async fn delete_audit(&self) -> Result<Vec<DeleteAudit>> {
        Ok(lock(&self.state).access.audit.clone())
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
