//! Crash safety: SIGKILL the server in the middle of concurrent deletes, reopen the SQLite
//! file, and check that every acknowledged delete is gone and every connection is either
//! whole or wholly gone.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use exsited_core::{ConnectionId, ConnectionRepository, ListQuery, TenantId};
use exsited_store_sqlite::SqliteStore;

use crate::support::{self, Served, login};

const CONNECTIONS: usize = 48;
const AUTOMATIONS: u64 = 2;
const PARTNER_FUNCTIONS: u64 = 1;
const WORKERS: usize = 4;

#[test]
fn a_killed_server_loses_no_acknowledged_delete_and_leaves_no_half_connection() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crash.db");
    let mut served = Served::start(
        dir.path(),
        &["--db", db.to_str().unwrap(), "--client", "w:w-secret:acme"],
        &[],
    );
    let addr = served.addr;
    let token = login(addr, "w", "w-secret");

    // Connections with their configurations, created by a few workers at once.
    let ids: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..WORKERS)
            .map(|w| {
                let token = &token;
                scope.spawn(move || {
                    (w..CONNECTIONS)
                        .step_by(WORKERS)
                        .map(|i| {
                            let id = support::create_connection(addr, token, &format!("org-{i}"));
                            for a in 0..AUTOMATIONS {
                                support::create_automation(addr, token, &id, &format!("a{a}"));
                            }
                            for p in 0..PARTNER_FUNCTIONS {
                                support::create_partner_function(
                                    addr,
                                    token,
                                    &id,
                                    &format!("p{p}"),
                                );
                            }
                            id
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    assert_eq!(ids.len(), CONNECTIONS);

    // Concurrent deletes; the server is killed once about a third of them were acknowledged.
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let acked = Arc::new(AtomicUsize::new(0));
    let killed = Arc::new(AtomicBool::new(false));
    std::thread::scope(|scope| {
        for w in 0..WORKERS {
            let (ids, token) = (&ids, &token);
            let (acknowledged, acked, killed) = (&acknowledged, &acked, &killed);
            scope.spawn(move || {
                for id in ids.iter().skip(w).step_by(WORKERS) {
                    if killed.load(Ordering::SeqCst) {
                        break;
                    }
                    let path = format!("/api/v3/integration/{id}");
                    match support::try_call(addr, "DELETE", &path, Some(token), None) {
                        Ok(response) if response.status == 204 => {
                            acknowledged.lock().unwrap().push(id.clone());
                            acked.fetch_add(1, Ordering::SeqCst);
                        }
                        Ok(response) => panic!("delete answered {}", response.status),
                        Err(_) => break, // the server died under this request
                    }
                }
            });
        }
        let started = Instant::now();
        while acked.load(Ordering::SeqCst) < CONNECTIONS / 3 {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "deletes are too slow"
            );
            std::thread::sleep(Duration::from_millis(1));
        }
        served.child.kill().unwrap(); // SIGKILL
        killed.store(true, Ordering::SeqCst);
        served.child.wait().unwrap();
    });

    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(!acknowledged.is_empty());
    assert!(
        acknowledged.len() < CONNECTIONS,
        "killed mid-way, not after the last delete"
    );

    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let store = SqliteStore::open(&db).unwrap();
        let repo = store.repository(TenantId::new("acme").unwrap());
        let query = ListQuery::default();
        let mut whole = 0u64;
        for id in &ids {
            let cid = ConnectionId::parse(id).unwrap();
            match repo.get(cid).await {
                Ok(_) => {
                    assert!(
                        !acknowledged.contains(id),
                        "acknowledged delete of {id} was lost"
                    );
                    let automations = repo.list_automations(cid, &query).await.unwrap();
                    let functions = repo.list_partner_functions(cid, &query).await.unwrap();
                    assert_eq!(automations.total, AUTOMATIONS, "{id} is whole");
                    assert_eq!(functions.total, PARTNER_FUNCTIONS, "{id} is whole");
                    whole += 1;
                }
                Err(err) => {
                    assert!(err.is_not_found(), "{err}");
                    assert!(
                        repo.list_automations(cid, &query)
                            .await
                            .unwrap_err()
                            .is_not_found()
                    );
                }
            }
        }
        // No orphan anywhere: the configurations are exactly those of the whole connections.
        assert_eq!(
            store.sync_configuration_count().await.unwrap(),
            whole * (AUTOMATIONS + PARTNER_FUNCTIONS)
        );
        assert_eq!(repo.list(&query).await.unwrap().total, whole);
    });
}

const KEYED_CREATES: usize = 400;

/// A create with an idempotency key, through a fresh connection; `Err` when the server died.
pub(crate) fn keyed_create(
    addr: std::net::SocketAddr,
    token: &str,
    n: usize,
) -> std::io::Result<support::Response> {
    use std::io::Write;
    let body = serde_json::json!({"provider": "xero", "remote_instance_id": format!("keyed-{n}"),
        "integration_client_secret": "PARTNER-SECRET"});
    let mut bytes = support::request_bytes("POST", "/api/v3/integration", Some(token), Some(&body));
    let line_end = bytes.windows(2).position(|w| w == b"\r\n").unwrap() + 2;
    let header = format!("X-Idempotency-Key: crash-key-{n}\r\n");
    bytes.splice(line_end..line_end, header.into_bytes());
    let mut stream = std::net::TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    stream.write_all(&bytes)?;
    support::read_response(&mut stream)
}

pub(crate) fn created_uuid(response: &support::Response) -> String {
    assert_eq!(
        response.status,
        201,
        "{}",
        String::from_utf8_lossy(&response.body)
    );
    response.json()["integration"]["integration_connection"]["uuid"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// SIGKILL in the middle of concurrent keyed creates: after a restart, the client's retry of
/// every create it sent (answered or not) with the same key and body never makes a second
/// connection, and an answered create's retry names the connection it was answered with. The
/// create and its key's record are one transaction; when they were two, a kill between them
/// left a connection without a record, and the retry created another.
#[test]
fn a_killed_server_never_duplicates_a_keyed_create_on_retry() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("keyed.db");
    let args = ["--db", db.to_str().unwrap(), "--client", "w:w-secret:acme"];
    let mut served = Served::start(dir.path(), &args, &[]);
    let addr = served.addr;
    let token = login(addr, "w", "w-secret");

    let answered = Arc::new(Mutex::new(Vec::<(usize, String)>::new()));
    let sent = Arc::new(AtomicUsize::new(0));
    let killed = Arc::new(AtomicBool::new(false));
    std::thread::scope(|scope| {
        for w in 0..WORKERS {
            let (token, answered, sent, killed) = (&token, &answered, &sent, &killed);
            scope.spawn(move || {
                for n in (w..KEYED_CREATES).step_by(WORKERS) {
                    if killed.load(Ordering::SeqCst) {
                        break;
                    }
                    sent.fetch_max(n + 1, Ordering::SeqCst);
                    match keyed_create(addr, token, n) {
                        Ok(response) => {
                            let uuid = created_uuid(&response);
                            answered.lock().unwrap().push((n, uuid));
                        }
                        Err(_) => break,
                    }
                }
            });
        }
        let started = Instant::now();
        while answered.lock().unwrap().len() < KEYED_CREATES / 3 {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "creates are too slow"
            );
            std::thread::sleep(Duration::from_millis(1));
        }
        served.child.kill().unwrap(); // SIGKILL
        killed.store(true, Ordering::SeqCst);
        served.child.wait().unwrap();
    });
    let answered = answered.lock().unwrap().clone();
    let sent = sent.load(Ordering::SeqCst);
    assert!(
        answered.len() < KEYED_CREATES,
        "killed mid-way, not after the last create"
    );

    // The client retries everything it sent, after the restart.
    let served = Served::start(dir.path(), &args, &[]);
    let token = login(served.addr, "w", "w-secret");
    for n in 0..sent {
        let uuid = created_uuid(&keyed_create(served.addr, &token, n).unwrap());
        if let Some((_, first)) = answered.iter().find(|(m, _)| *m == n) {
            assert_eq!(
                &uuid, first,
                "the retry of answered create {n} names its connection"
            );
        }
    }
    let status = served.terminate();
    assert!(status.success(), "{status:?}");

    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let store = SqliteStore::open(&db).unwrap();
        let repo = store.repository(TenantId::new("acme").unwrap());
        let all = exsited_core::RepositoryExt::list_all(&repo, ListQuery::default());
        let all: Vec<_> = futures_util::TryStreamExt::try_collect(all).await.unwrap();
        let mut per_remote = std::collections::HashMap::new();
        for connection in &all {
            *per_remote
                .entry(connection.remote_instance.id.clone())
                .or_insert(0) += 1;
        }
        for n in 0..sent {
            assert_eq!(
                per_remote.get(&format!("keyed-{n}")),
                Some(&1),
                "create {n} made exactly one connection"
            );
        }
        assert_eq!(all.len(), sent, "nothing but the keyed creates");
    });
}
