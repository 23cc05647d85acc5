//! The inserts of the creates: shared by the plain creates (on a pooled connection) and the
//! keyed ones (inside their key's transaction).

use std::time::SystemTime;

use deadpool_postgres::GenericClient;
use exsited_core::{
    Automation, AutomationDetails, AutomationId, Connection, ConnectionId, Error, NewConnection,
    PartnerFunction, PartnerFunctionDetails, PartnerFunctionId, Resource, Result, TenantId,
};
use exsited_secrets::Sealer;

use crate::error::{db_error, is_foreign_key_violation};
use crate::rows::{automation_values, function_values, partner_from_row, seal_credentials};

/// A create under `connection` that failed: its connection was deleted by a transaction that
/// committed after this statement began (the foreign key said so) is `NotFound`, like a
/// connection that never was.
fn create_failed(what: &str, connection: ConnectionId, error: tokio_postgres::Error) -> Error {
    if is_foreign_key_violation(&error) {
        Error::not_found(Resource::Connection, connection)
    } else {
        db_error(what, error, true)
    }
}

/// Stores a new connection of `tenant`, its secrets sealed.
pub(super) async fn insert_connection(
    db: &impl GenericClient,
    sealer: &Sealer,
    tenant: &TenantId,
    new: NewConnection,
) -> Result<Connection> {
    let connection = new.into_connection(ConnectionId::random());
    let c = &connection;
    let [client_secret, access_token, refresh_token] =
        seal_credentials(sealer, c.id, &c.credentials);
    let statement = db
        .prepare_cached(
            "INSERT INTO connections (uuid, tenant, status, partner, remote_instance_id, \
             remote_instance_name, client_id, client_secret, access_token, refresh_token) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .await
        .map_err(|e| db_error("create a connection", e, false))?;
    db.execute(
        &statement,
        &[
            c.id.as_uuid(),
            &tenant.as_str(),
            &c.status.as_str(),
            &c.partner.as_str(),
            &c.remote_instance.id,
            &c.remote_instance.name,
            &c.credentials.client_id,
            &client_secret,
            &access_token,
            &refresh_token,
        ],
    )
    .await
    .map_err(|e| db_error("create a connection", e, true))?;
    Ok(connection)
}

/// Stores a new automation under `tenant`'s connection, or `NotFound`; the details are checked
/// first, as the memory backend does.
pub(super) async fn insert_automation(
    db: &impl GenericClient,
    tenant: &TenantId,
    connection: ConnectionId,
    details: AutomationDetails,
) -> Result<Automation> {
    let values = automation_values(&details)?;
    let id = AutomationId::random();
    let statement = db
        .prepare_cached(
            "WITH parent AS (SELECT partner FROM connections WHERE uuid = $1 AND tenant = $2), \
             made AS (INSERT INTO automations (uuid, connection_uuid, status, name, \
             display_name, code, description, direction, applies_to, applies_to_function, \
             automation_type, check_on, custom_day, custom_time, perform_action, criteria) \
             SELECT $3, $1, 'ACTIVE', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16 \
             FROM parent RETURNING 1) \
             SELECT partner FROM parent",
        )
        .await
        .map_err(|e| db_error("create an automation", e, false))?;
    let v = &values;
    let row = db
        .query_opt(
            &statement,
            &[
                connection.as_uuid(),
                &tenant.as_str(),
                id.as_uuid(),
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
            ],
        )
        .await
        .map_err(|e| create_failed("create an automation", connection, e))?
        .ok_or_else(|| Error::not_found(Resource::Connection, connection))?;
    Ok(Automation::new(
        id,
        connection,
        partner_from_row(&row, 0)?,
        details,
    ))
}

/// Stores a new partner function under `tenant`'s connection, or `NotFound`; the details are
/// checked first.
pub(super) async fn insert_partner_function(
    db: &impl GenericClient,
    tenant: &TenantId,
    connection: ConnectionId,
    details: PartnerFunctionDetails,
) -> Result<PartnerFunction> {
    let values = function_values(&details);
    let id = PartnerFunctionId::random();
    let at = SystemTime::now();
    let stamp = exsited_core::time::rfc3339(at);
    let statement = db
        .prepare_cached(
            "WITH parent AS (SELECT partner FROM connections WHERE uuid = $1 AND tenant = $2), \
             made AS (INSERT INTO partner_functions (uuid, connection_uuid, enabled, created, \
             updated, name, direction, description, object_name, object_mapping, event_name, \
             tag) SELECT $3, $1, true, $4, $4, $5, $6, $7, $8, $9, $10, $11 FROM parent \
             RETURNING 1) \
             SELECT partner FROM parent",
        )
        .await
        .map_err(|e| db_error("create a partner function", e, false))?;
    let v = &values;
    let row = db
        .query_opt(
            &statement,
            &[
                connection.as_uuid(),
                &tenant.as_str(),
                id.as_uuid(),
                &stamp,
                &v[0],
                &v[1],
                &v[2],
                &v[3],
                &v[4],
                &v[5],
                &v[6],
            ],
        )
        .await
        .map_err(|e| create_failed("create a partner function", connection, e))?
        .ok_or_else(|| Error::not_found(Resource::Connection, connection))?;
    Ok(PartnerFunction::new(
        id,
        connection,
        partner_from_row(&row, 0)?,
        details,
        at,
    ))
}
