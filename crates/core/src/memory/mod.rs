//! The reference backend: every tenant's data in one process, behind one lock.
//!
//! One `std::sync::Mutex` over the whole state makes every operation, the delete cascade
//! included, a single atomic step; it is never held across an `.await` (no method awaits while
//! holding it), so it cannot stall the runtime. It is the backend the other backends are
//! compared against, and the one tests use when they need a store but not a disk.

mod access;
mod access_state;
mod keyed;
mod repository;
mod state;
mod store;

pub use repository::MemoryRepository;
pub use store::MemoryStore;
