//! The store's [`AccessStore`]: API clients, tokens by hash and the delete audit, in the same
//! file and through the same writer as the connections.

use async_trait::async_trait;
use exsited_core::access::{AccessStore, ApiClient, DeleteAudit, IssuedTokens, Scope, TokenOwner};
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

    /// The server process that opened the file makes every grant it serves: the file is locked
    /// to one process at a time (see the crate docs).
    fn grants_are_local(&self) -> bool {
        true
    }
}
