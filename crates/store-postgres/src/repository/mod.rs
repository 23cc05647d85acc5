//! One tenant's [`ConnectionRepository`] over PostgreSQL, mirroring the memory backend
//! operation for operation: the same checks in the same order, the same errors, the same order
//! of lists.
//!
//! Every transaction is `READ COMMITTED`, whatever the database's default: each statement then
//! sees what committed before it began, which is what the delete's lock-then-cascade relies on.

use std::fmt;
use std::time::SystemTime;

use async_trait::async_trait;
use deadpool_postgres::{GenericClient, Object, Transaction};
use exsited_core::configuration::{Configuration, ConfigurationPatch};
use exsited_core::{
    Automation, AutomationDetails, AutomationId, AutomationPatch, AutomationStatus, Connection,
    ConnectionId, ConnectionRepository, ConnectionStatus, DeleteOutcome, Direction, Error,
    ListQuery, NewConnection, OrderBy, Page, Partner, PartnerFunction, PartnerFunctionDetails,
    PartnerFunctionId, PartnerFunctionPatch, Resource, Result, TenantId,
};
use tokio_postgres::IsolationLevel;
use tokio_postgres::Row;

use crate::PostgresStore;
use crate::error::db_error;
use crate::rows::{
    AUTOMATION_COLUMNS, CONNECTION_COLUMNS, FUNCTION_COLUMNS, automation_from_row,
    automation_values, connection_from_row, function_from_row, function_values, get, now,
    partner_from_row, sql_i64, sql_u64,
};

mod keyed;
mod writes;

/// One tenant's view of a [`PostgresStore`]. Cheap to clone.
#[derive(Clone)]
pub struct PostgresRepository {
    store: PostgresStore,
    tenant: TenantId,
    /// Who acts, for the delete audit; empty when the view was made without a principal.
    client_id: String,
}

impl fmt::Debug for PostgresRepository {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostgresRepository")
            .field("database", &self.store.db.database)
            .field("tenant", &self.tenant)
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

/// The `ORDER BY` of a list query inside the page and around it; only these fixed texts ever
/// reach SQL.
fn order_by(query: &ListQuery) -> (&'static str, &'static str) {
    match (query.order_by(), query.direction()) {
        (OrderBy::Uuid, Direction::Asc) => ("uuid ASC", "x.uuid ASC"),
        (OrderBy::Uuid, Direction::Desc) => ("uuid DESC", "x.uuid DESC"),
        (_, Direction::Asc) => ("seq ASC", "x.seq ASC"),
        (_, Direction::Desc) => ("seq DESC", "x.seq DESC"),
    }
}

/// A page from rows that carry the total at `total_at` and the page's row (null past the end)
/// from `seq_at` on, its record's columns right after the sequence.
fn page<T>(
    rows: &[Row],
    total_at: usize,
    seq_at: usize,
    query: &ListQuery,
    mut map: impl FnMut(&Row, usize) -> Result<T>,
) -> Result<Page<T>> {
    let total = match rows.first() {
        Some(row) => sql_u64(get(row, total_at)?),
        None => 0,
    };
    let mut items = Vec::with_capacity(rows.len());
    for row in rows {
        if get::<Option<i64>>(row, seq_at)?.is_some() {
            items.push(map(row, seq_at + 1)?);
        }
    }
    Ok(Page {
        items,
        total,
        limit: query.limit(),
        offset: query.offset(),
    })
}

/// A read-committed transaction, whatever the database's default isolation level.
async fn begin<'c>(client: &'c mut Object, context: &str) -> Result<Transaction<'c>> {
    client
        .build_transaction()
        .isolation_level(IsolationLevel::ReadCommitted)
        .start()
        .await
        .map_err(|e| db_error(context, e, false))
}

/// Runs `sql` on `db` through the statement cache.
async fn query_opt(
    db: &impl GenericClient,
    context: &str,
    sql: &str,
    params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
) -> Result<Option<Row>> {
    let statement = db
        .prepare_cached(sql)
        .await
        .map_err(|e| db_error(context, e, false))?;
    db.query_opt(&statement, params)
        .await
        .map_err(|e| db_error(context, e, false))
}

