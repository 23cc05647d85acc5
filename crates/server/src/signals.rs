//! What the server tells its connections when it shuts down: first finish and close, then,
//! after the grace period, close at once.

use tokio::sync::watch;

/// The shutdown signals as a connection receives them.
#[derive(Clone)]
pub(crate) struct Signals {
    /// `true`: finish the request in flight, then close.
    pub(crate) shutdown: watch::Receiver<bool>,
    /// `true`: the grace period is over, close now.
    pub(crate) force: watch::Receiver<bool>,
}

/// Resolves once `flag` is `true`, or its sender is gone (which means the same).
pub(crate) async fn signalled(flag: &mut watch::Receiver<bool>) {
    let _ = flag.wait_for(|set| *set).await;
}
