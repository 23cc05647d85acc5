//! `exsited serve`: the reference server over a SQLite file, a PostgreSQL database shared with
//! other instances, or memory, until SIGINT/SIGTERM.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use exsited_core::access::{AccessStore, Scope};
use exsited_core::observe::StoreHook;
use exsited_core::{MemoryStore, RepositoryProvider, SecretString, TenantId};
use exsited_metrics::{Metrics, StoreKind};
use exsited_server::{MetricsEndpoint, Server, ServerConfig, clients};

use crate::failure::Failure;
use crate::logging::LogFormat;
use crate::store::{self, POSTGRES_URL_ENV};

/// The environment variable with more `--client` values, comma-separated.
const CLIENTS_ENV: &str = "EXSITED_SERVE_CLIENTS";
const DEFAULT_TENANT: &str = "default";

/// Options of `exsited serve`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// The address to listen on (port 0 picks a free port).
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:8080")]
    addr: String,
    /// The SQLite file of the store; created when missing (default ./exsited.db). One process
    /// at a time: a file in use by another is refused.
    #[arg(long, value_name = "PATH")]
    db: Option<PathBuf>,
    /// Keep everything in memory instead: lost when the server stops.
    #[arg(long, conflicts_with_all = ["db", "postgres"])]
    memory: bool,
    /// A PostgreSQL database shared by any number of instances: a postgres:// URL or a
    /// key=value connection string (also EXSITED_POSTGRES_URL, used when no store flag is
    /// given). Needs --secret-key-file.
    #[arg(long, value_name = "URL", conflicts_with = "db")]
    postgres: Option<String>,
    /// The key that seals partner secrets at rest (also EXSITED_SECRET_KEY_FILE): one line of
    /// 64 hex digits, mode 0600, owned by the user running the server. Required with
    /// --postgres, where every instance of one database needs the same key; for a SQLite file
    /// the default is PATH.key beside it, made for a new store. Create one with
    /// `exsited admin gen-key PATH`.
    #[arg(long, value_name = "PATH")]
    secret_key_file: Option<PathBuf>,
    /// The most connections this instance opens to PostgreSQL (default 16).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1000))]
    pool_size: Option<u16>,
    /// An API client to register (repeatable; also read from EXSITED_SERVE_CLIENTS,
    /// comma-separated). TENANT defaults to `default`, SCOPE (read or write) to `write`.
    /// The secret must not contain `:` or `,`.
    #[arg(long = "client", value_name = "ID:SECRET[:TENANT[:SCOPE]]")]
    clients: Vec<String>,
    /// How log lines are written on stderr: text (for people) or json (one object per line,
    /// for log collectors).
    #[arg(long, value_name = "text|json", default_value = "text")]
    log_format: LogFormat,
    /// Serve Prometheus metrics at http://HOST:PORT/metrics, on a listener of their own (keep
    /// it private: it has no authentication). Off unless given.
    #[arg(long, value_name = "HOST:PORT")]
    metrics_addr: Option<String>,
}

impl Args {
    /// The format of the process's log lines.
    pub(crate) fn log_format(&self) -> LogFormat {
        self.log_format
    }
}

/// One `--client` value.
struct ClientSpec {
    id: String,
    secret: SecretString,
    tenant: TenantId,
    scope: Scope,
}

impl ClientSpec {
    /// Parses `ID:SECRET[:TENANT[:SCOPE]]`. Errors never repeat the value: it holds a secret.
    fn parse(value: &str) -> Result<Self, String> {
        let mut parts = value.trim().splitn(4, ':');
        let id = parts.next().unwrap_or_default();
        let secret = parts.next().unwrap_or_default();
        if id.is_empty() || secret.is_empty() {
            return Err("expected ID:SECRET[:TENANT[:SCOPE]]".to_owned());
        }
        clients::check_client_id(id).map_err(|e| e.to_string())?;
        let tenant = TenantId::new(
            parts
                .next()
                .filter(|t| !t.is_empty())
                .unwrap_or(DEFAULT_TENANT),
        )
        .map_err(|e| e.to_string())?;
        let scope = Scope::parse(parts.next().filter(|s| !s.is_empty()).unwrap_or("write"))
            .map_err(|e| e.to_string())?;
        Ok(Self {
            id: id.to_owned(),
            secret: SecretString::new(secret),
            tenant,
            scope,
        })
    }
}

