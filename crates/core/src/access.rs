//! What the reference server remembers about its API clients: who they are, the tokens it gave
//! them, and the audit trail of deletes. (Idempotency keys are recorded with the resources they
//! created, atomically: see [`idempotency`](crate::idempotency).)
//!
//! Backends that serve the reference server implement [`AccessStore`] next to
//! [`RepositoryProvider`](crate::RepositoryProvider). Only hashes of secrets and tokens are
//! stored: the server hashes, the store compares hashes for equality.

use std::fmt;

use async_trait::async_trait;

use crate::error::{Error, Result};
use crate::id::ConnectionId;
use crate::tenancy::{Principal, TenantId};
use crate::text::Partner;

/// What an API client may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Reads only; every write is `Forbidden`.
    Read,
    /// Reads and writes, deletes included.
    Write,
}

impl Scope {
    /// Reads `read` or `write`.
    pub fn parse(value: &str) -> Result<Self> {
        match value {
            "read" => Ok(Self::Read),
            "write" => Ok(Self::Write),
            _ => Err(Error::invalid_input("scope", "must be read or write")),
        }
    }

    /// `read` or `write`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Write => "write",
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A registered API client. The secret is stored only as a hash, in a format the server
/// chooses and the store treats as opaque text.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiClient {
    /// The public client id.
    pub client_id: String,
    /// The tenant whose data it sees.
    pub tenant: TenantId,
    /// What it may do.
    pub scope: Scope,
    /// The hash of its secret.
    pub secret_hash: String,
}

impl fmt::Debug for ApiClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiClient")
            .field("client_id", &self.client_id)
            .field("tenant", &self.tenant)
            .field("scope", &self.scope)
            .field("secret_hash", &"[redacted]")
            .finish()
    }
}

/// The tokens of one grant, by hash, with their expiry (seconds since the Unix epoch).
#[derive(Clone, PartialEq, Eq)]
pub struct IssuedTokens {
    /// The client they were issued to.
    pub client_id: String,
    /// Hash of the access token.
    pub access_hash: String,
    /// When the access token stops working.
    pub access_expires_at: u64,
    /// Hash of the refresh token.
    pub refresh_hash: String,
    /// When the refresh token stops working.
    pub refresh_expires_at: u64,
}

impl fmt::Debug for IssuedTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IssuedTokens")
            .field("client_id", &self.client_id)
            .field("access_hash", &"[redacted]")
            .field("access_expires_at", &self.access_expires_at)
            .field("refresh_hash", &"[redacted]")
            .field("refresh_expires_at", &self.refresh_expires_at)
            .finish()
    }
}

/// Whose token a hash is, and until when it works.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenOwner {
    /// The client the token was issued to.
    pub client_id: String,
    /// Seconds since the Unix epoch.
    pub expires_at: u64,
}

/// One deleted connection, as the audit trail records it. Never a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeleteAudit {
    /// When (RFC 3339, UTC).
    pub at: String,
    /// The tenant it belonged to.
    pub tenant: TenantId,
    /// The API client that deleted it.
    pub client_id: String,
    /// The connection.
    pub connection_id: ConnectionId,
    /// Its partner.
    pub partner: String,
    /// How many automations and partner functions went with it.
    pub sync_configurations: u64,
}

impl DeleteAudit {
    /// The record of `principal` deleting `connection` (a connection to `partner`, with
    /// `sync_configurations` automations and partner functions) `at`: what every backend writes
    /// in the delete's own atomic step.
    pub fn new(
        at: std::time::SystemTime,
        principal: &Principal,
        connection: ConnectionId,
        partner: &Partner,
        sync_configurations: u64,
    ) -> Self {
        Self {
            at: crate::time::rfc3339(at),
            tenant: principal.tenant.clone(),
            client_id: principal.client_id.clone(),
            connection_id: connection,
            partner: partner.to_string(),
            sync_configurations,
        }
    }
}

/// The server's memory of clients, tokens and deletes.
#[async_trait]
pub trait AccessStore: Send + Sync {
    /// Registers a client; an existing client id is a [`Conflict`](Error::Conflict).
    async fn add_client(&self, client: ApiClient) -> Result<()>;

    /// The client with this id, if any.
    async fn find_client(&self, client_id: &str) -> Result<Option<ApiClient>>;

    /// How many clients are registered (the server creates one on an empty store).
    async fn client_count(&self) -> Result<u64>;

    /// Stores a new grant and revokes every earlier token of the same client: a new grant
    /// signs out the previous one.
    ///
    /// With `rotating: Some(hash)` (the refresh grant) it happens only if `hash` is still the
    /// client's current refresh token, atomically, and returns `false` otherwise, so that one
    /// refresh token is never redeemed twice.
    async fn replace_tokens(&self, tokens: IssuedTokens, rotating: Option<&str>) -> Result<bool>;

    /// The owner of a live or expired access token; `None` if unknown or revoked.
    async fn find_access_token(&self, access_hash: &str) -> Result<Option<TokenOwner>>;

    /// The client an access token was issued to, with the token's expiry: what authenticating
    /// a request needs, in one call. `None` if the token is unknown or revoked.
    ///
    /// The default asks [`find_access_token`](Self::find_access_token) then
    /// [`find_client`](Self::find_client); a backend that can answer with one lookup (a join)
    /// should, since every request pays for it.
    async fn find_token_client(&self, access_hash: &str) -> Result<Option<(ApiClient, u64)>> {
        let Some(owner) = self.find_access_token(access_hash).await? else {
            return Ok(None);
        };
        Ok(self
            .find_client(&owner.client_id)
            .await?
            .map(|client| (client, owner.expires_at)))
    }

    /// The owner of a live or expired refresh token; `None` if unknown or revoked.
    async fn find_refresh_token(&self, refresh_hash: &str) -> Result<Option<TokenOwner>>;

    /// Every delete recorded so far, oldest first.
    async fn delete_audit(&self) -> Result<Vec<DeleteAudit>>;

    /// Whether every grant of this store goes through the process that holds this value, so
    /// that a server may cache token look-ups for a few seconds and forget a client's cached
    /// tokens when it grants new ones.
    ///
    /// The default, `false`, is the safe answer for a store that several server processes share
    /// (a database server): a grant on another instance must revoke the previous token at once,
    /// and only a look-up per request guarantees that. Stores that only one process can open
    /// (memory; SQLite, which locks its file) return `true`.
    fn grants_are_local(&self) -> bool {
        false
    }
}
