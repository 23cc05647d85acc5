//! One TCP connection served as HTTP/1.1 by hyper: the head limits, the header-read timeout,
//! the keep-alive idle timeout, closing to make room for a new client, and the server's
//! graceful and forced shutdown signals.

use std::sync::Arc;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpStream;

use crate::app::App;
use crate::signals::{Signals, signalled};
use crate::slots::Slot;
use crate::stream::Stream;
use crate::{head, service};

/// Serves a connection until the client closes it, it idles out, it is closed to make room,
/// or the server shuts down. The slot, one of the server's `max_connections`, is given back
/// when this returns.
pub(crate) async fn serve(stream: TcpStream, app: Arc<App>, mut signals: Signals, slot: Slot) {
    let activity = Arc::clone(slot.activity());
    let idle = app.config.keep_alive_idle_timeout;
    let service = {
        let activity = Arc::clone(&activity);
        let app = Arc::clone(&app);
        service_fn(move |request| {
            let busy = activity.begin();
            let app = Arc::clone(&app);
            async move {
                let response = service::handle(app, request).await;
                if let Ok(response) = &response
                    && response.extensions().get::<service::BodyUnread>().is_some()
                {
                    busy.left_body_unread();
                }
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
        .max_header_size(head::MAX_HEAD_BYTES)
        .max_headers(head::MAX_HEADER_FIELDS)
        // One buffer in wire order: what `Stream` needs to find hyper's own responses.
        .writev(false)
        .keep_alive(true);
    let io = TokioIo::new(Stream::new(stream, Arc::clone(&activity)));
    let connection = builder.serve_connection(io, service);
    tokio::pin!(connection);

    let mut closing = false;
    loop {
        let check_at = activity.next_check(idle);
        tokio::select! {
            result = connection.as_mut() => {
                if let Err(err) = result {
                    // Clients that vanish, time out or send garbage are routine (the garbage
                    // got its answer); nothing to act on.
                    tracing::debug!(error = %err, "connection ended with an error");
                }
                return;
            }
            () = signalled(&mut signals.shutdown), if !closing => {
                connection.as_mut().graceful_shutdown();
                closing = true;
            }
            () = signalled(&mut signals.force) => return,
            () = activity.evicted(), if !closing => {
                connection.as_mut().graceful_shutdown();
                closing = true;
            }
            _ = tokio::time::sleep_until(check_at), if !closing => {
                if activity.idle_for(idle) {
                    connection.as_mut().graceful_shutdown();
                    closing = true;
                }
            }
        }
    }
}
