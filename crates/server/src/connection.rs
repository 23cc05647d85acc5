//! One TCP connection: HTTP/1.1 with the header-read timeout, the keep-alive idle timeout, and
//! the server's graceful and forced shutdown signals.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpStream;
use tokio::sync::{OwnedSemaphorePermit, watch};
use tokio::time::Instant;

use crate::app::App;
use crate::server::signalled;
use crate::service;

/// What the server tells its connections.
#[derive(Clone)]
pub(crate) struct Signals {
    /// `true`: finish the request in flight, then close.
    pub(crate) shutdown: watch::Receiver<bool>,
    /// `true`: the grace period is over, close now.
    pub(crate) force: watch::Receiver<bool>,
}

/// Whether a request is being served, and when the last one finished.
struct Activity {
    in_flight: AtomicUsize,
    last_done: Mutex<Instant>,
}

struct Busy(Arc<Activity>);

impl Activity {
    fn begin(self: &Arc<Self>) -> Busy {
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        Busy(Arc::clone(self))
    }

    /// When the connection becomes idle for `idle` if nothing happens; while a request is in
    /// flight, a time to look again.
    fn next_check(&self, idle: Duration) -> Instant {
        if self.in_flight.load(Ordering::SeqCst) > 0 {
            Instant::now() + idle
        } else {
            *self
                .last_done
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                + idle
        }
    }

    fn idle_for(&self, idle: Duration) -> bool {
        self.in_flight.load(Ordering::SeqCst) == 0
            && self
                .last_done
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .elapsed()
                >= idle
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        *self
            .0
            .last_done
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Instant::now();
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Serves a connection until the client closes it, it idles out, or the server shuts down.
/// The permit, one of the server's `max_connections`, is released when this returns.
pub(crate) async fn serve(
    stream: TcpStream,
    app: Arc<App>,
    mut signals: Signals,
    _permit: OwnedSemaphorePermit,
) {
    let activity = Arc::new(Activity {
        in_flight: AtomicUsize::new(0),
        last_done: Mutex::new(Instant::now()),
    });
    let idle = app.config.keep_alive_idle_timeout;
    let service = {
        let activity = Arc::clone(&activity);
        let app = Arc::clone(&app);
        service_fn(move |request| {
            let busy = activity.begin();
            let app = Arc::clone(&app);
            async move {
                let response = service::handle(app, request).await;
                drop(busy);
                response
            }
        })
    };
    // hyper starts the header timer whenever the connection waits for a request, so it also
    // bounds the wait between keep-alive requests; the idle check below can only shorten it.
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(app.config.header_read_timeout)
        .keep_alive(true);
    let connection = builder.serve_connection(TokioIo::new(stream), service);
    tokio::pin!(connection);

    let mut closing = false;
    loop {
        let check_at = activity.next_check(idle);
        tokio::select! {
            result = connection.as_mut() => {
                if let Err(err) = result {
                    // Clients that vanish or time out are routine; nothing to act on.
                    tracing::debug!(error = %err, "connection ended with an error");
                }
                return;
            }
            () = signalled(&mut signals.shutdown), if !closing => {
                connection.as_mut().graceful_shutdown();
                closing = true;
            }
            () = signalled(&mut signals.force) => return,
            _ = tokio::time::sleep_until(check_at), if !closing => {
                if activity.idle_for(idle) {
                    connection.as_mut().graceful_shutdown();
                    closing = true;
                }
            }
        }
    }
}
