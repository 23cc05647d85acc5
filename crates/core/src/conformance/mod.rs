//! The behaviour suite every backend must pass (feature `conformance`).
//!
//! Each check is a public async function that takes a fresh [`Fixture`]: two repositories of two
//! different tenants over one new, empty backend. [`run_all`] runs every check with its own
//! fixture, naming each as it goes; a failing check panics with its name and the broken
//! promise. Checks match error *variants*, never messages.
//!
//! A backend's test file needs one test:
//!
//! ```
//! use exsited_core::conformance::{self, Fixture};
//! use exsited_core::{MemoryStore, TenantId};
//! use std::sync::Arc;
//!
//! #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
//! async fn memory_backend_conforms() {
//!     conformance::run_all(&|| async {
//!         let store = MemoryStore::new();
//!         Fixture {
//!             a: Arc::new(store.repository(TenantId::new("tenant-a").unwrap())),
//!             b: Arc::new(store.repository(TenantId::new("tenant-b").unwrap())),
//!             probe: Some(Arc::new(store)),
//!         }
//!     })
//!     .await;
//! }
//! # fn main() {}
//! ```
//!
//! Use a multi-threaded runtime: the concurrency checks spawn tasks and are only meaningful
//! when those tasks really run in parallel.

mod access;
mod crud;
mod delete;
mod fixture;
mod support;
mod sync;

pub use access::*;
pub use crud::*;
pub use delete::*;
pub use fixture::{Check, Factory, Fixture, Probe};
pub use sync::*;

use fixture::run_checks;

macro_rules! checks {
    ($($name:ident),* $(,)?) => {
        /// Every check, in the order [`run_all`] runs them.
        pub const CHECKS: &[Check] = &[
            $(Check { name: stringify!($name), run: |fixture| Box::pin($name(fixture)) },)*
        ];
    };
}

checks!(
    create_then_get_returns_the_record,
    unknown_ids_are_not_found,
    enable_and_disable_set_the_status,
    list_pages_in_order_with_totals,
    concurrent_creates_are_all_kept,
    input_is_validated,
    details_at_the_bounds_round_trip,
    automations_round_trip,
    partner_functions_round_trip,
    sync_configurations_belong_to_their_connection,
    sync_lists_paginate,
    automations_are_enabled_and_disabled,
    partner_functions_are_switched_and_deleted,
    configuration_merges_and_is_bounded,
    concurrent_configuration_patches_all_apply,
    tenants_are_isolated,
    delete_removes_connection_and_all_sync_configurations,
    delete_leaves_other_connections_alone,
    delete_of_unknown_or_deleted_id_is_not_found,
    delete_cascade_is_atomic_for_readers,
    concurrent_deletes_of_one_id_exactly_one_wins,
    delete_racing_sync_creation_leaves_no_orphans,
    deleted_credentials_are_not_kept,
    extension_conveniences_work,
);

/// Runs every check in [`CHECKS`], each on its own fresh fixture, printing each name.
///
/// # Panics
///
/// When a check fails, with the check's name and what was broken.
pub async fn run_all(factory: &dyn Factory) {
    run_checks(CHECKS, || factory.fixture()).await;
}
