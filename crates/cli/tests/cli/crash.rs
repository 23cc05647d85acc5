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
