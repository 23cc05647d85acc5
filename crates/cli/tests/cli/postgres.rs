//! `exsited serve --postgres`: several instances on one database, the key file, `admin` beside
//! running servers, and every way a start is refused (one line, exit 2, nothing written).

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use exsited_test_postgres::Cluster;

use crate::support::{self, Served, call, login};

/// A new key file written by `exsited admin gen-key`.
fn gen_key(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    let (code, out, err) = support::run(&["admin", "gen-key", path.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("wrote a new secret key"), "{out}");
    path
}

/// Every table and its row count, for "nothing was written".
fn shape(cluster: &Cluster, db: &str) -> String {
    cluster.psql(
        db,
        "SELECT coalesce(string_agg(c.relname, ',' ORDER BY c.relname), '') FROM pg_class c \
         JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r'",
    ) + &cluster.psql(
        db,
        "SELECT coalesce((SELECT count(*) FROM pg_class WHERE relname = 'api_clients'), 0)",
    )
}

#[test]
fn two_instances_started_together_share_one_database() {
    let dir = tempfile::tempdir().unwrap();
    let cluster = Cluster::start();
    let db = cluster.create_database();
    let url = cluster.url(&db);
    let key = gen_key(dir.path(), "secret.key");
    let key = key.to_str().unwrap().to_owned();

    // Started at the same moment on an empty database, with the same --client: both migrate
    // it (once) and register the client (once) without a conflict.
    let args = [
        "--postgres",
        url.as_str(),
        "--secret-key-file",
        key.as_str(),
        "--client",
        "w:w-secret:acme",
        "--pool-size",
        "4",
    ];
    let (one, two) = std::thread::scope(|s| {
        let a = s.spawn(|| Served::start(dir.path(), &args, &[]));
        let b = s.spawn(|| Served::start(dir.path(), &args, &[]));
        (a.join().unwrap(), b.join().unwrap())
    });
    assert!(one.created.is_none() && two.created.is_none());
    assert_eq!(cluster.psql(&db, "SELECT count(*) FROM api_clients"), "1");

    let on_one = login(one.addr, "w", "w-secret");
    let id = support::create_connection(one.addr, &on_one, "org-shared");
    support::create_automation(one.addr, &on_one, &id, "Nightly");
    let path = format!("/api/v2/integration-connections/{id}");

    // A grant on the second instance signs the first token out on the first, at once.
    let on_two = login(two.addr, "w", "w-secret");
    assert_eq!(
        call(one.addr, "GET", &path, Some(&on_one), None).status,
        401
    );
    let read = call(one.addr, "GET", &path, Some(&on_two), None);
    assert_eq!(read.status, 200);
    assert_eq!(
        read.json()["integration_connection"]["remote_instance_id"],
        "org-shared"
    );

    // Deleted through one, gone on the other.
    let delete = format!("/api/v3/integration/{id}");
    assert_eq!(
        call(two.addr, "DELETE", &delete, Some(&on_two), None).status,
        204
    );
    assert_eq!(
        call(one.addr, "GET", &path, Some(&on_two), None).status,
        404
    );
    assert!(
        !cluster.files_hold(b"PARTNER-SECRET"),
        "the partner secret never reached the database in clear"
    );

    // Administration beside running servers, without the key.
    let (code, out, err) = support::run(&[
        "admin",
        "add-client",
        "--postgres",
        &url,
        "--tenant",
        "acme",
    ]);
    assert_eq!(code, 0, "{err}");
    let (id2, secret2) = support::credentials(&out);
    login(two.addr, &id2, &secret2);
    let (code, audit, err) = support::run(&["admin", "audit", "--postgres", &url, "--json"]);
    assert_eq!(code, 0, "{err}");
    let records: serde_json::Value = serde_json::from_str(&audit).unwrap();
    assert_eq!(records[0]["connection_uuid"], id.as_str());
    assert_eq!(records[0]["sync_configurations"], 1);

    assert!(one.terminate().success());
    assert!(two.terminate().success());
}

#[test]
fn the_environment_names_the_database_and_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let cluster = Cluster::start();
    let db = cluster.create_database();
    let key = gen_key(dir.path(), "k");
    let url = cluster.url(&db);
    let env = [
        ("EXSITED_POSTGRES_URL", url.as_str()),
        ("EXSITED_SECRET_KEY_FILE", key.to_str().unwrap()),
    ];
    let served = Served::start(dir.path(), &[], &env);
    let (id, secret) = served
        .created
        .clone()
        .expect("a first client on an empty database");
    login(served.addr, &id, &secret);
    assert!(served.terminate().success());
    assert!(
        !dir.path().join("exsited.db").exists(),
        "the variable chose PostgreSQL, not the default file"
    );
}

