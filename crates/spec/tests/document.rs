//! The OpenAPI document against the contract, and the generated wire types against JSON samples
//! taken from the contract.

use std::collections::BTreeSet;

use exsited_core::{ConnectionId, ListQuery, PartnerFunctionId};
use exsited_spec::{
    BareError, ConfigurationUpdated, Connection, ConnectionEnvelope, ConnectionList,
    CreateConnectionRequest, ErrorCode, ErrorEnvelope, MessageResponse, OPENAPI_YAML, Secret,
    TokenRequest, TokenResponse, V4ErrorEnvelope, V4Errors, headers, parameters, paths,
};
use serde_yaml_ng::Value;

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];
const ERROR_ENVELOPE: &str = "#/components/schemas/ErrorEnvelope";

fn doc() -> Value {
    serde_yaml_ng::from_str(OPENAPI_YAML).expect("openapi.yaml parses")
}

/// Every operation: (method, path, operation object).
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_mapping().expect("paths is a mapping") {
        for (method, op) in item.as_mapping().expect("path item is a mapping") {
            let method = method.as_str().expect("method is a string");
            if METHODS.contains(&method) {
                let path = path.as_str().expect("path is a string").to_owned();
                out.push((method.to_uppercase(), path, op.clone()));
            }
        }
    }
    out
}

fn operation(doc: &Value, id: &str) -> Value {
    operations(doc)
        .into_iter()
        .find(|(_, _, op)| op["operationId"].as_str() == Some(id))
        .unwrap_or_else(|| panic!("no operation {id}"))
        .2
}

/// Follows a `$ref` inside the document.
fn resolve<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    match value.get("$ref").and_then(Value::as_str) {
        Some(target) => {
            let pointer = target.strip_prefix("#/").expect("local reference");
            pointer.split('/').fold(doc, |node, key| &node[key])
        }
        None => value,
    }
}

fn status_keys(op: &Value) -> BTreeSet<String> {
    op["responses"]
        .as_mapping()
        .expect("responses is a mapping")
        .keys()
        .map(|k| match k {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            other => panic!("odd status key {other:?}"),
        })
        .collect()
}

#[test]
fn every_operation_has_a_unique_camel_case_id() {
    let doc = doc();
    let ops = operations(&doc);
    let mut ids = BTreeSet::new();
    for (method, path, op) in &ops {
        let id = op["operationId"]
            .as_str()
            .unwrap_or_else(|| panic!("{method} {path} has no operationId"));
        assert!(
            id.chars().next().is_some_and(|c| c.is_ascii_lowercase()),
            "{id}"
        );
        assert!(id.chars().all(|c| c.is_ascii_alphanumeric()), "{id}");
        assert!(ids.insert(id.to_owned()), "operationId {id} is used twice");
    }
    let expected = [
        "issueToken",
        "listConnections",
        "getConnection",
        "listConnectionsV3",
        "getConnectionV3",
        "createConnection",
        "enableConnection",
        "disableConnection",
        "deleteConnection",
        "listAutomations",
        "getAutomation",
        "createAutomation",
        "updateAutomation",
        "listPartnerFunctions",
        "getPartnerFunction",
        "createPartnerFunction",
        "updatePartnerFunction",
        "deletePartnerFunction",
        "enableAutomation",
        "disableAutomation",
        "enablePartnerFunction",
        "disablePartnerFunction",
        "getConfiguration",
        "updateConfiguration",
        "health",
        "openapiDocument",
        "apiDocs",
        "apiDocsScript",
        "apiDocsSwaggerUi",
        "apiDocsStyle",
    ];
    assert_eq!(ids, expected.iter().map(|s| s.to_string()).collect());
}

