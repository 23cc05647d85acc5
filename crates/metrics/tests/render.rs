//! What a scrape says after events: the series move, the text is Prometheus's, and nothing
//! but fixed label values appears.

use std::time::Duration;

use exsited_core::observe::TransactionReport;
use exsited_metrics::{Metrics, StoreKind};
use exsited_server::{ErrorKind, FinishedRequest, GrantType, Observer};
use exsited_spec::paths;

fn line<'t>(text: &'t str, prefix: &str) -> Option<&'t str> {
    text.lines().find(|l| l.starts_with(prefix))
}

#[test]
fn events_move_their_series() {
    let metrics = Metrics::new();
    let delete = paths::DELETE_CONNECTION.template;
    metrics.request_started();
    metrics.request_started();
    metrics.request_finished(&FinishedRequest::new(
        "DELETE",
        Some(delete),
        204,
        Duration::from_millis(3),
    ));
    metrics.connection_deleted();
    metrics.token_granted(GrantType::RefreshToken);
    metrics.request_started();
    metrics.request_abandoned();
    metrics.request_finished(
        &FinishedRequest::new("BREW", None, 404, Duration::from_millis(1))
            .with_error(ErrorKind::NotFound),
    );
    let text = metrics.render();

    let series = format!(
        "exsited_http_requests_total{{route=\"{delete}\",method=\"DELETE\",status=\"204\"}} 1"
    );
    assert!(text.contains(&series), "{text}");
    assert!(
        text.contains(
            "exsited_http_requests_total{route=\"unmatched\",method=\"other\",status=\"404\"} 1"
        ),
        "{text}"
    );
    let le = format!(
        "exsited_http_request_duration_seconds_bucket{{route=\"{delete}\",method=\"DELETE\",le=\"0.005\"}} 1"
    );
    assert!(text.contains(&le), "{text}");
    assert!(text.contains("exsited_http_requests_in_flight 0"), "{text}");
    assert!(
        text.contains("exsited_http_requests_abandoned_total 1"),
        "{text}"
    );
    assert!(
        text.contains("exsited_http_errors_total{kind=\"not_found\"} 1"),
        "{text}"
    );
    assert!(
        text.contains("exsited_http_errors_total{kind=\"panic\"} 0"),
        "{text}"
    );
    assert!(text.contains("exsited_token_grants_total{grant_type=\"refresh_token\"} 1"));
    assert!(text.contains("exsited_token_grants_total{grant_type=\"client_credentials\"} 0"));
    assert!(
        text.contains("exsited_connection_deletes_total 1"),
        "{text}"
    );
    assert!(
        line(
            &text,
            "# TYPE exsited_http_request_duration_seconds histogram"
        )
        .is_some()
    );
    assert!(
        !text.contains("exsited_store_"),
        "no store hooked, no store series: {text}"
    );
}

#[test]
fn a_hooked_store_reports_its_commits() {
    let metrics = Metrics::new();
    let hook = metrics.store_hook(StoreKind::Sqlite);
    hook.report(TransactionReport::new(7, Duration::from_millis(2), true));
    hook.report(TransactionReport::new(1, Duration::from_millis(20), false));
    let text = metrics.render();
    for expected in [
        "exsited_store_commit_batch_size_bucket{store=\"sqlite\",le=\"8\"} 2",
        "exsited_store_commit_batch_size_sum{store=\"sqlite\"} 8.0",
        "exsited_store_commit_duration_seconds_count{store=\"sqlite\"} 2",
        "exsited_store_commit_duration_seconds_bucket{store=\"sqlite\",le=\"0.0025\"} 1",
        "exsited_store_commit_failures_total{store=\"sqlite\"} 1",
    ] {
        assert!(text.contains(expected), "{expected} in {text}");
    }
    assert!(!text.contains("postgres"), "only hooked stores: {text}");
}
