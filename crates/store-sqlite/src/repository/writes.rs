//! The inserts of the creates, run on the writer's connection: shared by the plain creates and
//! the keyed ones, which run them in the same transaction as their key's record.

use std::time::SystemTime;

use exsited_core::{
    Automation, AutomationDetails, AutomationId, Connection, ConnectionId, NewConnection,
    PartnerFunction, PartnerFunctionDetails, PartnerFunctionId, Result, TenantId,
};
use exsited_secrets::{Sealer, seal_credentials};
use rusqlite::{Connection as Db, params};

use super::rows::{automation_values, connection_partner, criteria_json};
use crate::error::db_error;

/// Stores a new connection of `tenant`.
pub(super) fn insert_connection(
    db: &Db,
    tenant: &TenantId,
    new: NewConnection,
    sealer: &Sealer,
) -> Result<Connection> {
    let connection = new.into_connection(ConnectionId::random());
    let c = &connection;
    let [client_secret, access_token, refresh_token] =
        seal_credentials(sealer, c.id, &c.credentials);
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
            client_secret,
            access_token,
            refresh_token,
        ])
    })
    .map_err(|e| db_error("create a connection", e, false))?;
    Ok(connection)
}

/// Stores a new automation under `tenant`'s connection, or `NotFound`.
pub(super) fn insert_automation(
    db: &Db,
    tenant: &TenantId,
    connection: ConnectionId,
    details: AutomationDetails,
) -> Result<Automation> {
    let criteria = criteria_json(&details.criteria)?;
    let partner = connection_partner(db, tenant, connection)?;
    let automation = Automation::new(AutomationId::random(), connection, partner, details);
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
        "INSERT INTO automations (uuid, connection_uuid, status, name, display_name, \
         code, description, direction, applies_to, applies_to_function, \
         automation_type, check_on, custom_day, custom_time, perform_action, criteria) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
    )
    .and_then(|mut s| {
        s.execute(params![
            automation.id.to_string(),
            connection.to_string(),
            automation.status.as_str(),
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
}

/// Stores a new partner function under `tenant`'s connection, or `NotFound`.
pub(super) fn insert_partner_function(
    db: &Db,
    tenant: &TenantId,
    connection: ConnectionId,
    details: PartnerFunctionDetails,
) -> Result<PartnerFunction> {
    let partner = connection_partner(db, tenant, connection)?;
    let function = PartnerFunction::new(
        PartnerFunctionId::random(),
        connection,
        partner,
        details,
        SystemTime::now(),
    );
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
            d.direction.as_str(),
            d.description.as_str(),
            d.object_name.as_str(),
            d.object_mapping.as_str(),
            d.event_name.as_str(),
            d.tag.as_str()
        ])
    })
    .map_err(|e| db_error("create a partner function", e, false))?;
    Ok(function)
}
