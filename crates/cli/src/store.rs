//! Opening the store a command works on.

use std::path::Path;
use std::sync::Arc;

use exsited_store_sqlite::SqliteStore;

use crate::failure::Failure;

/// Opens (or creates) the SQLite store at `path`. Opening checks and migrates the file, which
/// blocks, so it runs on the blocking pool.
pub(crate) async fn open_sqlite(path: &Path) -> Result<Arc<SqliteStore>, Failure> {
    let owned = path.to_owned();
    let opened = tokio::task::spawn_blocking(move || SqliteStore::open(&owned))
        .await
        .map_err(|e| Failure::Failed(format!("opening the store failed: {e}")))?;
    opened
        .map(Arc::new)
        .map_err(|e| Failure::Failed(format!("cannot open the store: {e}")))
}

/// Opens an existing store: administration never creates one by mistake from a typo.
pub(crate) async fn open_existing(path: &Path) -> Result<Arc<SqliteStore>, Failure> {
    if !path.exists() {
        return Err(Failure::Failed(format!(
            "no store at {} (start `exsited serve --db {}` first)",
            path.display(),
            path.display()
        )));
    }
    open_sqlite(path).await
}
