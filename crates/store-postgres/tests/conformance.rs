//! The PostgreSQL store runs the whole conformance suite and the access checks, each check on a
//! fresh database of one cluster.

mod support;

use std::sync::Arc;

use exsited_core::TenantId;
use exsited_core::conformance::{self, AccessFixture, Fixture};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_backend_passes_the_conformance_suite() {
    let cluster = support::cluster();
    conformance::run_all(&|| async {
        let store = support::fresh_store(&cluster).await;
        Fixture {
            a: Arc::new(store.repository(TenantId::new("tenant-a").unwrap())),
            b: Arc::new(store.repository(TenantId::new("tenant-b").unwrap())),
            probe: Some(Arc::new(support::ClusterProbe {
                store,
                cluster: Arc::clone(&cluster),
            })),
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_backend_passes_the_access_checks() {
    let cluster = support::cluster();
    conformance::run_access(&|| async {
        let store = support::fresh_store(&cluster).await;
        AccessFixture {
            access: Arc::new(store.access()),
            provider: Arc::new(store),
        }
    })
    .await;
}
