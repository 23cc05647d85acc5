//! The lingering close, for a connection closed while its client may still be sending.
//!
//! A socket closed with unread data makes the kernel send a reset instead of a normal close,
//! and a client that gets the reset while it is still sending (most send the whole body before
//! they read) loses the response that was already on its way: a 2 MiB upload got "connection
//! reset" instead of the 413. So such a connection is closed in two steps: first the write
//! side (the client sees the response, then end of stream), then what the client still sends
//! is read and thrown away until it closes too, for at most [`MAX_TIME`] and [`MAX_BYTES`],
//! before the socket is closed. Connections closed with nothing unread skip this.

use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::Sleep;

/// The longest a closing connection waits for its client to stop sending.
pub(crate) const MAX_TIME: Duration = Duration::from_secs(5);
/// The most bytes read and thrown away while closing (16 times the default body cap).
pub(crate) const MAX_BYTES: usize = 16 * 1024 * 1024;

/// A lingering close in progress.
pub(crate) struct Linger {
    write_closed: bool,
    discarded: usize,
    deadline: Pin<Box<Sleep>>,
}

impl Linger {
    /// Starts now; the time bound runs from here.
    pub(crate) fn start() -> Self {
        Self {
            write_closed: false,
            discarded: 0,
            deadline: Box::pin(tokio::time::sleep(MAX_TIME)),
        }
    }

    /// Ready when the client has closed, sent too much, taken too long, or failed.
    pub(crate) fn poll(&mut self, cx: &mut Context<'_>, tcp: &mut TcpStream) -> Poll<()> {
        if !self.write_closed {
            if ready!(Pin::new(&mut *tcp).poll_shutdown(cx)).is_err() {
                return Poll::Ready(());
            }
            self.write_closed = true;
        }
        let mut scratch = [0u8; 8192];
        while self.discarded < MAX_BYTES {
            let mut buf = ReadBuf::new(&mut scratch);
            match Pin::new(&mut *tcp).poll_read(cx, &mut buf) {
                Poll::Ready(Ok(())) if buf.filled().is_empty() => return Poll::Ready(()),
                Poll::Ready(Ok(())) => self.discarded += buf.filled().len(),
                Poll::Ready(Err(_)) => return Poll::Ready(()),
                Poll::Pending => return self.deadline.as_mut().poll(cx),
            }
        }
        Poll::Ready(())
    }
}
