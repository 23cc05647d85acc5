//! Request bodies are read through the document's schemas: no error quotes a value (a secret of
//! any JSON type included), every body is an object where the document says so, and every
//! error names the field path, on every route that takes a body.

use exsited_spec::schema::{Kind, Schema};
use exsited_spec::schemas;
use serde_json::{Value, json};

use crate::support::{self, Api, Response, WRITER, token_request};

/// A value that must never appear in a response.
const SECRET: &str = "sk_live_4f9a1c7e_never_echo";
const NUMBER: &str = "35817425447964";

/// One value of every JSON type but string, each holding something that must not be echoed.
fn every_other_type() -> Vec<(Value, &'static str)> {
    vec![
        (json!(35817425447964_u64), "an integer"),
        (json!(35817425447964.5), "a number"),
        (json!(true), "a boolean"),
        (json!([SECRET, 35817425447964_u64]), "an array"),
        (json!({"value": SECRET}), "an object"),
        (Value::Null, "null"),
    ]
}

/// The properties of an object schema that the document marks `x-secret`.
fn secret_fields(schema: &Schema) -> Vec<&'static str> {
    schema
        .object()
        .expect("an object schema")
        .properties
        .iter()
        .filter(|p| matches!(&p.schema.kind, Kind::String(text) if text.secret))
        .map(|p| p.name)
        .collect()
}

/// Asserts a 400 whose message is `invalid {field}: {reason}` with `details.field`, and that
/// the response carries none of the values sent.
fn expect_field_error(response: &Response, field: &str, reason: &str) {
    let raw = String::from_utf8_lossy(&response.body).into_owned();
    assert!(
        !raw.contains(SECRET) && !raw.contains(NUMBER),
        "a value was echoed: {raw}"
    );
    let (message, details) = response.expect_error(400);
    assert_eq!(message, format!("invalid {field}: {reason}"), "{raw}");
    assert_eq!(details["field"], field, "{raw}");
}

#[tokio::test]
async fn a_secret_of_any_json_type_is_never_echoed() {
    let t = support::start().await;
    let api = Api::login(t.addr, WRITER).await;

    let connection_secrets = secret_fields(&schemas::CREATE_CONNECTION_REQUEST);
    assert_eq!(
        connection_secrets,
        [
            "integration_client_secret",
            "integration_access_token",
            "integration_refresh_token",
            "user_password"
        ]
    );
    for field in connection_secrets {
        for (value, found) in every_other_type() {
            let mut body = support::connection_body("org-s");
            body[field] = value;
            let response = api.post("/api/v3/integration", &body).await;
            expect_field_error(&response, field, &format!("expected a string, got {found}"));
        }
    }

    let token_secrets = secret_fields(&schemas::TOKEN_REQUEST);
    assert_eq!(token_secrets, ["client_secret", "refresh_token"]);
    for field in token_secrets {
        for (value, found) in every_other_type() {
            let mut body = json!({"grant_type": "refresh_token", "client_id": WRITER.0,
                                  "client_secret": WRITER.1, "refresh_token": "rt_x"});
            body[field] = value;
            let response = token_request(t.addr, body).await;
            expect_field_error(&response, field, &format!("expected a string, got {found}"));
        }
    }
}

#[tokio::test]
async fn malformed_json_gives_line_and_column_and_no_value() {
    let t = support::start().await;
    let api = Api::login(t.addr, WRITER).await;
    let auth = format!("Bearer {}", api.token);
    for (path, body) in [
        (
            "/api/v1/oauth2/token",
            format!("{{\"grant_type\": \"client_credentials\",\n \"client_secret\": \"{SECRET}"),
        ),
        (
            "/api/v3/integration",
            format!("{{\"provider\": \"xero\",\n \"integration_client_secret\": {SECRET}}}"),
        ),
        (
            "/api/v3/integration",
            format!("{{\"provider\": \"xero\",\n \"user_password\": \"{SECRET}\\q\"}}"),
        ),
    ] {
        let response = support::send(
            t.addr,
            "POST",
            path,
            &[
                ("Authorization", &auth),
                ("Content-Type", "application/json"),
            ],
            Some(body.as_bytes()),
        )
        .await;
        let raw = String::from_utf8_lossy(&response.body).into_owned();
        assert!(!raw.contains("sk_live"), "{raw}");
        let (message, details) = response.expect_error(400);
        assert!(message.starts_with("malformed JSON body: "), "{message}");
        assert_eq!(details["line"], "2", "{raw}");
        let column = details["column"].as_str().expect("a column");
        assert!(
            message.ends_with(&format!("at line 2, column {column}")),
            "{message}"
        );
    }
}

