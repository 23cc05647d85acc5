//! The conformance suite end to end: this client, over a real loopback socket, to the reference
//! server, over the memory store and over the SQLite store. Every promise of the delete
//! semantics must survive the trip through HTTP.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use exsited_core::access::{AccessStore, Scope};
use exsited_core::conformance::{self, Fixture, Probe};
use exsited_core::{ConnectionRepository, MemoryStore, RepositoryProvider, SecretString, TenantId};
use exsited_server::{RunningServer, Server, ServerConfig};
use exsited_store_sqlite::SqliteStore;
use exsited_transport::ClientConfig;

/// Servers and scratch directories of past fixtures. The suite holds only the repositories, so
/// the servers they talk to are kept here until the test process ends.
static KEEP: Mutex<Vec<(RunningServer, Option<tempfile::TempDir>)>> = Mutex::new(Vec::new());

const SECRET_A: &str = "round-trip-secret-tenant-a";
const SECRET_B: &str = "round-trip-secret-tenant-b";

/// Serves `store` with one client per tenant, and returns a transport client for each.
async fn serve<S>(
    store: Arc<S>,
    probe: Arc<dyn Probe>,
    scratch: Option<tempfile::TempDir>,
) -> Fixture
where
    S: RepositoryProvider + AccessStore + 'static,
{
    for (id, secret, tenant) in [
        ("client-a", SECRET_A, "tenant-a"),
        ("client-b", SECRET_B, "tenant-b"),
    ] {
        let client = exsited_server::clients::with_secret(
            id,
            &SecretString::new(secret),
            TenantId::new(tenant).unwrap(),
            Scope::Write,
        )
        .unwrap();
        store.add_client(client).await.unwrap();
    }
    let server = Server::builder()
        .store(store)
        .config(ServerConfig::default())
        .bind("127.0.0.1:0".parse().unwrap())
        .await
        .expect("server binds");
    let addr = server.local_addr();
    KEEP.lock().unwrap().push((server, scratch));
    Fixture {
        a: client(addr, "client-a", SECRET_A),
        b: client(addr, "client-b", SECRET_B),
        probe: Some(probe),
    }
}

fn client(addr: SocketAddr, id: &str, secret: &str) -> Arc<dyn ConnectionRepository> {
    let client = ClientConfig::builder()
        .base_url(format!("http://{addr}"))
        .credentials(id, SecretString::new(secret))
        .attempt_timeout(Duration::from_secs(10))
        .build()
        .expect("client config");
    Arc::new(client)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn conformance_through_http_to_the_memory_store() {
    conformance::run_all(&|| async {
        let store = Arc::new(MemoryStore::new());
        serve(store.clone(), store, None).await
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn conformance_through_http_to_the_sqlite_store() {
    conformance::run_all(&|| async {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(SqliteStore::open(dir.path().join("exsited.db")).unwrap());
        serve(store.clone(), store, Some(dir)).await
    })
    .await;
}