impl PostgresRepository {
    pub(crate) fn new(store: PostgresStore, tenant: TenantId, client_id: String) -> Self {
        Self {
            store,
            tenant,
            client_id,
        }
    }

    /// The tenant this view belongs to.
    pub fn tenant(&self) -> &TenantId {
        &self.tenant
    }

    /// The API client this view acts for (empty when made without a principal).
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    async fn client(&self) -> Result<Object> {
        self.store.db.client().await
    }

    async fn set_status(&self, id: ConnectionId, status: ConnectionStatus) -> Result<()> {
        let client = self.client().await?;
        let changed = self
            .store
            .db
            .timed(async {
                let statement = client
                    .prepare_cached(
                        "UPDATE connections SET status = $1 WHERE uuid = $2 AND tenant = $3",
                    )
                    .await
                    .map_err(|e| db_error("set the status", e, false))?;
                client
                    .execute(
                        &statement,
                        &[&status.as_str(), id.as_uuid(), &self.tenant.as_str()],
                    )
                    .await
                    .map_err(|e| db_error("set the status", e, true))
            })
            .await?;
        if changed == 0 {
            return Err(Error::not_found(Resource::Connection, id));
        }
        Ok(())
    }

    /// Runs `change` (one statement on a row under `connection`; `$1` and `$2` are the row's id
    /// and the connection, `params` the rest) in a transaction that first holds this tenant's
    /// `connection`: `NotFound` for the connection, or for the row (`missing`) when nothing
    /// changed.
    async fn change_child(
        &self,
        context: &str,
        connection: ConnectionId,
        change: &str,
        params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
        missing: Error,
    ) -> Result<()> {
        let mut client = self.client().await?;
        let tx = begin(&mut client, context).await?;
        query_opt(
            &tx,
            context,
            LOCK_PARENT,
            &[connection.as_uuid(), &self.tenant.as_str()],
        )
        .await?
        .ok_or_else(|| Error::not_found(Resource::Connection, connection))?;
        let statement = tx
            .prepare_cached(change)
            .await
            .map_err(|e| db_error(context, e, false))?;
        let changed = tx
            .execute(&statement, params)
            .await
            .map_err(|e| db_error(context, e, false))?;
        if changed == 0 {
            return Err(missing);
        }
        tx.commit().await.map_err(|e| db_error(context, e, true))
    }

    /// The stored configuration of `connection` (empty without a row), read on `db`.
    async fn read_configuration(
        db: &impl GenericClient,
        context: &str,
        connection: ConnectionId,
        lock: bool,
    ) -> Result<Configuration> {
        let sql = if lock {
            "SELECT document FROM configurations WHERE connection_uuid = $1 FOR UPDATE"
        } else {
            "SELECT document FROM configurations WHERE connection_uuid = $1"
        };
        match query_opt(db, context, sql, &[connection.as_uuid()]).await? {
            None => Ok(Configuration::default()),
            Some(row) => {
                exsited_spec::configuration::from_json(&get::<String>(&row, 0)?).map_err(|e| {
                    crate::error::store_error(
                        format!("a stored configuration is not valid: {e}"),
                        None,
                    )
                })
            }
        }
    }

