//! Retries only when safe, Retry-After, backoff, timeouts, and the delete outcome when an
//! answer is lost.

mod support;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use exsited_core::{
    ConnectionId, ConnectionRepository, DeleteOutcome, Error, NewConnection, Partner, Resource,
    SecretString,
};
use exsited_transport::{ClientConfig, ExchangeOutcome, FailureKind, RetryPolicy};
use serde_json::json;
use support::{CONN, Reply, Server, connection_json};

fn conn() -> ConnectionId {
    CONN.parse().unwrap()
}

fn get_ok() -> Reply {
    Reply::json(
        200,
        json!({"integration_connection": connection_json(CONN)}),
    )
}

fn created() -> Reply {
    Reply::json(
        201,
        json!({"integration": {"integration_connection": connection_json(CONN)}}),
    )
}

fn new_connection() -> NewConnection {
    NewConnection::new(Partner::new("xero").unwrap(), "tenant-1").unwrap()
}

#[tokio::test]
async fn retry_after_in_seconds_is_honoured() {
    let server = Server::start(|_, n| {
        if n == 0 {
            Reply::json(503, json!({"errors": [{"code": 503, "message": "busy"}]}))
                .header("retry-after", "1")
        } else {
            get_ok()
        }
    })
    .await;
    let client = server.config().build().unwrap();
    let started = Instant::now();
    client.get(conn()).await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(950));
    assert_eq!(server.api_requests().len(), 2);
}

#[tokio::test]
async fn retry_after_as_an_http_date_is_honoured() {
    // Two seconds ahead, so that the whole-second date is still at least one second away.
    let at = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(2));
    let server = Server::start(move |_, n| {
        if n == 0 {
            Reply::json(429, json!({"code": "rate_limited", "message": "slow down"}))
                .header("retry-after", &at)
        } else {
            get_ok()
        }
    })
    .await;
    let client = server.config().build().unwrap();
    let started = Instant::now();
    client.get(conn()).await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(900));
    assert_eq!(server.api_requests().len(), 2);
}

#[tokio::test]
async fn a_retry_after_beyond_the_deadline_is_not_waited_for() {
    let server = Server::start(|_, _| {
        Reply::json(429, json!({"code": "rate_limited", "message": "slow down"}))
            .header("retry-after", "3600")
    })
    .await;
    let client = server.config().build().unwrap();
    let started = Instant::now();
    let err = client.get(conn()).await.unwrap_err();
    assert!(
        matches!(err, Error::RateLimited { retry_after: Some(d) } if d == Duration::from_secs(3600)),
        "{err:?}"
    );
    assert_eq!(server.api_requests().len(), 1);
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn backoff_is_bounded_and_attempts_are_limited() {
    let server = Server::start(|_, _| {
        Reply::json(500, json!({"errors": [{"code": 500, "message": "boom"}]}))
    })
    .await;
    let client = server
        .config()
        .retry_policy(RetryPolicy::new(
            4,
            Duration::from_millis(10),
            Duration::from_millis(40),
        ))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client.get(conn()).await.unwrap_err();
    assert!(
        matches!(&err, Error::Backend { status: Some(500), messages, .. } if messages == &["boom"]),
        "{err:?}"
    );
    assert_eq!(server.api_requests().len(), 4);
    // Three waits of at most 10, 20 and 40 ms; a generous bound, as a sanity check only.
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn a_post_is_not_retried_once_sent() {
    let server = Server::start(|_, _| Reply::Drop).await;
    let client = server.config().build().unwrap();
    let err = client.create(new_connection()).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Unavailable {
                maybe_processed: true,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("may have been processed"), "{err}");
    assert_eq!(server.api_requests().len(), 1);
}

#[tokio::test]
async fn a_post_is_not_retried_on_a_5xx_or_a_429_without_retry_after() {
    for status in [502, 429, 500] {
        let server = Server::start(move |_, _| {
            Reply::json(status, json!({"code": status, "message": "no"}))
        })
        .await;
        let client = server.config().build().unwrap();
        client.create(new_connection()).await.unwrap_err();
        assert_eq!(server.api_requests().len(), 1, "status {status}");
    }
}

#[tokio::test]
async fn a_post_is_retried_on_429_with_retry_after_under_the_same_idempotency_key() {
    let server = Server::start(|_, n| {
        if n == 0 {
            Reply::json(429, json!({"code": 429, "message": "slow down"}))
                .header("retry-after", "0")
        } else {
            created()
        }
    })
    .await;
    let client = server.config().build().unwrap();
    let created = client.create(new_connection()).await.unwrap();
    assert_eq!(created.id, conn());
    let calls = server.api_requests();
    assert_eq!(calls.len(), 2);
    let key = calls[0].header("x-idempotency-key").unwrap();
    assert!(uuid::Uuid::parse_str(&key).is_ok_and(|u| u.get_version_num() == 4));
    assert_eq!(calls[1].header("x-idempotency-key"), Some(key));
    assert_ne!(
        calls[0].header("x-request-id"),
        calls[1].header("x-request-id")
    );
    assert_eq!(calls[0].json()["provider"], "XERO");
}

#[tokio::test]
async fn a_caller_can_choose_the_idempotency_key() {
    let server = Server::start(|_, _| created()).await;
    let client = server.config().build().unwrap();
    client
        .create_with_idempotency_key(new_connection(), "restore-42")
        .await
        .unwrap();
    assert_eq!(
        server.api_requests()[0]
            .header("x-idempotency-key")
            .as_deref(),
        Some("restore-42")
    );
    let err = client
        .create_with_idempotency_key(new_connection(), "bad key\n")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput { ref field, .. } if field == "idempotency_key"));
}

