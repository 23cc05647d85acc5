//! Lists: pagination, limits, order and the `fields` projection.

use serde_json::json;

use crate::support::{self, Api, WRITER};

#[tokio::test]
async fn pagination_follows_the_contract() {
    let t = support::start().await;
    let api = Api::login(t.addr, WRITER).await;
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(api.create_connection(&format!("org-{i}")).await);
    }
    let page = api
        .get("/api/v2/integration-connections?limit=2&offset=2")
        .await
        .json();
    let records = page["integration_connection"].as_array().unwrap();
    assert_eq!(records.len(), 2);
    assert_eq!(records[0]["uuid"], ids[2].as_str());
    assert_eq!(page["pagination"]["records"], 5);
    assert_eq!(page["pagination"]["limit"], 2);
    assert_eq!(page["pagination"]["offset"], 2);
    assert!(
        page["pagination"]["next_page"]
            .as_str()
            .unwrap()
            .contains("offset=4")
    );

    let all = api.get("/api/v2/integration-connections").await.json();
    assert_eq!(all["pagination"]["limit"], 20);
    assert_eq!(all["integration_connection"].as_array().unwrap().len(), 5);
    assert!(
        all["pagination"].get("next_page").is_none() || all["pagination"]["next_page"].is_null()
    );

    let desc = api
        .get("/api/v2/integration-connections?order_by=created_on&direction=desc&limit=1")
        .await
        .json();
    assert_eq!(desc["integration_connection"][0]["uuid"], ids[4].as_str());

    for bad in [
        "limit=101",
        "limit=-1",
        "limit=abc",
        "offset=-1",
        "order_by=name",
        "direction=sideways",
        "fields=uuid,nope",
        "limit=%zz",
        "fields=%FF",
    ] {
        let (_, details) = api
            .get(&format!("/api/v2/integration-connections?{bad}"))
            .await
            .expect_error(400);
        let field = bad.split('=').next().unwrap();
        assert_eq!(details["field"], field, "{bad}");
    }
    assert_eq!(
        api.get("/api/v2/integration-connections?limit=100")
            .await
            .status,
        200
    );
    // Parameters of the client's own are ignored, whatever they hold.
    let ignored = api
        .get("/api/v2/integration-connections?_=%zz&x%zz=1&limit=2")
        .await
        .json();
    assert_eq!(ignored["pagination"]["limit"], 2);
}

#[tokio::test]
async fn fields_project_every_list() {
    let t = support::start().await;
    let api = Api::login(t.addr, WRITER).await;
    let id = api.create_connection("org-f").await;
    api.create_automation(&id, "a").await;
    api.create_partner_function(&id, "p").await;

    let page = api
        .get("/api/v2/integration-connections?fields=uuid,status")
        .await
        .json();
    assert_eq!(
        page["integration_connection"][0],
        json!({"uuid": id, "status": "ACTIVE"})
    );
    let page = api
        .get(&format!("/api/v3/integration/{id}/automation?fields=name"))
        .await
        .json();
    let automation = page["integration_automations"][0]["uuid"].clone();
    assert_eq!(
        page["integration_automations"][0],
        json!({"uuid": automation, "name": "a"}),
        "uuid is kept in every projection"
    );
    assert_eq!(page["pagination"]["records"], 1);
    let page = api
        .get(&format!(
            "/api/v3/integration/{id}/partner-function/?fields=name%2Cenabled"
        ))
        .await
        .json();
    let function = page["partner_functions"][0]["uuid"].clone();
    assert_eq!(
        page["partner_functions"][0],
        json!({"uuid": function, "name": "p", "enabled": true})
    );
}
