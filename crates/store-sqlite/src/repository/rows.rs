//! Rows to domain values and back: the column lists, the row readers, the criteria stored as
//! JSON, and the paging query shared by every list.

use exsited_core::configuration::Configuration;
use exsited_core::{
    Automation, AutomationDetails, AutomationId, AutomationStatus, Connection, ConnectionId,
    ConnectionStatus, CriteriaGroup, CriteriaRule, Direction, Error, ListQuery, Name,
    ObjectMapping, OrderBy, Page, Partner, PartnerCredentials, PartnerFunction,
    PartnerFunctionDetails, PartnerFunctionId, RemoteInstance, Resource, Result, TenantId, Text,
};
use exsited_secrets::{Sealer, open_credentials};
use rusqlite::types::Type;
use rusqlite::{Connection as Db, OptionalExtension, Row, params};
use serde::{Deserialize, Serialize};

use crate::error::db_error;

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
pub(super) fn page<T>(
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

pub(super) const CONNECTION_COLUMNS: &str = "uuid, status, partner, remote_instance_id, \
     remote_instance_name, client_id, client_secret, access_token, refresh_token";

/// A connection row, its partner secrets opened with `sealer`.
pub(super) fn connection_row(row: &Row<'_>, sealer: &Sealer) -> rusqlite::Result<Connection> {
    let id = convert(0, ConnectionId::parse(&row.get::<_, String>(0)?))?;
    let sealed: [Vec<u8>; 3] = [row.get(6)?, row.get(7)?, row.get(8)?];
    let [client_secret, access_token, refresh_token] = convert(
        6,
        open_credentials(sealer, id, [&sealed[0], &sealed[1], &sealed[2]]),
    )?;
    Ok(Connection {
        id,
        status: ConnectionStatus::parse(&row.get::<_, String>(1)?),
        partner: convert(2, Partner::new(&row.get::<_, String>(2)?))?,
        remote_instance: RemoteInstance {
            id: row.get(3)?,
            name: row.get(4)?,
        },
        credentials: PartnerCredentials {
            client_id: row.get(5)?,
            client_secret,
            access_token,
            refresh_token,
        },
    })
}

/// This tenant's connection `id`, or `NotFound`.
pub(super) fn find_connection(
    db: &Db,
    tenant: &TenantId,
    id: ConnectionId,
    sealer: &Sealer,
) -> Result<Connection> {
    db.prepare_cached(&format!(
        "SELECT {CONNECTION_COLUMNS} FROM connections WHERE uuid = ?1 AND tenant = ?2"
    ))
    .and_then(|mut s| {
        s.query_row(params![id.to_string(), tenant.as_str()], |r| {
            connection_row(r, sealer)
        })
        .optional()
    })
    .map_err(|e| db_error("read a connection", e, false))?
    .ok_or_else(|| Error::not_found(Resource::Connection, id))
}

/// The configuration document of `connection` (empty without a row).
pub(super) fn find_configuration(db: &Db, connection: ConnectionId) -> Result<Configuration> {
    let stored: Option<String> = db
        .prepare_cached("SELECT document FROM configurations WHERE connection_uuid = ?1")
        .and_then(|mut s| {
            s.query_row([connection.to_string()], |r| r.get(0))
                .optional()
        })
        .map_err(|e| db_error("read the configuration", e, false))?;
    match stored {
        None => Ok(Configuration::default()),
        Some(text) => exsited_spec::configuration::from_json(&text).map_err(|e| {
            crate::error::store_error(format!("a stored configuration is not valid: {e}"), false)
        }),
    }
}

/// The partner of this tenant's connection `id`, or `NotFound`: the check every operation
/// under a connection starts with.
pub(super) fn connection_partner(db: &Db, tenant: &TenantId, id: ConnectionId) -> Result<Partner> {
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

pub(super) const AUTOMATION_COLUMNS: &str = "uuid, status, name, display_name, code, description, \
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

pub(super) fn criteria_json(criteria: &[CriteriaGroup]) -> Result<String> {
    let stored: Vec<StoredGroup> = criteria
        .iter()
        .map(|g| StoredGroup {
            group_condition: g.group_condition.to_string(),
            rules: g
                .rules
                .iter()
                .map(|r| StoredRule {
                    field_name: r.field_name.to_string(),
                    operator: r.operator.to_string(),
                    value: r.value.to_string(),
                    condition: r.condition.to_string(),
                })
                .collect(),
        })
        .collect();
    serde_json::to_string(&stored)
        .map_err(|_| crate::error::store_error("cannot encode the criteria", false))
}

/// Why stored criteria could not be read back.
#[derive(Debug, thiserror::Error)]
enum CriteriaError {
    #[error("not the stored criteria JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error(transparent)]
    Invalid(#[from] Error),
}

fn criteria_from_json(text: &str) -> std::result::Result<Vec<CriteriaGroup>, CriteriaError> {
    let stored: Vec<StoredGroup> = serde_json::from_str(text)?;
    let groups = stored
        .into_iter()
        .map(|g| {
            Ok(CriteriaGroup {
                group_condition: Text::new("group_condition", &g.group_condition)?,
                rules: g
                    .rules
                    .into_iter()
                    .map(|r| {
                        Ok(CriteriaRule {
                            field_name: Text::new("field_name", &r.field_name)?,
                            operator: Text::new("operator", &r.operator)?,
                            value: Text::new("value", &r.value)?,
                            condition: Text::new("condition", &r.condition)?,
                        })
                    })
                    .collect::<Result<Vec<_>>>()?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(groups)
}

pub(super) fn automation_row(
    row: &Row<'_>,
    connection: ConnectionId,
    provider: &Partner,
) -> rusqlite::Result<Automation> {
    let text = |i: usize| row.get::<_, String>(i);
    let mut details = AutomationDetails::new(convert(2, Name::new("name", &text(2)?))?);
    let fields: Vec<&str> = details.text_fields().iter().map(|(f, _)| *f).collect();
    // AUTOMATION_COLUMNS lists the text fields in `text_fields` order, from column 3.
    for (column, field) in (3..).zip(fields) {
        let value = convert(column, Text::new(field, &text(column)?))?;
        if let Some(slot) = details.text_field_mut(field) {
            *slot = value;
        }
    }
    details.criteria = convert(14, criteria_from_json(&text(14)?))?;
    Ok(Automation {
        id: convert(0, AutomationId::parse(&text(0)?))?,
        connection_id: connection,
        status: AutomationStatus::parse(&text(1)?),
        partner: provider.clone(),
        details,
    })
}

pub(super) fn find_automation(
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
pub(super) fn automation_values(d: &AutomationDetails, criteria: &str) -> [String; 13] {
    let [a, b, c, e, f, g, h, i, j, k, l] = d.text_fields().map(|(_, v)| v.to_string());
    [
        d.name.to_string(),
        a,
        b,
        c,
        e,
        f,
        g,
        h,
        i,
        j,
        k,
        l,
        criteria.to_owned(),
    ]
}

// ---- partner functions ----------------------------------------------------------------------

pub(super) const FUNCTION_COLUMNS: &str = "uuid, enabled, created, updated, name, direction, description, \
     object_name, object_mapping, event_name, tag";

pub(super) fn function_row(
    row: &Row<'_>,
    connection: ConnectionId,
    provider: &Partner,
) -> rusqlite::Result<PartnerFunction> {
    let text = |i: usize| row.get::<_, String>(i);
    let checked = |i: usize, field: &str| convert(i, Text::new(field, &text(i)?));
    let details = PartnerFunctionDetails {
        name: convert(4, Name::new("name", &text(4)?))?,
        direction: checked(5, "direction")?,
        description: checked(6, "description")?,
        object_name: checked(7, "object_name")?,
        object_mapping: convert(8, ObjectMapping::new("object_mapping", &text(8)?))?,
        event_name: checked(9, "event_name")?,
        tag: checked(10, "tag")?,
    };
    Ok(PartnerFunction {
        id: convert(0, PartnerFunctionId::parse(&text(0)?))?,
        connection_id: connection,
        enabled: row.get(1)?,
        partner: provider.clone(),
        created: text(2)?,
        updated: text(3)?,
        details,
    })
}

pub(super) fn find_function(
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
