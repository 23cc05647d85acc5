//! Opening the store a command works on: a SQLite file, or a PostgreSQL database with the key
//! file of its partner secrets.
//!
//! Every way a store can be refused at start (a file in use, an unreachable server, a missing
//! database, refused credentials, a missing, unreadable or wrong key) is a configuration
//! problem: one line, exit 2, nothing written.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use exsited_core::observe::StoreHook;
use exsited_secrets::SecretKey;
use exsited_store_postgres::{Options, PostgresAccess, PostgresStore};
use exsited_store_sqlite::SqliteStore;

use crate::failure::Failure;

/// The PostgreSQL connection string when no `--postgres` flag is given.
pub(crate) const POSTGRES_URL_ENV: &str = "EXSITED_POSTGRES_URL";
/// The key file when no `--secret-key-file` flag is given.
pub(crate) const SECRET_KEY_FILE_ENV: &str = "EXSITED_SECRET_KEY_FILE";

/// `flag`, else the non-empty value of the environment variable `name`.
pub(crate) fn flag_or_env(flag: Option<String>, name: &str) -> Option<String> {
    flag.or_else(|| std::env::var(name).ok().filter(|v| !v.trim().is_empty()))
}

/// The key file of a SQLite store: `--secret-key-file`, else `EXSITED_SECRET_KEY_FILE`, else
/// (`None`) the store's default, `PATH.key` beside the database.
pub(crate) fn sqlite_key_file(flag: Option<PathBuf>) -> Option<PathBuf> {
    flag.or_else(|| flag_or_env(None, SECRET_KEY_FILE_ENV).map(PathBuf::from))
}

/// Opens (or creates) the SQLite store at `path`, its partner secrets sealed by the key in
/// `key_file` (default `PATH.key`, made for a new store), its writer reporting each group commit
/// to `observer`. Opening checks and migrates the file, which blocks, so it runs on the
/// blocking pool.
pub(crate) async fn open_sqlite(
    path: &Path,
    key_file: Option<PathBuf>,
    observer: StoreHook,
) -> Result<Arc<SqliteStore>, Failure> {
    let owned = path.to_owned();
    let mut options = exsited_store_sqlite::Options::default().with_observer(observer);
    if let Some(file) = key_file {
        options = options.with_secret_key_file(file);
    }
    let opened = tokio::task::spawn_blocking(move || SqliteStore::open_with(&owned, options))
        .await
        .map_err(|e| Failure::Failed(format!("opening the store failed: {e}")))?;
    opened.map(Arc::new).map_err(|e| match e {
        exsited_store_sqlite::OpenError::InUse { .. }
        | exsited_store_sqlite::OpenError::Key { .. }
        | exsited_store_sqlite::OpenError::WrongKey { .. } => Failure::Usage(e.to_string()),
        other => Failure::Failed(format!("cannot open the store: {other}")),
    })
}

/// Opens an existing store: administration never creates one by mistake from a typo.
pub(crate) async fn open_existing(
    path: &Path,
    key_file: Option<PathBuf>,
) -> Result<Arc<SqliteStore>, Failure> {
    if !path.exists() {
        return Err(Failure::Failed(format!(
            "no store at {} (start `exsited serve --db {}` first)",
            path.display(),
            path.display()
        )));
    }
    open_sqlite(path, key_file, StoreHook::default()).await
}

/// Reads the key file of `--secret-key-file` (or its variable). Required with `--postgres`.
pub(crate) fn read_key(flag: Option<PathBuf>) -> Result<SecretKey, Failure> {
    let path = flag
        .or_else(|| flag_or_env(None, SECRET_KEY_FILE_ENV).map(PathBuf::from))
        .ok_or_else(|| {
            Failure::Usage(format!(
                "--postgres needs --secret-key-file PATH (or {SECRET_KEY_FILE_ENV}): the key that \
                 seals partner secrets; create one with `exsited admin gen-key PATH`"
            ))
        })?;
    SecretKey::read_file(&path).map_err(|e| Failure::Usage(e.to_string()))
}

/// A refused PostgreSQL store: a configuration problem, except a failure of the server itself.
fn refused(error: exsited_store_postgres::OpenError) -> Failure {
    match error {
        exsited_store_postgres::OpenError::Unavailable { .. } => Failure::Failed(error.to_string()),
        other => Failure::Usage(other.to_string()),
    }
}

/// Connects to PostgreSQL, checks the key against the database and migrates it; its writes
/// report to `observer`.
pub(crate) async fn open_postgres(
    url: &str,
    key: &SecretKey,
    pool_size: Option<usize>,
    observer: StoreHook,
) -> Result<PostgresStore, Failure> {
    let mut options = Options::default().with_observer(observer);
    if let Some(size) = pool_size {
        options = options.with_pool_size(size);
    }
    PostgresStore::open(url, key, options)
        .await
        .map_err(refused)
}

/// Connects to a PostgreSQL database that already holds a store, changing nothing.
pub(crate) async fn open_postgres_access(url: &str) -> Result<PostgresAccess, Failure> {
    PostgresAccess::open_existing(url, Options::default().with_pool_size(2))
        .await
        .map_err(refused)
}
