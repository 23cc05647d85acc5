//! The checker on histories of one connection whose verdict is known: written out by hand,
//! generated from a real sequential run, and compared with a brute-force search on small
//! random histories.

use exsited_test_history::connection::{Answer, Call, ConnectionModel, State, Status};
use exsited_test_history::{Completion, HistoryError, Model, Operation, Verdict, check, explain};

type Op = Operation<Call, Answer>;

const ACTIVE: Answer = Answer::Found(Status::Active);
const INACTIVE: Answer = Answer::Found(Status::Inactive);

fn ok(call: Call, invoked: u64, at: u64, answer: Answer) -> Op {
    Operation::returned(call, invoked, at, answer)
}

fn lost(call: Call, invoked: u64) -> Op {
    Operation::unknown(call, invoked)
}

fn linearizable(history: &[Op]) -> bool {
    let checked = check(&ConnectionModel, history).unwrap();
    if let Verdict::Linearizable { order } = &checked.verdict {
        assert_is_linearization(history, order);
    }
    checked.verdict.is_linearizable()
}

/// `order` really is a linearization of `history`: it respects real time, holds every answered
/// operation once, and the model gives every answer in it.
fn assert_is_linearization(history: &[Op], order: &[usize]) {
    let mut state = ConnectionModel.initial();
    for (place, &i) in order.iter().enumerate() {
        let (after, answer) = ConnectionModel.step(&state, &history[i].input).unwrap();
        if let Some(seen) = history[i].output() {
            assert_eq!(*seen, answer, "#{i}");
        }
        state = after;
        for &later in &order[place + 1..] {
            assert!(
                !precedes(&history[later], &history[i]),
                "#{later} before #{i}"
            );
        }
    }
    for (i, operation) in history.iter().enumerate() {
        let times = order.iter().filter(|&&o| o == i).count();
        let expected = if operation.output().is_some() {
            1
        } else {
            times.min(1)
        };
        assert_eq!(times, expected, "#{i}");
    }
}

fn precedes(a: &Op, b: &Op) -> bool {
    matches!(a.completion, Completion::Returned { at, .. } if at < b.invoked)
}

#[test]
fn sequential_and_overlapping_histories_the_model_explains_are_accepted() {
    use Call::*;
    // One client, one operation at a time.
    assert!(linearizable(&[
        ok(Get, 0, 1, Answer::NotFound),
        ok(Create, 2, 3, Answer::Created),
        ok(Get, 4, 5, ACTIVE),
        ok(Disable, 6, 7, Answer::Done),
        ok(Get, 8, 9, INACTIVE),
        ok(Enable, 10, 11, Answer::Done),
        ok(Delete, 12, 13, Answer::Deleted),
        ok(Get, 14, 15, Answer::NotFound),
        ok(Enable, 16, 17, Answer::NotFound),
    ]));
    // Reads overlapping a delete may see it either way, in any mix consistent with one point.
    assert!(linearizable(&[
        ok(Create, 0, 1, Answer::Created),
        ok(Delete, 2, 10, Answer::Deleted),
        ok(Get, 3, 4, ACTIVE),
        ok(Get, 5, 6, Answer::NotFound),
        ok(Get, 3, 9, ACTIVE),
    ]));
    // Of two overlapping deletes one is answered 204 and the other 404, in either order.
    assert!(linearizable(&[
        ok(Create, 0, 1, Answer::Created),
        ok(Delete, 2, 5, Answer::NotFound),
        ok(Delete, 3, 4, Answer::Deleted),
    ]));
    // An enable and a disable overlap; the read after both shows the one ordered last. The
    // disable was answered first, yet took effect last.
    assert!(linearizable(&[
        ok(Create, 0, 1, Answer::Created),
        ok(Enable, 2, 8, Answer::Done),
        ok(Disable, 3, 4, Answer::Done),
        ok(Get, 9, 10, INACTIVE),
    ]));
    // Operations that touch (one answered at the time the next was sent) overlap.
    assert!(linearizable(&[
        ok(Create, 0, 1, Answer::Created),
        ok(Disable, 1, 3, Answer::Done),
        ok(Get, 3, 4, ACTIVE),
        ok(Get, 5, 6, INACTIVE),
    ]));
    assert!(linearizable(&[]));
}

