//! The validator against the document's own schemas, and against small schemas for the
//! keywords the request bodies do not use (ranges, maps, `oneOf`).

use serde_json::{Value, json};

use super::*;
use crate::schema::{Pattern, Property};
use crate::schemas::{
    AUTOMATION_CREATE_REQUEST, AUTOMATION_REQUEST, CREATE_CONNECTION_REQUEST, ERROR_ENVELOPE,
    PAGINATION, PARTNER_FUNCTION_CREATE_REQUEST, PARTNER_FUNCTION_REQUEST, TOKEN_REQUEST,
    V4_ERROR_ENVELOPE,
};
use crate::{CreateConnectionRequest, TokenRequest};

fn error(value: Value, schema: &'static Schema) -> Invalid {
    check(&value, schema).expect_err("the value is invalid")
}

fn path(value: Value, schema: &'static Schema) -> String {
    error(value, schema).path().to_string()
}

const SECRET: &str = "sk_live_do_not_print";

#[test]
fn valid_bodies_pass() {
    let bodies = [
        (
            json!({"grant_type": "client_credentials", "client_id": "c", "client_secret": "s",
                   "exsited_url": "unknown fields are ignored"}),
            &TOKEN_REQUEST,
        ),
        (
            json!({"provider": "xero", "remote_instance_id": "org-1", "require_authentication": true,
                   "integration_client_secret": "x".repeat(8192)}),
            &CREATE_CONNECTION_REQUEST,
        ),
        (
            json!({"integration": {"automation_details": {"name": "Sync", "code": null},
                   "additional_criteria_details": [{"group_condition": "AND", "rules": [{}]}, {}]}}),
            &AUTOMATION_CREATE_REQUEST,
        ),
        (json!({"integration": {}}), &AUTOMATION_REQUEST),
        (
            json!({"partner_function": {"name": " p ", "object_mapping": "\n".repeat(65536)}}),
            &PARTNER_FUNCTION_CREATE_REQUEST,
        ),
        (
            json!({"partner_function": {"tag": null}}),
            &PARTNER_FUNCTION_REQUEST,
        ),
    ];
    for (body, schema) in bodies {
        assert_eq!(check(&body, schema), Ok(()), "{body}");
    }
}

#[test]
fn a_secret_of_any_json_type_is_named_and_never_quoted() {
    let wrong_types = [
        (json!(35817425447964_u64), JsonType::Integer),
        (json!(3.5817425447964), JsonType::Number),
        (json!(true), JsonType::Boolean),
        (json!([SECRET]), JsonType::Array),
        (json!({"value": SECRET}), JsonType::Object),
        (Value::Null, JsonType::Null),
    ];
    let fields = [
        ("integration_client_secret", &CREATE_CONNECTION_REQUEST),
        ("integration_access_token", &CREATE_CONNECTION_REQUEST),
        ("integration_refresh_token", &CREATE_CONNECTION_REQUEST),
        ("user_password", &CREATE_CONNECTION_REQUEST),
        ("client_secret", &TOKEN_REQUEST),
        ("refresh_token", &TOKEN_REQUEST),
    ];
    for (field, schema) in fields {
        for (value, json_type) in &wrong_types {
            let mut body = json!({"provider": "xero", "remote_instance_id": "r",
                                  "grant_type": "refresh_token"});
            body[field] = value.clone();
            let err = error(body, schema);
            match &err {
                Invalid::Type {
                    path,
                    expected,
                    found,
                } => {
                    assert_eq!(path.to_string(), field);
                    assert_eq!(expected.types(), [JsonType::String]);
                    assert_eq!(found, json_type);
                }
                other => panic!("{field}: {other:?}"),
            }
            let shown = format!("{err} {err:?}");
            assert!(
                !shown.contains("35817425447964") && !shown.contains(SECRET),
                "{shown}"
            );
        }
    }
}

#[test]
fn arrays_are_not_objects_at_any_depth() {
    let top = error(
        json!(["client_credentials", "tok-client", SECRET]),
        &TOKEN_REQUEST,
    );
    assert!(top.path().is_root());
    assert_eq!(top.to_string(), "expected an object, got an array");
    for (body, schema, at) in [
        (
            json!({"integration": []}),
            &AUTOMATION_REQUEST,
            "integration",
        ),
        (json!([]), &AUTOMATION_REQUEST, ""),
        (
            json!({"partner_function": []}),
            &PARTNER_FUNCTION_REQUEST,
            "partner_function",
        ),
        (
            json!({"integration": {"automation_details": {"name": "n"},
                                   "additional_criteria_details": [[]]}}),
            &AUTOMATION_CREATE_REQUEST,
            "integration.additional_criteria_details[0]",
        ),
        (
            json!({"integration": [{"automation_details": {"name": "n"}}]}),
            &AUTOMATION_CREATE_REQUEST,
            "integration",
        ),
        (
            json!({"integration": {"automation_details": ["n"]}}),
            &AUTOMATION_REQUEST,
            "integration.automation_details",
        ),
    ] {
        let err = error(body.clone(), schema);
        assert!(
            matches!(&err, Invalid::Type { found: JsonType::Array, expected, .. }
                if expected.types() == [JsonType::Object]),
            "{body}: {err:?}"
        );
        assert_eq!(err.path().to_string(), at, "{body}");
    }
}

