//! The versioned schema: what a database holds, the migrations, and the check of the key.
//!
//! Every open inspects the database inside one transaction that first takes a
//! transaction-level advisory lock, so that instances started at the same moment on an empty
//! database migrate it exactly once: the others wait for the lock, then find it current. A
//! database that holds other tables, a newer schema, or partner secrets sealed under another
//! key is refused, and the transaction is rolled back: nothing was changed.

use deadpool_postgres::{GenericClient, Object, Transaction};
use exsited_secrets::Sealer;
use tokio_postgres::IsolationLevel;

use crate::error::{OpenError, describe};

/// The schema versions, in order: `MIGRATIONS[n]` takes a database from version `n` to `n + 1`.
/// A released migration is never edited; a change of schema is a new entry.
const MIGRATIONS: &[&str] = &[
    // Version 1.
    r#"
    -- What this database is: one row, written by the first migration.
    CREATE TABLE exsited_schema (
        id          integer PRIMARY KEY CHECK (id = 1),
        application text NOT NULL,
        version     integer NOT NULL,
        -- A constant sealed under the key of the first server: a server started with another
        -- key finds that it does not open, and refuses to start.
        key_check   bytea NOT NULL
    );

    CREATE TABLE connections (
        -- Creation order (`created_on`); an identity never hands out a number twice.
        seq                  bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        uuid                 uuid PRIMARY KEY,
        tenant               text NOT NULL,
        status               text NOT NULL,
        partner              text NOT NULL,
        remote_instance_id   text NOT NULL,
        remote_instance_name text NOT NULL,
        client_id            text NOT NULL,
        -- Partner secrets, sealed by the server (exsited-secrets) with its key, bound to this
        -- row and column: no plaintext secret ever reaches the database, its WAL or backups.
        client_secret        bytea NOT NULL,
        access_token         bytea NOT NULL,
        refresh_token        bytea NOT NULL
    );
    CREATE INDEX connections_by_tenant ON connections (tenant, seq);
    CREATE INDEX connections_by_tenant_uuid ON connections (tenant, uuid);

    CREATE TABLE automations (
        seq                 bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        uuid                uuid PRIMARY KEY,
        connection_uuid     uuid NOT NULL REFERENCES connections (uuid) ON DELETE CASCADE,
        status              text NOT NULL,
        name                text NOT NULL,
        display_name        text NOT NULL,
        code                text NOT NULL,
        description         text NOT NULL,
        direction           text NOT NULL,
        applies_to          text NOT NULL,
        applies_to_function text NOT NULL,
        automation_type     text NOT NULL,
        check_on            text NOT NULL,
        custom_day          text NOT NULL,
        custom_time         text NOT NULL,
        perform_action      text NOT NULL,
        -- The criteria groups as a JSON array of {group_condition, rules: [...]}.
        criteria            text NOT NULL
    );
    CREATE INDEX automations_by_connection ON automations (connection_uuid, seq);

    CREATE TABLE partner_functions (
        seq             bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        uuid            uuid PRIMARY KEY,
        connection_uuid uuid NOT NULL REFERENCES connections (uuid) ON DELETE CASCADE,
        enabled         boolean NOT NULL,
        created         text NOT NULL,
        updated         text NOT NULL,
        name            text NOT NULL,
        direction       text NOT NULL,
        description     text NOT NULL,
        object_name     text NOT NULL,
        object_mapping  text NOT NULL,
        event_name      text NOT NULL,
        tag             text NOT NULL
    );
    CREATE INDEX partner_functions_by_connection ON partner_functions (connection_uuid, seq);

    CREATE TABLE api_clients (
        client_id   text PRIMARY KEY,
        tenant      text NOT NULL,
        scope       text NOT NULL,
        secret_hash text NOT NULL
    );

    -- The one live grant of each client; a new grant replaces the row.
    CREATE TABLE grants (
        client_id          text PRIMARY KEY,
        access_hash        text NOT NULL,
        access_expires_at  bigint NOT NULL,
        refresh_hash       text NOT NULL,
        refresh_expires_at bigint NOT NULL
    );
    CREATE INDEX grants_by_access ON grants (access_hash);
    CREATE INDEX grants_by_refresh ON grants (refresh_hash);

    -- A used idempotency key names what it created; it goes with its connection.
    CREATE TABLE idempotency_keys (
        tenant                text NOT NULL,
        key                   text NOT NULL,
        fingerprint           text NOT NULL,
        created_at            bigint NOT NULL,
        connection_uuid       uuid NOT NULL REFERENCES connections (uuid) ON DELETE CASCADE,
        automation_uuid       uuid,
        partner_function_uuid uuid,
        PRIMARY KEY (tenant, key)
    );
    CREATE INDEX idempotency_keys_by_connection ON idempotency_keys (connection_uuid);
    CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);

    CREATE TABLE delete_audit (
        seq                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at                  text NOT NULL,
        tenant              text NOT NULL,
        client_id           text NOT NULL,
        connection_uuid     uuid NOT NULL,
        partner             text NOT NULL,
        sync_configurations bigint NOT NULL
    );
    "#,
    // Version 2: each connection's configuration document, the compact JSON of its sections; a
    // connection without a row has the empty document. It goes with its connection.
    r#"
    CREATE TABLE configurations (
        connection_uuid uuid PRIMARY KEY REFERENCES connections (uuid) ON DELETE CASCADE,
        document        text NOT NULL
    );
    "#,
];

