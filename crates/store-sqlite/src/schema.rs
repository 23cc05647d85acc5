//! Opening the file: the read-only checks, the connection settings, and the versioned schema.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags};

use crate::error::{OpenError, describe, is_busy, is_corruption};
use crate::sealing::{Key, seal_at_rest};
use exsited_secrets::Sealer;

/// `PRAGMA application_id` of this store's files: "EXST" in ASCII.
pub(crate) const APPLICATION_ID: i32 = 0x4558_5354;

/// The schema versions, in order: `MIGRATIONS[n]` takes a file from version `n` to `n + 1`.
/// A released migration is never edited; a change of schema is a new entry.
const MIGRATIONS: &[&str] = &[
    // Version 1.
    r#"
    CREATE TABLE connections (
        -- Creation order (`created_on`); AUTOINCREMENT never reuses a deleted one's number.
        seq                  INTEGER PRIMARY KEY AUTOINCREMENT,
        uuid                 TEXT NOT NULL UNIQUE,
        tenant               TEXT NOT NULL,
        status               TEXT NOT NULL,
        partner              TEXT NOT NULL,
        remote_instance_id   TEXT NOT NULL,
        remote_instance_name TEXT NOT NULL,
        client_id            TEXT NOT NULL,
        -- Partner secrets: in no index, so that a delete (with secure_delete) leaves no copy.
        client_secret        TEXT NOT NULL,
        access_token         TEXT NOT NULL,
        refresh_token        TEXT NOT NULL
    );
    CREATE INDEX connections_by_tenant ON connections (tenant, seq);

    CREATE TABLE automations (
        seq                 INTEGER PRIMARY KEY AUTOINCREMENT,
        uuid                TEXT NOT NULL UNIQUE,
        connection_uuid     TEXT NOT NULL REFERENCES connections (uuid) ON DELETE CASCADE,
        status              TEXT NOT NULL,
        name                TEXT NOT NULL,
        display_name        TEXT NOT NULL,
        code                TEXT NOT NULL,
        description         TEXT NOT NULL,
        direction           TEXT NOT NULL,
        applies_to          TEXT NOT NULL,
        applies_to_function TEXT NOT NULL,
        automation_type     TEXT NOT NULL,
        check_on            TEXT NOT NULL,
        custom_day          TEXT NOT NULL,
        custom_time         TEXT NOT NULL,
        perform_action      TEXT NOT NULL,
        -- The criteria groups as a JSON array of {group_condition, rules: [...]}.
        criteria            TEXT NOT NULL
    );
    CREATE INDEX automations_by_connection ON automations (connection_uuid, seq);

    CREATE TABLE partner_functions (
        seq             INTEGER PRIMARY KEY AUTOINCREMENT,
        uuid            TEXT NOT NULL UNIQUE,
        connection_uuid TEXT NOT NULL REFERENCES connections (uuid) ON DELETE CASCADE,
        enabled         INTEGER NOT NULL,
        created         TEXT NOT NULL,
        updated         TEXT NOT NULL,
        name            TEXT NOT NULL,
        direction       TEXT NOT NULL,
        description     TEXT NOT NULL,
        object_name     TEXT NOT NULL,
        object_mapping  TEXT NOT NULL,
        event_name      TEXT NOT NULL,
        tag             TEXT NOT NULL
    );
    CREATE INDEX partner_functions_by_connection ON partner_functions (connection_uuid, seq);

    CREATE TABLE api_clients (
        client_id   TEXT PRIMARY KEY NOT NULL,
        tenant      TEXT NOT NULL,
        scope       TEXT NOT NULL,
        secret_hash TEXT NOT NULL
    );

    -- The one live grant of each client; a new grant replaces the row.
    CREATE TABLE grants (
        client_id          TEXT PRIMARY KEY NOT NULL,
        access_hash        TEXT NOT NULL,
        access_expires_at  INTEGER NOT NULL,
        refresh_hash       TEXT NOT NULL,
        refresh_expires_at INTEGER NOT NULL
    );
    CREATE INDEX grants_by_access ON grants (access_hash);
    CREATE INDEX grants_by_refresh ON grants (refresh_hash);

    -- No foreign key: a response may outlive the connection until the delete removes it, and
    -- it is removed explicitly in the delete's transaction.
    CREATE TABLE idempotent_responses (
        tenant          TEXT NOT NULL,
        key             TEXT NOT NULL,
        request_hash    TEXT NOT NULL,
        status          INTEGER NOT NULL,
        body            BLOB NOT NULL,
        connection_uuid TEXT,
        created_at      INTEGER NOT NULL,
        PRIMARY KEY (tenant, key)
    );
    CREATE INDEX idempotent_responses_by_connection ON idempotent_responses (connection_uuid);
    CREATE INDEX idempotent_responses_by_age ON idempotent_responses (created_at);

    CREATE TABLE delete_audit (
        seq                 INTEGER PRIMARY KEY AUTOINCREMENT,
        at                  TEXT NOT NULL,
        tenant              TEXT NOT NULL,
        client_id           TEXT NOT NULL,
        connection_uuid     TEXT NOT NULL,
        partner             TEXT NOT NULL,
        sync_configurations INTEGER NOT NULL
    );
    "#,
    // Version 2: idempotency keys are recorded with the resource they created, in the create's
    // own transaction, and name it instead of keeping its response body (which held the partner
    // secrets of the create). The old table is dropped; with secure_delete its pages are
    // overwritten.
    r#"
    DROP TABLE idempotent_responses;
    CREATE TABLE idempotency_keys (
        tenant                TEXT NOT NULL,
        key                   TEXT NOT NULL,
        fingerprint           TEXT NOT NULL,
        created_at            INTEGER NOT NULL,
        -- What the key created: a connection, or an automation or partner function of it.
        connection_uuid       TEXT NOT NULL REFERENCES connections (uuid) ON DELETE CASCADE,
        automation_uuid       TEXT,
        partner_function_uuid TEXT,
        PRIMARY KEY (tenant, key)
    );
    CREATE INDEX idempotency_keys_by_connection ON idempotency_keys (connection_uuid);
    CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);
    "#,
    // Version 3: each connection's configuration document, as the compact JSON of its sections;
    // a connection without a row has the empty document.
    r#"
    CREATE TABLE configurations (
        connection_uuid TEXT PRIMARY KEY NOT NULL REFERENCES connections (uuid) ON DELETE CASCADE,
        document        TEXT NOT NULL
    );
    "#,
    // Version 4: partner secrets are sealed (XChaCha20-Poly1305, see `sealing.rs`): the three
    // secret columns of `connections` hold the sealed bytes as BLOBs, and this table keeps the
    // key's check value. The existing clear values are sealed, in the same transaction, by the
    // code that opens the file.
    r#"
    CREATE TABLE sealing (
        id        INTEGER PRIMARY KEY CHECK (id = 1),
        key_check BLOB NOT NULL
    );
    "#,
];

