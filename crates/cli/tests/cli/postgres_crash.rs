//! Several instances on one PostgreSQL database under failure and concurrency: a delete
//! answered 204 by any instance is never served again by any; SIGKILL of an instance, and a
//! crash of the database server itself, lose nothing acknowledged and leave no half connection;
//! keyed creates retried on another instance after a kill never duplicate.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use exsited_core::{ConnectionId, ConnectionRepository, ListQuery, TenantId};
use exsited_secrets::SecretKey;
use exsited_store_postgres::{Options, PostgresStore};
use exsited_test_postgres::{Cluster, Durability};

use crate::crash::{created_uuid, keyed_create};
use crate::support::{self, Served, call, login};

const AUTOMATIONS: u64 = 2;
const PARTNER_FUNCTIONS: u64 = 1;

/// Two instances on a new database of `cluster`, with one key file and one client.
fn two_instances(dir: &Path, cluster: &Cluster) -> (Served, Served, String, std::path::PathBuf) {
    let db = cluster.create_database();
    let url = cluster.url(&db);
    let key = dir.join("secret.key");
    SecretKey::generate().write_new_file(&key).unwrap();
    let key_arg = key.to_str().unwrap().to_owned();
    let args = [
        "--postgres",
        url.as_str(),
        "--secret-key-file",
        key_arg.as_str(),
        "--client",
        "w:w-secret:acme",
    ];
    let one = Served::start(dir, &args, &[]);
    let two = Served::start(dir, &args, &[]);
    (one, two, url, key)
}

/// A connection with its configurations, through `addr`.
fn whole_connection(addr: SocketAddr, token: &str, n: usize) -> String {
    let id = support::create_connection(addr, token, &format!("org-{n}"));
    for a in 0..AUTOMATIONS {
        support::create_automation(addr, token, &id, &format!("a{a}"));
    }
    for p in 0..PARTNER_FUNCTIONS {
        support::create_partner_function(addr, token, &id, &format!("p{p}"));
    }
    id
}

/// Every connection of `ids` is whole or wholly gone, every acknowledged one gone, and no
/// configuration is left without its connection.
fn assert_whole_or_gone(url: &str, key: &Path, ids: &[String], acknowledged: &[String]) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let key = SecretKey::read_file(key).unwrap();
        let store = PostgresStore::open(url, &key, Options::default())
            .await
            .unwrap();
        let repo = store.repository(TenantId::new("acme").unwrap());
        let query = ListQuery::default();
        let mut whole = 0u64;
        for id in ids {
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
                Err(err) => assert!(err.is_not_found(), "{err}"),
            }
        }
        assert_eq!(
            store.sync_configuration_count().await.unwrap(),
            whole * (AUTOMATIONS + PARTNER_FUNCTIONS),
            "no orphan"
        );
        assert_eq!(repo.list(&query).await.unwrap().total, whole);
    });
}

