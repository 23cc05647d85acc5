//! One process per file: an advisory lock on a file beside the database, held for as long as
//! the store is open.
//!
//! Two processes writing one SQLite file would each be correct for SQLite, but not for the
//! server: it caches token look-ups because every grant goes through it
//! ([`AccessStore::grants_are_local`](exsited_core::access::AccessStore::grants_are_local)),
//! and a second process granting behind its back would let a revoked token work for a few
//! seconds more. The lock makes that promise true. It is the operating system's (`flock` on
//! Linux, `LockFileEx` on Windows): a process that dies, even by SIGKILL, releases it.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

use crate::error::OpenError;

/// The held lock; released when dropped.
#[derive(Debug)]
pub(crate) struct ProcessLock {
    _file: File,
}

/// The lock file of the database at `path`: `PATH.lock`. It is never removed (removing a lock
/// file another process is about to lock is a race), and holds nothing.
pub(crate) fn lock_path(path: &Path) -> PathBuf {
    let mut lock = path.as_os_str().to_owned();
    lock.push(".lock");
    lock.into()
}

/// Takes the lock of the database at `path`, or says it is in use.
pub(crate) fn acquire(path: &Path) -> Result<ProcessLock, OpenError> {
    let lock = lock_path(path);
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&lock)
        .map_err(|e| OpenError::Unavailable {
            path: path.to_owned(),
            message: format!("cannot create the lock file {}: {e}", lock.display()),
            source: Box::new(e),
        })?;
    match file.try_lock() {
        Ok(()) => Ok(ProcessLock { _file: file }),
        Err(std::fs::TryLockError::WouldBlock) => Err(OpenError::InUse {
            path: path.to_owned(),
            lock,
        }),
        Err(std::fs::TryLockError::Error(e)) => Err(OpenError::Unavailable {
            path: path.to_owned(),
            message: format!("cannot lock {}: {e}", lock.display()),
            source: Box::new(e),
        }),
    }
}
