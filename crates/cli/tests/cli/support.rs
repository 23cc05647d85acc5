//! Running the binary, and a small blocking HTTP/1.1 client.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

pub(crate) const BIN: &str = env!("CARGO_BIN_EXE_exsited");

/// A running `exsited serve`.
pub(crate) struct Served {
    pub(crate) child: Child,
    pub(crate) addr: SocketAddr,
    /// Credentials the server printed for the client it created, if it did.
    pub(crate) created: Option<(String, String)>,
    /// The metrics endpoint it printed (`--metrics-addr`), if it did.
    pub(crate) metrics: Option<SocketAddr>,
    pub(crate) stderr: PathBuf,
    _stdout: BufReader<ChildStdout>,
}

impl Served {
    /// Starts `exsited serve --addr 127.0.0.1:0 ARGS...` and waits for its listening line.
    pub(crate) fn start(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Self {
        static STARTED: AtomicUsize = AtomicUsize::new(0);
        let n = STARTED.fetch_add(1, Ordering::SeqCst);
        let stderr = dir.join(format!("serve-{n}.log"));
        let mut child = Command::new(BIN)
            .args(["serve", "--addr", "127.0.0.1:0"])
            .args(args)
            .env_remove("EXSITED_SERVE_CLIENTS")
            .env_remove("EXSITED_POSTGRES_URL")
            .env_remove("EXSITED_SECRET_KEY_FILE")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&stderr).unwrap())
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let (mut id, mut secret, mut metrics) = (None, None, None);
        let addr = loop {
            let mut line = String::new();
            if stdout.read_line(&mut line).unwrap() == 0 {
                let _ = child.wait();
                panic!(
                    "serve exited: {}",
                    std::fs::read_to_string(&stderr).unwrap_or_default()
                );
            }
            if let Some(v) = line.trim().strip_prefix("client_id: ") {
                id = Some(v.to_owned());
            }
            if let Some(v) = line.trim().strip_prefix("client_secret: ") {
                secret = Some(v.to_owned());
            }
            if let Some(url) = line.trim().strip_prefix("metrics on http://") {
                metrics = url.trim_end_matches("/metrics").parse().ok();
            }
            if let Some(url) = line.trim().strip_prefix("listening on http://") {
                break url.parse().unwrap();
            }
        };
        Self {
            child,
            addr,
            created: id.zip(secret),
            metrics,
            stderr,
            _stdout: stdout,
        }
    }

    /// SIGTERM, then the exit status.
    pub(crate) fn terminate(mut self) -> ExitStatus {
        signal(&self.child, "TERM");
        wait_with_timeout(&mut self.child, Duration::from_secs(15))
    }

    pub(crate) fn log(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }

    /// SIGTERM, then the exit status and the whole log: the server writes its log from a
    /// background thread, so only after it has stopped is every line sure to be there.
    pub(crate) fn terminate_and_read_log(self) -> (ExitStatus, String) {
        let stderr = self.stderr.clone();
        let status = self.terminate();
        (status, std::fs::read_to_string(&stderr).unwrap_or_default())
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Sends a signal with kill(1): the workspace forbids the unsafe code a libc call would need.
pub(crate) fn signal(child: &Child, name: &str) {
    let status = Command::new("kill")
        .arg(format!("-{name}"))
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(status.success());
}

pub(crate) fn wait_with_timeout(child: &mut Child, limit: Duration) -> ExitStatus {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(
            started.elapsed() < limit,
            "the process did not exit in {limit:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Runs the binary to completion: (exit code, stdout, stderr).
pub(crate) fn run(args: &[&str]) -> (i32, String, String) {
    run_with_env(args, &[])
}

/// Runs the binary to completion with more environment variables.
pub(crate) fn run_with_env(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let output = Command::new(BIN)
        .args(args)
        .env_remove("EXSITED_SERVE_CLIENTS")
        .env_remove("EXSITED_POSTGRES_URL")
        .env_remove("EXSITED_SECRET_KEY_FILE")
        .envs(env.iter().copied())
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// The `client_id: ` and `client_secret: ` lines of an output.
pub(crate) fn credentials(stdout: &str) -> (String, String) {
    let find = |prefix: &str| {
        stdout
            .lines()
            .find_map(|l| l.strip_prefix(prefix))
            .unwrap_or_else(|| panic!("no {prefix} in {stdout}"))
            .to_owned()
    };
    (find("client_id: "), find("client_secret: "))
}

#[derive(Debug)]
pub(crate) struct Response {
    pub(crate) status: u16,
    pub(crate) body: Vec<u8>,
}

impl Response {
    pub(crate) fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&self.body)))
    }
}

