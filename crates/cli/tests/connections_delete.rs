//! `exsited connections delete` end to end: the real binary against the reference server in
//! this process.

mod connections_support;

use std::collections::HashSet;
use std::process::Stdio;
use std::time::{Duration, Instant};

use connections_support::{Api, ids_file, json, text};

#[test]
fn bulk_delete_of_a_thousand_ids_at_concurrency_16() {
    let api = Api::start();
    let ids = api.seed(1000);
    let dir = tempfile::tempdir().unwrap();
    let mut lines: Vec<String> = ids.iter().map(ToString::to_string).collect();
    // Duplicates (one in upper case) are deleted once.
    lines.push(ids[0].to_string());
    lines.push(ids[1].to_string().to_uppercase());
    let file = ids_file(dir.path(), "ids.txt", &lines);

    let output = api
        .exsited()
        .args([
            "connections",
            "delete",
            "--concurrency",
            "16",
            "--json",
            "--from-file",
        ])
        .arg(&file)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", text(&output.stderr));
    let summary = json(&output);
    assert_eq!(summary["requested"], 1000);
    assert_eq!(summary["removed"], 1000);
    assert_eq!(summary["not_found"], 0);
    assert_eq!(summary["failed"], 0);
    assert_eq!(summary["interrupted"], false);
    assert_eq!(api.deletes(), 1000);
    assert!(api.connections().is_empty());
    assert_eq!(api.store.sync_configuration_count(), 0);
}

#[test]
fn dry_run_deletes_nothing_and_says_what_would_go() {
    let api = Api::start();
    let ids = api.seed(3);
    let unknown = "3f0c8a52-9a4e-4d8e-9d53-6f3b2f5b8a10";
    let output = api
        .exsited()
        .args(["connections", "delete", "--dry-run", "--ignore-not-found"])
        .args(ids.iter().map(ToString::to_string))
        .arg(unknown)
        .output()
        .unwrap();
    let stdout = text(&output.stdout);
    assert!(output.status.success(), "{stdout}{}", text(&output.stderr));
    for id in &ids {
        assert!(stdout.contains(&format!("would delete {id}")), "{stdout}");
    }
    assert!(
        stdout.contains("3 would be deleted, 1 not found"),
        "{stdout}"
    );
    assert_eq!(api.deletes(), 0);
    assert_eq!(api.connections().len(), 3);
}

#[test]
fn malformed_input_exits_2_before_any_request() {
    let api = Api::start();
    let ids = api.seed(2);
    let dir = tempfile::tempdir().unwrap();
    let long = "z".repeat(500);
    let lines = vec![
        ids[0].to_string(),
        "# a comment".into(),
        "not-a-uuid".into(),
        ids[1].to_string(),
        long.clone(),
    ];
    let file = ids_file(dir.path(), "ids.txt", &lines);
    let output = api
        .exsited()
        .args(["connections", "delete", "--from-file"])
        .arg(&file)
        .output()
        .unwrap();
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("line 3 of") && stderr.contains("\"not-a-uuid\""),
        "{stderr}"
    );
    assert!(
        stderr.contains("line 5 of") && stderr.contains("..."),
        "{stderr}"
    );
    assert!(!stderr.contains(&long), "long input is cut");
    assert_eq!(api.calls(), 0, "no request reached the store");
    assert_eq!(api.connections().len(), 2);

    // The same for an argument.
    let output = api
        .exsited()
        .args(["connections", "delete", &ids[0].to_string(), "12345"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("argument 2"),
        "{}",
        text(&output.stderr)
    );
    assert_eq!(api.calls(), 0);
}

#[test]
fn not_found_fails_unless_ignored() {
    let api = Api::start();
    let ids = api.seed(1);
    let unknown = "3f0c8a52-9a4e-4d8e-9d53-6f3b2f5b8a10";

    let output = api
        .exsited()
        .args(["connections", "delete", unknown])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(text(&output.stderr).contains(&format!("not found {unknown}")));
    assert!(text(&output.stdout).contains("0 removed, 0 removed (unconfirmed), 1 not found"));

    let output = api
        .exsited()
        .args(["connections", "delete", "--ignore-not-found", unknown])
        .arg(ids[0].to_string())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(text(&output.stdout).contains(&format!("deleted {}", ids[0])));
    assert!(api.connections().is_empty());
}

#[test]
fn ctrl_c_finishes_in_flight_deletes_and_writes_the_rest() {
    let api = Api::start_with_delete_delay(Duration::from_millis(100));
    let ids = api.seed(200);
    let dir = tempfile::tempdir().unwrap();
    let lines: Vec<String> = ids.iter().map(ToString::to_string).collect();
    let file = ids_file(dir.path(), "ids.txt", &lines);
    let remaining = dir.path().join("rest.txt");

    let child = api
        .exsited()
        .args([
            "connections",
            "delete",
            "--json",
            "--concurrency",
            "4",
            "--from-file",
        ])
        .arg(&file)
        .arg("--remaining")
        .arg(&remaining)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while api.deletes() < 8 {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no delete started"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let killed = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let output = child.wait_with_output().unwrap();
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");

    let summary = json(&output);
    assert_eq!(summary["interrupted"], true);
    assert_eq!(
        summary["failed"], 0,
        "in-flight deletes finished: {summary}"
    );
    let removed = summary["removed"].as_u64().unwrap();
    let not_attempted = summary["not_attempted"].as_u64().unwrap();
    assert!(removed >= 8 && not_attempted > 0, "{summary}");
    assert_eq!(removed + not_attempted, 200, "{summary}");
    assert_eq!(summary["remaining_file"], remaining.display().to_string());

    let listed: HashSet<String> = std::fs::read_to_string(&remaining)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(listed.len() as u64, not_attempted);
    let left: HashSet<String> = api.connections().iter().map(|c| c.id.to_string()).collect();
    // Every id is either deleted or listed as not attempted, never both.
    assert_eq!(left, listed);
    assert_eq!(api.deletes(), removed);
}
