//! The list query string and its `fields=` projection (`exsited_spec::query`), for each of the
//! three list record types.

use std::fmt::Debug;

use exsited_core::Error;
use exsited_spec::query::{self, ListParams};
use exsited_spec::schema::Described;
use exsited_spec::{Automation, Connection, PartnerFunction, parameters};

use crate::planted::{MARK, assert_bounded_error, assert_clean_error, unmarked};

/// The parameters a rejected query may name.
const NAMED: &[&str] = &[
    parameters::LIMIT,
    parameters::OFFSET,
    parameters::ORDER_BY,
    parameters::DIRECTION,
    parameters::FIELDS,
];

/// Reads `data` (lossily decoded) as the query of each list and checks:
///
/// - a query that parses is written by `query::encode` (with its projection as `fields`) into
///   one that parses to the same page, order and projection;
/// - a projection keeps `uuid` and only properties of the record's schema;
/// - parameters the document does not name change nothing, even when they carry a secret (the
///   planted ones are `access_token`, `client_secret` and `api_key`, as some clients send them);
/// - an error names one of the document's parameters, is bounded in length and never quotes a
///   planted secret (checked when the input does not hold the mark itself, since the value of
///   a known parameter is echoed by design).
pub fn list_query(data: &[u8]) {
    let raw = String::from_utf8_lossy(data);
    let planting = unmarked(data);
    check::<Connection>(&raw, planting);
    check::<Automation>(&raw, planting);
    check::<PartnerFunction>(&raw, planting);
}

fn check<R: Described + Debug + PartialEq>(raw: &str, planting: bool) {
    let parsed = ListParams::<R>::parse(raw);
    let planted = format!("{raw}&access_token={MARK}1&client_secret={MARK}%zz&api_key%FF={MARK}3");
    let with_unknown = ListParams::<R>::parse(&planted);
    match (&parsed, &with_unknown) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "unknown parameters changed the query"),
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
        _ => panic!("unknown parameters changed the outcome: {parsed:?} then {with_unknown:?}"),
    }
    match parsed {
        Ok(params) => round_trips(&params),
        Err(error) => {
            let Error::InvalidInput { field, .. } = &error else {
                panic!("a query error is an invalid input: {error:?}");
            };
            assert!(NAMED.contains(&field.as_str()), "{field}");
            assert_bounded_error("a query error", &error);
            if let Err(error) = with_unknown
                && planting
            {
                assert_clean_error("a query error", &error);
            }
        }
    }
}

fn round_trips<R: Described + Debug + PartialEq>(params: &ListParams<R>) {
    let names: Vec<&'static str> = R::schema()
        .object()
        .expect("a record is an object")
        .names()
        .collect();
    let projection = params.projection();
    assert!(projection.keeps("uuid"));
    // A projection of every field keeps names no schema has; one of named fields keeps none.
    let keeps_all = projection.keeps("\u{0}not a property");
    let fields = if keeps_all {
        String::new()
    } else {
        let kept: Vec<&str> = names
            .iter()
            .copied()
            .filter(|n| projection.keeps(n))
            .collect();
        kept.join(",")
    };
    let written = format!(
        "{}&{}={}",
        query::encode(params.query()),
        parameters::FIELDS,
        fields
    );
    let again = ListParams::<R>::parse(&written)
        .unwrap_or_else(|e| panic!("{written} was written from a parsed query: {e}"));
    assert_eq!(again.query(), params.query(), "{written}");
    for name in names.iter().copied().chain(["\u{0}not a property"]) {
        assert_eq!(
            again.projection().keeps(name),
            projection.keeps(name),
            "{written}: {name}"
        );
    }
}
