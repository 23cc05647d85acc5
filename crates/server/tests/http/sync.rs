//! The other data-sync operations: enabling and disabling an automation or a partner function,
//! deleting a partner function, the configuration document (read, merge patch, its bounds and
//! the errors that name the field), and the cascade of a connection delete over all of them.

use exsited_core::configuration::{MAX_DEPTH, MAX_DOCUMENT_BYTES, MAX_KEY_CHARS};
use serde_json::{Value, json};

use crate::support::{self, Api, Response, WRITER};

/// Asserts a 200 whose body is exactly `{"message": message}`, with the common headers.
#[track_caller]
fn says(response: &Response, message: &str) {
    assert_eq!(
        response.status,
        200,
        "{}",
        String::from_utf8_lossy(&response.body)
    );
    assert_eq!(response.json(), json!({ "message": message }));
    assert_eq!(response.header("content-type"), Some("application/json"));
    assert!(response.header("x-request-id").is_some());
}

/// A bodiless POST as the vendor's Python SDK sends it: `Content-Length: 0`, no content type.
async fn post_empty(api: &Api, path: &str) -> Response {
    let auth = format!("Bearer {}", api.token);
    support::send(
        api.addr,
        "POST",
        path,
        &[("Authorization", &auth)],
        Some(b""),
    )
    .await
}

/// A POST with the 4-byte body `null` and a JSON content type, as the PHP SDK sends it.
async fn post_null(api: &Api, path: &str) -> Response {
    let auth = format!("Bearer {}", api.token);
    support::send(
        api.addr,
        "POST",
        path,
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/json"),
        ],
        Some(b"null"),
    )
    .await
}

async fn patch(api: &Api, path: &str, body: &Value) -> Response {
    api.call("PATCH", path, &[], Some(body)).await
}

#[tokio::test]
async fn an_automation_is_enabled_and_disabled_with_a_message() {
    let t = support::start().await;
    let api = Api::login(t.addr, WRITER).await;
    let id = api.create_connection("org-a").await;
    let automation = api.create_automation(&id, "Sync").await;
    let other = api.create_automation(&id, "Other").await;
    let one = format!("/api/v3/integration/{id}/automation/{automation}");
    let status = |body: Value| body["integration_automation"]["status"].clone();

    // Each form a deployed client sends: no body, `null`, or none with a JSON content type.
    says(
        &post_empty(&api, &format!("{one}/disable")).await,
        "Automation has been disabled successfully",
    );
    assert_eq!(status(api.get(&one).await.json()), "INACTIVE");
    says(
        &post_null(&api, &format!("{one}/disable")).await,
        "Automation has been disabled successfully",
    );
    assert_eq!(
        status(api.get(&one).await.json()),
        "INACTIVE",
        "twice is fine"
    );
    let other_path = format!("/api/v3/integration/{id}/automation/{other}");
    assert_eq!(status(api.get(&other_path).await.json()), "ACTIVE");
    // No body and no length at all, on a path with a doubled slash.
    says(
        &api.call("POST", &format!("/{one}/enable"), &[], None).await,
        "Automation has been enabled successfully",
    );
    assert_eq!(status(api.get(&one).await.json()), "ACTIVE");

    // What is missing is named, under the connection it was looked for in.
    let unknown = uuid();
    let (message, details) = post_empty(
        &api,
        &format!("/api/v3/integration/{id}/automation/{unknown}/enable"),
    )
    .await
    .expect_error(404);
    assert_eq!(message, "Integration automation not found");
    assert_eq!(details["automation_uuid"], unknown.as_str());
    assert_eq!(details["connection_uuid"], id.as_str());
    let gone = uuid();
    let (message, details) = post_empty(
        &api,
        &format!("/api/v3/integration/{gone}/automation/{automation}/disable"),
    )
    .await
    .expect_error(404);
    assert_eq!(message, "Integration connection not found");
    assert_eq!(details, json!({ "connection_uuid": gone }));
    let (_, details) = post_empty(
        &api,
        &format!("/api/v3/integration/{id}/automation/nope/enable"),
    )
    .await
    .expect_error(400);
    assert_eq!(details["parameter"], "automation_uuid");
    // Only POST.
    let refused = api.get(&format!("{one}/enable")).await;
    refused.expect_error(405);
    assert_eq!(refused.header("allow"), Some("POST, OPTIONS"));
}

