//! Every tenant's integration connections, their automations and partner functions, and the
//! reference server's access data (API clients, tokens by hash, idempotency key records, the
//! delete audit) in one PostgreSQL database, shared by any number of `exsited serve` instances.
//!
//! [`PostgresStore`] implements [`RepositoryProvider`](exsited_core::RepositoryProvider);
//! [`PostgresRepository`] is one tenant's
//! [`ConnectionRepository`](exsited_core::ConnectionRepository) and behaves exactly like the
//! in-memory reference backend and the SQLite store (it passes the same conformance suite);
//! [`PostgresAccess`] is the [`AccessStore`](exsited_core::access::AccessStore).
//!
//! # Several instances on one database
//!
//! Everything an instance knows is in the database, so every promise of the API holds across
//! instances as if they were one server (the contract's section 10):
//!
//! - A grant replaces the client's row in one statement, and every request looks its token up
//!   ([`AccessStore::grants_are_local`](exsited_core::access::AccessStore::grants_are_local) is
//!   `false`): a token revoked on one instance is refused by all at once.
//! - A create under an idempotency key runs in one transaction with its key's record, after a
//!   transaction-level advisory lock on the key: of concurrent retries on any instances, exactly
//!   one creates.
//! - A delete is one transaction, sent in one round trip: it locks the connection row
//!   (`FOR UPDATE`), then one statement deletes the automations, the partner functions, the
//!   connection (the foreign keys cascade to its idempotency key records) and writes the audit
//!   row. A create under the connection either committed before the lock (and is deleted and
//!   counted) or fails on the foreign key afterwards (`NotFound`).
//! - Migrations run under an advisory lock, so instances started together migrate once.
//!
//! # Partner secrets
//!
//! The server seals every partner secret before it is sent (see `exsited-secrets`): with a
//! fresh nonce, bound to its row and column, under a key read from a file outside the
//! database. PostgreSQL's tables, WAL and backups only ever hold ciphertext. The database keeps
//! a key check value: an instance started with another key is refused
//! ([`OpenError::WrongKey`]).
//!
//! # Limits
//!
//! Connections are made without TLS: reach the server over a Unix socket or a private network.
//! The store needs PostgreSQL 13 or newer (it is tested on 15).
//!
//! ```no_run
//! use exsited_core::{ConnectionRepository, NewConnection, Partner, TenantId};
//! use exsited_secrets::SecretKey;
//! use exsited_store_postgres::{Options, PostgresStore};
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let key = SecretKey::read_file("/etc/exsited/secret.key".as_ref())?;
//! let store = PostgresStore::open("postgres://exsited@db/exsited", &key, Options::default()).await?;
//! let repo = store.repository(TenantId::new("acme")?);
//! let conn = repo.create(NewConnection::new(Partner::new("xero")?, "tenant-1")?).await?;
//! repo.delete(conn.id).await?;
//! # Ok(())
//! # }
//! ```

#![deny(missing_docs)]

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use deadpool_postgres::{Object, Pool};
use exsited_core::observe::{StoreHook, TransactionReport};
use exsited_core::{Error, Principal, Result, TenantId};
use exsited_secrets::{Sealer, SecretKey};

mod access;
mod connect;
mod error;
#[cfg(feature = "conformance")]
mod probe;
mod repository;
mod rows;
mod schema;

pub use error::OpenError;
pub use repository::PostgresRepository;

use error::{db_error, pool_error};

/// The newest schema version this version of the store reads and writes.
pub const SCHEMA_VERSION: i64 = schema::SCHEMA_VERSION;

/// How a store connects. `Options::default()`: a pool of 16 connections, 10 s to connect.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Options {
    /// The most connections this instance opens to PostgreSQL (at least 1; default 16).
    pub pool_size: usize,
    /// How long opening a connection may take, when the connection string sets no
    /// `connect_timeout` (default 10 s).
    pub connect_timeout: Duration,
    /// How long a request waits for a free connection of the pool before failing with
    /// `Unavailable` (default 30 s).
    pub wait_timeout: Duration,
    /// Where each write reports its latency: from its first statement to the end of its
    /// commit, the wait for a pooled connection left out (default: nowhere).
    pub observer: StoreHook,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            pool_size: 16,
            connect_timeout: connect::CONNECT_TIMEOUT,
            wait_timeout: Duration::from_secs(30),
            observer: StoreHook::default(),
        }
    }
}

impl Options {
    /// The same options with a pool of at most `pool_size` connections.
    pub fn with_pool_size(mut self, pool_size: usize) -> Self {
        self.pool_size = pool_size;
        self
    }

    /// The same options, reporting every write to `observer`.
    pub fn with_observer(mut self, observer: StoreHook) -> Self {
        self.observer = observer;
        self
    }

