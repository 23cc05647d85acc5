//! `delete --backup` then `restore`, end to end: what comes back equals what was deleted (ids
//! aside), statuses, `enabled` flags and configuration included; a second restore creates and
//! changes nothing; a version 1 backup file is still restored; and the backup file is private.

mod connections_support;

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use connections_support::{Api, text};
use exsited_core::configuration::{ConfigurationPatch, PatchValue, Section, Value};
use exsited_core::{ConnectionId, ConnectionRepository, ListQuery};

/// A connection's content without ids: partner, remote instance, credentials, status, the
/// details and status of its automations, the details and `enabled` of its partner functions,
/// and its configuration.
fn content(api: &Api, id: ConnectionId) -> String {
    let repo = api.repo();
    api.rt.block_on(async {
        let c = repo.get(id).await.unwrap();
        let q = ListQuery::new(100, 0).unwrap();
        let automations: Vec<_> = repo
            .list_automations(id, &q)
            .await
            .unwrap()
            .items
            .into_iter()
            .map(|a| format!("{:?} {}", a.details, a.status))
            .collect();
        let functions: Vec<_> = repo
            .list_partner_functions(id, &q)
            .await
            .unwrap()
            .items
            .into_iter()
            .map(|f| format!("{:?} enabled={}", f.details, f.enabled))
            .collect();
        let configuration = repo.get_configuration(id).await.unwrap();
        let k = &c.credentials;
        format!(
            "{} {} {:?} {} {} {} {} {automations:?} {functions:?} {configuration:?}",
            c.partner,
            c.status,
            c.remote_instance,
            k.client_id,
            k.client_secret.expose(),
            k.access_token.expose(),
            k.refresh_token.expose()
        )
    })
}

/// What the vendor's SDK sets for a Xero connection, in the domain's terms.
fn xero_configuration() -> ConfigurationPatch {
    let text = |s: &str| PatchValue::Text(s.to_owned());
    let object = |entries: Vec<(&str, PatchValue)>| {
        PatchValue::Map(
            entries
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
        )
    };
    let mapping = Value::Map(BTreeMap::from([
        ("source".to_owned(), Value::Text("1200".into())),
        ("target".to_owned(), Value::Text("610".into())),
    ]));
    ConfigurationPatch::new([
        (
            Section::Account,
            object(vec![(
                "export",
                object(vec![
                    ("enabled", text("true")),
                    ("mappings", PatchValue::List(vec![mapping])),
                ]),
            )]),
        ),
        (
            Section::Transaction,
            object(vec![("invoice_sync_to_xero", PatchValue::Bool(true))]),
        ),
    ])
    .unwrap()
}

/// Sets up the second connection with everything a restore must bring back: the connection
/// disabled, its automation INACTIVE next to an ACTIVE one, its partner function disabled, and
/// a configuration.
fn dress(api: &Api, id: ConnectionId) {
    let repo = api.repo();
    api.rt.block_on(async {
        repo.disable(id).await.unwrap();
        let q = ListQuery::default();
        let automation = repo.list_automations(id, &q).await.unwrap().items[0].id;
        repo.disable_automation(id, automation).await.unwrap();
        let name = exsited_core::Name::new("name", "Still active").unwrap();
        repo.create_automation(id, exsited_core::AutomationDetails::new(name))
            .await
            .unwrap();
        let function = repo.list_partner_functions(id, &q).await.unwrap().items[0].id;
        repo.disable_partner_function(id, function).await.unwrap();
        repo.update_configuration(id, xero_configuration())
            .await
            .unwrap();
    });
}

/// `exsited connections restore PATH`.
fn restore(api: &Api, backup: &Path) -> std::process::Output {
    api.exsited()
        .args(["connections", "restore"])
        .arg(backup)
        .output()
        .unwrap()
}

/// The new id of `old` in restore's output.
fn restored_as(stdout: &str, old: ConnectionId) -> ConnectionId {
    let line = stdout
        .lines()
        .find(|l| l.starts_with(&old.to_string()))
        .unwrap_or_else(|| panic!("no mapping for {old}: {stdout}"));
    ConnectionId::parse(line.split_whitespace().nth(2).unwrap()).unwrap()
}

