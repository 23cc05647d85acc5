//! Reading responses: every error shape, unreadable and oversized bodies, pagination through
//! `RepositoryExt::list_all`, and each operation's method, path and body.

mod support;

use std::time::Duration;

use exsited_core::{
    AutomationDetails, AutomationId, AutomationPatch, ConnectionId, ConnectionRepository,
    Direction, Error, ListQuery, Name, OrderBy, PartnerFunctionDetails, PartnerFunctionId,
    PartnerFunctionPatch, RepositoryExt, Resource,
};
use futures_util::StreamExt;
use serde_json::{Value, json};
use support::{CONN, Reply, Server, connection_json, v3_error};

fn conn() -> ConnectionId {
    CONN.parse().unwrap()
}

/// The error a GET of one connection ends with when the server always answers `reply`.
async fn get_error(reply: Reply) -> Error {
    let server = Server::start(move |_, _| reply.clone()).await;
    server
        .config()
        .build()
        .unwrap()
        .get(conn())
        .await
        .unwrap_err()
}

#[tokio::test]
async fn v3_envelopes_with_integer_and_string_codes() {
    let err = get_error(Reply::json(
        404,
        v3_error(json!(404), "Integration connection not found"),
    ))
    .await;
    assert!(
        matches!(&err, Error::NotFound { resource: Resource::Connection, id } if id == CONN),
        "{err:?}"
    );
    let err = get_error(Reply::json(409, v3_error(json!("409"), "already exists"))).await;
    assert!(
        matches!(&err, Error::Conflict { message } if message == "already exists"),
        "{err:?}"
    );
    let err = get_error(Reply::json(403, v3_error(json!(403), "read-only client"))).await;
    assert!(
        matches!(&err, Error::Forbidden { message } if message == "read-only client"),
        "{err:?}"
    );
    let err = get_error(Reply::json(
        422,
        v3_error(json!("unprocessable"), "bad state"),
    ))
    .await;
    assert!(matches!(err, Error::Conflict { .. }), "{err:?}");
}

#[tokio::test]
async fn v4_envelopes_with_list_map_and_string_errors() {
    let list = json!({"object": "error", "request_id": "req_list", "status": 400, "code": "validation_error",
        "message": "invalid", "errors": [{"field": "limit", "code": "range", "message": "too big"}]});
    let err = get_error(Reply::json(400, list)).await;
    assert!(
        matches!(&err, Error::InvalidInput { field, reason } if field == "limit" && reason == "too big"),
        "{err:?}"
    );
    let map = json!({"object": "error", "status": 400, "code": "validation_error", "message": "invalid",
        "errors": {"remote_instance_id": "is required"}});
    let err = get_error(Reply::json(400, map)).await;
    assert!(
        matches!(&err, Error::InvalidInput { field, .. } if field == "remote_instance_id"),
        "{err:?}"
    );
    let text = json!({"object": "error", "request_id": "req_text", "status": 400, "code": "bad_request",
        "errors": "the uuid is malformed"});
    let err = get_error(Reply::json(400, text)).await;
    assert!(
        matches!(&err, Error::Backend { status: Some(400), messages, request_id: Some(id) }
            if messages == &["the uuid is malformed"] && id == "req_text"),
        "{err:?}"
    );
}

#[tokio::test]
async fn the_bare_form_and_a_2xx_error_object() {
    let err = get_error(Reply::json(
        401,
        json!({"code": "unauthorized", "message": "Unauthorized access"}),
    ))
    .await;
    assert!(
        matches!(&err, Error::Unauthorized { message } if message == "Unauthorized access"),
        "{err:?}"
    );
    let err = get_error(Reply::json(
        200,
        json!({"object": "error", "status": 404, "message": "gone"}),
    ))
    .await;
    assert!(err.is_not_found(), "{err:?}");
    let err = get_error(Reply::json(
        200,
        json!({"object": "error", "request_id": "req_2xx", "message": "quota exceeded"}),
    ))
    .await;
    assert!(
        matches!(&err, Error::Backend { status: Some(200), messages, .. } if messages == &["quota exceeded"]),
        "{err:?}"
    );
}

#[tokio::test]
async fn an_html_502_keeps_a_bounded_printable_excerpt_and_the_request_id() {
    let page = format!(
        "<html>\n<title>502 Bad Gateway</title>\u{1b}[31m{}</html>",
        "x".repeat(20_000)
    );
    let err =
        get_error(Reply::text(502, "text/html", page).header("x-request-id", "req_gateway")).await;
    let Error::Backend {
        status: Some(502),
        messages,
        request_id: Some(request_id),
    } = &err
    else {
        panic!("{err:?}");
    };
    assert_eq!(request_id, "req_gateway");
    assert_eq!(messages.len(), 1);
    assert!(messages[0].contains("502 Bad Gateway"), "{}", messages[0]);
    assert!(messages[0].len() < 600, "{}", messages[0].len());
    assert!(!messages[0].chars().any(char::is_control));
}

