//! A few of the same exchanges against the SQLite store: the server's behaviour does not depend
//! on the backend.

use std::sync::Arc;

use exsited_core::access::AccessStore;
use exsited_server::ServerConfig;
use exsited_store_sqlite::SqliteStore;
use serde_json::json;

use crate::support::{self, Api, OTHER, TestServer, WRITER, token_request};

async fn start(dir: &tempfile::TempDir) -> (TestServer, Arc<SqliteStore>) {
    let store = Arc::new(SqliteStore::open(dir.path().join("server.db")).unwrap());
    support::add_clients(store.as_ref()).await;
    let server = support::start_on(store.clone(), store.clone(), ServerConfig::default()).await;
    (server, store)
}

#[tokio::test]
async fn lifecycle_idempotency_and_audit_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let (t, store) = start(&dir).await;
    let api = Api::login(t.addr, WRITER).await;

    let key = [("X-Idempotency-Key", "sqlite-1")];
    let body = support::connection_body("org-s");
    let first = api
        .call("POST", "/api/v3/integration", &key, Some(&body))
        .await;
    let again = api
        .call("POST", "/api/v3/integration", &key, Some(&body))
        .await;
    assert_eq!((first.status, again.status), (201, 201));
    assert_eq!(first.body, again.body);
    api.call(
        "POST",
        "/api/v3/integration",
        &key,
        Some(&support::connection_body("x")),
    )
    .await
    .expect_error(422);
    let id = first.json()["integration"]["integration_connection"]["uuid"]
        .as_str()
        .unwrap()
        .to_owned();
    let automation = api.create_automation(&id, "a").await;
    api.create_partner_function(&id, "p").await;

    let stranger = Api::login(t.addr, OTHER).await;
    stranger
        .delete(&format!("/api/v3/integration/{id}"))
        .await
        .expect_error(404);

    let deleted = api.delete(&format!("/api/v3/integration/{id}")).await;
    assert_eq!(deleted.status, 204);
    assert!(deleted.body.is_empty());
    api.get(&format!("/api/v3/integration/{id}/automation/{automation}"))
        .await
        .expect_error(404);
    api.delete(&format!("/api/v3/integration/{id}"))
        .await
        .expect_error(404);

    let audit = store.delete_audit().await.unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].client_id, WRITER.0);
    assert_eq!(audit[0].sync_configurations, 2);
    // The stored create response went with the connection: the key creates anew.
    let fresh = api
        .call("POST", "/api/v3/integration", &key, Some(&body))
        .await;
    assert_eq!(fresh.status, 201);
    assert_ne!(fresh.body, first.body);
}

#[tokio::test]
async fn tokens_rotate_and_revoke_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let (t, _store) = start(&dir).await;
    let first = support::grant(t.addr, WRITER).await;
    let second = support::grant(t.addr, WRITER).await;
    let old = Api {
        addr: t.addr,
        token: first["access_token"].as_str().unwrap().to_owned(),
    };
    old.get("/api/v2/integration-connections")
        .await
        .expect_error(401);
    let refresh = json!({"grant_type": "refresh_token", "refresh_token": second["refresh_token"],
        "client_id": WRITER.0, "client_secret": WRITER.1});
    assert_eq!(token_request(t.addr, refresh.clone()).await.status, 200);
    token_request(t.addr, refresh).await.expect_error(400);
}