#[tokio::test]
async fn a_partner_function_is_switched_and_deleted_alone() {
    let t = support::start().await;
    let api = Api::login(t.addr, WRITER).await;
    let id = api.create_connection("org-p").await;
    let function = api.create_partner_function(&id, "Push").await;
    let kept = api.create_partner_function(&id, "Kept").await;
    let automation = api.create_automation(&id, "Rule").await;
    let one = format!("/api/v3/integration/{id}/partner-function/{function}");
    let read = |body: Value| body["partner_function"].clone();

    let before = read(api.get(&one).await.json());
    assert_eq!(before["enabled"], true);
    says(
        &post_null(&api, &format!("{one}/disable")).await,
        "Partner function has been disabled successfully",
    );
    let after = read(api.get(&one).await.json());
    assert_eq!(after["enabled"], false);
    assert_eq!(after["created"], before["created"]);
    says(
        &post_empty(&api, &format!("{one}/enable")).await,
        "Partner function has been enabled successfully",
    );
    assert_eq!(read(api.get(&one).await.json())["enabled"], true);

    // The delete: 204, an empty body with a JSON content type, even when the client sends
    // a JSON content type on its empty body (the PHP SDK does).
    let deleted = api
        .call(
            "DELETE",
            &one,
            &[("Content-Type", "application/json")],
            None,
        )
        .await;
    assert_eq!(deleted.status, 204);
    assert!(deleted.body.is_empty());
    assert_eq!(deleted.header("content-type"), Some("application/json"));
    let (message, details) = api.get(&one).await.expect_error(404);
    assert_eq!(message, "Partner function not found");
    assert_eq!(details["partner_function_uuid"], function.as_str());
    api.delete(&one).await.expect_error(404);
    post_empty(&api, &format!("{one}/enable"))
        .await
        .expect_error(404);

    // Everything else stays.
    let left = api
        .get(&format!("/api/v3/integration/{id}/partner-function/"))
        .await
        .json();
    assert_eq!(left["pagination"]["records"], 1);
    assert_eq!(left["partner_functions"][0]["uuid"], kept.as_str());
    let rule = format!("/api/v3/integration/{id}/automation/{automation}");
    assert_eq!(api.get(&rule).await.status, 200);
    assert_eq!(
        api.get(&format!("/api/v2/integration-connections/{id}"))
            .await
            .status,
        200
    );
    let (_, details) = api
        .delete(&format!(
            "/api/v3/integration/{}/partner-function/{kept}",
            uuid()
        ))
        .await
        .expect_error(404);
    assert!(details.get("partner_function_uuid").is_none(), "{details}");
}

/// The body the vendor's Python SDK sends for a Xero connection.
fn sdk_body() -> Value {
    json!({"account": {"export": {"enabled": "true", "account_receivable_mapping": {"enabled": "true",
        "mappings": [{"source": "1200", "target": "610"}]}}, "import": {"enabled": "false"}},
     "transaction": {"invoice": {"export": {"enabled": "true"}}}})
}

fn empty_document() -> Value {
    json!({"account": {}, "item": {}, "transaction": {}, "purchase": {}})
}

#[tokio::test]
async fn the_configuration_merges_as_rfc_7396_says() {
    let t = support::start().await;
    let api = Api::login(t.addr, WRITER).await;
    let id = api.create_connection("org-c").await;
    let path = format!("/api/v3/integration/{id}/configuration");

    let empty = api.get(&path).await;
    assert_eq!(empty.status, 200);
    assert_eq!(empty.json(), json!({ "integration": empty_document() }));

    let set = patch(&api, &path, &sdk_body()).await;
    assert_eq!(set.status, 200, "{}", String::from_utf8_lossy(&set.body));
    let mut expected = empty_document();
    expected["account"] = sdk_body()["account"].clone();
    expected["transaction"] = sdk_body()["transaction"].clone();
    assert_eq!(
        set.json(),
        json!({"message": "Integration configuration has been updated successfully",
               "integration": expected})
    );
    assert_eq!(api.get(&path).await.json()["integration"], expected);

    // null removes, objects merge at every depth, arrays and scalars replace, a null section
    // is emptied, a section left out stays.
    let change = json!({
        "account": {"import": null, "export": {"account_receivable_mapping": {"mappings": []},
                                                "default_tax": "GST", "sync": true}},
        "transaction": null,
        "item": {"item_sync_to_xero": "true"}
    });
    let changed = patch(&api, &path, &change).await.json()["integration"].clone();
    assert_eq!(
        changed,
        json!({"account": {"export": {"enabled": "true", "default_tax": "GST", "sync": true,
                                      "account_receivable_mapping": {"enabled": "true", "mappings": []}}},
               "item": {"item_sync_to_xero": "true"}, "transaction": {}, "purchase": {}})
    );
    assert_eq!(api.get(&path).await.json()["integration"], changed);
    let nothing = patch(&api, &path, &json!({})).await;
    assert_eq!(
        nothing.json()["integration"],
        changed,
        "{{}} changes nothing"
    );

    // The documents are per connection.
    let other = api.create_connection("org-c2").await;
    let other = api
        .get(&format!("/api/v3/integration/{other}/configuration"))
        .await;
    assert_eq!(other.json()["integration"], empty_document());
}

