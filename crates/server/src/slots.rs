//! The connection cap: at most `max_connections` connections at once, and idle keep-alive
//! connections give way to new clients.
//!
//! Idle keep-alive connections cost a client nothing to keep, so a few hundred of them could
//! hold every slot and make new clients wait for the idle timeout. When every slot is taken,
//! the server accepts the new client anyway and closes the connection that has been idle
//! longest (as nginx does); the new client is served once it has closed, a moment later. A
//! connection serving a request is never closed for this: when none is idle, the new client
//! waits until one becomes idle (then that one makes room) or closes.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, Weak};

use tokio::sync::{OwnedSemaphorePermit, Semaphore, TryAcquireError};

use crate::activity::{Activity, IdleWatch};

/// The server's connection slots.
pub(crate) struct Slots {
    permits: Arc<Semaphore>,
    max: u32,
    open: Mutex<HashMap<u64, Weak<Activity>>>,
    next_id: AtomicU64,
    idle: Arc<IdleWatch>,
}

/// One connection's slot, given back when dropped.
pub(crate) struct Slot {
    activity: Arc<Activity>,
    slots: Arc<Slots>,
    _permit: OwnedSemaphorePermit,
}

impl Slots {
    /// `max` slots, all free.
    pub(crate) fn new(max: u32) -> Arc<Self> {
        Arc::new(Self {
            permits: Arc::new(Semaphore::new(max as usize)),
            max,
            open: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(0),
            idle: Arc::default(),
        })
    }

    /// A slot for a client that was just accepted: a free one, or the one the longest-idle
    /// connection gives up. `None` only once the slots are closed, which they never are.
    pub(crate) async fn take(self: &Arc<Self>) -> Option<Slot> {
        let permit = match Arc::clone(&self.permits).try_acquire_owned() {
            Ok(permit) => permit,
            Err(TryAcquireError::NoPermits) => self.make_room().await?,
            Err(TryAcquireError::Closed) => return None,
        };
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let activity = Activity::new(id, Arc::clone(&self.idle));
        self.open().insert(id, Arc::downgrade(&activity));
        Some(Slot {
            activity,
            slots: Arc::clone(self),
            _permit: permit,
        })
    }

    /// Waits until every slot is free again (every connection has ended).
    pub(crate) async fn all_free(&self) {
        let _ = self.permits.acquire_many(self.max).await;
    }

    async fn make_room(&self) -> Option<OwnedSemaphorePermit> {
        let _waiting = self.idle.waiting();
        // One connection closed per newcomer; a second only when none was idle at first.
        let mut evicted = self.close_longest_idle();
        loop {
            tokio::select! {
                permit = Arc::clone(&self.permits).acquire_owned() => return permit.ok(),
                () = self.idle.became_idle(), if !evicted => {
                    evicted = self.close_longest_idle();
                }
            }
        }
    }

    /// Asks the connection idle the longest to close; `false` when none is idle.
    fn close_longest_idle(&self) -> bool {
        let oldest = self
            .open()
            .values()
            .filter_map(Weak::upgrade)
            .filter_map(|activity| Some(((activity.idle_since()?, activity.id()), activity)))
            .min_by_key(|(since, _)| *since);
        match oldest {
            Some((_, activity)) => {
                tracing::debug!("every connection slot is taken; closing the longest-idle one");
                activity.evict();
                true
            }
            None => false,
        }
    }

    fn open(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Weak<Activity>>> {
        self.open.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Slot {
    /// The connection's shared state.
    pub(crate) fn activity(&self) -> &Arc<Activity> {
        &self.activity
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.slots.open().remove(&self.activity.id());
    }
}
