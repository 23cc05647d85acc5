//! [`KeyedCreates`] on PostgreSQL: the look-up of the key, the create and the key's record are
//! one transaction, after a transaction-level advisory lock on the key. Concurrent callers with
//! one key, on any instances, take turns: the first creates and records, the others find its
//! record and replay. A crash keeps both the resource and its record, or neither.

use async_trait::async_trait;
use deadpool_postgres::{GenericClient, Object, Transaction};
use exsited_core::idempotency::{CreatedResource, IdempotencyKey, Keyed, KeyedCreates};
use exsited_core::{
    Automation, AutomationDetails, Connection, ConnectionId, Error, NewConnection, PartnerFunction,
    PartnerFunctionDetails, Result, TenantId,
};

use super::{PostgresRepository, begin, query_opt, writes};
use crate::error::db_error;
use crate::rows::{get, resource_from_row, resource_values, sql_i64};

const CONTEXT: &str = "create under an idempotency key";

/// How many expired records a keyed create drops on its way, oldest first. Bounded, and rows
/// another transaction holds are skipped, so that the sweep never makes two creates wait on
/// each other.
const SWEEP: i64 = 64;

/// What a keyed create makes.
enum Create {
    Connection(NewConnection),
    Automation(ConnectionId, AutomationDetails),
    PartnerFunction(ConnectionId, PartnerFunctionDetails),
}

/// A resource a keyed create made or replays, before it is handed back typed.
enum Made {
    Connection(Connection),
    Automation(Automation),
    PartnerFunction(PartnerFunction),
}

impl Made {
    fn resource(&self) -> CreatedResource {
        match self {
            Made::Connection(c) => CreatedResource::Connection(c.id),
            Made::Automation(a) => CreatedResource::Automation(a.connection_id, a.id),
            Made::PartnerFunction(p) => CreatedResource::PartnerFunction(p.connection_id, p.id),
        }
    }
}

/// The typed resource of a keyed create's outcome. A record names a resource of the kind its
/// create made (the fingerprint covers the route), so another kind is a broken record, as in
/// the memory backend.
fn typed<T>(outcome: Keyed<Made>, pick: fn(Made) -> Option<T>) -> Result<Keyed<T>> {
    let broken = || Error::Conflict {
        message: "the idempotency key names a resource of another kind".to_owned(),
    };
    Ok(match outcome {
        Keyed::Created(m) => Keyed::Created(pick(m).ok_or_else(broken)?),
        Keyed::Replayed(m) => Keyed::Replayed(pick(m).ok_or_else(broken)?),
        Keyed::Reused => Keyed::Reused,
    })
}

/// `Ok(None)` for `NotFound`: a record whose resource is gone is no record.
fn found<T>(result: Result<T>) -> Result<Option<T>> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(Error::NotFound { .. }) => Ok(None),
        Err(other) => Err(other),
    }
}

/// Takes the key's lock, drops some expired records, and reads what the key's live record
/// names: its fingerprint and resource.
async fn live_record(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    key: &IdempotencyKey,
) -> Result<Option<(String, CreatedResource)>> {
    let fail = |e| db_error(CONTEXT, e, false);
    // Neither a tenant nor a key holds a space, so `tenant key` names one key of one tenant.
    let lock = tx
        .prepare_cached("SELECT pg_advisory_xact_lock(hashtextextended($1 || ' ' || $2, 0))")
        .await
        .map_err(fail)?;
    tx.query(&lock, &[&tenant.as_str(), &key.as_str()])
        .await
        .map_err(fail)?;
    let sweep = tx
        .prepare_cached(
            "DELETE FROM idempotency_keys WHERE ctid IN (SELECT ctid FROM idempotency_keys \
             WHERE created_at < $1 ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED)",
        )
        .await
        .map_err(fail)?;
    tx.execute(&sweep, &[&sql_i64(key.window_start()), &SWEEP])
        .await
        .map_err(fail)?;
    let row = query_opt(
        tx,
        CONTEXT,
        "SELECT fingerprint, connection_uuid, automation_uuid, partner_function_uuid \
         FROM idempotency_keys WHERE tenant = $1 AND key = $2 AND created_at >= $3",
        &[
            &tenant.as_str(),
            &key.as_str(),
            &sql_i64(key.window_start()),
        ],
    )
    .await?;
    match row {
        Some(row) => Ok(Some((get(&row, 0)?, resource_from_row(&row, 1)?))),
        None => Ok(None),
    }
}