/// Reads racing deletes on the other instance: a read that began after a 204 was received
/// never finds the connection or its configurations. Keyed creates sent to both instances at
/// once make one connection.
#[test]
fn a_delete_answered_by_one_instance_is_never_served_again_by_another() {
    const CONNECTIONS: usize = 24;
    let dir = tempfile::tempdir().unwrap();
    let cluster = Cluster::start();
    let (one, two, _url, _key) = two_instances(dir.path(), &cluster);
    let token = login(one.addr, "w", "w-secret");
    let ids: Vec<String> = (0..CONNECTIONS)
        .map(|n| whole_connection(if n % 2 == 0 { one.addr } else { two.addr }, &token, n))
        .collect();

    // When each delete's 204 arrived, by id.
    let deleted_at = Mutex::new(std::collections::HashMap::<String, Instant>::new());
    let done = AtomicBool::new(false);
    let reads = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        let deleter = scope.spawn(|| {
            for id in &ids {
                let path = format!("/api/v3/integration/{id}");
                assert_eq!(
                    call(one.addr, "DELETE", &path, Some(&token), None).status,
                    204
                );
                deleted_at
                    .lock()
                    .unwrap()
                    .insert(id.clone(), Instant::now());
            }
            done.store(true, Ordering::SeqCst);
        });
        for r in 0..3 {
            let (ids, token, deleted_at, done, reads) = (&ids, &token, &deleted_at, &done, &reads);
            let addr = two.addr;
            scope.spawn(move || {
                let mut n = r;
                while !done.load(Ordering::SeqCst) {
                    let id = &ids[n % ids.len()];
                    n += 1;
                    let began = Instant::now();
                    let gone_before = deleted_at
                        .lock()
                        .unwrap()
                        .get(id)
                        .is_some_and(|t| *t < began);
                    let path = if n % 2 == 0 {
                        format!("/api/v2/integration-connections/{id}")
                    } else {
                        format!("/api/v3/integration/{id}/automation")
                    };
                    let response = call(addr, "GET", &path, Some(token), None);
                    reads.fetch_add(1, Ordering::SeqCst);
                    match response.status {
                        404 => {}
                        200 => {
                            assert!(!gone_before, "{path} served after its delete was answered");
                            if path.ends_with("/automation") {
                                let listed = response.json()["integration_automations"]
                                    .as_array()
                                    .map(Vec::len);
                                assert_eq!(listed, Some(AUTOMATIONS as usize), "never a part");
                            }
                        }
                        other => panic!("{path}: {other}"),
                    }
                }
            });
        }
        deleter.join().unwrap();
    });
    assert!(reads.load(Ordering::SeqCst) > 0);

    // One key, sent to both instances at the same moment: one connection, both answers name it.
    for n in 0..8 {
        let (a, b) = std::thread::scope(|scope| {
            let a = scope.spawn(|| keyed_create(one.addr, &token, 1_000 + n));
            let b = scope.spawn(|| keyed_create(two.addr, &token, 1_000 + n));
            (a.join().unwrap().unwrap(), b.join().unwrap().unwrap())
        });
        assert_eq!(created_uuid(&a), created_uuid(&b), "key {n}");
    }
    let list = call(
        one.addr,
        "GET",
        "/api/v2/integration-connections?limit=100",
        Some(&token),
        None,
    );
    assert_eq!(
        list.json()["integration_connection"]
            .as_array()
            .map(Vec::len),
        Some(8)
    );
    assert!(one.terminate().success());
    assert!(two.terminate().success());
}