#[test]
fn a_read_of_active_after_a_completed_delete_is_rejected() {
    use Call::*;
    assert!(!linearizable(&[
        ok(Create, 0, 1, Answer::Created),
        ok(Delete, 2, 3, Answer::Deleted),
        ok(Get, 4, 5, ACTIVE),
    ]));
    // Also when the read overlaps other operations: only the delete's order matters.
    assert!(!linearizable(&[
        ok(Create, 0, 1, Answer::Created),
        ok(Disable, 2, 20, Answer::Done),
        ok(Delete, 3, 4, Answer::Deleted),
        ok(Get, 5, 30, ACTIVE),
    ]));
    // Or an enable answered 200 after a completed delete.
    assert!(!linearizable(&[
        ok(Create, 0, 1, Answer::Created),
        ok(Delete, 2, 3, Answer::Deleted),
        ok(Enable, 4, 5, Answer::Done),
    ]));
}

#[test]
fn two_deletes_of_one_connection_both_answered_204_are_rejected() {
    use Call::*;
    for (second_sent, second_answered) in [(4, 5), (2, 3), (1, 9)] {
        assert!(
            !linearizable(&[
                ok(Create, 0, 1, Answer::Created),
                ok(Delete, 2, 3, Answer::Deleted),
                ok(Delete, second_sent, second_answered, Answer::Deleted),
            ]),
            "second delete {second_sent}..{second_answered}"
        );
    }
}

#[test]
fn a_stale_read_after_a_later_completed_write_is_rejected() {
    use Call::*;
    assert!(!linearizable(&[
        ok(Create, 0, 1, Answer::Created),
        ok(Disable, 2, 3, Answer::Done),
        ok(Get, 4, 5, ACTIVE),
    ]));
    // A read that shows the new status, then one that shows the old again.
    assert!(!linearizable(&[
        ok(Create, 0, 1, Answer::Created),
        ok(Disable, 2, 20, Answer::Done),
        ok(Get, 3, 4, INACTIVE),
        ok(Get, 5, 6, ACTIVE),
    ]));
    // A 404 before the delete that caused it was sent.
    assert!(!linearizable(&[
        ok(Create, 0, 1, Answer::Created),
        ok(Get, 2, 3, Answer::NotFound),
        ok(Delete, 4, 5, Answer::Deleted),
    ]));
}

#[test]
fn an_unknown_outcome_may_take_effect_at_any_time_after_it_was_sent_or_never() {
    use Call::*;
    // Never.
    assert!(linearizable(&[
        ok(Create, 0, 1, Answer::Created),
        lost(Delete, 2),
        ok(Get, 3, 4, ACTIVE),
        ok(Get, 50, 51, ACTIVE),
    ]));
    // Long after it was sent, between two reads.
    assert!(linearizable(&[
        ok(Create, 0, 1, Answer::Created),
        lost(Delete, 2),
        ok(Get, 30, 31, ACTIVE),
        ok(Get, 50, 51, Answer::NotFound),
        ok(Delete, 60, 61, Answer::NotFound),
    ]));
    // After an operation sent later than it, and answered.
    assert!(linearizable(&[
        ok(Create, 0, 1, Answer::Created),
        lost(Disable, 2),
        ok(Enable, 3, 4, Answer::Done),
        ok(Get, 5, 6, INACTIVE),
    ]));
    // A lost delete that did take effect makes the later delete's 404 right.
    assert!(linearizable(&[
        ok(Create, 0, 1, Answer::Created),
        lost(Delete, 2),
        ok(Delete, 3, 4, Answer::NotFound),
    ]));
    // An operation the model refuses in every state it could meet never took effect.
    assert!(linearizable(&[
        ok(Create, 0, 1, Answer::Created),
        lost(Create, 2),
        ok(Get, 3, 4, ACTIVE),
    ]));
    // Only lost operations.
    assert!(linearizable(&[lost(Create, 0), lost(Delete, 1)]));
}

