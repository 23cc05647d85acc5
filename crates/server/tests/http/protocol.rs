//! The HTTP/1.1 edges: requests hyper cannot parse, the head limits, `Host`, `HEAD`, `OPTIONS`
//! and an oversize upload, each on a raw loopback socket with exactly the bytes a test writes.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::{self, Api, Response, WRITER, send};

const HEALTH: &str = "GET /healthz HTTP/1.1\r\nHost: t\r\n";
const CLOSE: &str = "Connection: close\r\n";

#[tokio::test]
async fn a_garbage_request_line_gets_the_envelope() {
    let t = support::start().await;
    let response = support::raw(t.addr, b"GARBAGE\r\n\r\n").await;
    let (message, _) = response.expect_error(400);
    assert!(message.contains("request line"), "{message}");
    assert!(
        response.header("x-request-id").unwrap().starts_with("req_"),
        "a generated request id"
    );
}

#[tokio::test]
async fn a_path_that_is_not_ascii_gets_the_envelope() {
    let t = support::start().await;
    let response = support::raw(
        t.addr,
        b"GET /api/v2/integration-connections/caf\xe9 HTTP/1.1\r\nHost: t\r\n\r\n",
    )
    .await;
    let (message, _) = response.expect_error(400);
    assert!(message.contains("percent-encode"), "{message}");
}

#[tokio::test]
async fn more_than_100_header_fields_get_431_with_the_envelope() {
    let t = support::start().await;
    let mut request = format!("{HEALTH}{CLOSE}");
    // Host, Connection and 98 more make 100, the most accepted.
    for i in 0..98 {
        request.push_str(&format!("X-Field-{i}: v\r\n"));
    }
    let accepted = support::raw(t.addr, format!("{request}\r\n").as_bytes()).await;
    assert_eq!(accepted.status, 200);
    request.push_str("X-One-Too-Many: v\r\n");
    let response = support::raw(t.addr, format!("{request}\r\n").as_bytes()).await;
    let (_, details) = response.expect_error(431);
    assert_eq!(details["max_header_fields"], "100");
}

#[tokio::test]
async fn a_header_line_over_16_kib_gets_431_naming_it() {
    let t = support::start().await;
    let fits = format!(
        "{HEALTH}{CLOSE}X-Big: {}\r\n\r\n",
        "a".repeat(16 * 1024 - 7)
    );
    assert_eq!(support::raw(t.addr, fits.as_bytes()).await.status, 200);
    let big = format!("{HEALTH}{CLOSE}X-Big: {}\r\n\r\n", "a".repeat(20 * 1024));
    let (message, details) = support::raw(t.addr, big.as_bytes()).await.expect_error(431);
    assert!(message.contains("x-big"), "{message}");
    assert_eq!(details["header"], "x-big");
    assert_eq!(details["max_line_bytes"], "16384");
}

#[tokio::test]
async fn a_head_over_32_kib_gets_431() {
    let t = support::start().await;
    let line = "a".repeat(12 * 1024);
    let head = format!("{HEALTH}X-A: {line}\r\nX-B: {line}\r\nX-C: {line}\r\n\r\n");
    let (_, details) = support::raw(t.addr, head.as_bytes())
        .await
        .expect_error(431);
    assert_eq!(details["max_head_bytes"], "32768");
}

#[tokio::test]
async fn a_request_target_over_16_kib_gets_414() {
    let t = support::start().await;
    let path = format!("/healthz?pad={}", "a".repeat(20 * 1024));
    let response = support::raw(
        t.addr,
        format!("GET {path} HTTP/1.1\r\nHost: t\r\n{CLOSE}\r\n").as_bytes(),
    )
    .await;
    let (_, details) = response.expect_error(414);
    assert_eq!(details["max_target_bytes"], "16384");
}

