//! The document against the rules of `exsited-core`, and the generated schemas against the
//! document: where the document states a bound, it is the domain's bound, so that the
//! reference server (which checks bodies against the document, then builds domain values)
//! accepts exactly what the document allows.

use exsited_core::{
    DEFAULT_LIMIT, MAX_LIMIT, MAX_OBJECT_MAPPING_CHARS, MAX_PARTNER_CHARS, MAX_SECRET_CHARS,
    MAX_TEXT_CHARS, Name, NewConnection, Partner, Text,
};
use exsited_spec::schema::{Kind, Pattern, Schema};
use exsited_spec::{OPENAPI_YAML, schemas};
use serde_yaml_ng::Value;

fn doc() -> Value {
    serde_yaml_ng::from_str(OPENAPI_YAML).expect("openapi.yaml parses")
}

fn text(schema: &Schema, field: &str) -> (Option<u64>, Option<u64>, Option<Pattern>) {
    let property = schema
        .object()
        .and_then(|o| o.property(field))
        .unwrap_or_else(|| panic!("{} has no {field}", schema.name));
    match &property.schema.kind {
        Kind::String(t) => (t.min_length, t.max_length, t.pattern),
        other => panic!("{}.{field} is {other:?}", schema.name),
    }
}

fn chars(n: usize) -> Option<u64> {
    Some(n as u64)
}

#[test]
fn the_generated_schemas_are_the_documents() {
    let doc = doc();
    let names: Vec<&str> = doc["components"]["schemas"]
        .as_mapping()
        .expect("schemas")
        .keys()
        .map(|k| k.as_str().expect("name"))
        .collect();
    let generated: Vec<&str> = schemas::ALL.iter().map(|s| s.name).collect();
    assert_eq!(generated, names);
}

#[test]
fn text_bounds_are_the_domains() {
    let connection = &schemas::CREATE_CONNECTION_REQUEST;
    assert_eq!(
        text(connection, "provider"),
        (
            Some(1),
            chars(MAX_PARTNER_CHARS),
            Some(Pattern::PartnerName)
        )
    );
    assert_eq!(
        text(connection, "remote_instance_id"),
        (Some(1), chars(MAX_TEXT_CHARS), Some(Pattern::NotBlank))
    );
    for field in ["remote_instance_name", "integration_client_id"] {
        assert_eq!(
            text(connection, field),
            (
                None,
                chars(MAX_TEXT_CHARS),
                Some(Pattern::NoControlCharacters)
            ),
            "{field}"
        );
    }
    for field in [
        "integration_client_secret",
        "integration_access_token",
        "integration_refresh_token",
    ] {
        assert_eq!(
            text(connection, field),
            (
                None,
                chars(MAX_SECRET_CHARS),
                Some(Pattern::NoControlCharacters)
            ),
            "{field}"
        );
    }

    // Every text field of the sync configurations is stored, so every one is bounded.
    for (schema, name) in [
        (&schemas::AUTOMATION_DETAILS, Some("name")),
        (&schemas::PARTNER_FUNCTION_INPUT, Some("name")),
        (&schemas::CRITERIA_GROUP, None),
        (&schemas::CRITERIA_RULE, None),
    ] {
        for field in schema.object().expect("object").names() {
            if matches!(
                schema
                    .object()
                    .and_then(|o| o.property(field))
                    .map(|p| &p.schema.kind),
                Some(Kind::Array(_))
            ) {
                continue;
            }
            let expected = if Some(field) == name {
                (Some(1), chars(MAX_TEXT_CHARS), Some(Pattern::NotBlank))
            } else if field == "object_mapping" {
                // The domain bounds it and keeps it as the sender wrote it, line breaks included.
                (None, chars(MAX_OBJECT_MAPPING_CHARS), None)
            } else {
                (
                    None,
                    chars(MAX_TEXT_CHARS),
                    Some(Pattern::NoControlCharacters),
                )
            };
            assert_eq!(text(schema, field), expected, "{}.{field}", schema.name);
        }
    }
}

/// The document's patterns and the domain's checks agree on every character: a name, a
/// remote instance id and a free text of one character (or of it between letters) pass the
/// domain exactly when they match the pattern the document gives the field.
#[test]
fn patterns_are_the_domains_checks_on_every_character() {
    let partner = || Partner::new("XERO").expect("a partner");
    let mut disagree = Vec::new();
    for c in ('\0'..='\u{ffff}').chain(['\u{1f600}', '\u{10ffff}']) {
        for value in [c.to_string(), format!("a{c}b")] {
            let blank = Pattern::NotBlank.matches(&value);
            let text = Pattern::NoControlCharacters.matches(&value);
            if Name::new("name", &value).is_ok() != blank {
                disagree.push(format!("name {value:?}"));
            }
            if NewConnection::new(partner(), &value).is_ok() != blank {
                disagree.push(format!("remote_instance_id {value:?}"));
            }
            if Text::new("code", &value).is_ok() != text {
                disagree.push(format!("text {value:?}"));
            }
        }
    }
    assert!(
        disagree.is_empty(),
        "the domain and the document disagree: {disagree:?}"
    );
}

