//! The connection cap: idle keep-alive connections give way to new clients, busy ones do not
//! (the busy case is in `shutdown.rs`, next to its slow store).
//!
//! The bounds on waits here only keep a broken server from hanging the suite: the idle and
//! header timeouts are a minute, so only closing idle connections to make room serves the
//! newcomers within them.

use std::time::Duration;

use exsited_server::ServerConfig;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support;

const BOUND: Duration = Duration::from_secs(30);
const HEALTH: &[u8] = b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n";

fn patient() -> ServerConfig {
    ServerConfig {
        keep_alive_idle_timeout: Duration::from_secs(60),
        header_read_timeout: Duration::from_secs(60),
        ..ServerConfig::default()
    }
}

async fn exchange(stream: &mut TcpStream) -> u16 {
    stream.write_all(HEALTH).await.unwrap();
    tokio::time::timeout(BOUND, support::read_response(stream))
        .await
        .expect("served while idle connections held every slot")
        .status
}

async fn closed_by_server(stream: &mut TcpStream) -> bool {
    let mut buf = [0u8; 64];
    matches!(
        tokio::time::timeout(BOUND, stream.read(&mut buf)).await,
        Ok(Ok(0) | Err(_))
    )
}

#[tokio::test]
async fn at_the_cap_the_longest_idle_connections_are_closed_to_make_room() {
    let t = support::start_with(patient()).await;
    let cap = ServerConfig::default().max_connections;
    let clients = cap + 88;
    let mut idle = Vec::with_capacity(clients);
    for _ in 0..clients {
        let mut stream = TcpStream::connect(t.addr).await.unwrap();
        assert_eq!(exchange(&mut stream).await, 200);
        idle.push(stream);
    }
    let newcomer = tokio::time::timeout(BOUND, support::send(t.addr, "GET", "/healthz", &[], None))
        .await
        .expect("a new client is served while idle connections held every slot");
    assert_eq!(newcomer.status, 200);

    // Everyone past the cap, the newcomer included, made the server close the connection that
    // had been idle longest: the first ones, in order.
    let evicted = clients + 1 - cap;
    for (i, stream) in idle[..evicted].iter_mut().enumerate() {
        assert!(closed_by_server(stream).await, "connection {i} was closed");
    }
    // The others are still open and served.
    assert_eq!(exchange(&mut idle[evicted]).await, 200);
    assert_eq!(exchange(idle.last_mut().unwrap()).await, 200);
}

#[tokio::test]
async fn sockets_that_never_sent_a_request_count_as_idle() {
    let t = support::start_with(ServerConfig {
        max_connections: 4,
        ..patient()
    })
    .await;
    let mut silent = Vec::new();
    for _ in 0..4 {
        silent.push(TcpStream::connect(t.addr).await.unwrap());
    }
    let newcomer = tokio::time::timeout(BOUND, support::send(t.addr, "GET", "/healthz", &[], None))
        .await
        .expect("served while silent sockets held every slot");
    assert_eq!(newcomer.status, 200);
    assert!(closed_by_server(&mut silent[0]).await);
}
