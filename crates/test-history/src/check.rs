//! Wing & Gong's search for a linearization, with Lowe's memoization.
//!
//! The history becomes one list of entries, an invocation and a return per operation, sorted by
//! time (an operation with an unknown outcome returns "never", after everything). The search
//! walks the list from its head: an invocation whose operation the model accepts in the current
//! state, with the answer the client saw, is ordered next (its two entries are unlinked and the
//! walk starts over); a return reached means that operation had to be ordered by now, so the
//! search backtracks on its last choice. Every (set of ordered operations, state) pair is
//! entered once: reaching it again by another order cannot succeed where the first failed.
//! The search succeeds when every operation that was answered is ordered; operations with an
//! unknown outcome left over never took effect.

use std::collections::HashSet;

use crate::history::{HistoryError, Operation};
use crate::model::Model;

/// What the checker found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The history is linearizable.
    Linearizable {
        /// One linearization: indexes into the history, the first to take effect first. An
        /// operation with an unknown outcome that is not in it never took effect.
        order: Vec<usize>,
    },
    /// No linearization exists.
    NotLinearizable {
        /// The longest order the search could build: what can be explained before the
        /// history contradicts itself.
        longest: Vec<usize>,
    },
}

impl Verdict {
    /// Whether a linearization exists.
    pub fn is_linearizable(&self) -> bool {
        matches!(self, Self::Linearizable { .. })
    }

    /// The linearization, or the longest order found.
    pub fn order(&self) -> &[usize] {
        match self {
            Self::Linearizable { order } => order,
            Self::NotLinearizable { longest } => longest,
        }
    }
}

/// A verdict, with the size of the search that reached it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// The finding.
    pub verdict: Verdict,
    /// How many distinct (ordered set, state) configurations the search entered. Without
    /// memoization this grows with the number of orders; with it, at most with the number of
    /// sets of operations that can be ordered first times the number of states.
    pub explored: u64,
}

/// Whether `history` is linearizable with respect to `model`.
///
/// # Errors
///
/// [`HistoryError`] when an operation was answered before it was sent, or at `u64::MAX`.
pub fn check<M: Model>(
    model: &M,
    history: &[Operation<M::Input, M::Output>],
) -> Result<Checked, HistoryError> {
    validate(history)?;
    let mut list = Entries::new(history);
    let mut ordered = Bits::new(history.len());
    let mut seen: HashSet<(Bits, M::State)> = HashSet::new();
    // The invocation entry of each ordered operation, and the state before it.
    let mut stack: Vec<(usize, M::State)> = Vec::new();
    let mut longest: Vec<usize> = Vec::new();
    let mut state = model.initial();
    let mut unordered_answers = history.iter().filter(|o| o.output().is_some()).count();
    let mut explored = 0;
    let mut entry = list.first();
    while unordered_answers > 0 {
        // The list still holds the return of an answered operation, and the walk stops at
        // the first return it meets, so it never runs off the end.
        let op = list.operation(entry);
        let operation = &history[op];
        if !list.is_invocation(entry) {
            let Some((invocation, before)) = stack.pop() else {
                return Ok(Checked {
                    verdict: Verdict::NotLinearizable { longest },
                    explored,
                });
            };
            let undone = list.operation(invocation);
            ordered.clear(undone);
            if history[undone].output().is_some() {
                unordered_answers += 1;
            }
            list.restore(invocation);
            state = before;
            entry = list.next(invocation);
            continue;
        }
        let accepted = model
            .step(&state, &operation.input)
            .filter(|(_, output)| operation.output().is_none_or(|seen| seen == output));
        if let Some((after, _)) = accepted {
            ordered.set(op);
            if seen.insert((ordered.clone(), after.clone())) {
                explored += 1;
                stack.push((entry, std::mem::replace(&mut state, after)));
                if operation.output().is_some() {
                    unordered_answers -= 1;
                }
                list.remove(entry);
                if stack.len() > longest.len() {
                    longest = stack.iter().map(|(e, _)| list.operation(*e)).collect();
                }
                entry = list.first();
                continue;
            }
            ordered.clear(op);
        }
        entry = list.next(entry);
    }
    let order = stack.iter().map(|(e, _)| list.operation(*e)).collect();
    Ok(Checked {
        verdict: Verdict::Linearizable { order },
        explored,
    })
}