#[test]
fn errors_name_the_full_path() {
    assert_eq!(
        path(
            json!({"provider": 123, "remote_instance_id": "r"}),
            &CREATE_CONNECTION_REQUEST
        ),
        "provider"
    );
    assert_eq!(
        path(
            json!({"integration": {"automation_details": {"name": 5}}}),
            &AUTOMATION_CREATE_REQUEST
        ),
        "integration.automation_details.name"
    );
    let body = json!({"integration": {"automation_details": {"name": "n"},
        "additional_criteria_details": [{"rules": [{"value": "1"}, {"value": 1}]}]}});
    assert_eq!(
        path(body, &AUTOMATION_CREATE_REQUEST),
        "integration.additional_criteria_details[0].rules[1].value"
    );
}

#[test]
fn required_nullable_and_bounds() {
    let missing = error(json!({"integration": {}}), &AUTOMATION_CREATE_REQUEST);
    assert!(matches!(missing, Invalid::Missing { .. }), "{missing:?}");
    assert_eq!(
        missing.to_string(),
        "integration.automation_details: is required"
    );
    let no_name = error(
        json!({"integration": {"automation_details": {"code": "c"}}}),
        &AUTOMATION_CREATE_REQUEST,
    );
    assert_eq!(
        no_name.path().to_string(),
        "integration.automation_details.name"
    );
    assert!(matches!(no_name, Invalid::Missing { .. }));
    // On update the name may be left out, but not be null or empty.
    let null_name = error(
        json!({"integration": {"automation_details": {"name": null}}}),
        &AUTOMATION_REQUEST,
    );
    assert_eq!(null_name.reason(), "expected a string, got null");
    let empty = error(
        json!({"partner_function": {"name": ""}}),
        &PARTNER_FUNCTION_REQUEST,
    );
    assert!(
        matches!(empty, Invalid::TooShort { min_length: 1, .. }),
        "{empty:?}"
    );
    let blank = error(
        json!({"partner_function": {"name": "   "}}),
        &PARTNER_FUNCTION_CREATE_REQUEST,
    );
    assert!(
        matches!(
            blank,
            Invalid::Pattern {
                pattern: Pattern::NotBlank,
                ..
            }
        ),
        "{blank:?}"
    );
    let long = error(
        json!({"provider": "x", "remote_instance_id": "r".repeat(256)}),
        &CREATE_CONNECTION_REQUEST,
    );
    assert!(
        matches!(
            long,
            Invalid::TooLong {
                max_length: 255,
                ..
            }
        ),
        "{long:?}"
    );
    assert_eq!(long.reason(), "must be at most 255 characters long");
    let control = error(
        json!({"integration": {"automation_details": {"name": "n", "code": "a\u{7}"}}}),
        &AUTOMATION_CREATE_REQUEST,
    );
    assert!(matches!(
        control,
        Invalid::Pattern {
            pattern: Pattern::NoControlCharacters,
            ..
        }
    ));
    let partner = error(
        json!({"provider": "x y", "remote_instance_id": "r"}),
        &CREATE_CONNECTION_REQUEST,
    );
    assert_eq!(partner.path().to_string(), "provider");
    let grant = error(json!({"grant_type": "password"}), &TOKEN_REQUEST);
    assert_eq!(
        grant.to_string(),
        "grant_type: must be one of: client_credentials, refresh_token"
    );
}

#[test]
fn integers_maps_and_one_of() {
    let range = error(json!({"limit": -1}), &PAGINATION);
    assert!(
        matches!(range, Invalid::OutOfRange { minimum: 0, .. }),
        "{range:?}"
    );
    let fraction = error(json!({"records": 1.5}), &PAGINATION);
    assert!(matches!(
        fraction,
        Invalid::Type {
            found: JsonType::Number,
            ..
        }
    ));
    assert_eq!(check(&json!({"records": u64::MAX}), &PAGINATION), Ok(()));

    let details = json!({"errors": [{"code": 400, "message": "m", "details": {"field": 1}}]});
    assert_eq!(path(details, &ERROR_ENVELOPE), "errors[0].details.field");
    let code = error(
        json!({"errors": [{"code": true, "message": "m"}]}),
        &ERROR_ENVELOPE,
    );
    assert_eq!(
        code.reason(),
        "expected an integer or a string, got a boolean"
    );
    // `oneOf` with a member that takes the type: its inner error is the one reported.
    let list = json!({"object": "error", "errors": [{"field": 1}]});
    assert_eq!(path(list, &V4_ERROR_ENVELOPE), "errors[0].field");
    for ok in [json!("text"), json!({"a": "b"}), json!([{"field": "f"}])] {
        assert_eq!(check(&json!({"errors": ok}), &V4_ERROR_ENVELOPE), Ok(()));
    }
}

