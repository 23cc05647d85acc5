//! The public face: building, binding, running and stopping a server.

use std::fmt;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use exsited_core::RepositoryProvider;
use exsited_core::access::AccessStore;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinHandle;

use crate::app::App;
use crate::clock::Clock;
use crate::config::ServerConfig;
use crate::observe::{Hook, Observer};
use crate::router::Router;
use crate::signals::{Signals, signalled};
use crate::slots::Slots;
use crate::tcp;

/// The reference server. Start with [`Server::builder`].
#[derive(Debug)]
pub struct Server(());

impl Server {
    /// A builder with no store and the default [`ServerConfig`].
    pub fn builder() -> ServerBuilder {
        ServerBuilder::default()
    }
}

/// Why a server could not start or stopped badly.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServerError {
    /// The builder was given no [`RepositoryProvider`].
    #[error("the server needs a repository provider")]
    MissingProvider,
    /// The builder was given no [`AccessStore`].
    #[error("the server needs an access store")]
    MissingAccess,
    /// A [`ServerConfig`] value is out of range.
    #[error("invalid server configuration: {0}")]
    Config(&'static str),
    /// The address could not be listened on.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The shutdown signal handlers could not be installed.
    #[error("cannot listen for shutdown signals: {0}")]
    Signal(#[source] std::io::Error),
    /// The server's task panicked or was cancelled.
    #[error("the server task failed: {0}")]
    Crashed(String),
}

/// Configures a [`Server`]: its stores, its [`ServerConfig`] and its [`Clock`].
#[derive(Default)]
pub struct ServerBuilder {
    provider: Option<Arc<dyn RepositoryProvider>>,
    access: Option<Arc<dyn AccessStore>>,
    config: ServerConfig,
    clock: Clock,
    observer: Hook,
    /// Answer every request with a static 204 (the benchmark baseline).
    pub(crate) static_204: bool,
}

impl fmt::Debug for ServerBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerBuilder")
            .field("provider", &self.provider.as_ref().map(|_| "set"))
            .field("access", &self.access.as_ref().map(|_| "set"))
            .field("config", &self.config)
            .field("clock", &self.clock)
            .field("observer", &self.observer.is_set())
            .field("static_204", &self.static_204)
            .finish()
    }
}

impl ServerBuilder {
    /// Where connections live.
    pub fn provider(mut self, provider: Arc<dyn RepositoryProvider>) -> Self {
        self.provider = Some(provider);
        self
    }

    /// Where clients, token hashes, idempotent responses and the delete audit live.
    pub fn access(mut self, access: Arc<dyn AccessStore>) -> Self {
        self.access = Some(access);
        self
    }

    /// One store for both roles (the memory and SQLite stores implement both).
    pub fn store<S>(self, store: Arc<S>) -> Self
    where
        S: RepositoryProvider + AccessStore + 'static,
    {
        self.provider(store.clone()).access(store)
    }

    /// Limits, timeouts and lifetimes.
    pub fn config(mut self, config: ServerConfig) -> Self {
        self.config = config;
        self
    }

    /// Where the time of token expiry and idempotency windows comes from; the system clock
    /// unless set.
    pub fn clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// Reports every request, token grant and confirmed delete to `observer` (see
    /// [`Observer`]); nothing is reported unless set.
    pub fn observer(mut self, observer: Arc<dyn Observer>) -> Self {
        self.observer = Hook::new(observer);
        self
    }

    /// Listens on `addr` (port 0 picks a free port) and starts serving on the current tokio
    /// runtime.
    ///
    /// # Panics
    ///
    /// When called outside a tokio runtime.
    pub async fn bind(self, addr: SocketAddr) -> Result<RunningServer, ServerError> {
        let provider = self.provider.ok_or(ServerError::MissingProvider)?;
        let access = self.access.ok_or(ServerError::MissingAccess)?;
        let config = self.config;
        let max_connections = u32::try_from(config.max_connections)
            .ok()
            .filter(|n| (1..=Semaphore::MAX_PERMITS as u64).contains(&u64::from(*n)))
            .ok_or(ServerError::Config(
                "max_connections must be between 1 and 2^32 - 1",
            ))?;
        if config.max_body_bytes == 0 {
            return Err(ServerError::Config("max_body_bytes must not be 0"));
        }
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| ServerError::Bind { addr, source })?;
        let local_addr = listener
            .local_addr()
            .map_err(|source| ServerError::Bind { addr, source })?;
        let tokens = crate::token_cache::TokenCache::new(access.grants_are_local());
        let app = Arc::new(App {
            provider,
            access,
            router: Router::new(exsited_spec::paths::ALL),
            tokens,
            clock: self.clock,
            config,
            static_204: self.static_204,
            observer: self.observer,
        });
        let (shutdown, shutdown_rx) = watch::channel(false);
        let task = tokio::spawn(accept_loop(listener, app, shutdown_rx, max_connections));
        tracing::info!(addr = %local_addr, "listening");
        Ok(RunningServer {
            local_addr,
            shutdown,
            task,
        })
    }
}

