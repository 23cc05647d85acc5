//! Graceful shutdown and the connection timeouts, through the library handle.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use exsited_core::{
    Connection, ConnectionRepository, ListQuery, MemoryStore, Page, Principal, RepositoryProvider,
    RepositoryWrapper, Result,
};
use exsited_server::ServerConfig;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::{self, Api, WRITER};

/// A memory store whose `list` takes a while: a request that is reliably in flight.
struct Slow(MemoryStore);
struct SlowRepository(Arc<dyn ConnectionRepository>);

const DELAY: Duration = Duration::from_millis(600);

impl RepositoryProvider for Slow {
    fn repository(&self, principal: &Principal) -> Arc<dyn ConnectionRepository> {
        Arc::new(SlowRepository(RepositoryProvider::repository(
            &self.0, principal,
        )))
    }

    fn keyed_creates(
        &self,
        principal: &Principal,
    ) -> Arc<dyn exsited_core::idempotency::KeyedCreates> {
        self.0.keyed_creates(principal)
    }
}

#[async_trait]
impl RepositoryWrapper for SlowRepository {
    fn inner(&self) -> &dyn ConnectionRepository {
        self.0.as_ref()
    }

    async fn list(&self, query: &ListQuery) -> Result<Page<Connection>> {
        tokio::time::sleep(DELAY).await;
        self.0.list(query).await
    }
}

#[tokio::test]
async fn shutdown_finishes_the_request_in_flight_and_refuses_new_ones() {
    let store = MemoryStore::new();
    support::add_clients(&store).await;
    let t = support::start_on(
        Arc::new(Slow(store.clone())),
        Arc::new(store),
        ServerConfig::default(),
    )
    .await;
    let api = Api::login(t.addr, WRITER).await;
    let in_flight = tokio::spawn({
        let api = api.clone();
        async move { api.get("/api/v2/integration-connections").await }
    });
    tokio::time::sleep(Duration::from_millis(150)).await;
    let started = std::time::Instant::now();
    t.server.shutdown();
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(
        TcpStream::connect(t.addr).await.is_err(),
        "no new connections once shutting down"
    );
    let response = in_flight.await.unwrap();
    assert_eq!(response.status, 200);
    t.server.wait().await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn the_grace_period_bounds_a_shutdown() {
    let store = MemoryStore::new();
    support::add_clients(&store).await;
    let config = ServerConfig {
        shutdown_grace: Duration::from_millis(100),
        ..ServerConfig::default()
    };
    let t = support::start_on(Arc::new(Slow(store.clone())), Arc::new(store), config).await;
    let api = Api::login(t.addr, WRITER).await;
    let in_flight = tokio::spawn(async move {
        let mut stream = TcpStream::connect(api.addr).await.unwrap();
        let request = support::request_bytes(
            "GET",
            "/api/v2/integration-connections",
            &[("Authorization", &format!("Bearer {}", api.token))],
            None,
        );
        stream.write_all(&request).await.unwrap();
        let mut buf = Vec::new();
        let _ = stream.read_to_end(&mut buf).await;
        buf
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = std::time::Instant::now();
    t.server.shutdown();
    t.server.wait().await.unwrap();
    assert!(
        started.elapsed() < DELAY,
        "did not wait for the slow request"
    );
    assert!(
        in_flight.await.unwrap().is_empty(),
        "its connection was closed"
    );
}

#[tokio::test]
async fn idle_keep_alive_connections_are_closed() {
    let config = ServerConfig {
        keep_alive_idle_timeout: Duration::from_millis(200),
        ..ServerConfig::default()
    };
    let t = support::start_with(config).await;
    let mut stream = TcpStream::connect(t.addr).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
        .await
        .unwrap();
    let mut buf = vec![0u8; 4096];
    let n = stream.read(&mut buf).await.unwrap();
    assert!(buf[..n].starts_with(b"HTTP/1.1 200"));
    // Kept alive, then closed for idling: the read ends with EOF well before the 10 s
    // header timeout.
    let eof = tokio::time::timeout(Duration::from_secs(3), stream.read(&mut buf))
        .await
        .expect("closed in time");
    assert_eq!(eof.unwrap(), 0);
}

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_cut_off() {
    let config = ServerConfig {
        header_read_timeout: Duration::from_millis(200),
        ..ServerConfig::default()
    };
    let t = support::start_with(config).await;
    let mut stream = TcpStream::connect(t.addr).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost:")
        .await
        .unwrap();
    let mut buf = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(3), stream.read_to_end(&mut buf)).await;
    assert!(closed.is_ok(), "the server closed the connection in time");
}

#[tokio::test]
async fn a_busy_connection_is_not_closed_to_make_room() {
    let store = MemoryStore::new();
    support::add_clients(&store).await;
    let config = ServerConfig {
        max_connections: 1,
        ..ServerConfig::default()
    };
    let t = support::start_on(Arc::new(Slow(store.clone())), Arc::new(store), config).await;
    let api = Api::login(t.addr, WRITER).await;

    // The only slot is held by a connection with a slow request in flight.
    let mut busy = TcpStream::connect(t.addr).await.unwrap();
    let request = support::request_bytes(
        "GET",
        "/api/v2/integration-connections",
        &[("Authorization", &format!("Bearer {}", api.token))],
        None,
    );
    // Keep-alive: without the `Connection: close` of `request_bytes`.
    let request = String::from_utf8(request)
        .unwrap()
        .replace("Connection: close\r\n", "");
    busy.write_all(request.as_bytes()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let newcomer = tokio::spawn(async move {
        let response = support::send(t.addr, "GET", "/healthz", &[], None).await;
        (response, std::time::Instant::now())
    });

    // The busy connection finishes its request; only then, idle, it makes room.
    let answered = support::read_response(&mut busy).await;
    let answered_at = std::time::Instant::now();
    assert_eq!(answered.status, 200);
    let (response, served_at) = tokio::time::timeout(Duration::from_secs(30), newcomer)
        .await
        .expect("served once the busy connection became idle")
        .unwrap();
    assert_eq!(response.status, 200);
    assert!(
        served_at >= answered_at,
        "the newcomer waited for the busy request"
    );
    let mut buf = [0u8; 16];
    assert_eq!(busy.read(&mut buf).await.unwrap(), 0, "then it was closed");
}