#[tokio::test]
async fn garbage_json_is_a_backend_error_that_quotes_no_secret() {
    let err = get_error(Reply::text(
        200,
        "application/json",
        "{\"integration_connection\": {\"uuid\": ",
    ))
    .await;
    assert!(
        matches!(&err, Error::Backend { status: Some(200), messages, .. } if messages[0].contains("not a valid connection")),
        "{err:?}"
    );
    // The wrong shape: the message must not quote the value, which could be a secret.
    let err = get_error(Reply::json(
        200,
        json!({"integration_connection": {"uuid": CONN, "client_secret": 12345678}}),
    ))
    .await;
    assert!(!err.to_string().contains("12345678"), "{err}");
    // A record the domain refuses (an id that is no UUID).
    let err = get_error(Reply::json(
        200,
        json!({"integration_connection": {"uuid": "nope", "integration_partner": "XERO"}}),
    ))
    .await;
    assert!(
        matches!(&err, Error::Backend { messages, .. } if messages[0].contains("uuid")),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused() {
    let big = json!({"integration_connection": connection_json(CONN), "pad": "x".repeat(4096)});
    let server = Server::start(move |_, _| Reply::json(200, big.clone())).await;
    let client = server.config().max_response_bytes(1024).build().unwrap();
    let err = client.get(conn()).await.unwrap_err();
    assert!(
        matches!(&err, Error::Backend { messages, .. } if messages[0].contains("1024-byte limit")),
        "{err:?}"
    );
    assert_eq!(server.api_requests().len(), 1, "not retried");
}

#[tokio::test]
async fn a_429_on_a_get_ends_as_rate_limited_once_retries_run_out() {
    let err = get_error(Reply::json(
        429,
        json!({"code": "rate_limited", "message": "slow"}),
    ))
    .await;
    assert!(
        matches!(err, Error::RateLimited { retry_after: None }),
        "{err:?}"
    );
}

fn uuid_at(i: u64) -> String {
    format!("00000000-0000-4000-8000-{i:012}")
}

/// A list endpoint over 5 records, `next_page` spelled `end` at the last page.
fn page(r: &support::Recorded, end: Value, ignore_offset: bool) -> Reply {
    let limit: u64 = r.param("limit").unwrap().parse().unwrap();
    let offset: u64 = if ignore_offset {
        0
    } else {
        r.param("offset").unwrap().parse().unwrap()
    };
    let items: Vec<Value> = (offset..(offset + limit).min(5))
        .map(|i| connection_json(&uuid_at(i)))
        .collect();
    let next = if offset + limit < 5 {
        json!(format!(
            "/api/v2/integration-connections?offset={}",
            offset + limit
        ))
    } else {
        end
    };
    Reply::json(
        200,
        json!({"integration_connection": items,
               "pagination": {"records": 5, "limit": limit, "offset": offset, "next_page": next, "previous_page": "NULL"}}),
    )
}

#[tokio::test]
async fn list_all_walks_every_page_whatever_the_end_marker() {
    for end in [json!(null), json!(""), json!("NULL")] {
        let marker = end.clone();
        let server = Server::start(move |r, _| page(r, marker.clone(), false)).await;
        let client = server.config().build().unwrap();
        let query = ListQuery::new(2, 0)
            .unwrap()
            .ordered(OrderBy::Uuid, Direction::Desc);
        let all: Vec<_> = client
            .list_all(query)
            .map(|c| c.unwrap().id.to_string())
            .collect()
            .await;
        assert_eq!(all, (0..5).map(uuid_at).collect::<Vec<_>>(), "end {end}");
        let calls = server.api_requests();
        assert_eq!(calls.len(), 3, "end {end}");
        assert_eq!(calls[0].path, "/api/v2/integration-connections");
        assert_eq!(
            calls[2].query,
            "limit=2&offset=4&order_by=uuid&direction=desc"
        );
    }
}

#[tokio::test]
async fn list_all_stops_on_a_repeating_page() {
    let server = Server::start(|r, _| page(r, json!(null), true)).await;
    let client = server.config().build().unwrap();
    let all: Vec<_> = client
        .list_all(ListQuery::new(2, 0).unwrap())
        .collect()
        .await;
    assert_eq!(all.len(), 2);
    assert_eq!(server.api_requests().len(), 2);
}

#[tokio::test]
async fn list_all_stops_on_an_empty_page() {
    let server = Server::start(|r, _| {
        let offset = r.param("offset").unwrap();
        let items = if offset == "0" {
            vec![connection_json(&uuid_at(0))]
        } else {
            vec![]
        };
        Reply::json(
            200,
            json!({"integration_connection": items, "pagination": {"records": 50, "limit": 1, "offset": offset.parse::<u64>().unwrap(), "next_page": "x"}}),
        )
    })
    .await;
    let client = server.config().build().unwrap();
    let all: Vec<_> = client
        .list_all(ListQuery::new(1, 0).unwrap())
        .collect()
        .await;
    assert_eq!(all.len(), 1);
    assert_eq!(server.api_requests().len(), 2);
}

#[tokio::test]
async fn every_operation_uses_its_method_path_and_body() {
    const AUTO: &str = "11111111-1111-4111-8111-111111111111";
    const PF: &str = "22222222-2222-4222-8222-222222222222";
    let automation = json!({"uuid": AUTO, "name": "Sync", "status": "ACTIVE", "provider": "XERO"});
    let function = json!({"uuid": PF, "name": "Map", "enabled": true, "provider_name": "XERO"});
    let server = Server::start(move |r, _| {
        let base = format!("/api/v3/integration/{CONN}");
        match (r.method.as_str(), r.path.as_str()) {
            ("POST", p) if p == format!("{base}/enable") || p == format!("{base}/disable") => {
                Reply::json(200, json!({"message": "XERO integration has been enabled successfully"}))
            }
            ("GET", p) if p == format!("{base}/automation") => Reply::json(
                200,
                json!({"integration_automations": [automation.clone()], "pagination": {"records": 1, "limit": 20, "offset": 0, "next_page": ""}}),
            ),
            ("POST", p) if p == format!("{base}/automation") => {
                assert_eq!(r.json()["integration"]["automation_details"]["name"], "Sync");
                Reply::json(201, json!({"integration_automation": automation.clone()}))
            }
            ("GET" | "PATCH", p) if p == format!("{base}/automation/{AUTO}") => {
                Reply::json(200, json!({"integration_automation": automation.clone()}))
            }
            ("GET", p) if p == format!("{base}/partner-function/") => Reply::json(
                200,
                json!({"partner_functions": [function.clone()]}),
            ),
            ("POST", p) if p == format!("{base}/partner-function/") => {
                assert_eq!(r.json()["partner_function"]["name"], "Map");
                Reply::json(201, json!({"partner_function": function.clone()}))
            }
            ("GET" | "PATCH", p) if p == format!("{base}/partner-function/{PF}") => {
                Reply::json(200, json!({"partner_function": function.clone()}))
            }
            _ => Reply::json(404, v3_error(json!(404), "no route")),
        }
    })
    .await;
    let client = server.config().build().unwrap();
    let auto: AutomationId = AUTO.parse().unwrap();
    let pf: PartnerFunctionId = PF.parse().unwrap();
    client.enable(conn()).await.unwrap();
    client.disable(conn()).await.unwrap();
    let page = client
        .list_automations(conn(), &ListQuery::default())
        .await
        .unwrap();
    assert_eq!((page.items.len(), page.total), (1, 1));
    let details = AutomationDetails::new(Name::new("name", "Sync").unwrap());
    assert_eq!(
        client.create_automation(conn(), details).await.unwrap().id,
        auto
    );
    client.get_automation(conn(), auto).await.unwrap();
    let patch = AutomationPatch {
        description: Some(exsited_core::Text::new("description", "d").unwrap()),
        ..Default::default()
    };
    client.update_automation(conn(), auto, patch).await.unwrap();
    let functions = client
        .list_partner_functions(conn(), &ListQuery::default())
        .await
        .unwrap();
    assert_eq!(functions.items[0].id, pf);
    let details = PartnerFunctionDetails::new(Name::new("name", "Map").unwrap());
    client
        .create_partner_function(conn(), details)
        .await
        .unwrap();
    client.get_partner_function(conn(), pf).await.unwrap();
    let patch = PartnerFunctionPatch {
        tag: Some(exsited_core::Text::new("tag", "t").unwrap()),
        ..Default::default()
    };
    client
        .update_partner_function(conn(), pf, patch)
        .await
        .unwrap();
    let methods: Vec<_> = server
        .api_requests()
        .iter()
        .map(|r| r.method.clone())
        .collect();
    assert_eq!(
        methods,
        [
            "POST", "POST", "GET", "POST", "GET", "PATCH", "GET", "POST", "GET", "PATCH"
        ]
    );
    let patch_body = server.api_requests()[5].json();
    assert_eq!(
        patch_body["integration"]["automation_details"],
        json!({"description": "d"})
    );
    // A 404 under an automation path names the automation.
    let missing: AutomationId = "33333333-3333-4333-8333-333333333333".parse().unwrap();
    let err = client.get_automation(conn(), missing).await.unwrap_err();
    assert!(
        matches!(
            &err,
            Error::NotFound {
                resource: Resource::Automation,
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn secrets_in_records_never_print() {
    let server = Server::start(|_, _| {
        Reply::json(
            200,
            json!({"integration_connection": connection_json(CONN)}),
        )
        .after(Duration::from_millis(1))
    })
    .await;
    let connection = server.config().build().unwrap().get(conn()).await.unwrap();
    assert_eq!(
        connection.credentials.client_secret.expose(),
        "partner-secret-value"
    );
    let shown = format!("{connection:?}");
    for secret in [
        "partner-secret-value",
        "partner-access-value",
        "partner-refresh-value",
    ] {
        assert!(!shown.contains(secret), "{shown}");
    }
}
