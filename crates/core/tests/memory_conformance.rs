//! The memory backend runs the whole conformance suite, like every other backend.

use std::sync::Arc;

use exsited_core::conformance::{self, AccessFixture, Fixture};
use exsited_core::{MemoryStore, TenantId};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn memory_backend_passes_the_conformance_suite() {
    conformance::run_all(&|| async {
        let store = MemoryStore::new();
        Fixture {
            a: Arc::new(store.repository(TenantId::new("tenant-a").unwrap())),
            b: Arc::new(store.repository(TenantId::new("tenant-b").unwrap())),
            probe: Some(Arc::new(store)),
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn memory_backend_passes_the_access_checks() {
    conformance::run_access(&|| async {
        let store = Arc::new(MemoryStore::new());
        AccessFixture {
            access: store.clone(),
            provider: store,
        }
    })
    .await;
}
