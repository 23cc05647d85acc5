//! Tokens: single-flight, proactive refresh, 401 refresh-and-replay, revoked tokens, redirects,
//! fixed bearer tokens, and what every request carries.

mod support;

use std::sync::Arc;
use std::time::Duration;

use exsited_core::{ConnectionId, ConnectionRepository, Error, SecretString};
use exsited_transport::ClientConfig;
use serde_json::json;
use support::{CLIENT_SECRET, CONN, Reply, Server, connection_json};

fn conn() -> ConnectionId {
    CONN.parse().unwrap()
}

fn get_ok(_: &support::Recorded, _: usize) -> Reply {
    Reply::json(
        200,
        json!({"integration_connection": connection_json(CONN)}),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_calls_cause_one_token_request() {
    // A slow token endpoint keeps every call waiting on the same fetch.
    let server = Server::start_with(
        |r, n| support::issue_token(r, n).after(Duration::from_millis(100)),
        get_ok,
    )
    .await;
    let client = server.config().build().unwrap();
    let calls = (0..50).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.get(conn()).await })
    });
    for call in futures_util::future::join_all(calls).await {
        call.unwrap().unwrap();
    }
    assert_eq!(server.token_requests().len(), 1);
    assert_eq!(server.api_requests().len(), 50);
    assert!(
        server
            .api_requests()
            .iter()
            .all(|r| r.header("authorization").as_deref() == Some("Bearer tok-0"))
    );
}

#[tokio::test]
async fn a_short_lived_token_is_refreshed_before_it_expires_with_the_refresh_grant() {
    let server = Server::start_with(
        |_, n| {
            Reply::json(
                200,
                json!({"access_token": format!("tok-{n}"), "refresh_token": format!("ref-{n}"), "expires_in": 1}),
            )
        },
        get_ok,
    )
    .await;
    let client = server.config().build().unwrap();
    client.get(conn()).await.unwrap();
    client.get(conn()).await.unwrap();
    assert_eq!(server.token_requests().len(), 1, "still fresh");
    // A one-second token is replaced at half its life.
    tokio::time::sleep(Duration::from_millis(600)).await;
    client.get(conn()).await.unwrap();
    let tokens = server.token_requests();
    assert_eq!(tokens.len(), 2);
    assert_eq!(tokens[1].json()["grant_type"], "refresh_token");
    assert_eq!(tokens[1].json()["refresh_token"], "ref-0");
    assert_eq!(
        server.api_requests()[2].header("authorization").as_deref(),
        Some("Bearer tok-1")
    );
}

