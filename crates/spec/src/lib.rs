//! The OpenAPI document of the Exsited integration-connection API and the wire types generated
//! from it.
//!
//! - [`OPENAPI_YAML`]: the document itself, the single source of truth of the wire contract.
//! - The wire types (one per schema of the document, for example [`Connection`],
//!   [`ConnectionList`], [`ErrorEnvelope`], [`TokenResponse`]) are re-exported at the crate root
//!   from [`generated::types`].
//! - [`paths`]: one [`Operation`] constant per operation (method and path template, for
//!   routers), [`paths::ALL`], and one function per operation that builds its [`paths::Path`]
//!   from typed ids (`paths::delete_connection(id)`, for clients).
//! - [`headers`]: every header the document names, as spelled and in lower case
//!   ([`headers::X_IDEMPOTENCY_KEY`]); [`parameters`]: the name of every path and query
//!   parameter ([`parameters::LIMIT`]).
//! - [`Secret`]: the type of every field the document marks `x-secret`; it never prints its value
//!   and is zeroized on drop.
//!
//! - [`convert`]: between the wire types and the domain types of `exsited-core`, shared by the
//!   transport and the server so that they cannot disagree about the JSON shape.
//! - [`errors`]: reading every error-body shape the API sends, and the envelope the reference
//!   server writes, with the keys of its `details` ([`errors::detail`]).
//! - [`query`]: the list query string both ways: [`query::ListParams`] reads it into core's
//!   `ListQuery` and the `fields` projection whose [`query::Projected`] records fill the list
//!   types (`ConnectionList<Projected<'_, Connection>>`); [`query::encode`] writes it.
//! - [`configuration`]: a connection's configuration document between the domain and its wire
//!   types (the `PATCH` body, the `GET` body, the answer to a `PATCH`) and the compact JSON the
//!   stores keep.
//! - [`token`]: the two grants of a [`TokenRequest`], built and read
//!   ([`TokenRequest::client_credentials`], [`TokenRequest::grant`]); and
//!   [`MessageResponse::enabled`], [`MessageResponse::disabled`],
//!   [`MessageResponse::automation`], [`MessageResponse::partner_function`] and
//!   [`ConfigurationUpdated::new`], the answers to enabling, disabling and configuring.
//! - [`schemas`]: every schema of the document as data ([`schema::Schema`]), and
//!   [`validate`]: a request body read through its schema ([`validate::from_slice`]), with
//!   errors that name the field path and never quote a value.
//! - [`pagination::is_end_marker`] and [`Pagination::next_link`]: the three end-of-list markers
//!   (`"NULL"`, `""`, `null`) read as "no page".
//!
//! ```
//! use exsited_core::ConnectionId;
//! use exsited_spec::{ConnectionList, ErrorCode, ErrorEnvelope, paths};
//!
//! let id = ConnectionId::parse("3f0c8a52-9a4e-4d8e-9d53-6f3b2f5b8a10")?;
//! let path = paths::delete_connection(id);
//! assert_eq!(path.operation().method, "DELETE");
//! assert_eq!(path.as_str(), "/api/v3/integration/3f0c8a52-9a4e-4d8e-9d53-6f3b2f5b8a10");
//!
//! let list: ConnectionList = serde_json::from_str(
//!     r#"{"integration_connection": [{"uuid": "u1", "client_secret": "hidden"}],
//!         "pagination": {"records": 1, "limit": 20, "offset": 0, "next_page": "NULL"}}"#,
//! )?;
//! assert!(!format!("{list:?}").contains("hidden"));
//! assert_eq!(list.pagination.as_ref().and_then(|p| p.next_link()), None);
//!
//! let error: ErrorEnvelope =
//!     serde_json::from_str(r#"{"errors": [{"code": 404, "message": "not found"}]}"#)?;
//! assert_eq!(error.errors[0].code, ErrorCode::Number(404));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Everything under [`generated`] is produced by `cargo xtask codegen` from `openapi.yaml`;
//! `cargo xtask codegen --check` (and `cargo test`) fail when it is stale.
//!
//! # Changes in this version
//!
//! - `Operation::path(&[&str])`, which filled a template from strings and panicked on a wrong
//!   number of them, is gone: each operation has its own function in [`paths`] taking typed
//!   ids and returning a [`paths::Path`] (`paths::get_connection(id)`), so a wrong call does
//!   not compile.
//! - [`ConnectionList`], [`AutomationList`] and [`PartnerFunctionList`] take their record type
//!   as a parameter that defaults to the record (`ConnectionList` is still
//!   `ConnectionList<Connection>`), so that projected records fit them.
//! - [`errors::ErrorReport`] has new fields: `status`, the status a v4 error body names, and
//!   `missing`, the record a v3 404 names in its `details`.
//! - The configuration document: the operations `getConfiguration`, `updateConfiguration`,
//!   `enableAutomation`, `disableAutomation`, `enablePartnerFunction`,
//!   `disablePartnerFunction`, `deletePartnerFunction`, and the v3 aliases
//!   `listConnectionsV3` and `getConnectionV3`, with their wire types and [`configuration`].
//! - [`schema::Kind::Null`], [`schema::Object::closed`] and [`validate::Invalid::Unknown`]: a
//!   `type: 'null'` member of a `oneOf`, and an object that refuses properties it does not
//!   name. A [`validate::FieldPath`] writes a plain map key after a `.` (`account.export`),
//!   as [`exsited_core::key_path`] does.

#![deny(missing_docs)]

pub mod configuration;
pub mod convert;
pub mod errors;
pub mod generated;
mod header;
mod message;
mod nullable;
mod operation;
pub mod pagination;
pub mod query;
pub mod schema;
mod secret;
pub mod token;
pub mod validate;

pub use generated::headers;
pub use generated::parameters;
pub use generated::paths;
pub use generated::paths::Operation;
pub use generated::schemas;
pub use generated::types::*;
pub use secret::Secret;

/// The OpenAPI 3.1 document of the API, as served by the reference server at `/openapi.yaml`.
pub const OPENAPI_YAML: &str = include_str!("../openapi.yaml");