#[test]
fn names_are_required_on_create_and_not_null_on_update() {
    for (create, wrapper, details, update) in [
        (
            &schemas::AUTOMATION_CREATE_REQUEST,
            "integration",
            Some("automation_details"),
            &schemas::AUTOMATION_DETAILS,
        ),
        (
            &schemas::PARTNER_FUNCTION_CREATE_REQUEST,
            "partner_function",
            None,
            &schemas::PARTNER_FUNCTION_INPUT,
        ),
    ] {
        let mut schema = create.object().unwrap().property(wrapper).unwrap();
        if let Some(details) = details {
            assert!(schema.required);
            schema = schema.schema.object().unwrap().property(details).unwrap();
        }
        assert!(schema.required, "{}", create.name);
        let name = schema.schema.object().unwrap().property("name").unwrap();
        assert!(name.required, "{}", create.name);
        let on_update = update.object().unwrap().property("name").unwrap();
        assert!(!on_update.required && !on_update.schema.nullable);
    }
}

#[test]
fn list_parameters_are_the_domains_and_fields_are_the_records_properties() {
    let doc = doc();
    let params = &doc["components"]["parameters"];
    let limit = &params["Limit"]["schema"];
    assert_eq!(limit["minimum"].as_u64(), Some(1));
    assert_eq!(limit["maximum"].as_u64(), Some(u64::from(MAX_LIMIT)));
    assert_eq!(limit["default"].as_u64(), Some(u64::from(DEFAULT_LIMIT)));
    assert_eq!(params["Offset"]["schema"]["minimum"].as_u64(), Some(0));

    for (param, record) in [
        ("ConnectionFields", &schemas::CONNECTION),
        ("AutomationFields", &schemas::AUTOMATION),
        ("PartnerFunctionFields", &schemas::PARTNER_FUNCTION),
    ] {
        let param = &params[param];
        assert_eq!(param["name"].as_str(), Some("fields"));
        assert_eq!(param["style"].as_str(), Some("form"));
        assert_eq!(param["explode"].as_bool(), Some(false));
        let names: Vec<&str> = param["schema"]["items"]["enum"]
            .as_sequence()
            .expect("an enum of names")
            .iter()
            .map(|v| v.as_str().expect("a name"))
            .collect();
        let properties: Vec<&str> = record.object().unwrap().names().collect();
        assert_eq!(names, properties, "{}", record.name);
    }
}

#[test]
fn the_document_route_declares_an_openapi_object() {
    let doc = doc();
    let schema = &doc["paths"]["/openapi.yaml"]["get"]["responses"]["200"]["content"]["application/yaml"]
        ["schema"];
    assert_eq!(schema["type"].as_str(), Some("object"));
    for key in schema["required"].as_sequence().expect("required keys") {
        let key = key.as_str().expect("a key");
        assert!(doc.get(key).is_some(), "the document has no `{key}`");
    }
    assert!(
        doc["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1"))
    );
}

/// The configuration: the sections the request may name and the document holds are the
/// domain's, the request refuses any other, and the bounds its description states are the
/// domain's.
#[test]
fn the_configuration_is_the_domains() {
    use exsited_core::configuration::{MAX_DEPTH, MAX_DOCUMENT_BYTES, MAX_KEY_CHARS, Section};

    let sections: Vec<&str> = Section::ALL.iter().map(|s| s.as_str()).collect();
    let request = schemas::CONFIGURATION_REQUEST.object().unwrap();
    assert_eq!(request.names().collect::<Vec<_>>(), sections);
    assert!(request.closed, "an unknown section is refused");
    let document = schemas::CONFIGURATION_DOCUMENT.object().unwrap();
    assert_eq!(document.names().collect::<Vec<_>>(), sections);

    let doc = doc();
    let text = doc["paths"]["/api/v3/integration/{uuid}/configuration"]["patch"]["description"]
        .as_str()
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for bound in [
        format!("at most {MAX_DOCUMENT_BYTES} bytes"),
        format!("at most {MAX_DEPTH} levels"),
        format!("1 to {MAX_KEY_CHARS} characters"),
    ] {
        assert!(text.contains(&bound), "{bound}: {text}");
    }
}
