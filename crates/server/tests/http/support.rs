//! A server on 127.0.0.1:0 over a memory store, three clients in two tenants, and a small raw
//! HTTP/1.1 client that sends exactly what a test writes (doubled slashes included).

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use exsited_core::access::{AccessStore, Scope};
use exsited_core::{ConnectionRepository, MemoryStore, RepositoryProvider, SecretString, TenantId};
use exsited_server::{Clock, RunningServer, Server, ServerConfig, clients};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub(crate) const WRITER: (&str, &str) = ("acme-writer", "acme-writer-secret");
pub(crate) const READER: (&str, &str) = ("acme-reader", "acme-reader-secret");
pub(crate) const OTHER: (&str, &str) = ("globex-writer", "globex-writer-secret");

pub(crate) struct TestServer {
    pub(crate) server: RunningServer,
    pub(crate) addr: SocketAddr,
}

/// Registers the three test clients.
pub(crate) async fn add_clients(access: &dyn AccessStore) {
    for ((id, secret), tenant, scope) in [
        (WRITER, "acme", Scope::Write),
        (READER, "acme", Scope::Read),
        (OTHER, "globex", Scope::Write),
    ] {
        clients::ensure(
            access,
            id,
            &SecretString::new(secret),
            TenantId::new(tenant).unwrap(),
            scope,
        )
        .await
        .unwrap();
    }
}

pub(crate) async fn start() -> TestServer {
    start_with(ServerConfig::default()).await
}

pub(crate) async fn start_with(config: ServerConfig) -> TestServer {
    let store = Arc::new(MemoryStore::new());
    add_clients(store.as_ref()).await;
    start_on(store.clone(), store, config).await
}

pub(crate) async fn start_on(
    provider: Arc<dyn RepositoryProvider>,
    access: Arc<dyn AccessStore>,
    config: ServerConfig,
) -> TestServer {
    start_on_clock(provider, access, config, Clock::system()).await
}

/// A memory-store server whose clock the test moves.
pub(crate) async fn start_at(clock: &MovableClock) -> TestServer {
    let store = Arc::new(MemoryStore::new());
    add_clients(store.as_ref()).await;
    start_on_clock(store.clone(), store, ServerConfig::default(), clock.clock()).await
}

async fn start_on_clock(
    provider: Arc<dyn RepositoryProvider>,
    access: Arc<dyn AccessStore>,
    config: ServerConfig,
    clock: Clock,
) -> TestServer {
    let server = Server::builder()
        .provider(provider)
        .access(access)
        .config(config)
        .clock(clock)
        .bind("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    TestServer {
        addr: server.local_addr(),
        server,
    }
}

/// The system clock plus an offset the test can grow: time passes for the server at once.
#[derive(Default)]
pub(crate) struct MovableClock(Arc<AtomicU64>);

impl MovableClock {
    pub(crate) fn clock(&self) -> Clock {
        let skew = Arc::clone(&self.0);
        Clock::from_fn(move || SystemTime::now() + Duration::from_secs(skew.load(Ordering::SeqCst)))
    }

    pub(crate) fn advance(&self, by: Duration) {
        self.0.fetch_add(by.as_secs(), Ordering::SeqCst);
    }
}

#[derive(Debug)]
pub(crate) struct Response {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Response {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    /// The v3 envelope's first error: (code, message, details).
    pub(crate) fn error(&self) -> (i64, String, Value) {
        let body = self.json();
        let first = &body["errors"][0];
        (
            first["code"].as_i64().expect("integer code"),
            first["message"].as_str().expect("message").to_owned(),
            first["details"].clone(),
        )
    }