#[test]
fn an_unknown_outcome_does_not_excuse_what_it_cannot_explain() {
    use Call::*;
    // It took effect once: the connection cannot come back after reads saw it gone.
    assert!(!linearizable(&[
        ok(Create, 0, 1, Answer::Created),
        lost(Delete, 2),
        ok(Get, 3, 4, Answer::NotFound),
        ok(Get, 5, 6, ACTIVE),
    ]));
    // One lost enable explains one change back to ACTIVE, not two.
    assert!(!linearizable(&[
        ok(Create, 0, 1, Answer::Created),
        ok(Disable, 2, 3, Answer::Done),
        lost(Enable, 4),
        ok(Get, 5, 6, ACTIVE),
        ok(Get, 7, 8, INACTIVE),
        ok(Get, 9, 10, ACTIVE),
    ]));
    // It cannot take effect before it was sent.
    assert!(!linearizable(&[
        ok(Create, 0, 1, Answer::Created),
        ok(Get, 2, 3, INACTIVE),
        lost(Disable, 4),
    ]));
    // A lost delete and a 204 delete: still only one delete may succeed, so a second 204 is
    // still wrong.
    assert!(!linearizable(&[
        ok(Create, 0, 1, Answer::Created),
        lost(Delete, 2),
        ok(Delete, 3, 4, Answer::Deleted),
        ok(Delete, 5, 6, Answer::Deleted),
    ]));
}

#[test]
fn a_history_answered_before_it_was_sent_is_an_error() {
    let history = [
        ok(Call::Create, 0, 1, Answer::Created),
        ok(Call::Get, 5, 4, ACTIVE),
    ];
    assert!(matches!(
        check(&ConnectionModel, &history),
        Err(HistoryError::AnsweredBeforeSent {
            index: 1,
            invoked: 5,
            returned: 4
        })
    ));
    let history = [ok(Call::Create, 0, u64::MAX, Answer::Created)];
    assert!(matches!(
        check(&ConnectionModel, &history),
        Err(HistoryError::AnsweredAtTheEndOfTime { index: 0 })
    ));
}

#[test]
fn the_explanation_shows_every_operation_and_how_far_the_search_got() {
    use Call::*;
    let history = [
        ok(Create, 0, 1, Answer::Created),
        ok(Get, 4, 5, ACTIVE),
        ok(Delete, 2, 3, Answer::Deleted),
        lost(Enable, 6),
    ];
    let checked = check(&ConnectionModel, &history).unwrap();
    assert_eq!(
        checked.verdict,
        Verdict::NotLinearizable {
            longest: vec![0, 2]
        }
    );
    let text = explain(&history, &checked.verdict, |i| format!("client {i}"));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 5, "{text}");
    assert!(lines[0].starts_with("NOT linearizable"), "{text}");
    // In the order sent: the delete (sent at 2) before the read (sent at 4).
    assert!(
        lines[2].contains("#2") && lines[2].contains("Delete -> Deleted"),
        "{text}"
    );
    assert!(lines[2].trim_end().ends_with("2nd"), "{text}");
    assert!(
        lines[3].contains("client 1") && lines[3].trim_end().ends_with("- not explained"),
        "{text}"
    );
    assert!(
        lines[4].contains("never") && lines[4].contains("unknown"),
        "{text}"
    );
    assert!(lines[4].trim_end().ends_with('-'), "{text}");
}

/// A random history of one connection that is linearizable by construction: a sequential run
/// of the model, each operation given an interval around its point in the run (so real time
/// agrees with the run), some answers lost (the operation took effect, or never did).
fn generated(rng: &mut fastrand::Rng, operations: usize, spread: u64, lost_percent: u8) -> Vec<Op> {
    let mut state = ConnectionModel.initial();
    let mut history = Vec::with_capacity(operations);
    for point in 0..operations as u64 {
        let call = if point == 0 {
            Call::Create
        } else {
            [
                Call::Get,
                Call::Get,
                Call::Enable,
                Call::Disable,
                Call::Delete,
                Call::Create,
            ][rng.usize(0..6)]
        };
        let invoked = (point * 10).saturating_sub(rng.u64(0..=spread * 10));
        let at = point * 10 + rng.u64(0..=spread * 10);
        let step = ConnectionModel.step(&state, &call);
        if point > 0 && rng.u8(0..100) < lost_percent {
            // Lost: took effect at its point, or never.
            if let Some((after, _)) = step
                && rng.bool()
            {
                state = after;
            }
            history.push(lost(call, invoked));
            continue;
        }
        match step {
            Some((after, answer)) => {
                state = after;
                history.push(ok(call, invoked, at, answer));
            }
            // A create of an id in use cannot be answered; it was lost.
            None => history.push(lost(call, invoked)),
        }
    }
    history
}

#[test]
fn histories_generated_from_a_sequential_run_are_accepted() {
    let mut rng = fastrand::Rng::with_seed(7);
    for round in 0..300 {
        let history = generated(&mut rng, 2 + round % 40, 1 + (round as u64 % 4), 10);
        assert!(
            linearizable(&history),
            "round {round}:\n{}",
            explain(
                &history,
                &check(&ConnectionModel, &history).unwrap().verdict,
                |_| String::new()
            )
        );
    }
}

