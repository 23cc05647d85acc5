//! A history and its verdict as text a person can follow.

use std::fmt::{Debug, Write};

use crate::check::Verdict;
use crate::history::{Completion, Operation};

/// The verdict, then one line per operation in the order they were sent: its index, `label`
/// (who sent it, where), when it was sent and answered, what it was and what it answered, and
/// its place in the linearization (or, for a history that has none, in the longest order the
/// checker could build; `-` for an operation outside it, and `- not explained` for the first
/// answer that order cannot account for).
///
/// ```text
/// NOT linearizable: the longest explainable order holds 2 of 3 operations: [0, 1]
///   #0  client 1 on A  sent       0  answered       1  Create -> Created          1st
///   #1  client 2 on B  sent       2  answered       3  Delete -> Deleted          2nd
///   #2  client 3 on A  sent       4  answered       5  Get -> Found(Active)       - not explained
/// ```
pub fn explain<I: Debug, O: Debug>(
    history: &[Operation<I, O>],
    verdict: &Verdict,
    label: impl Fn(usize) -> String,
) -> String {
    let order = verdict.order();
    let mut text = match verdict {
        Verdict::Linearizable { order } => format!(
            "linearizable: {} of {} operations took effect, in this order: {order:?}\n",
            order.len(),
            history.len()
        ),
        Verdict::NotLinearizable { longest } => format!(
            "NOT linearizable: the longest explainable order holds {} of {} operations: {longest:?}\n",
            longest.len(),
            history.len()
        ),
    };
    // The search got stuck at the return of this operation: the first one due.
    let stuck = match verdict {
        Verdict::Linearizable { .. } => None,
        Verdict::NotLinearizable { longest } => (0..history.len())
            .filter(|i| !longest.contains(i) && history[*i].output().is_some())
            .min_by_key(|&i| (history[i].returned_at(), i)),
    };
    let mut by_sending: Vec<usize> = (0..history.len()).collect();
    by_sending.sort_by_key(|&i| (history[i].invoked, i));
    for i in by_sending {
        let operation = &history[i];
        let (answered, output) = match &operation.completion {
            Completion::Returned { at, output } => (at.to_string(), format!("{output:?}")),
            Completion::Unknown => ("never".to_owned(), "unknown".to_owned()),
        };
        let call = format!("{:?} -> {output}", operation.input);
        let place = match order.iter().position(|&o| o == i) {
            Some(p) => ordinal(p + 1),
            None if stuck == Some(i) => "- not explained".to_owned(),
            None => "-".to_owned(),
        };
        let _ = writeln!(
            text,
            "  #{i:<4} {}  sent {:>9}  answered {answered:>9}  {call:<28} {place}",
            label(i),
            operation.invoked
        );
    }
    text
}

fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}