#[test]
fn backup_then_restore_round_trips_and_a_second_restore_creates_nothing() {
    let api = Api::start();
    let ids = api.seed(3);
    dress(&api, ids[1]);
    let before: Vec<String> = ids[..2].iter().map(|id| content(&api, *id)).collect();
    assert!(before[1].contains("INACTIVE") && before[1].contains("enabled=false"));
    let dir = tempfile::tempdir().unwrap();
    let backup = dir.path().join("backup.jsonl");

    let output = api
        .exsited()
        .args([
            "connections",
            "delete",
            &ids[0].to_string(),
            &ids[1].to_string(),
        ])
        .arg("--backup")
        .arg(&backup)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", text(&output.stderr));
    let mode = std::fs::metadata(&backup).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let lines = std::fs::read_to_string(&backup).unwrap();
    assert_eq!(lines.lines().count(), 2);
    assert!(
        lines.contains("partner-secret-0"),
        "the backup holds the secrets"
    );
    assert!(lines.contains(r#""version":2"#) && lines.contains(r#""invoice_sync_to_xero":true"#));
    assert_eq!(api.connections().len(), 1);

    let first = restore(&api, &backup);
    let stdout = text(&first.stdout);
    assert!(first.status.success(), "{stdout}{}", text(&first.stderr));
    assert!(!stdout.contains("partner-secret"), "{stdout}");
    assert!(stdout.contains("configuration set"), "{stdout}");
    assert_eq!(api.connections().len(), 3);
    for (i, old) in ids[..2].iter().enumerate() {
        let new = restored_as(&stdout, *old);
        assert_ne!(new, *old);
        assert_eq!(content(&api, new), before[i], "restored {old} as {new}");
    }

    let calls = api.calls();
    let second = restore(&api, &backup);
    assert!(second.status.success(), "{}", text(&second.stderr));
    assert_eq!(text(&second.stdout), stdout, "the same mapping again");
    assert_eq!(api.connections().len(), 3);
    // 3 + 4 automations and partner functions, and one configuration.
    assert_eq!(api.store.sync_configuration_count(), 8);
    for (i, old) in ids[..2].iter().enumerate() {
        assert_eq!(content(&api, restored_as(&stdout, *old)), before[i]);
    }
    // The second run only read: two configuration reads, and nothing was enabled, disabled or
    // patched (the creates replay through the idempotency keys, which are not counted).
    assert_eq!(
        api.calls() - calls,
        2,
        "a complete restore run again changes nothing"
    );
}

#[test]
fn a_version_1_backup_is_restored_with_its_statuses() {
    let api = Api::start();
    let ids = api.seed(2);
    dress(&api, ids[1]);
    let before = content(&api, ids[1]);
    let dir = tempfile::tempdir().unwrap();
    let backup = dir.path().join("backup.jsonl");
    let output = api
        .exsited()
        .args(["connections", "delete", &ids[1].to_string(), "--backup"])
        .arg(&backup)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", text(&output.stderr));
    // The line as version 1 wrote it: no configuration.
    let mut line: serde_json::Value =
        serde_json::from_str(std::fs::read_to_string(&backup).unwrap().trim()).unwrap();
    line["version"] = 1.into();
    line.as_object_mut().unwrap().remove("configuration");
    let old = dir.path().join("v1.jsonl");
    std::fs::write(&old, format!("{line}\n")).unwrap();
    std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o600)).unwrap();

    let restored = restore(&api, &old);
    let stdout = text(&restored.stdout);
    assert!(
        restored.status.success(),
        "{stdout}{}",
        text(&restored.stderr)
    );
    assert!(stdout.contains("no configuration"), "{stdout}");
    let now = content(&api, restored_as(&stdout, ids[1]));
    let without_configuration = before.split(" Configuration").next().unwrap();
    assert!(
        now.starts_with(without_configuration),
        "the statuses and flags come back:\n{now}\n{before}"
    );
    assert!(now.ends_with("Configuration { sections: {} }"), "{now}");
}

#[test]
fn a_backup_file_others_can_read_is_refused_before_any_request() {
    let api = Api::start();
    let ids = api.seed(1);
    let dir = tempfile::tempdir().unwrap();
    let backup = dir.path().join("backup.jsonl");
    std::fs::write(&backup, "").unwrap();
    std::fs::set_permissions(&backup, std::fs::Permissions::from_mode(0o644)).unwrap();
    let output = api
        .exsited()
        .args(["connections", "delete", &ids[0].to_string(), "--backup"])
        .arg(&backup)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("chmod 600"),
        "{}",
        text(&output.stderr)
    );
    assert_eq!(api.calls(), 0);
    assert_eq!(api.connections().len(), 1);
}
