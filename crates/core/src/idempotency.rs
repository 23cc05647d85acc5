//! Creates that happen at most once per idempotency key, atomically with the record of the key.
//!
//! A client that loses the answer to a create sends it again with the same key. The backend must
//! then answer with what the first attempt created instead of creating again, even when the two
//! attempts run at the same moment on two server instances, or the first one's server was killed
//! right after its commit. That is only possible when the create and the record of its key are
//! **one transaction** of the backend: two steps, however close, leave a window in which a crash
//! or a concurrent attempt duplicates. Hence this is a capability of the backend
//! ([`KeyedCreates`], reached through
//! [`RepositoryProvider::keyed_creates`](crate::RepositoryProvider::keyed_creates)), not
//! something a server can build on top of [`ConnectionRepository`](crate::ConnectionRepository).
//!
//! A key record holds the key, a fingerprint of the request and *which* resource it created,
//! never a response body: a replay reads the resource as it is now and answers with it. No copy
//! of the partner secrets a create carried is kept beside the resource, and a key is forgotten
//! with its connection (deleting the connection deletes its key records in the same step).

use async_trait::async_trait;

use crate::connection::{Connection, NewConnection};
use crate::error::{Error, Result};
use crate::id::{AutomationId, ConnectionId, PartnerFunctionId};
use crate::sync::{Automation, AutomationDetails, PartnerFunction, PartnerFunctionDetails};

/// The longest idempotency key accepted.
pub const MAX_KEY_CHARS: usize = 255;

/// One create's idempotency key, with what identifies its request and the clock it runs on.
///
/// Keys are per tenant (the [`KeyedCreates`] value is one tenant's). The server builds one from
/// the request's `X-Idempotency-Key` header and a fingerprint of the route and body, so that the
/// same key sent with another request is told apart ([`Keyed::Reused`]).
///
/// ```
/// use exsited_core::idempotency::IdempotencyKey;
///
/// let key = IdempotencyKey::new("restore-42", "sha256:1f2e", 1_700_000_000, 86_400)?;
/// assert_eq!(key.as_str(), "restore-42");
/// assert_eq!(key.window_start(), 1_700_000_000 - 86_400);
/// assert!(IdempotencyKey::new("has space", "f", 0, 0).is_err());
/// # Ok::<(), exsited_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey {
    key: String,
    fingerprint: String,
    now: u64,
    window_secs: u64,
}

impl IdempotencyKey {
    /// A key of 1 to [`MAX_KEY_CHARS`] visible ASCII characters, for a request identified by
    /// `fingerprint` (opaque to the backend: compared for equality only), made at `now` (seconds
    /// since the Unix epoch) and honoured for `window_secs`.
    pub fn new(key: &str, fingerprint: &str, now: u64, window_secs: u64) -> Result<Self> {
        check_key(key)?;
        Ok(Self {
            key: key.to_owned(),
            fingerprint: fingerprint.to_owned(),
            now,
            window_secs,
        })
    }

    /// The key as the client sent it.
    pub fn as_str(&self) -> &str {
        &self.key
    }

    /// What identifies the request the key was sent with.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// When the request was made, in seconds since the Unix epoch: the time its record keeps.
    pub fn now(&self) -> u64 {
        self.now
    }

    /// Records made before this time (seconds since the Unix epoch) are expired: their key may
    /// be used afresh, and backends may drop them.
    pub fn window_start(&self) -> u64 {
        self.now.saturating_sub(self.window_secs)
    }

    /// Whether a record made at `created_at` still binds this key.
    pub fn is_live(&self, created_at: u64) -> bool {
        created_at >= self.window_start()
    }
}

/// Checks an idempotency key: 1 to [`MAX_KEY_CHARS`] visible ASCII characters. The error names
/// the field and never repeats the key.
pub fn check_key(key: &str) -> Result<()> {
    if !key.is_empty() && key.len() <= MAX_KEY_CHARS && key.bytes().all(|b| b.is_ascii_graphic()) {
        Ok(())
    } else {
        Err(Error::invalid_input(
            "X-Idempotency-Key",
            format!("must be 1 to {MAX_KEY_CHARS} visible ASCII characters"),
        ))
    }
}

/// What a keyed create did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub enum Keyed<T> {
    /// The key was new (or expired): the resource was created now, and the key recorded with it
    /// in the same transaction.
    Created(T),
    /// The key was already used for the same request: nothing was created; this is the resource
    /// that request created, as it is now.
    Replayed(T),
    /// The key was already used for another request (another body or route): nothing was
    /// created.
    Reused,
}

