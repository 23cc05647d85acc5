//! The embedded, durable default backend of `exsited-rs`: every tenant's integration
//! connections, their automations and partner functions, and the reference server's access data
//! (API clients, tokens by hash, idempotency key records, the delete audit), in one SQLite file.
//!
//! [`SqliteStore`] implements [`RepositoryProvider`](exsited_core::RepositoryProvider) and
//! [`AccessStore`](exsited_core::access::AccessStore); [`SqliteRepository`] is one tenant's
//! [`ConnectionRepository`](exsited_core::ConnectionRepository) and behaves exactly like the
//! in-memory reference backend (it passes the same conformance suite).
//!
//! # Durability
//!
//! - The file is in WAL mode with `synchronous = FULL`: a write is fsync'd before its future
//!   resolves. A successful [`delete`](exsited_core::ConnectionRepository::delete) (the 204 of
//!   the API) is on disk.
//! - A delete is one transaction: the connection, all its automations and partner functions,
//!   the records of the idempotency keys that created them, and an audit record (never a
//!   secret).
//! - A create under an idempotency key is one transaction with the key's record (see
//!   [`KeyedCreates`](exsited_core::idempotency::KeyedCreates)): after a crash either both exist
//!   or neither, so a client's retry never creates twice.
//!   If it fails, nothing was removed.
//! - Partner secrets are never in the file in clear: each is sealed (XChaCha20-Poly1305, by
//!   `exsited-secrets`, bound to its row and column) under a key kept in a key file outside the
//!   database, [`Options::secret_key_file`], by default `PATH.key` beside it (made, mode 0600,
//!   for a new store). The database keeps the key's check value: another key, or a missing key
//!   file, is refused at open ([`OpenError::WrongKey`], [`OpenError::Key`]). A file of an
//!   earlier version is sealed when first opened.
//! - `secure_delete` is on, so a deleted connection's sealed partner secrets are overwritten in
//!   the file rather than left in free pages; once the WAL is checkpointed
//!   ([`SqliteStore::checkpoint`], or on close) they are nowhere on disk. Secrets are in no
//!   index, temporary data stays in memory (`temp_store = MEMORY`).
//! - Foreign keys with `ON DELETE CASCADE` make an orphaned automation or partner function
//!   impossible at the schema level.
//! - The schema is versioned (`PRAGMA user_version`) and migrated on open. A file that is not a
//!   database, is damaged, belongs to another application or has a newer schema is refused with
//!   an [`OpenError`] and left untouched: the checks run on a read-only, immutable view before
//!   anything is changed.
//!
//! # One process per file
//!
//! A store holds an operating-system advisory lock on `PATH.lock` beside the database for as
//! long as it is open, and [`SqliteStore::open`] refuses a file whose lock another process
//! holds ([`OpenError::InUse`]). That is what makes
//! [`AccessStore::grants_are_local`](exsited_core::access::AccessStore::grants_are_local)
//! `true` honest: every grant goes through the one process that has the file open, so the
//! server may cache token look-ups and forget them when it grants. Several server instances
//! need a database server instead (`exsited-store-postgres`).
//!
//! A file another program holds locked at open (the `sqlite3` shell in a transaction, a backup
//! tool) is waited for, up to [`Options::busy_timeout`], rather than refused at once.
//!
//! # Threading
//!
//! One writer thread (`std::thread`) owns the only read-write connection and is fed by a
//! channel. It does group commit: it takes every write waiting (up to
//! [`Options::max_batch`]), runs them in one transaction with each inside its own `SAVEPOINT`
//! (a failing write rolls back only itself), commits once (one fsync for the batch), and only
//! then answers each caller. Writes are thereby serialized, which makes every read-check-write
//! (the delete cascade, "exactly one of N concurrent deletes wins") atomic without locks.
//!
//! Reads run concurrently on a small pool of read-only connections ([`Options::readers`]),
//! each inside one read transaction (a consistent snapshot), on tokio's blocking pool via
//! `spawn_blocking`: nothing blocks a runtime worker. The store's async methods therefore need
//! a tokio runtime.
//!
//! A write whose future is dropped after it was sent still runs, like a request that reached a
//! server. Dropping the last handle (the store, its clones and its repositories) lets the
//! writer finish every write already sent, then waits for it to close the file (which
//! checkpoints and removes the WAL).
//!
//! ```no_run
//! use exsited_core::{ConnectionRepository, NewConnection, Partner, TenantId};
//! use exsited_store_sqlite::SqliteStore;
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let store = SqliteStore::open("exsited.db")?;
//! let repo = store.repository(TenantId::new("acme")?);
//! let conn = repo.create(NewConnection::new(Partner::new("xero")?, "tenant-1")?).await?;
//! repo.delete(conn.id).await?; // durable when this returns
//! # Ok(())
//! # }
//! ```