/// The newest schema version this code knows.
pub(crate) const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// `exsited_schema.application` of this store's databases.
const APPLICATION: &str = "exsited";

/// The advisory lock every open takes before looking: "EXST" in ASCII.
const MIGRATION_LOCK: i64 = 0x4558_5354;

/// What a database (its current schema, as `search_path` selects it) holds.
enum Found {
    /// No table at all.
    Empty,
    /// This store's schema at `version`.
    Ours { version: i64, key_check: Vec<u8> },
    /// Tables that are not this store's.
    Foreign { tables: String },
}

fn unavailable(context: &str, error: tokio_postgres::Error) -> OpenError {
    OpenError::Unavailable {
        message: format!("{context}: {}", describe(&error)),
        source: Some(Box::new(error)),
    }
}

/// Looks at the tables of the current schema. `pg_class` rather than `information_schema`,
/// which hides the tables this role has no privilege on.
async fn inspect(db: &impl GenericClient) -> Result<Found, OpenError> {
    let rows = db
        .query(
            "SELECT c.relname::text FROM pg_catalog.pg_class c \
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'f') \
             ORDER BY c.relname",
            &[],
        )
        .await
        .map_err(|e| unavailable("list the tables", e))?;
    let tables: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
    if tables.is_empty() {
        return Ok(Found::Empty);
    }
    let foreign = || {
        let mut shown: Vec<&str> = tables.iter().take(5).map(String::as_str).collect();
        if tables.len() > 5 {
            shown.push("...");
        }
        Found::Foreign {
            tables: shown.join(", "),
        }
    };
    if !tables.iter().any(|t| t == "exsited_schema") {
        return Ok(foreign());
    }
    let row = db
        .query_opt(
            "SELECT application, version::bigint, key_check FROM exsited_schema WHERE id = 1",
            &[],
        )
        .await
        .map_err(|e| unavailable("read the schema version", e))?;
    match row {
        Some(row) if row.get::<_, String>(0) == APPLICATION => Ok(Found::Ours {
            version: row.get(1),
            key_check: row.get(2),
        }),
        _ => Ok(foreign()),
    }
}

/// Brings the database to [`SCHEMA_VERSION`] under the migration lock, after checking that it
/// is empty or ours, not newer, and that `sealer` holds the key its secrets are sealed under.
pub(crate) async fn migrate(
    client: &mut Object,
    sealer: &Sealer,
    database: &str,
) -> Result<(), OpenError> {
    let tx = begin(client).await?;
    tx.query("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await
        .map_err(|e| unavailable("take the migration lock", e))?;
    let from = match inspect(&tx).await? {
        Found::Empty => 0,
        Found::Foreign { tables } => {
            return Err(OpenError::Foreign {
                database: database.to_owned(),
                tables,
            });
        }
        Found::Ours { version, .. } if version > SCHEMA_VERSION => {
            return Err(OpenError::NewerSchema {
                database: database.to_owned(),
                found: version,
                supported: SCHEMA_VERSION,
            });
        }
        Found::Ours { key_check, .. } if !sealer.accepts(&key_check) => {
            return Err(OpenError::WrongKey {
                database: database.to_owned(),
            });
        }
        Found::Ours { version, .. } => version,
    };
    for migration in MIGRATIONS.iter().skip(from as usize) {
        tx.batch_execute(migration)
            .await
            .map_err(|e| unavailable("apply a schema migration", e))?;
    }
    let version = i32::try_from(SCHEMA_VERSION).unwrap_or(i32::MAX);
    let recorded = if from == 0 {
        tx.execute(
            "INSERT INTO exsited_schema (id, application, version, key_check) \
             VALUES (1, $1, $2, $3)",
            &[&APPLICATION, &version, &sealer.check_value()],
        )
        .await
    } else {
        tx.execute("UPDATE exsited_schema SET version = $1", &[&version])
            .await
    };
    recorded.map_err(|e| unavailable("record the schema version", e))?;
    tx.commit()
        .await
        .map_err(|e| unavailable("commit the migration", e))
}

/// Checks, without changing anything, that the database holds this store's schema at exactly
/// [`SCHEMA_VERSION`]: what a tool that only reads (the audit) needs.
pub(crate) async fn check_current(client: &mut Object, database: &str) -> Result<(), OpenError> {
    let tx = begin(client).await?;
    let database = database.to_owned();
    match inspect(&tx).await? {
        Found::Empty => Err(OpenError::NoSchema { database }),
        Found::Foreign { tables } => Err(OpenError::Foreign { database, tables }),
        Found::Ours { version, .. } if version > SCHEMA_VERSION => Err(OpenError::NewerSchema {
            database,
            found: version,
            supported: SCHEMA_VERSION,
        }),
        Found::Ours { version, .. } if version < SCHEMA_VERSION => Err(OpenError::OlderSchema {
            database,
            found: version,
            supported: SCHEMA_VERSION,
        }),
        Found::Ours { .. } => Ok(()),
    }
}

/// A read-committed transaction, whatever the database's default isolation level.
async fn begin(client: &mut Object) -> Result<Transaction<'_>, OpenError> {
    client
        .build_transaction()
        .isolation_level(IsolationLevel::ReadCommitted)
        .start()
        .await
        .map_err(|e| unavailable("begin", e))
}
