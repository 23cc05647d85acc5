//! Why a store could not be opened, and how SQLite's failures become the core [`Error`].

use std::path::PathBuf;

use exsited_core::{BoxError, Error};

/// Why [`SqliteStore::open`](crate::SqliteStore::open) refused a file.
///
/// A refused file is left exactly as it was: the checks run on a read-only, immutable view of
/// it before anything (journal mode, schema) is changed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OpenError {
    /// The file is not a SQLite database, or its pages are damaged (a random file, a database
    /// cut short by a failed copy, a disk error).
    #[error("{} is corrupt or not a database: {reason}", path.display())]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What SQLite found wrong.
        reason: String,
    },

    /// The file was written by a newer version of this store; opening it with this one could
    /// misread or damage data that version added.
    #[error(
        "{} has schema version {found}, newer than the {supported} this version supports",
        path.display()
    )]
    NewerSchema {
        /// The file.
        path: PathBuf,
        /// The file's schema version (`PRAGMA user_version`).
        found: i64,
        /// The newest schema version this code knows.
        supported: i64,
    },

    /// The file is a SQLite database of some other application.
    #[error(
        "{} is a SQLite database of another application (application id {application_id:#x})",
        path.display()
    )]
    Foreign {
        /// The file.
        path: PathBuf,
        /// The file's `PRAGMA application_id` (0 when the other application sets none).
        application_id: i32,
    },

    /// Another process has the store open: one file serves one process at a time (see the
    /// crate docs).
    #[error(
        "{} is in use by another process (it holds {}): stop it, or give this one another file",
        path.display(),
        lock.display()
    )]
    InUse {
        /// The file.
        path: PathBuf,
        /// The lock file the other process holds.
        lock: PathBuf,
    },

    /// The key that seals the store's partner secrets could not be used: its file is missing
    /// (while the store's secrets are sealed with it), unreadable, not private or malformed.
    #[error("the key file of {} cannot be used: {reason}", path.display())]
    Key {
        /// The database file.
        path: PathBuf,
        /// What is wrong, with the key file's path.
        reason: String,
    },

    /// The key is not the one the store's partner secrets were sealed with.
    #[error(
        "{}: the key in {} is not the one this store's partner secrets were sealed with",
        path.display(),
        key.display()
    )]
    WrongKey {
        /// The database file.
        path: PathBuf,
        /// The key file that was read.
        key: PathBuf,
    },

    /// The file could not be read or written: missing directory, permissions, locks held by
    /// another process, a full disk.
    #[error("cannot open {}: {message}", path.display())]
    Unavailable {
        /// The file.
        path: PathBuf,
        /// What failed.
        message: String,
        /// The underlying failure.
        #[source]
        source: BoxError,
    },
}

/// A database failure as the core [`Error`]. Messages hold SQLite's own text, which never
/// contains a value: every value reaches SQLite as a bound parameter, never inside SQL.
pub(crate) fn db_error(context: &str, error: rusqlite::Error, maybe_processed: bool) -> Error {
    Error::Unavailable {
        message: format!("sqlite store: {context}: {}", describe(&error)),
        maybe_processed,
        source: Some(Box::new(error)),
    }
}

/// A failure of the store itself (its writer stopped, stored data it cannot read back).
pub(crate) fn store_error(message: impl Into<String>, maybe_processed: bool) -> Error {
    Error::Unavailable {
        message: format!("sqlite store: {}", message.into()),
        maybe_processed,
        source: None,
    }
}

/// SQLite's description of the error code, or rusqlite's own words for its own errors.
pub(crate) fn describe(error: &rusqlite::Error) -> String {
    match error {
        rusqlite::Error::SqliteFailure(code, Some(message)) => {
            format!("{message} ({:?})", code.code)
        }
        rusqlite::Error::SqliteFailure(code, None) => format!("{code}"),
        other => other.to_string(),
    }
}

/// Whether SQLite reported the file busy: another connection holds a lock it needs.
pub(crate) fn is_busy(error: &rusqlite::Error) -> bool {
    matches!(
        error.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

/// Whether SQLite reported the file as damaged or as not a database at all.
pub(crate) fn is_corruption(error: &rusqlite::Error) -> bool {
    matches!(
        error.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase)
    )
}
