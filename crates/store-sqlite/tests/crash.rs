//! An acknowledged write survives the process dying: a child process writes, reports each
//! acknowledgement, and exits without closing the store (no checkpoint, writes still in
//! flight); the parent reopens the file and finds every acknowledged create and delete.

use std::collections::HashSet;
use std::process::Command;

use exsited_core::access::AccessStore;
use exsited_core::{ConnectionId, ConnectionRepository, NewConnection, Partner, TenantId};
use exsited_store_sqlite::SqliteStore;

const CHILD_ENV: &str = "EXSITED_SQLITE_CRASH_CHILD_DB";

fn tenant() -> TenantId {
    TenantId::new("acme").unwrap()
}

fn new_connection(i: usize) -> NewConnection {
    NewConnection::new(Partner::new("xero").unwrap(), &format!("remote-{i}")).unwrap()
}

/// The child's half: does nothing unless the parent started this binary with [`CHILD_ENV`].
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crash_child() {
    let Ok(path) = std::env::var(CHILD_ENV) else {
        return;
    };
    let store = SqliteStore::open(&path).unwrap();
    let repo = store.repository(tenant());
    let mut ids = Vec::new();
    for i in 0..20 {
        let conn = repo.create(new_connection(i)).await.unwrap();
        println!("CREATED {}", conn.id);
        ids.push(conn.id);
    }
    for id in &ids[..5] {
        repo.delete(*id).await.unwrap();
        println!("DELETED {id}");
    }
    // Writes in flight when the process dies: they may or may not land, never half.
    for i in 0..50 {
        let repo = repo.clone();
        tokio::spawn(async move { repo.create(new_connection(100 + i)).await });
    }
    tokio::task::yield_now().await;
    // No destructor runs: the writer thread dies mid-flight and the WAL is left behind.
    std::process::exit(0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_a_crash() {
    if std::env::var(CHILD_ENV).is_ok() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    let output = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "crash_child", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, &path)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let parse = |prefix: &str| -> Vec<ConnectionId> {
        stdout
            .lines()
            // The harness may print on the same line before the first report.
            .filter_map(|l| l.split_once(prefix))
            .map(|(_, id)| ConnectionId::parse(id.trim()).unwrap())
            .collect()
    };
    let created = parse("CREATED ");
    let deleted: HashSet<ConnectionId> = parse("DELETED ").into_iter().collect();
    assert_eq!(
        (created.len(), deleted.len()),
        (20, 5),
        "the child ran: {stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    assert!(
        std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0),
        "the child died with its WAL not checkpointed"
    );

    let store = SqliteStore::open(&path).expect("a crashed store opens");
    let repo = store.repository(tenant());
    for id in &created {
        let found = repo.get(*id).await;
        if deleted.contains(id) {
            assert!(
                found.unwrap_err().is_not_found(),
                "an acknowledged delete was lost"
            );
        } else {
            found.expect("an acknowledged create was lost");
        }
    }
    assert_eq!(store.delete_audit().await.unwrap().len(), 5);
}