    /// Asserts the status, that the body is the envelope with the status as its code, and the
    /// common headers.
    pub(crate) fn expect_error(&self, status: u16) -> (String, Value) {
        assert_eq!(
            self.status,
            status,
            "{}",
            String::from_utf8_lossy(&self.body)
        );
        let (code, message, details) = self.error();
        assert_eq!(code, i64::from(status));
        assert_eq!(self.header("content-type"), Some("application/json"));
        assert!(self.header("x-request-id").is_some());
        (message, details)
    }
}

/// Sends one request on a fresh connection and reads the whole response.
pub(crate) async fn raw(addr: SocketAddr, request: &[u8]) -> Response {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(request).await.unwrap();
    let mut buf = Vec::new();
    stream.read_to_end(&mut buf).await.unwrap();
    parse(&buf)
}

/// Reads one response from a connection that stays open (keep-alive): the head, then as many
/// body bytes as its `Content-Length` says.
pub(crate) async fn read_response(stream: &mut TcpStream) -> Response {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = head_end(&buf) {
            let wanted = end + content_length(&buf[..end]);
            if buf.len() >= wanted {
                return parse(&buf[..wanted]);
            }
        }
        let n = stream.read(&mut chunk).await.unwrap();
        assert!(
            n > 0,
            "closed mid-response: {:?}",
            String::from_utf8_lossy(&buf)
        );
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// Every response in `buf`, in order (pipelined responses read to the end of the connection).
pub(crate) fn parse_all(mut buf: &[u8]) -> Vec<Response> {
    let mut out = Vec::new();
    while !buf.is_empty() {
        let end = head_end(buf).expect("a complete head");
        let len = end + content_length(&buf[..end]);
        out.push(parse(&buf[..len]));
        buf = &buf[len..];
    }
    out
}

/// Where the body starts: just after the blank line that ends the head.
fn head_end(buf: &[u8]) -> Option<usize> {
    buf.windows(4).position(|w| w == b"\r\n\r\n").map(|p| p + 4)
}

fn content_length(head: &[u8]) -> usize {
    String::from_utf8_lossy(head)
        .lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("content-length"))
        .map_or(0, |(_, v)| v.trim().parse().unwrap())
}

pub(crate) fn parse(buf: &[u8]) -> Response {
    let split = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no header end in {:?}", String::from_utf8_lossy(buf)));
    let head = std::str::from_utf8(&buf[..split]).unwrap();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let mut body = buf[split + 4..].to_vec();
    if let Some((_, length)) = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
    {
        body.truncate(length.parse().unwrap());
    }
    Response {
        status,
        headers,
        body,
    }
}

pub(crate) fn request_bytes(
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&[u8]>,
) -> Vec<u8> {
    let mut out = format!("{method} {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n");
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    if let Some(body) = body {
        out.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    out.push_str("\r\n");
    let mut bytes = out.into_bytes();
    if let Some(body) = body {
        bytes.extend_from_slice(body);
    }
    bytes
}

pub(crate) async fn send(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&[u8]>,
) -> Response {
    raw(addr, &request_bytes(method, path, headers, body)).await
}

pub(crate) async fn token_request(addr: SocketAddr, body: Value) -> Response {
    let body = serde_json::to_vec(&body).unwrap();
    send(
        addr,
        "POST",
        "/api/v1/oauth2/token",
        &[("Content-Type", "application/json")],
        Some(&body),
    )
    .await
}

pub(crate) async fn grant(addr: SocketAddr, (id, secret): (&str, &str)) -> Value {
    let response = token_request(
        addr,
        json!({"grant_type": "client_credentials", "client_id": id, "client_secret": secret,
               "redirect_uri": "https://example.invalid/cb", "exsited_url": "x"}),
    )
    .await;
    assert_eq!(
        response.status,
        200,
        "{}",
        String::from_utf8_lossy(&response.body)
    );
    response.json()
}

/// An authenticated caller.
#[derive(Clone)]
pub(crate) struct Api {
    pub(crate) addr: SocketAddr,
    pub(crate) token: String,
}

impl Api {
    pub(crate) async fn login(addr: SocketAddr, client: (&str, &str)) -> Self {
        let token = grant(addr, client).await["access_token"]
            .as_str()
            .unwrap()
            .to_owned();
        Self { addr, token }
    }

    pub(crate) async fn call(
        &self,
        method: &str,
        path: &str,
        extra: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Response {
        let auth = format!("Bearer {}", self.token);
        let mut headers = vec![("Authorization", auth.as_str())];
        if body.is_some() {
            headers.push(("Content-Type", "application/json"));
        }
        headers.extend_from_slice(extra);
        let body = body.map(|b| serde_json::to_vec(b).unwrap());
        send(self.addr, method, path, &headers, body.as_deref()).await
    }

    pub(crate) async fn get(&self, path: &str) -> Response {
        self.call("GET", path, &[], None).await
    }

    pub(crate) async fn post(&self, path: &str, body: &Value) -> Response {
        self.call("POST", path, &[], Some(body)).await
    }

    pub(crate) async fn delete(&self, path: &str) -> Response {
        self.call("DELETE", path, &[], None).await
    }

    /// Creates a connection and returns its uuid.
    pub(crate) async fn create_connection(&self, remote: &str) -> String {
        let response = self
            .post("/api/v3/integration", &connection_body(remote))
            .await;
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

    pub(crate) async fn create_automation(&self, connection: &str, name: &str) -> String {
        let response = self
            .post(
                &format!("/api/v3/integration/{connection}/automation"),
                &automation_body(name),
            )
            .await;
        assert_eq!(
            response.status,
            201,
            "{}",
            String::from_utf8_lossy(&response.body)
        );
        response.json()["integration_automation"]["uuid"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    pub(crate) async fn create_partner_function(&self, connection: &str, name: &str) -> String {
        let response = self
            .post(
                &format!("/api/v3/integration/{connection}/partner-function/"),
                &partner_function_body(name),
            )
            .await;
        assert_eq!(
            response.status,
            201,
            "{}",
            String::from_utf8_lossy(&response.body)
        );
        response.json()["partner_function"]["uuid"]
            .as_str()
            .unwrap()
            .to_owned()
    }
}

pub(crate) fn connection_body(remote: &str) -> Value {
    json!({
        "provider": "xero",
        "remote_instance_id": remote,
        "remote_instance_name": "Acme Ltd",
        "integration_client_id": "partner-client",
        "integration_client_secret": "PARTNER-SECRET-1",
        "integration_access_token": "PARTNER-ACCESS-1",
        "integration_refresh_token": "PARTNER-REFRESH-1",
        "some_unknown_field": true
    })
}

pub(crate) fn automation_body(name: &str) -> Value {
    json!({"integration": {"automation_details": {"name": name, "check_on": "DAILY"},
        "additional_criteria_details": [{"group_condition": "AND", "rules": [
            {"field_name": "total", "operator": ">", "value": "10", "condition": ""}]}]}})
}

pub(crate) fn partner_function_body(name: &str) -> Value {
    json!({"partner_function": {"name": name, "direction": "OUTBOUND", "object_name": "INVOICE"}})
}

/// Keeps the unused-import lint quiet for helpers only some modules use.
#[allow(dead_code)]
pub(crate) fn repository_of(store: &MemoryStore, tenant: &str) -> Arc<dyn ConnectionRepository> {
    RepositoryProvider::repository(
        store,
        &exsited_core::Principal::new(TenantId::new(tenant).unwrap(), "test"),
    )
}
