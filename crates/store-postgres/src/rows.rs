//! Rows to domain values and back, one place per record type: the column lists, the row
//! readers, the values written, the criteria stored as JSON and the partner secrets sealed.
//!
//! A record's columns are read from a row starting at a given index, so that one reader serves
//! every query that selects them (alone, or after a total or a parent's partner).

use std::time::SystemTime;

use exsited_core::access::{ApiClient, DeleteAudit, Scope, TokenOwner};
use exsited_core::idempotency::CreatedResource;
use exsited_core::{
    Automation, AutomationDetails, AutomationId, AutomationStatus, Connection, ConnectionId,
    ConnectionStatus, CriteriaGroup, CriteriaRule, Error, Name, ObjectMapping, Partner,
    PartnerCredentials, PartnerFunction, PartnerFunctionDetails, PartnerFunctionId, RemoteInstance,
    Result, TenantId, Text,
};
pub(crate) use exsited_secrets::seal_credentials;
use exsited_secrets::{Sealer, open_credentials};
use serde::{Deserialize, Serialize};
use tokio_postgres::Row;
use tokio_postgres::types::FromSql;
use uuid::Uuid;

use crate::error::store_error;

/// The time stamps the store writes (partner functions, the audit), as the API spells them.
pub(crate) fn now() -> String {
    exsited_core::time::rfc3339(SystemTime::now())
}

/// Column `i` of `row`, or an error naming the column.
pub(crate) fn get<'r, T: FromSql<'r>>(row: &'r Row, i: usize) -> Result<T> {
    row.try_get(i).map_err(|e| {
        store_error(
            format!("cannot read column {i} of a stored row"),
            Some(Box::new(e)),
        )
    })
}

/// A stored value that fails the domain's checks: data this store did not write.
fn invalid(what: &str, e: impl std::error::Error + Send + Sync + 'static) -> Error {
    store_error(format!("a stored {what} is invalid"), Some(Box::new(e)))
}

/// A count or a time as PostgreSQL's `bigint`, saturating.
pub(crate) fn sql_i64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// A stored `bigint` as a count or a time, negative values as zero.
pub(crate) fn sql_u64(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

// ---- connections ----------------------------------------------------------------------------

/// The columns of a connection, in the order [`connection_from_row`] reads them.
pub(crate) const CONNECTION_COLUMNS: &str = "uuid, status, partner, remote_instance_id, \
     remote_instance_name, client_id, client_secret, access_token, refresh_token";

/// The connection whose [`CONNECTION_COLUMNS`] start at column `at`.
pub(crate) fn connection_from_row(row: &Row, at: usize, sealer: &Sealer) -> Result<Connection> {
    let id = ConnectionId::from_uuid(get::<Uuid>(row, at)?);
    let text = |i: usize| get::<String>(row, at + i);
    let sealed: [&[u8]; 3] = [get(row, at + 6)?, get(row, at + 7)?, get(row, at + 8)?];
    let [client_secret, access_token, refresh_token] = open_credentials(sealer, id, sealed)
        .map_err(|e| {
            store_error(
                format!("a partner secret cannot be decrypted: {e}"),
                Some(Box::new(e)),
            )
        })?;
    Ok(Connection {
        id,
        status: ConnectionStatus::parse(&text(1)?),
        partner: Partner::new(&text(2)?).map_err(|e| invalid("partner", e))?,
        remote_instance: RemoteInstance {
            id: text(3)?,
            name: text(4)?,
        },
        credentials: PartnerCredentials {
            client_id: text(5)?,
            client_secret,
            access_token,
            refresh_token,
        },
    })
}

/// A stored partner name.
pub(crate) fn partner_from_row(row: &Row, at: usize) -> Result<Partner> {
    Partner::new(&get::<String>(row, at)?).map_err(|e| invalid("partner", e))
}

// ---- automations ----------------------------------------------------------------------------

/// The columns of an automation, in the order [`automation_from_row`] reads them.
pub(crate) const AUTOMATION_COLUMNS: &str = "uuid, status, name, display_name, code, description, \
     direction, applies_to, applies_to_function, automation_type, check_on, custom_day, \
     custom_time, perform_action, criteria";

/// The detail columns written for an automation, from `name` on, in [`AUTOMATION_COLUMNS`]
/// order (the criteria as JSON).
pub(crate) fn automation_values(d: &AutomationDetails) -> Result<[String; 13]> {
    let [a, b, c, e, f, g, h, i, j, k, l] = d.text_fields().map(|(_, v)| v.to_string());
    Ok([
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
        criteria_json(&d.criteria)?,
    ])
}

/// The automation of `connection` whose [`AUTOMATION_COLUMNS`] start at column `at`.
pub(crate) fn automation_from_row(
    row: &Row,
    at: usize,
    connection: ConnectionId,
    provider: &Partner,
) -> Result<Automation> {
    let text = |i: usize| get::<String>(row, at + i);
    let name = Name::new("name", &text(2)?).map_err(|e| invalid("automation name", e))?;
    let mut details = AutomationDetails::new(name);
    let fields: Vec<&str> = details.text_fields().iter().map(|(f, _)| *f).collect();
    // AUTOMATION_COLUMNS lists the text fields in `text_fields` order, from column 3.
    for (column, field) in (3..).zip(fields) {
        let value = Text::new(field, &text(column)?).map_err(|e| invalid("automation", e))?;
        if let Some(slot) = details.text_field_mut(field) {
            *slot = value;
        }
    }
    details.criteria = criteria_from_json(&text(14)?)?;
    Ok(Automation {
        id: AutomationId::from_uuid(get::<Uuid>(row, at)?),
        connection_id: connection,
        status: AutomationStatus::parse(&text(1)?),
        partner: provider.clone(),
        details,
    })
}

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
    serde_json::to_string(&stored).map_err(|e| invalid("criteria", e))
}