#![deny(missing_docs)]

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use exsited_core::observe::StoreHook;
use exsited_core::{Principal, Result, TenantId};
use exsited_secrets::Sealer;

mod access;
mod error;
mod lock;
#[cfg(feature = "conformance")]
mod probe;
mod readers;
mod repository;
mod schema;
mod sealing;
mod shared;
mod writer;

pub use error::OpenError;
pub use repository::SqliteRepository;

use readers::ReadPool;
use shared::Shared;
use writer::{Counters, Writer};

/// The newest schema version this version of the store reads and writes.
pub const SCHEMA_VERSION: i64 = schema::SCHEMA_VERSION;

/// How [`SqliteStore::open_with`] opens a file. `Options::default()` is what
/// [`SqliteStore::open`] uses.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Options {
    /// How many read-only connections may read at once (at least 1; default 4).
    pub readers: usize,
    /// The most writes committed in one transaction (at least 1; default 256).
    pub max_batch: usize,
    /// How long a connection waits for a lock held by another process before failing
    /// (default 5 s).
    pub busy_timeout: Duration,
    /// Whether to run `PRAGMA quick_check` on an existing file before using it (default on).
    /// It reads the whole file, so very large stores may turn it off.
    pub verify_on_open: bool,
    /// The key file that seals the partner secrets. `None` (the default) is `PATH.key` beside
    /// the database, created with a new key (mode 0600) for a new store; a file named here must
    /// exist.
    pub secret_key_file: Option<PathBuf>,
    /// Where the writer reports each group commit: its batch size and the time from `BEGIN`
    /// to the end of `COMMIT` (default: nowhere).
    pub observer: StoreHook,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            readers: 4,
            max_batch: 256,
            busy_timeout: Duration::from_secs(5),
            verify_on_open: true,
            secret_key_file: None,
            observer: StoreHook::default(),
        }
    }
}

impl Options {
    /// The same options with `readers` read connections.
    pub fn with_readers(mut self, readers: usize) -> Self {
        self.readers = readers;
        self
    }

    /// The same options with batches of at most `max_batch` writes.
    pub fn with_max_batch(mut self, max_batch: usize) -> Self {
        self.max_batch = max_batch;
        self
    }

    /// The same options with another busy timeout.
    pub fn with_busy_timeout(mut self, busy_timeout: Duration) -> Self {
        self.busy_timeout = busy_timeout;
        self
    }

    /// The same options with the partner secrets sealed by the key in `file`.
    pub fn with_secret_key_file(mut self, file: impl Into<PathBuf>) -> Self {
        self.secret_key_file = Some(file.into());
        self
    }

    /// The same options, reporting each group commit to `observer`.
    pub fn with_observer(mut self, observer: StoreHook) -> Self {
        self.observer = observer;
        self
    }

    /// The same options with or without the integrity check on open.
    pub fn with_verify_on_open(mut self, verify: bool) -> Self {
        self.verify_on_open = verify;
        self
    }
}

/// What the writer has done since the store was opened.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Stats {
    /// Transactions committed (each one fsync).
    pub commits: u64,
    /// Write operations run in those transactions, failed ones (a `NotFound` delete)
    /// included. With group commit, `writes` grows faster than `commits` under concurrency.
    pub writes: u64,
}

/// A SQLite file holding every tenant's connections and the server's access data. Cloning it
/// shares the same file, writer and readers.
///
/// See the [crate documentation](crate) for its durability guarantees and threading.
#[derive(Clone)]
pub struct SqliteStore {
    shared: Arc<Shared>,
}

