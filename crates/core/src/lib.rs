//! Domain types, the `ConnectionRepository` trait and the delete semantics.