#[tokio::test]
async fn a_parse_error_after_pipelined_and_kept_alive_requests_is_enveloped() {
    let t = support::start().await;
    // Pipelined: a good request and a garbage one in one write; the good one is answered as
    // usual, the garbage one with the envelope, in order.
    let mut stream = TcpStream::connect(t.addr).await.unwrap();
    let pipelined = format!("{HEALTH}X-Request-Id: first\r\n\r\nNOT HTTP AT ALL\r\n\r\n");
    stream.write_all(pipelined.as_bytes()).await.unwrap();
    let mut buf = Vec::new();
    stream.read_to_end(&mut buf).await.unwrap();
    let responses = support::parse_all(&buf);
    assert_eq!(responses.len(), 2, "{}", String::from_utf8_lossy(&buf));
    assert_eq!(responses[0].status, 200);
    assert_eq!(responses[0].header("x-request-id"), Some("first"));
    assert_eq!(responses[0].json()["status"], "ok");
    responses[1].expect_error(400);

    // Kept alive: two good exchanges, then garbage on the same connection.
    let mut stream = TcpStream::connect(t.addr).await.unwrap();
    for _ in 0..2 {
        stream
            .write_all(format!("{HEALTH}\r\n").as_bytes())
            .await
            .unwrap();
        assert_eq!(support::read_response(&mut stream).await.status, 200);
    }
    stream
        .write_all(b"\x16\x03\x01\x00\xa5\r\n\r\n")
        .await
        .unwrap();
    let mut buf = Vec::new();
    stream.read_to_end(&mut buf).await.unwrap();
    support::parse(&buf).expect_error(400);
}

#[tokio::test]
async fn a_parse_error_behind_unread_responses_comes_after_them_intact() {
    // The client reads nothing until it has sent everything: the responses pile up in the
    // socket buffers and in hyper's, and the garbage request is parsed while earlier responses
    // are still waiting to be written.
    let t = support::start().await;
    let mut stream = TcpStream::connect(t.addr).await.unwrap();
    let count = 400;
    let mut pipelined = Vec::new();
    for _ in 0..count {
        pipelined.extend_from_slice(b"GET /openapi.yaml HTTP/1.1\r\nHost: t\r\n\r\n");
    }
    pipelined.extend_from_slice(b"GARBAGE\r\n\r\n");
    stream.write_all(&pipelined).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut buf = Vec::new();
    stream.read_to_end(&mut buf).await.unwrap();
    let responses = support::parse_all(&buf);
    assert_eq!(responses.len(), count + 1);
    for response in &responses[..count] {
        assert_eq!(response.status, 200);
        assert_eq!(response.body, exsited_spec::OPENAPI_YAML.as_bytes());
    }
    responses[count].expect_error(400);
}

#[tokio::test]
async fn http_1_1_needs_exactly_one_host_header() {
    let t = support::start().await;
    let (message, details) = support::raw(
        t.addr,
        b"GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n",
    )
    .await
    .expect_error(400);
    assert!(message.contains("Host"), "{message}");
    assert_eq!(details["header"], "host");
    support::raw(
        t.addr,
        b"GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n",
    )
    .await
    .expect_error(400);
    // HTTP/1.0 has no such rule.
    let old = support::raw(t.addr, b"GET /healthz HTTP/1.0\r\n\r\n").await;
    assert_eq!(old.status, 200);
}

#[tokio::test]
async fn head_answers_every_get_route_like_get_without_the_body() {
    let t = support::start().await;
    let api = Api::login(t.addr, WRITER).await;
    let auth = format!("Bearer {}", api.token);
    for (path, headers) in [
        ("/healthz", vec![]),
        ("/openapi.yaml", vec![]),
        (
            "/api/v2/integration-connections",
            vec![("Authorization", auth.as_str())],
        ),
    ] {
        let get = send(t.addr, "GET", path, &headers, None).await;
        let mut stream = TcpStream::connect(t.addr).await.unwrap();
        stream
            .write_all(&support::request_bytes("HEAD", path, &headers, None))
            .await
            .unwrap();
        let mut buf = Vec::new();
        stream.read_to_end(&mut buf).await.unwrap();
        let head = support::parse(&buf);
        assert_eq!(head.status, get.status, "{path}");
        assert!(head.body.is_empty(), "{path}: {buf:?}");
        assert!(buf.ends_with(b"\r\n\r\n"), "{path}: nothing after the head");
        for name in ["content-type", "content-length"] {
            assert_eq!(head.header(name), get.header(name), "{path}: {name}");
        }
        assert!(head.header("x-request-id").is_some());
    }
    // Without a token, the same 401 as GET.
    let response = send(t.addr, "HEAD", "/api/v2/integration-connections", &[], None).await;
    assert_eq!(response.status, 401);
    // HEAD on a route without GET is a 405 like any other method.
    let response = send(t.addr, "HEAD", "/api/v3/integration", &[], None).await;
    assert_eq!(response.status, 405);
    assert_eq!(response.header("allow"), Some("POST, OPTIONS"));
}

