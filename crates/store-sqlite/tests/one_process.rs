//! One process per file: a second open of a file in use is refused, and a file another
//! program holds locked at open is waited for, within the busy timeout.

use std::time::Duration;

use exsited_store_sqlite::{OpenError, Options, SqliteStore};

#[test]
fn a_file_in_use_is_refused_until_its_store_is_closed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    let first = SqliteStore::open(&path).unwrap();
    match SqliteStore::open(&path) {
        Err(OpenError::InUse { path: refused, .. }) => assert_eq!(refused, path),
        other => panic!("a second open while the first is open: {other:?}"),
    }
    drop(first);
    SqliteStore::open(&path).expect("free again once the first store is closed");
}

/// A blank database that another connection is writing to for a while (it holds the reserved
/// lock of a rollback journal), as a migration tool or the sqlite3 shell might. Switching to WAL
/// needs the exclusive lock, and SQLite answers "database is locked" at once rather than
/// calling the busy handler, since waiting while holding a shared lock could deadlock.
fn locked_for(path: &std::path::Path, hold: Duration) -> std::thread::JoinHandle<()> {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch("PRAGMA user_version = 0; VACUUM;")
        .unwrap();
    conn.execute_batch("BEGIN IMMEDIATE").unwrap();
    std::thread::spawn(move || {
        std::thread::sleep(hold);
        conn.execute_batch("COMMIT").unwrap();
    })
}

#[test]
fn a_file_locked_by_another_program_at_open_is_waited_for() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    let holder = locked_for(&path, Duration::from_millis(400));
    let store = SqliteStore::open_with(&path, Options::default().with_verify_on_open(false));
    holder.join().unwrap();
    store.expect("the open waits for the lock instead of failing");
}

#[test]
fn a_file_locked_longer_than_the_busy_timeout_fails_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    let holder = locked_for(&path, Duration::from_millis(1_500));
    let options = Options::default()
        .with_verify_on_open(false)
        .with_busy_timeout(Duration::from_millis(200));
    let result = SqliteStore::open_with(&path, options);
    holder.join().unwrap();
    match result {
        Err(OpenError::Unavailable { message, .. }) => {
            assert!(message.contains("locked"), "{message}")
        }
        other => panic!("{other:?}"),
    }
}