/// The reference: every order of the operations, one by one, without memoization or lists.
fn brute_force(history: &[Op]) -> bool {
    fn extend(history: &[Op], placed: &mut Vec<bool>, state: State) -> bool {
        let unplaced_answered =
            (0..history.len()).any(|i| !placed[i] && history[i].output().is_some());
        if !unplaced_answered {
            return true;
        }
        for i in 0..history.len() {
            let blocked = (0..history.len())
                .any(|j| !placed[j] && j != i && precedes(&history[j], &history[i]));
            if placed[i] || blocked {
                continue;
            }
            let Some((after, answer)) = ConnectionModel.step(&state, &history[i].input) else {
                continue;
            };
            if history[i].output().is_some_and(|seen| *seen != answer) {
                continue;
            }
            placed[i] = true;
            let found = extend(history, placed, after);
            placed[i] = false;
            if found {
                return true;
            }
        }
        false
    }
    extend(
        history,
        &mut vec![false; history.len()],
        ConnectionModel.initial(),
    )
}

#[test]
fn small_random_histories_get_the_verdict_of_a_brute_force_search() {
    let calls = [
        Call::Create,
        Call::Get,
        Call::Enable,
        Call::Disable,
        Call::Delete,
    ];
    let answers = [
        Answer::Created,
        ACTIVE,
        INACTIVE,
        Answer::Done,
        Answer::Deleted,
        Answer::NotFound,
    ];
    let mut rng = fastrand::Rng::with_seed(11);
    let (mut accepted, mut rejected) = (0, 0);
    for round in 0..4000 {
        let history: Vec<Op> = if round % 2 == 0 {
            // Random answers: mostly not linearizable.
            (0..rng.usize(1..=6))
                .map(|_| {
                    let call = calls[rng.usize(0..calls.len())];
                    let invoked = rng.u64(0..12);
                    if rng.u8(0..100) < 20 {
                        lost(call, invoked)
                    } else {
                        let answer = answers[rng.usize(0..answers.len())];
                        ok(call, invoked, invoked + rng.u64(0..6), answer)
                    }
                })
                .collect()
        } else {
            // Generated from a run, then one answer changed: near the edge.
            let operations = rng.usize(2..=6);
            let mut history = generated(&mut rng, operations, 2, 20);
            let i = rng.usize(0..history.len());
            if let Completion::Returned { output, .. } = &mut history[i].completion {
                *output = answers[rng.usize(0..answers.len())];
            }
            history
        };
        let expected = brute_force(&history);
        assert_eq!(
            linearizable(&history),
            expected,
            "round {round}:\n{}",
            explain(
                &history,
                &check(&ConnectionModel, &history).unwrap().verdict,
                |_| String::new()
            )
        );
        if expected {
            accepted += 1;
        } else {
            rejected += 1;
        }
    }
    assert!(
        accepted > 500 && rejected > 500,
        "{accepted} accepted, {rejected} rejected"
    );
}

/// Memoization is what makes long histories checkable: 400 operations, about eight in flight
/// at any time and a few lost, end in a create that no order can explain, so the search must
/// exhaust every order before it rejects. Without memoization that is more orders than can be
/// counted; with it, a bounded number of (set, state) configurations.
#[test]
fn memoization_bounds_the_search_on_hundreds_of_operations() {
    let mut rng = fastrand::Rng::with_seed(3);
    let mut history = generated(&mut rng, 400, 4, 1);
    let checked = check(&ConnectionModel, &history).unwrap();
    assert!(checked.verdict.is_linearizable());
    // Accepted on the first path tried, give or take a few steps back.
    assert!(checked.explored < 2_000, "{}", checked.explored);

    let end = history.iter().map(|o| o.invoked).max().unwrap() + 1_000;
    history.push(ok(Call::Create, end, end + 1, Answer::Created));
    let checked = check(&ConnectionModel, &history).unwrap();
    assert!(!checked.verdict.is_linearizable());
    // Every configuration reachable, each once: about 54 000 here.
    assert!(checked.explored < 500_000, "{}", checked.explored);
    let longest = checked.verdict.order();
    assert!(
        !longest.contains(&(history.len() - 1)),
        "the create is never ordered"
    );
    let answered = history.iter().filter(|o| o.output().is_some()).count();
    assert!(longest.len() >= answered - 1, "everything before it is");
}