fn criteria_from_json(text: &str) -> Result<Vec<CriteriaGroup>> {
    let stored: Vec<StoredGroup> =
        serde_json::from_str(text).map_err(|e| invalid("criteria", e))?;
    let text =
        |field: &str, value: &str| Text::new(field, value).map_err(|e| invalid("criteria", e));
    stored
        .into_iter()
        .map(|g| {
            Ok(CriteriaGroup {
                group_condition: text("group_condition", &g.group_condition)?,
                rules: g
                    .rules
                    .into_iter()
                    .map(|r| {
                        Ok(CriteriaRule {
                            field_name: text("field_name", &r.field_name)?,
                            operator: text("operator", &r.operator)?,
                            value: text("value", &r.value)?,
                            condition: text("condition", &r.condition)?,
                        })
                    })
                    .collect::<Result<Vec<_>>>()?,
            })
        })
        .collect()
}

// ---- partner functions ----------------------------------------------------------------------

/// The columns of a partner function, in the order [`function_from_row`] reads them.
pub(crate) const FUNCTION_COLUMNS: &str = "uuid, enabled, created, updated, name, direction, \
     description, object_name, object_mapping, event_name, tag";

/// The detail columns written for a partner function, from `name` on, in [`FUNCTION_COLUMNS`]
/// order.
pub(crate) fn function_values(d: &PartnerFunctionDetails) -> [String; 7] {
    [
        d.name.to_string(),
        d.direction.to_string(),
        d.description.to_string(),
        d.object_name.to_string(),
        d.object_mapping.to_string(),
        d.event_name.to_string(),
        d.tag.to_string(),
    ]
}

