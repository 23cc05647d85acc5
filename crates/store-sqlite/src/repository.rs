//! One tenant's [`ConnectionRepository`] over the SQLite file, mirroring the memory backend
//! operation for operation: the same checks in the same order, the same errors, the same order
//! of lists.

use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

use async_trait::async_trait;
use exsited_core::{
    Automation, AutomationDetails, AutomationId, AutomationPatch, Connection, ConnectionId,
    ConnectionRepository, ConnectionStatus, CriteriaGroup, CriteriaRule, DeleteOutcome, Direction,
    Error, ListQuery, Name, NewConnection, OrderBy, Page, Partner, PartnerCredentials,
    PartnerFunction, PartnerFunctionDetails, PartnerFunctionId, PartnerFunctionPatch,
    RemoteInstance, Resource, Result, SecretString, TenantId,
};
use rusqlite::types::Type;
use rusqlite::{Connection as Db, OptionalExtension, Row, params};
use serde::{Deserialize, Serialize};

use crate::Shared;
use crate::error::db_error;

/// One tenant's view of a [`SqliteStore`](crate::SqliteStore). Cheap to clone.
#[derive(Clone)]
pub struct SqliteRepository {
    shared: Arc<Shared>,
    tenant: TenantId,
    /// Who acts, for the delete audit; empty when the view was made without a principal.
    client_id: String,
}

