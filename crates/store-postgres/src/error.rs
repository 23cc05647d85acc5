//! Why a store could not be opened, and how PostgreSQL's failures become the core [`Error`].

use exsited_core::{BoxError, Error};
use tokio_postgres::error::SqlState;

/// Why [`PostgresStore::open`](crate::PostgresStore::open) (or
/// [`PostgresAccess::open_existing`](crate::PostgresAccess::open_existing)) refused to start.
///
/// Every message is one line and never carries a password, a key or a secret. A refused
/// database is left exactly as it was: the checks run inside a transaction that is rolled back.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OpenError {
    /// The connection string or URL does not parse.
    #[error("invalid PostgreSQL connection string: {reason}")]
    Config {
        /// What is wrong (never the password).
        reason: String,
    },
    /// No server answered at the address (refused, no such host or socket, timed out).
    #[error("cannot reach PostgreSQL at {server}: {reason}")]
    Unreachable {
        /// The host(s) and port(s) tried.
        server: String,
        /// What failed.
        reason: String,
    },
    /// The server refused the user or its password.
    #[error("PostgreSQL refused user {user} at {server}: {reason}")]
    Authentication {
        /// The server.
        server: String,
        /// The user.
        user: String,
        /// The server's words.
        reason: String,
    },
    /// The database does not exist on the server.
    #[error(
        "database {database} does not exist on PostgreSQL at {server} (create it first: createdb {database})"
    )]
    NoDatabase {
        /// The server.
        server: String,
        /// The database.
        database: String,
    },
    /// The database has no schema of this store yet, and this open does not create one.
    #[error(
        "database {database} holds no exsited store yet: the first server started on it with the secret key creates it"
    )]
    NoSchema {
        /// The database.
        database: String,
    },
    /// The database holds tables that are not this store's.
    #[error(
        "database {database} holds tables that are not an exsited store ({tables}); use an empty database, or another schema through search_path"
    )]
    Foreign {
        /// The database.
        database: String,
        /// Some of the tables found, comma-separated.
        tables: String,
    },
    /// The database was written by a newer version of this store.
    #[error(
        "database {database} has schema version {found}, newer than the {supported} this version supports: upgrade exsited"
    )]
    NewerSchema {
        /// The database.
        database: String,
        /// Its schema version.
        found: i64,
        /// The newest this code knows.
        supported: i64,
    },
    /// The database is at an older schema version and this open does not migrate.
    #[error(
        "database {database} has schema version {found}, older than {supported}: start `exsited serve --postgres ...` once to migrate it"
    )]
    OlderSchema {
        /// The database.
        database: String,
        /// Its schema version.
        found: i64,
        /// The version this code uses.
        supported: i64,
    },
    /// The database's partner secrets were sealed under another key than the one given.
    #[error(
        "the secret key does not match database {database}: its partner secrets were sealed under another key (start every instance with the same --secret-key-file)"
    )]
    WrongKey {
        /// The database.
        database: String,
    },
    /// Anything else that failed while opening (permissions, a server error).
    #[error("cannot open the PostgreSQL store: {message}")]
    Unavailable {
        /// What failed.
        message: String,
        /// The underlying failure.
        #[source]
        source: Option<BoxError>,
    },
}

/// One line describing a driver error: the server's message and SQLSTATE for database errors
/// (never the DETAIL, which can quote row values), else the driver's words and their cause.
pub(crate) fn describe(error: &tokio_postgres::Error) -> String {
    if let Some(db) = error.as_db_error() {
        return format!("{} ({})", db.message(), db.code().code());
    }
    match std::error::Error::source(error) {
        Some(cause) => format!("{error}: {cause}"),
        None => error.to_string(),
    }
    .replace('\n', " ")
}

/// A database failure as the core [`Error`]. Values reach PostgreSQL only as bound parameters,
/// and [`describe`] leaves out the parts of a server error that quote them.
///
/// `maybe_processed` is for writes whose commit may have happened before the failure (a lost
/// connection); a failure the server reported for a statement means the transaction did not
/// commit.
pub(crate) fn db_error(
    context: &str,
    error: tokio_postgres::Error,
    maybe_processed: bool,
) -> Error {
    let reported = error.as_db_error().is_some();
    Error::Unavailable {
        message: format!("postgres store: {context}: {}", describe(&error)),
        maybe_processed: maybe_processed && !reported,
        source: Some(Box::new(error)),
    }
}

/// A failure of the store itself (a pool that cannot hand out a connection, stored data it
/// cannot read back).
pub(crate) fn store_error(message: impl Into<String>, source: Option<BoxError>) -> Error {
    Error::Unavailable {
        message: format!("postgres store: {}", message.into()),
        maybe_processed: false,
        source,
    }
}

/// Whether the statement failed on a foreign key: the connection a create names was deleted by
/// a transaction that committed after this statement's snapshot.
pub(crate) fn is_foreign_key_violation(error: &tokio_postgres::Error) -> bool {
    error.code() == Some(&SqlState::FOREIGN_KEY_VIOLATION)
}

/// A pool failure as the core [`Error`]: no connection could be had, so nothing was sent.
pub(crate) fn pool_error(error: deadpool_postgres::PoolError) -> Error {
    let message = match &error {
        deadpool_postgres::PoolError::Backend(e) => describe(e),
        other => other.to_string(),
    };
    store_error(
        format!("no database connection: {message}"),
        Some(Box::new(error)),
    )
}
