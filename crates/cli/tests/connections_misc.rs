//! `exsited connections` list, get, create, enable and disable end to end, and what bad
//! credentials get.

mod connections_support;

use connections_support::{Api, CLIENT_SECRET, json, text};

#[test]
fn bad_credentials_get_a_clear_message_without_the_secret() {
    let api = Api::start();
    let wrong = "wrong-secret-6c1e0b";
    let output = api
        .exsited()
        .env("EXSITED_CLIENT_SECRET", wrong)
        .args(["connections", "list"])
        .output()
        .unwrap();
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("unauthorized"), "{stderr}");
    assert!(stderr.contains("EXSITED_CLIENT_SECRET"), "a hint: {stderr}");
    for shown in [&stderr, &text(&output.stdout)] {
        assert!(
            !shown.contains(wrong) && !shown.contains(CLIENT_SECRET),
            "{shown}"
        );
    }

    // Missing credentials are a usage error.
    let output = api
        .exsited()
        .env_remove("EXSITED_CLIENT_SECRET")
        .args(["connections", "list"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stderr));
}

#[test]
fn create_list_get_enable_disable_never_print_partner_secrets() {
    let api = Api::start();
    api.seed(2);
    let dir = tempfile::tempdir().unwrap();
    let body = dir.path().join("new.json");
    std::fs::write(
        &body,
        r#"{"provider":"hubspot","remote_instance_id":"hub-7","integration_client_id":"hub-client","integration_client_secret":"hub-secret-value"}"#,
    )
    .unwrap();
    let created = api
        .exsited()
        .args(["connections", "create", "--json", "--from-json"])
        .arg(&body)
        .output()
        .unwrap();
    assert!(created.status.success(), "{}", text(&created.stderr));
    let record = json(&created);
    assert_eq!(record["integration_partner"], "HUBSPOT");
    assert_eq!(record["client_secret"], "[redacted]");
    let id = record["uuid"].as_str().unwrap().to_owned();

    let from_flags = api
        .exsited()
        .env("PARTNER_SECRET", "flag-path-secret")
        .args(["connections", "create", "--provider", "quickbooks"])
        .args([
            "--remote-instance-id",
            "realm-1",
            "--partner-client-secret-env",
        ])
        .arg("PARTNER_SECRET")
        .output()
        .unwrap();
    assert!(from_flags.status.success(), "{}", text(&from_flags.stderr));
    assert!(text(&from_flags.stdout).contains("client secret:        set"));

    let list = api
        .exsited()
        .args([
            "connections",
            "list",
            "--json",
            "--all",
            "--partner",
            "HubSpot",
        ])
        .output()
        .unwrap();
    let listed = json(&list);
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    let table = api
        .exsited()
        .args(["connections", "list", "--limit", "3"])
        .output()
        .unwrap();
    let table = text(&table.stdout);
    assert_eq!(table.lines().count(), 4, "{table}");

    let disabled = api
        .exsited()
        .args(["connections", "disable", &id])
        .output()
        .unwrap();
    assert!(text(&disabled.stdout).contains("status INACTIVE"));
    let inactive = api
        .exsited()
        .args(["connections", "list", "--status", "inactive", "--json"])
        .output()
        .unwrap();
    assert_eq!(json(&inactive)[0]["uuid"], id.as_str());
    let enabled = api
        .exsited()
        .args(["connections", "enable", &id, "--json"])
        .output()
        .unwrap();
    assert_eq!(json(&enabled)["status"], "ACTIVE");

    let get = api
        .exsited()
        .args(["connections", "get", &id])
        .output()
        .unwrap();
    let shown = text(&get.stdout);
    assert!(shown.contains("hub-client") && shown.contains("client secret:        set"));
    for output in [&created, &from_flags, &list, &get] {
        let all = text(&output.stdout) + &text(&output.stderr);
        assert!(
            !all.contains("secret-value") && !all.contains("flag-path-secret"),
            "{all}"
        );
        assert!(!all.contains("partner-secret-"), "{all}");
    }

    let bad = api
        .exsited()
        .args(["connections", "get", "not-a-uuid"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(text(&bad.stderr).contains("\"not-a-uuid\""));
}

#[test]
fn get_shows_what_hangs_from_the_connection() {
    use exsited_core::configuration::{ConfigurationPatch, PatchValue, Section};
    use exsited_core::{ConnectionRepository, Name, PartnerFunctionDetails};

    let api = Api::start();
    let ids = api.seed(2);
    let repo = api.repo();
    api.rt.block_on(async {
        let name = Name::new("name", "Second").unwrap();
        repo.create_partner_function(ids[0], PartnerFunctionDetails::new(name))
            .await
            .unwrap();
        let sync = [("sync".to_owned(), PatchValue::Text("true".into()))];
        let patch = ConfigurationPatch::new([(Section::Item, PatchValue::Map(sync.into()))]);
        repo.update_configuration(ids[0], patch.unwrap())
            .await
            .unwrap();
    });
    let get = |id: &exsited_core::ConnectionId, extra: &[&str]| {
        api.exsited()
            .args(["connections", "get", &id.to_string()])
            .args(extra)
            .output()
            .unwrap()
    };
    let shown = text(&get(&ids[0], &[]).stdout);
    for line in [
        "automations:          1",
        "partner functions:    2",
        "configuration:        set (item)",
    ] {
        assert!(shown.contains(line), "{line}:\n{shown}");
    }
    assert!(text(&get(&ids[1], &[]).stdout).contains("configuration:        not set"));

    let configured = json(&get(&ids[0], &["--json"]));
    assert_eq!(configured["uuid"], ids[0].to_string());
    assert_eq!(configured["automation_count"], 1);
    assert_eq!(configured["partner_function_count"], 2);
    assert_eq!(configured["configuration_set"], true);
    assert_eq!(
        configured["configured_sections"],
        serde_json::json!(["item"])
    );
    assert_eq!(configured["client_secret"], "[redacted]");
    let bare = json(&get(&ids[1], &["--json"]));
    assert_eq!(bare["configuration_set"], false);
    assert_eq!(bare["configured_sections"], serde_json::json!([]));
}
