//! The write context and the generic writes every module uses.
//!
//! A mutation opens one [`Write`] (`req.write().await?`), passes it to its service calls and
//! ends with [`Write::commit`]: one transaction, an audit entry per change written by the
//! helpers below from the rows themselves, and domain events handed to listeners only after
//! the commit (a rolled-back write announces nothing). Dropping a `Write` without committing
//! rolls everything back. The transaction begins with the first statement ([`Write::tx`]): a
//! mutation refused before it runs none costs no `BEGIN`/`ROLLBACK`.
//!
//! Round trips. On PostgreSQL a new row and its audit entry are one statement (a
//! data-modifying `WITH`), when every audited value is stored exactly as given (no timestamp
//! finer than a microsecond, no decimal or float PostgreSQL could round); otherwise, and on
//! SQLite, two. [`insert_last`] is an [`insert`] that is the write's last statement: when no
//! statement ran before it, it runs alone, without `BEGIN` and `COMMIT` (one statement is
//! atomic by itself), so such a create is one round trip; a statement the write would run
//! after it is refused (`INTERNAL`), never run outside the transaction.
//!
//! - [`insert`]: a create. With a client-chosen id it is idempotent: the same id with the same
//!   content (every column compared) returns the stored row, other content is `CONFLICT`. It is
//!   one statement (`INSERT … ON CONFLICT (id) DO NOTHING RETURNING`): of two concurrent
//!   creates of one id, the loser inserts nothing and compares the stored row as a replay; a
//!   unique value another row holds is answered `CONFLICT`. Never `INTERNAL`. No savepoint:
//!   a failed statement fails the whole write.
//! - [`update`]: a versioned change (stale `expectedVersion`: `CONFLICT`), audited as the diff
//!   of the row before and after.
//! - [`archive`]: `is_active = false` through [`update`].
//! - A reference the foreign keys refuse (`insert` and `update`): `VALIDATION` on the input
//!   field of the column, "no such …" ([`reference_error`]). The database checks the
//!   references, so services run no existence SELECT of their own; they still check what is
//!   more than existence (the caller's scope: [`require_reference`]; an active user:
//!   `identity::service::references::require_active_user`).
//! - [`find_for_write`] and [`require_reference`]: rows the caller may change or refer to;
//!   what the caller may not see answers exactly as what does not exist.
//! - [`locked`]: a row locked for the rest of the write, for checks concurrent writes race.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    IdenStatic, IntoActiveModel, Iterable, ModelTrait, QueryFilter, Value,
};
use tokio::sync::OnceCell;
use uuid::Uuid;

use crate::audit::{self, AuditActor};
use crate::authz::{Access, Scope};
use crate::db::begin_write;
use crate::error::AppError;
use crate::kit::audit::{diff, removal};
use crate::kit::events::DomainEvent;
use crate::kit::resource::{Resource, can_read, can_write, column, event_of, id_column, id_of};
use crate::tenancy::cache::TenantCache;

mod insert;
mod refusals;

pub use insert::{insert, insert_last};
pub use refusals::{is_reference_violation, is_unique_violation, reference_error, unique_conflict};

/// One mutation's transaction, caller and pending events.
pub struct Write<'a> {
    db: DatabaseConnection,
    /// Begun by the first statement.
    tx: OnceCell<DatabaseTransaction>,
    /// Set when [`insert_last`] ran alone: the write is done, later statements are refused.
    done: AtomicBool,
    access: &'a Access,
    actor: AuditActor,
    /// Events of the write, each with whether it is in the outbox already (an insert on
    /// PostgreSQL stores its event in its own statement).
    events: Mutex<Vec<(DomainEvent, bool)>>,
    relay: Option<Relay>,
    cache: Option<Arc<TenantCache>>,
}

/// Who hears of a committed write: the process's relay, for the write's tenant.
#[derive(Clone)]
pub struct Relay {
    /// The process's real-time plumbing.
    pub events: crate::events::Events,
    /// The tenant written to.
    pub tenant: Uuid,
}

