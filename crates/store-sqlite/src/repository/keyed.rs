//! [`KeyedCreates`] on SQLite: the look-up of the key, the create and the key's record run as
//! one job of the writer, so in one transaction (a crash keeps both or neither) and serialized
//! with every other write (two requests with one key cannot both miss the record).

use async_trait::async_trait;
use exsited_core::idempotency::{CreatedResource, IdempotencyKey, Keyed, KeyedCreates};
use exsited_core::{
    Automation, AutomationDetails, AutomationId, Connection, ConnectionId, NewConnection,
    PartnerFunction, PartnerFunctionDetails, PartnerFunctionId, Result, TenantId,
};
use rusqlite::{Connection as Db, OptionalExtension, params};

use super::SqliteRepository;
use super::rows::{connection_partner, find_automation, find_connection, find_function};
use super::writes;
use crate::error::db_error;

/// A live record of a key: its fingerprint and what it created.
struct Record {
    fingerprint: String,
    resource: CreatedResource,
}

fn sql_i64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// The live record of `key` for `tenant`, after dropping every expired record of the store
/// (indexed by age, so this costs little per create).
fn live_record(db: &Db, tenant: &TenantId, key: &IdempotencyKey) -> Result<Option<Record>> {
    let fail = |e| db_error("read an idempotency key", e, false);
    db.prepare_cached("DELETE FROM idempotency_keys WHERE created_at < ?1")
        .and_then(|mut s| s.execute([sql_i64(key.window_start())]))
        .map_err(fail)?;
    let row: Option<(String, String, Option<String>, Option<String>)> = db
        .prepare_cached(
            "SELECT fingerprint, connection_uuid, automation_uuid, partner_function_uuid \
             FROM idempotency_keys WHERE tenant = ?1 AND key = ?2",
        )
        .and_then(|mut s| {
            s.query_row(params![tenant.as_str(), key.as_str()], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .optional()
        })
        .map_err(fail)?;
    let Some((fingerprint, connection, automation, function)) = row else {
        return Ok(None);
    };
    let broken = || crate::error::store_error("an idempotency key record names no valid id", false);
    let connection = ConnectionId::parse(&connection).map_err(|_| broken())?;
    let resource = match (automation, function) {
        (Some(a), None) => {
            CreatedResource::Automation(connection, AutomationId::parse(&a).map_err(|_| broken())?)
        }
        (None, Some(p)) => CreatedResource::PartnerFunction(
            connection,
            PartnerFunctionId::parse(&p).map_err(|_| broken())?,
        ),
        (None, None) => CreatedResource::Connection(connection),
        (Some(_), Some(_)) => return Err(broken()),
    };
    Ok(Some(Record {
        fingerprint,
        resource,
    }))
}

fn record(
    db: &Db,
    tenant: &TenantId,
    key: &IdempotencyKey,
    resource: CreatedResource,
) -> Result<()> {
    let (automation, function) = match resource {
        CreatedResource::Connection(_) => (None, None),
        CreatedResource::Automation(_, id) => (Some(id.to_string()), None),
        CreatedResource::PartnerFunction(_, id) => (None, Some(id.to_string())),
    };
    db.prepare_cached(
        "INSERT OR REPLACE INTO idempotency_keys (tenant, key, fingerprint, created_at, \
         connection_uuid, automation_uuid, partner_function_uuid) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )
    .and_then(|mut s| {
        s.execute(params![
            tenant.as_str(),
            key.as_str(),
            key.fingerprint(),
            sql_i64(key.now()),
            resource.connection().to_string(),
            automation,
            function
        ])
    })
    .map_err(|e| db_error("record an idempotency key", e, false))?;
    Ok(())
}

/// One keyed create on the writer's connection: a replay of what the key's live record names,
/// `Reused` for another fingerprint, or `create` and the record together.
///
/// `replay` reads the named resource; a record whose resource is gone (which the deletes'
/// cascade prevents) is treated as no record.
fn keyed<T>(
    db: &Db,
    tenant: &TenantId,
    key: &IdempotencyKey,
    replay: impl FnOnce(&Db, CreatedResource) -> Option<T>,
    create: impl FnOnce(&Db) -> Result<(T, CreatedResource)>,
) -> Result<Keyed<T>> {
    if let Some(found) = live_record(db, tenant, key)? {
        if found.fingerprint != key.fingerprint() {
            return Ok(Keyed::Reused);
        }
        if let Some(value) = replay(db, found.resource) {
            return Ok(Keyed::Replayed(value));
        }
    }
    let (value, resource) = create(db)?;
    record(db, tenant, key, resource)?;
    Ok(Keyed::Created(value))
}

#[async_trait]
impl KeyedCreates for SqliteRepository {
    async fn create_keyed(
        &self,
        key: &IdempotencyKey,
        new: NewConnection,
    ) -> Result<Keyed<Connection>> {
        let (tenant, key) = (self.tenant.clone(), key.clone());
        let sealer = std::sync::Arc::clone(&self.shared.sealer);
        self.shared
            .writer
            .write(move |db| {
                keyed(
                    db,
                    &tenant,
                    &key,
                    |db, resource| match resource {
                        CreatedResource::Connection(id) => {
                            find_connection(db, &tenant, id, &sealer).ok()
                        }
                        _ => None,
                    },
                    |db| {
                        let made = writes::insert_connection(db, &tenant, new, &sealer)?;
                        let resource = CreatedResource::Connection(made.id);
                        Ok((made, resource))
                    },
                )
            })
            .await
    }

    async fn create_automation_keyed(
        &self,
        key: &IdempotencyKey,
        connection: ConnectionId,
        details: AutomationDetails,
    ) -> Result<Keyed<Automation>> {
        let (tenant, key) = (self.tenant.clone(), key.clone());
        self.shared
            .writer
            .write(move |db| {
                keyed(
                    db,
                    &tenant,
                    &key,
                    |db, resource| match resource {
                        CreatedResource::Automation(c, id) => {
                            let provider = connection_partner(db, &tenant, c).ok()?;
                            find_automation(db, c, &provider, id).ok()
                        }
                        _ => None,
                    },
                    |db| {
                        let made = writes::insert_automation(db, &tenant, connection, details)?;
                        let resource = CreatedResource::Automation(connection, made.id);
                        Ok((made, resource))
                    },
                )
            })
            .await
    }

    async fn create_partner_function_keyed(
        &self,
        key: &IdempotencyKey,
        connection: ConnectionId,
        details: PartnerFunctionDetails,
    ) -> Result<Keyed<PartnerFunction>> {
        let (tenant, key) = (self.tenant.clone(), key.clone());
        self.shared
            .writer
            .write(move |db| {
                keyed(
                    db,
                    &tenant,
                    &key,
                    |db, resource| match resource {
                        CreatedResource::PartnerFunction(c, id) => {
                            let provider = connection_partner(db, &tenant, c).ok()?;
                            find_function(db, c, &provider, id).ok()
                        }
                        _ => None,
                    },
                    |db| {
                        let made =
                            writes::insert_partner_function(db, &tenant, connection, details)?;
                        let resource = CreatedResource::PartnerFunction(connection, made.id);
                        Ok((made, resource))
                    },
                )
            })
            .await
    }
}