impl fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.shared.path)
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Opens (or creates) the store at `path` with the default [`Options`].
    ///
    /// This blocks while it checks and migrates the file: call it at startup, or from
    /// `spawn_blocking` inside a runtime.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, OpenError> {
        Self::open_with(path, Options::default())
    }

    /// Opens (or creates) the store at `path`.
    ///
    /// The file must not be open in another process ([`OpenError::InUse`]): the lock file
    /// `PATH.lock` beside it is held for as long as the store is open.
    ///
    /// An existing file is checked first, read-only: it must be an intact SQLite database,
    /// of this store or empty, with a schema no newer than [`SCHEMA_VERSION`]. Only then is it
    /// switched to WAL and migrated. A refused file is not changed.
    pub fn open_with(path: impl AsRef<Path>, options: Options) -> Result<Self, OpenError> {
        let path = path.as_ref().to_owned();
        let lock = lock::acquire(&path)?;
        schema::inspect(&path, options.verify_on_open)?;
        let key = sealing::resolve(&path, options.secret_key_file.as_deref())?;
        let sealer = Sealer::new(&key.key);
        let conn = schema::open_writer(&path, options.busy_timeout, &sealer, &key)?;
        let counters = Arc::new(Counters {
            observer: options.observer.clone(),
            ..Counters::default()
        });
        let writer =
            Writer::spawn(conn, Arc::clone(&counters), options.max_batch).map_err(|e| {
                OpenError::Unavailable {
                    path: path.clone(),
                    message: format!("cannot start the writer thread: {e}"),
                    source: Box::new(e),
                }
            })?;
        Ok(Self {
            shared: Arc::new(Shared {
                readers: ReadPool::new(path.clone(), options.busy_timeout, options.readers),
                read_slots: tokio::sync::Semaphore::new(options.readers.max(1)),
                writer,
                counters,
                path,
                sealer: Arc::new(sealer),
                _lock: lock,
            }),
        })
    }

    /// The view of one tenant, acting without a known client (its deletes are audited with an
    /// empty client id). The server uses [`RepositoryProvider`](exsited_core::RepositoryProvider)
    /// instead, which records who deleted what.
    pub fn repository(&self, tenant: TenantId) -> SqliteRepository {
        SqliteRepository::new(Arc::clone(&self.shared), tenant, String::new())
    }

    /// The view of `principal`'s tenant; its deletes are audited under its client id.
    pub fn repository_for(&self, principal: &Principal) -> SqliteRepository {
        SqliteRepository::new(
            Arc::clone(&self.shared),
            principal.tenant.clone(),
            principal.client_id.clone(),
        )
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.shared.path
    }

    /// Commits and fsyncs counted since the store was opened.
    pub fn stats(&self) -> Stats {
        Stats {
            commits: self.shared.counters.commits.load(Ordering::Relaxed),
            writes: self.shared.counters.writes.load(Ordering::Relaxed),
        }
    }

    /// Copies every committed page from the WAL into the main file and truncates the WAL to
    /// zero bytes (`PRAGMA wal_checkpoint(TRUNCATE)`), after the writes already sent. Afterwards
    /// the main file alone holds the data, and deleted secrets are gone from the disk.
    pub async fn checkpoint(&self) -> Result<()> {
        self.shared.writer.checkpoint().await
    }

    /// How many automations, partner functions and set configuration documents the store holds,
    /// across all tenants (an empty document has no row).
    pub async fn sync_configuration_count(&self) -> Result<u64> {
        self.shared
            .read(|tx| {
                tx.query_row(
                    "SELECT (SELECT count(*) FROM automations)
                          + (SELECT count(*) FROM partner_functions)
                          + (SELECT count(*) FROM configurations)",
                    [],
                    |r| r.get::<_, i64>(0),
                )
                .map(|n| n.max(0) as u64)
                .map_err(|e| error::db_error("count sync configurations", e, false))
            })
            .await
    }
}

impl exsited_core::RepositoryProvider for SqliteStore {
    fn repository(&self, principal: &Principal) -> Arc<dyn exsited_core::ConnectionRepository> {
        Arc::new(self.repository_for(principal))
    }

    fn keyed_creates(
        &self,
        principal: &Principal,
    ) -> Arc<dyn exsited_core::idempotency::KeyedCreates> {
        Arc::new(self.repository_for(principal))
    }
}