#[tokio::test]
async fn configuration_errors_name_the_field_and_change_nothing() {
    let t = support::start().await;
    let api = Api::login(t.addr, WRITER).await;
    let id = api.create_connection("org-e").await;
    let path = format!("/api/v3/integration/{id}/configuration");
    let stored = patch(&api, &path, &sdk_body()).await.json()["integration"].clone();

    let nested = |depth: usize| {
        let mut value = json!("bottom");
        for _ in 0..depth {
            value = json!({ "k": value });
        }
        value
    };
    let key = |chars: usize| json!({ "item": { "k".repeat(chars): "v" } });
    for (body, field, says) in [
        (
            json!({"account": {"export": {"tax": 13579}}}),
            "account.export.tax",
            "got an integer",
        ),
        (
            json!({"account": {"rate": 1.5}}),
            "account.rate",
            "got a number",
        ),
        (
            json!({"account": {"m": ["a", 7]}}),
            "account.m[1]",
            "got an integer",
        ),
        (
            json!({"account": {"tax rate": 7}}),
            r#"account["tax rate"]"#,
            "got an integer",
        ),
        (
            json!({"accounts": {}}),
            "accounts",
            "account, item, transaction, purchase",
        ),
        (json!({"item": "SECRET-VALUE"}), "item", "got a string"),
        (json!({"item": [1]}), "item", "got an array"),
        (json!({"item": nested(MAX_DEPTH + 1)}), "item.k.k", "levels"),
        (key(MAX_KEY_CHARS + 1), "item", "255 characters"),
    ] {
        let response = patch(&api, &path, &body).await;
        let (message, details) = response.expect_error(400);
        let got = details["field"].as_str().unwrap_or_default();
        assert!(
            got.starts_with(field),
            "{body}: field {got}, message {message}"
        );
        assert!(message.contains(says), "{body}: {message}");
        assert!(
            !message.contains("13579") && !message.contains("SECRET"),
            "no value is quoted: {message}"
        );
    }
    // At the bounds: accepted.
    assert_eq!(
        patch(&api, &path, &json!({"item": nested(MAX_DEPTH)}))
            .await
            .status,
        200
    );
    assert_eq!(patch(&api, &path, &key(MAX_KEY_CHARS)).await.status, 200);
    assert_eq!(patch(&api, &path, &json!({"item": null})).await.status, 200);
    let (_, details) = patch(&api, &path, &json!(["account"]))
        .await
        .expect_error(400);
    assert!(details.get("field").is_none());
    api.call("PATCH", &path, &[], None).await.expect_error(400);
    let auth = format!("Bearer {}", api.token);
    let form = support::send(
        t.addr,
        "PATCH",
        &path,
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        Some(b"account=1"),
    )
    .await;
    form.expect_error(415);
    assert_eq!(
        api.get(&path).await.json()["integration"],
        stored,
        "nothing changed"
    );
}

