//! What the PostgreSQL store's tests share: a cluster per test, a database and a key per
//! fixture, and a probe that also scans the cluster's files.

#![allow(dead_code, unreachable_pub)]

use std::sync::Arc;

use async_trait::async_trait;
use exsited_core::conformance::Probe;
use exsited_secrets::SecretKey;
use exsited_store_postgres::{Options, PostgresStore};
use exsited_test_postgres::Cluster;

/// A running cluster, shared by the fixtures of one test and stopped when the last goes.
pub fn cluster() -> Arc<Cluster> {
    Arc::new(Cluster::start())
}

/// A store over a new, empty database of `cluster`, under a new key.
pub async fn fresh_store(cluster: &Cluster) -> PostgresStore {
    let db = cluster.create_database();
    open(cluster, &db, &SecretKey::generate()).await
}

/// Opens the store on `database` with `key`.
pub async fn open(cluster: &Cluster, database: &str, key: &SecretKey) -> PostgresStore {
    PostgresStore::open(&cluster.url(database), key, Options::default())
        .await
        .unwrap_or_else(|e| panic!("open the store on {database}: {e}"))
}

/// The store's own look (orphans; secrets in the rows, opened with the key) plus a scan of
/// every file of the cluster's data directory, the WAL included, for the plaintext.
pub struct ClusterProbe {
    pub store: PostgresStore,
    pub cluster: Arc<Cluster>,
}

#[async_trait]
impl Probe for ClusterProbe {
    async fn sync_configuration_count(&self) -> u64 {
        Probe::sync_configuration_count(&self.store).await
    }

    async fn holds_secret(&self, secret: &str) -> bool {
        if Probe::holds_secret(&self.store, secret).await {
            return true;
        }
        let (cluster, needle) = (Arc::clone(&self.cluster), secret.as_bytes().to_vec());
        tokio::task::spawn_blocking(move || cluster.files_hold(&needle))
            .await
            .expect("the file scan ran")
    }
}
