//! The SQLite store runs the whole conformance suite, each check on a fresh file.

use std::sync::{Arc, Mutex};

use exsited_core::TenantId;
use exsited_core::conformance::{self, AccessFixture, Fixture};
use exsited_store_sqlite::SqliteStore;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_backend_passes_the_conformance_suite() {
    // Every fixture's directory lives until the suite is done.
    let dirs = Mutex::new(Vec::new());
    conformance::run_all(&|| async {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = SqliteStore::open(dir.path().join("store.db")).expect("open");
        dirs.lock().unwrap().push(dir);
        Fixture {
            a: Arc::new(store.repository(TenantId::new("tenant-a").unwrap())),
            b: Arc::new(store.repository(TenantId::new("tenant-b").unwrap())),
            probe: Some(Arc::new(store)),
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_backend_passes_the_access_checks() {
    let dirs = Mutex::new(Vec::new());
    conformance::run_access(&|| async {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Arc::new(SqliteStore::open(dir.path().join("store.db")).expect("open"));
        dirs.lock().unwrap().push(dir);
        AccessFixture {
            access: store.clone(),
            provider: store,
        }
    })
    .await;
}