/// The newest schema version this code knows.
pub(crate) const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

fn unavailable(path: &Path, context: &str, error: rusqlite::Error) -> OpenError {
    if is_corruption(&error) {
        return OpenError::Corrupt {
            path: path.to_owned(),
            reason: describe(&error),
        };
    }
    OpenError::Unavailable {
        path: path.to_owned(),
        message: format!("{context}: {}", describe(&error)),
        source: Box::new(error),
    }
}

/// Checks an existing file without changing it: that it is an intact SQLite database, of this
/// store (or empty), at a schema version this code knows.
///
/// The file is opened read-only, and `immutable` unless a WAL is present, so SQLite never
/// writes the main file here. The writer repeats the version check inside its migration
/// transaction, with the write lock held.
pub(crate) fn inspect(path: &Path, quick_check: bool) -> Result<(), OpenError> {
    match std::fs::metadata(path) {
        Ok(meta) if meta.len() == 0 => return Ok(()),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => {
            return Err(OpenError::Unavailable {
                path: path.to_owned(),
                message: format!("cannot read the file: {e}"),
                source: Box::new(e),
            });
        }
    }
    let conn = if has_wal(path) {
        // After a crash the WAL holds committed pages, maybe a half-done checkpoint: the main
        // file alone may look damaged. A read-only connection reads it with the WAL applied,
        // and never checkpoints, so the main file is still not written.
        Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
    } else {
        // Immutable: no locks, and no `-wal` or `-shm` files created beside a file that may
        // not be a database at all.
        Connection::open_with_flags(
            immutable_uri(path)?,
            OpenFlags::SQLITE_OPEN_READ_ONLY
                | OpenFlags::SQLITE_OPEN_URI
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
    }
    .map_err(|e| unavailable(path, "open for inspection", e))?;
    let tables: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))
        .map_err(|e| unavailable(path, "read the schema", e))?;
    if quick_check {
        let verdict: String = conn
            .query_row("PRAGMA quick_check(1)", [], |r| r.get(0))
            .map_err(|e| unavailable(path, "check integrity", e))?;
        if verdict != "ok" {
            return Err(OpenError::Corrupt {
                path: path.to_owned(),
                reason: verdict,
            });
        }
    }
    let (application_id, version) =
        identity(&conn).map_err(|e| unavailable(path, "read the header", e))?;
    check_identity(path, application_id, version, tables)
}

