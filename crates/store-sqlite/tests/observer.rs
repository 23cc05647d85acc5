//! The writer reports every group commit to the store's observer: its batch size, with the
//! same counts as [`SqliteStore::stats`].

use std::sync::{Arc, Mutex};

use exsited_core::observe::{StoreHook, StoreObserver, TransactionReport};
use exsited_core::{ConnectionId, ConnectionRepository, NewConnection, Partner, TenantId};
use exsited_store_sqlite::{Options, SqliteStore};
use tokio::sync::Barrier;

#[derive(Default)]
struct Recorder(Mutex<Vec<TransactionReport>>);

impl StoreObserver for Recorder {
    fn transaction(&self, report: &TransactionReport) {
        self.0.lock().unwrap().push(*report);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_group_commit_is_reported_with_its_batch_size() {
    let dir = tempfile::tempdir().unwrap();
    let recorder = Arc::new(Recorder::default());
    let options = Options::default().with_observer(StoreHook::new(recorder.clone()));
    let store = SqliteStore::open_with(dir.path().join("store.db"), options).unwrap();
    let repo = Arc::new(store.repository(TenantId::new("acme").unwrap()));

    const TASKS: usize = 32;
    let barrier = Arc::new(Barrier::new(TASKS));
    let tasks: Vec<_> = (0..TASKS)
        .map(|_| {
            let (repo, barrier) = (repo.clone(), barrier.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                let new = NewConnection::new(Partner::new("xero").unwrap(), "org").unwrap();
                let made = repo.create(new).await.unwrap();
                // A write answered with NotFound is still part of a committed batch.
                assert!(repo.delete(ConnectionId::random()).await.is_err());
                repo.delete(made.id).await.unwrap();
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }

    let stats = store.stats();
    let reports = recorder.0.lock().unwrap().clone();
    assert_eq!(reports.len() as u64, stats.commits, "one report per commit");
    assert_eq!(
        reports.iter().map(|r| r.writes as u64).sum::<u64>(),
        stats.writes,
        "batch sizes add up to the writes"
    );
    assert_eq!(stats.writes, (TASKS * 3) as u64);
    assert!(
        reports.iter().all(|r| r.committed && r.writes >= 1),
        "{reports:?}"
    );
}

#[test]
fn options_without_an_observer_compare_equal() {
    assert_eq!(Options::default(), Options::default());
    let hook = StoreHook::new(Arc::new(Recorder::default()));
    assert_ne!(Options::default().with_observer(hook), Options::default());
}
