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

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use async_trait::async_trait;
use futures_util::FutureExt;
use futures_util::future::BoxFuture;

use crate::{ConnectionRepository, MemoryStore};

mod access;
mod crud;
mod delete;
mod support;

pub use access::*;
pub use crud::*;
pub use delete::*;

/// A fresh, empty backend seen by two tenants.
pub struct Fixture {
    /// The first tenant's repository.
    pub a: Arc<dyn ConnectionRepository>,
    /// The second tenant's repository, over the same backend.
    pub b: Arc<dyn ConnectionRepository>,
    /// A look inside the backend, for the promises the API cannot show (orphans, secrets).
    /// Backends that cannot offer one pass `None`, and those checks say they were skipped.
    pub probe: Option<Arc<dyn Probe>>,
}

/// A look inside a backend, beyond what the repository API shows.
#[async_trait]
pub trait Probe: Send + Sync {
    /// How many automations and partner functions the backend stores, across all tenants and
    /// including any whose connection is gone (orphans).
    async fn sync_configuration_count(&self) -> u64;

    /// Whether `secret` can still be read anywhere in the backend's storage.
    async fn holds_secret(&self, secret: &str) -> bool;
}

#[async_trait]
impl Probe for MemoryStore {
    async fn sync_configuration_count(&self) -> u64 {
        MemoryStore::sync_configuration_count(self)
    }

    async fn holds_secret(&self, secret: &str) -> bool {
        MemoryStore::holds_secret(self, secret)
    }
}

/// Makes a new [`Fixture`] for each check. Any `Fn() -> impl Future<Output = Fixture>` is one.
#[async_trait]
pub trait Factory: Send + Sync {
    /// A fresh, empty backend.
    async fn fixture(&self) -> Fixture;
}

#[async_trait]
impl<F, Fut> Factory for F
where
    F: Fn() -> Fut + Send + Sync,
    Fut: Future<Output = Fixture> + Send,
{
    async fn fixture(&self) -> Fixture {
        self().await
    }
}

/// One named check of the suite, run on a fresh fixture of type `F`.
pub struct Check<F = Fixture> {
    /// The check's name, as printed.
    pub name: &'static str,
    /// Runs it on a fresh fixture; panics if the backend breaks the promise.
    pub run: fn(F) -> BoxFuture<'static, ()>,
}

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

/// Runs `checks`, each on a fixture of its own from `fixture`, printing each name.
async fn run_checks<F, Fut>(checks: &[Check<F>], fixture: impl Fn() -> Fut)
where
    Fut: Future<Output = F>,
{
    for check in checks {
        eprintln!("conformance: {} ...", check.name);
        let fixture = fixture().await;
        if let Err(panic) = AssertUnwindSafe((check.run)(fixture)).catch_unwind().await {
            let message = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("(no message)");
            panic!("conformance check `{}` failed: {message}", check.name);
        }
    }
    eprintln!("conformance: all {} checks passed", checks.len());
}