impl<'a> Write<'a> {
    /// A write on `db` for `access`; `relay` is woken after the commit (none: the outbox rows
    /// wait for the next sweep). Its transaction begins with its first statement.
    pub fn begin(
        db: &DatabaseConnection,
        access: &'a Access,
        actor: AuditActor,
        relay: Option<Relay>,
    ) -> Self {
        Self {
            db: db.clone(),
            tx: OnceCell::new(),
            done: AtomicBool::new(false),
            access,
            actor,
            events: Mutex::new(Vec::new()),
            relay,
            cache: None,
        }
    }

    /// The same write, telling the tenant's cache what it changed once it commits (see
    /// [`crate::tenancy::cache`]), and reading reference tables through it.
    pub fn with_cache(mut self, cache: Arc<TenantCache>) -> Self {
        self.cache = Some(cache);
        self
    }

    /// The tenant's cache, when the write has one (a request's write does).
    pub fn cache(&self) -> Option<&TenantCache> {
        self.cache.as_deref()
    }

    /// The transaction, begun by the first call: every statement of the write runs on it.
    pub async fn tx(&self) -> Result<&DatabaseTransaction, AppError> {
        if self.done.load(Ordering::Acquire) {
            return Err(AppError::Internal(
                "a statement after the write's last one (kit::write::insert_last)".into(),
            ));
        }
        Ok(self.tx.get_or_try_init(|| begin_write(&self.db)).await?)
    }

    /// Every row of the small reference table `E` (currencies, stages): the tenant cache's
    /// while fresh (no statement, no transaction begun), else read on the write's transaction
    /// (and cached). A write without a cache reads it.
    pub async fn table<E>(&self) -> Result<Arc<Vec<E::Model>>, AppError>
    where
        E: EntityTrait,
        E::Model: Sync,
    {
        match &self.cache {
            Some(cache) => match cache.cached_table::<E>() {
                Some(rows) => Ok(rows),
                None => cache.table_in::<E, _>(self.tx().await?).await,
            },
            None => Ok(Arc::new(E::find().all(self.tx().await?).await?)),
        }
    }

    /// The database the write goes to (services whose SQL differs between backends).
    pub fn backend(&self) -> sea_orm::DbBackend {
        sea_orm::ConnectionTrait::get_database_backend(&self.db)
    }

    /// The caller's grants.
    pub fn access(&self) -> &'a Access {
        self.access
    }

    /// Who the audit trail names.
    pub fn actor(&self) -> AuditActor {
        self.actor
    }

    /// Queues a domain event, stored in the outbox with the write's commit.
    pub fn emit(&self, event: DomainEvent) {
        self.queue(event, false);
    }

    fn queue(&self, event: DomainEvent, stored: bool) {
        self.events
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((event, stored));
    }

    /// Writes one audit entry about `entity` `id` and queues the matching event (without
    /// version or audience: [`Self::record_event`] gives them).
    pub async fn record(
        &self,
        entity: &'static str,
        id: Uuid,
        action: &str,
        changes: audit::Changes,
    ) -> Result<(), AppError> {
        self.record_event(DomainEvent::new(entity, id, action), changes)
            .await
    }

    /// Writes the audit entry of `event` and queues it.
    pub async fn record_event(
        &self,
        event: DomainEvent,
        changes: audit::Changes,
    ) -> Result<(), AppError> {
        audit::record(
            self.tx().await?,
            self.actor,
            event.entity,
            event.id,
            &event.action,
            changes,
        )
        .await?;
        self.emit(event);
        Ok(())
    }

    /// Stores the queued events in the outbox (one statement), commits, then tells the
    /// tenant's cache which entities changed (every change is audited, and every audit entry
    /// queues an event) and wakes the relay.
    pub async fn commit(self) -> Result<(), AppError> {
        let events =
            std::mem::take(&mut *self.events.lock().unwrap_or_else(PoisonError::into_inner));
        let unstored: Vec<&DomainEvent> = events
            .iter()
            .filter(|(_, stored)| !stored)
            .map(|(event, _)| event)
            .collect();
        if !unstored.is_empty() {
            let tx = match self.tx.get() {
                Some(tx) => tx,
                None => self.tx().await?,
            };
            crate::events::outbox::store(tx, &unstored).await?;
        }
        if let Some(tx) = self.tx.into_inner() {
            crate::db::commit(tx).await?;
        }
        #[cfg(debug_assertions)]
        fault_after_commit();
        if let Some(cache) = &self.cache {
            cache.committed(events.iter().map(|(e, _)| e.entity));
        }
        if let Some(relay) = &self.relay
            && !events.is_empty()
        {
            relay.events.committed(relay.tenant);
        }
        Ok(())
    }
}

