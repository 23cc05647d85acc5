//! Every write reports its latency to the store's observer, reads do not, and a write the
//! database failed is reported as not committed.

mod support;

use std::sync::{Arc, Mutex};

use exsited_core::access::{AccessStore, IssuedTokens};
use exsited_core::observe::{StoreHook, StoreObserver, TransactionReport};
use exsited_core::{ConnectionId, ConnectionRepository, NewConnection, Partner, TenantId};
use exsited_secrets::SecretKey;
use exsited_store_postgres::{Options, PostgresStore};
use exsited_test_postgres::Cluster;

#[derive(Default)]
struct Recorder(Mutex<Vec<TransactionReport>>);

impl StoreObserver for Recorder {
    fn transaction(&self, report: &TransactionReport) {
        self.0.lock().unwrap().push(*report);
    }
}

impl Recorder {
    fn take(&self) -> Vec<TransactionReport> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_are_reported_once_each_and_reads_not_at_all() {
    let cluster = Cluster::start();
    let db = cluster.create_database();
    let recorder = Arc::new(Recorder::default());
    let options = Options::default().with_observer(StoreHook::new(recorder.clone()));
    let store = PostgresStore::open(&cluster.url(&db), &SecretKey::generate(), options)
        .await
        .unwrap();
    let repo = store.repository(TenantId::new("acme").unwrap());
    recorder.take();

    let new = NewConnection::new(Partner::new("xero").unwrap(), "org").unwrap();
    let made = repo.create(new).await.unwrap();
    repo.disable(made.id).await.unwrap();
    repo.get(made.id).await.unwrap();
    repo.delete(made.id).await.unwrap();
    // NotFound: the transaction ran and committed, changing nothing.
    assert!(
        repo.delete(ConnectionId::random())
            .await
            .unwrap_err()
            .is_not_found()
    );
    let reports = recorder.take();
    assert_eq!(
        reports.len(),
        4,
        "create, disable and two deletes: {reports:?}"
    );
    assert!(
        reports.iter().all(|r| r.committed && r.writes == 1),
        "{reports:?}"
    );

    let access = store.access();
    access
        .replace_tokens(
            IssuedTokens {
                client_id: "c".into(),
                access_hash: "a".repeat(64),
                access_expires_at: 1,
                refresh_hash: "r".repeat(64),
                refresh_expires_at: 1,
            },
            None,
        )
        .await
        .unwrap();
    access.client_count().await.unwrap();
    assert_eq!(
        recorder.take().len(),
        1,
        "the grant is a write, the count a read"
    );

    // The database itself refuses the next insert.
    cluster.psql(
        &db,
        "ALTER TABLE connections ADD CONSTRAINT refuse_all CHECK (false) NOT VALID",
    );
    let new = NewConnection::new(Partner::new("xero").unwrap(), "org").unwrap();
    repo.create(new).await.unwrap_err();
    let reports = recorder.take();
    assert_eq!(reports.len(), 1, "{reports:?}");
    assert!(
        !reports[0].committed,
        "a write the database refused did not commit"
    );
}