#[tokio::test]
async fn a_failed_refresh_falls_back_to_the_client_credentials() {
    let server = Server::start_with(
        |r, n| {
            if r.json()["grant_type"] == "refresh_token" {
                Reply::json(400, json!({"code": "invalid_grant", "message": "refresh token expired"}))
            } else {
                Reply::json(200, json!({"access_token": format!("tok-{n}"), "refresh_token": "r", "expires_in": 1}))
            }
        },
        get_ok,
    )
    .await;
    let client = server.config().build().unwrap();
    client.get(conn()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(600)).await;
    client.get(conn()).await.unwrap();
    let grants: Vec<_> = server
        .token_requests()
        .iter()
        .map(|r| r.json()["grant_type"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        grants,
        ["client_credentials", "refresh_token", "client_credentials"]
    );
    assert_eq!(
        server.api_requests()[1].header("authorization").as_deref(),
        Some("Bearer tok-2")
    );
}

#[tokio::test]
async fn a_401_refreshes_the_token_once_and_replays_the_call() {
    let server = Server::start(|r, n| {
        if n == 0 {
            assert_eq!(r.header("authorization").as_deref(), Some("Bearer tok-0"));
            Reply::json(
                401,
                json!({"code": "unauthorized", "message": "Unauthorized access"}),
            )
        } else {
            get_ok(r, n)
        }
    })
    .await;
    let client = server.config().build().unwrap();
    client.get(conn()).await.unwrap();
    let tokens = server.token_requests();
    assert_eq!(tokens.len(), 2);
    assert_eq!(tokens[1].json()["grant_type"], "refresh_token");
    assert_eq!(
        server.api_requests()[1].header("authorization").as_deref(),
        Some("Bearer tok-1")
    );
}

#[tokio::test]
async fn a_token_rejected_twice_is_unauthorized() {
    let server = Server::start(|_, _| {
        Reply::json(
            401,
            json!({"code": "unauthorized", "message": "Unauthorized access"}),
        )
    })
    .await;
    let client = server.config().build().unwrap();
    let err = client.get(conn()).await.unwrap_err();
    assert!(
        matches!(&err, Error::Unauthorized { message } if message.contains("Unauthorized access")),
        "{err:?}"
    );
    assert_eq!(server.api_requests().len(), 2, "one call, one replay");
    assert_eq!(server.token_requests().len(), 2);
}

#[tokio::test]
async fn a_redirect_is_not_followed_and_names_only_the_host() {
    let location =
        format!("https://login.exsited.example/signin?client_secret={CLIENT_SECRET}&state=xyz");
    let token_location = location.clone();
    let server = Server::start_with(
        move |_, _| Reply::empty(302).header("location", &token_location),
        |_, _| unreachable!("no API call without a token"),
    )
    .await;
    let client = server.config().build().unwrap();
    let err = client.get(conn()).await.unwrap_err();
    let Error::Unauthorized { message } = &err else {
        panic!("{err:?}");
    };
    assert!(message.contains("login.exsited.example"), "{message}");
    for shown in [err.to_string(), format!("{err:?}"), format!("{client:?}")] {
        assert!(!shown.contains(CLIENT_SECRET), "{shown}");
        assert!(!shown.contains("state=xyz"), "{shown}");
    }
    assert_eq!(server.requests().len(), 1, "the redirect was not followed");

    // The same from an API call.
    let server = Server::start(move |_, _| Reply::empty(301).header("location", &location)).await;
    let err = server
        .config()
        .build()
        .unwrap()
        .get(conn())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Unauthorized { message } if message.contains("login.exsited.example")),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_fixed_bearer_token_is_sent_as_is_and_never_refreshed() {
    let server = Server::start(|r, _| {
        if r.header("authorization").as_deref() == Some("Bearer fixed-token") {
            Reply::json(401, json!({"code": "unauthorized", "message": "expired"}))
        } else {
            Reply::empty(500)
        }
    })
    .await;
    let client = ClientConfig::builder()
        .base_url(&server.base_url)
        .bearer_token(SecretString::new("fixed-token"))
        .build()
        .unwrap();
    let err = client.get(conn()).await.unwrap_err();
    assert!(matches!(err, Error::Unauthorized { .. }), "{err:?}");
    assert_eq!(server.token_requests().len(), 0);
    assert_eq!(server.api_requests().len(), 1);
}

#[tokio::test]
async fn requests_carry_the_documented_headers_and_token_body() {
    let server = Server::start(get_ok).await;
    let client = server
        .config()
        .redirect_uri("https://app.example/callback")
        .user_agent("exsited-test/1")
        .build()
        .unwrap();
    client.get(conn()).await.unwrap();
    let token = &server.token_requests()[0];
    assert_eq!(token.method, "POST");
    assert_eq!(
        token.header("content-type").as_deref(),
        Some("application/json")
    );
    assert!(token.header("authorization").is_none());
    let body = token.json();
    assert_eq!(body["grant_type"], "client_credentials");
    assert_eq!(body["client_id"], support::CLIENT_ID);
    assert_eq!(body["client_secret"], CLIENT_SECRET);
    assert_eq!(body["redirect_uri"], "https://app.example/callback");
    let call = &server.api_requests()[0];
    assert_eq!(call.path, format!("/api/v2/integration-connections/{CONN}"));
    assert_eq!(call.header("user-agent").as_deref(), Some("exsited-test/1"));
    assert_eq!(call.header("accept").as_deref(), Some("application/json"));
    assert!(call.header("x-request-id").is_some_and(|id| id.len() == 36));
    assert!(call.header("x-idempotency-key").is_none(), "GETs need none");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clones_share_one_token() {
    let server = Server::start(get_ok).await;
    let client = Arc::new(server.config().build().unwrap());
    let other = (*client).clone();
    client.get(conn()).await.unwrap();
    other.get(conn()).await.unwrap();
    assert_eq!(server.token_requests().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn calls_waiting_on_a_failed_token_fetch_share_its_failure() {
    let server = Server::start_with(
        |_, _| {
            Reply::json(
                401,
                json!({"code": "invalid_client", "message": "bad credentials"}),
            )
            .after(Duration::from_millis(100))
        },
        get_ok,
    )
    .await;
    let client = server.config().build().unwrap();
    let calls = (0..20).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.get(conn()).await })
    });
    for call in futures_util::future::join_all(calls).await {
        let err = call.unwrap().unwrap_err();
        assert!(
            matches!(&err, Error::Unauthorized { message } if message.contains("bad credentials")),
            "{err:?}"
        );
        assert!(!format!("{err:?}").contains(CLIENT_SECRET));
    }
    assert_eq!(server.token_requests().len(), 1);
    assert!(server.api_requests().is_empty());
}
