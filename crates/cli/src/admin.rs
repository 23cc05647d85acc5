//! `exsited admin`: API clients and the delete audit of a store (a SQLite file or a PostgreSQL
//! database), and new secret keys.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use exsited_core::TenantId;
use exsited_core::access::{AccessStore, DeleteAudit, Scope};
use exsited_core::observe::StoreHook;
use exsited_secrets::{KeyFileError, SecretKey};
use exsited_server::clients;

use crate::failure::Failure;
use crate::store::{self, POSTGRES_URL_ENV};

/// Which store an admin command works on.
#[derive(clap::Args)]
pub(crate) struct StoreArgs {
    /// The SQLite file of the store (default ./exsited.db). The server must be stopped: a file
    /// serves one process at a time.
    #[arg(long, value_name = "PATH")]
    db: Option<PathBuf>,
    /// A PostgreSQL database instead: a postgres:// URL or a key=value connection string (also
    /// EXSITED_POSTGRES_URL, used when --db is not given). Servers may keep running.
    #[arg(long, value_name = "URL", conflicts_with = "db")]
    postgres: Option<String>,
    /// The key file that seals the store's partner secrets (also EXSITED_SECRET_KEY_FILE). For
    /// a SQLite file the default is PATH.key beside it; with --postgres it is needed only to
    /// create the store in an empty database.
    #[arg(long, value_name = "PATH")]
    secret_key_file: Option<PathBuf>,
}

impl StoreArgs {
    fn postgres_url(&self) -> Option<String> {
        if self.db.is_some() {
            return None;
        }
        store::flag_or_env(self.postgres.clone(), POSTGRES_URL_ENV)
    }

    fn sqlite_path(&self) -> PathBuf {
        self.db
            .clone()
            .unwrap_or_else(|| PathBuf::from("./exsited.db"))
    }
}