/// Test fault (debug builds only): with `ERP_FAULT_KILL_AFTER_COMMIT` set, the process
/// SIGKILLs itself right after a write commits, before anything is published, as a crash
/// there would (`tests/integration/realtime.rs`).
#[cfg(debug_assertions)]
fn fault_after_commit() {
    static SET: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    if *SET.get_or_init(|| std::env::var_os("ERP_FAULT_KILL_AFTER_COMMIT").is_some()) {
        let pid = std::process::id().to_string();
        let _ = std::process::Command::new("kill")
            .args(["-KILL", &pid])
            .status();
        std::process::abort();
    }
}

async fn find_by_id<R: Resource>(w: &Write<'_>, id: Uuid) -> Result<Option<R::Model>, AppError> {
    Ok(R::find()
        .filter(id_column::<R>().eq(id))
        .one(w.tx().await?)
        .await?)
}

/// Row `id` of `R`, locked until the write ends (PostgreSQL `SELECT … FOR UPDATE`; SQLite's
/// write transaction holds the database's writer lock from its first statement), whoever the
/// caller is: for a check that reads what concurrent writes change (a customer's credit
/// exposure, what an invoice has left to credit), so two of them run one after the other and
/// the second sees what the first committed.
pub async fn locked<R: Resource>(w: &Write<'_>, id: Uuid) -> Result<Option<R::Model>, AppError> {
    let tx = w.tx().await?;
    let query = R::find().filter(id_column::<R>().eq(id));
    let query =
        if sea_orm::ConnectionTrait::get_database_backend(tx) == sea_orm::DbBackend::Postgres {
            sea_orm::QuerySelect::lock_exclusive(query)
        } else {
            query
        };
    Ok(query.one(tx).await?)
}

/// The row `id` of `R` for a change by the caller: `NOT_FOUND` when it does not exist or the
/// caller may not see or change it (the answer does not tell which).
pub async fn find_for_write<R: Resource>(w: &Write<'_>, id: Uuid) -> Result<R::Model, AppError> {
    w.access().require(R::INFO.write)?;
    match find_by_id::<R>(w, id).await? {
        Some(row) if can_write::<R>(w.access(), &row) => Ok(row),
        _ => Err(AppError::NotFound {
            entity: R::INFO.name,
        }),
    }
}

/// The row named by an input field (`field`, e.g. `input.customerId`): it must exist and be
/// readable by the caller, else `VALIDATION` "no such …", the same for both.
pub async fn reference_row<R: Resource>(
    w: &Write<'_>,
    id: Uuid,
    field: &str,
) -> Result<R::Model, AppError> {
    match find_by_id::<R>(w, id).await? {
        Some(row)
            if w.access().scope(R::INFO.read).is_some() && can_read::<R>(w.access(), &row) =>
        {
            Ok(row)
        }
        _ => Err(AppError::validation(
            field,
            format!("no such {}", R::INFO.name.replace('_', " ")),
        )),
    }
}

/// Checks a reference to `R` that the written row stores in a column with a declared foreign
/// key (`ResourceInfo::references`): like [`reference_row`], but without a SELECT when the
/// caller reads every row of `R` (scope `ALL`, or `R` has no owners). Existence is then all
/// there is to check, and the foreign key checks it in the write itself (the kit answers
/// "no such …" on the same field).
pub async fn require_reference<R: Resource>(
    w: &Write<'_>,
    id: Option<Uuid>,
    field: &str,
) -> Result<(), AppError> {
    let Some(id) = id else { return Ok(()) };
    let reaches_all = match w.access().scope(R::INFO.read) {
        Some(Scope::All) => true,
        Some(Scope::Own) => R::INFO.owners.is_empty(),
        None => false,
    };
    if !reaches_all {
        reference_row::<R>(w, id, field).await?;
    }
    Ok(())
}

