//! The conformance suite's look inside the store (feature `conformance`): the orphan count
//! across all tenants, and whether a secret can be read from the tables.
//!
//! The tables hold partner secrets only sealed, so a plaintext search of their rows finds
//! nothing by design; [`PostgresStore::stored_secret`] opens every stored secret with the key
//! (what anyone holding the key could read) and searches every row's text too. A test that
//! owns the cluster adds a scan of its data files and WAL for the plaintext bytes (see the
//! crate's tests).

use async_trait::async_trait;
use exsited_core::conformance::Probe;

use crate::PostgresStore;
use crate::error::db_error;
use crate::rows::{CONNECTION_COLUMNS, connection_from_row, get};

/// Every table of the store, for the text search.
const TABLES: &[&str] = &[
    "connections",
    "automations",
    "partner_functions",
    "api_clients",
    "grants",
    "idempotency_keys",
    "delete_audit",
    "exsited_schema",
];

impl PostgresStore {
    /// Whether `secret` is one of the partner secrets stored (opened with the key), or appears
    /// in the text of any row of any table. A test helper: it reads every row.
    pub async fn stored_secret(&self, secret: &str) -> exsited_core::Result<bool> {
        let client = self.db.client().await?;
        let rows = client
            .query(
                &format!("SELECT {CONNECTION_COLUMNS} FROM connections"),
                &[],
            )
            .await
            .map_err(|e| db_error("read every connection", e, false))?;
        for row in &rows {
            let c = connection_from_row(row, 0, &self.sealer)?.credentials;
            if [&c.client_secret, &c.access_token, &c.refresh_token]
                .iter()
                .any(|s| s.expose() == secret)
            {
                return Ok(true);
            }
        }
        for table in TABLES {
            let row = client
                .query_one(
                    &format!("SELECT count(*) FROM {table} t WHERE strpos(t::text, $1) > 0"),
                    &[&secret],
                )
                .await
                .map_err(|e| db_error("search the rows", e, false))?;
            if get::<i64>(&row, 0)? > 0 {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

#[async_trait]
impl Probe for PostgresStore {
    async fn sync_configuration_count(&self) -> u64 {
        PostgresStore::sync_configuration_count(self)
            .await
            .expect("the probe counts sync configurations")
    }

    async fn holds_secret(&self, secret: &str) -> bool {
        self.stored_secret(secret)
            .await
            .expect("the probe reads the tables")
    }
}