#[test]
fn admin_creates_the_store_of_an_empty_database_only_with_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let cluster = Cluster::start();
    let db = cluster.create_database();
    let url = cluster.url(&db);
    let (code, _, err) = support::run(&["admin", "add-client", "--postgres", &url]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("holds no exsited store yet"), "{err}");
    let (code, _, err) = support::run(&["admin", "audit", "--postgres", &url]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(shape(&cluster, &db), "0", "nothing was created");

    let key = gen_key(dir.path(), "k");
    let key = key.to_str().unwrap();
    let (code, out, err) = support::run(&[
        "admin",
        "add-client",
        "--postgres",
        &url,
        "--secret-key-file",
        key,
        "--scope",
        "read",
    ]);
    assert_eq!(code, 0, "{err}");
    let (id, secret) = support::credentials(&out);
    let served = Served::start(
        dir.path(),
        &["--postgres", &url, "--secret-key-file", key],
        &[],
    );
    assert!(
        served.created.is_none(),
        "the database has a client already"
    );
    login(served.addr, &id, &secret);
    assert!(served.terminate().success());

    let sqlite = dir.path().join("x.db");
    let sqlite = sqlite.to_str().unwrap();
    let (code, _, err) = support::run(&[
        "admin",
        "add-client",
        "--db",
        sqlite,
        "--secret-key-file",
        "/no/such/key",
    ]);
    assert_eq!(code, 2, "a SQLite store with a missing key file: {err}");
    assert!(
        !std::path::Path::new(sqlite).exists(),
        "no file was created"
    );
}

/// Runs `serve` expecting a refusal: exit 2 and one line on stderr. Returns the line.
fn refused(args: &[&str]) -> String {
    let mut all = vec!["serve", "--addr", "127.0.0.1:0"];
    all.extend_from_slice(args);
    let (code, out, err) = support::run(&all);
    assert_eq!(code, 2, "{args:?}: {out}{err}");
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line: {err}");
    assert!(lines[0].starts_with("error: "), "{err}");
    assert!(!out.contains("listening"), "{out}");
    lines[0].to_owned()
}