    /// The same options with another connect timeout.
    pub fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }
}

/// The pool, what messages name, and where writes are reported.
struct Db {
    pool: Pool,
    database: String,
    observer: StoreHook,
}

impl Db {
    /// A connection of the pool.
    async fn client(&self) -> Result<Object> {
        self.pool.get().await.map_err(pool_error)
    }

    /// Runs `write` (one statement or one transaction, on a connection already taken from the
    /// pool) and reports how long it took. A domain answer (`NotFound`, `Conflict`) committed;
    /// a failure of the database did not.
    async fn timed<T>(&self, write: impl Future<Output = Result<T>>) -> Result<T> {
        if !self.observer.is_set() {
            return write.await;
        }
        let started = Instant::now();
        let result = write.await;
        let committed = !matches!(
            result,
            Err(Error::Unavailable { .. } | Error::Timeout { .. } | Error::Backend { .. })
        );
        self.observer
            .report(TransactionReport::new(1, started.elapsed(), committed));
        result
    }

    async fn connect(url: &str, options: &Options) -> Result<(Arc<Self>, Object), OpenError> {
        let target = connect::parse(url, options)?;
        let (pool, first) = connect::pool(&target, options).await?;
        Ok((
            Arc::new(Self {
                pool,
                database: target.database,
                observer: options.observer.clone(),
            }),
            first,
        ))
    }
}

/// The server's access data in PostgreSQL: API clients, grants by hash, the delete audit.
/// Cloning it shares the pool. Needs no secret key: it holds no partner secret.
#[derive(Clone)]
pub struct PostgresAccess {
    db: Arc<Db>,
}

impl fmt::Debug for PostgresAccess {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostgresAccess")
            .field("database", &self.db.database)
            .finish_non_exhaustive()
    }
}

impl PostgresAccess {
    /// Connects to a database that already holds this store at [`SCHEMA_VERSION`], changing
    /// nothing: for tools that read or register clients beside running servers.
    pub async fn open_existing(url: &str, options: Options) -> Result<Self, OpenError> {
        let (db, mut first) = Db::connect(url, &options).await?;
        schema::check_current(&mut first, &db.database).await?;
        Ok(Self { db })
    }
}

/// Every tenant's connections and the server's access data in one PostgreSQL database. Cloning
/// it shares the pool and the key.
///
/// See the [crate documentation](crate) for what several instances on one database promise.
#[derive(Clone)]
pub struct PostgresStore {
    db: Arc<Db>,
    sealer: Arc<Sealer>,
}

impl fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostgresStore")
            .field("database", &self.db.database)
            .field("sealer", &self.sealer)
            .finish_non_exhaustive()
    }
}

impl PostgresStore {
    /// Connects, checks the database (empty or this store's, not newer, its secrets sealed
    /// under `key`) and migrates it to [`SCHEMA_VERSION`], all under an advisory lock and in one
    /// transaction: a refused database is left untouched.
    ///
    /// `url` is a `postgres://` URL or a `key=value` connection string.
    pub async fn open(url: &str, key: &SecretKey, options: Options) -> Result<Self, OpenError> {
        let (db, mut first) = Db::connect(url, &options).await?;
        let sealer = Sealer::new(key);
        schema::migrate(&mut first, &sealer, &db.database).await?;
        Ok(Self {
            db,
            sealer: Arc::new(sealer),
        })
    }

    /// The view of one tenant, acting without a known client (its deletes are audited with an
    /// empty client id).
    pub fn repository(&self, tenant: TenantId) -> PostgresRepository {
        PostgresRepository::new(self.clone(), tenant, String::new())
    }

    /// The view of `principal`'s tenant; its deletes are audited under its client id.
    pub fn repository_for(&self, principal: &Principal) -> PostgresRepository {
        PostgresRepository::new(
            self.clone(),
            principal.tenant.clone(),
            principal.client_id.clone(),
        )
    }

    /// The access data (clients, grants, the audit) of the same database, over the same pool.
    pub fn access(&self) -> PostgresAccess {
        PostgresAccess {
            db: Arc::clone(&self.db),
        }
    }

    /// How many automations, partner functions and set configuration documents the database
    /// holds, across all tenants (an empty document has no row).
    pub async fn sync_configuration_count(&self) -> Result<u64> {
        let client = self.db.client().await?;
        let row = client
            .query_one(
                "SELECT (SELECT count(*) FROM automations) + (SELECT count(*) FROM partner_functions) \
                 + (SELECT count(*) FROM configurations)",
                &[],
            )
            .await
            .map_err(|e| db_error("count sync configurations", e, false))?;
        Ok(rows::sql_u64(rows::get(&row, 0)?))
    }
}

impl exsited_core::RepositoryProvider for PostgresStore {
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