    /// One page of `table`'s rows under this tenant's `connection`, or `NotFound`.
    async fn list_children<T>(
        &self,
        table: &str,
        columns: &str,
        connection: ConnectionId,
        query: &ListQuery,
        map: impl Fn(&Row, usize, &Partner) -> Result<T>,
    ) -> Result<Page<T>> {
        let (inner, outer) = order_by(query);
        let sql = format!(
            "SELECT p.partner, t.total, x.* \
             FROM (SELECT partner FROM connections WHERE uuid = $1 AND tenant = $2) p \
             CROSS JOIN (SELECT count(*) AS total FROM {table} WHERE connection_uuid = $1) t \
             LEFT JOIN LATERAL (SELECT seq, {columns} FROM {table} WHERE connection_uuid = $1 \
             ORDER BY {inner} LIMIT $3 OFFSET $4) x ON true ORDER BY {outer}"
        );
        let client = self.client().await?;
        let statement = client
            .prepare_cached(&sql)
            .await
            .map_err(|e| db_error("list", e, false))?;
        let rows = client
            .query(
                &statement,
                &[
                    connection.as_uuid(),
                    &self.tenant.as_str(),
                    &i64::from(query.limit()),
                    &sql_i64(query.offset()),
                ],
            )
            .await
            .map_err(|e| db_error("list", e, false))?;
        let Some(first) = rows.first() else {
            return Err(Error::not_found(Resource::Connection, connection));
        };
        let provider = partner_from_row(first, 0)?;
        page(&rows, 1, 2, query, |row, at| map(row, at, &provider))
    }

    /// `table`'s row `id` under this tenant's `connection` with the connection's partner:
    /// `NotFound` for the connection, then for the row.
    #[allow(clippy::too_many_arguments)]
    async fn read_child<T>(
        &self,
        db: &impl GenericClient,
        table: &str,
        columns: &str,
        connection: ConnectionId,
        id: &uuid::Uuid,
        missing: Resource,
        map: impl Fn(&Row, usize, &Partner) -> Result<T>,
    ) -> Result<T> {
        let sql = format!(
            "SELECT c.partner, x.* FROM connections c \
             LEFT JOIN LATERAL (SELECT seq, {columns} FROM {table} \
             WHERE connection_uuid = c.uuid AND uuid = $3) x ON true \
             WHERE c.uuid = $1 AND c.tenant = $2"
        );
        let row = query_opt(
            db,
            "read",
            &sql,
            &[connection.as_uuid(), &self.tenant.as_str(), id],
        )
        .await?
        .ok_or_else(|| Error::not_found(Resource::Connection, connection))?;
        if get::<Option<i64>>(&row, 1)?.is_none() {
            return Err(Error::not_found(missing, id));
        }
        map(&row, 2, &partner_from_row(&row, 0)?)
    }

    /// This tenant's connection `id`, or `NotFound`.
    async fn read_connection(
        &self,
        db: &impl GenericClient,
        id: ConnectionId,
    ) -> Result<Connection> {
        let sql =
            format!("SELECT {CONNECTION_COLUMNS} FROM connections WHERE uuid = $1 AND tenant = $2");
        let row = query_opt(
            db,
            "read a connection",
            &sql,
            &[id.as_uuid(), &self.tenant.as_str()],
        )
        .await?
        .ok_or_else(|| Error::not_found(Resource::Connection, id))?;
        connection_from_row(&row, 0, &self.store.sealer)
    }

    /// The automation `id` of this tenant's `connection`, or `NotFound`.
    async fn read_automation(
        &self,
        db: &impl GenericClient,
        connection: ConnectionId,
        id: AutomationId,
    ) -> Result<Automation> {
        self.read_child(
            db,
            "automations",
            AUTOMATION_COLUMNS,
            connection,
            id.as_uuid(),
            Resource::Automation,
            |row, at, provider| automation_from_row(row, at, connection, provider),
        )
        .await
    }

    /// The partner function `id` of this tenant's `connection`, or `NotFound`.
    async fn read_partner_function(
        &self,
        db: &impl GenericClient,
        connection: ConnectionId,
        id: PartnerFunctionId,
    ) -> Result<PartnerFunction> {
        self.read_child(
            db,
            "partner_functions",
            FUNCTION_COLUMNS,
            connection,
            id.as_uuid(),
            Resource::PartnerFunction,
            |row, at, provider| function_from_row(row, at, connection, provider),
        )
        .await
    }
}

