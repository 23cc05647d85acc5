//! `exsited admin add-client` and `exsited admin audit`.

use crate::support::{self, Served, call, login};

#[test]
fn added_clients_work_and_deletes_are_audited() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("store.db");
    let db = db.to_str().unwrap();

    let (code, out, err) = support::run(&[
        "admin",
        "add-client",
        "--db",
        db,
        "--tenant",
        "acme",
        "--scope",
        "write",
    ]);
    assert_eq!(code, 0, "{err}");
    let (writer_id, writer_secret) = support::credentials(&out);
    let (code, out, _) = support::run(&[
        "admin",
        "add-client",
        "--db",
        db,
        "--tenant",
        "acme",
        "--scope",
        "read",
    ]);
    assert_eq!(code, 0);
    let (reader_id, reader_secret) = support::credentials(&out);

    let served = Served::start(dir.path(), &["--db", db], &[]);
    assert!(served.created.is_none(), "the store has clients already");
    let writer = login(served.addr, &writer_id, &writer_secret);
    let reader = login(served.addr, &reader_id, &reader_secret);
    let id = support::create_connection(served.addr, &writer, "org-a");
    support::create_automation(served.addr, &writer, &id, "a1");
    support::create_partner_function(served.addr, &writer, &id, "p1");
    let path = format!("/api/v3/integration/{id}");
    assert_eq!(
        call(served.addr, "DELETE", &path, Some(&reader), None).status,
        403
    );
    assert_eq!(
        call(served.addr, "DELETE", &path, Some(&writer), None).status,
        204
    );
    assert!(served.terminate().success());

    let (code, table, err) = support::run(&["admin", "audit", "--db", db]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 2, "{table}");
    assert!(lines[0].starts_with("AT"), "{table}");
    for expected in [id.as_str(), "acme", writer_id.as_str(), "XERO"] {
        assert!(lines[1].contains(expected), "{expected} in {table}");
    }
    assert!(lines[1].trim_end().ends_with(" 2"), "{table}");
    assert!(!table.contains("PARTNER-SECRET"));

    let (code, json, _) = support::run(&["admin", "audit", "--db", db, "--json"]);
    assert_eq!(code, 0);
    let records: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(records.as_array().unwrap().len(), 1);
    assert_eq!(records[0]["connection_uuid"], id.as_str());
    assert_eq!(records[0]["client_id"], writer_id.as_str());
    assert_eq!(records[0]["sync_configurations"], 2);
}

#[test]
fn admin_usage_and_failures() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("store.db");
    let db = db.to_str().unwrap();
    let (code, _, _) = support::run(&["admin", "add-client", "--db", db, "--scope", "admin"]);
    assert_eq!(code, 2);
    let (code, _, _) = support::run(&["admin", "add-client", "--db", db, "--tenant", "no spaces"]);
    assert_eq!(code, 2);
    let (code, _, err) = support::run(&["admin", "audit", "--db", db]);
    assert_eq!(code, 1, "a missing store is an error, not a new empty one");
    assert!(err.contains("no store"), "{err}");
    assert!(!std::path::Path::new(db).exists());
    let not_a_db = dir.path().join("junk.db");
    std::fs::write(
        &not_a_db,
        b"this is not sqlite at all, not even close to it ....",
    )
    .unwrap();
    let (code, _, _) = support::run(&["admin", "audit", "--db", not_a_db.to_str().unwrap()]);
    assert_eq!(code, 1);
}
