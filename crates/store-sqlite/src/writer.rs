//! The one writer thread and its group commit.
//!
//! Every write is a job sent over a channel to a `std::thread` that owns the only read-write
//! connection. The thread takes every job waiting (up to a bound), runs them in one
//! transaction, each inside its own `SAVEPOINT` so that a failing job rolls back only itself,
//! commits once (one fsync for the whole batch), and only then answers each caller. A caller's
//! write is therefore on disk before its future resolves, and N concurrent writes cost far fewer
//! than N fsyncs.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::thread::{self, JoinHandle};
use std::time::Instant;

use exsited_core::observe::{StoreHook, TransactionReport};
use exsited_core::{Error, Result};
use rusqlite::Connection;
use tokio::sync::oneshot;

use crate::error::{db_error, describe, store_error};

/// Counters of the writer, read by [`SqliteStore::stats`](crate::SqliteStore::stats), and
/// where it reports each batch ([`Options::observer`](crate::Options::observer)).
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) commits: AtomicU64,
    pub(crate) writes: AtomicU64,
    pub(crate) observer: StoreHook,
}

/// Why a whole batch did not commit; every job of it that had succeeded gets this instead.
struct BatchFailure {
    message: String,
    maybe_processed: bool,
}

/// A write waiting for the writer thread.
trait Job: Send {
    /// Runs the write on the writer's connection, inside the batch's transaction and the job's
    /// own savepoint; `true` if it succeeded (the savepoint is kept), `false` if it failed
    /// (the savepoint is rolled back).
    fn run(&mut self, conn: &Connection) -> bool;

    /// Answers the caller: with the job's own result once the batch committed (`None`), or
    /// with the batch's failure.
    fn finish(self: Box<Self>, batch: Option<&BatchFailure>);
}

struct Task<T, F> {
    work: Option<F>,
    outcome: Option<Result<T>>,
    reply: oneshot::Sender<Result<T>>,
}

impl<T, F> Job for Task<T, F>
where
    T: Send,
    F: FnOnce(&Connection) -> Result<T> + Send,
{
    fn run(&mut self, conn: &Connection) -> bool {
        let Some(work) = self.work.take() else {
            return false;
        };
        let outcome = catch_unwind(AssertUnwindSafe(|| work(conn)))
            .unwrap_or_else(|_| Err(store_error("a write panicked; it was rolled back", false)));
        let ok = outcome.is_ok();
        self.outcome = Some(outcome);
        ok
    }

    fn finish(self: Box<Self>, batch: Option<&BatchFailure>) {
        let result = match (self.outcome, batch) {
            // The job's own failure stands: its savepoint was rolled back either way.
            (Some(Err(own)), _) => Err(own),
            (Some(Ok(value)), None) => Ok(value),
            (Some(Ok(_)), Some(failure)) | (None, Some(failure)) => Err(Error::Unavailable {
                message: failure.message.clone(),
                maybe_processed: failure.maybe_processed,
                source: None,
            }),
            (None, None) => Err(store_error("a write was never run", false)),
        };
        // The caller may have stopped waiting; the write happened all the same.
        let _ = self.reply.send(result);
    }
}

enum Message {
    Job(Box<dyn Job>),
    /// Commit what came before, then checkpoint the WAL into the main file and truncate it.
    Checkpoint(oneshot::Sender<Result<()>>),
}

/// The handle on the writer thread. Dropping it lets the thread finish every job already sent,
/// then waits for it to close the connection and exit.
pub(crate) struct Writer {
    sender: Option<mpsc::Sender<Message>>,
    thread: Option<JoinHandle<()>>,
}

impl Writer {
    /// Starts the thread that owns `conn`.
    pub(crate) fn spawn(
        conn: Connection,
        counters: Arc<Counters>,
        max_batch: usize,
    ) -> std::io::Result<Self> {
        let (sender, receiver) = mpsc::channel();
        let thread = thread::Builder::new()
            .name("exsited-sqlite-writer".into())
            .spawn(move || run(conn, &receiver, &counters, max_batch.max(1)))?;
        Ok(Self {
            sender: Some(sender),
            thread: Some(thread),
        })
    }

    /// Runs `work` in the writer's next batch and resolves once that batch is committed.
    pub(crate) async fn write<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let task = Task {
            work: Some(work),
            outcome: None,
            reply,
        };
        self.send(Message::Job(Box::new(task)))?;
        answer
            .await
            .unwrap_or_else(|_| Err(store_error("the writer stopped during the write", true)))
    }

    /// Commits pending writes, then checkpoints the WAL and truncates it to zero bytes.
    pub(crate) async fn checkpoint(&self) -> Result<()> {
        let (reply, answer) = oneshot::channel();
        self.send(Message::Checkpoint(reply))?;
        answer
            .await
            .unwrap_or_else(|_| Err(store_error("the writer stopped", false)))
    }

    fn send(&self, message: Message) -> Result<()> {
        self.sender
            .as_ref()
            .and_then(|s| s.send(message).ok())
            .ok_or_else(|| store_error("the writer has stopped", false))
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        // Closing the channel ends the thread's loop once it has drained every job sent.
        self.sender.take();
        if let Some(thread) = self.thread.take()
            && thread.thread().id() != thread::current().id()
        {
            let _ = thread.join();
        }
    }
}

