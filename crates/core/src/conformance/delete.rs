//! Checks of the delete semantics (the *Behavior* section of `ConnectionRepository`).

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use tokio::sync::Barrier;

use super::fixture::Fixture;
use super::support::{assert_not_found, automation, create, partner_function};
use crate::{
    ConnectionId, DeleteOutcome, Ensured, Error, ListQuery, PartnerCredentials, RepositoryExt,
    Resource,
};

/// Promise 1: a delete removes the connection and every automation and partner function under
/// it; afterwards each is `NotFound`.
pub async fn delete_removes_connection_and_all_sync_configurations(f: Fixture) {
    let conn = create(&*f.a, "doomed").await;
    let mut autos = Vec::new();
    let mut pfs = Vec::new();
    for i in 0..3 {
        autos.push(
            f.a.create_automation(conn.id, automation(&format!("a{i}")))
                .await
                .unwrap()
                .id,
        );
        pfs.push(
            f.a.create_partner_function(conn.id, partner_function(&format!("p{i}")))
                .await
                .unwrap()
                .id,
        );
    }
    let configured = crate::configuration::ConfigurationPatch::new([(
        crate::configuration::Section::Item,
        crate::configuration::PatchValue::Map(
            [(
                "sync".to_owned(),
                crate::configuration::PatchValue::Bool(true),
            )]
            .into(),
        ),
    )])
    .unwrap();
    f.a.update_configuration(conn.id, configured).await.unwrap();
    assert_eq!(
        f.a.delete(conn.id).await.expect("delete"),
        DeleteOutcome::Removed
    );

    assert_not_found(
        f.a.get(conn.id).await,
        Resource::Connection,
        "get after delete",
    );
    assert_not_found(
        f.a.get_configuration(conn.id).await,
        Resource::Connection,
        "the configuration after delete",
    );
    let q = ListQuery::default();
    assert_not_found(
        f.a.list_automations(conn.id, &q).await,
        Resource::Connection,
        "automations after delete",
    );
    assert_not_found(
        f.a.list_partner_functions(conn.id, &q).await,
        Resource::Connection,
        "functions after delete",
    );
    for id in autos {
        assert!(
            f.a.get_automation(conn.id, id)
                .await
                .unwrap_err()
                .is_not_found()
        );
    }
    for id in pfs {
        assert!(
            f.a.get_partner_function(conn.id, id)
                .await
                .unwrap_err()
                .is_not_found()
        );
    }
    assert_eq!(
        f.a.list(&q).await.unwrap().total,
        0,
        "the list no longer counts it"
    );
    if let Some(probe) = &f.probe {
        assert_eq!(
            probe.sync_configuration_count().await,
            0,
            "no sync configuration outlives its connection"
        );
    }
}

/// A delete touches nothing but its own connection and what hangs from it.
pub async fn delete_leaves_other_connections_alone(f: Fixture) {
    let keep = create(&*f.a, "keep").await;
    let kept_auto =
        f.a.create_automation(keep.id, automation("kept"))
            .await
            .unwrap();
    let kept_pf =
        f.a.create_partner_function(keep.id, partner_function("kept"))
            .await
            .unwrap();
    let theirs = create(&*f.b, "theirs").await;
    let doomed = create(&*f.a, "doomed").await;
    f.a.create_automation(doomed.id, automation("doomed"))
        .await
        .unwrap();

    f.a.delete(doomed.id).await.expect("delete");

    assert_eq!(f.a.get(keep.id).await.unwrap(), keep);
    assert_eq!(
        f.a.get_automation(keep.id, kept_auto.id).await.unwrap(),
        kept_auto
    );
    assert_eq!(
        f.a.get_partner_function(keep.id, kept_pf.id).await.unwrap(),
        kept_pf
    );
    assert_eq!(f.b.get(theirs.id).await.unwrap(), theirs);
    if let Some(probe) = &f.probe {
        assert_eq!(probe.sync_configuration_count().await, 2);
    }
}