/// The lock a change under a connection takes on it first: it keeps the connection from being
/// deleted until the change commits (a delete waits), and lets status changes through.
const LOCK_PARENT: &str =
    "SELECT partner FROM connections WHERE uuid = $1 AND tenant = $2 FOR KEY SHARE";

#[async_trait]
impl ConnectionRepository for PostgresRepository {
    async fn list(&self, query: &ListQuery) -> Result<Page<Connection>> {
        let (inner, outer) = order_by(query);
        let sql = format!(
            "SELECT t.total, x.* \
             FROM (SELECT count(*) AS total FROM connections WHERE tenant = $1) t \
             LEFT JOIN LATERAL (SELECT seq, {CONNECTION_COLUMNS} FROM connections \
             WHERE tenant = $1 ORDER BY {inner} LIMIT $2 OFFSET $3) x ON true ORDER BY {outer}"
        );
        let client = self.client().await?;
        let statement = client
            .prepare_cached(&sql)
            .await
            .map_err(|e| db_error("list", e, false))?;
        let rows = client
            .query(
                &statement,
                &[
                    &self.tenant.as_str(),
                    &i64::from(query.limit()),
                    &sql_i64(query.offset()),
                ],
            )
            .await
            .map_err(|e| db_error("list", e, false))?;
        let sealer = &self.store.sealer;
        page(&rows, 0, 1, query, |row, at| {
            connection_from_row(row, at, sealer)
        })
    }

    async fn get(&self, id: ConnectionId) -> Result<Connection> {
        let client = self.client().await?;
        self.read_connection(&client, id).await
    }

    async fn create(&self, new: NewConnection) -> Result<Connection> {
        let client = self.client().await?;
        let insert = writes::insert_connection(&client, &self.store.sealer, &self.tenant, new);
        self.store.db.timed(insert).await
    }

    async fn enable(&self, id: ConnectionId) -> Result<()> {
        self.set_status(id, ConnectionStatus::Active).await
    }

    async fn disable(&self, id: ConnectionId) -> Result<()> {
        self.set_status(id, ConnectionStatus::Inactive).await
    }

    async fn delete(&self, id: ConnectionId) -> Result<DeleteOutcome> {
        let fail = |e, maybe| db_error("delete a connection", e, maybe);
        let client = self.client().await?;
        // Prepared first, so that the transaction below goes out in one write: BEGIN, the lock,
        // the cascade and COMMIT, one round trip. The lock makes the cascade's statement start
        // after every create under the connection committed (or makes them fail on the foreign
        // key afterwards), so it deletes and counts them all.
        let lock = client
            .prepare_cached("SELECT 1 FROM connections WHERE uuid = $1 AND tenant = $2 FOR UPDATE")
            .await
            .map_err(|e| fail(e, false))?;
        let cascade = client
            .prepare_cached(
                "WITH owned AS (SELECT uuid FROM connections WHERE uuid = $1 AND tenant = $2), \
                 automations_gone AS (DELETE FROM automations \
                     WHERE connection_uuid IN (SELECT uuid FROM owned) RETURNING 1), \
                 functions_gone AS (DELETE FROM partner_functions \
                     WHERE connection_uuid IN (SELECT uuid FROM owned) RETURNING 1), \
                 connection_gone AS (DELETE FROM connections \
                     WHERE uuid IN (SELECT uuid FROM owned) RETURNING uuid, partner) \
                 INSERT INTO delete_audit (at, tenant, client_id, connection_uuid, partner, \
                     sync_configurations) \
                 SELECT $3, $2, $4, uuid, partner, \
                     (SELECT count(*) FROM automations_gone) \
                     + (SELECT count(*) FROM functions_gone) \
                 FROM connection_gone RETURNING 1",
            )
            .await
            .map_err(|e| fail(e, false))?;
        let tenant = self.tenant.as_str();
        let stamp = now();
        let transaction = async {
            // `join4`, not `try_join4`: every part is sent whatever the others do, so the
            // connection never goes back to the pool inside a transaction.
            let (begun, locked, deleted, committed) = futures_util::future::join4(
                client.batch_execute("BEGIN ISOLATION LEVEL READ COMMITTED"),
                client.query_opt(&lock, &[id.as_uuid(), &tenant]),
                client.query_opt(&cascade, &[id.as_uuid(), &tenant, &stamp, &self.client_id]),
                client.batch_execute("COMMIT"),
            )
            .await;
            begun.map_err(|e| fail(e, false))?;
            locked.map_err(|e| fail(e, false))?;
            let deleted = deleted.map_err(|e| fail(e, true))?;
            committed.map_err(|e| fail(e, true))?;
            Ok(deleted)
        };
        match self.store.db.timed(transaction).await? {
            Some(_) => Ok(DeleteOutcome::Removed),
            None => Err(Error::not_found(Resource::Connection, id)),
        }
    }