#[tokio::test]
async fn arrays_are_refused_where_the_document_wants_objects() {
    let t = support::start().await;
    let api = Api::login(t.addr, WRITER).await;
    let id = api.create_connection("org-a").await;
    let automation = api.create_automation(&id, "Sync").await;
    let function = api.create_partner_function(&id, "Push").await;

    // The token endpoint issued tokens for this positional body.
    let response = token_request(t.addr, json!(["client_credentials", WRITER.0, WRITER.1])).await;
    let raw = String::from_utf8_lossy(&response.body).into_owned();
    assert!(
        !raw.contains(WRITER.1) && !raw.contains("access_token"),
        "{raw}"
    );
    let (message, details) = response.expect_error(400);
    assert_eq!(
        message,
        "invalid request body: expected an object, got an array"
    );
    assert!(details.get("field").is_none(), "{details}");

    let automation_path = format!("/api/v3/integration/{id}/automation/{automation}");
    let function_path = format!("/api/v3/integration/{id}/partner-function/{function}");
    let create_automation = format!("/api/v3/integration/{id}/automation");
    let create_function = format!("/api/v3/integration/{id}/partner-function/");
    for (method, path, body, field) in [
        (
            "PATCH",
            &automation_path,
            json!({"integration": []}),
            "integration",
        ),
        (
            "PATCH",
            &automation_path,
            json!({"integration": {"automation_details": []}}),
            "integration.automation_details",
        ),
        (
            "PATCH",
            &function_path,
            json!({"partner_function": []}),
            "partner_function",
        ),
        (
            "POST",
            &create_automation,
            json!({"integration": {"automation_details": {"name": "n"},
                                   "additional_criteria_details": [[]]}}),
            "integration.additional_criteria_details[0]",
        ),
        (
            "POST",
            &create_automation,
            json!({"integration": [{"automation_details": {"name": "n"}}]}),
            "integration",
        ),
        (
            "POST",
            &create_automation,
            json!({"integration": {"automation_details": {"name": "n"},
                "additional_criteria_details": [{"rules": [["total", ">", "10"]]}]}}),
            "integration.additional_criteria_details[0].rules[0]",
        ),
        (
            "POST",
            &create_function,
            json!({"partner_function": [{"name": "n"}]}),
            "partner_function",
        ),
    ] {
        let response = api.call(method, path, &[], Some(&body)).await;
        expect_field_error(&response, field, "expected an object, got an array");
    }
    for (method, path) in [
        ("PATCH", &automation_path),
        ("PATCH", &function_path),
        ("POST", &create_automation),
        ("POST", &create_function),
        ("POST", &"/api/v3/integration".to_owned()),
    ] {
        let response = api.call(method, path, &[], Some(&json!([]))).await;
        let (message, _) = response.expect_error(400);
        assert_eq!(
            message, "invalid request body: expected an object, got an array",
            "{method} {path}"
        );
    }

    // Nothing was created or changed.
    let page = api.get(&create_automation).await.json();
    assert_eq!(page["pagination"]["records"], 1);
    let read = api.get(&automation_path).await.json();
    assert_eq!(read["integration_automation"]["name"], "Sync");
    let page = api.get(&create_function).await.json();
    assert_eq!(page["pagination"]["records"], 1);
}

