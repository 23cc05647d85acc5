//! `exsited serve --metrics-addr`: Prometheus metrics on a listener of their own that move as
//! requests are served, and never carry an id, a token or a secret.

use serde_json::json;

use crate::support::{self, Served, call, login};

const CLIENT_ID: &str = "planted-client-7f3e";
const SECRET: &str = "PLANTED-client-secret-91aa";
const PARTNER_SECRET: &str = "PLANTED-partner-secret-0c4d";
const REMOTE_ID: &str = "planted-remote-org-5b22";
const JUNK_PATH: &str = "/planted-junk-path-e6d1/x";

fn scrape(served: &Served) -> String {
    let addr = served.metrics.expect("the metrics address was printed");
    let response = call(addr, "GET", "/metrics", None, None);
    assert_eq!(response.status, 200);
    String::from_utf8(response.body).unwrap()
}

/// The value of the series `name{labels}` (or `name` alone), if the scrape has it.
fn value(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

#[test]
fn counters_move_as_requests_are_served_and_no_id_or_secret_is_scraped() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("store.db");
    let client = format!("{CLIENT_ID}:{SECRET}");
    let served = Served::start(
        dir.path(),
        &[
            "--db",
            db.to_str().unwrap(),
            "--metrics-addr",
            "127.0.0.1:0",
            "--client",
            &client,
        ],
        &[],
    );
    let before = scrape(&served);
    assert_eq!(value(&before, "exsited_http_requests_in_flight"), Some(0.0));
    assert_eq!(
        value(&before, "exsited_connection_deletes_total"),
        Some(0.0)
    );

    let token = login(served.addr, CLIENT_ID, SECRET);
    let body = json!({
        "provider": "xero",
        "remote_instance_id": REMOTE_ID,
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
    let id = created.json()["integration"]["integration_connection"]["uuid"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/api/v3/integration/{id}");
    assert_eq!(
        call(served.addr, "DELETE", &path, Some(&token), None).status,
        204
    );
    assert_eq!(
        call(served.addr, "DELETE", &path, Some(&token), None).status,
        404
    );
    assert_eq!(call(served.addr, "GET", JUNK_PATH, None, None).status, 404);
    let wrong = json!({"grant_type": "client_credentials", "client_id": CLIENT_ID,
                       "client_secret": "wrong", "redirect_uri": "x"});
    let refused = call(
        served.addr,
        "POST",
        "/api/v1/oauth2/token",
        None,
        Some(&wrong),
    );
    assert_eq!(refused.status, 401);

    let after = scrape(&served);
    let delete = "/api/v3/integration/{uuid}";
    let requests = |method: &str, route: &str, status: &str| {
        value(
            &after,
            &format!(
                "exsited_http_requests_total{{route=\"{route}\",method=\"{method}\",status=\"{status}\"}}"
            ),
        )
    };
    assert_eq!(requests("DELETE", delete, "204"), Some(1.0), "{after}");
    assert_eq!(requests("DELETE", delete, "404"), Some(1.0), "{after}");
    assert_eq!(requests("GET", "unmatched", "404"), Some(1.0), "{after}");
    assert_eq!(
        requests("POST", "/api/v1/oauth2/token", "200"),
        Some(1.0),
        "{after}"
    );
    assert_eq!(value(&after, "exsited_connection_deletes_total"), Some(1.0));
    assert_eq!(
        value(
            &after,
            "exsited_token_grants_total{grant_type=\"client_credentials\"}"
        ),
        Some(1.0)
    );
    assert_eq!(
        value(&after, "exsited_http_errors_total{kind=\"not_found\"}"),
        Some(2.0)
    );
    assert_eq!(
        value(&after, "exsited_http_errors_total{kind=\"unauthorized\"}"),
        Some(1.0)
    );
    assert_eq!(value(&after, "exsited_http_requests_in_flight"), Some(0.0));
    let latency = format!(
        "exsited_http_request_duration_seconds_count{{route=\"{delete}\",method=\"DELETE\"}}"
    );
    assert_eq!(value(&after, &latency), Some(2.0), "{after}");
    // The grant, the create and the two deletes are writes of the SQLite writer.
    let commits = value(
        &after,
        "exsited_store_commit_duration_seconds_count{store=\"sqlite\"}",
    )
    .expect("the store's commits are scraped");
    let writes = value(
        &after,
        "exsited_store_commit_batch_size_sum{store=\"sqlite\"}",
    )
    .unwrap();
    assert!(
        commits >= 1.0 && writes >= 4.0,
        "{commits} commits, {writes} writes"
    );
    assert_eq!(
        value(
            &after,
            "exsited_store_commit_failures_total{store=\"sqlite\"}"
        ),
        Some(0.0)
    );

    for planted in [
        CLIENT_ID,
        SECRET,
        PARTNER_SECRET,
        REMOTE_ID,
        &token,
        &id,
        JUNK_PATH,
    ] {
        assert!(!after.contains(planted), "{planted} appears in the scrape");
    }
    assert!(served.terminate().success());
}

#[test]
fn the_endpoint_serves_only_get_metrics_and_is_off_by_default() {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(
        dir.path(),
        &["--memory", "--metrics-addr", "127.0.0.1:0"],
        &[],
    );
    let addr = served.metrics.unwrap();
    assert_eq!(call(addr, "GET", "/", None, None).status, 404);
    assert_eq!(call(addr, "POST", "/metrics", None, None).status, 405);
    assert_eq!(call(addr, "HEAD", "/metrics", None, None).status, 200);
    // The API's listener does not serve the metrics.
    assert_eq!(call(served.addr, "GET", "/metrics", None, None).status, 404);
    assert!(
        !scrape(&served).contains("exsited_store_"),
        "memory has no store series"
    );
    assert!(served.terminate().success());

    let plain = Served::start(dir.path(), &["--memory"], &[]);
    assert!(plain.metrics.is_none());
    assert!(plain.terminate().success());

    let (code, _, stderr) = support::run(&["serve", "--memory", "--metrics-addr", "nowhere"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("--metrics-addr"), "{stderr}");
}