    async fn list_automations(
        &self,
        connection: ConnectionId,
        query: &ListQuery,
    ) -> Result<Page<Automation>> {
        self.list_children(
            "automations",
            AUTOMATION_COLUMNS,
            connection,
            query,
            |row, at, provider| automation_from_row(row, at, connection, provider),
        )
        .await
    }

    async fn get_automation(
        &self,
        connection: ConnectionId,
        id: AutomationId,
    ) -> Result<Automation> {
        let client = self.client().await?;
        self.read_automation(&client, connection, id).await
    }

    async fn create_automation(
        &self,
        connection: ConnectionId,
        details: AutomationDetails,
    ) -> Result<Automation> {
        let client = self.client().await?;
        let insert = writes::insert_automation(&client, &self.tenant, connection, details);
        self.store.db.timed(insert).await
    }

    async fn update_automation(
        &self,
        connection: ConnectionId,
        id: AutomationId,
        patch: AutomationPatch,
    ) -> Result<Automation> {
        let context = "update an automation";
        let mut client = self.client().await?;
        let transaction = async {
            let tx = begin(&mut client, context).await?;
            let parent = query_opt(
                &tx,
                context,
                LOCK_PARENT,
                &[connection.as_uuid(), &self.tenant.as_str()],
            )
            .await?
            .ok_or_else(|| Error::not_found(Resource::Connection, connection))?;
            let provider = partner_from_row(&parent, 0)?;
            let sql = format!(
                "SELECT {AUTOMATION_COLUMNS} FROM automations \
                 WHERE uuid = $1 AND connection_uuid = $2 FOR UPDATE"
            );
            let row = query_opt(&tx, context, &sql, &[id.as_uuid(), connection.as_uuid()])
                .await?
                .ok_or_else(|| Error::not_found(Resource::Automation, id))?;
            let mut automation = automation_from_row(&row, 0, connection, &provider)?;
            automation.details = patch.apply(&automation.details);
            let v = automation_values(&automation.details)?;
            let statement = tx
                .prepare_cached(
                    "UPDATE automations SET name = $1, display_name = $2, code = $3, \
                     description = $4, direction = $5, applies_to = $6, applies_to_function = $7, \
                     automation_type = $8, check_on = $9, custom_day = $10, custom_time = $11, \
                     perform_action = $12, criteria = $13 WHERE uuid = $14",
                )
                .await
                .map_err(|e| db_error(context, e, false))?;
            tx.execute(
                &statement,
                &[
                    &v[0],
                    &v[1],
                    &v[2],
                    &v[3],
                    &v[4],
                    &v[5],
                    &v[6],
                    &v[7],
                    &v[8],
                    &v[9],
                    &v[10],
                    &v[11],
                    &v[12],
                    id.as_uuid(),
                ],
            )
            .await
            .map_err(|e| db_error(context, e, false))?;
            tx.commit().await.map_err(|e| db_error(context, e, true))?;
            Ok(automation)
        };
        self.store.db.timed(transaction).await
    }

    async fn list_partner_functions(
        &self,
        connection: ConnectionId,
        query: &ListQuery,
    ) -> Result<Page<PartnerFunction>> {
        self.list_children(
            "partner_functions",
            FUNCTION_COLUMNS,
            connection,
            query,
            |row, at, provider| function_from_row(row, at, connection, provider),
        )
        .await
    }