fn validate<I, O>(history: &[Operation<I, O>]) -> Result<(), HistoryError> {
    for (index, operation) in history.iter().enumerate() {
        if operation.output().is_none() {
            continue;
        }
        let returned = operation.returned_at();
        if returned == u64::MAX {
            return Err(HistoryError::AnsweredAtTheEndOfTime { index });
        }
        if returned < operation.invoked {
            return Err(HistoryError::AnsweredBeforeSent {
                index,
                invoked: operation.invoked,
                returned,
            });
        }
    }
    Ok(())
}

/// The invocations and returns in time order, as a doubly linked list from which an
/// operation's two entries are removed when it is ordered and put back when the search
/// backtracks (always in the reverse order, so the links they kept are still right).
struct Entries {
    /// Per entry: its operation, and whether it is the invocation.
    entries: Vec<(usize, bool)>,
    /// Per invocation entry: the entry of its return.
    partner: Vec<usize>,
    next: Vec<usize>,
    prev: Vec<usize>,
}

/// "No entry": the link after the last entry, and before the head (a sentinel entry after
/// the real ones).
const END: usize = usize::MAX;

impl Entries {
    fn new<I, O>(history: &[Operation<I, O>]) -> Self {
        let mut sorted: Vec<(u64, bool, usize)> = Vec::with_capacity(history.len() * 2);
        for (op, operation) in history.iter().enumerate() {
            sorted.push((operation.invoked, true, op));
            sorted.push((operation.returned_at(), false, op));
        }
        // At equal times invocations come first: two operations that touch count as
        // concurrent, which is the reading that accuses no one.
        sorted.sort_by_key(|&(time, invocation, op)| (time, !invocation, op));
        let count = sorted.len();
        let head = count;
        let mut partner = vec![END; count];
        let mut invocation_of = vec![END; history.len()];
        for (entry, &(_, invocation, op)) in sorted.iter().enumerate() {
            if invocation {
                invocation_of[op] = entry;
            } else {
                partner[invocation_of[op]] = entry;
            }
        }
        let mut next: Vec<usize> = (1..=count)
            .map(|n| if n == count { END } else { n })
            .collect();
        next.push(if count == 0 { END } else { 0 });
        let mut prev: Vec<usize> = (0..count)
            .map(|n| if n == 0 { head } else { n - 1 })
            .collect();
        prev.push(END);
        Self {
            entries: sorted.into_iter().map(|(_, i, op)| (op, i)).collect(),
            partner,
            next,
            prev,
        }
    }

    fn head(&self) -> usize {
        self.entries.len()
    }

    fn first(&self) -> usize {
        self.next[self.head()]
    }

    fn next(&self, entry: usize) -> usize {
        self.next[entry]
    }

    fn operation(&self, entry: usize) -> usize {
        self.entries[entry].0
    }

    fn is_invocation(&self, entry: usize) -> bool {
        self.entries[entry].1
    }

    /// Unlinks an invocation and its return.
    fn remove(&mut self, invocation: usize) {
        self.unlink(invocation);
        self.unlink(self.partner[invocation]);
    }

    /// Links back what [`remove`](Self::remove) unlinked last.
    fn restore(&mut self, invocation: usize) {
        self.relink(self.partner[invocation]);
        self.relink(invocation);
    }

    fn unlink(&mut self, entry: usize) {
        let (prev, next) = (self.prev[entry], self.next[entry]);
        self.next[prev] = next;
        if next != END {
            self.prev[next] = prev;
        }
    }

    fn relink(&mut self, entry: usize) {
        let (prev, next) = (self.prev[entry], self.next[entry]);
        self.next[prev] = entry;
        if next != END {
            self.prev[next] = entry;
        }
    }
}

/// A set of operation indexes.
#[derive(Clone, PartialEq, Eq, Hash)]
struct Bits(Box<[u64]>);

impl Bits {
    fn new(len: usize) -> Self {
        Self(vec![0; len.div_ceil(64)].into_boxed_slice())
    }

    fn set(&mut self, n: usize) {
        self.0[n / 64] |= 1 << (n % 64);
    }

    fn clear(&mut self, n: usize) {
        self.0[n / 64] &= !(1 << (n % 64));
    }
}