#[tokio::test]
async fn the_size_that_counts_is_the_merged_documents() {
    let t = support::start().await;
    let api = Api::login(t.addr, WRITER).await;
    let id = api.create_connection("org-s").await;
    let path = format!("/api/v3/integration/{id}/configuration");
    let with_blob = |n: usize| json!({"purchase": {"blob": "x".repeat(n)}});
    // The compact document with an empty blob, every section written.
    let base = serde_json::to_string(&json!({"account": {}, "item": {}, "transaction": {},
                                             "purchase": {"blob": ""}}))
    .unwrap()
    .len();
    let fits = MAX_DOCUMENT_BYTES - base;
    let at = patch(&api, &path, &with_blob(fits)).await;
    assert_eq!(at.status, 200, "{}", String::from_utf8_lossy(&at.body));
    let stored = api.get(&path).await;
    let compact = serde_json::to_string(&stored.json()["integration"]).unwrap();
    assert_eq!(compact.len(), MAX_DOCUMENT_BYTES, "exactly at the bound");

    let (message, details) = patch(&api, &path, &json!({"item": {"one": "more"}}))
        .await
        .expect_error(400);
    assert_eq!(details["field"], "configuration");
    assert!(
        message.contains(&MAX_DOCUMENT_BYTES.to_string()),
        "{message}"
    );
    assert_eq!(api.get(&path).await.body, stored.body, "nothing changed");
    // A patch larger than the bound that shrinks the document is fine: the result counts.
    let mut shrink = with_blob(10);
    shrink["account"] = json!({ "padding": null });
    for i in 0..4000 {
        shrink["account"][format!("absent-key-{i}")] = Value::Null;
    }
    let body = serde_json::to_vec(&shrink).unwrap();
    assert!(body.len() > MAX_DOCUMENT_BYTES);
    assert_eq!(patch(&api, &path, &shrink).await.status, 200);
}

#[tokio::test]
async fn a_deleted_connection_takes_its_configurations_with_it() {
    let t = support::start().await;
    let api = Api::login(t.addr, WRITER).await;
    let id = api.create_connection("org-d").await;
    let automation = api.create_automation(&id, "Rule").await;
    let function = api.create_partner_function(&id, "Push").await;
    let config = format!("/api/v3/integration/{id}/configuration");
    assert_eq!(patch(&api, &config, &sdk_body()).await.status, 200);
    assert_eq!(
        api.delete(&format!("/api/v3/integration/{id}"))
            .await
            .status,
        204
    );

    let automation = format!("/api/v3/integration/{id}/automation/{automation}");
    let function = format!("/api/v3/integration/{id}/partner-function/{function}");
    for (method, path, body) in [
        ("GET", config.clone(), None),
        ("PATCH", config.clone(), Some(sdk_body())),
        ("GET", automation.clone(), None),
        ("POST", format!("{automation}/enable"), None),
        ("POST", format!("{automation}/disable"), None),
        ("GET", function.clone(), None),
        ("POST", format!("{function}/enable"), None),
        ("POST", format!("{function}/disable"), None),
        ("DELETE", function.clone(), None),
    ] {
        let (message, details) = api
            .call(method, &path, &[], body.as_ref())
            .await
            .expect_error(404);
        assert_eq!(
            message, "Integration connection not found",
            "{method} {path}"
        );
        assert_eq!(details["connection_uuid"], id.as_str(), "{method} {path}");
    }
}

#[tokio::test]
async fn the_v3_connection_reads_answer_what_the_v2_ones_do() {
    let t = support::start().await;
    let api = Api::login(t.addr, WRITER).await;
    let mut ids = Vec::new();
    for i in 0..3 {
        ids.push(api.create_connection(&format!("org-v{i}")).await);
    }
    for query in [
        "",
        "?limit=1",
        "?limit=1&offset=1",
        "?fields=status",
        "?direction=desc",
    ] {
        let v2 = api
            .get(&format!("/api/v2/integration-connections{query}"))
            .await;
        let v3 = api
            .get(&format!("/api/v3/integration-connections{query}"))
            .await;
        assert_eq!(v2.status, 200);
        assert_eq!(v3.status, v2.status, "{query}");
        assert_eq!(v3.body, v2.body, "{query}: byte for byte");
    }
    for id in ids
        .iter()
        .map(String::as_str)
        .chain(["00000000-0000-4000-8000-000000000000"])
    {
        let v2 = api
            .get(&format!("/api/v2/integration-connections/{id}"))
            .await;
        let v3 = api
            .get(&format!("/api/v3/integration-connections/{id}"))
            .await;
        assert_eq!((v3.status, v3.json()), (v2.status, v2.json()), "{id}");
    }
    let (_, details) = api
        .get("/api/v3/integration-connections?limit=0")
        .await
        .expect_error(400);
    assert_eq!(details["field"], "limit");
    api.get("/api/v3/integration-connections/nope")
        .await
        .expect_error(400);
}

fn uuid() -> String {
    exsited_core::ConnectionId::random().to_string()
}