#[test]
fn generated_paths_match_the_document() {
    let doc = doc();
    let ops = operations(&doc);
    assert_eq!(paths::ALL.len(), ops.len());
    for op in paths::ALL {
        assert!(
            ops.iter().any(|(method, path, o)| {
                method == op.method
                    && path == op.template
                    && o["operationId"].as_str() == Some(op.id)
            }),
            "{op:?} is not in the document"
        );
    }
    assert_eq!(paths::DELETE_CONNECTION.method, "DELETE");
    let connection = ConnectionId::parse(UUID).unwrap();
    let delete = paths::delete_connection(connection);
    assert_eq!(delete.operation(), paths::DELETE_CONNECTION);
    assert_eq!(delete.as_str(), format!("/api/v3/integration/{UUID}"));
    let function = PartnerFunctionId::random();
    let update = paths::update_partner_function(connection, function);
    assert_eq!(update.operation(), paths::UPDATE_PARTNER_FUNCTION);
    assert_eq!(
        update.to_string(),
        format!("/api/v3/integration/{UUID}/partner-function/{function}")
    );
    let query = ListQuery::new(5, 10).unwrap();
    let list = paths::list_automations(connection, &query);
    assert_eq!(list.operation(), paths::LIST_AUTOMATIONS);
    assert_eq!(
        String::from(list),
        format!(
            "/api/v3/integration/{UUID}/automation?limit=5&offset=10&order_by=created_on&direction=asc"
        )
    );
    assert_eq!(paths::health().as_str(), paths::HEALTH.template);
    // The contract's form, trailing slash included.
    assert_eq!(
        paths::LIST_PARTNER_FUNCTIONS.template,
        "/api/v3/integration/{uuid}/partner-function/"
    );
}

#[test]
fn header_and_parameter_names_are_the_documents() {
    let doc = doc();
    let params = &doc["components"]["parameters"];
    for (component, header) in [
        ("IdempotencyKey", headers::X_IDEMPOTENCY_KEY),
        ("RequestId", headers::X_REQUEST_ID),
    ] {
        assert_eq!(params[component]["in"].as_str(), Some("header"));
        assert_eq!(params[component]["name"].as_str(), Some(header.name));
        assert_eq!(header.lowercase, header.name.to_ascii_lowercase());
    }
    for (component, name) in [
        ("ConnectionUuid", parameters::UUID),
        ("AutomationUuid", parameters::AUTOMATION_UUID),
        ("PartnerFunctionUuid", parameters::PF_UUID),
        ("Limit", parameters::LIMIT),
        ("Offset", parameters::OFFSET),
        ("OrderBy", parameters::ORDER_BY),
        ("Direction", parameters::DIRECTION),
        ("ConnectionFields", parameters::FIELDS),
    ] {
        assert_eq!(
            params[component]["name"].as_str(),
            Some(name),
            "{component}"
        );
    }
    // Every keyed create says how a replay is marked; the connection's also where it now lives.
    for id in [
        "createConnection",
        "createAutomation",
        "createPartnerFunction",
    ] {
        let created = &operation(&doc, id)["responses"]["201"]["headers"];
        let replayed = resolve(&doc, &created[headers::IDEMPOTENT_REPLAYED.name]);
        assert_eq!(
            replayed["schema"]["enum"],
            serde_yaml_ng::from_str::<Value>("['true']").unwrap(),
            "{id}"
        );
    }
    let created = &operation(&doc, "createConnection")["responses"]["201"]["headers"];
    assert!(created.get(headers::LOCATION.name).is_some());
}

#[test]
fn enable_and_disable_answer_with_the_documents_messages() {
    let doc = doc();
    for (id, message) in [
        ("enableConnection", MessageResponse::enabled("XERO")),
        ("disableConnection", MessageResponse::disabled("XERO")),
        ("enableAutomation", MessageResponse::automation(true)),
        ("disableAutomation", MessageResponse::automation(false)),
        (
            "enablePartnerFunction",
            MessageResponse::partner_function(true),
        ),
        (
            "disablePartnerFunction",
            MessageResponse::partner_function(false),
        ),
        (
            "updateConfiguration",
            MessageResponse {
                message: ConfigurationUpdated::new(Default::default()).message,
            },
        ),
    ] {
        let op = operation(&doc, id);
        let example = &op["responses"]["200"]["content"]["application/json"]["example"]["message"];
        assert_eq!(example.as_str(), Some(message.message.as_str()), "{id}");
        assert!(!message.message.is_empty(), "{id}: never an empty answer");
    }
}

/// The operations of the contract's section 8 are writes but the read: a read-only client
/// gets 403, and each says so.
#[test]
fn the_sync_operations_are_writes_with_no_body_but_the_configurations() {
    let doc = doc();
    for id in [
        "enableAutomation",
        "disableAutomation",
        "enablePartnerFunction",
        "disablePartnerFunction",
        "deletePartnerFunction",
        "updateConfiguration",
    ] {
        let op = operation(&doc, id);
        let text = op["description"].as_str().unwrap_or_default();
        assert!(text.contains("read-only client gets 403"), "{id}: {text}");
        assert_eq!(
            op.get("requestBody").is_some(),
            id == "updateConfiguration",
            "{id}"
        );
    }
    let deleted = &operation(&doc, "deletePartnerFunction")["responses"]["204"];
    assert!(deleted.get("content").is_none(), "204 has an empty body");
}