    async fn get_partner_function(
        &self,
        connection: ConnectionId,
        id: PartnerFunctionId,
    ) -> Result<PartnerFunction> {
        let client = self.client().await?;
        self.read_partner_function(&client, connection, id).await
    }

    async fn create_partner_function(
        &self,
        connection: ConnectionId,
        details: PartnerFunctionDetails,
    ) -> Result<PartnerFunction> {
        let client = self.client().await?;
        let insert = writes::insert_partner_function(&client, &self.tenant, connection, details);
        self.store.db.timed(insert).await
    }

    async fn update_partner_function(
        &self,
        connection: ConnectionId,
        id: PartnerFunctionId,
        patch: PartnerFunctionPatch,
    ) -> Result<PartnerFunction> {
        let context = "update a partner function";
        let mut client = self.client().await?;
        let transaction = async {
            let tx = begin(&mut client, context).await?;
            let parent = query_opt(
                &tx,
                context,
                LOCK_PARENT,
                &[connection.as_uuid(), &self.tenant.as_str()],
            )
            .await?
            .ok_or_else(|| Error::not_found(Resource::Connection, connection))?;
            let provider = partner_from_row(&parent, 0)?;
            let sql = format!(
                "SELECT {FUNCTION_COLUMNS} FROM partner_functions \
                 WHERE uuid = $1 AND connection_uuid = $2 FOR UPDATE"
            );
            let row = query_opt(&tx, context, &sql, &[id.as_uuid(), connection.as_uuid()])
                .await?
                .ok_or_else(|| Error::not_found(Resource::PartnerFunction, id))?;
            let mut function = function_from_row(&row, 0, connection, &provider)?;
            function.update(&patch, SystemTime::now());
            let v = function_values(&function.details);
            let statement = tx
                .prepare_cached(
                    "UPDATE partner_functions SET name = $1, direction = $2, description = $3, \
                     object_name = $4, object_mapping = $5, event_name = $6, tag = $7, \
                     updated = $8 WHERE uuid = $9",
                )
                .await
                .map_err(|e| db_error(context, e, false))?;
            tx.execute(
                &statement,
                &[
                    &v[0],
                    &v[1],
                    &v[2],
                    &v[3],
                    &v[4],
                    &v[5],
                    &v[6],
                    &function.updated,
                    id.as_uuid(),
                ],
            )
            .await
            .map_err(|e| db_error(context, e, false))?;
            tx.commit().await.map_err(|e| db_error(context, e, true))?;
            Ok(function)
        };
        self.store.db.timed(transaction).await
    }

    async fn enable_automation(&self, connection: ConnectionId, id: AutomationId) -> Result<()> {
        let status = AutomationStatus::Active;
        self.change_child(
            "enable an automation",
            connection,
            "UPDATE automations SET status = $3 WHERE uuid = $1 AND connection_uuid = $2",
            &[id.as_uuid(), connection.as_uuid(), &status.as_str()],
            Error::not_found(Resource::Automation, id),
        )
        .await
    }

    async fn disable_automation(&self, connection: ConnectionId, id: AutomationId) -> Result<()> {
        let status = AutomationStatus::Inactive;
        self.change_child(
            "disable an automation",
            connection,
            "UPDATE automations SET status = $3 WHERE uuid = $1 AND connection_uuid = $2",
            &[id.as_uuid(), connection.as_uuid(), &status.as_str()],
            Error::not_found(Resource::Automation, id),
        )
        .await
    }

    async fn enable_partner_function(
        &self,
        connection: ConnectionId,
        id: PartnerFunctionId,
    ) -> Result<()> {
        self.change_child(
            "enable a partner function",
            connection,
            "UPDATE partner_functions SET enabled = $3, updated = $4 \
             WHERE uuid = $1 AND connection_uuid = $2",
            &[id.as_uuid(), connection.as_uuid(), &true, &now()],
            Error::not_found(Resource::PartnerFunction, id),
        )
        .await
    }

