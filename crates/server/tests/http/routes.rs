//! Routes, statuses, headers and the quirks of deployed clients.

use serde_json::json;

use crate::support::{self, Api, WRITER, send};

const MISSING: &str = "3f0c8a52-9a4e-4d8e-9d53-6f3b2f5b8a10";

#[tokio::test]
async fn the_full_lifecycle_has_the_contracts_statuses_and_shapes() {
    let t = support::start().await;
    let api = Api::login(t.addr, WRITER).await;

    let created = api
        .post("/api/v3/integration", &support::connection_body("org-1"))
        .await;
    assert_eq!(created.status, 201);
    let record = &created.json()["integration"]["integration_connection"];
    let id = record["uuid"].as_str().unwrap().to_owned();
    assert_eq!(record["status"], "ACTIVE");
    assert_eq!(record["integration_partner"], "XERO");
    assert_eq!(record["client_secret"], "PARTNER-SECRET-1");
    assert_eq!(
        created.header("location"),
        Some(format!("/api/v2/integration-connections/{id}").as_str())
    );

    let read = api
        .get(&format!("/api/v2/integration-connections/{id}"))
        .await;
    assert_eq!(read.status, 200);
    assert_eq!(read.json()["integration_connection"]["uuid"], id.as_str());

    let disabled = api
        .post(&format!("/api/v3/integration/{id}/disable"), &json!({}))
        .await;
    assert_eq!(disabled.status, 200);
    assert_eq!(
        disabled.json()["message"],
        "XERO integration has been disabled successfully"
    );
    let enabled = api
        .call(
            "POST",
            &format!("/api/v3/integration/{id}/enable"),
            &[],
            None,
        )
        .await;
    assert_eq!(enabled.status, 200);
    assert_eq!(
        enabled.json()["message"],
        "XERO integration has been enabled successfully"
    );

    let automation = api.create_automation(&id, "Sync invoices").await;
    let path = format!("/api/v3/integration/{id}/automation/{automation}");
    let patched = api
        .call(
            "PATCH",
            &path,
            &[],
            Some(&json!({"integration": {"automation_details": {"description": "nightly"}}})),
        )
        .await;
    assert_eq!(patched.status, 200);
    assert_eq!(
        patched.json()["integration_automation"]["description"],
        "nightly"
    );
    assert_eq!(
        patched.json()["integration_automation"]["name"],
        "Sync invoices"
    );
    assert_eq!(api.get(&path).await.status, 200);

    let function = api.create_partner_function(&id, "Push invoices").await;
    let path = format!("/api/v3/integration/{id}/partner-function/{function}");
    let patched = api
        .call(
            "PATCH",
            &path,
            &[],
            Some(&json!({"partner_function": {"tag": "t1"}})),
        )
        .await;
    assert_eq!(patched.status, 200);
    assert_eq!(patched.json()["partner_function"]["tag"], "t1");
    assert_eq!(patched.json()["partner_function"]["enabled"], true);

    let deleted = api.delete(&format!("/api/v3/integration/{id}")).await;
    assert_eq!(deleted.status, 204);
    assert!(deleted.body.is_empty());
    assert_eq!(deleted.header("content-type"), Some("application/json"));
    assert!(deleted.header("x-request-id").is_some());

    // Everything attached went with it, and a repeated delete is a 404.
    for path in [
        format!("/api/v2/integration-connections/{id}"),
        format!("/api/v3/integration/{id}/automation/{automation}"),
        format!("/api/v3/integration/{id}/partner-function/{function}"),
        format!("/api/v3/integration/{id}/automation"),
    ] {
        let (_, details) = api.get(&path).await.expect_error(404);
        assert_eq!(details["connection_uuid"], id.as_str(), "{path}");
    }
    let (message, details) = api
        .delete(&format!("/api/v3/integration/{id}"))
        .await
        .expect_error(404);
    assert_eq!(message, "Integration connection not found");
    assert_eq!(details["connection_uuid"], id.as_str());
}

