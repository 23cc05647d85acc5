//! The other data-sync operations over a scripted server: enabling and disabling automations and
//! partner functions, deleting a partner function (and losing its answer), the configuration
//! read and patch (never sent twice, read again from a server that answers with the message
//! alone), and which record a 404 names.

mod support;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use exsited_core::configuration::{ConfigurationPatch, PatchValue, Section, Value as Setting};
use exsited_core::{
    AutomationId, ConnectionId, ConnectionRepository, Error, PartnerFunctionId, Resource,
};
use serde_json::{Value, json};
use support::{CONN, Reply, Server};

const AUTO: &str = "11111111-1111-4111-8111-111111111111";
const PF: &str = "22222222-2222-4222-8222-222222222222";

fn conn() -> ConnectionId {
    CONN.parse().unwrap()
}

fn auto() -> AutomationId {
    AUTO.parse().unwrap()
}

fn pf() -> PartnerFunctionId {
    PF.parse().unwrap()
}

fn message(text: &str) -> Reply {
    Reply::json(200, json!({ "message": text }))
}

fn document() -> Value {
    json!({"account": {"export": {"enabled": "true"}}, "item": {}, "transaction": {},
           "purchase": {}})
}

/// Sets `account.export.enabled` and empties `transaction`.
fn patch() -> ConfigurationPatch {
    let enabled = BTreeMap::from([("enabled".to_owned(), PatchValue::Text("true".into()))]);
    ConfigurationPatch::new([
        (
            Section::Account,
            PatchValue::Map(BTreeMap::from([(
                "export".to_owned(),
                PatchValue::Map(enabled),
            )])),
        ),
        (Section::Transaction, PatchValue::Remove),
    ])
    .unwrap()
}

fn not_found(details: Value) -> Reply {
    Reply::json(
        404,
        json!({"errors": [{"code": 404, "message": "not found", "details": details}]}),
    )
}

#[tokio::test]
async fn every_sync_operation_uses_its_method_path_and_body() {
    let server = Server::start(|r, _| {
        let base = format!("/api/v3/integration/{CONN}");
        match (r.method.as_str(), r.path.as_str()) {
            ("POST", p) if p.starts_with(&format!("{base}/automation/{AUTO}/")) => {
                message("Automation has been enabled successfully")
            }
            ("POST", p) if p.starts_with(&format!("{base}/partner-function/{PF}/")) => {
                message("Partner function has been enabled successfully")
            }
            ("DELETE", p) if p == format!("{base}/partner-function/{PF}") => Reply::empty(204),
            ("GET", p) if p == format!("{base}/configuration") => {
                Reply::json(200, json!({ "integration": document() }))
            }
            ("PATCH", p) if p == format!("{base}/configuration") => Reply::json(
                200,
                json!({"message": "Integration configuration has been updated successfully",
                       "integration": document()}),
            ),
            _ => Reply::json(
                404,
                json!({"errors": [{"code": 404, "message": "no route"}]}),
            ),
        }
    })
    .await;
    let client = server.config().build().unwrap();
    client.enable_automation(conn(), auto()).await.unwrap();
    client.disable_automation(conn(), auto()).await.unwrap();
    client.enable_partner_function(conn(), pf()).await.unwrap();
    client.disable_partner_function(conn(), pf()).await.unwrap();
    client.delete_partner_function(conn(), pf()).await.unwrap();
    let read = client.get_configuration(conn()).await.unwrap();
    assert_eq!(
        read.section(Section::Account)["export"],
        Setting::Map(BTreeMap::from([(
            "enabled".to_owned(),
            Setting::Text("true".into())
        )]))
    );
    assert_eq!(
        client.update_configuration(conn(), patch()).await.unwrap(),
        read
    );

    let calls: Vec<(String, String)> = server
        .api_requests()
        .iter()
        .map(|r| (r.method.clone(), r.path.clone()))
        .collect();
    let base = format!("/api/v3/integration/{CONN}");
    assert_eq!(
        calls,
        [
            ("POST", format!("{base}/automation/{AUTO}/enable")),
            ("POST", format!("{base}/automation/{AUTO}/disable")),
            ("POST", format!("{base}/partner-function/{PF}/enable")),
            ("POST", format!("{base}/partner-function/{PF}/disable")),
            ("DELETE", format!("{base}/partner-function/{PF}")),
            ("GET", format!("{base}/configuration")),
            ("PATCH", format!("{base}/configuration")),
        ]
        .map(|(m, p)| (m.to_owned(), p))
    );
    let requests = server.api_requests();
    for switch in &requests[..5] {
        assert!(switch.body.is_empty(), "{} has no body", switch.path);
    }
    // The sections at the top level, `null` to empty one, as the vendor's SDK sends them.
    let body = &requests[6];
    assert_eq!(
        body.header("content-type").as_deref(),
        Some("application/json")
    );
    assert_eq!(
        body.json(),
        json!({"account": {"export": {"enabled": "true"}}, "transaction": null})
    );
}