/// Whether a non-empty `-wal` file lies beside `path`.
fn has_wal(path: &Path) -> bool {
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    std::fs::metadata(wal).is_ok_and(|m| m.len() > 0)
}

/// The file's `application_id` and `user_version`.
fn identity(conn: &Connection) -> rusqlite::Result<(i32, i64)> {
    let application_id = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
    let version = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    Ok((application_id, version))
}

fn check_identity(
    path: &Path,
    application_id: i32,
    version: i64,
    tables: i64,
) -> Result<(), OpenError> {
    let ours = application_id == APPLICATION_ID;
    let blank = application_id == 0 && version == 0 && tables == 0;
    if !ours && !blank {
        return Err(OpenError::Foreign {
            path: path.to_owned(),
            application_id,
        });
    }
    if version > SCHEMA_VERSION {
        return Err(OpenError::NewerSchema {
            path: path.to_owned(),
            found: version,
            supported: SCHEMA_VERSION,
        });
    }
    Ok(())
}

/// `file:` URI of `path` with `mode=ro&immutable=1`, every byte outside the unreserved set
/// percent-encoded so that `?`, `#` and `%` in a file name stay part of the name.
fn immutable_uri(path: &Path) -> Result<String, OpenError> {
    let absolute = std::path::absolute(path).map_err(|e| OpenError::Unavailable {
        path: path.to_owned(),
        message: format!("cannot resolve the path: {e}"),
        source: Box::new(e),
    })?;
    let text = absolute
        .to_str()
        .ok_or_else(|| OpenError::Unavailable {
            path: path.to_owned(),
            message: "the path is not valid UTF-8".into(),
            source: "the path is not valid UTF-8".into(),
        })?
        .replace('\\', "/");
    let mut uri = String::from("file:");
    if !text.starts_with('/') {
        uri.push('/');
    }
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'/' | b'-' | b'_' | b'.' | b'~' | b':') {
            uri.push(char::from(byte));
        } else {
            uri.push_str(&format!("%{byte:02X}"));
        }
    }
    uri.push_str("?mode=ro&immutable=1");
    Ok(uri)
}

/// Opens the one read-write connection: WAL, `synchronous = FULL`, foreign keys, secure
/// delete, temporary data in memory; then brings the schema up to [`SCHEMA_VERSION`].
pub(crate) fn open_writer(
    path: &Path,
    busy_timeout: Duration,
    sealer: &Sealer,
    key: &Key,
) -> Result<Connection, OpenError> {
    let fail = |context: &str| {
        let path: PathBuf = path.to_owned();
        let context = context.to_owned();
        move |e| unavailable(&path, &context, e)
    };
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(fail("open"))?;
    conn.busy_timeout(busy_timeout)
        .map_err(fail("set the busy timeout"))?;
    let mode: String = retry_busy(busy_timeout, || {
        conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
    })
    .map_err(fail("switch to WAL"))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(OpenError::Unavailable {
            path: path.to_owned(),
            message: format!("the file stays in journal mode {mode}, not WAL"),
            source: format!("journal mode {mode}").into(),
        });
    }
    // The page cache is larger than SQLite's 2 MiB default, so that a busy writer reads the
    // B-tree pages it keeps touching from memory rather than from the file (a profile under
    // delete load showed the writer reading pages back). Checkpoints stay automatic, on the
    // writer: a separate checkpoint thread was measured, and its fsyncs of the main file slowed
    // the writer's own commits more than it saved.
    conn.execute_batch(
        "PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;
         PRAGMA secure_delete = ON;
         PRAGMA temp_store = MEMORY;
         PRAGMA cache_size = -32768;",
    )
    .map_err(fail("configure the connection"))?;
    migrate(path, &conn, busy_timeout, sealer, key)?;
    Ok(conn)
}