impl<T> Keyed<T> {
    /// The resource, created or replayed; `None` for [`Reused`](Self::Reused).
    pub fn into_resource(self) -> Option<T> {
        match self {
            Keyed::Created(value) | Keyed::Replayed(value) => Some(value),
            Keyed::Reused => None,
        }
    }

    /// Whether this answers an earlier request.
    pub fn is_replayed(&self) -> bool {
        matches!(self, Keyed::Replayed(_))
    }
}

/// What a key record says it created: enough to read the resource again for a replay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CreatedResource {
    /// A connection.
    Connection(ConnectionId),
    /// An automation of a connection.
    Automation(ConnectionId, AutomationId),
    /// A partner function of a connection.
    PartnerFunction(ConnectionId, PartnerFunctionId),
}

impl CreatedResource {
    /// The connection the resource belongs to (or is): deleting it forgets the record.
    pub fn connection(&self) -> ConnectionId {
        match *self {
            CreatedResource::Connection(id)
            | CreatedResource::Automation(id, _)
            | CreatedResource::PartnerFunction(id, _) => id,
        }
    }
}

/// One tenant's creates under an idempotency key, each atomic with the record of its key.
///
/// # Behavior
///
/// For each method, with a key `k` of this tenant:
///
/// 1. No live record of `k` (none, or one older than [`IdempotencyKey::window_start`]): the
///    resource is created exactly as the plain create of
///    [`ConnectionRepository`](crate::ConnectionRepository) would, and the record of `k` (its
///    fingerprint, its time, the resource) is stored **in the same atomic step**: after a crash
///    either both exist or neither. The answer is [`Keyed::Created`].
/// 2. A live record of `k` with the same fingerprint: nothing is created; the answer is
///    [`Keyed::Replayed`] with the resource the record names, read now. A record always names
///    a resource of the same kind as the method (the fingerprint covers the route).
/// 3. A live record of `k` with another fingerprint: nothing is created; [`Keyed::Reused`].
/// 4. Of N concurrent calls with the same `k` and fingerprint, exactly one creates; the others
///    replay it. This holds across every server instance sharing the backend.
/// 5. Keys are per tenant: another tenant's record of the same key is invisible.
/// 6. Deleting a connection deletes the records of everything created under it, in the
///    delete's own atomic step: the key may then be used afresh. Deleting a partner function
///    deletes the record of its create the same way.
/// 7. A create that fails (an unknown connection is `NotFound`, invalid input) stores no record.
///
/// The conformance suite's `access` checks test each sentence.
#[async_trait]
pub trait KeyedCreates: Send + Sync {
    /// Creates a connection once per key.
    async fn create_keyed(
        &self,
        key: &IdempotencyKey,
        new: NewConnection,
    ) -> Result<Keyed<Connection>>;

    /// Creates an automation under an existing connection once per key.
    async fn create_automation_keyed(
        &self,
        key: &IdempotencyKey,
        connection: ConnectionId,
        details: AutomationDetails,
    ) -> Result<Keyed<Automation>>;

    /// Creates a partner function under an existing connection once per key.
    async fn create_partner_function_keyed(
        &self,
        key: &IdempotencyKey,
        connection: ConnectionId,
        details: PartnerFunctionDetails,
    ) -> Result<Keyed<PartnerFunction>>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_checked_and_never_echoed() {
        assert!(check_key("restore-1f2e").is_ok());
        assert!(check_key(&"k".repeat(MAX_KEY_CHARS)).is_ok());
        for bad in ["", "has space", "tab\there", "é"] {
            match check_key(bad) {
                Err(Error::InvalidInput { field, reason }) => {
                    assert_eq!(field, "X-Idempotency-Key");
                    assert!(bad.is_empty() || !reason.contains(bad), "{reason}");
                }
                other => panic!("{bad:?}: {other:?}"),
            }
        }
        assert!(check_key(&"k".repeat(MAX_KEY_CHARS + 1)).is_err());
    }

    #[test]
    fn the_window_decides_which_records_bind() {
        let key = IdempotencyKey::new("k", "f", 1_000, 100).unwrap();
        assert!(key.is_live(900));
        assert!(!key.is_live(899));
        let early = IdempotencyKey::new("k", "f", 10, 100).unwrap();
        assert_eq!(early.window_start(), 0, "no underflow near the epoch");
    }
}
