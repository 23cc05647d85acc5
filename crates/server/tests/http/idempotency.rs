//! `X-Idempotency-Key` on the creates.

use std::time::Duration;

use exsited_server::ServerConfig;
use serde_json::json;

use crate::support::{self, Api, MovableClock, OTHER, WRITER};

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

/// Twenty concurrent creates with one key and one body create one connection, and every answer
/// names it. The in-memory claim this replaced released another request's claim, so bursts
/// created two to four connections.
async fn concurrent_keyed_creates_create_once(t: &support::TestServer) {
    let api = std::sync::Arc::new(Api::login(t.addr, WRITER).await);
    let body = support::connection_body("org-burst");
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let (api, body) = (api.clone(), body.clone());
        tasks.push(tokio::spawn(async move {
            let key = [("X-Idempotency-Key", "burst-1")];
            api.call("POST", "/api/v3/integration", &key, Some(&body))
                .await
        }));
    }
    let mut ids = std::collections::HashSet::new();
    let mut replays = 0;
    for task in tasks {
        let response = task.await.unwrap();
        assert_eq!(
            response.status,
            201,
            "{:?}",
            String::from_utf8_lossy(&response.body)
        );
        replays += usize::from(response.header("idempotent-replayed") == Some("true"));
        let created = response.json();
        ids.insert(
            created["integration"]["integration_connection"]["uuid"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    assert_eq!(
        ids.len(),
        1,
        "every answer names the one connection: {ids:?}"
    );
    assert_eq!(replays, 19, "all but the first answer are replays");
    let listed = api.get("/api/v2/integration-connections").await.json();
    assert_eq!(listed["pagination"]["records"], 1, "exactly one connection");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_keyed_creates_create_once_on_memory() {
    concurrent_keyed_creates_create_once(&support::start().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_keyed_creates_create_once_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let store = std::sync::Arc::new(
        exsited_store_sqlite::SqliteStore::open(dir.path().join("server.db")).unwrap(),
    );
    support::add_clients(store.as_ref()).await;
    let t = support::start_on(
        store.clone(),
        store,
        exsited_server::ServerConfig::default(),
    )
    .await;
    concurrent_keyed_creates_create_once(&t).await;
}

/// A replay answers with the resource as it is now, and carries no copy of what the first
/// request sent beyond what the record itself holds.
#[tokio::test]
async fn a_replay_reads_the_connection_as_it_is_now() {
    let t = support::start().await;
    let api = Api::login(t.addr, WRITER).await;
    let key = [("X-Idempotency-Key", "now-1")];
    let body = support::connection_body("org-now");
    let first = api
        .call("POST", "/api/v3/integration", &key, Some(&body))
        .await;
    let id = first.json()["integration"]["integration_connection"]["uuid"]
        .as_str()
        .unwrap()
        .to_owned();
    let disabled = api
        .call(
            "POST",
            &format!("/api/v3/integration/{id}/disable"),
            &[],
            None,
        )
        .await;
    assert_eq!(disabled.status, 200);
    let again = api
        .call("POST", "/api/v3/integration", &key, Some(&body))
        .await;
    assert_eq!(again.status, 201);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(
        again.json()["integration"]["integration_connection"]["status"],
        "INACTIVE"
    );
    assert_eq!(
        again.header("location"),
        Some(format!("/api/v2/integration-connections/{id}").as_str())
    );
}

#[tokio::test]
async fn a_key_is_honoured_for_the_window_and_free_after_it() {
    let clock = MovableClock::default();
    let t = support::start_at(&clock).await;
    let window = ServerConfig::default().idempotency_window;
    let key = [("X-Idempotency-Key", "windowed-1")];
    let body = support::connection_body("org-w");
    let api = Api::login(t.addr, WRITER).await;
    let first = api
        .call("POST", "/api/v3/integration", &key, Some(&body))
        .await;
    assert_eq!(first.status, 201);

    clock.advance(window - Duration::from_secs(60));
    // The access token has expired by now (an hour); a fresh one.
    let api = Api::login(t.addr, WRITER).await;
    let within = api
        .call("POST", "/api/v3/integration", &key, Some(&body))
        .await;
    assert_eq!(within.header("idempotent-replayed"), Some("true"));
    assert_eq!(within.body, first.body);

    clock.advance(Duration::from_secs(120));
    let after = api
        .call("POST", "/api/v3/integration", &key, Some(&body))
        .await;
    assert_eq!(after.status, 201);
    assert_eq!(after.header("idempotent-replayed"), None);
    assert_ne!(after.body, first.body, "a new connection");
}
