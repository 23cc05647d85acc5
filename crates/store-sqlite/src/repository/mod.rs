//! One tenant's [`ConnectionRepository`] over the SQLite file, mirroring the memory backend
//! operation for operation: the same checks in the same order, the same errors, the same order
//! of lists.

use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

use async_trait::async_trait;
use exsited_core::access::DeleteAudit;
use exsited_core::configuration::{Configuration, ConfigurationPatch};
use exsited_core::{
    Automation, AutomationDetails, AutomationId, AutomationPatch, AutomationStatus, Connection,
    ConnectionId, ConnectionRepository, ConnectionStatus, DeleteOutcome, Error, ListQuery,
    NewConnection, Page, Partner, PartnerFunction, PartnerFunctionDetails, PartnerFunctionId,
    PartnerFunctionPatch, Principal, Resource, Result, TenantId,
};
use rusqlite::{OptionalExtension, params};

use crate::error::{db_error, store_error};
use crate::shared::Shared;

mod keyed;
mod rows;
mod writes;

use rows::{
    AUTOMATION_COLUMNS, CONNECTION_COLUMNS, FUNCTION_COLUMNS, automation_row, automation_values,
    connection_partner, connection_row, criteria_json, find_automation, find_configuration,
    find_connection, find_function, function_row, page,
};

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
    async fn set_automation_status(
        &self,
        connection: ConnectionId,
        id: AutomationId,
        status: AutomationStatus,
    ) -> Result<()> {
        let tenant = self.tenant.clone();
        self.shared
            .writer
            .write(move |db| {
                connection_partner(db, &tenant, connection)?;
                let changed = db
                    .prepare_cached(
                        "UPDATE automations SET status = ?1 WHERE uuid = ?2 AND connection_uuid = ?3",
                    )
                    .and_then(|mut s| {
                        s.execute(params![status.as_str(), id.to_string(), connection.to_string()])
                    })
                    .map_err(|e| db_error("set an automation's status", e, false))?;
                if changed == 0 {
                    return Err(Error::not_found(Resource::Automation, id));
                }
                Ok(())
            })
            .await
    }

    async fn set_partner_function_enabled(
        &self,
        connection: ConnectionId,
        id: PartnerFunctionId,
        enabled: bool,
    ) -> Result<()> {
        let tenant = self.tenant.clone();
        self.shared
            .writer
            .write(move |db| {
                let provider = connection_partner(db, &tenant, connection)?;
                let mut function = find_function(db, connection, &provider, id)?;
                function.set_enabled(enabled, SystemTime::now());
                db.prepare_cached(
                    "UPDATE partner_functions SET enabled = ?1, updated = ?2 WHERE uuid = ?3",
                )
                .and_then(|mut s| {
                    s.execute(params![function.enabled, function.updated, id.to_string()])
                })
                .map_err(|e| db_error("enable or disable a partner function", e, false))?;
                Ok(())
            })
            .await
    }

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

#[async_trait]
impl ConnectionRepository for SqliteRepository {
    async fn list(&self, query: &ListQuery) -> Result<Page<Connection>> {
        let (tenant, query) = (self.tenant.clone(), *query);
        let sealer = Arc::clone(&self.shared.sealer);
        self.shared
            .read(move |db| {
                page(
                    db,
                    CONNECTION_COLUMNS,
                    "connections",
                    "tenant",
                    tenant.as_str(),
                    &query,
                    |r| connection_row(r, &sealer),
                )
            })
            .await
    }

    async fn get(&self, id: ConnectionId) -> Result<Connection> {
        let tenant = self.tenant.clone();
        let sealer = Arc::clone(&self.shared.sealer);
        self.shared
            .read(move |db| find_connection(db, &tenant, id, &sealer))
            .await
    }