#[tokio::test]
async fn a_404_names_what_the_server_says_is_missing() {
    for (details, resource, id) in [
        (
            json!({ "connection_uuid": CONN }),
            Resource::Connection,
            CONN,
        ),
        (
            json!({"connection_uuid": CONN, "automation_uuid": AUTO}),
            Resource::Automation,
            AUTO,
        ),
        (json!({}), Resource::Automation, AUTO),
    ] {
        let reply = not_found(details.clone());
        let server = Server::start(move |_, _| reply.clone()).await;
        let client = server.config().build().unwrap();
        let err = client.enable_automation(conn(), auto()).await.unwrap_err();
        assert!(
            matches!(&err, Error::NotFound { resource: r, id: i } if *r == resource && i == id),
            "{details}: {err:?}"
        );
    }
    let reply = not_found(json!({"connection_uuid": CONN, "partner_function_uuid": PF}));
    let server = Server::start(move |_, _| reply.clone()).await;
    let client = server.config().build().unwrap();
    let err = client.get_configuration(conn()).await.unwrap_err();
    assert!(
        matches!(
            &err,
            Error::NotFound {
                resource: Resource::PartnerFunction,
                ..
            }
        ),
        "the most specific record the server names: {err:?}"
    );
}

#[tokio::test]
async fn a_partner_function_delete_whose_answer_was_lost_is_done() {
    let applied = Arc::new(AtomicBool::new(false));
    let seen = applied.clone();
    let server = Server::start(move |_, _| {
        if seen.swap(true, Ordering::SeqCst) {
            not_found(json!({"connection_uuid": CONN, "partner_function_uuid": PF}))
        } else {
            // Applied, then the connection drops before the answer.
            Reply::Drop
        }
    })
    .await;
    let client = server.config().build().unwrap();
    client.delete_partner_function(conn(), pf()).await.unwrap();
    assert_eq!(server.api_requests().len(), 2, "a DELETE is sent again");

    // A 404 to the first attempt is the answer.
    let reply = not_found(json!({"connection_uuid": CONN, "partner_function_uuid": PF}));
    let server = Server::start(move |_, _| reply.clone()).await;
    let client = server.config().build().unwrap();
    let err = client
        .delete_partner_function(conn(), pf())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::NotFound { resource: Resource::PartnerFunction, id } if id == PF),
        "{err:?}"
    );
    assert_eq!(server.api_requests().len(), 1);
}

#[tokio::test]
async fn a_configuration_patch_is_never_sent_twice() {
    for reply in [
        Reply::Drop,
        Reply::json(
            502,
            json!({"errors": [{"code": 502, "message": "gateway"}]}),
        ),
    ] {
        let server = Server::start(move |_, _| reply.clone()).await;
        let client = server.config().build().unwrap();
        let err = client
            .update_configuration(conn(), patch())
            .await
            .unwrap_err();
        assert_eq!(server.api_requests().len(), 1, "{err:?}");
    }
    // Unless the server says it did not take it, and when to come back.
    let server = Server::start(|_, n| match n {
        0 => Reply::json(503, json!({"errors": [{"code": 503, "message": "busy"}]}))
            .header("retry-after", "0"),
        _ => Reply::json(
            200,
            json!({"message": "updated", "integration": document()}),
        ),
    })
    .await;
    let client = server.config().build().unwrap();
    client.update_configuration(conn(), patch()).await.unwrap();
    assert_eq!(server.api_requests().len(), 2);
}

#[tokio::test]
async fn an_answer_without_the_document_is_read_again() {
    let server = Server::start(|r, _| match r.method.as_str() {
        "PATCH" => message("Integration configuration has been updated successfully"),
        _ => Reply::json(200, json!({ "integration": document() })),
    })
    .await;
    let client = server.config().build().unwrap();
    let document = client.update_configuration(conn(), patch()).await.unwrap();
    assert!(!document.section(Section::Account).is_empty());
    let methods: Vec<String> = server
        .api_requests()
        .iter()
        .map(|r| r.method.clone())
        .collect();
    assert_eq!(methods, ["PATCH", "GET"]);
}

#[tokio::test]
async fn a_document_the_domain_refuses_breaks_the_contract_without_quoting_it() {
    for document in [
        json!({"integration": {"account": {"tax": 13579}}}),
        json!({"integration": {"item": {"k": "v".repeat(70_000)}}}),
    ] {
        let reply = Reply::json(200, document);
        let server = Server::start(move |_, _| reply.clone()).await;
        let client = server.config().build().unwrap();
        let err = client.get_configuration(conn()).await.unwrap_err();
        assert!(matches!(err, Error::Backend { .. }), "{err:?}");
        let text = err.to_string();
        assert!(!text.contains("13579") && !text.contains("vvvv"), "{text}");
    }
}
