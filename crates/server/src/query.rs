//! List query strings: `limit`, `offset`, `order_by`, `direction` and the `fields` projection.
//!
//! Unknown parameters are ignored (clients add their own, like cache busters); a known one with
//! a bad value is a 400 that names it. The bounds are the document's: `limit` 1 to
//! `MAX_LIMIT` (checked by `ListQuery`), `fields` the names of the record schema's properties.

use exsited_core::{Direction, Error, ListQuery, OrderBy};
use exsited_spec::schema::Schema;
use exsited_spec::schemas;
use serde_json::Value;

use crate::error::ApiError;

/// The names `fields=` may list for one kind of record: the properties of the record's schema
/// in the document, which lists the same names as the `fields` parameter's enum (a test of
/// `exsited-spec` checks that they agree).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields(&'static Schema);

impl Fields {
    fn contains(self, name: &str) -> bool {
        self.0.object().is_some_and(|o| o.property(name).is_some())
    }

    fn names(self) -> Vec<&'static str> {
        self.0
            .object()
            .map(|o| o.names().collect())
            .unwrap_or_default()
    }
}

/// The fields of a connection record.
pub(crate) const CONNECTION_FIELDS: Fields = Fields(&schemas::CONNECTION);

/// The fields of an automation record.
pub(crate) const AUTOMATION_FIELDS: Fields = Fields(&schemas::AUTOMATION);

/// The fields of a partner-function record.
pub(crate) const PARTNER_FUNCTION_FIELDS: Fields = Fields(&schemas::PARTNER_FUNCTION);

/// The field every projected record keeps, so that it can be identified.
const ALWAYS: &str = "uuid";

/// A parsed list query.
#[derive(Debug)]
pub(crate) struct ListParams {
    pub(crate) query: ListQuery,
    /// The record fields to keep; `None` keeps them all.
    fields: Option<Vec<String>>,
}

impl ListParams {
    /// Parses the raw query string (without `?`) of a list whose records have `known_fields`.
    pub(crate) fn parse(raw: Option<&str>, known_fields: Fields) -> Result<Self, ApiError> {
        let (mut limit, mut offset) = (None, None);
        let (mut order_by, mut direction) = (OrderBy::default(), Direction::default());
        let mut fields = None;
        for pair in raw.unwrap_or_default().split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let key = decode(key)?;
            let value = decode(value)?;
            match key.as_str() {
                "limit" => limit = Some(integer("limit", &value)?),
                "offset" => offset = Some(integer("offset", &value)?),
                "order_by" => order_by = OrderBy::parse(&value)?,
                "direction" => direction = Direction::parse(&value)?,
                "fields" => fields = projection(&value, known_fields)?,
                _ => {}
            }
        }
        let query = ListQuery::new(
            limit.unwrap_or(i64::from(exsited_core::DEFAULT_LIMIT)),
            offset.unwrap_or(0),
        )?
        .ordered(order_by, direction);
        Ok(Self { query, fields })
    }

    /// Keeps only the requested fields of one serialized record, and its `uuid`.
    pub(crate) fn project(&self, record: Value) -> Value {
        match (&self.fields, record) {
            (Some(fields), Value::Object(mut map)) => {
                map.retain(|key, _| key == ALWAYS || fields.iter().any(|f| f == key));
                Value::Object(map)
            }
            (_, record) => record,
        }
    }
}

fn integer(field: &str, value: &str) -> Result<i64, ApiError> {
    value.trim().parse::<i64>().map_err(|_| {
        Error::invalid_input(field, format!("must be an integer, got {:?}", clip(value))).into()
    })
}

fn projection(value: &str, known: Fields) -> Result<Option<Vec<String>>, ApiError> {
    let wanted: Vec<String> = value
        .split(',')
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .map(str::to_owned)
        .collect();
    if wanted.is_empty() {
        return Ok(None);
    }
    if let Some(unknown) = wanted.iter().find(|f| !known.contains(f)) {
        return Err(Error::invalid_input(
            "fields",
            format!(
                "unknown field {:?}; known: {}",
                clip(unknown),
                known.names().join(", ")
            ),
        )
        .into());
    }
    Ok(Some(wanted))
}

