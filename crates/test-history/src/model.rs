//! The sequential specification a history is checked against.

use std::hash::Hash;

/// What one object does when its operations run one at a time.
///
/// The checker memoizes on the state, so it must be small and hashable; and it calls the
/// model many times for one history, so [`step`](Self::step) must be a pure function.
pub trait Model {
    /// The object's state between two operations.
    type State: Clone + Eq + Hash;
    /// An operation as it was sent.
    type Input;
    /// An operation's answer.
    type Output: PartialEq;

    /// The state before the first operation.
    fn initial(&self) -> Self::State;

    /// The state after `input` runs alone in `state`, and its answer; `None` when `input`
    /// cannot take effect in `state` at all (so no linearization may place it there).
    fn step(&self, state: &Self::State, input: &Self::Input)
    -> Option<(Self::State, Self::Output)>;
}
