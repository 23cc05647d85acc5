//! The token endpoint: both grants, revocation by a new grant, rotation, expiry, bad
//! credentials.

use std::time::Duration;

use exsited_server::ServerConfig;
use serde_json::json;

use crate::support::{self, Api, MovableClock, READER, WRITER, send, token_request};

async fn status_with(addr: std::net::SocketAddr, token: &str) -> u16 {
    let auth = format!("Bearer {token}");
    send(
        addr,
        "GET",
        "/api/v2/integration-connections",
        &[("Authorization", &auth)],
        None,
    )
    .await
    .status
}

#[tokio::test]
async fn a_grant_has_the_contracts_shape_and_a_new_grant_revokes_the_old_token() {
    let t = support::start().await;
    let first = support::grant(t.addr, WRITER).await;
    assert_eq!(first["token_type"], "Bearer");
    assert_eq!(first["expires_in"], 3600);
    let access = first["access_token"].as_str().unwrap();
    assert!(access.len() >= 64, "at least 256 bits");
    assert!(first["refresh_token"].as_str().unwrap().len() >= 64);
    assert_eq!(status_with(t.addr, access).await, 200);

    let second = support::grant(t.addr, WRITER).await;
    assert_ne!(second["access_token"], first["access_token"]);
    let response = send(
        t.addr,
        "GET",
        "/api/v2/integration-connections",
        &[("Authorization", &format!("Bearer {access}"))],
        None,
    )
    .await;
    response.expect_error(401);
    assert_eq!(response.header("www-authenticate"), Some("Bearer"));
    assert_eq!(
        status_with(t.addr, second["access_token"].as_str().unwrap()).await,
        200
    );

    // Another client's grant does not touch this one's.
    support::grant(t.addr, READER).await;
    assert_eq!(
        status_with(t.addr, second["access_token"].as_str().unwrap()).await,
        200
    );
}

#[tokio::test]
async fn refresh_rotates_and_a_reused_refresh_token_is_refused() {
    let t = support::start().await;
    let first = support::grant(t.addr, WRITER).await;
    let refresh = |token: &str| {
        json!({"grant_type": "refresh_token", "refresh_token": token,
               "client_id": WRITER.0, "client_secret": WRITER.1})
    };
    let old_refresh = first["refresh_token"].as_str().unwrap();
    let second = token_request(t.addr, refresh(old_refresh)).await;
    assert_eq!(second.status, 200);
    let second = second.json();
    assert_ne!(second["refresh_token"], first["refresh_token"]);
    assert_eq!(
        status_with(t.addr, first["access_token"].as_str().unwrap()).await,
        401
    );
    assert_eq!(
        status_with(t.addr, second["access_token"].as_str().unwrap()).await,
        200
    );

    // A refresh token that grants nothing is a 400 naming it (invalid_grant), after which
    // clients (the PHP SDK only after a 400) fall back to their credentials.
    let (_, details) = token_request(t.addr, refresh(old_refresh))
        .await
        .expect_error(400);
    assert_eq!(details["field"], "refresh_token");
    // The rotated token works once.
    let third = token_request(t.addr, refresh(second["refresh_token"].as_str().unwrap())).await;
    assert_eq!(third.status, 200);
    // A refresh token is bound to its client.
    let stolen = json!({"grant_type": "refresh_token",
        "refresh_token": third.json()["refresh_token"], "client_id": READER.0, "client_secret": READER.1});
    token_request(t.addr, stolen).await.expect_error(400);
}

#[tokio::test]
async fn bad_credentials_and_bad_requests() {
    let t = support::start().await;
    for body in [
        json!({"grant_type": "client_credentials", "client_id": WRITER.0, "client_secret": "wrong"}),
        json!({"grant_type": "client_credentials", "client_id": "nobody", "client_secret": "x"}),
        json!({"grant_type": "client_credentials", "client_id": WRITER.0}),
        json!({"grant_type": "refresh_token", "refresh_token": "rt_forged", "client_id": WRITER.0, "client_secret": "wrong"}),
    ] {
        let response = token_request(t.addr, body.clone()).await;
        let (message, _) = response.expect_error(401);
        assert!(!message.contains("wrong"), "{message}");
    }
    let forged = json!({"grant_type": "refresh_token", "refresh_token": "rt_forged",
                        "client_id": WRITER.0, "client_secret": WRITER.1});
    let (message, details) = token_request(t.addr, forged).await.expect_error(400);
    assert_eq!(details["field"], "refresh_token");
    assert!(!message.contains("rt_forged"), "{message}");
    token_request(
        t.addr,
        json!({"grant_type": "password", "client_id": WRITER.0, "client_secret": WRITER.1}),
    )
    .await
    .expect_error(400);
    token_request(t.addr, json!({"client_id": WRITER.0}))
        .await
        .expect_error(400);
    // A refresh grant without a refresh token is malformed, whatever the credentials.
    for secret in [WRITER.1, "wrong"] {
        let (_, details) = token_request(
            t.addr,
            json!({"grant_type": "refresh_token", "refresh_token": "", "client_id": WRITER.0, "client_secret": secret}),
        )
        .await
        .expect_error(400);
        assert_eq!(details["field"], "refresh_token");
    }
    for token in ["", "at_0000", "not even close"] {
        assert_eq!(status_with(t.addr, token).await, 401);
    }
    let response = send(
        t.addr,
        "GET",
        "/api/v2/integration-connections",
        &[("Authorization", "Basic abc")],
        None,
    )
    .await;
    response.expect_error(401);
}

#[tokio::test]
async fn an_expired_token_is_a_401() {
    let config = ServerConfig {
        access_token_lifetime: Duration::ZERO,
        ..ServerConfig::default()
    };
    let t = support::start_with(config).await;
    let api = Api::login(t.addr, WRITER).await;
    let (message, _) = api
        .get("/api/v2/integration-connections")
        .await
        .expect_error(401);
    assert!(message.contains("expired"), "{message}");
}

#[tokio::test]
async fn tokens_expire_when_the_servers_clock_passes_their_lifetime() {
    let clock = MovableClock::default();
    let t = support::start_at(&clock).await;
    let defaults = ServerConfig::default();
    let first = support::grant(t.addr, WRITER).await;
    let access = first["access_token"].as_str().unwrap();
    assert_eq!(status_with(t.addr, access).await, 200);

    // Just past the access token's lifetime: refused, and the refresh token still works.
    clock.advance(defaults.access_token_lifetime + Duration::from_secs(1));
    let (message, _) = send(
        t.addr,
        "GET",
        "/api/v2/integration-connections",
        &[("Authorization", &format!("Bearer {access}"))],
        None,
    )
    .await
    .expect_error(401);
    assert!(message.contains("expired"), "{message}");
    let refresh = |token: &serde_json::Value| {
        json!({"grant_type": "refresh_token", "refresh_token": token,
               "client_id": WRITER.0, "client_secret": WRITER.1})
    };
    let second = token_request(t.addr, refresh(&first["refresh_token"])).await;
    assert_eq!(second.status, 200);
    let second = second.json();
    assert_eq!(
        status_with(t.addr, second["access_token"].as_str().unwrap()).await,
        200
    );

    // Past the refresh token's lifetime: refused too, as a grant that grants nothing (400).
    clock.advance(defaults.refresh_token_lifetime + Duration::from_secs(1));
    let (message, details) = token_request(t.addr, refresh(&second["refresh_token"]))
        .await
        .expect_error(400);
    assert!(message.contains("expired"), "{message}");
    assert_eq!(details["field"], "refresh_token");
}
