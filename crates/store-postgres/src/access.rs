//! The store's [`AccessStore`]: API clients, grants by hash and the delete audit, each change
//! one statement, so that concurrent instances cannot interleave inside it.

use async_trait::async_trait;
use exsited_core::access::{AccessStore, ApiClient, DeleteAudit, IssuedTokens, TokenOwner};
use exsited_core::{Error, Result};
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;

use crate::PostgresAccess;
use crate::error::db_error;
use crate::rows::{
    AUDIT_COLUMNS, CLIENT_COLUMNS, audit_from_row, client_from_row, get, owner_from_row, sql_i64,
    sql_u64,
};

impl PostgresAccess {
    /// Runs one statement through the statement cache; `maybe_processed` for writes.
    async fn run(
        &self,
        context: &str,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
        maybe_processed: bool,
    ) -> Result<Vec<Row>> {
        let client = self.db.client().await?;
        let statement = client
            .prepare_cached(sql)
            .await
            .map_err(|e| db_error(context, e, false))?;
        let query = async {
            client
                .query(&statement, params)
                .await
                .map_err(|e| db_error(context, e, maybe_processed))
        };
        // Only writes may have been processed; they are what the store reports.
        if maybe_processed {
            self.db.timed(query).await
        } else {
            query.await
        }
    }

    async fn token_owner(&self, sql: &str, hash: &str) -> Result<Option<TokenOwner>> {
        let rows = self.run("read a token", sql, &[&hash], false).await?;
        rows.first().map(|row| owner_from_row(row, 0)).transpose()
    }
}

#[async_trait]
impl AccessStore for PostgresAccess {
    async fn add_client(&self, client: ApiClient) -> Result<()> {
        let rows = self
            .run(
                "add a client",
                "INSERT INTO api_clients (client_id, tenant, scope, secret_hash) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (client_id) DO NOTHING RETURNING 1",
                &[
                    &client.client_id,
                    &client.tenant.as_str(),
                    &client.scope.as_str(),
                    &client.secret_hash,
                ],
                true,
            )
            .await?;
        if rows.is_empty() {
            return Err(Error::Conflict {
                message: format!("client {} already exists", client.client_id),
            });
        }
        Ok(())
    }

    async fn find_client(&self, client_id: &str) -> Result<Option<ApiClient>> {
        let sql = format!("SELECT {CLIENT_COLUMNS} FROM api_clients WHERE client_id = $1");
        let rows = self
            .run("read a client", &sql, &[&client_id], false)
            .await?;
        rows.first().map(|row| client_from_row(row, 0)).transpose()
    }

    async fn client_count(&self) -> Result<u64> {
        let rows = self
            .run(
                "count clients",
                "SELECT count(*) FROM api_clients",
                &[],
                false,
            )
            .await?;
        match rows.first() {
            Some(row) => Ok(sql_u64(get(row, 0)?)),
            None => Ok(0),
        }
    }

    async fn replace_tokens(&self, tokens: IssuedTokens, rotating: Option<&str>) -> Result<bool> {
        let values: [&(dyn ToSql + Sync); 5] = [
            &tokens.client_id,
            &tokens.access_hash,
            &sql_i64(tokens.access_expires_at),
            &tokens.refresh_hash,
            &sql_i64(tokens.refresh_expires_at),
        ];
        let rows = match rotating {
            // One statement: a concurrent rotation with the same refresh token waits for this
            // row, then finds its hash changed and updates nothing.
            Some(expected) => {
                let mut params = values.to_vec();
                params.push(&expected);
                self.run(
                    "store tokens",
                    "UPDATE grants SET access_hash = $2, access_expires_at = $3, \
                     refresh_hash = $4, refresh_expires_at = $5 \
                     WHERE client_id = $1 AND refresh_hash = $6 RETURNING 1",
                    &params,
                    true,
                )
                .await?
            }
            None => {
                self.run(
                    "store tokens",
                    "INSERT INTO grants (client_id, access_hash, access_expires_at, \
                     refresh_hash, refresh_expires_at) VALUES ($1, $2, $3, $4, $5) \
                     ON CONFLICT (client_id) DO UPDATE SET access_hash = EXCLUDED.access_hash, \
                     access_expires_at = EXCLUDED.access_expires_at, \
                     refresh_hash = EXCLUDED.refresh_hash, \
                     refresh_expires_at = EXCLUDED.refresh_expires_at RETURNING 1",
                    &values,
                    true,
                )
                .await?
            }
        };
        Ok(!rows.is_empty())
    }

    async fn find_access_token(&self, access_hash: &str) -> Result<Option<TokenOwner>> {
        self.token_owner(
            "SELECT client_id, access_expires_at FROM grants WHERE access_hash = $1 LIMIT 1",
            access_hash,
        )
        .await
    }

    async fn find_token_client(&self, access_hash: &str) -> Result<Option<(ApiClient, u64)>> {
        let rows = self
            .run(
                "read a token",
                "SELECT c.client_id, c.tenant, c.scope, c.secret_hash, g.access_expires_at \
                 FROM grants g JOIN api_clients c ON c.client_id = g.client_id \
                 WHERE g.access_hash = $1 LIMIT 1",
                &[&access_hash],
                false,
            )
            .await?;
        rows.first()
            .map(|row| Ok((client_from_row(row, 0)?, sql_u64(get(row, 4)?))))
            .transpose()
    }

    async fn find_refresh_token(&self, refresh_hash: &str) -> Result<Option<TokenOwner>> {
        self.token_owner(
            "SELECT client_id, refresh_expires_at FROM grants WHERE refresh_hash = $1 LIMIT 1",
            refresh_hash,
        )
        .await
    }

    async fn delete_audit(&self) -> Result<Vec<DeleteAudit>> {
        let sql = format!("SELECT {AUDIT_COLUMNS} FROM delete_audit ORDER BY seq");
        let rows = self.run("read the delete audit", &sql, &[], false).await?;
        rows.iter().map(|row| audit_from_row(row, 0)).collect()
    }

    // `grants_are_local` keeps its default, `false`: other instances grant behind this one's
    // back, so the server must look every token up (no cache may serve a revoked token).
}
