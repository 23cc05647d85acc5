//! A scripted HTTP/1.1 server on a loopback socket, for testing the client through real
//! connections: each test says what the server answers to the n-th request, and reads back
//! every request the server saw.
//!
//! Token requests (`POST /api/v1/oauth2/token`) have their own script and count, so a test
//! about the API need not script the token dance.

#![allow(dead_code, unreachable_pub)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use exsited_core::SecretString;
use exsited_transport::{ClientConfig, ClientConfigBuilder, RetryPolicy};
use http::{HeaderMap, Request, Response};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::net::TcpListener;

/// The client secret every test client uses; no output may ever contain it.
pub const CLIENT_SECRET: &str = "test-client-secret-9f8e7d";
/// The client id every test client uses.
pub const CLIENT_ID: &str = "test-client";
/// The token path.
pub const TOKEN_PATH: &str = "/api/v1/oauth2/token";
/// The longest a `Hang` keeps a connection, so the server stops by itself.
const HANG_LIMIT: Duration = Duration::from_secs(10);

/// A request as the server saw it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub query: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    /// The value of a query parameter.
    pub fn param(&self, name: &str) -> Option<String> {
        self.query.split('&').find_map(|pair| {
            let (key, value) = pair.split_once('=')?;
            (key == name).then(|| value.to_owned())
        })
    }
}

/// What the server does with a request.
#[derive(Debug, Clone)]
pub enum Reply {
    /// Answer, after an optional delay.
    Respond {
        status: u16,
        headers: Vec<(String, String)>,
        body: Bytes,
        delay: Duration,
    },
    /// Read the request, then close the connection without answering.
    Drop,
    /// Read the request and never answer (up to a bound, so the server stops by itself).
    Hang,
}

impl Reply {
    /// A JSON body with its Content-Type.
    pub fn json(status: u16, body: Value) -> Self {
        Self::text(status, "application/json", body.to_string())
    }

    /// Any body with the given Content-Type.
    pub fn text(status: u16, content_type: &str, body: impl Into<String>) -> Self {
        Reply::Respond {
            status,
            headers: vec![("content-type".into(), content_type.into())],
            body: Bytes::from(body.into()),
            delay: Duration::ZERO,
        }
    }

    /// A status with no body and no headers at all (not even Content-Type).
    pub fn empty(status: u16) -> Self {
        Reply::Respond {
            status,
            headers: Vec::new(),
            body: Bytes::new(),
            delay: Duration::ZERO,
        }
    }

    /// The same reply with one more header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        if let Reply::Respond { headers, .. } = &mut self {
            headers.push((name.into(), value.into()));
        }
        self
    }

    /// The same reply, sent after `delay`.
    pub fn after(mut self, wait: Duration) -> Self {
        if let Reply::Respond { delay, .. } = &mut self {
            *delay = wait;
        }
        self
    }
}

type Script = Box<dyn Fn(&Recorded, usize) -> Reply + Send + Sync>;

struct State {
    token: Script,
    api: Script,
    tokens: AtomicUsize,
    calls: AtomicUsize,
    /// TCP connections accepted, whether or not a request came over them.
    accepted: AtomicUsize,
    log: Mutex<Vec<Recorded>>,
}

/// A running scripted server.
pub struct Server {
    pub base_url: String,
    state: Arc<State>,
}

/// The default token script: token `tok-<n>`, refresh token `ref-<n>`, one hour.
pub fn issue_token(_: &Recorded, n: usize) -> Reply {
    Reply::json(
        200,
        json!({"access_token": format!("tok-{n}"), "refresh_token": format!("ref-{n}"),
               "expires_in": 3600, "token_type": "Bearer"}),
    )
}

impl Server {
    /// A plain-http server answering API requests with `api` and token requests with
    /// [`issue_token`]. The script gets each request and its index among API requests.
    pub async fn start(api: impl Fn(&Recorded, usize) -> Reply + Send + Sync + 'static) -> Self {
        Self::start_with(issue_token, api).await
    }

    /// Like [`start`](Self::start) with a token script too.
    pub async fn start_with(
        token: impl Fn(&Recorded, usize) -> Reply + Send + Sync + 'static,
        api: impl Fn(&Recorded, usize) -> Reply + Send + Sync + 'static,
    ) -> Self {
        Self::spawn(Box::new(token), Box::new(api), None).await
    }

    /// An HTTPS server presenting `tls`'s certificate.
    pub async fn start_tls(
        tls: tokio_rustls::TlsAcceptor,
        api: impl Fn(&Recorded, usize) -> Reply + Send + Sync + 'static,
    ) -> Self {
        Self::spawn(Box::new(issue_token), Box::new(api), Some(tls)).await
    }

