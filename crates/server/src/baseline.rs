//! The benchmark baseline: this server's own stack (accept loop, connection cap, HTTP/1.1
//! settings, request id, access log line, common headers) answering every request with a
//! static `204 No Content`, without routing, authentication or a store.
//!
//! `cargo xtask bench` runs it next to the real server on the same routes, so the ratio of the
//! two says what the API's work costs on top of the limit of this server design.

use std::net::SocketAddr;
use std::sync::Arc;

use exsited_core::MemoryStore;

use crate::config::ServerConfig;
use crate::server::{RunningServer, Server, ServerError};

/// Starts the baseline on `addr` (port 0 picks a free port), with the default configuration.
pub async fn static_204(addr: SocketAddr) -> Result<RunningServer, ServerError> {
    let mut builder = Server::builder()
        .store(Arc::new(MemoryStore::new()))
        .config(ServerConfig::default());
    builder.static_204 = true;
    builder.bind(addr).await
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn answers_every_request_with_an_empty_204() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};

        let server = super::static_204("127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let mut stream = tokio::net::TcpStream::connect(server.local_addr())
            .await
            .unwrap();
        stream
            .write_all(
                b"DELETE /api/v3/integration/x HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n",
            )
            .await
            .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).await.unwrap();
        assert!(answer.starts_with("HTTP/1.1 204"), "{answer}");
        let lower = answer.to_ascii_lowercase();
        assert!(
            lower.contains("content-type:") && lower.contains("x-request-id:"),
            "{answer}"
        );
        server.shutdown();
        server.wait().await.unwrap();
    }
}