impl fmt::Debug for SqliteRepository {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteRepository")
            .field("path", &self.shared.path)
            .field("tenant", &self.tenant)
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

impl SqliteRepository {
    pub(crate) fn new(shared: Arc<Shared>, tenant: TenantId, client_id: String) -> Self {
        Self {
            shared,
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

    async fn set_status(&self, id: ConnectionId, status: ConnectionStatus) -> Result<()> {
        let tenant = self.tenant.clone();
        self.shared
            .writer
            .write(move |db| {
                let changed = db
                    .prepare_cached(
                        "UPDATE connections SET status = ?1 WHERE uuid = ?2 AND tenant = ?3",
                    )
                    .and_then(|mut s| {
                        s.execute(params![status.as_str(), id.to_string(), tenant.as_str()])
                    })
                    .map_err(|e| db_error("set the status", e, false))?;
                if changed == 0 {
                    return Err(Error::not_found(Resource::Connection, id));
                }
                Ok(())
            })
            .await
    }
}

fn now() -> String {
    exsited_core::time::rfc3339(SystemTime::now())
}

/// A value read from the file that fails the domain's checks, as a rusqlite conversion error.
fn convert<T, E>(column: usize, value: std::result::Result<T, E>) -> rusqlite::Result<T>
where
    E: std::error::Error + Send + Sync + 'static,
{
    value.map_err(|e| rusqlite::Error::FromSqlConversionFailure(column, Type::Text, Box::new(e)))
}

fn sql_i64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// The `ORDER BY` of a list query; only these fixed texts ever reach SQL.
fn order_by(query: &ListQuery) -> &'static str {
    match (query.order_by(), query.direction()) {
        (OrderBy::Uuid, Direction::Asc) => "uuid ASC",
        (OrderBy::Uuid, Direction::Desc) => "uuid DESC",
        (_, Direction::Asc) => "seq ASC",
        (_, Direction::Desc) => "seq DESC",
    }
}

/// Reads a page of rows of `table` where `column = key`, in the query's order, with the total.
fn page<T>(
    db: &Db,
    columns: &str,
    table: &str,
    filter: &str,
    key: &str,
    query: &ListQuery,
    map: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
) -> Result<Page<T>> {
    let fail = |e| db_error("list", e, false);
    let total: i64 = db
        .prepare_cached(&format!("SELECT count(*) FROM {table} WHERE {filter} = ?1"))
        .and_then(|mut s| s.query_row([key], |r| r.get(0)))
        .map_err(fail)?;
    let sql = format!(
        "SELECT {columns} FROM {table} WHERE {filter} = ?1 ORDER BY {} LIMIT ?2 OFFSET ?3",
        order_by(query)
    );
    let items = db
        .prepare_cached(&sql)
        .and_then(|mut s| {
            s.query_map(
                params![key, i64::from(query.limit()), sql_i64(query.offset())],
                map,
            )?
            .collect::<rusqlite::Result<Vec<T>>>()
        })
        .map_err(fail)?;
    Ok(Page {
        items,
        total: total.max(0) as u64,
        limit: query.limit(),
        offset: query.offset(),
    })
}

// ---- connections ----------------------------------------------------------------------------

const CONNECTION_COLUMNS: &str = "uuid, status, partner, remote_instance_id, \
     remote_instance_name, client_id, client_secret, access_token, refresh_token";

fn connection_row(row: &Row<'_>) -> rusqlite::Result<Connection> {
    Ok(Connection {
        id: convert(0, ConnectionId::parse(&row.get::<_, String>(0)?))?,
        status: ConnectionStatus::parse(&row.get::<_, String>(1)?),
        partner: convert(2, Partner::new(&row.get::<_, String>(2)?))?,
        remote_instance: RemoteInstance {
            id: row.get(3)?,
            name: row.get(4)?,
        },
        credentials: PartnerCredentials {
            client_id: row.get(5)?,
            client_secret: SecretString::new(row.get::<_, String>(6)?),
            access_token: SecretString::new(row.get::<_, String>(7)?),
            refresh_token: SecretString::new(row.get::<_, String>(8)?),
        },
    })
}

/// The partner of this tenant's connection `id`, or `NotFound`: the check every operation
/// under a connection starts with.
fn connection_partner(db: &Db, tenant: &TenantId, id: ConnectionId) -> Result<Partner> {
    db.prepare_cached("SELECT partner FROM connections WHERE uuid = ?1 AND tenant = ?2")
        .and_then(|mut s| {
            s.query_row(params![id.to_string(), tenant.as_str()], |r| {
                convert(0, Partner::new(&r.get::<_, String>(0)?))
            })
            .optional()
        })
        .map_err(|e| db_error("read a connection", e, false))?
        .ok_or_else(|| Error::not_found(Resource::Connection, id))
}

// ---- automations ----------------------------------------------------------------------------

const AUTOMATION_COLUMNS: &str = "uuid, status, name, display_name, code, description, \
     direction, applies_to, applies_to_function, automation_type, check_on, custom_day, \
     custom_time, perform_action, criteria";

#[derive(Serialize, Deserialize)]
struct StoredGroup {
    group_condition: String,
    rules: Vec<StoredRule>,
}

#[derive(Serialize, Deserialize)]
struct StoredRule {
    field_name: String,
    operator: String,
    value: String,
    condition: String,
}

fn criteria_json(criteria: &[CriteriaGroup]) -> Result<String> {
    let stored: Vec<StoredGroup> = criteria
        .iter()
        .map(|g| StoredGroup {
            group_condition: g.group_condition.clone(),
            rules: g
                .rules
                .iter()
                .map(|r| StoredRule {
                    field_name: r.field_name.clone(),
                    operator: r.operator.clone(),
                    value: r.value.clone(),
                    condition: r.condition.clone(),
                })
                .collect(),
        })
        .collect();
    serde_json::to_string(&stored)
        .map_err(|_| crate::error::store_error("cannot encode the criteria", false))
}

fn criteria_from_json(text: &str) -> serde_json::Result<Vec<CriteriaGroup>> {
    let stored: Vec<StoredGroup> = serde_json::from_str(text)?;
    Ok(stored
        .into_iter()
        .map(|g| CriteriaGroup {
            group_condition: g.group_condition,
            rules: g
                .rules
                .into_iter()
                .map(|r| CriteriaRule {
                    field_name: r.field_name,
                    operator: r.operator,
                    value: r.value,
                    condition: r.condition,
                })
                .collect(),
        })
        .collect())
}

fn automation_row(
    row: &Row<'_>,
    connection: ConnectionId,
    provider: &Partner,
) -> rusqlite::Result<Automation> {
    let text = |i: usize| row.get::<_, String>(i);
    let mut details = AutomationDetails::new(convert(2, Name::new("name", &text(2)?))?);
    details.display_name = text(3)?;
    details.code = text(4)?;
    details.description = text(5)?;
    details.direction = text(6)?;
    details.applies_to = text(7)?;
    details.applies_to_function = text(8)?;
    details.automation_type = text(9)?;
    details.check_on = text(10)?;
    details.custom_day = text(11)?;
    details.custom_time = text(12)?;
    details.perform_action = text(13)?;
    details.criteria = convert(14, criteria_from_json(&text(14)?))?;
    Ok(Automation {
        id: convert(0, AutomationId::parse(&text(0)?))?,
        connection_id: connection,
        status: text(1)?,
        provider: provider.clone(),
        details,
    })
}

fn find_automation(
    db: &Db,
    connection: ConnectionId,
    provider: &Partner,
    id: AutomationId,
) -> Result<Automation> {
    db.prepare_cached(&format!(
        "SELECT {AUTOMATION_COLUMNS} FROM automations WHERE uuid = ?1 AND connection_uuid = ?2"
    ))
    .and_then(|mut s| {
        s.query_row(params![id.to_string(), connection.to_string()], |r| {
            automation_row(r, connection, provider)
        })
        .optional()
    })
    .map_err(|e| db_error("read an automation", e, false))?
    .ok_or_else(|| Error::not_found(Resource::Automation, id))
}

/// The detail columns of an automation, in `AUTOMATION_COLUMNS` order from `name` on.
fn automation_values(d: &AutomationDetails, criteria: &str) -> [String; 13] {
    [
        d.name.as_str().to_owned(),
        d.display_name.clone(),
        d.code.clone(),
        d.description.clone(),
        d.direction.clone(),
        d.applies_to.clone(),
        d.applies_to_function.clone(),
        d.automation_type.clone(),
        d.check_on.clone(),
        d.custom_day.clone(),
        d.custom_time.clone(),
        d.perform_action.clone(),
        criteria.to_owned(),
    ]
}

// ---- partner functions ----------------------------------------------------------------------

const FUNCTION_COLUMNS: &str = "uuid, enabled, created, updated, name, direction, description, \
     object_name, object_mapping, event_name, tag";

fn function_row(
    row: &Row<'_>,
    connection: ConnectionId,
    provider: &Partner,
) -> rusqlite::Result<PartnerFunction> {
    let text = |i: usize| row.get::<_, String>(i);
    let mut details = PartnerFunctionDetails::new(convert(4, Name::new("name", &text(4)?))?);
    details.direction = text(5)?;
    details.description = text(6)?;
    details.object_name = text(7)?;
    details.object_mapping = text(8)?;
    details.event_name = text(9)?;
    details.tag = text(10)?;
    Ok(PartnerFunction {
        id: convert(0, PartnerFunctionId::parse(&text(0)?))?,
        connection_id: connection,
        enabled: row.get(1)?,
        provider_name: provider.clone(),
        created: text(2)?,
        updated: text(3)?,
        details,
    })
}

fn find_function(
    db: &Db,
    connection: ConnectionId,
    provider: &Partner,
    id: PartnerFunctionId,
) -> Result<PartnerFunction> {
    db.prepare_cached(&format!(
        "SELECT {FUNCTION_COLUMNS} FROM partner_functions WHERE uuid = ?1 AND connection_uuid = ?2"
    ))
    .and_then(|mut s| {
        s.query_row(params![id.to_string(), connection.to_string()], |r| {
            function_row(r, connection, provider)
        })
        .optional()
    })
    .map_err(|e| db_error("read a partner function", e, false))?
    .ok_or_else(|| Error::not_found(Resource::PartnerFunction, id))
}

// ---- the trait ------------------------------------------------------------------------------

#[async_trait]
impl ConnectionRepository for SqliteRepository {
    async fn list(&self, query: &ListQuery) -> Result<Page<Connection>> {
        let (tenant, query) = (self.tenant.clone(), *query);
        self.shared
            .read(move |db| {
                page(
                    db,
                    CONNECTION_COLUMNS,
                    "connections",
                    "tenant",
                    tenant.as_str(),
                    &query,
                    connection_row,
                )
            })
            .await
    }