/// A server that is accepting connections.
///
/// Dropping it without [`shutdown`](Self::shutdown) also starts a graceful shutdown.
#[derive(Debug)]
pub struct RunningServer {
    local_addr: SocketAddr,
    shutdown: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl RunningServer {
    /// The address it listens on (with the real port when port 0 was asked for).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Starts a graceful shutdown: no new connections; requests in flight finish (for at most
    /// [`ServerConfig::shutdown_grace`]), then every connection closes. Returns at once; use
    /// [`wait`](Self::wait) to know when it is over. Calling it again does nothing.
    pub fn shutdown(&self) {
        self.shutdown.send_replace(true);
    }

    /// Waits until the server has stopped (after [`shutdown`](Self::shutdown)).
    pub async fn wait(self) -> Result<(), ServerError> {
        let RunningServer { shutdown, task, .. } = self;
        let result = task.await;
        drop(shutdown);
        result.map_err(|e| ServerError::Crashed(e.to_string()))
    }

    /// Serves until `stop` resolves, then shuts down gracefully and waits for it.
    pub async fn run_until<F>(self, stop: F) -> Result<(), ServerError>
    where
        F: Future<Output = ()>,
    {
        stop.await;
        tracing::info!("shutting down; finishing requests in flight");
        self.shutdown();
        self.wait().await
    }

    /// Serves until SIGINT or SIGTERM, then shuts down gracefully and waits for it.
    ///
    /// The signal handlers are installed when this is called; a program that announces it is
    /// ready before (a printed URL, say) should install them first with [`shutdown_signal`]
    /// and use [`run_until`](Self::run_until), so that an early signal is not lost.
    pub async fn run_until_signal(self) -> Result<(), ServerError> {
        let signal = shutdown_signal()?;
        self.run_until(signal).await
    }
}

/// Installs SIGINT and SIGTERM handlers now (instead of the default, which ends the process at
/// once) and returns a future that resolves at the first of them.
///
/// # Panics
///
/// When called outside a tokio runtime.
pub fn shutdown_signal() -> Result<impl Future<Output = ()> + Send + 'static, ServerError> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut terminate = signal(SignalKind::terminate()).map_err(ServerError::Signal)?;
        let mut interrupt = signal(SignalKind::interrupt()).map_err(ServerError::Signal)?;
        Ok(async move {
            tokio::select! {
                _ = terminate.recv() => {}
                _ = interrupt.recv() => {}
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
        })
    }
}

/// Accepts connections until shutdown, at most `max` at once, then drains them.
async fn accept_loop(
    listener: TcpListener,
    app: Arc<App>,
    mut shutdown: watch::Receiver<bool>,
    max: u32,
) {
    let slots = Slots::new(max);
    let (force, force_rx) = watch::channel(false);
    loop {
        let accepted = tokio::select! {
            biased;
            () = signalled(&mut shutdown) => break,
            accepted = listener.accept() => accepted,
        };
        let stream = match accepted {
            Ok((stream, _peer)) => stream,
            Err(err) => {
                // Usually out of file descriptors: pause instead of spinning.
                tracing::warn!(error = %err, "accept failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        // At the cap this closes the longest-idle connection and waits until it has, or, when
        // every connection is busy, until one is idle or closed; meanwhile further clients wait
        // in the kernel's backlog.
        let slot = tokio::select! {
            biased;
            () = signalled(&mut shutdown) => break,
            slot = slots.take() => match slot {
                Some(slot) => slot,
                None => break,
            },
        };
        // Small JSON responses: waiting to coalesce them only adds latency.
        let _ = stream.set_nodelay(true);
        let signals = Signals {
            shutdown: shutdown.clone(),
            force: force_rx.clone(),
        };
        tokio::spawn(tcp::serve(stream, Arc::clone(&app), signals, slot));
    }
    drop(listener);

    // Every connection holds a slot until it ends: having them all back means drained.
    let grace = app.config.shutdown_grace;
    if tokio::time::timeout(grace, slots.all_free()).await.is_err() {
        tracing::warn!(
            grace_secs = grace.as_secs_f64(),
            "requests still in flight after the grace period; closing their connections"
        );
        force.send_replace(true);
        let _ = tokio::time::timeout(Duration::from_secs(1), slots.all_free()).await;
    }
    tracing::info!("server stopped");
}
