//! A recorded history: operations with the times they were sent and answered.

/// One operation as a client saw it. Times are in any unit of one monotonic clock shared by
/// every client of the history (the tests use microseconds since the run began).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation<I, O> {
    /// What was sent.
    pub input: I,
    /// When it was sent (taken before the request left the client).
    pub invoked: u64,
    /// How it ended.
    pub completion: Completion<O>,
}

/// How an operation ended, as far as its client knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Completion<O> {
    /// An answer arrived.
    Returned {
        /// When it arrived (taken after the whole answer was read).
        at: u64,
        /// What it said.
        output: O,
    },
    /// No answer: the request may or may not have taken effect, at any time after it was sent.
    Unknown,
}

impl<I, O> Operation<I, O> {
    /// An operation answered with `output` at `at`.
    pub fn returned(input: I, invoked: u64, at: u64, output: O) -> Self {
        Self {
            input,
            invoked,
            completion: Completion::Returned { at, output },
        }
    }

    /// An operation whose outcome is unknown.
    pub fn unknown(input: I, invoked: u64) -> Self {
        Self {
            input,
            invoked,
            completion: Completion::Unknown,
        }
    }

    /// The answer, if one arrived.
    pub fn output(&self) -> Option<&O> {
        match &self.completion {
            Completion::Returned { output, .. } => Some(output),
            Completion::Unknown => None,
        }
    }

    /// When the answer arrived; `u64::MAX` (later than everything) when none did.
    pub(crate) fn returned_at(&self) -> u64 {
        match self.completion {
            Completion::Returned { at, .. } => at,
            Completion::Unknown => u64::MAX,
        }
    }
}

/// A history that cannot have been recorded by clients of one clock.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HistoryError {
    /// An operation was answered before it was sent.
    #[error("operation {index} was answered at {returned}, before it was sent at {invoked}")]
    AnsweredBeforeSent {
        /// Its index in the history.
        index: usize,
        /// When it was sent.
        invoked: u64,
        /// When it was answered.
        returned: u64,
    },
    /// An answer arrived at `u64::MAX`, the time reserved for "never".
    #[error("operation {index} was answered at u64::MAX, which stands for an unknown outcome")]
    AnsweredAtTheEndOfTime {
        /// Its index in the history.
        index: usize,
    },
}
