//! The API page (`GET /docs`) in a real headless Chromium, driven by `tests/browser/docs_page.cjs`
//! (playwright-core, installed from the lock file into the target directory on first use; it
//! drives the system's Chromium and downloads no browser): the operations render, and a token
//! request and then a list sent from the page get their answers from the running server. The
//! screenshot is kept in `target/tmp/docs-page/docs.png`.
//!
//! Needs Debian's `chromium` (`.ci/run` installs it) and Node.js with npm; without them the test
//! fails saying what is missing. `CHROMIUM` names another executable.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::{self, Served};

const BROWSER_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/browser");
const LIMIT: Duration = Duration::from_secs(240);

/// Runs `command` to its end within [`LIMIT`], killing it past that: (exit code, stdout,
/// stderr).
fn run_bounded(command: &mut Command, what: &str) -> (Option<i32>, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let (out, err) = (dir.path().join("out"), dir.path().join("err"));
    let mut child = command
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(&err).unwrap())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {what}: {e} (is it installed?)"));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what} did not finish in {LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let read = |p: &Path| std::fs::read_to_string(p).unwrap_or_default();
    (status.code(), read(&out), read(&err))
}

/// playwright-core, installed once from the lock file under the target directory.
fn playwright_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("docs-page");
    std::fs::create_dir_all(&dir).unwrap();
    let lock = std::fs::read(Path::new(BROWSER_DIR).join("package-lock.json")).unwrap();
    let installed = dir
        .join("node_modules/playwright-core/package.json")
        .exists()
        && std::fs::read(dir.join("package-lock.json")).ok() == Some(lock.clone());
    if !installed {
        std::fs::copy(
            Path::new(BROWSER_DIR).join("package.json"),
            dir.join("package.json"),
        )
        .unwrap();
        std::fs::write(dir.join("package-lock.json"), &lock).unwrap();
        let (code, out, err) = run_bounded(
            Command::new("npm")
                .args(["ci", "--ignore-scripts", "--no-audit", "--no-fund"])
                .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
                .current_dir(&dir),
            "npm (Node.js's package manager)",
        );
        assert_eq!(
            code,
            Some(0),
            "npm ci of playwright-core failed:\n{out}\n{err}"
        );
    }
    dir
}

fn chromium() -> PathBuf {
    let path = std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    assert!(
        path.exists(),
        "Chromium not found at {}: install Debian's chromium package (.ci/run does) or set \
         CHROMIUM to its executable",
        path.display()
    );
    path
}

#[test]
fn the_page_renders_the_operations_and_its_requests_reach_the_server() {
    let chromium = chromium();
    let playwright = playwright_dir();
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(
        dir.path(),
        &["--memory", "--client", "docs-client:docs-secret-3b9f"],
        &[],
    );
    let token = support::login(served.addr, "docs-client", "docs-secret-3b9f");
    support::create_connection(served.addr, &token, "org-on-the-page");
    let base = format!("http://{}", served.addr);
    let screenshot = playwright.join("docs.png");
    let _ = std::fs::remove_file(&screenshot);

    let (code, out, err) = run_bounded(
        Command::new("node")
            .arg(Path::new(BROWSER_DIR).join("docs_page.cjs"))
            .env("EXSITED_URL", &base)
            .env("EXSITED_CLIENT_ID", "docs-client")
            .env("EXSITED_CLIENT_SECRET", "docs-secret-3b9f")
            .env("CHROMIUM", &chromium)
            .env("SCREENSHOT", &screenshot)
            .env("PLAYWRIGHT_DIR", &playwright),
        "node (Node.js)",
    );
    assert_ne!(code, Some(3), "Chromium could not be started:\n{err}");
    assert_eq!(code, Some(0), "the page driver failed:\n{out}\n{err}");
    let seen: Value = serde_json::from_str(out.trim())
        .unwrap_or_else(|e| panic!("the driver's report is not JSON ({e}): {out}\n{err}"));

    assert_eq!(seen["failure"], Value::Null, "{seen:#}");
    assert_eq!(
        seen["operations"].as_u64(),
        Some(exsited_spec::paths::ALL.len() as u64),
        "every operation of the document is on the page: {seen:#}"
    );
    let servers = seen["servers"].to_string();
    assert!(
        servers.contains(&base),
        "requests go to this server: {servers}"
    );
    assert_eq!(seen["token"]["status"], "200", "{seen:#}");
    assert!(
        seen["token"]["body"]
            .as_str()
            .unwrap()
            .contains("access_token")
    );
    assert_eq!(
        seen["list"]["status"], "200",
        "the token authorized the list: {seen:#}"
    );
    assert!(
        seen["list"]["body"]
            .as_str()
            .unwrap()
            .contains("org-on-the-page"),
        "{seen:#}"
    );
    assert_eq!(
        seen["errors"],
        Value::Array(vec![]),
        "no error in the page: {seen:#}"
    );
    assert_eq!(
        seen["offsite"],
        Value::Array(vec![]),
        "nothing loaded from elsewhere: {seen:#}"
    );
    assert!(
        screenshot.exists(),
        "the screenshot is kept at {}",
        screenshot.display()
    );
    assert!(served.terminate().success());
}