pub(crate) fn request_bytes(
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> Vec<u8> {
    let body = body.map(|b| serde_json::to_vec(b).unwrap());
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n");
    if let Some(token) = token {
        head.push_str(&format!("Authorization: Bearer {token}\r\n"));
    }
    if let Some(body) = &body {
        head.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    bytes.extend(body.unwrap_or_default());
    bytes
}

pub(crate) fn read_response(stream: &mut TcpStream) -> std::io::Result<Response> {
    let mut buf = Vec::new();
    stream.read_to_end(&mut buf)?;
    let split = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| std::io::Error::other("no complete response"))?;
    let head = String::from_utf8_lossy(&buf[..split]).into_owned();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other("no status"))?;
    Ok(Response {
        status,
        body: buf[split + 4..].to_vec(),
    })
}

/// One request on a fresh connection; `Err` when the connection failed (a killed server).
pub(crate) fn try_call(
    addr: SocketAddr,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> std::io::Result<Response> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    stream.write_all(&request_bytes(method, path, token, body))?;
    read_response(&mut stream)
}

pub(crate) fn call(
    addr: SocketAddr,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> Response {
    try_call(addr, method, path, token, body).unwrap()
}

pub(crate) fn login(addr: SocketAddr, id: &str, secret: &str) -> String {
    let response = call(
        addr,
        "POST",
        "/api/v1/oauth2/token",
        None,
        Some(
            &json!({"grant_type": "client_credentials", "client_id": id, "client_secret": secret}),
        ),
    );
    assert_eq!(
        response.status,
        200,
        "{}",
        String::from_utf8_lossy(&response.body)
    );
    response.json()["access_token"].as_str().unwrap().to_owned()
}

pub(crate) fn create_connection(addr: SocketAddr, token: &str, remote: &str) -> String {
    let body = json!({"provider": "xero", "remote_instance_id": remote,
        "integration_client_secret": "PARTNER-SECRET"});
    let response = call(
        addr,
        "POST",
        "/api/v3/integration",
        Some(token),
        Some(&body),
    );
    assert_eq!(
        response.status,
        201,
        "{}",
        String::from_utf8_lossy(&response.body)
    );
    response.json()["integration"]["integration_connection"]["uuid"]
        .as_str()
        .unwrap()
        .to_owned()
}

pub(crate) fn create_automation(addr: SocketAddr, token: &str, connection: &str, name: &str) {
    let body = json!({"integration": {"automation_details": {"name": name}}});
    let path = format!("/api/v3/integration/{connection}/automation");
    let response = call(addr, "POST", &path, Some(token), Some(&body));
    assert_eq!(
        response.status,
        201,
        "{}",
        String::from_utf8_lossy(&response.body)
    );
}

pub(crate) fn create_partner_function(addr: SocketAddr, token: &str, connection: &str, name: &str) {
    let body = json!({"partner_function": {"name": name}});
    let path = format!("/api/v3/integration/{connection}/partner-function/");
    let response = call(addr, "POST", &path, Some(token), Some(&body));
    assert_eq!(
        response.status,
        201,
        "{}",
        String::from_utf8_lossy(&response.body)
    );
}
