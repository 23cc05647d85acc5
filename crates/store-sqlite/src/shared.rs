//! The state every handle of a store shares: the read pool and its slots, the writer, the
//! writer's counters and the file's path.

use std::path::PathBuf;
use std::sync::Arc;

use exsited_core::Result;
use exsited_secrets::Sealer;
use rusqlite::Connection;

use crate::error::store_error;
use crate::readers::ReadPool;
use crate::writer::{Counters, Writer};

/// The state every handle shares. Field order is drop order: the readers close first, then
/// the writer drains its queue and closes last, which checkpoints and removes the WAL.
pub(crate) struct Shared {
    pub(crate) readers: ReadPool,
    /// One permit per read connection, awaited before a read takes a blocking thread: at most
    /// `readers` blocking threads ever wait on the pool, instead of one per request in flight.
    pub(crate) read_slots: tokio::sync::Semaphore,
    pub(crate) writer: Writer,
    pub(crate) counters: Arc<Counters>,
    pub(crate) path: PathBuf,
    /// Seals and opens the partner secrets of every connection row.
    pub(crate) sealer: Arc<Sealer>,
    /// Last: the file is another process's to open only once the writer has closed it.
    pub(crate) _lock: crate::lock::ProcessLock,
}

impl Shared {
    /// Runs `f` in a read transaction on the blocking pool.
    pub(crate) async fn read<T, F>(self: &Arc<Self>, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
    {
        let shared = Arc::clone(self);
        let Ok(_slot) = self.read_slots.acquire().await else {
            return Err(store_error("the store is closing", false));
        };
        match tokio::task::spawn_blocking(move || shared.readers.read(f)).await {
            Ok(result) => result,
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(_) => Err(store_error("a read was cancelled", false)),
        }
    }
}
