//! What every check runs on: the fixture of a fresh backend, the probe inside it, the factory
//! that makes one per check, and the runner that gives each check its own.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use async_trait::async_trait;
use futures_util::FutureExt;
use futures_util::future::BoxFuture;

use crate::{ConnectionRepository, MemoryStore};

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
    /// How many automations, partner functions and set (non-empty) configuration documents the
    /// backend stores, across all tenants and including any whose connection is gone (orphans).
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

/// Runs `checks`, each on a fixture of its own from `fixture`, printing each name.
pub(super) async fn run_checks<F, Fut>(checks: &[Check<F>], fixture: impl Fn() -> Fut)
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
