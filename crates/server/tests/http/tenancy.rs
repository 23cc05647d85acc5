//! Tenants never see each other's data, and read clients never write.

use serde_json::{Value, json};

use crate::support::{self, Api, OTHER, READER, WRITER};

/// Every authenticated route under a connection, with a body where it takes one.
fn routes(
    id: &str,
    automation: &str,
    function: &str,
) -> Vec<(&'static str, String, Option<Value>)> {
    vec![
        ("GET", format!("/api/v2/integration-connections/{id}"), None),
        ("POST", format!("/api/v3/integration/{id}/enable"), None),
        ("POST", format!("/api/v3/integration/{id}/disable"), None),
        ("GET", format!("/api/v3/integration/{id}/automation"), None),
        (
            "POST",
            format!("/api/v3/integration/{id}/automation"),
            Some(support::automation_body("a")),
        ),
        (
            "GET",
            format!("/api/v3/integration/{id}/automation/{automation}"),
            None,
        ),
        (
            "PATCH",
            format!("/api/v3/integration/{id}/automation/{automation}"),
            Some(json!({"integration": {"automation_details": {"code": "c"}}})),
        ),
        (
            "GET",
            format!("/api/v3/integration/{id}/partner-function/"),
            None,
        ),
        (
            "POST",
            format!("/api/v3/integration/{id}/partner-function/"),
            Some(support::partner_function_body("p")),
        ),
        (
            "GET",
            format!("/api/v3/integration/{id}/partner-function/{function}"),
            None,
        ),
        (
            "PATCH",
            format!("/api/v3/integration/{id}/partner-function/{function}"),
            Some(json!({"partner_function": {"tag": "x"}})),
        ),
        ("GET", format!("/api/v3/integration-connections/{id}"), None),
        (
            "POST",
            format!("/api/v3/integration/{id}/automation/{automation}/enable"),
            None,
        ),
        (
            "POST",
            format!("/api/v3/integration/{id}/automation/{automation}/disable"),
            None,
        ),
        (
            "POST",
            format!("/api/v3/integration/{id}/partner-function/{function}/enable"),
            None,
        ),
        (
            "POST",
            format!("/api/v3/integration/{id}/partner-function/{function}/disable"),
            None,
        ),
        (
            "GET",
            format!("/api/v3/integration/{id}/configuration"),
            None,
        ),
        (
            "PATCH",
            format!("/api/v3/integration/{id}/configuration"),
            Some(json!({"item": {"sync": "true"}})),
        ),
        (
            "DELETE",
            format!("/api/v3/integration/{id}/partner-function/{function}"),
            None,
        ),
        ("DELETE", format!("/api/v3/integration/{id}"), None),
    ]
}

#[tokio::test]
async fn another_tenants_ids_are_404_on_every_route() {
    let t = support::start().await;
    let owner = Api::login(t.addr, WRITER).await;
    let id = owner.create_connection("org-t").await;
    let automation = owner.create_automation(&id, "a").await;
    let function = owner.create_partner_function(&id, "p").await;

    let stranger = Api::login(t.addr, OTHER).await;
    for (method, path, body) in routes(&id, &automation, &function) {
        let response = stranger.call(method, &path, &[], body.as_ref()).await;
        let (_, details) = response.expect_error(404);
        assert_eq!(details["connection_uuid"], id.as_str(), "{method} {path}");
    }
    let listed = stranger.get("/api/v2/integration-connections").await.json();
    assert_eq!(listed["integration_connection"], json!([]));
    assert_eq!(listed["pagination"]["records"], 0);
    // Nothing changed for the owner.
    let read = owner
        .get(&format!("/api/v2/integration-connections/{id}"))
        .await;
    assert_eq!(read.json()["integration_connection"]["status"], "ACTIVE");
    let automations = owner
        .get(&format!("/api/v3/integration/{id}/automation"))
        .await
        .json();
    assert_eq!(automations["pagination"]["records"], 1);
    assert_eq!(
        automations["integration_automations"][0]["status"],
        "ACTIVE"
    );
    let functions = owner
        .get(&format!("/api/v3/integration/{id}/partner-function/"))
        .await
        .json();
    assert_eq!(functions["partner_functions"][0]["enabled"], true);
    let configuration = owner
        .get(&format!("/api/v3/integration/{id}/configuration"))
        .await
        .json();
    assert_eq!(configuration["integration"]["item"], json!({}));
}

#[tokio::test]
async fn a_read_client_gets_403_on_every_write_and_reads_fine() {
    let t = support::start().await;
    let owner = Api::login(t.addr, WRITER).await;
    let id = owner.create_connection("org-r").await;
    let automation = owner.create_automation(&id, "a").await;
    let function = owner.create_partner_function(&id, "p").await;

    let reader = Api::login(t.addr, READER).await;
    let mut writes = 0;
    for (method, path, body) in routes(&id, &automation, &function) {
        let response = reader.call(method, &path, &[], body.as_ref()).await;
        if method == "GET" {
            assert_eq!(response.status, 200, "{method} {path}");
        } else {
            response.expect_error(403);
            writes += 1;
        }
    }
    assert_eq!(writes, 13);
    reader
        .post("/api/v3/integration", &support::connection_body("x"))
        .await
        .expect_error(403);
    // Nothing changed.
    let automations = owner
        .get(&format!("/api/v3/integration/{id}/automation"))
        .await
        .json();
    assert_eq!(automations["pagination"]["records"], 1);
    assert_eq!(
        automations["integration_automations"][0]["status"],
        "ACTIVE"
    );
    assert_eq!(
        owner.get("/api/v2/integration-connections").await.json()["pagination"]["records"],
        1
    );
    let function = owner
        .get(&format!(
            "/api/v3/integration/{id}/partner-function/{function}"
        ))
        .await
        .json();
    assert_eq!(function["partner_function"]["enabled"], true);
    let configuration = owner
        .get(&format!("/api/v3/integration/{id}/configuration"))
        .await
        .json();
    assert_eq!(configuration["integration"]["item"], json!({}));
}
