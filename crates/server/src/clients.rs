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
pub async fn ensure(
    access: &dyn AccessStore,
    client_id: &str,
    secret: &SecretString,
    tenant: TenantId,
    scope: Scope,
) -> Result<Registered, Error> {
    let client = with_secret(client_id, secret, tenant, scope)?;
    if let Some(existing) = access.find_client(client_id).await? {
        let same = existing.tenant == client.tenant
            && existing.scope == client.scope
            && verify(&existing, secret.expose());
        return if same {
            Ok(Registered::AlreadyPresent)
        } else {
            Err(Error::Conflict {
                message: format!(
                    "client {client_id} already exists with another secret, tenant or scope"
                ),
            })
        };
    }
    access.add_client(client).await?;
    Ok(Registered::Added)
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
