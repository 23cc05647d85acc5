//! The server and its own document say the same thing: list parameters within the document's
//! bounds, `fields=` exactly the record schema's property names, and every response body
//! valid against the schema the document declares for it.

use exsited_core::MAX_LIMIT;
use exsited_spec::schema::Schema;
use exsited_spec::schemas;
use exsited_spec::validate::check;
use serde_json::json;

use crate::support::{self, Api, Response, WRITER, token_request};

/// Asserts the status and that the body matches `schema`.
fn conforms(response: &Response, status: u16, schema: &'static Schema) -> serde_json::Value {
    let raw = String::from_utf8_lossy(&response.body).into_owned();
    assert_eq!(response.status, status, "{raw}");
    let body = response.json();
    if let Err(err) = check(&body, schema) {
        panic!("the response does not match {}: {err}\n{raw}", schema.name);
    }
    body
}

#[tokio::test]
async fn limit_is_one_to_the_maximum() {
    let t = support::start().await;
    let api = Api::login(t.addr, WRITER).await;
    let id = api.create_connection("org-l").await;
    for list in [
        "/api/v2/integration-connections".to_owned(),
        format!("/api/v3/integration/{id}/automation"),
        format!("/api/v3/integration/{id}/partner-function/"),
    ] {
        for limit in [1, MAX_LIMIT] {
            let response = api.get(&format!("{list}?limit={limit}")).await;
            assert_eq!(response.status, 200, "{list} limit={limit}");
            assert_eq!(response.json()["pagination"]["limit"], limit);
        }
        for limit in ["0".to_owned(), (MAX_LIMIT + 1).to_string(), "-1".to_owned()] {
            let (message, details) = api
                .get(&format!("{list}?limit={limit}"))
                .await
                .expect_error(400);
            assert_eq!(details["field"], "limit", "{list} limit={limit}");
            assert!(
                message.contains(&format!("between 1 and {MAX_LIMIT}")),
                "{message}"
            );
        }
    }
}

#[tokio::test]
async fn fields_are_the_record_schemas_properties() {
    let t = support::start().await;
    let api = Api::login(t.addr, WRITER).await;
    let id = api.create_connection("org-f").await;
    api.create_automation(&id, "a").await;
    api.create_partner_function(&id, "p").await;
    for (list, key, record) in [
        (
            "/api/v2/integration-connections".to_owned(),
            "integration_connection",
            &schemas::CONNECTION,
        ),
        (
            format!("/api/v3/integration/{id}/automation"),
            "integration_automations",
            &schemas::AUTOMATION,
        ),
        (
            format!("/api/v3/integration/{id}/partner-function/"),
            "partner_functions",
            &schemas::PARTNER_FUNCTION,
        ),
    ] {
        let names: Vec<&str> = record.object().unwrap().names().collect();
        for name in &names {
            let page = api.get(&format!("{list}?fields={name}")).await.json();
            let first = page[key][0].as_object().expect("a record").clone();
            let mut kept: Vec<&str> = first.keys().map(String::as_str).collect();
            kept.sort_unstable();
            let mut expected = vec!["uuid", name];
            expected.sort_unstable();
            expected.dedup();
            assert_eq!(kept, expected, "{list}?fields={name}");
        }
        let all = api.get(&format!("{list}?fields={}", names.join(","))).await;
        let record_keys: Vec<String> = all.json()[key][0]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        assert_eq!(record_keys.len(), names.len(), "{list}: {record_keys:?}");
        let (message, details) = api
            .get(&format!("{list}?fields=uuid,password"))
            .await
            .expect_error(400);
        assert_eq!(details["field"], "fields");
        assert!(message.contains("password"), "{message}");
        let empty = api.get(&format!("{list}?fields=")).await;
        assert_eq!(empty.status, 200);
    }
}