/// Promise 2: an unknown id, another tenant's id, and an id already deleted are `NotFound`.
pub async fn delete_of_unknown_or_deleted_id_is_not_found(f: Fixture) {
    assert_not_found(
        f.a.delete(ConnectionId::random()).await,
        Resource::Connection,
        "unknown id",
    );
    let theirs = create(&*f.b, "theirs").await;
    assert_not_found(
        f.a.delete(theirs.id).await,
        Resource::Connection,
        "another tenant's id",
    );
    assert!(
        f.b.get(theirs.id).await.is_ok(),
        "a refused cross-tenant delete removes nothing"
    );
    let conn = create(&*f.a, "twice").await;
    assert_eq!(f.a.delete(conn.id).await.unwrap(), DeleteOutcome::Removed);
    assert_not_found(
        f.a.delete(conn.id).await,
        Resource::Connection,
        "repeated delete",
    );
}

/// Promise 1, atomicity: readers running during the delete see the connection with all its
/// sync configurations, or see nothing; never a part.
pub async fn delete_cascade_is_atomic_for_readers(f: Fixture) {
    const AUTOMATIONS: u64 = 6;
    const FUNCTIONS: u64 = 6;
    for round in 0..5 {
        let conn = create(&*f.a, &format!("atomic-{round}")).await;
        for i in 0..AUTOMATIONS {
            f.a.create_automation(conn.id, automation(&format!("a{i}")))
                .await
                .unwrap();
        }
        for i in 0..FUNCTIONS {
            f.a.create_partner_function(conn.id, partner_function(&format!("p{i}")))
                .await
                .unwrap();
        }
        let query = ListQuery::new(100, 0).unwrap();
        let deleted = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let readers: Vec<_> = (0..4)
            .map(|r| {
                let repo = f.a.clone();
                let deleted = Arc::clone(&deleted);
                tokio::spawn(async move {
                    // Readers run until the connection is gone, however slow the machine; once
                    // the delete was answered, a few more reads must see it gone, so that a
                    // backend that never deletes fails instead of hanging.
                    let mut after_delete = 0;
                    while after_delete < 100 {
                        if deleted.load(std::sync::atomic::Ordering::SeqCst) {
                            after_delete += 1;
                        }
                        let result = if r % 2 == 0 {
                            repo.list_automations(conn.id, &query)
                                .await
                                .map(|p| (p.total, p.items.len() as u64, AUTOMATIONS))
                        } else {
                            repo.list_partner_functions(conn.id, &query)
                                .await
                                .map(|p| (p.total, p.items.len() as u64, FUNCTIONS))
                        };
                        match result {
                            Ok((total, len, expected)) => {
                                assert_eq!(
                                    (total, len),
                                    (expected, expected),
                                    "a reader saw a partial cascade"
                                )
                            }
                            Err(Error::NotFound { .. }) => return,
                            Err(other) => panic!("reader failed: {other:?}"),
                        }
                        tokio::task::yield_now().await;
                    }
                    panic!("the connection was never deleted");
                })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(2)).await;
        assert_eq!(
            f.a.delete(conn.id).await.expect("delete"),
            DeleteOutcome::Removed
        );
        deleted.store(true, std::sync::atomic::Ordering::SeqCst);
        for reader in readers {
            reader.await.expect("reader");
        }
    }
    if let Some(probe) = &f.probe {
        assert_eq!(probe.sync_configuration_count().await, 0);
    }
}

/// Promise 4: of 32 concurrent deletes of one id, exactly one succeeds and the rest are
/// `NotFound`.
pub async fn concurrent_deletes_of_one_id_exactly_one_wins(f: Fixture) {
    for round in 0..3 {
        let conn = create(&*f.a, &format!("contested-{round}")).await;
        f.a.create_automation(conn.id, automation("a"))
            .await
            .unwrap();
        let barrier = Arc::new(Barrier::new(32));
        let tasks: Vec<_> = (0..32)
            .map(|_| {
                let (repo, barrier) = (f.a.clone(), barrier.clone());
                tokio::spawn(async move {
                    barrier.wait().await;
                    repo.delete(conn.id).await
                })
            })
            .collect();
        let (mut wins, mut not_found) = (0, 0);
        for task in tasks {
            match task.await.unwrap() {
                Ok(_) => wins += 1,
                Err(Error::NotFound { .. }) => not_found += 1,
                Err(other) => panic!("concurrent delete failed: {other:?}"),
            }
        }
        assert_eq!(
            (wins, not_found),
            (1, 31),
            "exactly one concurrent delete succeeds"
        );
        assert!(f.a.get(conn.id).await.unwrap_err().is_not_found());
    }
}

/// Promise 5: creates of automations and partner functions racing a delete either fail with
/// `NotFound` or are removed by it: no orphan survives.
pub async fn delete_racing_sync_creation_leaves_no_orphans(f: Fixture) {
    for round in 0..10 {
        let conn = create(&*f.a, &format!("race-{round}")).await;
        let barrier = Arc::new(Barrier::new(9));
        let creators: Vec<_> = (0..8)
            .map(|i| {
                let (repo, barrier) = (f.a.clone(), barrier.clone());
                tokio::spawn(async move {
                    barrier.wait().await;
                    // Several creates per task, so that some land before and some after.
                    for j in 0..3 {
                        let name = format!("r{i}-{j}");
                        let result = if i % 2 == 0 {
                            repo.create_automation(conn.id, automation(&name))
                                .await
                                .map(drop)
                        } else {
                            repo.create_partner_function(conn.id, partner_function(&name))
                                .await
                                .map(drop)
                        };
                        match result {
                            Ok(()) => {}
                            Err(Error::NotFound {
                                resource: Resource::Connection,
                                ..
                            }) => return,
                            Err(other) => panic!("create racing a delete failed with {other:?}"),
                        }
                    }
                })
            })
            .collect();
        let deleter = {
            let (repo, barrier) = (f.a.clone(), barrier.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                repo.delete(conn.id).await
            })
        };
        for creator in creators {
            creator.await.expect("creator");
        }
        assert_eq!(
            deleter.await.unwrap().expect("delete"),
            DeleteOutcome::Removed
        );
        assert!(f.a.get(conn.id).await.unwrap_err().is_not_found());
        assert!(
            f.a.list_automations(conn.id, &ListQuery::default())
                .await
                .unwrap_err()
                .is_not_found()
        );
    }
    match &f.probe {
        Some(probe) => assert_eq!(
            probe.sync_configuration_count().await,
            0,
            "an orphan survived the delete"
        ),
        None => eprintln!("conformance:   (orphan count skipped: the fixture has no probe)"),
    }
}

