//! The memory store's [`AccessStore`]: clients, tokens and the delete audit, under the same lock
//! as the connections.

use async_trait::async_trait;

use super::state::lock;
use super::store::MemoryStore;
use crate::access::{AccessStore, ApiClient, DeleteAudit, IssuedTokens, TokenOwner};
use crate::error::{Error, Result};

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
    use crate::tenancy::TenantId;
    use crate::{NewConnection, Partner, Principal, RepositoryProvider};

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        futures_util::FutureExt::now_or_never(f).expect("the memory store never waits")
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