/// The `--client` values, then those of the environment.
fn client_specs(args: &Args) -> Result<Vec<ClientSpec>, Failure> {
    let mut specs = Vec::new();
    for (n, value) in args.clients.iter().enumerate() {
        let spec = ClientSpec::parse(value)
            .map_err(|e| Failure::Usage(format!("invalid --client (number {}): {e}", n + 1)))?;
        specs.push(spec);
    }
    if let Ok(list) = std::env::var(CLIENTS_ENV) {
        for (n, value) in list.split(',').filter(|v| !v.trim().is_empty()).enumerate() {
            let spec = ClientSpec::parse(value).map_err(|e| {
                Failure::Usage(format!(
                    "invalid {CLIENTS_ENV} entry (number {}): {e}",
                    n + 1
                ))
            })?;
            specs.push(spec);
        }
    }
    Ok(specs)
}

/// The address of `flag`'s value.
async fn resolve(flag: &str, addr: &str) -> Result<SocketAddr, Failure> {
    if let Ok(addr) = addr.parse() {
        return Ok(addr);
    }
    tokio::net::lookup_host(addr)
        .await
        .ok()
        .and_then(|mut addrs| addrs.next())
        .ok_or_else(|| Failure::Usage(format!("{flag} {addr:?} is not a HOST:PORT that resolves")))
}

/// Where the data lives: memory, `--postgres` (or its variable, when no store flag is given),
/// else the SQLite file.
enum StoreChoice {
    Memory,
    Postgres(String),
    Sqlite(PathBuf),
}

impl StoreChoice {
    fn of(args: &Args) -> Self {
        if args.memory {
            return Self::Memory;
        }
        if let Some(path) = &args.db {
            return Self::Sqlite(path.clone());
        }
        match store::flag_or_env(args.postgres.clone(), POSTGRES_URL_ENV) {
            Some(url) => Self::Postgres(url),
            None => Self::Sqlite(PathBuf::from("./exsited.db")),
        }
    }
}

/// Opens the store the flags choose, its writes counted in `metrics` when there are some. The
/// PostgreSQL flags are refused with another store, so that a typo never serves the wrong one.
async fn open_store(
    args: &Args,
    metrics: Option<&Metrics>,
) -> Result<(Arc<dyn RepositoryProvider>, Arc<dyn AccessStore>), Failure> {
    let hook = |kind| metrics.map_or_else(StoreHook::default, |m| m.store_hook(kind));
    let choice = StoreChoice::of(args);
    if !matches!(choice, StoreChoice::Postgres(_)) {
        if matches!(choice, StoreChoice::Memory) && args.secret_key_file.is_some() {
            return Err(Failure::Usage(
                "--secret-key-file is for --db and --postgres: the memory store keeps nothing on \
                 disk"
                    .to_owned(),
            ));
        }
        if args.pool_size.is_some() {
            return Err(Failure::Usage("--pool-size is for --postgres".to_owned()));
        }
    }
    Ok(match choice {
        StoreChoice::Memory => {
            tracing::warn!("store in memory: everything is lost when the server stops");
            let store = Arc::new(MemoryStore::new());
            (store.clone(), store)
        }
        StoreChoice::Sqlite(path) => {
            let key_file = store::sqlite_key_file(args.secret_key_file.clone());
            let store = store::open_sqlite(&path, key_file, hook(StoreKind::Sqlite)).await?;
            tracing::info!(path = %path.display(), "store opened");
            (store.clone(), store)
        }
        StoreChoice::Postgres(url) => {
            let key = store::read_key(args.secret_key_file.clone())?;
            let pool_size = args.pool_size.map(usize::from);
            let store =
                store::open_postgres(&url, &key, pool_size, hook(StoreKind::Postgres)).await?;
            tracing::info!(store = ?store, "store opened");
            (Arc::new(store.clone()), Arc::new(store.access()))
        }
    })
}