#[tokio::test]
async fn a_get_is_retried_after_a_dropped_connection() {
    let server = Server::start(|_, n| if n == 0 { Reply::Drop } else { get_ok() }).await;
    let client = server.config().build().unwrap();
    client.get(conn()).await.unwrap();
    assert_eq!(server.api_requests().len(), 2);
}

#[tokio::test]
async fn an_attempt_times_out_against_a_server_that_never_answers() {
    let server = Server::start(|_, _| Reply::Hang).await;
    let client = server
        .config()
        .attempt_timeout(Duration::from_millis(150))
        .retry_policy(RetryPolicy::new(
            2,
            Duration::from_millis(5),
            Duration::from_millis(5),
        ))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client.get(conn()).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Timeout {
                maybe_processed: true
            }
        ),
        "{err:?}"
    );
    assert_eq!(server.api_requests().len(), 2);
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn the_deadline_caps_the_whole_operation() {
    let server = Server::start(|_, _| Reply::Hang).await;
    let client = server
        .config()
        .attempt_timeout(Duration::from_secs(5))
        .deadline(Duration::from_millis(300))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client.get(conn()).await.unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn a_request_never_sent_is_retried_even_for_a_post_and_is_not_processed() {
    // A port with nothing listening: every attempt fails to connect.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let client = ClientConfig::builder()
        .base_url(format!("http://127.0.0.1:{port}"))
        .bearer_token(SecretString::new("t"))
        .retry_policy(RetryPolicy::new(
            3,
            Duration::from_millis(1),
            Duration::from_millis(5),
        ))
        .observer(move |exchange| log.lock().unwrap().push(exchange.clone()))
        .build()
        .unwrap();
    let err = client.create(new_connection()).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Unavailable {
                maybe_processed: false,
                ..
            }
        ),
        "{err:?}"
    );
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 3);
    assert!(
        seen.iter()
            .enumerate()
            .all(|(i, e)| e.attempt == i as u32 + 1
                && e.method == "POST"
                && e.path == "/api/v3/integration"
                && e.outcome == ExchangeOutcome::Failed(FailureKind::Connect))
    );
}

#[tokio::test]
async fn a_204_without_content_type_is_removed() {
    let server = Server::start(|_, _| Reply::empty(204)).await;
    let client = server.config().build().unwrap();
    assert_eq!(client.delete(conn()).await.unwrap(), DeleteOutcome::Removed);
    let call = &server.api_requests()[0];
    assert_eq!(call.method, "DELETE");
    assert_eq!(call.path, format!("/api/v3/integration/{CONN}"));
    assert!(call.body.is_empty());
}

#[tokio::test]
async fn a_delete_applied_whose_answer_was_lost_is_removed_unconfirmed() {
    // The server applies the delete, then drops the connection before answering.
    let exists = Arc::new(AtomicBool::new(true));
    let server = Server::start(move |_, _| {
        if exists.swap(false, Ordering::SeqCst) {
            Reply::Drop
        } else {
            Reply::json(
                404,
                json!({"errors": [{"code": 404, "message": "Integration connection not found"}]}),
            )
        }
    })
    .await;
    let client = server.config().build().unwrap();
    assert_eq!(
        client.delete(conn()).await.unwrap(),
        DeleteOutcome::RemovedUnconfirmed
    );
    assert_eq!(server.api_requests().len(), 2);
}

#[tokio::test]
async fn a_404_after_a_5xx_is_removed_unconfirmed() {
    let server = Server::start(|_, n| {
        if n == 0 {
            Reply::text(502, "text/html", "<html>Bad Gateway</html>")
        } else {
            Reply::json(
                404,
                json!({"errors": [{"code": 404, "message": "not found"}]}),
            )
        }
    })
    .await;
    let client = server.config().build().unwrap();
    assert_eq!(
        client.delete(conn()).await.unwrap(),
        DeleteOutcome::RemovedUnconfirmed
    );
}

#[tokio::test]
async fn a_first_attempt_404_is_not_found() {
    let server = Server::start(|_, _| {
        Reply::json(
            404,
            json!({"errors": [{"code": 404, "message": "Integration connection not found"}]}),
        )
    })
    .await;
    let client = server.config().build().unwrap();
    let err = client.delete(conn()).await.unwrap_err();
    assert!(
        matches!(&err, Error::NotFound { resource: Resource::Connection, id } if id == CONN),
        "{err:?}"
    );
    assert_eq!(server.api_requests().len(), 1);
}

#[tokio::test]
async fn a_404_after_a_429_is_not_found() {
    // A 429 says the first attempt was not processed: its outcome is known.
    let server = Server::start(|_, n| {
        if n == 0 {
            Reply::json(429, json!({"code": 429, "message": "slow"})).header("retry-after", "0")
        } else {
            Reply::json(
                404,
                json!({"errors": [{"code": 404, "message": "not found"}]}),
            )
        }
    })
    .await;
    let client = server.config().build().unwrap();
    assert!(client.delete(conn()).await.unwrap_err().is_not_found());
}
