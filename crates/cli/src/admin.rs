//! `exsited admin`: API clients and the delete audit of a SQLite store.

use std::io::Write;
use std::path::PathBuf;

use exsited_core::TenantId;
use exsited_core::access::{AccessStore, DeleteAudit, Scope};
use exsited_server::clients;

use crate::failure::Failure;
use crate::store;

/// The `admin` subcommands.
#[derive(clap::Subcommand)]
pub(crate) enum Command {
    /// Register a new API client and print its credentials (the secret is shown only once).
    AddClient {
        /// The SQLite file of the store; created when missing.
        #[arg(long, value_name = "PATH", default_value = "./exsited.db")]
        db: PathBuf,
        /// The tenant whose data the client sees.
        #[arg(long, default_value = "default")]
        tenant: String,
        /// What the client may do.
        #[arg(long, value_parser = ["read", "write"], default_value = "write")]
        scope: String,
    },
    /// Print the audit trail of deleted connections, oldest first.
    Audit {
        /// The SQLite file of the store.
        #[arg(long, value_name = "PATH", default_value = "./exsited.db")]
        db: PathBuf,
        /// JSON (an array of records) instead of a table.
        #[arg(long)]
        json: bool,
    },
}

/// Runs an `admin` subcommand.
pub(crate) async fn run(command: Command) -> Result<(), Failure> {
    match command {
        Command::AddClient { db, tenant, scope } => {
            let tenant = TenantId::new(&tenant).map_err(|e| Failure::Usage(e.to_string()))?;
            let scope = Scope::parse(&scope).map_err(|e| Failure::Usage(e.to_string()))?;
            let store = store::open_sqlite(&db).await?;
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
        Command::Audit { db, json } => {
            let store = store::open_existing(&db).await?;
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
