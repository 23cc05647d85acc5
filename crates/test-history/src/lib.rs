//! Tests only: is a recorded concurrent history linearizable?
//!
//! A history is what clients saw: each [`Operation`] with the time it was sent, and either the
//! time and value of its answer or [`Completion::Unknown`] (the connection was reset, the
//! request timed out, the server was killed: the operation may or may not have taken effect).
//! [`check`] searches for a *linearization*: one order of the operations that respects real
//! time (an operation answered before another was sent comes first), that a sequential
//! [`Model`] accepts step by step, and in which every answer is the one the model gives. An
//! operation with an unknown outcome may take effect at any point after it was sent, or never.
//!
//! The search is Wing & Gong's, with Lowe's memoization: a set of operations already ordered
//! together with the model's state after them is explored once, however many orders lead to it
//! ("Testing for linearizability", G. Lowe, 2017). Linearizability is local (Herlihy & Wing):
//! a history is linearizable if and only if the history of each object in it is, so a history
//! of many connections is checked one connection at a time with [`connection::ConnectionModel`].
//!
//! ```
//! use exsited_test_history::connection::{Answer, Call, ConnectionModel};
//! use exsited_test_history::{Operation, check};
//!
//! // Created, then deleted (204), then read as if it were still there.
//! let history = [
//!     Operation::returned(Call::Create, 0, 1, Answer::Created),
//!     Operation::returned(Call::Delete, 2, 3, Answer::Deleted),
//!     Operation::returned(Call::Get, 4, 5, Answer::Found(exsited_test_history::connection::Status::Active)),
//! ];
//! assert!(!check(&ConnectionModel, &history).unwrap().verdict.is_linearizable());
//! ```

mod check;
pub mod connection;
mod explain;
mod history;
mod model;

pub use check::{Checked, Verdict, check};
pub use explain::explain;
pub use history::{Completion, HistoryError, Operation};
pub use model::Model;