/// The v3 list and read of connections (the PHP SDK's paths) are the v2 operations on another
/// path: the same parameters and the same responses.
#[test]
fn the_v3_connection_reads_are_aliases_of_the_v2_ones() {
    let doc = doc();
    for (alias, original) in [
        ("listConnectionsV3", "listConnections"),
        ("getConnectionV3", "getConnection"),
    ] {
        let (alias, original) = (operation(&doc, alias), operation(&doc, original));
        assert_eq!(alias["parameters"], original["parameters"]);
        assert_eq!(alias["responses"], original["responses"]);
    }
    assert_eq!(
        paths::LIST_CONNECTIONS_V3.template,
        "/api/v3/integration-connections"
    );
    let id = ConnectionId::parse(UUID).unwrap();
    assert_eq!(
        paths::get_connection_v3(id).as_str(),
        format!("/api/v3/integration-connections/{UUID}")
    );
}

/// Every link names an operation of the document and fills exactly its path parameters, each
/// from a path parameter of the request or a string field of the response body, so that a
/// stateful test can follow it.
#[test]
fn links_name_real_operations_and_fill_their_path_parameters() {
    let doc = doc();
    let path_params = |op: &Value| -> BTreeSet<String> {
        op["parameters"]
            .as_sequence()
            .into_iter()
            .flatten()
            .map(|p| resolve(&doc, p))
            .filter(|p| p["in"].as_str() == Some("path"))
            .map(|p| p["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let mut seen = BTreeSet::new();
    for (method, path, op) in operations(&doc) {
        for (status, response) in op["responses"].as_mapping().unwrap() {
            let Some(links) = response.get("links").and_then(Value::as_mapping) else {
                continue;
            };
            let at = format!("{method} {path} {status:?}");
            for (name, link) in links {
                let target = operation(&doc, link["operationId"].as_str().unwrap());
                let filled: BTreeSet<String> = link["parameters"]
                    .as_mapping()
                    .unwrap()
                    .keys()
                    .map(|k| k.as_str().unwrap().to_owned())
                    .collect();
                assert_eq!(filled, path_params(&target), "{at} {name:?}");
                for (param, expression) in link["parameters"].as_mapping().unwrap() {
                    let expression = expression.as_str().unwrap();
                    if let Some(from) = expression.strip_prefix("$request.path.") {
                        assert!(path_params(&op).contains(from), "{at} {param:?}");
                    } else {
                        let pointer = expression
                            .strip_prefix("$response.body#/")
                            .unwrap_or_else(|| panic!("{at} {param:?}: {expression}"));
                        let mut schema =
                            resolve(&doc, &response["content"]["application/json"]["schema"]);
                        for key in pointer.split('/') {
                            schema = resolve(&doc, &schema["properties"][key]);
                        }
                        assert_eq!(schema["type"].as_str(), Some("string"), "{at} {param:?}");
                    }
                }
                seen.insert((
                    op["operationId"].as_str().unwrap().to_owned(),
                    link["operationId"].as_str().unwrap().to_owned(),
                ));
            }
        }
    }
    for (from, to) in [
        ("createConnection", "getConnection"),
        ("createConnection", "deleteConnection"),
        ("createConnection", "enableConnection"),
        ("createConnection", "disableConnection"),
        ("createAutomation", "getAutomation"),
        ("createAutomation", "enableAutomation"),
        ("createAutomation", "disableAutomation"),
        ("createPartnerFunction", "getPartnerFunction"),
        ("createPartnerFunction", "deletePartnerFunction"),
        ("createPartnerFunction", "enablePartnerFunction"),
        ("createPartnerFunction", "disablePartnerFunction"),
        ("deleteConnection", "listAutomations"),
        ("deleteConnection", "listPartnerFunctions"),
        ("deleteConnection", "getConfiguration"),
        ("deletePartnerFunction", "getPartnerFunction"),
    ] {
        assert!(
            seen.contains(&(from.to_owned(), to.to_owned())),
            "no link {from} -> {to}"
        );
    }
}

#[test]
fn delete_documents_every_status_of_the_contract() {
    let doc = doc();
    let delete = operation(&doc, "deleteConnection");
    let statuses = status_keys(&delete);
    for status in ["204", "400", "401", "403", "404", "429", "5XX"] {
        assert!(statuses.contains(status), "delete lacks {status}");
    }
    let no_content = &delete["responses"]["204"];
    assert!(no_content.get("content").is_none(), "204 has an empty body");
    assert!(no_content["headers"].get("Content-Type").is_some());
    assert!(no_content["headers"].get("X-Request-Id").is_some());
    assert!(delete.get("requestBody").is_none());
}

#[test]
fn statuses_per_operation() {
    let doc = doc();
    let common = ["400", "401", "405", "429", "5XX"];
    let cases: &[(&str, &str, &[&str])] = &[
        ("issueToken", "200", &["413", "415"]),
        ("listConnections", "200", &["403"]),
        ("getConnection", "200", &["403", "404"]),
        ("createConnection", "201", &["403", "413", "415", "422"]),
        ("enableConnection", "200", &["403", "404"]),
        ("disableConnection", "200", &["403", "404"]),
        ("deleteConnection", "204", &["403", "404"]),
        ("listAutomations", "200", &["403", "404"]),
        ("getAutomation", "200", &["403", "404"]),
        (
            "createAutomation",
            "201",
            &["403", "404", "413", "415", "422"],
        ),
        ("updateAutomation", "200", &["403", "404", "413", "415"]),
        ("listPartnerFunctions", "200", &["403", "404"]),
        ("getPartnerFunction", "200", &["403", "404"]),
        (
            "createPartnerFunction",
            "201",
            &["403", "404", "413", "415", "422"],
        ),
        (
            "updatePartnerFunction",
            "200",
            &["403", "404", "413", "415"],
        ),
        ("listConnectionsV3", "200", &["403"]),
        ("getConnectionV3", "200", &["403", "404"]),
        ("deletePartnerFunction", "204", &["403", "404"]),
        ("enableAutomation", "200", &["403", "404"]),
        ("disableAutomation", "200", &["403", "404"]),
        ("enablePartnerFunction", "200", &["403", "404"]),
        ("disablePartnerFunction", "200", &["403", "404"]),
        ("getConfiguration", "200", &["403", "404"]),
        ("updateConfiguration", "200", &["403", "404", "413", "415"]),
    ];
    for (id, success, extra) in cases {
        let statuses = status_keys(&operation(&doc, id));
        for status in common.iter().chain(extra.iter()).chain([success]) {
            assert!(statuses.contains(*status), "{id} lacks {status}");
        }
        let successes: Vec<_> = statuses.iter().filter(|s| s.starts_with('2')).collect();
        assert_eq!(successes, [success], "{id}");
    }
    let delete = operation(&doc, "deleteConnection");
    let retry = resolve(&doc, &delete["responses"]["429"]);
    assert!(retry["headers"].get("Retry-After").is_some());
}

#[test]
fn every_response_has_request_id_and_content_type_and_errors_use_the_v3_envelope() {
    let doc = doc();
    for (method, path, op) in operations(&doc) {
        for (status, response) in op["responses"].as_mapping().expect("responses") {
            let status = match status {
                Value::String(s) => s.clone(),
                other => format!("{other:?}"),
            };
            let response = resolve(&doc, response);
            let headers = &response["headers"];
            assert!(
                headers.get("X-Request-Id").is_some(),
                "{method} {path} {status}"
            );
            assert!(
                headers.get("Content-Type").is_some(),
                "{method} {path} {status}"
            );
            if !status.starts_with('2') {
                let schema = &response["content"]["application/json"]["schema"]["$ref"];
                assert_eq!(
                    schema.as_str(),
                    Some(ERROR_ENVELOPE),
                    "{method} {path} {status}"
                );
            }
        }
    }
}

#[test]
fn security_idempotency_pagination_and_secrets() {
    let doc = doc();
    assert_eq!(
        doc["components"]["securitySchemes"]["bearerAuth"]["scheme"].as_str(),
        Some("bearer")
    );
    for id in ["issueToken", "health", "openapiDocument"] {
        let security = operation(&doc, id)["security"].as_sequence().cloned();
        assert_eq!(security, Some(Vec::new()), "{id} needs no token");
    }
    let param_names = |id: &str| -> Vec<String> {
        operation(&doc, id)["parameters"]
            .as_sequence()
            .expect("parameters")
            .iter()
            .map(|p| resolve(&doc, p)["name"].as_str().expect("name").to_owned())
            .collect()
    };
    for id in [
        "createConnection",
        "createAutomation",
        "createPartnerFunction",
    ] {
        assert!(
            param_names(id).contains(&"X-Idempotency-Key".to_owned()),
            "{id}"
        );
    }
    for id in ["listConnections", "listAutomations", "listPartnerFunctions"] {
        let names = param_names(id);
        for name in [
            "limit",
            "offset",
            "order_by",
            "direction",
            "fields",
            "X-Request-Id",
        ] {
            assert!(names.contains(&name.to_owned()), "{id} lacks {name}");
        }
    }
    let limit = &doc["components"]["parameters"]["Limit"]["schema"];
    assert_eq!(limit["default"].as_u64(), Some(20));
    assert_eq!(limit["maximum"].as_u64(), Some(100));
    let order_by = &doc["components"]["parameters"]["OrderBy"]["schema"]["enum"];
    assert_eq!(
        order_by,
        &serde_yaml_ng::from_str::<Value>("[created_on, uuid]").unwrap()
    );

    let schemas = &doc["components"]["schemas"];
    let secret_fields = [
        ("Connection", "client_secret"),
        ("Connection", "access_token"),
        ("Connection", "refresh_token"),
        ("CreateConnectionRequest", "integration_client_secret"),
        ("CreateConnectionRequest", "integration_access_token"),
        ("CreateConnectionRequest", "integration_refresh_token"),
        ("CreateConnectionRequest", "user_password"),
        ("TokenRequest", "client_secret"),
        ("TokenRequest", "refresh_token"),
        ("TokenResponse", "access_token"),
        ("TokenResponse", "refresh_token"),
    ];
    for (schema, field) in secret_fields {
        let prop = &schemas[schema]["properties"][field];
        assert_eq!(prop["x-secret"].as_bool(), Some(true), "{schema}.{field}");
        assert_eq!(
            prop["format"].as_str(),
            Some("password"),
            "{schema}.{field}"
        );
    }
}

// --- the generated types against JSON samples from the contract ---

const UUID: &str = "3f0c8a52-9a4e-4d8e-9d53-6f3b2f5b8a10";

fn record_json() -> serde_json::Value {
    serde_json::json!({
        "uuid": UUID,
        "status": "ACTIVE",
        "integration_partner": "XERO",
        "remote_instance_id": "org-1",
        "remote_instance_name": "",
        "client_id": "partner-client",
        "client_secret": "partner-secret-value",
        "access_token": "partner-access-value",
        "refresh_token": "partner-refresh-value"
    })
}

#[test]
fn list_envelope_with_every_end_of_list_marker() {
    for (marker, expected) in [
        (serde_json::json!("NULL"), Some("NULL")),
        (serde_json::json!(""), Some("")),
        (serde_json::Value::Null, None),
    ] {
        let body = serde_json::json!({
            "integration_connection": [record_json()],
            "pagination": {"records": 57, "limit": 20, "offset": 20,
                           "previous_page": "https://example.invalid/prev", "next_page": marker}
        });
        let list: ConnectionList = serde_json::from_value(body).expect("list parses");
        let page = list.pagination.as_ref().expect("pagination");
        assert_eq!((page.records, page.limit, page.offset), (57, 20, 20));
        assert_eq!(page.next_page.as_deref(), expected);
        assert_eq!(list.integration_connection.len(), 1);
        let record = &list.integration_connection[0];
        assert_eq!(
            record.client_secret.as_ref().map(Secret::expose),
            Some("partner-secret-value")
        );
        let printed = format!("{list:?}");
        assert!(!printed.contains("partner-secret-value") && !printed.contains("partner-access"));
        assert!(!printed.contains("partner-refresh-value"), "{printed}");
    }
}

#[test]
fn connection_round_trip_and_missing_optional_fields() {
    let record: Connection = serde_json::from_value(record_json()).expect("parses");
    assert_eq!(
        serde_json::to_value(&record).expect("serializes"),
        record_json()
    );

    let sparse: Connection =
        serde_json::from_value(serde_json::json!({"uuid": UUID, "surprise": 1})).expect("parses");
    assert_eq!(sparse.uuid, UUID);
    assert_eq!(sparse.status, "");
    assert_eq!(sparse.remote_instance_name, "");
    assert!(sparse.client_secret.is_none() && sparse.access_token.is_none());

    let one: ConnectionEnvelope = serde_json::from_value(
        serde_json::json!({"integration_connection": {"uuid": UUID, "status": "INACTIVE"}}),
    )
    .expect("parses");
    assert_eq!(one.integration_connection.status, "INACTIVE");
}

#[test]
fn v3_error_with_integer_and_string_code() {
    let body = serde_json::json!({"errors": [{"code": 404, "message": "Integration connection not found",
                                             "details": {"connection_uuid": UUID}}]});
    let envelope: ErrorEnvelope = serde_json::from_value(body.clone()).expect("parses");
    let error = &envelope.errors[0];
    assert_eq!(error.code, ErrorCode::Number(404));
    assert_eq!(
        error.details.as_ref().expect("details")["connection_uuid"],
        UUID
    );
    assert_eq!(serde_json::to_value(&envelope).expect("serializes"), body);

    let text: ErrorEnvelope =
        serde_json::from_str(r#"{"errors":[{"code":"not_found","message":"gone"}]}"#)
            .expect("parses");
    assert_eq!(text.errors[0].code, ErrorCode::Text("not_found".into()));
    assert!(text.errors[0].details.is_none());
}

#[test]
fn v4_error_with_list_map_and_string_errors() {
    let base = r#""object":"error","request_id":"req_123","status":400,"code":"validation_error","message":"bad","doc_url":"https://example.invalid/doc""#;
    let list: V4ErrorEnvelope = serde_json::from_str(&format!(
        r#"{{{base},"errors":[{{"field":"name","code":"required","message":"name is required"}}]}}"#
    ))
    .expect("list form");
    assert_eq!(list.object, "error");
    assert_eq!(list.request_id, "req_123");
    assert_eq!(list.status, Some(400));
    assert_eq!(list.code, Some(ErrorCode::Text("validation_error".into())));
    match list.errors {
        Some(V4Errors::List(items)) => assert_eq!(items[0].field, "name"),
        other => panic!("{other:?}"),
    }

    let map: V4ErrorEnvelope =
        serde_json::from_str(&format!(r#"{{{base},"errors":{{"name":"is required"}}}}"#))
            .expect("map form");
    match map.errors {
        Some(V4Errors::Map(m)) => assert_eq!(m["name"], "is required"),
        other => panic!("{other:?}"),
    }

    let text: V4ErrorEnvelope =
        serde_json::from_str(&format!(r#"{{{base},"errors":"name is required"}}"#))
            .expect("string form");
    assert_eq!(text.errors, Some(V4Errors::Text("name is required".into())));

    let minimal: V4ErrorEnvelope = serde_json::from_str(r#"{"object":"error"}"#).expect("minimal");
    assert!(minimal.errors.is_none() && minimal.status.is_none());
}

#[test]
fn bare_error() {
    let bare: BareError =
        serde_json::from_str(r#"{"code":"unauthorized","message":"Unauthorized access"}"#)
            .expect("parses");
    assert_eq!(bare.code, ErrorCode::Text("unauthorized".into()));
    assert_eq!(bare.message, "Unauthorized access");
}

#[test]
fn token_request_and_response() {
    let request: TokenRequest = serde_json::from_str(
        r#"{"grant_type":"client_credentials","client_id":"c","client_secret":"client-secret-value",
            "redirect_uri":"https://example.invalid/cb","exsited_url":"https://example.invalid"}"#,
    )
    .expect("unknown fields are ignored");
    assert_eq!(request.grant_type, "client_credentials");
    assert!(request.refresh_token.is_none());
    assert!(!format!("{request:?}").contains("client-secret-value"));

    let response: TokenResponse = serde_json::from_str(
        r#"{"access_token":"access-value","refresh_token":"refresh-value","expires_in":3600,"token_type":"Bearer"}"#,
    )
    .expect("parses");
    assert_eq!(response.access_token.expose(), "access-value");
    assert_eq!(response.expires_in, Some(3600));
    assert_eq!(response.token_type, "Bearer");
    let printed = format!("{response:?}");
    assert!(!printed.contains("access-value") && !printed.contains("refresh-value"));

    let without_type: TokenResponse =
        serde_json::from_str(r#"{"access_token":"a","refresh_token":"r","expires_in":3600}"#)
            .expect("token_type is optional");
    assert_eq!(without_type.token_type, "");
}

#[test]
fn create_connection_request_needs_provider_and_remote_instance_id() {
    let ok: CreateConnectionRequest = serde_json::from_str(
        r#"{"provider":"XERO","remote_instance_id":"org-1","integration_client_secret":"cs-value",
            "require_authentication":false,"unknown":"ignored"}"#,
    )
    .expect("parses");
    assert_eq!(ok.provider, "XERO");
    assert_eq!(ok.require_authentication, Some(false));
    assert!(!format!("{ok:?}").contains("cs-value"));
    assert!(serde_json::from_str::<CreateConnectionRequest>(r#"{"provider":"XERO"}"#).is_err());
}
