//! The list query read and written: bounds, names, decoding, the projection, and a sweep of
//! small odd queries that must each parse or fail with an error naming a parameter.

use exsited_core::{
    AutomationDetails, ConnectionId, Direction, Error, ListQuery, Name, NewConnection, OrderBy,
    Partner, PartnerFunctionDetails,
};
use serde_json::{Value, json};

use super::*;
use crate::schema::Described;
use crate::{Automation, Connection, ConnectionList, PartnerFunction, convert, parameters};

fn connections(raw: &str) -> Result<ListParams<Connection>, Error> {
    ListParams::parse(raw)
}

/// The parameter a rejected query names.
fn rejected(raw: &str) -> String {
    match connections(raw) {
        Err(Error::InvalidInput { field, .. }) => field,
        other => panic!("{raw}: expected an invalid input, got {other:?}"),
    }
}

#[test]
fn values_are_read_and_defaults_filled_in() {
    let params = connections("limit=5&offset=10&order_by=uuid&direction=DESC&x=1").unwrap();
    assert_eq!((params.query().limit(), params.query().offset()), (5, 10));
    assert_eq!(params.query().order_by(), OrderBy::Uuid);
    assert_eq!(params.query().direction(), Direction::Desc);
    assert_eq!(*params.projection(), Projection::all());

    let default = connections("").unwrap();
    assert_eq!(*default.query(), ListQuery::default());
    assert_eq!(connections("limit=100").unwrap().query().limit(), 100);
    assert_eq!(
        connections("limit=5&limit=7").unwrap().query().limit(),
        7,
        "the last of a repeated parameter wins"
    );
    assert_eq!(connections("%6Cimit=3").unwrap().query().limit(), 3);
}

#[test]
fn a_bad_value_names_its_parameter() {
    for (raw, parameter) in [
        ("limit=101", parameters::LIMIT),
        ("limit=-1", parameters::LIMIT),
        ("limit=0", parameters::LIMIT),
        ("limit=ten", parameters::LIMIT),
        ("limit=", parameters::LIMIT),
        ("offset=-3", parameters::OFFSET),
        ("order_by=name", parameters::ORDER_BY),
        ("direction=up", parameters::DIRECTION),
        ("fields=uuid,password", parameters::FIELDS),
        ("limit=%zz", parameters::LIMIT),
        ("fields=%FF", parameters::FIELDS),
    ] {
        assert_eq!(rejected(raw), parameter, "{raw}");
    }
}

#[test]
fn unknown_parameters_are_ignored_whatever_their_value() {
    for raw in [
        "_=%zz",
        "x%zz=1",
        "limit%zz=5",
        "cache=%FF&&",
        "=",
        "&&&",
        "fieldsx=nope",
    ] {
        let params = connections(raw).unwrap_or_else(|e| panic!("{raw}: {e:?}"));
        assert_eq!(*params.query(), ListQuery::default(), "{raw}");
    }
}

#[test]
fn a_rejected_field_is_clipped_and_the_known_ones_listed() {
    let long = "x".repeat(1000);
    let Err(Error::InvalidInput { reason, .. }) = connections(&format!("fields={long}")) else {
        panic!("an unknown field is refused");
    };
    assert!(reason.len() < 400, "{reason}");
    assert!(
        reason.contains("client_secret") && reason.contains("uuid"),
        "{reason}"
    );
}

fn wire_connection() -> Connection {
    Connection {
        uuid: "u".into(),
        status: "ACTIVE".into(),
        client_secret: Some(crate::Secret::new("s".to_owned())),
        ..Connection::default()
    }
}

fn list_json(raw: &str) -> Value {
    let params = connections(raw).unwrap();
    let list = ConnectionList {
        integration_connection: params.project([wire_connection()]),
        pagination: None,
    };
    serde_json::to_value(&list).unwrap()
}