/// Runs the server until a shutdown signal.
pub(crate) async fn run(args: Args) -> Result<(), Failure> {
    let specs = client_specs(&args)?;
    let addr = resolve("--addr", &args.addr).await?;
    let metrics_addr = match &args.metrics_addr {
        Some(value) => Some(resolve("--metrics-addr", value).await?),
        None => None,
    };
    let metrics = metrics_addr.map(|_| Metrics::new());
    // Before anything is announced: a SIGTERM sent right after the listening line is seen
    // must shut down gracefully, not kill the process.
    let signal = exsited_server::shutdown_signal().map_err(|e| Failure::Failed(e.to_string()))?;
    let (provider, access) = open_store(&args, metrics.as_ref()).await?;

    for spec in &specs {
        clients::ensure(
            access.as_ref(),
            &spec.id,
            &spec.secret,
            spec.tenant.clone(),
            spec.scope,
        )
        .await
        .map_err(|e| Failure::Failed(format!("cannot register client {}: {e}", spec.id)))?;
    }
    let mut out = std::io::stdout().lock();
    if access.client_count().await? == 0 {
        let (client, credentials) = clients::generate(TenantId::new(DEFAULT_TENANT)?, Scope::Write);
        access.add_client(client).await?;
        // Shown once: only the secret's hash is stored.
        let _ = writeln!(
            out,
            "created an API client (tenant {DEFAULT_TENANT}, scope write); the secret is shown only now\nclient_id: {}\nclient_secret: {}",
            credentials.client_id,
            credentials.client_secret.expose()
        );
    }

    let mut builder = Server::builder()
        .provider(provider)
        .access(access)
        .config(ServerConfig::default());
    let mut endpoint = None;
    if let (Some(metrics), Some(metrics_addr)) = (&metrics, metrics_addr) {
        builder = builder.observer(Arc::new(metrics.clone()));
        let bound = MetricsEndpoint::bind(metrics_addr, Arc::new(metrics.clone()))
            .await
            .map_err(|e| Failure::Failed(format!("--metrics-addr: {e}")))?;
        let _ = writeln!(out, "metrics on http://{}/metrics", bound.local_addr());
        endpoint = Some(bound);
    }
    let server = builder
        .bind(addr)
        .await
        .map_err(|e| Failure::Failed(e.to_string()))?;
    let _ = writeln!(out, "listening on http://{}", server.local_addr());
    let _ = writeln!(out, "API page: http://{}/docs", server.local_addr());
    let _ = out.flush();
    drop(out);
    let stopped = server
        .run_until(signal)
        .await
        .map_err(|e| Failure::Failed(e.to_string()));
    // Scrapes are answered until the API has drained.
    drop(endpoint);
    stopped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_specs_parse_with_defaults_and_never_echo_the_secret() {
        let spec = ClientSpec::parse("ci:pw").unwrap();
        assert_eq!(
            (spec.id.as_str(), spec.tenant.as_str(), spec.scope),
            ("ci", "default", Scope::Write)
        );
        let spec = ClientSpec::parse("ro:pw:acme:read").unwrap();
        assert_eq!((spec.tenant.as_str(), spec.scope), ("acme", Scope::Read));
        for bad in [
            "nosecret",
            "id:",
            ":pw",
            "id:TOPSECRET:bad tenant",
            "id:TOPSECRET:t:admin",
            "bad id:TOPSECRET",
        ] {
            let err = ClientSpec::parse(bad)
                .err()
                .unwrap_or_else(|| panic!("{bad}"));
            assert!(!err.contains("TOPSECRET"), "{err}");
        }
    }
}
