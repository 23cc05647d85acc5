//! Ctrl-C during a delete run: the first one stops new deletes from being sent while those in
//! flight finish (so that the summary and the list of ids not attempted are exact); a second
//! one quits at once.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::task::JoinHandle;

/// Why new work must stop: set by Ctrl-C or by an error that would fail every later request.
#[derive(Debug, Default)]
pub(crate) struct Stop {
    stop: AtomicBool,
    interrupted: AtomicBool,
}

impl Stop {
    /// Stops new work because of Ctrl-C.
    pub(crate) fn interrupt(&self) {
        self.interrupted.store(true, Ordering::SeqCst);
        self.stop.store(true, Ordering::SeqCst);
    }

    /// Stops new work because of an error.
    pub(crate) fn halt(&self) {
        self.stop.store(true, Ordering::SeqCst);
    }

    /// Whether new work must stop.
    pub(crate) fn is_set(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    /// Whether Ctrl-C was pressed.
    pub(crate) fn was_interrupted(&self) -> bool {
        self.interrupted.load(Ordering::SeqCst)
    }
}

/// Yields from `inner` until `stop` is set, then ends; `inner` keeps what was not taken.
pub(crate) struct UntilStopped<'a, I> {
    pub(crate) inner: &'a mut I,
    pub(crate) stop: &'a Stop,
}

impl<I: Iterator> Iterator for UntilStopped<'_, I> {
    type Item = I::Item;

    fn next(&mut self) -> Option<I::Item> {
        if self.stop.is_set() {
            None
        } else {
            self.inner.next()
        }
    }
}

/// Listens for Ctrl-C from now on (the handler is installed before this returns, so no
/// request can be sent before it). Abort the handle when the run is over.
pub(crate) fn watch(stop: Arc<Stop>) -> io::Result<JoinHandle<()>> {
    let mut listener = listen()?;
    Ok(tokio::spawn(async move {
        if !next(&mut listener).await {
            return;
        }
        stop.interrupt();
        eprintln!(
            "interrupted: no new deletes are sent; waiting for those in flight (Ctrl-C again to quit at once)"
        );
        if next(&mut listener).await {
            eprintln!("interrupted again: quitting without a summary");
            std::process::exit(130);
        }
    }))
}

#[cfg(unix)]
type Listener = tokio::signal::unix::Signal;

#[cfg(unix)]
fn listen() -> io::Result<Listener> {
    tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())
}

#[cfg(unix)]
async fn next(listener: &mut Listener) -> bool {
    listener.recv().await.is_some()
}

#[cfg(not(unix))]
struct Listener;

#[cfg(not(unix))]
fn listen() -> io::Result<Listener> {
    Ok(Listener)
}

#[cfg(not(unix))]
async fn next(_: &mut Listener) -> bool {
    tokio::signal::ctrl_c().await.is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stopping_ends_the_iteration_and_keeps_the_rest() {
        let stop = Stop::default();
        let mut ids = 1..=5;
        let mut taken = UntilStopped {
            inner: &mut ids,
            stop: &stop,
        };
        assert_eq!(taken.next(), Some(1));
        stop.halt();
        assert_eq!(taken.next(), None);
        assert!(!stop.was_interrupted());
        assert_eq!(ids.collect::<Vec<_>>(), [2, 3, 4, 5]);
    }
}