#[tokio::test]
async fn quirks_of_deployed_clients_are_tolerated() {
    let t = support::start().await;
    let api = Api::login(t.addr, WRITER).await;
    let id = api.create_connection("org-q").await;

    // Doubled slashes.
    let read = api
        .get(&format!("//api/v2//integration-connections/{id}"))
        .await;
    assert_eq!(read.status, 200);
    // The partner-function list and create with and without the trailing slash.
    for path in [
        format!("/api/v3/integration/{id}/partner-function/"),
        format!("/api/v3/integration/{id}/partner-function"),
    ] {
        let created = api.post(&path, &support::partner_function_body("pf")).await;
        assert_eq!(created.status, 201, "{path}");
        assert_eq!(api.get(&path).await.status, 200, "{path}");
    }
    // A JSON content type on a bodiless GET and DELETE.
    let headers = [("Content-Type", "application/json")];
    let listed = api
        .call("GET", "/api/v2/integration-connections", &headers, None)
        .await;
    assert_eq!(listed.status, 200);
    let deleted = api
        .call(
            "DELETE",
            &format!("/api/v3/integration/{id}"),
            &headers,
            None,
        )
        .await;
    assert_eq!(deleted.status, 204);
    // A token request with unknown fields (see `support::grant`) worked already.
}

#[tokio::test]
async fn every_error_status_has_the_envelope() {
    let t = support::start().await;
    let api = Api::login(t.addr, WRITER).await;
    let id = api.create_connection("org-e").await;

    // 404: unknown route, unknown id.
    let (message, _) = api.get("/api/v9/nothing").await.expect_error(404);
    assert!(message.contains("/api/v9/nothing"), "{message}");
    let (_, details) = api
        .get(&format!("/api/v2/integration-connections/{MISSING}"))
        .await
        .expect_error(404);
    assert_eq!(details["connection_uuid"], MISSING);
    let (message, details) = api
        .get(&format!("/api/v3/integration/{id}/automation/{MISSING}"))
        .await
        .expect_error(404);
    assert_eq!(message, "Integration automation not found");
    assert_eq!(details["automation_uuid"], MISSING);
    assert_eq!(details["connection_uuid"], id.as_str());

    // 405 with Allow.
    let response = api.get(&format!("/api/v3/integration/{id}")).await;
    response.expect_error(405);
    assert_eq!(response.header("allow"), Some("DELETE, OPTIONS"));

    // 413: declared and chunked.
    let big = vec![b' '; 1024 * 1024 + 1];
    let auth = format!("Bearer {}", api.token);
    let response = send(
        t.addr,
        "POST",
        "/api/v3/integration",
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/json"),
        ],
        Some(&big),
    )
    .await;
    response.expect_error(413);
    let mut chunked = format!(
        "POST /api/v3/integration HTTP/1.1\r\nHost: t\r\nConnection: close\r\nAuthorization: {auth}\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    .into_bytes();
    for _ in 0..17 {
        chunked.extend_from_slice(format!("{:x}\r\n", 65536).as_bytes());
        chunked.extend_from_slice(&[b' '; 65536]);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    support::raw(t.addr, &chunked).await.expect_error(413);

    // 415: a form body.
    let response = send(
        t.addr,
        "POST",
        "/api/v3/integration",
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        Some(b"provider=xero"),
    )
    .await;
    response.expect_error(415);

    // 400: malformed JSON (serde's message, no echoed value), a missing field, an invalid value.
    let response = send(
        t.addr,
        "POST",
        "/api/v3/integration",
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/json"),
        ],
        Some(b"{\"provider\": "),
    )
    .await;
    let (message, _) = response.expect_error(400);
    assert!(message.contains("malformed JSON"), "{message}");
    let body = br#"{"provider": "xero", "remote_instance_id": "r", "require_authentication": "TOPSECRET"}"#;
    let response = send(
        t.addr,
        "POST",
        "/api/v3/integration",
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/json"),
        ],
        Some(body),
    )
    .await;
    let (message, _) = response.expect_error(400);
    assert!(!message.contains("TOPSECRET"), "{message}");
    let (message, _) = api
        .post("/api/v3/integration", &json!({"provider": "xero"}))
        .await
        .expect_error(400);
    assert!(message.contains("remote_instance_id"), "{message}");
    let (_, details) = api
        .post(
            "/api/v3/integration",
            &json!({"provider": "x y", "remote_instance_id": "r"}),
        )
        .await
        .expect_error(400);
    assert_eq!(details["field"], "provider");
    let (_, details) = api
        .post(
            &format!("/api/v3/integration/{id}/automation"),
            &json!({"integration": {"automation_details": {}}}),
        )
        .await
        .expect_error(400);
    assert_eq!(details["field"], "integration.automation_details.name");

    // 401 without a token, 422 is in the idempotency tests, 403 in the tenancy tests.
    send(t.addr, "GET", "/api/v2/integration-connections", &[], None)
        .await
        .expect_error(401);
}

