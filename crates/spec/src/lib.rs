//! The OpenAPI document of the Exsited integration-connection API and the wire types generated
//! from it.
//!
//! - [`OPENAPI_YAML`]: the document itself, the single source of truth of the wire contract.
//! - The wire types (one per schema of the document, for example [`Connection`],
//!   [`ConnectionList`], [`ErrorEnvelope`], [`TokenResponse`]) are re-exported at the crate root
//!   from [`generated::types`].
//! - [`paths`]: one [`Operation`] constant per operation (method and path template), and
//!   [`paths::ALL`].
//! - [`Secret`]: the type of every field the document marks `x-secret`; it never prints its value
//!   and is zeroized on drop.
//!
//! Everything under [`generated`] is produced by `cargo xtask codegen` from `openapi.yaml`;
//! `cargo xtask codegen --check` (and `cargo test`) fail when it is stale.

#![deny(missing_docs)]

pub mod generated;
mod secret;

pub use generated::paths;
pub use generated::paths::Operation;
pub use generated::types::*;
pub use secret::Secret;

/// The OpenAPI 3.1 document of the API, as served by the reference server at `/openapi.yaml`.
pub const OPENAPI_YAML: &str = include_str!("../openapi.yaml");
