//! The store's [`AccessStore`]: API clients, tokens by hash, idempotent responses and the
//! delete audit, in the same file and through the same writer as the connections (so that a
//! delete drops the stored responses of its connection in its own transaction).

use async_trait::async_trait;
use exsited_core::access::{
    AccessStore, ApiClient, DeleteAudit, IssuedTokens, Scope, StoredResponse, TokenOwner,
};
use exsited_core::{ConnectionId, Error, Result, TenantId};
use rusqlite::types::Type;
use rusqlite::{OptionalExtension, Row, params};

use crate::SqliteStore;
use crate::error::db_error;

fn sql_i64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

fn sql_u64(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

fn convert<T, E>(column: usize, value: std::result::Result<T, E>) -> rusqlite::Result<T>
where
    E: std::error::Error + Send + Sync + 'static,
{
    value.map_err(|e| rusqlite::Error::FromSqlConversionFailure(column, Type::Text, Box::new(e)))
}

fn client_row(row: &Row<'_>) -> rusqlite::Result<ApiClient> {
    Ok(ApiClient {
        client_id: row.get(0)?,
        tenant: convert(1, TenantId::new(&row.get::<_, String>(1)?))?,
        scope: convert(2, Scope::parse(&row.get::<_, String>(2)?))?,
        secret_hash: row.get(3)?,
    })
}

fn owner_row(row: &Row<'_>) -> rusqlite::Result<TokenOwner> {
    Ok(TokenOwner {
        client_id: row.get(0)?,
        expires_at: sql_u64(row.get(1)?),
    })
}

fn response_row(row: &Row<'_>) -> rusqlite::Result<StoredResponse> {
    let connection: Option<String> = row.get(3)?;
    Ok(StoredResponse {
        request_hash: row.get(0)?,
        status: convert(1, u16::try_from(row.get::<_, i64>(1)?))?,
        body: row.get(2)?,
        connection_id: connection
            .map(|id| convert(3, ConnectionId::parse(&id)))
            .transpose()?,
        created_at: sql_u64(row.get(4)?),
    })
}

fn audit_row(row: &Row<'_>) -> rusqlite::Result<DeleteAudit> {
    Ok(DeleteAudit {
        at: row.get(0)?,
        tenant: convert(1, TenantId::new(&row.get::<_, String>(1)?))?,
        client_id: row.get(2)?,
        connection_id: convert(3, ConnectionId::parse(&row.get::<_, String>(3)?))?,
        partner: row.get(4)?,
        sync_configurations: sql_u64(row.get(5)?),
    })
}

impl SqliteStore {
    /// The owner of the grant that `sql` finds by `hash`.
    async fn token_owner(&self, sql: &'static str, hash: &str) -> Result<Option<TokenOwner>> {
        let hash = hash.to_owned();
        self.shared
            .read(move |db| {
                db.prepare_cached(sql)
                    .and_then(|mut s| s.query_row([&hash], owner_row).optional())
                    .map_err(|e| db_error("read a token", e, false))
            })
            .await
    }
}

#[async_trait]
impl AccessStore for SqliteStore {
    async fn add_client(&self, client: ApiClient) -> Result<()> {
        self.shared
            .writer
            .write(move |db| {
                let fail = |e| db_error("add a client", e, false);
                let exists = db
                    .prepare_cached("SELECT 1 FROM api_clients WHERE client_id = ?1")
                    .and_then(|mut s| s.exists([&client.client_id]))
                    .map_err(fail)?;
                if exists {
                    return Err(Error::Conflict {
                        message: format!("client {} already exists", client.client_id),
                    });
                }
                db.prepare_cached(
                    "INSERT INTO api_clients (client_id, tenant, scope, secret_hash) \
                     VALUES (?1, ?2, ?3, ?4)",
                )
                .and_then(|mut s| {
                    s.execute(params![
                        client.client_id,
                        client.tenant.as_str(),
                        client.scope.as_str(),
                        client.secret_hash
                    ])
                })
                .map_err(fail)?;
                Ok(())
            })
            .await
    }

    async fn find_client(&self, client_id: &str) -> Result<Option<ApiClient>> {
        let client_id = client_id.to_owned();
        self.shared
            .read(move |db| {
                db.prepare_cached(
                    "SELECT client_id, tenant, scope, secret_hash FROM api_clients \
                     WHERE client_id = ?1",
                )
                .and_then(|mut s| s.query_row([&client_id], client_row).optional())
                .map_err(|e| db_error("read a client", e, false))
            })
            .await
    }

    async fn client_count(&self) -> Result<u64> {
        self.shared
            .read(|db| {
                db.query_row("SELECT count(*) FROM api_clients", [], |r| r.get(0))
                    .map(sql_u64)
                    .map_err(|e| db_error("count clients", e, false))
            })
            .await
    }

    async fn replace_tokens(&self, tokens: IssuedTokens, rotating: Option<&str>) -> Result<bool> {
        let rotating = rotating.map(str::to_owned);
        self.shared
            .writer
            .write(move |db| {
                let fail = |e| db_error("store tokens", e, false);
                if let Some(expected) = rotating {
                    let current: Option<String> = db
                        .prepare_cached("SELECT refresh_hash FROM grants WHERE client_id = ?1")
                        .and_then(|mut s| s.query_row([&tokens.client_id], |r| r.get(0)).optional())
                        .map_err(fail)?;
                    if current.as_deref() != Some(expected.as_str()) {
                        return Ok(false);
                    }
                }
                db.prepare_cached(
                    "INSERT INTO grants (client_id, access_hash, access_expires_at, \
                     refresh_hash, refresh_expires_at) VALUES (?1, ?2, ?3, ?4, ?5) \
                     ON CONFLICT (client_id) DO UPDATE SET access_hash = excluded.access_hash, \
                     access_expires_at = excluded.access_expires_at, \
                     refresh_hash = excluded.refresh_hash, \
                     refresh_expires_at = excluded.refresh_expires_at",
                )
                .and_then(|mut s| {
                    s.execute(params![
                        tokens.client_id,
                        tokens.access_hash,
                        sql_i64(tokens.access_expires_at),
                        tokens.refresh_hash,
                        sql_i64(tokens.refresh_expires_at)
                    ])
                })
                .map_err(fail)?;
                Ok(true)
            })
            .await
    }

    async fn find_access_token(&self, access_hash: &str) -> Result<Option<TokenOwner>> {
        self.token_owner(
            "SELECT client_id, access_expires_at FROM grants WHERE access_hash = ?1 LIMIT 1",
            access_hash,
        )
        .await
    }

    async fn find_token_client(&self, access_hash: &str) -> Result<Option<(ApiClient, u64)>> {
        let access_hash = access_hash.to_owned();
        self.shared
            .read(move |db| {
                db.prepare_cached(
                    "SELECT c.client_id, c.tenant, c.scope, c.secret_hash, g.access_expires_at \
                     FROM grants g JOIN api_clients c ON c.client_id = g.client_id \
                     WHERE g.access_hash = ?1 LIMIT 1",
                )
                .and_then(|mut s| {
                    s.query_row([&access_hash], |row| {
                        Ok((client_row(row)?, sql_u64(row.get(4)?)))
                    })
                    .optional()
                })
                .map_err(|e| db_error("read a token", e, false))
            })
            .await
    }

    async fn find_refresh_token(&self, refresh_hash: &str) -> Result<Option<TokenOwner>> {
        self.token_owner(
            "SELECT client_id, refresh_expires_at FROM grants WHERE refresh_hash = ?1 LIMIT 1",
            refresh_hash,
        )
        .await
    }

    async fn find_response(&self, tenant: &TenantId, key: &str) -> Result<Option<StoredResponse>> {
        let (tenant, key) = (tenant.clone(), key.to_owned());
        self.shared
            .read(move |db| {
                db.prepare_cached(
                    "SELECT request_hash, status, body, connection_uuid, created_at \
                     FROM idempotent_responses WHERE tenant = ?1 AND key = ?2",
                )
                .and_then(|mut s| {
                    s.query_row(params![tenant.as_str(), key], response_row)
                        .optional()
                })
                .map_err(|e| db_error("read a stored response", e, false))
            })
            .await
    }

    async fn remember_response(
        &self,
        tenant: &TenantId,
        key: &str,
        response: StoredResponse,
        older_than: u64,
    ) -> Result<()> {
        let (tenant, key) = (tenant.clone(), key.to_owned());
        self.shared
            .writer
            .write(move |db| {
                let fail = |e| db_error("store a response", e, false);
                db.prepare_cached("DELETE FROM idempotent_responses WHERE created_at < ?1")
                    .and_then(|mut s| s.execute([sql_i64(older_than)]))
                    .map_err(fail)?;
                db.prepare_cached(
                    "INSERT OR REPLACE INTO idempotent_responses (tenant, key, request_hash, \
                     status, body, connection_uuid, created_at) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )
                .and_then(|mut s| {
                    s.execute(params![
                        tenant.as_str(),
                        key,
                        response.request_hash,
                        i64::from(response.status),
                        response.body,
                        response.connection_id.map(|id| id.to_string()),
                        sql_i64(response.created_at)
                    ])
                })
                .map_err(fail)?;
                Ok(())
            })
            .await
    }

    async fn delete_audit(&self) -> Result<Vec<DeleteAudit>> {
        self.shared
            .read(|db| {
                db.prepare_cached(
                    "SELECT at, tenant, client_id, connection_uuid, partner, sync_configurations \
                     FROM delete_audit ORDER BY seq",
                )
                .and_then(|mut s| s.query_map([], audit_row)?.collect())
                .map_err(|e| db_error("read the delete audit", e, false))
            })
            .await
    }
}
