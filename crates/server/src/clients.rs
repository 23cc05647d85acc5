//! Registering API clients: generated or given credentials, stored only as salted hashes.
//!
//! The CLI uses these to create the first client of an empty store, to register the clients
//! named on its command line, and for `exsited admin add-client`.
//!
//! ```
//! use exsited_core::{MemoryStore, SecretString, TenantId, access::{AccessStore, Scope}};
//! use exsited_server::clients;
//!
//! # futures_util::FutureExt::now_or_never(async {
//! let store = MemoryStore::new();
//! let (client, credentials) = clients::generate(TenantId::new("acme")?, Scope::Write);
//! store.add_client(client).await?;
//! let stored = store.find_client(&credentials.client_id).await?.unwrap();
//! assert!(clients::verify(&stored, credentials.client_secret.expose()));
//! assert!(!format!("{credentials:?}").contains(credentials.client_secret.expose()));
//! # Ok::<(), exsited_core::Error>(())
//! # }).unwrap().unwrap();
//! ```

use exsited_core::access::{AccessStore, ApiClient, Scope};
use exsited_core::{Error, SecretString, TenantId};

use crate::crypto;

/// A client's id and secret in clear, as handed to its owner once. `Debug` hides the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientCredentials {
    /// The public client id.
    pub client_id: String,
    /// The secret; only its salted hash is stored.
    pub client_secret: SecretString,
}

/// What [`ensure`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Registered {
    /// The client was new and is now stored.
    Added,
    /// A client with the same id, secret, tenant and scope was already stored.
    AlreadyPresent,
}

/// The longest client id accepted.
pub const MAX_CLIENT_ID_CHARS: usize = 128;

/// A fresh client with a random id and a random 256-bit secret.
pub fn generate(tenant: TenantId, scope: Scope) -> (ApiClient, ClientCredentials) {
    let credentials = ClientCredentials {
        client_id: format!("cl_{}", crypto::random_hex(12)),
        client_secret: SecretString::new(format!("cs_{}", crypto::random_hex(32))),
    };
    let client = ApiClient {
        client_id: credentials.client_id.clone(),
        tenant,
        scope,
        secret_hash: crypto::hash_secret(credentials.client_secret.expose()),
    };
    (client, credentials)
}

/// A client with a chosen id and secret (from the command line or a deployment's config).
///
/// The id must be 1 to [`MAX_CLIENT_ID_CHARS`] ASCII letters, digits, `-`, `_` or `.`; the
/// secret must not be empty. Errors name the field, never the secret.
pub fn with_secret(
    client_id: &str,
    secret: &SecretString,
    tenant: TenantId,
    scope: Scope,
) -> Result<ApiClient, Error> {
    check_client_id(client_id)?;
    if secret.is_empty() {
        return Err(Error::invalid_input("client_secret", "must not be empty"));
    }
    Ok(ApiClient {
        client_id: client_id.to_owned(),
        tenant,
        scope,
        secret_hash: crypto::hash_secret(secret.expose()),
    })
}

/// Checks the shape of a client id.
pub fn check_client_id(client_id: &str) -> Result<(), Error> {
    let ok = !client_id.is_empty()
        && client_id.len() <= MAX_CLIENT_ID_CHARS
        && client_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if ok {
        Ok(())
    } else {
        Err(Error::invalid_input(
            "client_id",
            format!("must be 1 to {MAX_CLIENT_ID_CHARS} ASCII letters, digits, '-', '_' or '.'"),
        ))
    }
}

/// Whether `secret` is the client's secret. Compares in constant time.
pub fn verify(client: &ApiClient, secret: &str) -> bool {
    crypto::verify_secret(&client.secret_hash, secret)
}