/// At most 64 characters of a rejected value, so that a huge query does not make a huge error.
fn clip(value: &str) -> String {
    value.chars().take(exsited_core::MAX_ECHOED_CHARS).collect()
}

/// Percent-decoding of one query component, `+` as space.
fn decode(component: &str) -> Result<String, ApiError> {
    let bytes = component.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| {
                        ApiError::bad_request("malformed percent-encoding in the query")
                    })?;
                out.push(hex);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| ApiError::bad_request("the query is not valid UTF-8"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use exsited_core::{
        AutomationDetails, ConnectionId, Name, NewConnection, Partner, PartnerFunctionDetails,
    };

    fn status(raw: &str) -> u16 {
        ListParams::parse(Some(raw), CONNECTION_FIELDS)
            .map(|_| 200)
            .unwrap_or_else(|e| e.status.as_u16())
    }

    #[test]
    fn values_are_validated() {
        let ok = ListParams::parse(
            Some("limit=5&offset=10&order_by=uuid&direction=DESC&x=1"),
            CONNECTION_FIELDS,
        )
        .unwrap();
        assert_eq!((ok.query.limit(), ok.query.offset()), (5, 10));
        assert_eq!(ok.query.order_by(), OrderBy::Uuid);
        assert_eq!(ok.query.direction(), Direction::Desc);
        let default = ListParams::parse(None, CONNECTION_FIELDS).unwrap();
        assert_eq!(default.query.limit(), 20);
        for bad in [
            "limit=101",
            "limit=-1",
            "limit=0",
            "limit=ten",
            "offset=-3",
            "order_by=name",
            "direction=up",
            "fields=uuid,password",
            "limit=%zz",
        ] {
            assert_eq!(status(bad), 400, "{bad}");
        }
        assert_eq!(status("limit=100"), 200);
    }

    #[test]
    fn fields_project_records() {
        let params = ListParams::parse(Some("fields=uuid%2Cstatus"), CONNECTION_FIELDS).unwrap();
        let projected = params
            .project(serde_json::json!({"uuid": "u", "status": "ACTIVE", "client_secret": "s"}));
        assert_eq!(
            projected,
            serde_json::json!({"uuid": "u", "status": "ACTIVE"})
        );
        let params = ListParams::parse(Some("fields=status"), CONNECTION_FIELDS).unwrap();
        let projected = params
            .project(serde_json::json!({"uuid": "u", "status": "ACTIVE", "client_secret": "s"}));
        assert_eq!(
            projected,
            serde_json::json!({"uuid": "u", "status": "ACTIVE"}),
            "uuid is always kept"
        );
    }

    fn keys(value: Value) -> Vec<String> {
        value.as_object().unwrap().keys().cloned().collect()
    }

    fn sorted(fields: Fields) -> Vec<String> {
        let mut v: Vec<String> = fields.names().iter().map(|s| s.to_string()).collect();
        v.sort();
        v
    }

    #[test]
    fn known_fields_match_the_wire_records() {
        use exsited_spec::convert;
        let conn = NewConnection::new(Partner::new("xero").unwrap(), "r")
            .unwrap()
            .into_connection(ConnectionId::random());
        let mut got = keys(serde_json::to_value(convert::connection_to_wire(&conn)).unwrap());
        got.sort();
        assert_eq!(got, sorted(CONNECTION_FIELDS));

        let automation = exsited_core::Automation::new(
            exsited_core::AutomationId::random(),
            conn.id,
            conn.partner.clone(),
            AutomationDetails::new(Name::new("name", "n").unwrap()),
        );
        let mut got = keys(serde_json::to_value(convert::automation_to_wire(&automation)).unwrap());
        got.sort();
        assert_eq!(got, sorted(AUTOMATION_FIELDS));

        let function = exsited_core::PartnerFunction::new(
            exsited_core::PartnerFunctionId::random(),
            conn.id,
            conn.partner.clone(),
            PartnerFunctionDetails::new(Name::new("name", "n").unwrap()),
            std::time::SystemTime::now(),
        );
        let mut got =
            keys(serde_json::to_value(convert::partner_function_to_wire(&function)).unwrap());
        got.sort();
        assert_eq!(got, sorted(PARTNER_FUNCTION_FIELDS));
    }
}