fn run(conn: Connection, receiver: &mpsc::Receiver<Message>, counters: &Counters, max: usize) {
    while let Ok(first) = receiver.recv() {
        let mut jobs: Vec<Box<dyn Job>> = Vec::new();
        let mut next = Some(first);
        let mut taken = 0;
        while let Some(message) = next.take() {
            taken += 1;
            match message {
                Message::Job(job) => jobs.push(job),
                Message::Checkpoint(reply) => {
                    commit_batch(&conn, std::mem::take(&mut jobs), counters);
                    let _ = reply.send(checkpoint(&conn));
                }
            }
            if taken < max {
                next = receiver.try_recv().ok();
            }
        }
        commit_batch(&conn, jobs, counters);
    }
    // The channel is closed and drained: the connection closes here, which checkpoints the
    // WAL and removes it when no other connection is open.
    drop(conn);
}

/// Runs a statement of the batch protocol from the statement cache: they run several times per
/// batch, and parsing them each time was a measurable part of a delete's cost.
fn exec(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(sql)?.execute([]).map(drop)
}

fn begin(conn: &Connection) -> std::result::Result<(), BatchFailure> {
    exec(conn, "BEGIN IMMEDIATE").map_err(|e| BatchFailure {
        message: format!("sqlite store: cannot begin a transaction: {}", describe(&e)),
        maybe_processed: false,
    })
}

/// Runs `jobs` in one transaction, each in its own savepoint, commits once, then answers all.
fn commit_batch(conn: &Connection, jobs: Vec<Box<dyn Job>>, counters: &Counters) {
    if jobs.is_empty() {
        return;
    }
    let started = counters.observer.is_set().then(Instant::now);
    let mut in_transaction = begin(conn);
    let mut ran: Vec<Box<dyn Job>> = Vec::with_capacity(jobs.len());
    for mut job in jobs {
        if let Err(failure) = &in_transaction {
            job.finish(Some(failure));
            continue;
        }
        if let Err(e) = exec(conn, "SAVEPOINT job") {
            job.finish(Some(&BatchFailure {
                message: format!("sqlite store: cannot start a savepoint: {}", describe(&e)),
                maybe_processed: false,
            }));
            continue;
        }
        let ok = job.run(conn);
        let closed = if ok {
            exec(conn, "RELEASE job")
        } else {
            exec(conn, "ROLLBACK TO job").and_then(|()| exec(conn, "RELEASE job"))
        };
        if closed.is_err() || conn.is_autocommit() {
            // SQLite rolled the whole transaction back (a full disk, an I/O error): the jobs
            // that ran before in this batch are undone too. Fail them, start again.
            let _ = exec(conn, "ROLLBACK");
            let failure = BatchFailure {
                message: "sqlite store: the transaction was rolled back by an earlier failure"
                    .into(),
                maybe_processed: false,
            };
            for done in ran.drain(..) {
                done.finish(Some(&failure));
            }
            job.finish(Some(&failure));
            in_transaction = begin(conn);
            continue;
        }
        ran.push(job);
    }
    if in_transaction.is_err() {
        return;
    }
    let committed = exec(conn, "COMMIT");
    if let Some(started) = started {
        let report = TransactionReport::new(ran.len(), started.elapsed(), committed.is_ok());
        counters.observer.report(report);
    }
    match committed {
        Ok(()) => {
            counters.commits.fetch_add(1, Ordering::Relaxed);
            counters
                .writes
                .fetch_add(ran.len() as u64, Ordering::Relaxed);
            for job in ran {
                job.finish(None);
            }
        }
        Err(e) => {
            let _ = exec(conn, "ROLLBACK");
            // A failed fsync may still have left the commit record on disk.
            let failure = BatchFailure {
                message: format!("sqlite store: commit failed: {}", describe(&e)),
                maybe_processed: true,
            };
            for job in ran {
                job.finish(Some(&failure));
            }
        }
    }
}

fn checkpoint(conn: &Connection) -> Result<()> {
    for _ in 0..50 {
        let busy: i64 = conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))
            .map_err(|e| db_error("checkpoint", e, false))?;
        if busy == 0 {
            return Ok(());
        }
        thread::sleep(std::time::Duration::from_millis(2));
    }
    Err(store_error("checkpoint: readers kept the WAL busy", false))
}
