//! A small pool of read-only connections. In WAL mode they read a committed snapshot while the
//! writer writes, so reads never wait for writes; each read runs on tokio's blocking pool, never
//! on a runtime worker.

use std::path::PathBuf;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use exsited_core::Result;
use rusqlite::Connection;

use crate::error::db_error;
use crate::schema::open_reader;

pub(crate) struct ReadPool {
    path: PathBuf,
    busy_timeout: Duration,
    max: usize,
    state: Mutex<PoolState>,
    returned: Condvar,
}

struct PoolState {
    idle: Vec<Connection>,
    /// Connections open, idle or lent out.
    open: usize,
}

fn lock(state: &Mutex<PoolState>) -> MutexGuard<'_, PoolState> {
    // The state is a list and a count, consistent after every statement.
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A connection lent out; it goes back to the pool when dropped, even on a panic.
struct Lent<'a> {
    pool: &'a ReadPool,
    conn: Option<Connection>,
}

impl Drop for Lent<'_> {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            lock(&self.pool.state).idle.push(conn);
            self.pool.returned.notify_one();
        }
    }
}

/// Ends a read transaction when dropped, even when the read panicked; a read changes nothing,
/// so rolling back is the cheap way to end it.
struct Snapshot<'a>(&'a Connection);

impl Drop for Snapshot<'_> {
    fn drop(&mut self) {
        if !self.0.is_autocommit() {
            let _ = self
                .0
                .prepare_cached("ROLLBACK")
                .and_then(|mut s| s.execute([]));
        }
    }
}

impl ReadPool {
    pub(crate) fn new(path: PathBuf, busy_timeout: Duration, max: usize) -> Self {
        Self {
            path,
            busy_timeout,
            max: max.max(1),
            state: Mutex::new(PoolState {
                idle: Vec::new(),
                open: 0,
            }),
            returned: Condvar::new(),
        }
    }

    /// Runs `f` in a read transaction (one consistent snapshot) on a pooled connection.
    /// Blocks while every connection is lent out: call it from a blocking thread.
    pub(crate) fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let mut lent = self.acquire()?;
        let conn = lent.conn.as_mut().expect("a lent connection is present");
        // From the statement cache rather than `Transaction`, which parses BEGIN and ROLLBACK
        // on every read.
        conn.prepare_cached("BEGIN DEFERRED")
            .and_then(|mut s| s.execute([]))
            .map_err(|e| db_error("begin a read", e, false))?;
        let snapshot = Snapshot(conn);
        f(snapshot.0)
    }

    fn acquire(&self) -> Result<Lent<'_>> {
        let mut state = lock(&self.state);
        loop {
            if let Some(conn) = state.idle.pop() {
                return Ok(Lent {
                    pool: self,
                    conn: Some(conn),
                });
            }
            if state.open < self.max {
                state.open += 1;
                drop(state);
                return match open_reader(&self.path, self.busy_timeout) {
                    Ok(conn) => Ok(Lent {
                        pool: self,
                        conn: Some(conn),
                    }),
                    Err(e) => {
                        lock(&self.state).open -= 1;
                        self.returned.notify_one();
                        Err(db_error("open a reader", e, false))
                    }
                };
            }
            state = self
                .returned
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }
}
