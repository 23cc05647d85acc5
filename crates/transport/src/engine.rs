//! What a [`Client`](crate::Client) runs its operations on: the sender, the client's authority
//! and the operation deadline. An operation is one [`Call`]: a token, the request sent until it
//! settles, and after a 401 one fresh token and one replay, all within one deadline.

use std::time::{Duration, Instant};

use exsited_core::Error;
use tracing::Instrument;

use crate::auth::Auth;
use crate::call::Call;
use crate::response::Response;
use crate::sender::{Executed, Progress, Sender};
use crate::settings::Settings;

/// The sender and the authority every clone of a client shares.
pub(crate) struct Engine {
    sender: Sender,
    auth: Auth,
    deadline: Duration,
}

impl Engine {
    pub(crate) fn new(settings: &Settings) -> Self {
        Self {
            sender: Sender::new(settings),
            auth: Auth::new(&settings.credentials),
            deadline: settings.deadline,
        }
    }

    /// Runs `call` and returns its final response, whatever the status, with what the earlier
    /// attempts left unknown.
    pub(crate) async fn execute(&self, call: &Call) -> Result<Executed, Error> {
        let operation = call.request.operation;
        let span = tracing::info_span!(
            "exsited.operation",
            operation = operation.id,
            method = operation.method,
            path = operation.template,
        );
        self.authorised(call).instrument(span).await
    }

    /// Runs `call`, which must succeed: any other response becomes the matching error, a 404
    /// naming what the call looked up.
    pub(crate) async fn expect(&self, call: &Call) -> Result<Response, Error> {
        let executed = self.execute(call).await?;
        if executed.response.is_success() {
            Ok(executed.response)
        } else {
            Err(executed.response.error(call.not_found.as_ref()))
        }
    }

    async fn authorised(&self, call: &Call) -> Result<Executed, Error> {
        let deadline = Instant::now() + self.deadline;
        let mut progress = Progress::default();
        let token = self.auth.token(None, &self.sender, deadline).await?;
        let executed = self
            .sender
            .send(&call.request, Some(&token.bearer), &mut progress, deadline)
            .await?;
        if executed.response.status != 401 || !self.auth.can_refresh() {
            return Ok(executed);
        }
        // The token may have been revoked by another grant: one fresh token, one replay. A
        // second 401 is the answer.
        let fresh = self
            .auth
            .token(Some(token.generation), &self.sender, deadline)
            .await?;
        self.sender
            .send(&call.request, Some(&fresh.bearer), &mut progress, deadline)
            .await
    }
}