#[test]
fn refused_starts_exit_2_with_one_line_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let cluster = Cluster::start();
    let db = cluster.create_database();
    let url = cluster.url(&db);
    let key = gen_key(dir.path(), "right.key");
    let key = key.to_str().unwrap();

    let nowhere = dir.path().join("no-server-here");
    std::fs::create_dir(&nowhere).unwrap();
    let unreachable = format!("host={} user=exsited dbname=x", nowhere.display());
    let line = refused(&["--postgres", &unreachable, "--secret-key-file", key]);
    assert!(line.contains("cannot reach PostgreSQL"), "{line}");

    let line = refused(&[
        "--postgres",
        &cluster.url("missing_db"),
        "--secret-key-file",
        key,
    ]);
    assert!(line.contains("does not exist"), "{line}");

    let wrong_password = url.replace(exsited_test_postgres::PASSWORD, "WRONG-PASSWORD-9f");
    let line = refused(&["--postgres", &wrong_password, "--secret-key-file", key]);
    assert!(line.contains("refused user exsited"), "{line}");
    assert!(!line.contains("WRONG-PASSWORD-9f"), "{line}");

    let line = refused(&["--postgres", &url]);
    assert!(line.contains("--secret-key-file"), "{line}");
    let line = refused(&["--postgres", &url, "--secret-key-file", "/no/such/key"]);
    assert!(line.contains("no secret key file"), "{line}");

    let open_key = gen_key(dir.path(), "too-open.key");
    std::fs::set_permissions(&open_key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let line = refused(&[
        "--postgres",
        &url,
        "--secret-key-file",
        open_key.to_str().unwrap(),
    ]);
    assert!(line.contains("0644"), "{line}");

    assert_eq!(
        shape(&cluster, &db),
        "0",
        "none of the refused starts wrote anything"
    );

    // The first start with the right key creates the store; another key is then refused.
    let served = Served::start(
        dir.path(),
        &[
            "--postgres",
            &url,
            "--secret-key-file",
            key,
            "--client",
            "w:pw",
        ],
        &[],
    );
    assert!(served.terminate().success());
    let before = shape(&cluster, &db);
    let other = gen_key(dir.path(), "other.key");
    let line = refused(&[
        "--postgres",
        &url,
        "--secret-key-file",
        other.to_str().unwrap(),
    ]);
    assert!(line.contains("secret key does not match"), "{line}");
    assert_eq!(shape(&cluster, &db), before);

    let line = refused(&["--memory", "--secret-key-file", key]);
    assert!(line.contains("--db and --postgres"), "{line}");
    let (code, _, _) = support::run(&["serve", "--postgres", &url, "--db", "x.db"]);
    assert_eq!(code, 2, "two stores at once");
}

#[test]
fn gen_key_writes_a_private_file_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let path = gen_key(dir.path(), "new.key");
    let meta = std::fs::metadata(&path).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    let before = std::fs::read(&path).unwrap();
    assert_eq!(before.len(), 65, "64 hex digits and a newline");
    let (code, out, err) = support::run(&["admin", "gen-key", path.to_str().unwrap()]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("never overwritten"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert!(!out.contains(std::str::from_utf8(&before).unwrap().trim()));
}

#[test]
fn a_second_server_on_one_sqlite_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("store.db");
    let db = db.to_str().unwrap();
    let first = Served::start(dir.path(), &["--db", db, "--client", "w:pw"], &[]);
    let line = refused(&["--db", db, "--client", "w:pw"]);
    assert!(line.contains("in use by another process"), "{line}");
    let token = login(first.addr, "w", "pw");
    support::create_connection(first.addr, &token, "still-serving");
    assert!(first.terminate().success());
    let again = Served::start(dir.path(), &["--db", db], &[]);
    assert!(
        again.terminate().success(),
        "free once the first has stopped"
    );
}

/// What `serve --client` runs at start, many times at once on two instances of one database:
/// every registration succeeds and the client is stored once.
#[test]
fn concurrent_client_registrations_on_postgres_all_succeed() {
    use exsited_core::SecretString;
    use exsited_core::access::{AccessStore, Scope};
    use exsited_server::clients::{self, Registered};

    let cluster = Cluster::start();
    let db = cluster.create_database();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let key = exsited_secrets::SecretKey::generate();
        let options = exsited_store_postgres::Options::default;
        let one = exsited_store_postgres::PostgresStore::open(&cluster.url(&db), &key, options())
            .await
            .unwrap();
        let two =
            exsited_store_postgres::PostgresAccess::open_existing(&cluster.url(&db), options())
                .await
                .unwrap();
        let stores: [std::sync::Arc<dyn AccessStore>; 2] =
            [std::sync::Arc::new(one.access()), std::sync::Arc::new(two)];
        let tasks: Vec<_> = (0..32)
            .map(|i| {
                let store = stores[i % 2].clone();
                tokio::spawn(async move {
                    let tenant = exsited_core::TenantId::new("acme").unwrap();
                    let secret = SecretString::new("pw");
                    clients::ensure(store.as_ref(), "ci", &secret, tenant, Scope::Write).await
                })
            })
            .collect();
        let mut added = 0;
        for task in tasks {
            if task.await.unwrap().expect("every registration succeeds") == Registered::Added {
                added += 1;
            }
        }
        assert_eq!(added, 1);
        assert_eq!(stores[0].client_count().await.unwrap(), 1);
    });
}