#[test]
fn one_of_with_overlapping_members_is_ambiguous() {
    static ANY: Schema = Schema {
        name: "",
        nullable: false,
        kind: Kind::Any,
    };
    static BOTH: Schema = Schema {
        name: "Both",
        nullable: false,
        kind: Kind::OneOf(&[&ANY, &ANY]),
    };
    assert!(matches!(error(json!(1), &BOTH), Invalid::Ambiguous { .. }));
    // Unknown properties of an object never fail, whatever they hold.
    static EMPTY: Schema = Schema {
        name: "",
        nullable: false,
        kind: Kind::Object(Object {
            properties: &[Property {
                name: "a",
                required: false,
                schema: &ANY,
            }],
            additional: None,
            closed: false,
        }),
    };
    assert_eq!(check(&json!({"b": [[{}]]}), &EMPTY), Ok(()));
}

#[test]
fn from_slice_reports_syntax_with_position_and_never_the_input() {
    for body in [
        format!(r#"{{"client_secret": "{SECRET}"#),
        format!(r#"{{"client_secret": {SECRET}}}"#),
        format!(r#"{{"client_secret": "{SECRET}" "x": 1}}"#),
        format!(r#"{{"client_secret": "{SECRET}\q"}}"#),
        format!("{{\"client_secret\": \"{SECRET}\u{1}\"}}"),
        format!(r#"{{"{SECRET}"}}"#),
        format!(r#"{{"a": 1}} {SECRET}"#),
        format!(r#"{{"a": 1e999999, "b": "{SECRET}"}}"#),
        format!(r#"[{}"{SECRET}"]"#, "[".repeat(200)),
    ] {
        let err = from_slice::<TokenRequest>(body.as_bytes()).unwrap_err();
        let BodyError::Syntax { line, column, .. } = &err else {
            panic!("{body}: {err:?}")
        };
        assert!(*line >= 1 && *column >= 1);
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains("sk_live"), "{shown}");
        assert!(
            shown.contains(&format!("line {line}, column {column}")),
            "{shown}"
        );
    }
    let invalid = from_slice::<CreateConnectionRequest>(br#"{"provider": 123}"#).unwrap_err();
    assert!(matches!(invalid, BodyError::Invalid(Invalid::Type { .. })));
}

#[test]
fn from_slice_reads_the_wire_type() {
    let body = format!(
        r#"{{"grant_type": "refresh_token", "client_id": "c", "refresh_token": "{SECRET}"}}"#
    );
    let request: TokenRequest = from_slice(body.as_bytes()).unwrap();
    assert_eq!(request.grant_type, "refresh_token");
    assert_eq!(
        request.refresh_token.as_ref().map(crate::Secret::expose),
        Some(SECRET)
    );
}

#[test]
fn wipe_empties_every_string() {
    let mut value = json!({"a": SECRET, "b": [SECRET, {"c": SECRET}]});
    wipe(&mut value["b"]);
    assert_eq!(value["b"], json!(["", {}]));
    wipe(&mut value);
    assert_eq!(value, json!({}));
}

#[test]
fn null_members_closed_objects_and_key_paths() {
    static NULL: Schema = Schema {
        name: "",
        nullable: false,
        kind: Kind::Null,
    };
    static TEXT: Schema = Schema {
        name: "",
        nullable: false,
        kind: Kind::String(Text {
            min_length: None,
            max_length: None,
            allowed: &[],
            pattern: None,
            secret: false,
        }),
    };
    static CHANGE: Schema = Schema {
        name: "Change",
        nullable: false,
        kind: Kind::OneOf(&[&TEXT, &TREE, &NULL]),
    };
    // Recursive: a map of changes.
    static TREE: Schema = Schema {
        name: "",
        nullable: false,
        kind: Kind::Object(Object {
            properties: &[],
            additional: Some(&CHANGE),
            closed: false,
        }),
    };
    static CLOSED: Schema = Schema {
        name: "Closed",
        nullable: false,
        kind: Kind::Object(Object {
            properties: &[
                Property {
                    name: "a",
                    required: false,
                    schema: &CHANGE,
                },
                Property {
                    name: "b",
                    required: false,
                    schema: &CHANGE,
                },
            ],
            additional: None,
            closed: true,
        }),
    };
    assert_eq!(
        check(
            &json!({"a": null, "b": {"x": {"y": null, "z": "v"}}}),
            &CLOSED
        ),
        Ok(())
    );
    let unknown = error(json!({"a": "v", "c": 1}), &CLOSED);
    assert!(matches!(unknown, Invalid::Unknown { .. }), "{unknown:?}");
    assert_eq!(unknown.path().to_string(), "c");
    assert_eq!(unknown.reason(), "is not allowed here; use a, b");
    let deep = error(json!({"b": {"plain": {"tax rate": 7}}}), &CLOSED);
    assert_eq!(deep.path().to_string(), r#"b.plain["tax rate"]"#);
    assert_eq!(
        deep.reason(),
        "expected a string, an object or null, got an integer"
    );
    assert_eq!(path(json!({"a": [null]}), &CLOSED), "a");
}
