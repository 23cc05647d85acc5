//! `exsited serve --log-format json`: one JSON object per line with the request's fields, and
//! never a body, a token or a secret.

use serde_json::{Value, json};

use crate::support::{self, Served, call, login};

const SECRET: &str = "PLANTED-client-secret-4b1d";
const PARTNER_SECRET: &str = "PLANTED-partner-secret-77c2";

#[test]
fn every_line_is_a_json_object_and_requests_carry_their_fields() {
    let dir = tempfile::tempdir().unwrap();
    let client = format!("logs-client:{SECRET}");
    let served = Served::start(
        dir.path(),
        &["--memory", "--log-format", "json", "--client", &client],
        &[],
    );
    let token = login(served.addr, "logs-client", SECRET);
    let body = json!({
        "provider": "xero",
        "remote_instance_id": "org-logs",
        "integration_client_secret": PARTNER_SECRET,
    });
    let created = call(
        served.addr,
        "POST",
        "/api/v3/integration",
        Some(&token),
        Some(&body),
    );
    assert_eq!(created.status, 201);
    let id = support::create_connection(served.addr, &token, "org-2");
    let path = format!("/api/v3/integration/{id}");
    assert_eq!(
        call(served.addr, "DELETE", &path, Some(&token), None).status,
        204
    );
    let (status, log) = served.terminate_and_read_log();
    assert!(status.success());

    let lines: Vec<Value> = log
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}")))
        .collect();
    for line in &lines {
        for key in ["timestamp", "level", "target", "message"] {
            assert!(line.get(key).is_some(), "{key} missing: {line}");
        }
    }
    let delete = lines
        .iter()
        .find(|l| l["message"] == "request" && l["method"] == "DELETE")
        .unwrap_or_else(|| panic!("no delete logged: {log}"));
    assert_eq!(delete["route"], "/api/v3/integration/{uuid}", "{delete}");
    assert_eq!(delete["status"], 204);
    assert_eq!(delete["level"], "INFO");
    assert!(delete["elapsed_ms"].as_f64().is_some(), "{delete}");
    assert!(
        delete["request_id"].as_str().is_some_and(|r| !r.is_empty()),
        "{delete}"
    );
    for planted in [SECRET, PARTNER_SECRET, token.as_str(), id.as_str()] {
        assert!(!log.contains(planted), "{planted} leaked into the log");
    }
}

#[test]
fn text_stays_the_default_and_an_unknown_format_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(dir.path(), &["--memory"], &[]);
    assert_eq!(call(served.addr, "GET", "/healthz", None, None).status, 200);
    let (_, log) = served.terminate_and_read_log();
    assert!(log.contains("route=/healthz"), "{log}");
    assert!(
        !log.contains('\x1b'),
        "no colour codes outside a terminal: {log}"
    );
    assert!(log.lines().all(|l| !l.starts_with('{')), "{log}");

    let (code, _, stderr) = support::run(&["serve", "--memory", "--log-format", "xml"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("expected text or json"), "{stderr}");
}