#[tokio::test]
async fn every_body_route_names_the_field_path() {
    let t = support::start().await;
    let api = Api::login(t.addr, WRITER).await;
    let id = api.create_connection("org-p").await;
    let automation = api.create_automation(&id, "Sync").await;
    let function = api.create_partner_function(&id, "Push").await;
    let automations = format!("/api/v3/integration/{id}/automation");
    let one_automation = format!("{automations}/{automation}");
    let functions = format!("/api/v3/integration/{id}/partner-function/");
    let one_function = format!("/api/v3/integration/{id}/partner-function/{function}");

    let rule = |value: Value| {
        json!({"integration": {"automation_details": {"name": "n"},
            "additional_criteria_details": [{"group_condition": "AND",
                "rules": [{"value": "1"}, {"value": value}]}]}})
    };
    let cases: Vec<(&str, &str, Value, &str, &str)> = vec![
        (
            "POST",
            "/api/v3/integration",
            json!({"provider": 123, "remote_instance_id": "r"}),
            "provider",
            "expected a string, got an integer",
        ),
        (
            "POST",
            "/api/v3/integration",
            json!({"provider": "xero", "remote_instance_id": "r", "require_authentication": SECRET}),
            "require_authentication",
            "expected a boolean, got a string",
        ),
        (
            "POST",
            &automations,
            json!({"integration": {"automation_details": {"name": 35817425447964_u64}}}),
            "integration.automation_details.name",
            "expected a string, got an integer",
        ),
        (
            "POST",
            &automations,
            rule(json!(35817425447964.5)),
            "integration.additional_criteria_details[0].rules[1].value",
            "expected a string, got a number",
        ),
        (
            "PATCH",
            &one_automation,
            json!({"integration": {"automation_details": {"display_name": false}}}),
            "integration.automation_details.display_name",
            "expected a string or null, got a boolean",
        ),
        (
            "PATCH",
            &one_automation,
            json!({"integration": {"additional_criteria_details": {"0": {}}}}),
            "integration.additional_criteria_details",
            "expected an array, got an object",
        ),
        (
            "POST",
            &functions,
            json!({"partner_function": {"name": [SECRET]}}),
            "partner_function.name",
            "expected a string, got an array",
        ),
        (
            "PATCH",
            &one_function,
            json!({"partner_function": {"tag": {"t": SECRET}}}),
            "partner_function.tag",
            "expected a string or null, got an object",
        ),
    ];
    for (method, path, body, field, reason) in cases {
        let response = api.call(method, path, &[], Some(&body)).await;
        expect_field_error(&response, field, reason);
    }

    // The token endpoint, which needs no token.
    let response = token_request(t.addr, json!({"grant_type": 35817425447964_u64})).await;
    expect_field_error(&response, "grant_type", "expected a string, got an integer");
    let response = token_request(t.addr, json!({"grant_type": SECRET})).await;
    expect_field_error(
        &response,
        "grant_type",
        "must be one of: client_credentials, refresh_token",
    );
    let response = token_request(t.addr, json!({"client_id": WRITER.0})).await;
    expect_field_error(&response, "grant_type", "is required");
}

#[tokio::test]
async fn names_follow_the_document() {
    let t = support::start().await;
    let api = Api::login(t.addr, WRITER).await;
    let id = api.create_connection("org-n").await;
    let automation = api.create_automation(&id, "Sync").await;
    let function = api.create_partner_function(&id, "Push").await;
    let automations = format!("/api/v3/integration/{id}/automation");
    let one_automation = format!("{automations}/{automation}");
    let functions = format!("/api/v3/integration/{id}/partner-function/");
    let one_function = format!("/api/v3/integration/{id}/partner-function/{function}");
    let details = |d: Value| json!({"integration": {"automation_details": d}});
    let function_body = |f: Value| json!({"partner_function": f});
    let blank = "must not be blank or contain control characters";

    // Required and non-empty on create.
    for (path, body, field, reason) in [
        (
            &automations,
            json!({"integration": {}}),
            "integration.automation_details",
            "is required",
        ),
        (
            &automations,
            details(json!({"code": "c"})),
            "integration.automation_details.name",
            "is required",
        ),
        (
            &automations,
            details(json!({"name": null})),
            "integration.automation_details.name",
            "expected a string, got null",
        ),
        (
            &automations,
            details(json!({"name": ""})),
            "integration.automation_details.name",
            "must not be empty",
        ),
        (
            &automations,
            details(json!({"name": " \u{3000} "})),
            "integration.automation_details.name",
            blank,
        ),
        (
            &functions,
            function_body(json!({"tag": "t"})),
            "partner_function.name",
            "is required",
        ),
        (
            &functions,
            function_body(json!({"name": null})),
            "partner_function.name",
            "expected a string, got null",
        ),
        (
            &functions,
            function_body(json!({"name": "\t"})),
            "partner_function.name",
            blank,
        ),
    ] {
        let response = api.post(path, &body).await;
        expect_field_error(&response, field, reason);
    }

    // Optional on update, but not null or empty.
    for (path, body, field, reason) in [
        (
            &one_automation,
            details(json!({"name": null})),
            "integration.automation_details.name",
            "expected a string, got null",
        ),
        (
            &one_automation,
            details(json!({"name": ""})),
            "integration.automation_details.name",
            "must not be empty",
        ),
        (
            &one_function,
            function_body(json!({"name": null})),
            "partner_function.name",
            "expected a string, got null",
        ),
        (
            &one_function,
            function_body(json!({"name": " "})),
            "partner_function.name",
            blank,
        ),
    ] {
        let response = api.call("PATCH", path, &[], Some(&body)).await;
        expect_field_error(&response, field, reason);
    }
    let kept = api
        .call(
            "PATCH",
            &one_automation,
            &[],
            Some(&details(json!({"code": null, "description": "d"}))),
        )
        .await;
    assert_eq!(kept.status, 200);
    assert_eq!(kept.json()["integration_automation"]["name"], "Sync");
    let kept = api
        .call(
            "PATCH",
            &one_function,
            &[],
            Some(&function_body(json!({"tag": "t2"}))),
        )
        .await;
    assert_eq!(kept.status, 200);
    assert_eq!(kept.json()["partner_function"]["name"], "Push");

    // `provider`: not empty, a partner name.
    for (provider, reason) in [
        ("", "must not be empty"),
        ("x y", "may contain only ASCII letters, digits, '_' and '-'"),
    ] {
        let response = api
            .post(
                "/api/v3/integration",
                &json!({"provider": provider, "remote_instance_id": "r"}),
            )
            .await;
        expect_field_error(&response, "provider", reason);
    }
}