/// Runs `step` again while SQLite says the file is busy, until `bound` has passed.
///
/// The busy timeout covers most waits, but not all: switching to WAL upgrades a shared lock to
/// an exclusive one, and while another connection holds the reserved lock SQLite answers
/// "database is locked" at once instead of waiting (waiting could deadlock). Retrying the whole
/// statement, which first lets go of the shared lock, waits for the other writer to finish.
fn retry_busy<T>(
    bound: Duration,
    mut step: impl FnMut() -> rusqlite::Result<T>,
) -> rusqlite::Result<T> {
    let deadline = Instant::now() + bound;
    let mut pause = Duration::from_millis(5);
    loop {
        match step() {
            Err(e) if is_busy(&e) => {
                let now = Instant::now();
                if now >= deadline {
                    return Err(e);
                }
                std::thread::sleep(pause.min(deadline - now));
                pause = (pause * 2).min(Duration::from_millis(100));
            }
            other => return other,
        }
    }
}

/// Applies the missing migrations in one transaction, after checking again (now with the WAL
/// recovered and the write lock held) that the file is ours and not newer.
fn migrate(
    path: &Path,
    conn: &Connection,
    busy_timeout: Duration,
    sealer: &Sealer,
    key: &Key,
) -> Result<(), OpenError> {
    let fail = |context: &'static str| move |e| unavailable(path, context, e);
    retry_busy(busy_timeout, || conn.execute_batch("BEGIN IMMEDIATE"))
        .map_err(fail("begin the migration"))?;
    let result = (|| {
        let tables: i64 = conn
            .query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))
            .map_err(fail("read the schema"))?;
        let (application_id, version) = identity(conn).map_err(fail("read the header"))?;
        check_identity(path, application_id, version, tables)?;
        for (from, migration) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            conn.execute_batch(migration)
                .map_err(fail("apply a schema migration"))?;
            conn.pragma_update(None, "user_version", from as i64 + 1)
                .map_err(fail("record the schema version"))?;
        }
        if application_id == 0 {
            conn.pragma_update(None, "application_id", APPLICATION_ID)
                .map_err(fail("record the application id"))?;
        }
        seal_at_rest(path, conn, sealer, key)
    })();
    match result {
        Ok(()) => conn
            .execute_batch("COMMIT")
            .map_err(fail("commit the migration")),
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}