/// The `admin` subcommands.
#[derive(clap::Subcommand)]
pub(crate) enum Command {
    /// Register a new API client and print its credentials (the secret is shown only once).
    AddClient {
        #[command(flatten)]
        store: StoreArgs,
        /// The tenant whose data the client sees.
        #[arg(long, default_value = "default")]
        tenant: String,
        /// What the client may do.
        #[arg(long, value_parser = ["read", "write"], default_value = "write")]
        scope: String,
    },
    /// Print the audit trail of deleted connections, oldest first.
    Audit {
        #[command(flatten)]
        store: StoreArgs,
        /// JSON (an array of records) instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Write a new secret key for `serve --postgres` to a new file (mode 0600; an existing file
    /// is never overwritten). Every instance of one database needs the same key.
    GenKey {
        /// Where to write it.
        path: PathBuf,
    },
}

/// The access store of `--postgres` or the SQLite file; `create` lets an empty PostgreSQL
/// database be set up when the key is at hand (a missing SQLite file is always created).
async fn open_access(args: &StoreArgs, create: bool) -> Result<Arc<dyn AccessStore>, Failure> {
    let key_file = store::sqlite_key_file(args.secret_key_file.clone());
    match args.postgres_url() {
        Some(url) => match key_file {
            Some(path) if create => {
                let key = store::read_key(Some(path))?;
                Ok(Arc::new(
                    store::open_postgres(&url, &key, Some(2), StoreHook::default())
                        .await?
                        .access(),
                ))
            }
            _ => Ok(Arc::new(store::open_postgres_access(&url).await?)),
        },
        None if create => {
            Ok(store::open_sqlite(&args.sqlite_path(), key_file, StoreHook::default()).await?)
        }
        None => Ok(store::open_existing(&args.sqlite_path(), key_file).await?),
    }
}

/// Runs an `admin` subcommand.
pub(crate) async fn run(command: Command) -> Result<(), Failure> {
    match command {
        Command::AddClient {
            store,
            tenant,
            scope,
        } => {
            let tenant = TenantId::new(&tenant).map_err(|e| Failure::Usage(e.to_string()))?;
            let scope = Scope::parse(&scope).map_err(|e| Failure::Usage(e.to_string()))?;
            let store = open_access(&store, true).await?;
            let (client, credentials) = clients::generate(tenant.clone(), scope);
            store.add_client(client).await?;
            let mut out = std::io::stdout().lock();
            let _ = writeln!(
                out,
                "created an API client (tenant {tenant}, scope {scope}); the secret is shown only now\nclient_id: {}\nclient_secret: {}",
                credentials.client_id,
                credentials.client_secret.expose()
            );
            Ok(())
        }
        Command::Audit { store, json } => {
            let store = open_access(&store, false).await?;
            let records = store.delete_audit().await?;
            let text = if json {
                as_json(&records)
            } else {
                as_table(&records)
            };
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(text.as_bytes());
            Ok(())
        }
        Command::GenKey { path } => {
            SecretKey::generate()
                .write_new_file(&path)
                .map_err(|e| match e {
                    KeyFileError::Exists { .. } => Failure::Usage(e.to_string()),
                    other => Failure::Failed(other.to_string()),
                })?;
            let mut out = std::io::stdout().lock();
            let _ = writeln!(
                out,
                "wrote a new secret key to {} (mode 0600)\nkeep a copy apart from the database's backups: without it no partner secret stored under it can be read",
                path.display()
            );
            Ok(())
        }
    }
}

fn as_json(records: &[DeleteAudit]) -> String {
    let values: Vec<serde_json::Value> = records
        .iter()
        .map(|r| {
            serde_json::json!({
                "at": r.at,
                "tenant": r.tenant.as_str(),
                "client_id": r.client_id,
                "connection_uuid": r.connection_id.to_string(),
                "partner": r.partner,
                "sync_configurations": r.sync_configurations,
            })
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&values).unwrap_or_else(|_| "[]".to_owned());
    text.push('\n');
    text
}

fn as_table(records: &[DeleteAudit]) -> String {
    let header = [
        "AT",
        "TENANT",
        "CLIENT",
        "CONNECTION",
        "PARTNER",
        "SYNC_CONFIGURATIONS",
    ];
    let rows: Vec<[String; 6]> = records
        .iter()
        .map(|r| {
            [
                r.at.clone(),
                r.tenant.to_string(),
                if r.client_id.is_empty() {
                    "-".to_owned()
                } else {
                    r.client_id.clone()
                },
                r.connection_id.to_string(),
                r.partner.clone(),
                r.sync_configurations.to_string(),
            ]
        })
        .collect();
    let mut widths = header.map(str::len);
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut text = String::new();
    let mut line = |cells: &[&str]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        text.push_str(padded.join("  ").trim_end());
        text.push('\n');
    };
    line(&header);
    for row in &rows {
        line(&row.each_ref().map(String::as_str));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use exsited_core::ConnectionId;

    fn record() -> DeleteAudit {
        DeleteAudit {
            at: "2026-01-02T03:04:05Z".into(),
            tenant: TenantId::new("acme").unwrap(),
            client_id: "cl_1".into(),
            connection_id: ConnectionId::parse("3f0c8a52-9a4e-4d8e-9d53-6f3b2f5b8a10").unwrap(),
            partner: "XERO".into(),
            sync_configurations: 3,
        }
    }

    #[test]
    fn the_table_aligns_columns() {
        let table = as_table(&[record()]);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 2);
        assert!(
            lines[0].starts_with("AT                    TENANT  CLIENT"),
            "{table}"
        );
        assert!(
            lines[1].contains("3f0c8a52-9a4e-4d8e-9d53-6f3b2f5b8a10  XERO     3"),
            "{table}"
        );
    }

    #[test]
    fn json_has_one_object_per_record() {
        let value: serde_json::Value = serde_json::from_str(&as_json(&[record()])).unwrap();
        assert_eq!(value[0]["sync_configurations"], 3);
        assert_eq!(
            value[0]["connection_uuid"],
            "3f0c8a52-9a4e-4d8e-9d53-6f3b2f5b8a10"
        );
    }
}