/// One valid create body per create route, and the object in it that holds the text fields.
fn create_bodies(connection: &str) -> Vec<(String, Value, Vec<&'static str>, &'static Schema)> {
    vec![
        (
            "/api/v3/integration".to_owned(),
            support::connection_body("org-b"),
            vec![],
            &schemas::CREATE_CONNECTION_REQUEST,
        ),
        (
            format!("/api/v3/integration/{connection}/automation"),
            support::automation_body("n"),
            vec!["integration", "automation_details"],
            &schemas::AUTOMATION_DETAILS,
        ),
        (
            format!("/api/v3/integration/{connection}/automation"),
            support::automation_body("n"),
            vec!["integration", "additional_criteria_details", "0"],
            &schemas::CRITERIA_GROUP,
        ),
        (
            format!("/api/v3/integration/{connection}/automation"),
            support::automation_body("n"),
            vec![
                "integration",
                "additional_criteria_details",
                "0",
                "rules",
                "0",
            ],
            &schemas::CRITERIA_RULE,
        ),
        (
            format!("/api/v3/integration/{connection}/partner-function/"),
            support::partner_function_body("n"),
            vec!["partner_function"],
            &schemas::PARTNER_FUNCTION_INPUT,
        ),
    ]
}

fn at<'a>(body: &'a mut Value, steps: &[&str]) -> &'a mut Value {
    steps
        .iter()
        .fold(body, |node, step| match step.parse::<usize>() {
            Ok(i) => &mut node[i],
            Err(_) => &mut node[*step],
        })
}

/// The path the server names for a field under `steps`: `a.b[0].c`.
fn path_of(steps: &[&str], field: &str) -> String {
    let mut out = String::new();
    for step in steps.iter().copied().chain([field]) {
        match step.parse::<usize>() {
            Ok(i) => out.push_str(&format!("[{i}]")),
            Err(_) if out.is_empty() => out.push_str(step),
            Err(_) => out.push_str(&format!(".{step}")),
        }
    }
    out
}

/// Every `maxLength` of a create body in the document is the server's: a value of exactly that
/// length is stored (the domain's own bound is not smaller), one character more is a 400 that
/// names the field.
#[tokio::test]
async fn every_max_length_of_the_document_is_the_servers() {
    let t = support::start().await;
    let api = Api::login(t.addr, WRITER).await;
    let id = api.create_connection("org-m").await;
    let mut checked = 0;
    for (path, body, steps, schema) in create_bodies(&id) {
        for property in schema.object().expect("an object").properties {
            let Kind::String(text) = &property.schema.kind else {
                continue;
            };
            let Some(max) = text.max_length else {
                continue;
            };
            let max = usize::try_from(max).unwrap();
            let mut longest = body.clone();
            at(&mut longest, &steps)[property.name] = json!("x".repeat(max));
            let response = api.post(&path, &longest).await;
            assert_eq!(
                response.status,
                201,
                "{path} {}: {}",
                property.name,
                String::from_utf8_lossy(&response.body)
            );
            let mut too_long = body.clone();
            at(&mut too_long, &steps)[property.name] = json!("x".repeat(max + 1));
            let response = api.post(&path, &too_long).await;
            expect_field_error(
                &response,
                &path_of(&steps, property.name),
                &format!("must be at most {max} characters long"),
            );
            checked += 1;
        }
    }
    // provider, remote_instance_id and _name, the client id and three secrets; twelve
    // automation details; five criteria fields; seven partner-function fields.
    assert_eq!(checked, 7 + 12 + 5 + 7);
}