/// Registers a client unless the same one is already there, so that a server restarted with the
/// same `--client` arguments starts cleanly.
///
/// A stored client with the same id but another secret, tenant or scope is a
/// [`Conflict`](Error::Conflict): clients are never changed behind their owner's back.
///
/// Race-free: several servers starting at once on one store with the same `--client` values
/// all succeed. Between this call's look-up and its add another process may register the same
/// client; the add then answers `Conflict`, and the client stored is read again and compared,
/// exactly as if it had been there first.
pub async fn ensure(
    access: &dyn AccessStore,
    client_id: &str,
    secret: &SecretString,
    tenant: TenantId,
    scope: Scope,
) -> Result<Registered, Error> {
    let client = with_secret(client_id, secret, tenant, scope)?;
    let compare = |existing: &ApiClient| {
        let same = existing.tenant == client.tenant
            && existing.scope == client.scope
            && verify(existing, secret.expose());
        if same {
            Ok(Registered::AlreadyPresent)
        } else {
            Err(Error::Conflict {
                message: format!(
                    "client {client_id} already exists with another secret, tenant or scope"
                ),
            })
        }
    };
    if let Some(existing) = access.find_client(client_id).await? {
        return compare(&existing);
    }
    match access.add_client(client.clone()).await {
        Ok(()) => Ok(Registered::Added),
        Err(Error::Conflict { message }) => match access.find_client(client_id).await? {
            Some(existing) => compare(&existing),
            // Clients are never removed, so the one the add ran into is there; if a store
            // says otherwise, its own conflict is the honest answer.
            None => Err(Error::Conflict { message }),
        },
        Err(other) => Err(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use exsited_core::MemoryStore;
    use futures_util::FutureExt;

    #[test]
    fn ensure_is_idempotent_and_refuses_changes() {
        let store = MemoryStore::new();
        let tenant = TenantId::new("t").unwrap();
        let secret = SecretString::new("pw");
        let run = |secret: &SecretString, scope| {
            ensure(&store, "ci", secret, tenant.clone(), scope)
                .now_or_never()
                .unwrap()
        };
        assert_eq!(run(&secret, Scope::Write).unwrap(), Registered::Added);
        assert_eq!(
            run(&secret, Scope::Write).unwrap(),
            Registered::AlreadyPresent
        );
        assert!(matches!(
            run(&SecretString::new("other"), Scope::Write),
            Err(Error::Conflict { .. })
        ));
        assert!(matches!(
            run(&secret, Scope::Read),
            Err(Error::Conflict { .. })
        ));
    }

    /// A store whose first `waiters` look-ups all answer only once every one of them has
    /// looked: each concurrent `ensure` finds nothing, then adds, as servers starting at the
    /// same moment do.
    struct LookupsMissTogether {
        inner: MemoryStore,
        barrier: tokio::sync::Barrier,
        looks: std::sync::atomic::AtomicUsize,
        waiters: usize,
    }

    #[async_trait::async_trait]
    impl AccessStore for LookupsMissTogether {
        async fn add_client(&self, client: ApiClient) -> Result<(), Error> {
            self.inner.add_client(client).await
        }
        async fn find_client(&self, client_id: &str) -> Result<Option<ApiClient>, Error> {
            let found = self.inner.find_client(client_id).await;
            let n = self.looks.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            if n < self.waiters {
                self.barrier.wait().await;
            }
            found
        }
        async fn client_count(&self) -> Result<u64, Error> {
            self.inner.client_count().await
        }
        async fn replace_tokens(
            &self,
            tokens: exsited_core::access::IssuedTokens,
            rotating: Option<&str>,
        ) -> Result<bool, Error> {
            self.inner.replace_tokens(tokens, rotating).await
        }
        async fn find_access_token(
            &self,
            hash: &str,
        ) -> Result<Option<exsited_core::access::TokenOwner>, Error> {
            self.inner.find_access_token(hash).await
        }
        async fn find_refresh_token(
            &self,
            hash: &str,
        ) -> Result<Option<exsited_core::access::TokenOwner>, Error> {
            self.inner.find_refresh_token(hash).await
        }
        async fn delete_audit(&self) -> Result<Vec<exsited_core::access::DeleteAudit>, Error> {
            self.inner.delete_audit().await
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_ensures_of_one_client_all_succeed_and_add_it_once() {
        const N: usize = 16;
        let store = std::sync::Arc::new(LookupsMissTogether {
            inner: MemoryStore::new(),
            barrier: tokio::sync::Barrier::new(N),
            looks: Default::default(),
            waiters: N,
        });
        let tasks: Vec<_> = (0..N)
            .map(|_| {
                let store = store.clone();
                tokio::spawn(async move {
                    let secret = SecretString::new("pw");
                    let tenant = TenantId::new("t").unwrap();
                    ensure(store.as_ref(), "ci", &secret, tenant, Scope::Write).await
                })
            })
            .collect();
        let mut added = 0;
        for task in tasks {
            match task.await.unwrap() {
                Ok(Registered::Added) => added += 1,
                Ok(Registered::AlreadyPresent) => {}
                Err(e) => panic!("a concurrent ensure of the same client failed: {e}"),
            }
        }
        assert_eq!(added, 1);
        assert_eq!(store.inner.client_count().await.unwrap(), 1);

        // Racing with another secret is still refused, not silently accepted.
        let other = LookupsMissTogether {
            inner: store.inner.clone(),
            barrier: tokio::sync::Barrier::new(1),
            looks: Default::default(),
            waiters: 0,
        };
        let secret = SecretString::new("another");
        assert!(matches!(
            ensure(
                &other,
                "ci",
                &secret,
                TenantId::new("t").unwrap(),
                Scope::Write
            )
            .await,
            Err(Error::Conflict { .. })
        ));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_ensures_on_a_sqlite_store_all_succeed() {
        let dir = tempfile::tempdir().unwrap();
        let store = std::sync::Arc::new(
            exsited_store_sqlite::SqliteStore::open(dir.path().join("s.db")).unwrap(),
        );
        let tasks: Vec<_> = (0..32)
            .map(|_| {
                let store = store.clone();
                tokio::spawn(async move {
                    let secret = SecretString::new("pw");
                    let tenant = TenantId::new("t").unwrap();
                    ensure(store.as_ref(), "ci", &secret, tenant, Scope::Read).await
                })
            })
            .collect();
        let mut added = 0;
        for task in tasks {
            if task.await.unwrap().expect("every ensure succeeds") == Registered::Added {
                added += 1;
            }
        }
        assert_eq!(added, 1);
    }

    #[test]
    fn ids_and_secrets_are_checked() {
        let t = TenantId::new("t").unwrap();
        assert!(with_secret("a b", &SecretString::new("x"), t.clone(), Scope::Read).is_err());
        assert!(with_secret("ab", &SecretString::new(""), t.clone(), Scope::Read).is_err());
        let client = with_secret("ab", &SecretString::new("x"), t, Scope::Read).unwrap();
        assert!(verify(&client, "x"));
        assert!(!client.secret_hash.contains(":x"));
    }
}
