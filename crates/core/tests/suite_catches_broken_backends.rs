//! The conformance suite is only worth something if it fails on broken backends. Each test
//! here wraps the memory backend in a deliberate bug and checks that the matching check fails.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use exsited_core::conformance::{self, Fixture};
use exsited_core::*;
use futures_util::FutureExt;

/// Forwards everything to the memory backend except what a test overrides.
struct Broken {
    inner: MemoryRepository,
    bug: Bug,
    /// Set while a non-atomic delete is "half way".
    tearing_down: std::sync::Mutex<Option<ConnectionId>>,
}

#[derive(Clone, Copy)]
enum Bug {
    /// Removes the sync configurations visibly before the connection.
    NonAtomicCascade,
    /// Checks, then acts, and calls a missing connection a success.
    CheckThenDelete,
    /// Reports success without removing anything.
    DeleteIsNoop,
}

#[async_trait]
impl RepositoryWrapper for Broken {
    fn inner(&self) -> &dyn ConnectionRepository {
        &self.inner
    }

    async fn delete(&self, id: ConnectionId) -> Result<DeleteOutcome> {
        match self.bug {
            Bug::NonAtomicCascade => {
                *self.tearing_down.lock().unwrap() = Some(id);
                tokio::time::sleep(Duration::from_millis(20)).await;
                let outcome = self.inner.delete(id).await;
                *self.tearing_down.lock().unwrap() = None;
                outcome
            }
            Bug::CheckThenDelete => {
                self.inner.get(id).await?;
                tokio::time::sleep(Duration::from_millis(5)).await;
                self.inner.delete(id).await.or(Ok(DeleteOutcome::Removed))
            }
            Bug::DeleteIsNoop => self.inner.get(id).await.map(|_| DeleteOutcome::Removed),
        }
    }

    async fn list_automations(&self, c: ConnectionId, q: &ListQuery) -> Result<Page<Automation>> {
        let mut page = self.inner.list_automations(c, q).await?;
        if *self.tearing_down.lock().unwrap() == Some(c) {
            page.items.truncate(page.items.len() / 2);
            page.total = page.items.len() as u64;
        }
        Ok(page)
    }
}

fn fixture(bug: Bug) -> Fixture {
    let store = MemoryStore::new();
    let wrap = |tenant: &str| -> Arc<dyn ConnectionRepository> {
        Arc::new(Broken {
            inner: store.repository(TenantId::new(tenant).unwrap()),
            bug,
            tearing_down: std::sync::Mutex::new(None),
        })
    };
    Fixture {
        a: wrap("a"),
        b: wrap("b"),
        probe: Some(Arc::new(store.clone())),
    }
}

async fn fails(check: &str, bug: Bug) -> bool {
    let check = conformance::CHECKS
        .iter()
        .find(|c| c.name == check)
        .expect("check exists");
    AssertUnwindSafe((check.run)(fixture(bug)))
        .catch_unwind()
        .await
        .is_err()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_non_atomic_cascade_is_caught() {
    assert!(
        fails(
            "delete_cascade_is_atomic_for_readers",
            Bug::NonAtomicCascade
        )
        .await
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn check_then_delete_races_are_caught() {
    assert!(
        fails(
            "concurrent_deletes_of_one_id_exactly_one_wins",
            Bug::CheckThenDelete
        )
        .await
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_delete_that_keeps_the_data_is_caught() {
    assert!(
        fails(
            "delete_removes_connection_and_all_sync_configurations",
            Bug::DeleteIsNoop
        )
        .await
    );
    assert!(fails("deleted_credentials_are_not_kept", Bug::DeleteIsNoop).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_unbroken_backend_passes_those_same_checks() {
    let store = MemoryStore::new();
    let fixture = Fixture {
        a: Arc::new(store.repository(TenantId::new("a").unwrap())),
        b: Arc::new(store.repository(TenantId::new("b").unwrap())),
        probe: Some(Arc::new(store.clone())),
    };
    conformance::delete_cascade_is_atomic_for_readers(fixture).await;
}

/// Keyed creates as two steps, a look-up then a create and its record: the design that let
/// concurrent requests with one idempotency key create several connections.
struct TwoStepKeyed {
    store: MemoryStore,
    records: std::sync::Mutex<std::collections::HashMap<String, ConnectionId>>,
}

#[async_trait]
impl idempotency::KeyedCreates for TwoStepKeyed {
    async fn create_keyed(
        &self,
        key: &idempotency::IdempotencyKey,
        new: NewConnection,
    ) -> Result<idempotency::Keyed<Connection>> {
        let repo = self.store.repository(TenantId::new("t").unwrap());
        let known = self.records.lock().unwrap().get(key.as_str()).copied();
        if let Some(id) = known {
            return repo.get(id).await.map(idempotency::Keyed::Replayed);
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
        let made = repo.create(new).await?;
        self.records
            .lock()
            .unwrap()
            .insert(key.as_str().to_owned(), made.id);
        Ok(idempotency::Keyed::Created(made))
    }

    async fn create_automation_keyed(
        &self,
        _key: &idempotency::IdempotencyKey,
        connection: ConnectionId,
        details: AutomationDetails,
    ) -> Result<idempotency::Keyed<Automation>> {
        let repo = self.store.repository(TenantId::new("t").unwrap());
        repo.create_automation(connection, details)
            .await
            .map(idempotency::Keyed::Created)
    }

    async fn create_partner_function_keyed(
        &self,
        _key: &idempotency::IdempotencyKey,
        connection: ConnectionId,
        details: PartnerFunctionDetails,
    ) -> Result<idempotency::Keyed<PartnerFunction>> {
        let repo = self.store.repository(TenantId::new("t").unwrap());
        repo.create_partner_function(connection, details)
            .await
            .map(idempotency::Keyed::Created)
    }
}

struct TwoStepProvider(Arc<TwoStepKeyed>);

impl RepositoryProvider for TwoStepProvider {
    fn repository(&self, _principal: &Principal) -> Arc<dyn ConnectionRepository> {
        Arc::new(self.0.store.repository(TenantId::new("t").unwrap()))
    }

    fn keyed_creates(&self, _principal: &Principal) -> Arc<dyn idempotency::KeyedCreates> {
        self.0.clone()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_step_keyed_creates_are_caught() {
    let store = MemoryStore::new();
    let fixture = conformance::AccessFixture {
        access: Arc::new(store.clone()),
        provider: Arc::new(TwoStepProvider(Arc::new(TwoStepKeyed {
            store,
            records: Default::default(),
        }))),
    };
    let check = conformance::ACCESS_CHECKS
        .iter()
        .find(|c| c.name == "concurrent_keyed_creates_make_one_resource")
        .expect("check exists");
    let failed = AssertUnwindSafe((check.run)(fixture))
        .catch_unwind()
        .await
        .is_err();
    assert!(
        failed,
        "concurrent keyed creates in two steps must fail the suite"
    );
}