    async fn create(&self, new: NewConnection) -> Result<Connection> {
        let tenant = self.tenant.clone();
        let sealer = Arc::clone(&self.shared.sealer);
        self.shared
            .writer
            .write(move |db| writes::insert_connection(db, &tenant, new, &sealer))
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
                let partner = Partner::new(&partner)
                    .map_err(|_| store_error("a stored connection has no valid partner", false))?;
                let audit = DeleteAudit::new(
                    SystemTime::now(),
                    &Principal::new(tenant, client_id),
                    id,
                    &partner,
                    u64::try_from(sync_configurations).unwrap_or(0),
                );
                // The foreign keys cascade too; deleting explicitly keeps the step visible and
                // independent of the pragma.
                for sql in [
                    "DELETE FROM automations WHERE connection_uuid = ?1",
                    "DELETE FROM partner_functions WHERE connection_uuid = ?1",
                    // The records of the idempotency keys of everything created under it.
                    "DELETE FROM idempotency_keys WHERE connection_uuid = ?1",
                    "DELETE FROM configurations WHERE connection_uuid = ?1",
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
                        audit.at,
                        audit.tenant.as_str(),
                        audit.client_id,
                        uuid,
                        audit.partner,
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
        let tenant = self.tenant.clone();
        self.shared
            .writer
            .write(move |db| writes::insert_automation(db, &tenant, connection, details))
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
                automation.details = patch.apply(&automation.details);
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
        let tenant = self.tenant.clone();
        self.shared
            .writer
            .write(move |db| writes::insert_partner_function(db, &tenant, connection, details))
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
                function.update(&patch, SystemTime::now());
                let d = &function.details;
                db.prepare_cached(
                    "UPDATE partner_functions SET name = ?1, direction = ?2, description = ?3, \
                     object_name = ?4, object_mapping = ?5, event_name = ?6, tag = ?7, \
                     updated = ?8 WHERE uuid = ?9",
                )
                .and_then(|mut s| {
                    s.execute(params![
                        d.name.as_str(),
                        d.direction.as_str(),
                        d.description.as_str(),
                        d.object_name.as_str(),
                        d.object_mapping.as_str(),
                        d.event_name.as_str(),
                        d.tag.as_str(),
                        function.updated,
                        id.to_string()
                    ])
                })
                .map_err(|e| db_error("update a partner function", e, false))?;
                Ok(function)
            })
            .await
    }

    async fn enable_automation(&self, connection: ConnectionId, id: AutomationId) -> Result<()> {
        self.set_automation_status(connection, id, AutomationStatus::Active)
            .await
    }

    async fn disable_automation(&self, connection: ConnectionId, id: AutomationId) -> Result<()> {
        self.set_automation_status(connection, id, AutomationStatus::Inactive)
            .await
    }

    async fn enable_partner_function(
        &self,
        connection: ConnectionId,
        id: PartnerFunctionId,
    ) -> Result<()> {
        self.set_partner_function_enabled(connection, id, true)
            .await
    }

    async fn disable_partner_function(
        &self,
        connection: ConnectionId,
        id: PartnerFunctionId,
    ) -> Result<()> {
        self.set_partner_function_enabled(connection, id, false)
            .await
    }

    async fn delete_partner_function(
        &self,
        connection: ConnectionId,
        id: PartnerFunctionId,
    ) -> Result<()> {
        let tenant = self.tenant.clone();
        self.shared
            .writer
            .write(move |db| {
                connection_partner(db, &tenant, connection)?;
                let fail = |e| db_error("delete a partner function", e, false);
                let removed = db
                    .prepare_cached(
                        "DELETE FROM partner_functions WHERE uuid = ?1 AND connection_uuid = ?2",
                    )
                    .and_then(|mut s| s.execute(params![id.to_string(), connection.to_string()]))
                    .map_err(fail)?;
                if removed == 0 {
                    return Err(Error::not_found(Resource::PartnerFunction, id));
                }
                db.prepare_cached("DELETE FROM idempotency_keys WHERE partner_function_uuid = ?1")
                    .and_then(|mut s| s.execute([id.to_string()]))
                    .map_err(fail)?;
                Ok(())
            })
            .await
    }

    async fn get_configuration(&self, connection: ConnectionId) -> Result<Configuration> {
        let tenant = self.tenant.clone();
        self.shared
            .read(move |db| {
                connection_partner(db, &tenant, connection)?;
                find_configuration(db, connection)
            })
            .await
    }

    async fn update_configuration(
        &self,
        connection: ConnectionId,
        patch: ConfigurationPatch,
    ) -> Result<Configuration> {
        let tenant = self.tenant.clone();
        self.shared
            .writer
            .write(move |db| {
                connection_partner(db, &tenant, connection)?;
                let next = patch.apply(&find_configuration(db, connection)?)?;
                let fail = |e| db_error("update the configuration", e, false);
                if next.is_empty() {
                    db.prepare_cached("DELETE FROM configurations WHERE connection_uuid = ?1")
                        .and_then(|mut s| s.execute([connection.to_string()]))
                        .map_err(fail)?;
                } else {
                    db.prepare_cached(
                        "INSERT INTO configurations (connection_uuid, document) VALUES (?1, ?2) \
                         ON CONFLICT (connection_uuid) DO UPDATE SET document = excluded.document",
                    )
                    .and_then(|mut s| {
                        s.execute(params![
                            connection.to_string(),
                            exsited_spec::configuration::to_json(&next)
                        ])
                    })
                    .map_err(fail)?;
                }
                Ok(next)
            })
            .await
    }
}