/// Stores the record of `key`, replacing an expired one or one whose resource is gone.
async fn record(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    key: &IdempotencyKey,
    resource: CreatedResource,
) -> Result<()> {
    let (connection, automation, function) = resource_values(resource);
    let statement = tx
        .prepare_cached(
            "INSERT INTO idempotency_keys (tenant, key, fingerprint, created_at, \
             connection_uuid, automation_uuid, partner_function_uuid) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (tenant, key) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, \
             created_at = EXCLUDED.created_at, connection_uuid = EXCLUDED.connection_uuid, \
             automation_uuid = EXCLUDED.automation_uuid, \
             partner_function_uuid = EXCLUDED.partner_function_uuid",
        )
        .await
        .map_err(|e| db_error(CONTEXT, e, false))?;
    tx.execute(
        &statement,
        &[
            &tenant.as_str(),
            &key.as_str(),
            &key.fingerprint(),
            &sql_i64(key.now()),
            &connection,
            &automation,
            &function,
        ],
    )
    .await
    .map_err(|e| db_error(CONTEXT, e, false))?;
    Ok(())
}

impl PostgresRepository {
    /// The resource a key record names, as it is now; `None` if it is gone.
    async fn resolve(
        &self,
        db: &impl GenericClient,
        resource: CreatedResource,
    ) -> Result<Option<Made>> {
        Ok(match resource {
            CreatedResource::Connection(id) => {
                found(self.read_connection(db, id).await)?.map(Made::Connection)
            }
            CreatedResource::Automation(c, id) => {
                found(self.read_automation(db, c, id).await)?.map(Made::Automation)
            }
            CreatedResource::PartnerFunction(c, id) => {
                found(self.read_partner_function(db, c, id).await)?.map(Made::PartnerFunction)
            }
        })
    }

    /// One keyed create: a replay of what the key's live record names, `Reused` for another
    /// fingerprint, or the create and its record, committed together. A failed create rolls
    /// the transaction back: no record.
    async fn keyed(&self, key: &IdempotencyKey, create: Create) -> Result<Keyed<Made>> {
        let mut client = self.client().await?;
        self.store
            .db
            .timed(self.keyed_on(&mut client, key, create))
            .await
    }

    /// [`keyed`](Self::keyed) on a connection of the pool, in one transaction.
    async fn keyed_on(
        &self,
        client: &mut Object,
        key: &IdempotencyKey,
        create: Create,
    ) -> Result<Keyed<Made>> {
        let tx = begin(client, CONTEXT).await?;
        if let Some((fingerprint, resource)) = live_record(&tx, &self.tenant, key).await? {
            if fingerprint != key.fingerprint() {
                return Ok(Keyed::Reused);
            }
            if let Some(made) = self.resolve(&tx, resource).await? {
                tx.commit().await.map_err(|e| db_error(CONTEXT, e, false))?;
                return Ok(Keyed::Replayed(made));
            }
        }
        let made = match create {
            Create::Connection(new) => Made::Connection(
                writes::insert_connection(&tx, &self.store.sealer, &self.tenant, new).await?,
            ),
            Create::Automation(connection, details) => Made::Automation(
                writes::insert_automation(&tx, &self.tenant, connection, details).await?,
            ),
            Create::PartnerFunction(connection, details) => Made::PartnerFunction(
                writes::insert_partner_function(&tx, &self.tenant, connection, details).await?,
            ),
        };
        record(&tx, &self.tenant, key, made.resource()).await?;
        tx.commit().await.map_err(|e| db_error(CONTEXT, e, true))?;
        Ok(Keyed::Created(made))
    }
}

#[async_trait]
impl KeyedCreates for PostgresRepository {
    async fn create_keyed(
        &self,
        key: &IdempotencyKey,
        new: NewConnection,
    ) -> Result<Keyed<Connection>> {
        let outcome = self.keyed(key, Create::Connection(new)).await?;
        typed(outcome, |m| match m {
            Made::Connection(c) => Some(c),
            _ => None,
        })
    }

    async fn create_automation_keyed(
        &self,
        key: &IdempotencyKey,
        connection: ConnectionId,
        details: AutomationDetails,
    ) -> Result<Keyed<Automation>> {
        let outcome = self
            .keyed(key, Create::Automation(connection, details))
            .await?;
        typed(outcome, |m| match m {
            Made::Automation(a) => Some(a),
            _ => None,
        })
    }

    async fn create_partner_function_keyed(
        &self,
        key: &IdempotencyKey,
        connection: ConnectionId,
        details: PartnerFunctionDetails,
    ) -> Result<Keyed<PartnerFunction>> {
        let outcome = self
            .keyed(key, Create::PartnerFunction(connection, details))
            .await?;
        typed(outcome, |m| match m {
            Made::PartnerFunction(p) => Some(p),
            _ => None,
        })
    }
}