#[test]
fn fields_project_the_records_of_a_list_and_keep_uuid() {
    assert_eq!(
        list_json("fields=uuid%2Cstatus"),
        json!({"integration_connection": [{"uuid": "u", "status": "ACTIVE"}]})
    );
    assert_eq!(
        list_json("fields=status,status"),
        json!({"integration_connection": [{"uuid": "u", "status": "ACTIVE"}]}),
        "uuid is always kept, a repeated name once"
    );
    let all = list_json("fields=");
    assert_eq!(
        serde_json::to_value(wire_connection()).unwrap(),
        all["integration_connection"][0],
        "an empty projection keeps every field"
    );
    assert_eq!(
        all,
        serde_json::to_value(ConnectionList {
            integration_connection: vec![wire_connection()],
            pagination: None,
        })
        .unwrap(),
        "a projected list reads like the plain one"
    );
}

#[test]
fn every_record_schema_requires_the_field_a_projection_keeps() {
    for schema in [
        Connection::schema(),
        Automation::schema(),
        PartnerFunction::schema(),
    ] {
        let uuid = schema.object().and_then(|o| o.property("uuid"));
        assert!(uuid.is_some_and(|p| p.required), "{}", schema.name);
    }
}

fn keys<T: serde::Serialize>(value: T) -> Vec<String> {
    let mut keys: Vec<String> = serde_json::to_value(value)
        .unwrap()
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    keys.sort();
    keys
}

fn names<R: Described>() -> Vec<String> {
    let mut names: Vec<String> = R::schema()
        .object()
        .unwrap()
        .names()
        .map(str::to_owned)
        .collect();
    names.sort();
    names
}

/// What `fields` accepts is what a full record has: no name that can never be kept, no field
/// that cannot be asked for.
#[test]
fn the_names_fields_accepts_are_the_fields_of_the_wire_records() {
    let conn = NewConnection::new(Partner::new("xero").unwrap(), "r")
        .unwrap()
        .into_connection(ConnectionId::random());
    assert_eq!(
        keys(convert::connection_to_wire(&conn)),
        names::<Connection>()
    );

    let automation = exsited_core::Automation::new(
        exsited_core::AutomationId::random(),
        conn.id,
        conn.partner.clone(),
        AutomationDetails::new(Name::new("name", "n").unwrap()),
    );
    assert_eq!(
        keys(convert::automation_to_wire(&automation)),
        names::<Automation>()
    );

    let function = exsited_core::PartnerFunction::new(
        exsited_core::PartnerFunctionId::random(),
        conn.id,
        conn.partner.clone(),
        PartnerFunctionDetails::new(Name::new("name", "n").unwrap()),
        std::time::SystemTime::now(),
    );
    assert_eq!(
        keys(convert::partner_function_to_wire(&function)),
        names::<PartnerFunction>()
    );
}

#[test]
fn encode_writes_what_parse_reads() {
    for query in [
        ListQuery::default(),
        ListQuery::new(1, 0).unwrap(),
        ListQuery::new(100, u32::MAX.into())
            .unwrap()
            .ordered(OrderBy::Uuid, Direction::Desc),
    ] {
        let read: ListParams<Connection> = ListParams::parse(&encode(&query)).unwrap();
        assert_eq!(*read.query(), query);
    }
}

/// Every query of up to four pieces drawn from names, values and the characters that make
/// decoding hard: each either parses or is refused with an error naming a parameter of the
/// document. None panics.
#[test]
fn small_odd_queries_parse_or_name_a_parameter() {
    const PIECES: &[&str] = &[
        "limit", "fields", "order_by", "=", "&", "%", "%2", "%2C", "%FF", "+", "5", "-1", "uuid",
        "status,", "x", "é", "",
    ];
    let known = [
        parameters::LIMIT,
        parameters::OFFSET,
        parameters::ORDER_BY,
        parameters::DIRECTION,
        parameters::FIELDS,
    ];
    let n = PIECES.len();
    let mut checked = 0;
    for code in 0..n.pow(4) {
        let raw: String = (0..4)
            .map(|digit| PIECES[code / n.pow(digit) % n])
            .collect();
        match connections(&raw) {
            Ok(_) => {}
            Err(Error::InvalidInput { field, .. }) => {
                assert!(known.contains(&field.as_str()), "{raw:?} names {field:?}");
            }
            Err(other) => panic!("{raw:?}: {other:?}"),
        }
        checked += 1;
    }
    assert_eq!(checked, n.pow(4));
}