    async fn spawn(token: Script, api: Script, tls: Option<tokio_rustls::TlsAcceptor>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(State {
            token,
            api,
            tokens: AtomicUsize::new(0),
            calls: AtomicUsize::new(0),
            accepted: AtomicUsize::new(0),
            log: Mutex::new(Vec::new()),
        });
        let base_url = match tls {
            Some(_) => format!("https://localhost:{port}"),
            None => format!("http://127.0.0.1:{port}"),
        };
        let serving = state.clone();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                serving.accepted.fetch_add(1, Ordering::SeqCst);
                let state = serving.clone();
                let tls = tls.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |req| handle(state.clone(), req));
                    let builder = hyper::server::conn::http1::Builder::new();
                    // Errors are the point of many scripts (a dropped connection); ignore them.
                    match tls {
                        Some(acceptor) => {
                            if let Ok(stream) = acceptor.accept(stream).await {
                                let _ = builder
                                    .serve_connection(TokioIo::new(stream), service)
                                    .await;
                            }
                        }
                        None => {
                            let _ = builder
                                .serve_connection(TokioIo::new(stream), service)
                                .await;
                        }
                    }
                });
            }
        });
        Server { base_url, state }
    }

    /// How many TCP connections the server accepted (a refused TLS handshake is one too).
    pub fn accepted(&self) -> usize {
        self.state.accepted.load(Ordering::SeqCst)
    }

    /// Every request seen, in arrival order.
    pub fn requests(&self) -> Vec<Recorded> {
        self.state.log.lock().unwrap().clone()
    }

    /// The API requests seen (not token requests).
    pub fn api_requests(&self) -> Vec<Recorded> {
        self.requests()
            .into_iter()
            .filter(|r| r.path != TOKEN_PATH)
            .collect()
    }

    /// The token requests seen.
    pub fn token_requests(&self) -> Vec<Recorded> {
        self.requests()
            .into_iter()
            .filter(|r| r.path == TOKEN_PATH)
            .collect()
    }

    /// A client config for this server: test credentials and quick retries (4 attempts,
    /// waits of at most 20 ms), a 2 s attempt timeout and a 10 s deadline.
    pub fn config(&self) -> ClientConfigBuilder {
        ClientConfig::builder()
            .base_url(&self.base_url)
            .credentials(CLIENT_ID, SecretString::new(CLIENT_SECRET))
            .retry_policy(RetryPolicy::new(
                4,
                Duration::from_millis(5),
                Duration::from_millis(20),
            ))
            .attempt_timeout(Duration::from_secs(2))
            .deadline(Duration::from_secs(10))
    }
}

async fn handle(
    state: Arc<State>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, std::io::Error> {
    let (parts, body) = request.into_parts();
    let body = body
        .collect()
        .await
        .map_err(std::io::Error::other)?
        .to_bytes();
    let recorded = Recorded {
        method: parts.method.to_string(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().unwrap_or("").to_owned(),
        headers: parts.headers,
        body,
    };
    state.log.lock().unwrap().push(recorded.clone());
    let reply = if recorded.path == TOKEN_PATH {
        let n = state.tokens.fetch_add(1, Ordering::SeqCst);
        (state.token)(&recorded, n)
    } else {
        let n = state.calls.fetch_add(1, Ordering::SeqCst);
        (state.api)(&recorded, n)
    };
    match reply {
        Reply::Respond {
            status,
            headers,
            body,
            delay,
        } => {
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            let mut response = Response::builder().status(status);
            for (name, value) in headers {
                response = response.header(name, value);
            }
            Ok(response.body(Full::new(body)).unwrap())
        }
        // An error from the service makes hyper close the connection without a response.
        Reply::Drop => Err(std::io::Error::other("scripted drop")),
        Reply::Hang => {
            tokio::time::sleep(HANG_LIMIT).await;
            Err(std::io::Error::other("scripted hang"))
        }
    }
}

/// A connection record as the API sends it, partner secrets included.
pub fn connection_json(uuid: &str) -> Value {
    json!({
        "uuid": uuid, "status": "ACTIVE", "integration_partner": "XERO",
        "remote_instance_id": "tenant-1", "remote_instance_name": "Acme",
        "client_id": "partner-client", "client_secret": "partner-secret-value",
        "access_token": "partner-access-value", "refresh_token": "partner-refresh-value"
    })
}

/// A fixed connection id for tests.
pub const CONN: &str = "3f0c8a52-9a4e-4d8e-9d53-6f3b2f5b8a10";

/// The v3 error envelope.
pub fn v3_error(code: Value, message: &str) -> Value {
    json!({"errors": [{"code": code, "message": message}]})
}