/// Opens one read-only connection of the read pool.
pub(crate) fn open_reader(path: &Path, busy_timeout: Duration) -> rusqlite::Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(busy_timeout)?;
    Ok(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The writer of the store at `path`, with the key file beside it (made when missing).
    fn writer(path: &Path) -> Connection {
        let key = crate::sealing::resolve(path, None).unwrap();
        open_writer(path, Duration::from_secs(1), &Sealer::new(&key.key), &key).unwrap()
    }

    fn file_holds(path: &Path, needle: &str) -> bool {
        std::fs::read(path)
            .unwrap()
            .windows(needle.len())
            .any(|w| w == needle.as_bytes())
    }

    #[test]
    fn the_writer_connection_is_durable_and_wipes_deleted_content() {
        let dir = tempfile::tempdir().unwrap();
        let conn = writer(&dir.path().join("s.db"));
        let pragma = |name: &str| -> i64 {
            conn.query_row(&format!("PRAGMA {name}"), [], |r| r.get(0))
                .unwrap()
        };
        // synchronous: FULL = 2; temp_store: MEMORY = 2.
        assert_eq!(pragma("synchronous"), 2);
        assert_eq!(pragma("foreign_keys"), 1);
        assert_eq!(pragma("secure_delete"), 1);
        assert_eq!(pragma("temp_store"), 2);
        assert_eq!(pragma("user_version"), SCHEMA_VERSION);
        assert_eq!(pragma("application_id"), i64::from(APPLICATION_ID));
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
    }

    #[test]
    fn migrating_twice_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        drop(writer(&path));
        inspect(&path, true).unwrap();
        let conn = writer(&path);
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, SCHEMA_VERSION);
    }

    #[test]
    fn migrating_a_version_1_file_wipes_its_stored_response_bodies() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v1.db");
        let canary = "CANARY-STORED-RESPONSE-BODY";
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA secure_delete = ON;")
                .unwrap();
            conn.execute_batch(MIGRATIONS[0]).unwrap();
            conn.pragma_update(None, "user_version", 1).unwrap();
            conn.pragma_update(None, "application_id", APPLICATION_ID)
                .unwrap();
            conn.execute(
                "INSERT INTO idempotent_responses VALUES ('t', 'k', 'h', 201, ?1, NULL, 1)",
                [format!(r#"{{"client_secret":"{canary}"}}"#).into_bytes()],
            )
            .unwrap();
            conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
                .unwrap();
        }
        let holds = || {
            std::fs::read(&path)
                .unwrap()
                .windows(canary.len())
                .any(|w| w == canary.as_bytes())
        };
        assert!(
            holds(),
            "before the migration the body is in the file, or this proves nothing"
        );
        let conn = writer(&path);
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .unwrap();
        drop(conn);
        assert!(!holds(), "the migration leaves no stored body in the file");
    }

    #[test]
    fn opening_a_file_of_clear_secrets_seals_them_and_wipes_the_clear_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v3.db");
        let canary = "CANARY-PARTNER-SECRET-IN-CLEAR";
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA secure_delete = ON;")
                .unwrap();
            for migration in &MIGRATIONS[..3] {
                conn.execute_batch(migration).unwrap();
            }
            conn.pragma_update(None, "user_version", 3).unwrap();
            conn.pragma_update(None, "application_id", APPLICATION_ID)
                .unwrap();
            conn.execute(
                "INSERT INTO connections (uuid, tenant, status, partner, remote_instance_id, \
                 remote_instance_name, client_id, client_secret, access_token, refresh_token) \
                 VALUES ('3f0c8a52-9a4e-4d8e-9d53-6f3b2f5b8a10', 't', 'ACTIVE', 'XERO', 'r', '', \
                 'c', ?1, '', '')",
                [canary],
            )
            .unwrap();
            conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
                .unwrap();
        }
        assert!(
            file_holds(&path, canary),
            "in clear before, or this proves nothing"
        );
        let conn = writer(&path);
        let kind: String = conn
            .query_row("SELECT typeof(client_secret) FROM connections", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(kind, "blob", "sealed");
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .unwrap();
        drop(conn);
        assert!(
            !file_holds(&path, canary),
            "no clear secret is left in the file"
        );
    }

    #[test]
    fn another_key_or_a_lost_default_key_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.db");
        drop(writer(&path));
        let other = dir.path().join("other.key");
        exsited_secrets::SecretKey::generate()
            .write_new_file(&other)
            .unwrap();
        let key = crate::sealing::resolve(&path, Some(&other)).unwrap();
        assert!(matches!(
            open_writer(&path, Duration::from_secs(1), &Sealer::new(&key.key), &key),
            Err(OpenError::WrongKey { .. })
        ));
        let default = crate::sealing::default_key_file(&path);
        std::fs::remove_file(&default).unwrap();
        let key = crate::sealing::resolve(&path, None).unwrap();
        assert!(matches!(
            open_writer(&path, Duration::from_secs(1), &Sealer::new(&key.key), &key),
            Err(OpenError::Key { .. })
        ));
        assert!(!default.exists(), "the useless new key is not left behind");
    }

    #[test]
    fn uris_escape_special_characters() {
        let uri = immutable_uri(Path::new("/tmp/a b?c#d%e.db")).unwrap();
        assert_eq!(uri, "file:/tmp/a%20b%3Fc%23d%25e.db?mode=ro&immutable=1");
    }
}