/// Writes `row` (changes on top of `before`) if the stored version is still
/// `expected_version`, bumps the version, and audits the difference as `action`. Stale:
/// `CONFLICT`; a unique value another row holds: `CONFLICT`.
pub async fn update<R>(
    w: &Write<'_>,
    before: &R::Model,
    mut row: R::ActiveModel,
    expected_version: i32,
    action: &str,
) -> Result<R::Model, AppError>
where
    R: Resource,
    R::ActiveModel: ActiveModelTrait<Entity = R> + Send,
{
    let version = column::<R>("version");
    let stale = || {
        AppError::Conflict(format!(
            "the {} was changed by someone else (expected version {expected_version}); reload and retry",
            R::INFO.name
        ))
    };
    if before.get(version) != Value::Int(Some(expected_version)) {
        return Err(stale());
    }
    let id = id_of::<R>(before);
    row.set(version, Value::Int(Some(expected_version + 1)));
    if let Some(updated_at) = R::Column::iter().find(|c| c.as_str() == "updated_at") {
        row.set(updated_at, Value::ChronoDateTimeUtc(Some(Utc::now())));
    }
    // One statement, no savepoint: see `insert`.
    let result = R::update_many()
        .set(row.clone())
        .filter(id_column::<R>().eq(id))
        .filter(version.eq(expected_version))
        .exec(w.tx().await?)
        .await;
    match result {
        Ok(r) if r.rows_affected == 1 => {}
        Ok(_) => return Err(stale()),
        Err(e) if is_unique_violation(&e) => return Err(unique_conflict::<R>(&row, &e)),
        Err(e) if is_reference_violation(&e) => {
            return Err(reference_error::<R, _>(w.tx().await?, &row, &e).await?);
        }
        Err(e) => return Err(e.into()),
    }
    audit_change::<R>(w, before, action).await
}

/// Archives `before` (`is_active = false`), audited as `archive`; an archived row is returned
/// as it is.
pub async fn archive<R>(w: &Write<'_>, before: R::Model) -> Result<R::Model, AppError>
where
    R: Resource,
    R::ActiveModel: ActiveModelTrait<Entity = R> + Send,
    R::Model: IntoActiveModel<R::ActiveModel>,
{
    let active = column::<R>("is_active");
    if before.get(active) == Value::Bool(Some(false)) {
        return Ok(before);
    }
    let version = match before.get(column::<R>("version")) {
        Value::Int(Some(v)) => v,
        _ => {
            return Err(AppError::Internal(format!(
                "{} without version",
                R::INFO.name
            )));
        }
    };
    let mut row = <R::ActiveModel as ActiveModelTrait>::default();
    row.set(active, Value::Bool(Some(false)));
    update::<R>(w, &before, row, version, "archive").await
}

/// Writes `row` (changes on top of `before`) to a resource without a version column (an API
/// key's revocation), audited as the difference, as `action`.
pub async fn change<R>(
    w: &Write<'_>,
    before: &R::Model,
    row: R::ActiveModel,
    action: &str,
) -> Result<R::Model, AppError>
where
    R: Resource,
    R::ActiveModel: ActiveModelTrait<Entity = R> + Send,
{
    let id = id_of::<R>(before);
    R::update_many()
        .set(row)
        .filter(id_column::<R>().eq(id))
        .exec(w.tx().await?)
        .await?;
    audit_change::<R>(w, before, action).await
}

/// Deletes `before`, audited as `delete` with every field it held.
pub async fn delete<R: Resource>(w: &Write<'_>, before: &R::Model) -> Result<(), AppError> {
    let id = id_of::<R>(before);
    R::delete_many()
        .filter(id_column::<R>().eq(id))
        .exec(w.tx().await?)
        .await?;
    w.record_event(
        event_of::<R>("delete", Some(before), None),
        removal::<R>(before),
    )
    .await
}

/// The row `before` names as it is now, audited as the difference from `before`.
async fn audit_change<R: Resource>(
    w: &Write<'_>,
    before: &R::Model,
    action: &str,
) -> Result<R::Model, AppError> {
    let id = id_of::<R>(before);
    let after = find_by_id::<R>(w, id).await?.ok_or(AppError::NotFound {
        entity: R::INFO.name,
    })?;
    w.record_event(
        event_of::<R>(action, Some(before), Some(&after)),
        diff::<R>(Some(before), &after),
    )
    .await?;
    crate::modules::notifications::service::assigned::<R>(w, Some(before), &after).await?;
    Ok(after)
}