/// Promise 6: a deleted connection's partner credentials are not kept anywhere readable.
pub async fn deleted_credentials_are_not_kept(f: Fixture) {
    let conn = create(&*f.a, "secrets").await;
    let keep = create(&*f.a, "kept-secrets").await;
    let PartnerCredentials {
        client_secret,
        access_token,
        refresh_token,
        ..
    } = conn.credentials.clone();
    f.a.delete(conn.id).await.expect("delete");
    let Some(probe) = &f.probe else {
        eprintln!("conformance:   (secret scan skipped: the fixture has no probe)");
        return;
    };
    for secret in [client_secret, access_token, refresh_token] {
        assert!(
            !probe.holds_secret(secret.expose()).await,
            "a deleted connection's secret is still stored"
        );
    }
    assert!(
        probe
            .holds_secret(keep.credentials.client_secret.expose())
            .await,
        "the probe must find a live connection's secret, or it proves nothing"
    );
}

/// The extension trait: `ensure_deleted` reports absence as success, `list_all` walks every
/// page, `delete_many` gives one result per id.
pub async fn extension_conveniences_work(f: Fixture) {
    let mut ids = Vec::new();
    for i in 0..25 {
        ids.push(create(&*f.a, &format!("ext-{i}")).await.id);
    }
    let walked: Vec<ConnectionId> =
        f.a.list_all(ListQuery::new(10, 0).unwrap())
            .map(|c| c.expect("list_all").id)
            .collect()
            .await;
    assert_eq!(
        walked, ids,
        "list_all yields every connection once, in order"
    );

    assert_eq!(f.a.ensure_deleted(ids[0]).await.unwrap(), Ensured::Removed);
    assert_eq!(
        f.a.ensure_deleted(ids[0]).await.unwrap(),
        Ensured::AlreadyAbsent
    );

    let unknown = ConnectionId::random();
    let targets: Vec<ConnectionId> = ids[1..6].iter().copied().chain([unknown]).collect();
    let results: Vec<_> = f.a.delete_many(targets.clone(), 3).collect().await;
    assert_eq!(results.len(), targets.len());
    for (id, result) in results {
        if id == unknown {
            assert!(result.unwrap_err().is_not_found());
        } else {
            assert_eq!(result.unwrap(), DeleteOutcome::Removed);
        }
    }
    assert_eq!(f.a.list(&ListQuery::default()).await.unwrap().total, 19);
}
