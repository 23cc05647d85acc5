//! A small pool of read-only connections. In WAL mode they read a committed snapshot while the
//! writer writes, so reads never wait for writes; each read runs on tokio's blocking pool, never
//! on a runtime worker.

use std::path::PathBuf;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use exsited_core::Result;
use rusqlite::{Connection, Transaction, TransactionBehavior};

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
    pub(crate) fn read<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut lent = self.acquire()?;
        let conn = lent.conn.as_mut().expect("a lent connection is present");
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Deferred)
            .map_err(|e| db_error("begin a read", e, false))?;
        let result = f(&tx);
        // Ends the read transaction; a read changes nothing, so rollback is the cheap end.
        drop(tx);
        result
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
