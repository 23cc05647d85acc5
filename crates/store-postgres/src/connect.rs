//! From a connection string to a pool: parsing, the defaults this store sets, and telling the
//! failures of a first connection apart (unreachable, refused credentials, no such database).

use std::str::FromStr;
use std::time::Duration;

use deadpool_postgres::{
    Manager, ManagerConfig, Object, Pool, PoolError, RecyclingMethod, Runtime,
};
use tokio_postgres::config::{Host, SslMode};
use tokio_postgres::error::SqlState;
use tokio_postgres::{Config, NoTls};

use crate::Options;
use crate::error::{OpenError, describe};

/// How long a first connection may take by default.
pub(crate) const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A parsed connection string with what the error messages name.
pub(crate) struct Target {
    pub(crate) config: Config,
    /// The host(s) and port(s), for messages.
    pub(crate) server: String,
    pub(crate) user: String,
    pub(crate) database: String,
}

/// Parses a `postgres://` URL or a `key=value` string. Errors never repeat the input (it may
/// hold a password).
pub(crate) fn parse(url: &str, options: &Options) -> Result<Target, OpenError> {
    let mut config = Config::from_str(url).map_err(|e| OpenError::Config {
        reason: describe(&e),
    })?;
    if config.get_ssl_mode() == SslMode::Require {
        return Err(OpenError::Config {
            reason: "sslmode=require: this version connects without TLS (use a Unix socket or a \
                     private network, see docs/scale-out.md)"
                .to_owned(),
        });
    }
    // Without TLS support, `prefer` would only add a refused round trip to every connect.
    config.ssl_mode(SslMode::Disable);
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(options.connect_timeout);
    }
    if config.get_application_name().is_none() {
        config.application_name("exsited");
    }
    let user = config
        .get_user()
        .map(str::to_owned)
        .or_else(|| std::env::var("USER").ok())
        .unwrap_or_default();
    let database = config
        .get_dbname()
        .map(str::to_owned)
        .unwrap_or_else(|| user.clone());
    let ports = config.get_ports();
    let server = config
        .get_hosts()
        .iter()
        .enumerate()
        .map(|(i, host)| {
            let port = ports.get(i).or(ports.first()).copied().unwrap_or(5432);
            match host {
                Host::Tcp(name) => format!("{name}:{port}"),
                Host::Unix(dir) => format!("{}/.s.PGSQL.{port}", dir.display()),
            }
        })
        .collect::<Vec<_>>()
        .join(", ");
    let server = if server.is_empty() {
        "localhost:5432".to_owned()
    } else {
        server
    };
    Ok(Target {
        config,
        server,
        user,
        database,
    })
}

/// A pool of at most `options.pool_size` connections, and its first connection: a server that
/// cannot be reached or refuses us fails here, before anything else happens.
pub(crate) async fn pool(target: &Target, options: &Options) -> Result<(Pool, Object), OpenError> {
    let manager = Manager::from_config(
        target.config.clone(),
        NoTls,
        ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        },
    );
    let pool = Pool::builder(manager)
        .max_size(options.pool_size.max(1))
        .runtime(Runtime::Tokio1)
        .wait_timeout(Some(options.wait_timeout))
        .create_timeout(Some(options.connect_timeout))
        .build()
        .map_err(|e| OpenError::Unavailable {
            message: format!("cannot build the connection pool: {e}"),
            source: Some(Box::new(e)),
        })?;
    let first = pool.get().await.map_err(|e| classify(e, target))?;
    Ok((pool, first))
}

/// Why a first connection failed, as the one line an operator needs.
fn classify(error: PoolError, target: &Target) -> OpenError {
    let unreachable = |reason: String| OpenError::Unreachable {
        server: target.server.clone(),
        reason,
    };
    let error = match error {
        PoolError::Backend(e) => e,
        PoolError::Timeout(_) => {
            return unreachable("no connection within the connect timeout".to_owned());
        }
        other => {
            return OpenError::Unavailable {
                message: other.to_string(),
                source: Some(Box::new(other)),
            };
        }
    };
    if let Some(db) = error.as_db_error() {
        let code = db.code();
        if *code == SqlState::INVALID_PASSWORD
            || *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION
        {
            return OpenError::Authentication {
                server: target.server.clone(),
                user: target.user.clone(),
                reason: db.message().to_owned(),
            };
        }
        if *code == SqlState::INVALID_CATALOG_NAME {
            return OpenError::NoDatabase {
                server: target.server.clone(),
                database: target.database.clone(),
            };
        }
        return OpenError::Unavailable {
            message: describe(&error),
            source: Some(Box::new(error)),
        };
    }
    // The driver's own authentication failures (the server asked for a password and none was
    // given) have no SQLSTATE; every other failure without one is on the way to the server.
    if error.to_string() == "authentication error" {
        return OpenError::Authentication {
            server: target.server.clone(),
            user: target.user.clone(),
            reason: std::error::Error::source(&error)
                .map_or_else(|| "authentication failed".to_owned(), ToString::to_string),
        };
    }
    unreachable(describe(&error))
}
