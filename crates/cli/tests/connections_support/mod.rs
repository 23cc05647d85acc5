//! The reference server in the test process over the memory store, seen through a repository
//! wrapper that counts the calls the server makes and can slow deletes down; and the `exsited`
//! binary configured (through the environment, as a user would) to talk to it.

#![allow(dead_code, unreachable_pub)]

use std::net::SocketAddr;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use exsited_core::access::Scope;
use exsited_core::{
    AutomationDetails, Connection, ConnectionId, ConnectionRepository, DeleteOutcome, ListQuery,
    MemoryRepository, MemoryStore, Name, NewConnection, Partner, PartnerCredentials,
    PartnerFunctionDetails, Principal, RepositoryExt, RepositoryProvider, RepositoryWrapper,
    Result, SecretString, TenantId,
};
use exsited_server::{RunningServer, Server, ServerConfig, clients};
use futures_util::StreamExt;

pub const CLIENT_ID: &str = "acme-writer";
pub const CLIENT_SECRET: &str = "acme-writer-secret-3f9d";
pub const TENANT: &str = "acme";

/// Calls the server made to the store.
#[derive(Debug, Default)]
pub struct Counters {
    /// Every repository call.
    pub calls: AtomicU64,
    /// Deletes started.
    pub deletes: AtomicU64,
}

/// The memory store's repositories, counted and with an optional delay before each delete.
struct Counted {
    store: MemoryStore,
    counters: Arc<Counters>,
    delete_delay: Duration,
}

impl RepositoryProvider for Counted {
    fn repository(&self, principal: &Principal) -> Arc<dyn ConnectionRepository> {
        Arc::new(CountedRepo {
            inner: RepositoryProvider::repository(&self.store, principal),
            counters: Arc::clone(&self.counters),
            delete_delay: self.delete_delay,
        })
    }

    fn keyed_creates(
        &self,
        principal: &Principal,
    ) -> Arc<dyn exsited_core::idempotency::KeyedCreates> {
        self.store.keyed_creates(principal)
    }
}

struct CountedRepo {
    inner: Arc<dyn ConnectionRepository>,
    counters: Arc<Counters>,
    delete_delay: Duration,
}

impl CountedRepo {
    fn tick(&self) {
        self.counters.calls.fetch_add(1, Ordering::SeqCst);
    }
}

#[async_trait]
impl RepositoryWrapper for CountedRepo {
    /// Every call that passes through counts.
    fn inner(&self) -> &dyn ConnectionRepository {
        self.tick();
        self.inner.as_ref()
    }

    async fn delete(&self, id: ConnectionId) -> Result<DeleteOutcome> {
        self.tick();
        self.counters.deletes.fetch_add(1, Ordering::SeqCst);
        if !self.delete_delay.is_zero() {
            tokio::time::sleep(self.delete_delay).await;
        }
        self.inner.delete(id).await
    }
}

/// A running reference server and direct access to its store.
pub struct Api {
    pub rt: tokio::runtime::Runtime,
    server: Option<RunningServer>,
    pub addr: SocketAddr,
    pub store: MemoryStore,
    pub counters: Arc<Counters>,
}

impl Api {
    pub fn start() -> Self {
        Self::start_with_delete_delay(Duration::ZERO)
    }

    pub fn start_with_delete_delay(delete_delay: Duration) -> Self {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let store = MemoryStore::new();
        let counters = Arc::new(Counters::default());
        let provider = Arc::new(Counted {
            store: store.clone(),
            counters: Arc::clone(&counters),
            delete_delay,
        });
        let server = rt.block_on(async {
            clients::ensure(
                &store,
                CLIENT_ID,
                &SecretString::new(CLIENT_SECRET),
                TenantId::new(TENANT).unwrap(),
                Scope::Write,
            )
            .await
            .unwrap();
            Server::builder()
                .provider(provider)
                .access(Arc::new(store.clone()))
                .config(ServerConfig::default())
                .bind("127.0.0.1:0".parse().unwrap())
                .await
                .unwrap()
        });
        Self {
            rt,
            addr: server.local_addr(),
            server: Some(server),
            store,
            counters,
        }
    }

    /// The tenant's repository, straight on the store (not counted).
    pub fn repo(&self) -> MemoryRepository {
        self.store.repository(TenantId::new(TENANT).unwrap())
    }

    /// `exsited` with the API configured in its environment.
    pub fn exsited(&self) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_exsited"));
        command
            .env("EXSITED_BASE_URL", format!("http://{}", self.addr))
            .env("EXSITED_CLIENT_ID", CLIENT_ID)
            .env("EXSITED_CLIENT_SECRET", CLIENT_SECRET)
            .env_remove("EXSITED_TOKEN")
            .env_remove("EXSITED_CA_FILE")
            .env_remove("RUST_LOG");
        command
    }

    /// `n` connections, each with one automation and one partner function.
    pub fn seed(&self, n: usize) -> Vec<ConnectionId> {
        let repo = self.repo();
        self.rt.block_on(async {
            let mut ids = Vec::with_capacity(n);
            for i in 0..n {
                let new = NewConnection::new(Partner::new("xero").unwrap(), &format!("org-{i}"))
                    .unwrap()
                    .with_remote_instance_name(&format!("Org {i}"))
                    .unwrap()
                    .with_credentials(PartnerCredentials {
                        client_id: format!("partner-client-{i}"),
                        client_secret: SecretString::new(format!("partner-secret-{i}")),
                        access_token: SecretString::new(format!("partner-token-{i}")),
                        refresh_token: SecretString::default(),
                    })
                    .unwrap();
                let conn = repo.create(new).await.unwrap();
                let rule = AutomationDetails::new(Name::new("name", "Sync invoices").unwrap());
                repo.create_automation(conn.id, rule).await.unwrap();
                let map = PartnerFunctionDetails::new(Name::new("name", "Map invoices").unwrap());
                repo.create_partner_function(conn.id, map).await.unwrap();
                ids.push(conn.id);
            }
            ids
        })
    }

    /// Every connection of the tenant.
    pub fn connections(&self) -> Vec<Connection> {
        let repo = self.repo();
        self.rt.block_on(async {
            repo.list_all(ListQuery::new(100, 0).unwrap())
                .map(|c| c.unwrap())
                .collect()
                .await
        })
    }

    pub fn calls(&self) -> u64 {
        self.counters.calls.load(Ordering::SeqCst)
    }

    pub fn deletes(&self) -> u64 {
        self.counters.deletes.load(Ordering::SeqCst)
    }
}

impl Drop for Api {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            server.shutdown();
            let _ = self.rt.block_on(async {
                tokio::time::timeout(Duration::from_secs(5), server.wait()).await
            });
        }
    }
}

/// A file with these lines.
pub fn ids_file(dir: &std::path::Path, name: &str, lines: &[String]) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

/// Stdout as JSON (the summary of `--json` commands).
pub fn json(output: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