#[tokio::test]
async fn an_invalid_uuid_in_the_path_is_a_400_naming_it() {
    let t = support::start().await;
    let api = Api::login(t.addr, WRITER).await;
    let id = api.create_connection("org-u").await;
    let (message, details) = api
        .delete("/api/v3/integration/not-a-uuid")
        .await
        .expect_error(400);
    assert!(message.contains("\"not-a-uuid\""), "{message}");
    assert_eq!(details["parameter"], "uuid");
    let long = "x".repeat(500);
    let (message, _) = api
        .get(&format!("/api/v2/integration-connections/{long}"))
        .await
        .expect_error(400);
    assert!(message.len() < 250, "truncated: {message}");
    let (message, details) = api
        .get(&format!("/api/v3/integration/{id}/automation/nope"))
        .await
        .expect_error(400);
    assert!(message.contains("\"nope\""), "{message}");
    assert_eq!(details["parameter"], "automation_uuid");
    let (_, details) = api
        .get(&format!("/api/v3/integration/{id}/partner-function/nope"))
        .await
        .expect_error(400);
    assert_eq!(details["parameter"], "pf_uuid");
}

#[tokio::test]
async fn every_response_has_a_content_type_and_echoes_the_request_id() {
    let t = support::start().await;
    let api = Api::login(t.addr, WRITER).await;
    let id = api.create_connection("org-h").await;
    let rid = [("X-Request-Id", "trace-42")];
    for (method, path) in [
        ("GET", "/healthz".to_owned()),
        ("GET", "/api/v2/integration-connections".to_owned()),
        ("GET", "/nope".to_owned()),
        ("PUT", "/api/v3/integration".to_owned()),
        ("POST", format!("/api/v3/integration/{id}/enable")),
        ("DELETE", format!("/api/v3/integration/{id}")),
        ("DELETE", format!("/api/v3/integration/{id}")),
    ] {
        let response = api.call(method, &path, &rid, None).await;
        assert_eq!(
            response.header("content-type"),
            Some("application/json"),
            "{method} {path}"
        );
        assert_eq!(
            response.header("x-request-id"),
            Some("trace-42"),
            "{method} {path}"
        );
    }
    // An insane id is replaced, a missing one generated.
    let long = "r".repeat(200);
    let response = api
        .call("GET", "/healthz", &[("X-Request-Id", &long)], None)
        .await;
    assert!(response.header("x-request-id").unwrap().starts_with("req_"));
    let response = send(t.addr, "GET", "/healthz", &[], None).await;
    assert!(response.header("x-request-id").unwrap().starts_with("req_"));
}

#[tokio::test]
async fn health_and_the_openapi_document_need_no_token() {
    let t = support::start().await;
    let health = send(t.addr, "GET", "/healthz", &[], None).await;
    assert_eq!(health.status, 200);
    assert_eq!(health.json(), json!({"status": "ok"}));
    let doc = send(t.addr, "GET", "/openapi.yaml", &[], None).await;
    assert_eq!(doc.status, 200);
    assert_eq!(doc.header("content-type"), Some("application/yaml"));
    assert_eq!(doc.body, exsited_spec::OPENAPI_YAML.as_bytes());
}
