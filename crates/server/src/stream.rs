//! The TCP stream as hyper sees it: hyper's own error responses replaced by enveloped ones on
//! their way to the socket, and the lingering close.
//!
//! Writes pass through untouched but for one check: whether they end with the bare response
//! hyper writes for a request it cannot parse (`parse_error` says how it is recognised; on an
//! ordinary response it is a comparison of the last four bytes, not a parse). Such a response
//! is always the last thing hyper writes on a connection, and follows every response the
//! service produced, so keep-alive and pipelining need no bookkeeping: the bytes before it are
//! written first (on a partial write, hyper offers the rest again and the check repeats),
//! then ours instead of it. hyper is told its bytes were written once ours are.
//!
//! This relies on hyper offering everything it has buffered, in wire order, as one slice, so
//! the connection has hyper flatten its writes (`writev(false)`): with queued buffers, a body
//! still waiting to be written would come after a head encoded later, and the bare response
//! could sit in any slice. Flattening copies small JSON bodies once; a vectored write of two
//! slices saves nothing measurable on them.
//!
//! Shutting down lingers (`linger.rs`) when a response left its request's body unread or a
//! request did not parse (the client may still be sending the rest of it).

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

use crate::activity::Activity;
use crate::linger::Linger;
use crate::parse_error;

/// A connection's TCP stream, for hyper.
pub(crate) struct Stream {
    tcp: TcpStream,
    activity: Arc<Activity>,
    replacing: Option<Replacing>,
    closing: Option<Linger>,
}

/// Our response, being written in place of hyper's.
struct Replacing {
    bytes: Vec<u8>,
    written: usize,
    /// How many of hyper's bytes it stands for.
    stands_for: usize,
}

impl Stream {
    pub(crate) fn new(tcp: TcpStream, activity: Arc<Activity>) -> Self {
        Self {
            tcp,
            activity,
            replacing: None,
            closing: None,
        }
    }

    fn start_replacing(&mut self, bare: &parse_error::Bare, stands_for: usize) {
        self.replacing = Some(Replacing {
            bytes: bare.replacement(),
            written: 0,
            stands_for,
        });
    }

    fn poll_replace(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        let Some(replacing) = self.replacing.as_mut() else {
            return Poll::Ready(Ok(0));
        };
        while replacing.written < replacing.bytes.len() {
            let n = ready!(
                Pin::new(&mut self.tcp).poll_write(cx, &replacing.bytes[replacing.written..])
            )?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            replacing.written += n;
        }
        let stands_for = replacing.stands_for;
        self.replacing = None;
        // The client may still be sending the head hyper gave up on.
        self.activity.linger_on_close();
        Poll::Ready(Ok(stands_for))
    }
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().tcp).poll_read(cx, buf)
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.replacing.is_some() {
            return this.poll_replace(cx);
        }
        if let Some(bare) = parse_error::find(buf) {
            if bare.start > 0 {
                return Pin::new(&mut this.tcp).poll_write(cx, &buf[..bare.start]);
            }
            this.start_replacing(&bare, buf.len());
            return this.poll_replace(cx);
        }
        Pin::new(&mut this.tcp).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().tcp).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.closing.is_none() {
            if !this.activity.lingers() {
                return Pin::new(&mut this.tcp).poll_shutdown(cx);
            }
            this.closing = Some(Linger::start());
        }
        match this.closing.as_mut() {
            Some(linger) => linger.poll(cx, &mut this.tcp).map(Ok),
            None => Poll::Ready(Ok(())),
        }
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    use super::*;

    #[tokio::test]
    async fn hypers_response_after_ours_is_replaced_in_place() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut client = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (tcp, _) = listener.accept().await.unwrap();
        let activity = Activity::new(0, Arc::default());
        let mut stream = Stream::new(tcp, Arc::clone(&activity));

        let ours: &[u8] =
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}";
        let mut offered = ours.to_vec();
        offered.extend_from_slice(
            b"HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\
              date: Tue, 01 Dec 2026 21:51:53 GMT\r\n\r\n",
        );
        let server = tokio::spawn(async move {
            stream.write_all(&offered).await.unwrap();
            stream.flush().await.unwrap();
            // Lingers until the client has read everything and closed.
            stream.shutdown().await.unwrap();
        });
        let mut received = Vec::new();
        client.read_to_end(&mut received).await.unwrap();
        drop(client);
        server.await.unwrap();

        assert!(received.starts_with(ours));
        let replaced = String::from_utf8(received[ours.len()..].to_vec()).unwrap();
        assert!(
            replaced.starts_with("HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\n"),
            "{replaced}"
        );
        assert!(replaced.ends_with("}"), "{replaced}");
        assert!(activity.lingers());
    }
}
