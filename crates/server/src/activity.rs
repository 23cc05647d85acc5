//! What one TCP connection is doing, shared by its task, its stream and the server's slots:
//! whether a request is being served, when the last one finished, and what was asked of it
//! (close to make room; close lingering, because a request body was left unread).

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;

/// One connection's state.
pub(crate) struct Activity {
    id: u64,
    in_flight: AtomicUsize,
    last_done: Mutex<Instant>,
    /// Chosen to close to make room: not to be chosen again.
    evicted: AtomicBool,
    evict: Notify,
    /// The last response left its request's body unread.
    linger: AtomicBool,
    idle: Arc<IdleWatch>,
}

/// Held while a request is served.
pub(crate) struct Busy(Arc<Activity>);

/// Lets the server wait for any connection to become idle, at no cost to requests while
/// nobody waits (one load of a flag when a request finishes).
#[derive(Default)]
pub(crate) struct IdleWatch {
    waiting: AtomicBool,
    notify: Notify,
}

/// Keeps [`IdleWatch`] notifying until dropped.
pub(crate) struct Waiting<'a>(&'a IdleWatch);

impl Activity {
    /// A connection that starts now, idle.
    pub(crate) fn new(id: u64, idle: Arc<IdleWatch>) -> Arc<Self> {
        Arc::new(Self {
            id,
            in_flight: AtomicUsize::new(0),
            last_done: Mutex::new(Instant::now()),
            evicted: AtomicBool::new(false),
            evict: Notify::new(),
            linger: AtomicBool::new(false),
            idle,
        })
    }

    pub(crate) fn id(&self) -> u64 {
        self.id
    }

    /// A request starts: until the returned guard is dropped, the connection is busy.
    pub(crate) fn begin(self: &Arc<Self>) -> Busy {
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        // Set again by this request's response if it leaves its body unread.
        self.linger.store(false, Ordering::Relaxed);
        Busy(Arc::clone(self))
    }

    fn last_done(&self) -> Instant {
        *self
            .last_done
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn is_idle(&self) -> bool {
        self.in_flight.load(Ordering::SeqCst) == 0
    }

    /// When the connection becomes idle for `idle` if nothing happens; while a request is in
    /// flight, a time to look again.
    pub(crate) fn next_check(&self, idle: Duration) -> Instant {
        if self.is_idle() {
            self.last_done() + idle
        } else {
            Instant::now() + idle
        }
    }

    /// Whether no request has been served for `idle`.
    pub(crate) fn idle_for(&self, idle: Duration) -> bool {
        self.is_idle() && self.last_done().elapsed() >= idle
    }

    /// Since when the connection is idle, if it is and has not been asked to close already.
    pub(crate) fn idle_since(&self) -> Option<Instant> {
        (self.is_idle() && !self.evicted.load(Ordering::SeqCst)).then(|| self.last_done())
    }

    /// Asks the connection to close to make room for another.
    pub(crate) fn evict(&self) {
        self.evicted.store(true, Ordering::SeqCst);
        self.evict.notify_one();
    }

    /// Resolves when [`evict`](Self::evict) was called (also if before this was).
    pub(crate) async fn evicted(&self) {
        self.evict.notified().await;
    }

    /// Whether the connection should close with a lingering close.
    pub(crate) fn lingers(&self) -> bool {
        self.linger.load(Ordering::Relaxed)
    }

    /// The client may still be sending what the server did not read: close lingering.
    pub(crate) fn linger_on_close(&self) {
        self.linger.store(true, Ordering::Relaxed);
    }
}

impl Busy {
    /// The response leaves the request's body unread.
    pub(crate) fn left_body_unread(&self) {
        self.0.linger_on_close();
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
        if self.0.idle.waiting.load(Ordering::SeqCst) {
            self.0.idle.notify.notify_one();
        }
    }
}

impl IdleWatch {
    /// From now until the guard is dropped, a connection that becomes idle wakes
    /// [`became_idle`](Self::became_idle).
    pub(crate) fn waiting(&self) -> Waiting<'_> {
        self.waiting.store(true, Ordering::SeqCst);
        Waiting(self)
    }

    /// Resolves when a connection became idle while [`waiting`](Self::waiting).
    pub(crate) async fn became_idle(&self) {
        self.notify.notified().await;
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.waiting.store(false, Ordering::SeqCst);
    }
}