    async fn disable_partner_function(
        &self,
        connection: ConnectionId,
        id: PartnerFunctionId,
    ) -> Result<()> {
        self.change_child(
            "disable a partner function",
            connection,
            "UPDATE partner_functions SET enabled = $3, updated = $4 \
             WHERE uuid = $1 AND connection_uuid = $2",
            &[id.as_uuid(), connection.as_uuid(), &false, &now()],
            Error::not_found(Resource::PartnerFunction, id),
        )
        .await
    }

    async fn delete_partner_function(
        &self,
        connection: ConnectionId,
        id: PartnerFunctionId,
    ) -> Result<()> {
        // The key records that name it go in the same statement.
        self.change_child(
            "delete a partner function",
            connection,
            "WITH keys_gone AS (DELETE FROM idempotency_keys WHERE partner_function_uuid = $1 \
                 AND connection_uuid = $2) \
             DELETE FROM partner_functions WHERE uuid = $1 AND connection_uuid = $2",
            &[id.as_uuid(), connection.as_uuid()],
            Error::not_found(Resource::PartnerFunction, id),
        )
        .await
    }

    async fn get_configuration(&self, connection: ConnectionId) -> Result<Configuration> {
        let context = "read the configuration";
        let mut client = self.client().await?;
        // One snapshot for the ownership check and the document.
        let tx = client
            .build_transaction()
            .isolation_level(IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .await
            .map_err(|e| db_error(context, e, false))?;
        query_opt(
            &tx,
            context,
            "SELECT 1 FROM connections WHERE uuid = $1 AND tenant = $2",
            &[connection.as_uuid(), &self.tenant.as_str()],
        )
        .await?
        .ok_or_else(|| Error::not_found(Resource::Connection, connection))?;
        let document = Self::read_configuration(&tx, context, connection, false).await?;
        tx.commit().await.map_err(|e| db_error(context, e, false))?;
        Ok(document)
    }

    async fn update_configuration(
        &self,
        connection: ConnectionId,
        patch: ConfigurationPatch,
    ) -> Result<Configuration> {
        let context = "update the configuration";
        let mut client = self.client().await?;
        let tx = begin(&mut client, context).await?;
        // FOR NO KEY UPDATE on the connection: concurrent patches of one document (its first
        // one included, when there is no row to lock yet) apply one after the other, each to
        // what the one before wrote, and a delete (FOR UPDATE) waits for them; creates under
        // the connection (FOR KEY SHARE) do not.
        query_opt(
            &tx,
            context,
            "SELECT 1 FROM connections WHERE uuid = $1 AND tenant = $2 FOR NO KEY UPDATE",
            &[connection.as_uuid(), &self.tenant.as_str()],
        )
        .await?
        .ok_or_else(|| Error::not_found(Resource::Connection, connection))?;
        let current = Self::read_configuration(&tx, context, connection, true).await?;
        let next = patch.apply(&current)?;
        // The empty document has no row, as in the SQLite store.
        let document = (!next.is_empty()).then(|| exsited_spec::configuration::to_json(&next));
        let sql = match document {
            Some(_) => {
                "INSERT INTO configurations (connection_uuid, document) VALUES ($1, $2) \
                 ON CONFLICT (connection_uuid) DO UPDATE SET document = excluded.document"
            }
            None => "DELETE FROM configurations WHERE connection_uuid = $1",
        };
        let statement = tx
            .prepare_cached(sql)
            .await
            .map_err(|e| db_error(context, e, false))?;
        match &document {
            Some(text) => tx.execute(&statement, &[connection.as_uuid(), text]).await,
            None => tx.execute(&statement, &[connection.as_uuid()]).await,
        }
        .map_err(|e| db_error(context, e, false))?;
        tx.commit().await.map_err(|e| db_error(context, e, true))?;
        Ok(next)
    }
}
