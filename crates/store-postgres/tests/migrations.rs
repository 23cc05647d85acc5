//! Opening a database: instances started together migrate it once; a newer or foreign one is
//! refused untouched; an unreachable server, a missing database and refused credentials are
//! told apart.

mod support;

use std::sync::Arc;

use exsited_secrets::SecretKey;
use exsited_store_postgres::{OpenError, Options, PostgresAccess, PostgresStore, SCHEMA_VERSION};

/// Every table and its row count: what "left untouched" compares.
fn shape(cluster: &exsited_test_postgres::Cluster, db: &str) -> String {
    cluster.psql(
        db,
        "SELECT string_agg(c.relname || ':' || \
         (xpath('/row/n/text()', query_to_xml('SELECT count(*) AS n FROM ' || quote_ident(c.relname), false, true, '')))[1]::text, \
         ',' ORDER BY c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = 'public' AND c.relkind = 'r'",
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn stores_opened_at_the_same_moment_on_an_empty_database_migrate_once() {
    let cluster = support::cluster();
    for _ in 0..3 {
        let db = cluster.create_database();
        let key = Arc::new(SecretKey::generate());
        let url = cluster.url(&db);
        let barrier = Arc::new(tokio::sync::Barrier::new(4));
        let opens: Vec<_> = (0..4)
            .map(|_| {
                let (url, key, barrier) = (url.clone(), Arc::clone(&key), Arc::clone(&barrier));
                tokio::spawn(async move {
                    barrier.wait().await;
                    PostgresStore::open(&url, &key, Options::default()).await
                })
            })
            .collect();
        for open in opens {
            open.await.unwrap().expect("every instance starts");
        }
        assert_eq!(
            cluster.psql(
                &db,
                "SELECT count(*) || ' ' || max(version) FROM exsited_schema"
            ),
            format!("1 {SCHEMA_VERSION}")
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_newer_schema_is_refused_untouched() {
    let cluster = support::cluster();
    let db = cluster.create_database();
    let key = SecretKey::generate();
    drop(support::open(&cluster, &db, &key).await);
    cluster.psql(&db, "UPDATE exsited_schema SET version = 99");
    let before = shape(&cluster, &db);
    match PostgresStore::open(&cluster.url(&db), &key, Options::default()).await {
        Err(OpenError::NewerSchema {
            found, supported, ..
        }) => {
            assert_eq!((found, supported), (99, SCHEMA_VERSION));
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        PostgresAccess::open_existing(&cluster.url(&db), Options::default()).await,
        Err(OpenError::NewerSchema { .. })
    ));
    assert_eq!(shape(&cluster, &db), before);
    assert_eq!(
        cluster.psql(&db, "SELECT version FROM exsited_schema"),
        "99"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_foreign_database_is_refused_untouched() {
    let cluster = support::cluster();
    let key = SecretKey::generate();
    let db = cluster.create_database();
    cluster.psql(
        &db,
        "CREATE TABLE invoices (id int); INSERT INTO invoices VALUES (1), (2); \
         CREATE TABLE connections (other text)",
    );
    let before = shape(&cluster, &db);
    match PostgresStore::open(&cluster.url(&db), &key, Options::default()).await {
        Err(OpenError::Foreign { tables, .. }) => assert_eq!(tables, "connections, invoices"),
        other => panic!("{other:?}"),
    }
    assert_eq!(shape(&cluster, &db), before);

    // A table named like ours, written by someone else, is foreign too.
    let lookalike = cluster.create_database();
    cluster.psql(
        &lookalike,
        "CREATE TABLE exsited_schema (id int, application text, version int, key_check bytea); \
         INSERT INTO exsited_schema VALUES (1, 'something-else', 1, '')",
    );
    assert!(matches!(
        PostgresStore::open(&cluster.url(&lookalike), &key, Options::default()).await,
        Err(OpenError::Foreign { .. })
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reading_tools_need_an_existing_store_and_create_nothing() {
    let cluster = support::cluster();
    let db = cluster.create_database();
    match PostgresAccess::open_existing(&cluster.url(&db), Options::default()).await {
        Err(OpenError::NoSchema { database }) => assert_eq!(database, db),
        other => panic!("{other:?}"),
    }
    assert_eq!(shape(&cluster, &db), "", "no table was created");
    drop(support::open(&cluster, &db, &SecretKey::generate()).await);
    PostgresAccess::open_existing(&cluster.url(&db), Options::default())
        .await
        .expect("an existing store opens without the key");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connection_failures_are_told_apart_and_never_show_the_password() {
    let cluster = support::cluster();
    let key = SecretKey::generate();
    let open = |url: String| {
        let key = &key;
        async move { PostgresStore::open(&url, key, Options::default()).await }
    };
    let nowhere = tempfile_dir();
    let unreachable = open(format!(
        "host={} user=exsited password=PW-SHOULD-NOT-SHOW dbname=x",
        nowhere.display()
    ))
    .await;
    assert!(
        matches!(unreachable, Err(OpenError::Unreachable { .. })),
        "{unreachable:?}"
    );

    let missing = open(cluster.url("no_such_database")).await;
    match &missing {
        Err(OpenError::NoDatabase { database, .. }) => assert_eq!(database, "no_such_database"),
        other => panic!("{other:?}"),
    }

    let wrong = cluster
        .url("postgres")
        .replace(exsited_test_postgres::PASSWORD, "PW-SHOULD-NOT-SHOW");
    let refused = open(wrong).await;
    assert!(
        matches!(refused, Err(OpenError::Authentication { .. })),
        "{refused:?}"
    );

    let garbage = open("host=/tmp port=notaport password=PW-SHOULD-NOT-SHOW".to_owned()).await;
    assert!(
        matches!(garbage, Err(OpenError::Config { .. })),
        "{garbage:?}"
    );

    let tls = open(format!("{} sslmode=require", cluster.url("postgres"))).await;
    assert!(matches!(tls, Err(OpenError::Config { .. })), "{tls:?}");

    for result in [unreachable, missing, refused, garbage, tls] {
        let text = result.unwrap_err().to_string();
        assert!(!text.contains("PW-SHOULD-NOT-SHOW"), "{text}");
        assert!(!text.contains('\n'), "one line: {text}");
    }
}

/// A directory with no server in it.
fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("exsited-no-server-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
