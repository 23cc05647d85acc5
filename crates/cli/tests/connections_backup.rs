//! `delete --backup` then `restore`, end to end: what comes back equals what was deleted
//! (ids aside), a second restore creates nothing, and the backup file is private.

mod connections_support;

use std::os::unix::fs::PermissionsExt;

use connections_support::{Api, text};
use exsited_core::{ConnectionId, ConnectionRepository, ListQuery};

/// A connection's content without ids: partner, remote instance, credentials, status, and the
/// details of its automations and partner functions.
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
            .map(|a| format!("{:?}", a.details))
            .collect();
        let functions: Vec<_> = repo
            .list_partner_functions(id, &q)
            .await
            .unwrap()
            .items
            .into_iter()
            .map(|f| format!("{:?}", f.details))
            .collect();
        let k = &c.credentials;
        format!(
            "{} {} {:?} {} {} {} {} {automations:?} {functions:?}",
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

#[test]
fn backup_then_restore_round_trips_and_a_second_restore_creates_nothing() {
    let api = Api::start();
    let ids = api.seed(3);
    let repo = api.repo();
    api.rt.block_on(repo.disable(ids[1])).unwrap();
    let before: Vec<String> = ids[..2].iter().map(|id| content(&api, *id)).collect();
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
    assert_eq!(api.connections().len(), 1);

    let restore = || {
        api.exsited()
            .args(["connections", "restore"])
            .arg(&backup)
            .output()
            .unwrap()
    };
    let first = restore();
    let stdout = text(&first.stdout);
    assert!(first.status.success(), "{stdout}{}", text(&first.stderr));
    assert!(!stdout.contains("partner-secret"), "{stdout}");
    let connections = api.connections();
    assert_eq!(connections.len(), 3);
    for (i, old) in ids[..2].iter().enumerate() {
        let line = stdout
            .lines()
            .find(|l| l.starts_with(&old.to_string()))
            .unwrap_or_else(|| panic!("no mapping for {old}: {stdout}"));
        let new = ConnectionId::parse(line.split_whitespace().nth(2).unwrap()).unwrap();
        assert_ne!(new, *old);
        assert_eq!(content(&api, new), before[i], "restored {old} as {new}");
    }

    let second = restore();
    assert!(second.status.success(), "{}", text(&second.stderr));
    assert_eq!(text(&second.stdout), stdout, "the same mapping again");
    assert_eq!(api.connections().len(), 3);
    assert_eq!(api.store.sync_configuration_count(), 6);
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
