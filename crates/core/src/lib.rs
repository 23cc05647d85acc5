//! The domain of Exsited integration connections, with no I/O: the types, the
//! [`ConnectionRepository`] trait every backend implements, the delete semantics written once,
//! the one [`Error`] type, an in-memory backend, and (feature `conformance`) the behaviour suite
//! that proves a backend honours it all.
//!
//! Deleting a connection is the centre of it: see the *Behavior* section of
//! [`ConnectionRepository`] and `docs/delete-semantics.md`.
//!
//! ```
//! use exsited_core::{
//!     AutomationDetails, ConnectionRepository, DeleteOutcome, Error, MemoryStore, Name,
//!     NewConnection, Partner, TenantId,
//! };
//!
//! # futures_util::FutureExt::now_or_never(async {
//! let repo = MemoryStore::new().repository(TenantId::new("acme")?);
//! let conn = repo.create(NewConnection::new(Partner::new("xero")?, "xero-tenant-1")?).await?;
//! let rule = repo.create_automation(conn.id, AutomationDetails::new(Name::new("name", "Sync invoices")?)).await?;
//!
//! assert_eq!(repo.delete(conn.id).await?, DeleteOutcome::Removed);
//! assert!(matches!(repo.get_automation(conn.id, rule.id).await, Err(Error::NotFound { .. })));
//! assert!(matches!(repo.delete(conn.id).await, Err(Error::NotFound { .. })));
//! # Ok::<(), Error>(())
//! # }).unwrap().unwrap();
//! ```

#![deny(missing_docs)]

pub mod access;
pub mod configuration;
mod connection;
mod error;
mod ext;
mod id;
pub mod idempotency;
mod memory;
pub mod observe;
mod query;
mod repository;
mod secret;
mod sync;
mod tenancy;
mod text;
pub mod time;
mod wrapper;

#[cfg(feature = "conformance")]
pub mod conformance;

pub use connection::{
    Connection, ConnectionStatus, MAX_SECRET_CHARS, NewConnection, PartnerCredentials,
    RemoteInstance,
};
pub use error::{BoxError, Error, Resource, Result, key_path};
pub use ext::{Ensured, RepositoryExt};
pub use id::{AutomationId, ConnectionId, InvalidId, MAX_ECHOED_CHARS, PartnerFunctionId};
pub use memory::{MemoryRepository, MemoryStore};
pub use query::{DEFAULT_LIMIT, Direction, ListQuery, MAX_LIMIT, OrderBy, Page};
pub use repository::{ConnectionRepository, DeleteOutcome, RepositoryProvider};
pub use secret::SecretString;
pub use sync::{
    Automation, AutomationDetails, AutomationPatch, AutomationStatus, CriteriaGroup, CriteriaRule,
    PartnerFunction, PartnerFunctionDetails, PartnerFunctionPatch,
};
pub use tenancy::{Principal, TenantId};
pub use text::{
    MAX_OBJECT_MAPPING_CHARS, MAX_PARTNER_CHARS, MAX_TEXT_CHARS, Name, ObjectMapping, Partner,
    Text, check_text,
};
pub use wrapper::RepositoryWrapper;