    async fn get(&self, id: ConnectionId) -> Result<Connection> {
        let tenant = self.tenant.clone();
        self.shared
            .read(move |db| {
                db.prepare_cached(&format!(
                    "SELECT {CONNECTION_COLUMNS} FROM connections WHERE uuid = ?1 AND tenant = ?2"
                ))
                .and_then(|mut s| {
                    s.query_row(params![id.to_string(), tenant.as_str()], connection_row)
                        .optional()
                })
                .map_err(|e| db_error("read a connection", e, false))?
                .ok_or_else(|| Error::not_found(Resource::Connection, id))
            })
            .await
    }

    async fn create(&self, new: NewConnection) -> Result<Connection> {
        let connection = new.into_connection(ConnectionId::random());
        let tenant = self.tenant.clone();
        self.shared
            .writer
            .write(move |db| {
                let c = &connection;
                db.prepare_cached(
                    "INSERT INTO connections (uuid, tenant, status, partner, remote_instance_id, \
                     remote_instance_name, client_id, client_secret, access_token, refresh_token) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                )
                .and_then(|mut s| {
                    s.execute(params![
                        c.id.to_string(),
                        tenant.as_str(),
                        c.status.as_str(),
                        c.partner.as_str(),
                        c.remote_instance.id,
                        c.remote_instance.name,
                        c.credentials.client_id,
                        c.credentials.client_secret.expose(),
                        c.credentials.access_token.expose(),
                        c.credentials.refresh_token.expose(),
                    ])
                })
                .map_err(|e| db_error("create a connection", e, false))?;
                Ok(connection)
            })
            .await
    }

    async fn enable(&self, id: ConnectionId) -> Result<()> {
        self.set_status(id, ConnectionStatus::Active).await
    }

    async fn disable(&self, id: ConnectionId) -> Result<()> {
        self.set_status(id, ConnectionStatus::Inactive).await
    }

    async fn delete(&self, id: ConnectionId) -> Result<DeleteOutcome> {
        let (tenant, client_id) = (self.tenant.clone(), self.client_id.clone());
        self.shared
            .writer
            .write(move |db| {
                let fail = |e| db_error("delete a connection", e, false);
                let uuid = id.to_string();
                let found: Option<(String, i64)> = db
                    .prepare_cached(
                        "SELECT partner, \
                           (SELECT count(*) FROM automations WHERE connection_uuid = ?1) \
                         + (SELECT count(*) FROM partner_functions WHERE connection_uuid = ?1) \
                         FROM connections WHERE uuid = ?1 AND tenant = ?2",
                    )
                    .and_then(|mut s| {
                        s.query_row(params![uuid, tenant.as_str()], |r| {
                            Ok((r.get(0)?, r.get(1)?))
                        })
                        .optional()
                    })
                    .map_err(fail)?;
                let Some((partner, sync_configurations)) = found else {
                    return Err(Error::not_found(Resource::Connection, id));
                };
                // The foreign keys cascade too; deleting explicitly keeps the step visible and
                // independent of the pragma.
                for sql in [
                    "DELETE FROM automations WHERE connection_uuid = ?1",
                    "DELETE FROM partner_functions WHERE connection_uuid = ?1",
                    // They may hold the partner secrets the create was sent.
                    "DELETE FROM idempotent_responses WHERE connection_uuid = ?1",
                    "DELETE FROM connections WHERE uuid = ?1",
                ] {
                    db.prepare_cached(sql)
                        .and_then(|mut s| s.execute([&uuid]))
                        .map_err(fail)?;
                }
                db.prepare_cached(
                    "INSERT INTO delete_audit (at, tenant, client_id, connection_uuid, partner, \
                     sync_configurations) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )
                .and_then(|mut s| {
                    s.execute(params![
                        now(),
                        tenant.as_str(),
                        client_id,
                        uuid,
                        partner,
                        sync_configurations
                    ])
                })
                .map_err(fail)?;
                Ok(DeleteOutcome::Removed)
            })
            .await
    }

    async fn list_automations(
        &self,
        connection: ConnectionId,
        query: &ListQuery,
    ) -> Result<Page<Automation>> {
        let (tenant, query) = (self.tenant.clone(), *query);
        self.shared
            .read(move |db| {
                let provider = connection_partner(db, &tenant, connection)?;
                page(
                    db,
                    AUTOMATION_COLUMNS,
                    "automations",
                    "connection_uuid",
                    &connection.to_string(),
                    &query,
                    |r| automation_row(r, connection, &provider),
                )
            })
            .await
    }

    async fn get_automation(
        &self,
        connection: ConnectionId,
        id: AutomationId,
    ) -> Result<Automation> {
        let tenant = self.tenant.clone();
        self.shared
            .read(move |db| {
                let provider = connection_partner(db, &tenant, connection)?;
                find_automation(db, connection, &provider, id)
            })
            .await
    }

    async fn create_automation(
        &self,
        connection: ConnectionId,
        details: AutomationDetails,
    ) -> Result<Automation> {
        details.validate()?;
        let criteria = criteria_json(&details.criteria)?;
        let tenant = self.tenant.clone();
        self.shared
            .writer
            .write(move |db| {
                let provider = connection_partner(db, &tenant, connection)?;
                let automation = Automation {
                    id: AutomationId::random(),
                    connection_id: connection,
                    status: "ACTIVE".to_owned(),
                    provider,
                    details,
                };
                let [n, dn, code, desc, dir, at, atf, ty, on, day, time, act, crit] =
                    automation_values(&automation.details, &criteria);
                db.prepare_cached(
                    "INSERT INTO automations (uuid, connection_uuid, status, name, display_name, \
                     code, description, direction, applies_to, applies_to_function, \
                     automation_type, check_on, custom_day, custom_time, perform_action, criteria) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
                )
                .and_then(|mut s| {
                    s.execute(params![
                        automation.id.to_string(),
                        connection.to_string(),
                        automation.status,
                        n,
                        dn,
                        code,
                        desc,
                        dir,
                        at,
                        atf,
                        ty,
                        on,
                        day,
                        time,
                        act,
                        crit
                    ])
                })
                .map_err(|e| db_error("create an automation", e, false))?;
                Ok(automation)
            })
            .await
    }

    async fn update_automation(
        &self,
        connection: ConnectionId,
        id: AutomationId,
        patch: AutomationPatch,
    ) -> Result<Automation> {
        let tenant = self.tenant.clone();
        self.shared
            .writer
            .write(move |db| {
                let provider = connection_partner(db, &tenant, connection)?;
                let mut automation = find_automation(db, connection, &provider, id)?;
                automation.details = patch.apply(&automation.details)?;
                let criteria = criteria_json(&automation.details.criteria)?;
                let [
                    n,
                    dn,
                    code,
                    desc,
                    dir,
                    at,
                    atf,
                    ty,
                    on,
                    day,
                    time,
                    act,
                    crit,
                ] = automation_values(&automation.details, &criteria);
                db.prepare_cached(
                    "UPDATE automations SET name = ?1, display_name = ?2, code = ?3, \
                     description = ?4, direction = ?5, applies_to = ?6, applies_to_function = ?7, \
                     automation_type = ?8, check_on = ?9, custom_day = ?10, custom_time = ?11, \
                     perform_action = ?12, criteria = ?13 WHERE uuid = ?14",
                )
                .and_then(|mut s| {
                    s.execute(params![
                        n,
                        dn,
                        code,
                        desc,
                        dir,
                        at,
                        atf,
                        ty,
                        on,
                        day,
                        time,
                        act,
                        crit,
                        id.to_string()
                    ])
                })
                .map_err(|e| db_error("update an automation", e, false))?;
                Ok(automation)
            })
            .await
    }

    async fn list_partner_functions(
        &self,
        connection: ConnectionId,
        query: &ListQuery,
    ) -> Result<Page<PartnerFunction>> {
        let (tenant, query) = (self.tenant.clone(), *query);
        self.shared
            .read(move |db| {
                let provider = connection_partner(db, &tenant, connection)?;
                page(
                    db,
                    FUNCTION_COLUMNS,
                    "partner_functions",
                    "connection_uuid",
                    &connection.to_string(),
                    &query,
                    |r| function_row(r, connection, &provider),
                )
            })
            .await
    }

    async fn get_partner_function(
        &self,
        connection: ConnectionId,
        id: PartnerFunctionId,
    ) -> Result<PartnerFunction> {
        let tenant = self.tenant.clone();
        self.shared
            .read(move |db| {
                let provider = connection_partner(db, &tenant, connection)?;
                find_function(db, connection, &provider, id)
            })
            .await
    }

    async fn create_partner_function(
        &self,
        connection: ConnectionId,
        details: PartnerFunctionDetails,
    ) -> Result<PartnerFunction> {
        details.validate()?;
        let tenant = self.tenant.clone();
        self.shared
            .writer
            .write(move |db| {
                let provider = connection_partner(db, &tenant, connection)?;
                let stamp = now();
                let function = PartnerFunction {
                    id: PartnerFunctionId::random(),
                    connection_id: connection,
                    enabled: true,
                    provider_name: provider,
                    created: stamp.clone(),
                    updated: stamp,
                    details,
                };
                let d = &function.details;
                db.prepare_cached(
                    "INSERT INTO partner_functions (uuid, connection_uuid, enabled, created, \
                     updated, name, direction, description, object_name, object_mapping, \
                     event_name, tag) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                )
                .and_then(|mut s| {
                    s.execute(params![
                        function.id.to_string(),
                        connection.to_string(),
                        function.enabled,
                        function.created,
                        function.updated,
                        d.name.as_str(),
                        d.direction,
                        d.description,
                        d.object_name,
                        d.object_mapping,
                        d.event_name,
                        d.tag
                    ])
                })
                .map_err(|e| db_error("create a partner function", e, false))?;
                Ok(function)
            })
            .await
    }

    async fn update_partner_function(
        &self,
        connection: ConnectionId,
        id: PartnerFunctionId,
        patch: PartnerFunctionPatch,
    ) -> Result<PartnerFunction> {
        let tenant = self.tenant.clone();
        self.shared
            .writer
            .write(move |db| {
                let provider = connection_partner(db, &tenant, connection)?;
                let mut function = find_function(db, connection, &provider, id)?;
                function.details = patch.apply(&function.details)?;
                function.updated = now();
                let d = &function.details;
                db.prepare_cached(
                    "UPDATE partner_functions SET name = ?1, direction = ?2, description = ?3, \
                     object_name = ?4, object_mapping = ?5, event_name = ?6, tag = ?7, \
                     updated = ?8 WHERE uuid = ?9",
                )
                .and_then(|mut s| {
                    s.execute(params![
                        d.name.as_str(),
                        d.direction,
                        d.description,
                        d.object_name,
                        d.object_mapping,
                        d.event_name,
                        d.tag,
                        function.updated,
                        id.to_string()
                    ])
                })
                .map_err(|e| db_error("update a partner function", e, false))?;
                Ok(function)
            })
            .await
    }
}