/// SIGKILL of one instance in the middle of concurrent deletes on both, then a crash of the
/// database server (an immediate stop: no checkpoint, recovery from the WAL on the next start,
/// fsync on). Every acknowledged delete stays done; every connection is whole or wholly gone;
/// the surviving instance serves again once the database is back.
#[test]
fn killed_instances_and_a_crashed_database_lose_no_acknowledged_delete() {
    const CONNECTIONS: usize = 48;
    const WORKERS: usize = 4;
    let dir = tempfile::tempdir().unwrap();
    let mut cluster = Cluster::start_with(Durability::Durable);
    let (mut one, two, url, key) = two_instances(dir.path(), &cluster);
    let token = login(one.addr, "w", "w-secret");
    let ids: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..WORKERS)
            .map(|w| {
                let (token, addr) = (&token, if w % 2 == 0 { one.addr } else { two.addr });
                scope.spawn(move || {
                    (w..CONNECTIONS)
                        .step_by(WORKERS)
                        .map(|n| whole_connection(addr, token, n))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });

    let acknowledged = Mutex::new(Vec::<String>::new());
    let acked = AtomicUsize::new(0);
    let one_killed = AtomicBool::new(false);
    let db_crashed = AtomicBool::new(false);
    std::thread::scope(|scope| {
        for w in 0..WORKERS {
            let (ids, token, acknowledged, acked) = (&ids, &token, &acknowledged, &acked);
            let (one_killed, db_crashed) = (&one_killed, &db_crashed);
            let (one_addr, two_addr) = (one.addr, two.addr);
            scope.spawn(move || {
                for id in ids.iter().skip(w).step_by(WORKERS) {
                    if db_crashed.load(Ordering::SeqCst) {
                        break;
                    }
                    let to_one = w % 2 == 0 && !one_killed.load(Ordering::SeqCst);
                    let addr = if to_one { one_addr } else { two_addr };
                    let path = format!("/api/v3/integration/{id}");
                    match support::try_call(addr, "DELETE", &path, Some(token), None) {
                        Ok(response) if response.status == 204 => {
                            acknowledged.lock().unwrap().push(id.clone());
                            acked.fetch_add(1, Ordering::SeqCst);
                        }
                        // The database went away under this request: not acknowledged.
                        Ok(response) if response.status == 503 => break,
                        Ok(response) => panic!("delete answered {}", response.status),
                        Err(_) => {} // instance one died under this request; go on with two
                    }
                }
            });
        }
        let wait_for = |count: usize| {
            let started = Instant::now();
            while acked.load(Ordering::SeqCst) < count {
                assert!(
                    started.elapsed() < Duration::from_secs(30),
                    "deletes stalled"
                );
                std::thread::sleep(Duration::from_millis(1));
            }
        };
        wait_for(CONNECTIONS / 4);
        one.child.kill().unwrap(); // SIGKILL
        one_killed.store(true, Ordering::SeqCst);
        one.child.wait().unwrap();
        wait_for(CONNECTIONS / 2);
        db_crashed.store(true, Ordering::SeqCst);
        cluster.stop();
    });
    let acknowledged = acknowledged.into_inner().unwrap();
    assert!(
        acknowledged.len() < CONNECTIONS,
        "crashed mid-way, not after the last delete"
    );

    cluster.start_again();
    assert_whole_or_gone(&url, &key, &ids, &acknowledged);

    // The surviving instance reconnects by itself.
    let started = Instant::now();
    let status = loop {
        let status = support::try_call(
            two.addr,
            "GET",
            "/api/v2/integration-connections",
            Some(&token),
            None,
        )
        .map(|r| r.status)
        .unwrap_or(0);
        if status == 200 || started.elapsed() > Duration::from_secs(30) {
            break status;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status, 200, "instance two serves again");
    assert!(two.terminate().success());
}

/// SIGKILL of an instance in the middle of keyed creates; the client retries everything it
/// sent on the other instance: no second connection for any key, and an answered create's
/// retry names the connection it was answered with.
#[test]
fn keyed_creates_retried_on_another_instance_after_a_kill_never_duplicate() {
    const CREATES: usize = 200;
    const WORKERS: usize = 4;
    let dir = tempfile::tempdir().unwrap();
    let cluster = Cluster::start_with(Durability::Durable);
    let (mut one, two, url, key) = two_instances(dir.path(), &cluster);
    let token = login(one.addr, "w", "w-secret");
    let answered = Mutex::new(Vec::<(usize, String)>::new());
    let sent = AtomicUsize::new(0);
    let killed = AtomicBool::new(false);
    std::thread::scope(|scope| {
        for w in 0..WORKERS {
            let (token, answered, sent, killed) = (&token, &answered, &sent, &killed);
            let addr = one.addr;
            scope.spawn(move || {
                for n in (w..CREATES).step_by(WORKERS) {
                    if killed.load(Ordering::SeqCst) {
                        break;
                    }
                    sent.fetch_max(n + 1, Ordering::SeqCst);
                    match keyed_create(addr, token, n) {
                        Ok(response) => answered.lock().unwrap().push((n, created_uuid(&response))),
                        Err(_) => break,
                    }
                }
            });
        }
        let started = Instant::now();
        while answered.lock().unwrap().len() < CREATES / 3 {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "creates stalled"
            );
            std::thread::sleep(Duration::from_millis(1));
        }
        one.child.kill().unwrap(); // SIGKILL
        killed.store(true, Ordering::SeqCst);
        one.child.wait().unwrap();
    });
    let (answered, sent) = (answered.into_inner().unwrap(), sent.load(Ordering::SeqCst));
    assert!(answered.len() < CREATES, "killed mid-way");

    for n in 0..sent {
        let uuid = created_uuid(&keyed_create(two.addr, &token, n).unwrap());
        if let Some((_, first)) = answered.iter().find(|(m, _)| *m == n) {
            assert_eq!(
                &uuid, first,
                "the retry of answered create {n} names its connection"
            );
        }
    }
    assert!(two.terminate().success());

    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let key = SecretKey::read_file(&key).unwrap();
        let store = PostgresStore::open(&url, &key, Options::default())
            .await
            .unwrap();
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
                "create {n} made one"
            );
        }
        assert_eq!(all.len(), sent);
    });
}
