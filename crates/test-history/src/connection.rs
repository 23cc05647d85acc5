//! The sequential model of one integration connection, as the API serves it.
//!
//! A connection's history starts before its create: it is [`State::Absent`] until the create
//! that returned its id, `ACTIVE` after it, `INACTIVE` after a disable, and
//! [`State::Deleted`] for good after a delete. Enable and disable set the status whatever it
//! was; every operation on a connection that is not there is a 404. Ids are fresh, so a create
//! never takes effect on a connection that exists or existed.

use crate::model::Model;

/// A connection's state between two operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    /// Not created yet.
    Absent,
    /// There, with this status.
    Present(Status),
    /// Deleted: nothing serves it again.
    Deleted,
}

/// The status a read returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// `ACTIVE`.
    Active,
    /// `INACTIVE`.
    Inactive,
}

/// An operation on one connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Call {
    /// `POST /api/v3/integration`, the create that returned this connection's id.
    Create,
    /// `GET /api/v2/integration-connections/{uuid}`.
    Get,
    /// `POST /api/v3/integration/{uuid}/enable`.
    Enable,
    /// `POST /api/v3/integration/{uuid}/disable`.
    Disable,
    /// `DELETE /api/v3/integration/{uuid}`.
    Delete,
}

/// What an operation on one connection answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Answer {
    /// 201 of a create.
    Created,
    /// 200 of a read, with the status it showed.
    Found(Status),
    /// 200 of an enable or a disable.
    Done,
    /// 204 of a delete.
    Deleted,
    /// 404.
    NotFound,
}

/// The sequential specification of one connection.
#[derive(Debug, Clone, Copy, Default)]
pub struct ConnectionModel;

impl Model for ConnectionModel {
    type State = State;
    type Input = Call;
    type Output = Answer;

    fn initial(&self) -> State {
        State::Absent
    }

    fn step(&self, state: &State, call: &Call) -> Option<(State, Answer)> {
        let state = *state;
        Some(match (call, state) {
            (Call::Create, State::Absent) => (State::Present(Status::Active), Answer::Created),
            (Call::Create, _) => return None,
            (_, State::Absent | State::Deleted) => (state, Answer::NotFound),
            (Call::Get, State::Present(status)) => (state, Answer::Found(status)),
            (Call::Enable, State::Present(_)) => (State::Present(Status::Active), Answer::Done),
            (Call::Disable, State::Present(_)) => (State::Present(Status::Inactive), Answer::Done),
            (Call::Delete, State::Present(_)) => (State::Deleted, Answer::Deleted),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(calls: &[Call]) -> Vec<Option<Answer>> {
        let mut state = ConnectionModel.initial();
        calls
            .iter()
            .map(|call| {
                let (after, answer) = ConnectionModel.step(&state, call)?;
                state = after;
                Some(answer)
            })
            .collect()
    }

    #[test]
    fn a_connection_lives_from_its_create_to_its_delete() {
        use Answer::*;
        use Call::*;
        assert_eq!(
            run(&[
                Get, Create, Get, Disable, Disable, Get, Enable, Get, Delete, Get, Enable
            ]),
            [
                Some(NotFound),
                Some(Created),
                Some(Found(Status::Active)),
                Some(Done),
                Some(Done),
                Some(Found(Status::Inactive)),
                Some(Done),
                Some(Found(Status::Active)),
                Some(Deleted),
                Some(NotFound),
                Some(NotFound),
            ]
        );
        assert_eq!(
            run(&[Delete, Create, Delete, Delete]),
            [Some(NotFound), Some(Created), Some(Deleted), Some(NotFound)]
        );
    }

    #[test]
    fn a_create_takes_effect_only_on_an_id_never_used() {
        for state in [
            State::Present(Status::Active),
            State::Present(Status::Inactive),
            State::Deleted,
        ] {
            assert_eq!(
                ConnectionModel.step(&state, &Call::Create),
                None,
                "{state:?}"
            );
        }
    }
}
