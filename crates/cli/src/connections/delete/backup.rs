//! `--backup`: before a delete is sent, the whole connection (record, automations, partner
//! functions) is appended to the backup file as one JSON line and fsync'd, so that a crash or
//! a power cut right after the delete cannot lose it.
//!
//! The file holds partner secrets: it is created with mode 0600, and an existing file whose
//! permissions let anyone but its owner read it is refused.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use exsited_core::{
    ConnectionId, ConnectionRepository, DeleteOutcome, Error, RepositoryWrapper, Result,
};
use zeroize::Zeroize;

use crate::connections::backup_file::{BackupRecord, FullConnection};

/// An open backup file, shared by the concurrent deletes.
#[derive(Debug)]
pub(crate) struct BackupWriter {
    file: Mutex<File>,
    path: PathBuf,
}

/// Why a backup file cannot be used.
#[derive(Debug, thiserror::Error)]
pub(crate) enum BackupFileError {
    #[error(
        "refusing to append to {path}: its mode {mode:o} lets others read the secrets it holds (chmod 600 it, or choose a new file)"
    )]
    TooOpen { path: PathBuf, mode: u32 },
    #[error("refusing to append to {path}: not a regular file")]
    NotAFile { path: PathBuf },
    #[error("cannot open {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

impl BackupWriter {
    /// Creates the file with mode 0600, or opens an existing one for appending if only its
    /// owner can read and write it.
    pub(crate) fn open(path: &Path) -> std::result::Result<Self, BackupFileError> {
        let io_error = |source| BackupFileError::Io {
            path: path.to_owned(),
            source,
        };
        if let Ok(metadata) = std::fs::metadata(path) {
            if !metadata.is_file() {
                return Err(BackupFileError::NotAFile {
                    path: path.to_owned(),
                });
            }
            check_private(path, &metadata)?;
        }
        let mut options = OpenOptions::new();
        options.append(true).create(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(path).map_err(io_error)?;
        // The file may have been created between the check and the open by someone else.
        check_private(path, &file.metadata().map_err(io_error)?)?;
        Ok(Self {
            file: Mutex::new(file),
            path: path.to_owned(),
        })
    }

    /// The file's path.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one record as a line and waits until it is on disk.
    pub(crate) fn append(&self, record: &BackupRecord) -> io::Result<()> {
        let mut line = serde_json::to_vec(record).map_err(io::Error::other)?;
        line.push(b'\n');
        let result = {
            let mut file = self.file.lock().unwrap_or_else(PoisonError::into_inner);
            file.write_all(&line).and_then(|()| file.sync_data())
        };
        // The line holds the partner secrets in clear.
        line.zeroize();
        result
    }
}

#[cfg(unix)]
fn check_private(
    path: &Path,
    metadata: &std::fs::Metadata,
) -> std::result::Result<(), BackupFileError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = metadata.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(BackupFileError::TooOpen {
            path: path.to_owned(),
            mode,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(
    _path: &Path,
    _metadata: &std::fs::Metadata,
) -> std::result::Result<(), BackupFileError> {
    Ok(())
}

/// A repository whose `delete` first backs the connection up; every other operation passes
/// through. Deleting through it with `delete_many` keeps the bounded concurrency and the one
/// result per id.
pub(crate) struct BackingUp<R> {
    inner: R,
    writer: Arc<BackupWriter>,
}

impl<R> BackingUp<R> {
    pub(crate) fn new(inner: R, writer: Arc<BackupWriter>) -> Self {
        Self { inner, writer }
    }
}

#[async_trait]
impl<R: ConnectionRepository> RepositoryWrapper for BackingUp<R> {
    fn inner(&self) -> &dyn ConnectionRepository {
        &self.inner
    }

    async fn delete(&self, id: ConnectionId) -> Result<DeleteOutcome> {
        let full = FullConnection::fetch(&self.inner, id).await?;
        let record = BackupRecord::new(&full);
        drop(full);
        let writer = Arc::clone(&self.writer);
        let written = tokio::task::spawn_blocking(move || writer.append(&record))
            .await
            .map_err(|e| io::Error::other(e.to_string()))
            .and_then(|r| r);
        if let Err(e) = written {
            return Err(Error::Unavailable {
                message: format!(
                    "not deleted: cannot write the backup to {}: {e}",
                    self.writer.path().display()
                ),
                maybe_processed: false,
                source: None,
            });
        }
        self.inner.delete(id).await
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn new_files_are_private_and_open_ones_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("backup.jsonl");
        drop(BackupWriter::open(&path).unwrap());
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        // Appending to our own private file is fine.
        drop(BackupWriter::open(&path).unwrap());

        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = BackupWriter::open(&path).unwrap_err();
        assert!(
            matches!(err, BackupFileError::TooOpen { mode: 0o644, .. }),
            "{err}"
        );
        assert!(matches!(
            BackupWriter::open(dir.path()),
            Err(BackupFileError::NotAFile { .. })
        ));
    }
}