/// The partner function of `connection` whose [`FUNCTION_COLUMNS`] start at column `at`.
pub(crate) fn function_from_row(
    row: &Row,
    at: usize,
    connection: ConnectionId,
    provider: &Partner,
) -> Result<PartnerFunction> {
    let text = |i: usize| get::<String>(row, at + i);
    let name = Name::new("name", &text(4)?).map_err(|e| invalid("partner function name", e))?;
    let checked = |i: usize, field: &str| -> Result<Text> {
        Text::new(field, &text(i)?).map_err(|e| invalid("partner function", e))
    };
    let details = PartnerFunctionDetails {
        name,
        direction: checked(5, "direction")?,
        description: checked(6, "description")?,
        object_name: checked(7, "object_name")?,
        object_mapping: ObjectMapping::new("object_mapping", &text(8)?)
            .map_err(|e| invalid("partner function", e))?,
        event_name: checked(9, "event_name")?,
        tag: checked(10, "tag")?,
    };
    Ok(PartnerFunction {
        id: PartnerFunctionId::from_uuid(get::<Uuid>(row, at)?),
        connection_id: connection,
        enabled: get(row, at + 1)?,
        partner: provider.clone(),
        created: text(2)?,
        updated: text(3)?,
        details,
    })
}

// ---- access: clients, grants, the audit ----------------------------------------------------

/// The columns of an API client, in the order [`client_from_row`] reads them.
pub(crate) const CLIENT_COLUMNS: &str = "client_id, tenant, scope, secret_hash";

/// The client whose [`CLIENT_COLUMNS`] start at column `at`.
pub(crate) fn client_from_row(row: &Row, at: usize) -> Result<ApiClient> {
    Ok(ApiClient {
        client_id: get(row, at)?,
        tenant: TenantId::new(get(row, at + 1)?).map_err(|e| invalid("tenant", e))?,
        scope: Scope::parse(get(row, at + 2)?).map_err(|e| invalid("scope", e))?,
        secret_hash: get(row, at + 3)?,
    })
}

/// A token's owner from `client_id, expires_at` at column `at`.
pub(crate) fn owner_from_row(row: &Row, at: usize) -> Result<TokenOwner> {
    Ok(TokenOwner {
        client_id: get(row, at)?,
        expires_at: sql_u64(get(row, at + 1)?),
    })
}

/// The columns of a delete record, in the order [`audit_from_row`] reads them.
pub(crate) const AUDIT_COLUMNS: &str =
    "at, tenant, client_id, connection_uuid, partner, sync_configurations";

/// The delete record whose [`AUDIT_COLUMNS`] start at column `at`.
pub(crate) fn audit_from_row(row: &Row, at: usize) -> Result<DeleteAudit> {
    Ok(DeleteAudit {
        at: get(row, at)?,
        tenant: TenantId::new(get(row, at + 1)?).map_err(|e| invalid("tenant", e))?,
        client_id: get(row, at + 2)?,
        connection_id: ConnectionId::from_uuid(get::<Uuid>(row, at + 3)?),
        partner: get(row, at + 4)?,
        sync_configurations: sql_u64(get(row, at + 5)?),
    })
}

// ---- idempotency key records ----------------------------------------------------------------

/// The automation and partner function columns of a key record naming `resource`.
pub(crate) fn resource_values(resource: CreatedResource) -> (Uuid, Option<Uuid>, Option<Uuid>) {
    match resource {
        CreatedResource::Connection(c) => (*c.as_uuid(), None, None),
        CreatedResource::Automation(c, a) => (*c.as_uuid(), Some(*a.as_uuid()), None),
        CreatedResource::PartnerFunction(c, p) => (*c.as_uuid(), None, Some(*p.as_uuid())),
    }
}

/// What a key record created, from `connection_uuid, automation_uuid, partner_function_uuid`
/// at column `at`.
pub(crate) fn resource_from_row(row: &Row, at: usize) -> Result<CreatedResource> {
    let connection = ConnectionId::from_uuid(get::<Uuid>(row, at)?);
    let automation: Option<Uuid> = get(row, at + 1)?;
    let function: Option<Uuid> = get(row, at + 2)?;
    match (automation, function) {
        (None, None) => Ok(CreatedResource::Connection(connection)),
        (Some(a), None) => Ok(CreatedResource::Automation(
            connection,
            AutomationId::from_uuid(a),
        )),
        (None, Some(p)) => Ok(CreatedResource::PartnerFunction(
            connection,
            PartnerFunctionId::from_uuid(p),
        )),
        (Some(_), Some(_)) => Err(store_error(
            "an idempotency key record names two resources",
            None,
        )),
    }
}