#[tokio::test]
async fn options_answers_204_with_the_allowed_methods() {
    let t = support::start().await;
    for (path, allow) in [
        ("/api/v2/integration-connections", "GET, HEAD, OPTIONS"),
        ("/api/v3/integration/", "POST, OPTIONS"),
        (
            "/api/v3/integration/3f0c8a52-9a4e-4d8e-9d53-6f3b2f5b8a10/automation",
            "GET, HEAD, POST, OPTIONS",
        ),
        ("*", "GET, HEAD, POST, PATCH, DELETE, OPTIONS"),
    ] {
        // No token: OPTIONS describes the route, it touches no data.
        let response = send(t.addr, "OPTIONS", path, &[("X-Request-Id", "opt-1")], None).await;
        assert_eq!(response.status, 204, "{path}");
        assert_eq!(response.header("allow"), Some(allow), "{path}");
        assert_eq!(response.header("content-type"), Some("application/json"));
        assert_eq!(response.header("x-request-id"), Some("opt-1"));
        assert!(response.body.is_empty());
    }
    send(t.addr, "OPTIONS", "/api/v9/nothing", &[], None)
        .await
        .expect_error(404);
    // A 405 lists the same methods.
    let response = send(t.addr, "PUT", "/api/v2/integration-connections", &[], None).await;
    response.expect_error(405);
    assert_eq!(response.header("allow"), Some("GET, HEAD, OPTIONS"));
}

/// Sends `head` and `body` the way a client on a real network does, a piece at a time, then
/// reads the response to the end. A server that closes with the body unread resets the
/// connection, and this fails.
async fn upload(addr: std::net::SocketAddr, head: &[u8], body: &[u8]) -> Response {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(head).await.unwrap();
    for piece in body.chunks(64 * 1024) {
        stream
            .write_all(piece)
            .await
            .expect("the server reset the connection while the body was being sent");
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let mut buf = Vec::new();
    stream
        .read_to_end(&mut buf)
        .await
        .expect("the server reset the connection before the response was read");
    support::parse(&buf)
}

#[tokio::test]
async fn a_2_mib_upload_reads_a_complete_413() {
    let t = support::start().await;
    let api = Api::login(t.addr, WRITER).await;
    let body = vec![b' '; 2 * 1024 * 1024];
    let head = format!(
        "POST /api/v3/integration HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        api.token,
        body.len()
    );
    let (_, details) = upload(t.addr, head.as_bytes(), &body)
        .await
        .expect_error(413);
    assert_eq!(details["max_bytes"], "1048576");

    // Chunked: the cap is found while reading, the rest is left unread.
    let head = format!(
        "POST /api/v3/integration HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer {}\r\n\
         Transfer-Encoding: chunked\r\n\r\n",
        api.token
    );
    let mut chunked = Vec::new();
    for piece in body.chunks(64 * 1024) {
        chunked.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
        chunked.extend_from_slice(piece);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    upload(t.addr, head.as_bytes(), &chunked)
        .await
        .expect_error(413);

    // A body under the cap, refused before it is read (no token): readable too.
    let body = &body[..1024 * 1024];
    let head = format!(
        "POST /api/v3/integration HTTP/1.1\r\nHost: t\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    upload(t.addr, head.as_bytes(), body)
        .await
        .expect_error(401);
}
