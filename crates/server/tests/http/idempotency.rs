//! `X-Idempotency-Key` on the creates.

use serde_json::json;

use crate::support::{self, Api, OTHER, WRITER};

#[tokio::test]
async fn a_replay_returns_the_first_response_and_creates_once() {
    let t = support::start().await;
    let api = Api::login(t.addr, WRITER).await;
    let key = [("X-Idempotency-Key", "create-1")];
    let body = support::connection_body("org-i");
    let first = api
        .call("POST", "/api/v3/integration", &key, Some(&body))
        .await;
    assert_eq!(first.status, 201);
    let again = api
        .call("POST", "//api/v3/integration", &key, Some(&body))
        .await;
    assert_eq!(again.status, 201);
    assert_eq!(again.body, first.body);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    let listed = api.get("/api/v2/integration-connections").await.json();
    assert_eq!(listed["pagination"]["records"], 1);

    // The same key with another body.
    let other = support::connection_body("org-other");
    let (message, _) = api
        .call("POST", "/api/v3/integration", &key, Some(&other))
        .await
        .expect_error(422);
    assert!(message.contains("X-Idempotency-Key"), "{message}");

    // Keys are per tenant: another tenant's same key creates its own.
    let stranger = Api::login(t.addr, OTHER).await;
    let theirs = stranger
        .call("POST", "/api/v3/integration", &key, Some(&body))
        .await;
    assert_eq!(theirs.status, 201);
    assert_ne!(theirs.body, first.body);

    // Deleting the connection forgets the response: the key creates anew.
    let id = first.json()["integration"]["integration_connection"]["uuid"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        api.delete(&format!("/api/v3/integration/{id}"))
            .await
            .status,
        204
    );
    let fresh = api
        .call("POST", "/api/v3/integration", &key, Some(&body))
        .await;
    assert_eq!(fresh.status, 201);
    assert_ne!(fresh.body, first.body);
    assert_eq!(fresh.header("idempotent-replayed"), None);
}

#[tokio::test]
async fn automation_and_partner_function_creates_honour_keys() {
    let t = support::start().await;
    let api = Api::login(t.addr, WRITER).await;
    let id = api.create_connection("org-k").await;
    for (path, body, list_key) in [
        (
            format!("/api/v3/integration/{id}/automation"),
            support::automation_body("a"),
            "integration_automations",
        ),
        (
            format!("/api/v3/integration/{id}/partner-function/"),
            support::partner_function_body("p"),
            "partner_functions",
        ),
    ] {
        let first = api
            .call(
                "POST",
                &path,
                &[("X-Idempotency-Key", path.as_str())],
                Some(&body),
            )
            .await;
        let again = api
            .call(
                "POST",
                &path,
                &[("X-Idempotency-Key", path.as_str())],
                Some(&body),
            )
            .await;
        assert_eq!((first.status, again.status), (201, 201));
        assert_eq!(first.body, again.body);
        let listed = api.get(&path).await.json();
        assert_eq!(listed[list_key].as_array().unwrap().len(), 1, "{path}");
    }
    let other_route = api
        .call(
            "POST",
            "/api/v3/integration",
            &[(
                "X-Idempotency-Key",
                format!("/api/v3/integration/{id}/automation").as_str(),
            )],
            Some(&support::automation_body("a")),
        )
        .await;
    // The body is not a connection: 400 comes before the key is looked at.
    other_route.expect_error(400);
    let bad_key = api
        .call(
            "POST",
            "/api/v3/integration",
            &[("X-Idempotency-Key", &"k".repeat(300))],
            Some(&json!({})),
        )
        .await;
    bad_key.expect_error(400);
}