#[tokio::test]
async fn every_response_matches_its_documented_schema() {
    let t = support::start().await;
    // First: a grant revokes the client's previous token.
    let token = token_request(
        t.addr,
        json!({"grant_type": "client_credentials", "client_id": WRITER.0, "client_secret": WRITER.1}),
    )
    .await;
    conforms(&token, 200, &schemas::TOKEN_RESPONSE);
    let api = Api::login(t.addr, WRITER).await;

    let created = api
        .post("/api/v3/integration", &support::connection_body("org-r"))
        .await;
    let created = conforms(&created, 201, &schemas::CREATE_CONNECTION_RESPONSE);
    let id = created["integration"]["integration_connection"]["uuid"]
        .as_str()
        .unwrap()
        .to_owned();
    let get = api
        .get(&format!("/api/v2/integration-connections/{id}"))
        .await;
    conforms(&get, 200, &schemas::CONNECTION_ENVELOPE);
    for query in ["", "?limit=1", "?fields=status", "?offset=5"] {
        let list = api
            .get(&format!("/api/v2/integration-connections{query}"))
            .await;
        conforms(&list, 200, &schemas::CONNECTION_LIST);
    }
    let disabled = api
        .call(
            "POST",
            &format!("/api/v3/integration/{id}/disable"),
            &[],
            None,
        )
        .await;
    conforms(&disabled, 200, &schemas::MESSAGE_RESPONSE);

    let automations = format!("/api/v3/integration/{id}/automation");
    let automation = api
        .post(&automations, &support::automation_body("Sync"))
        .await;
    let automation = conforms(&automation, 201, &schemas::AUTOMATION_ENVELOPE);
    let one = format!(
        "{automations}/{}",
        automation["integration_automation"]["uuid"]
            .as_str()
            .unwrap()
    );
    conforms(&api.get(&one).await, 200, &schemas::AUTOMATION_ENVELOPE);
    let patched = api
        .call(
            "PATCH",
            &one,
            &[],
            Some(&json!({"integration": {"automation_details": {"code": "c"}}})),
        )
        .await;
    conforms(&patched, 200, &schemas::AUTOMATION_ENVELOPE);
    for query in ["", "?fields=name"] {
        let list = api.get(&format!("{automations}{query}")).await;
        conforms(&list, 200, &schemas::AUTOMATION_LIST);
    }

    let functions = format!("/api/v3/integration/{id}/partner-function/");
    let function = api
        .post(&functions, &support::partner_function_body("Push"))
        .await;
    let function = conforms(&function, 201, &schemas::PARTNER_FUNCTION_ENVELOPE);
    let one = format!(
        "{functions}{}",
        function["partner_function"]["uuid"].as_str().unwrap()
    );
    conforms(
        &api.get(&one).await,
        200,
        &schemas::PARTNER_FUNCTION_ENVELOPE,
    );
    let patched = api
        .call(
            "PATCH",
            &one,
            &[],
            Some(&json!({"partner_function": {"tag": "t"}})),
        )
        .await;
    conforms(&patched, 200, &schemas::PARTNER_FUNCTION_ENVELOPE);
    for query in ["", "?fields=enabled"] {
        let list = api.get(&format!("{functions}{query}")).await;
        conforms(&list, 200, &schemas::PARTNER_FUNCTION_LIST);
    }

    // The v3 aliases, the switches and the configuration.
    conforms(
        &api.get("/api/v3/integration-connections?limit=1").await,
        200,
        &schemas::CONNECTION_LIST,
    );
    conforms(
        &api.get(&format!("/api/v3/integration-connections/{id}"))
            .await,
        200,
        &schemas::CONNECTION_ENVELOPE,
    );
    let automation_id = automation["integration_automation"]["uuid"]
        .as_str()
        .unwrap();
    let function_id = function["partner_function"]["uuid"].as_str().unwrap();
    for switch in [
        format!("{automations}/{automation_id}/disable"),
        format!("{automations}/{automation_id}/enable"),
        format!("{functions}{function_id}/disable"),
        format!("{functions}{function_id}/enable"),
    ] {
        let answer = api.call("POST", &switch, &[], None).await;
        conforms(&answer, 200, &schemas::MESSAGE_RESPONSE);
    }
    let configuration = format!("/api/v3/integration/{id}/configuration");
    conforms(
        &api.get(&configuration).await,
        200,
        &schemas::CONFIGURATION_ENVELOPE,
    );
    let updated = api
        .call(
            "PATCH",
            &configuration,
            &[],
            Some(
                &json!({"account": {"export": {"enabled": "true", "mappings": [{"source": "a"}]}}}),
            ),
        )
        .await;
    let updated = conforms(&updated, 200, &schemas::CONFIGURATION_UPDATED);
    assert!(
        updated["integration"].is_object(),
        "the reference server sends the document"
    );
    conforms(
        &api.get(&configuration).await,
        200,
        &schemas::CONFIGURATION_ENVELOPE,
    );
    let removed = api.delete(&format!("{functions}{function_id}")).await;
    assert_eq!(removed.status, 204);

    let health = support::send(t.addr, "GET", "/healthz", &[], None).await;
    conforms(&health, 200, &schemas::HEALTH);

    // Errors: the v3 envelope, whatever the cause.
    let errors = [
        api.get("/api/v2/integration-connections?limit=0").await,
        api.post("/api/v3/integration", &json!({"provider": 1}))
            .await,
        api.get("/api/v3/integration/nope/automation").await,
        api.get(&format!("/api/v3/integration/{id}")).await,
        token_request(t.addr, json!({"grant_type": "client_credentials"})).await,
        api.call(
            "PATCH",
            &configuration,
            &[],
            Some(&json!({"account": {"n": 1}})),
        )
        .await,
        api.call(
            "POST",
            &format!("{functions}{function_id}/enable"),
            &[],
            None,
        )
        .await,
    ];
    for (response, status) in errors.iter().zip([400, 400, 400, 405, 401, 400, 404]) {
        conforms(response, status, &schemas::ERROR_ENVELOPE);
    }
    let deleted = api.delete(&format!("/api/v3/integration/{id}")).await;
    assert_eq!(deleted.status, 204);
    conforms(
        &api.get(&format!("/api/v2/integration-connections/{id}"))
            .await,
        404,
        &schemas::ERROR_ENVELOPE,
    );
}
