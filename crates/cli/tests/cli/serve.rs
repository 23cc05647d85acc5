//! `exsited serve`: the first client, `--client` and its environment variable, restarts,
//! usage errors and graceful shutdown.

use std::io::Write;
use std::net::TcpStream;
use std::time::Duration;

use serde_json::json;

use crate::support::{self, Served, call, login};

#[test]
fn an_empty_store_gets_one_write_client_printed_once() {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(dir.path(), &["--memory"], &[]);
    let (id, secret) = served.created.clone().expect("credentials printed");
    let token = login(served.addr, &id, &secret);
    support::create_connection(served.addr, &token, "org-1");
    assert_eq!(call(served.addr, "GET", "/healthz", None, None).status, 200);
    let (status, log) = served.terminate_and_read_log();
    assert!(status.success());
    assert!(!log.contains(&secret), "the secret is not logged");
    assert!(!log.contains(&token), "the token is not logged");
    assert!(
        log.contains("/api/v3/integration"),
        "requests are logged: {log}"
    );
}

#[test]
fn clients_come_from_flags_and_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(
        dir.path(),
        &["--memory", "--client", "ro:ro-secret:acme:read"],
        &[(
            "EXSITED_SERVE_CLIENTS",
            "rw:rw-secret:acme, other:other-secret:globex:write",
        )],
    );
    assert!(
        served.created.is_none(),
        "no client is created when some are given"
    );
    let reader = login(served.addr, "ro", "ro-secret");
    let writer = login(served.addr, "rw", "rw-secret");
    let other = login(served.addr, "other", "other-secret");
    let body = json!({"provider": "xero", "remote_instance_id": "r"});
    assert_eq!(
        call(
            served.addr,
            "POST",
            "/api/v3/integration",
            Some(&reader),
            Some(&body)
        )
        .status,
        403
    );
    let id = support::create_connection(served.addr, &writer, "org");
    let path = format!("/api/v2/integration-connections/{id}");
    assert_eq!(
        call(served.addr, "GET", &path, Some(&reader), None).status,
        200
    );
    assert_eq!(
        call(served.addr, "GET", &path, Some(&other), None).status,
        404
    );
}

#[test]
fn usage_errors_exit_2_and_never_echo_a_secret() {
    let (code, _, stderr) = support::run(&["serve", "--memory", "--client", "bad id:TOPSECRET"]);
    assert_eq!(code, 2);
    assert!(!stderr.contains("TOPSECRET"), "{stderr}");
    let (code, _, _) = support::run(&["serve", "--memory", "--db", "x.db"]);
    assert_eq!(code, 2);
    let (code, _, _) = support::run(&["serve", "--no-such-flag"]);
    assert_eq!(code, 2);
    let (code, _, _) = support::run(&["serve", "--memory", "--addr", "not an address"]);
    assert_eq!(code, 2);
}

#[test]
fn data_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("store.db");
    let db = db.to_str().unwrap();
    let args = ["--db", db, "--client", "w:w-secret:acme"];

    let first = Served::start(dir.path(), &args, &[]);
    let token = login(first.addr, "w", "w-secret");
    let id = support::create_connection(first.addr, &token, "org-persist");
    support::create_automation(first.addr, &token, &id, "Nightly");
    assert!(first.terminate().success());

    // The same --client again is fine: it is already there with the same secret.
    let second = Served::start(dir.path(), &args, &[]);
    let token = login(second.addr, "w", "w-secret");
    let read = call(
        second.addr,
        "GET",
        &format!("/api/v2/integration-connections/{id}"),
        Some(&token),
        None,
    );
    assert_eq!(read.status, 200);
    assert_eq!(
        read.json()["integration_connection"]["remote_instance_id"],
        "org-persist"
    );
    let automations = call(
        second.addr,
        "GET",
        &format!("/api/v3/integration/{id}/automation"),
        Some(&token),
        None,
    );
    assert_eq!(
        automations.json()["integration_automations"][0]["name"],
        "Nightly"
    );
    assert!(second.terminate().success());

    // Another secret for the same client id is refused rather than silently changed.
    let (code, _, stderr) = support::run(&[
        "serve",
        "--addr",
        "127.0.0.1:0",
        "--db",
        db,
        "--client",
        "w:changed",
    ]);
    assert_eq!(code, 1, "{stderr}");
    assert!(!stderr.contains("changed"), "{stderr}");
}

#[test]
fn sigterm_finishes_the_request_in_flight() {
    let dir = tempfile::tempdir().unwrap();
    let mut served = Served::start(dir.path(), &["--memory", "--client", "w:w-secret"], &[]);
    let token = login(served.addr, "w", "w-secret");

    // Headers and half the body: the server is serving this request when the signal comes.
    let body = json!({"provider": "xero", "remote_instance_id": "org-in-flight"});
    let request = support::request_bytes("POST", "/api/v3/integration", Some(&token), Some(&body));
    let split = request.len() - 10;
    let mut stream = TcpStream::connect(served.addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.write_all(&request[..split]).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    support::signal(&served.child, "TERM");
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        served.child.try_wait().unwrap().is_none(),
        "still finishing the request"
    );
    stream.write_all(&request[split..]).unwrap();
    let response = support::read_response(&mut stream).unwrap();
    assert_eq!(
        response.status,
        201,
        "{}",
        String::from_utf8_lossy(&response.body)
    );

    let status = support::wait_with_timeout(&mut served.child, Duration::from_secs(10));
    assert!(status.success(), "{status:?}: {}", served.log());
    assert!(
        TcpStream::connect(served.addr).is_err(),
        "no longer listening"
    );
}

/// A SQLite store gets a private key file beside it, and its partner secrets are in no file in
/// clear: not the database, not its WAL.
#[test]
fn partner_secrets_are_sealed_in_the_sqlite_file() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sealed.db");
    let served = Served::start(
        dir.path(),
        &["--db", db.to_str().unwrap(), "--client", "w:w-secret:acme"],
        &[],
    );
    let token = login(served.addr, "w", "w-secret");
    support::create_connection(served.addr, &token, "org-sealed");
    let key = dir.path().join("sealed.db.key");
    let mode = std::fs::metadata(&key).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the key file is private");
    for file in ["sealed.db", "sealed.db-wal"] {
        if let Ok(bytes) = std::fs::read(dir.path().join(file)) {
            assert!(
                !bytes.windows(14).any(|w| w == b"PARTNER-SECRET"),
                "{file} holds a partner secret in clear"
            );
        }
    }
    assert!(served.terminate().success());
    let bytes = std::fs::read(&db).unwrap();
    assert!(!bytes.windows(14).any(|w| w == b"PARTNER-SECRET"));
}
