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

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use chrono::Utc;
use entities::identity::audit_entry;
use sea_orm::sea_query::{
    Alias, Asterisk, CommonTableExpression, Expr, OnConflict, Query, WithClause,
};
use sea_orm::{
    ActiveModelBehavior, ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, DbBackend, DbErr, EntityTrait, IdenStatic, IntoActiveModel, Iterable,
    ModelTrait, QueryFilter, QueryTrait, TryInsertResult, Value,
};
use tokio::sync::OnceCell;
use uuid::Uuid;

use crate::audit::{self, AuditActor};
use crate::authz::{Access, Scope};
use crate::db::begin_write;
use crate::error::AppError;
use crate::kit::audit::{creation, diff, removal};
use crate::kit::events::{DomainEvent, EventBus};
use crate::kit::resource::{Resource, can_read, can_write, column, id_column, id_of};
use crate::tenancy::cache::TenantCache;

mod refusals;

use refusals::replay;
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
    events: Mutex<Vec<DomainEvent>>,
    bus: Option<EventBus>,
    cache: Option<Arc<TenantCache>>,
}

impl<'a> Write<'a> {
    /// A write on `db` for `access` (events go to `bus` after the commit). Its transaction
    /// begins with its first statement.
    pub fn begin(
        db: &DatabaseConnection,
        access: &'a Access,
        actor: AuditActor,
        bus: Option<EventBus>,
    ) -> Self {
        Self {
            db: db.clone(),
            tx: OnceCell::new(),
            done: AtomicBool::new(false),
            access,
            actor,
            events: Mutex::new(Vec::new()),
            bus,
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

    /// The caller's grants.
    pub fn access(&self) -> &'a Access {
        self.access
    }

    /// Who the audit trail names.
    pub fn actor(&self) -> AuditActor {
        self.actor
    }

    /// Queues a domain event, published after the commit.
    pub fn emit(&self, entity: &'static str, id: Uuid, action: &str) {
        self.events
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(DomainEvent {
                entity,
                id,
                action: action.to_owned(),
            });
    }

    /// Writes one audit entry about `entity` `id` and queues the matching event.
    pub async fn record(
        &self,
        entity: &'static str,
        id: Uuid,
        action: &str,
        changes: audit::Changes,
    ) -> Result<(), AppError> {
        audit::record(self.tx().await?, self.actor, entity, id, action, changes).await?;
        self.emit(entity, id, action);
        Ok(())
    }

    /// Commits, then tells the tenant's cache which entities changed (every change is audited,
    /// and every audit entry queues an event) and hands the events to the listeners.
    pub async fn commit(self) -> Result<(), AppError> {
        if let Some(tx) = self.tx.into_inner() {
            crate::db::commit(tx).await?;
        }
        let events = self
            .events
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(cache) = &self.cache {
            cache.committed(events.iter().map(|e| e.entity));
        }
        if let Some(bus) = &self.bus {
            for event in events {
                bus.publish(event);
            }
        }
        Ok(())
    }
}

async fn find_by_id<R: Resource>(w: &Write<'_>, id: Uuid) -> Result<Option<R::Model>, AppError> {
    Ok(R::find()
        .filter(id_column::<R>().eq(id))
        .one(w.tx().await?)
        .await?)
}

/// Inserts `row` and audits it as `create`. `client_id`: the id was chosen by the client, so
/// a row already stored under it is a replay (see the module header).
pub async fn insert<R>(
    w: &Write<'_>,
    row: R::ActiveModel,
    client_id: bool,
) -> Result<R::Model, AppError>
where
    R: Resource,
    R::ActiveModel: ActiveModelTrait<Entity = R> + ActiveModelBehavior + Send,
    R::Model: IntoActiveModel<R::ActiveModel>,
{
    insert_row::<R>(w, row, client_id, false).await
}

/// [`insert`] as the write's last statement: alone, without a transaction, when no statement
/// ran before it (see the module header). Nothing may run on the write after it.
pub async fn insert_last<R>(
    w: &Write<'_>,
    row: R::ActiveModel,
    client_id: bool,
) -> Result<R::Model, AppError>
where
    R: Resource,
    R::ActiveModel: ActiveModelTrait<Entity = R> + ActiveModelBehavior + Send,
    R::Model: IntoActiveModel<R::ActiveModel>,
{
    insert_row::<R>(w, row, client_id, true).await
}

async fn insert_row<R>(
    w: &Write<'_>,
    row: R::ActiveModel,
    client_id: bool,
    last: bool,
) -> Result<R::Model, AppError>
where
    R: Resource,
    R::ActiveModel: ActiveModelTrait<Entity = R> + ActiveModelBehavior + Send,
    R::Model: IntoActiveModel<R::ActiveModel>,
{
    let id = match row.get(id_column::<R>()).into_value() {
        Some(Value::Uuid(Some(id))) => id,
        _ => return Err(AppError::Internal(format!("{} without id", R::INFO.name))),
    };
    if w.db.get_database_backend() == DbBackend::Postgres
        && let Some(changes) = changes_as_stored::<R>(&row)
    {
        let entry = audit::entry(w.actor, R::INFO.name, id, "create", changes);
        let statement = with_audit_entry::<R>(&row, client_id, entry)?;
        let inserted = if last && w.tx.get().is_none() && !w.done.swap(true, Ordering::AcqRel) {
            insert_statement::<R, _>(&w.db, &row, id, statement).await?
        } else {
            insert_statement::<R, _>(w.tx().await?, &row, id, statement).await?
        };
        return match inserted {
            Inserted::New(inserted) => {
                w.done.store(last, Ordering::Release);
                debug_assert_eq!(
                    changes_as_stored::<R>(&row),
                    Some(diff::<R>(None, &inserted)),
                    "the audit entry written with {} {id} differs from the stored row",
                    R::INFO.name
                );
                w.emit(R::INFO.name, id, "create");
                Ok(inserted)
            }
            Inserted::Replay(stored) => {
                w.done.store(last, Ordering::Release);
                stored
            }
        };
    }
    let tx = w.tx().await?;
    // One statement. A failed one leaves nothing behind: SQLite undoes the statement, and on
    // PostgreSQL the error aborts the transaction, which the write's error then rolls back. So
    // no savepoint (two round trips on PostgreSQL) is needed around it.
    let result = if client_id {
        // A stored id (a replay, or a concurrent create of the same id that committed first)
        // inserts nothing; the stored row is then compared below.
        R::insert(row.clone())
            .on_conflict_do_nothing_on([id_column::<R>()])
            .exec_with_returning(tx)
            .await
            .map(|r| match r {
                TryInsertResult::Inserted(row) => Some(row),
                TryInsertResult::Empty | TryInsertResult::Conflicted => None,
            })
            .or_else(|e| match e {
                // sea-orm 2.0 reports an empty `RETURNING` this way on this path.
                DbErr::RecordNotFound(_) => Ok(None),
                e => Err(e),
            })
    } else {
        row.clone().insert(tx).await.map(Some)
    };
    let inserted = match refused::<R, _>(tx, &row, id, result).await? {
        Inserted::New(inserted) => inserted,
        Inserted::Replay(stored) => return stored,
    };
    w.record(R::INFO.name, id, "create", diff::<R>(None, &inserted))
        .await?;
    // The same rule on every backend, so a statement after the last one fails on SQLite too.
    if last {
        w.done.store(true, Ordering::Release);
    }
    Ok(inserted)
}

/// What an insert did: wrote the row, or found one stored under its id (compared as a replay).
enum Inserted<M> {
    New(M),
    Replay(Result<M, AppError>),
}

/// Runs `statement` (the row and its audit entry, [`with_audit_entry`]) on `db`.
async fn insert_statement<R, C>(
    db: &C,
    row: &R::ActiveModel,
    id: Uuid,
    statement: sea_orm::Statement,
) -> Result<Inserted<R::Model>, AppError>
where
    R: Resource,
    R::ActiveModel: ActiveModelTrait<Entity = R>,
    C: ConnectionTrait,
{
    let result = R::find().from_raw_sql(statement).one(db).await;
    refused::<R, C>(db, row, id, result).await
}

/// The outcome of inserting `row` (`Ok(None)`: a row is stored under `id` already) as the kit
/// answers it: a refused unique value is `CONFLICT`, a refused reference `VALIDATION`.
async fn refused<R, C>(
    db: &C,
    row: &R::ActiveModel,
    id: Uuid,
    result: Result<Option<R::Model>, DbErr>,
) -> Result<Inserted<R::Model>, AppError>
where
    R: Resource,
    R::ActiveModel: ActiveModelTrait<Entity = R>,
    C: ConnectionTrait,
{
    match result {
        Ok(Some(inserted)) => Ok(Inserted::New(inserted)),
        Ok(None) => {
            let stored = R::find()
                .filter(id_column::<R>().eq(id))
                .one(db)
                .await?
                .ok_or_else(|| {
                    AppError::Internal(format!("{} {id} neither inserted nor stored", R::INFO.name))
                })?;
            Ok(Inserted::Replay(replay::<R>(row, stored)))
        }
        Err(e) if is_unique_violation(&e) => Err(unique_conflict::<R>(row, &e)),
        Err(e) if is_reference_violation(&e) => Err(reference_error::<R, _>(db, row, &e).await?),
        Err(e) => Err(e.into()),
    }
}

/// What the audit entry of `row`'s creation records, when PostgreSQL stores every audited value
/// of `row` exactly as given, so the entry can be written with the row before it comes back.
/// `None` when a column is left to a default or may be rounded or normalised.
fn changes_as_stored<R>(row: &R::ActiveModel) -> Option<audit::Changes>
where
    R: Resource,
    R::ActiveModel: ActiveModelTrait<Entity = R>,
{
    for column in R::Column::iter() {
        if crate::kit::audit::is_bookkeeping::<R>(column.as_str()) {
            continue;
        }
        let exact = match row.get(column).into_value()? {
            Value::Bool(_)
            | Value::TinyInt(_)
            | Value::SmallInt(_)
            | Value::Int(_)
            | Value::BigInt(_)
            | Value::String(_)
            | Value::Uuid(_)
            | Value::ChronoDate(_)
            | Value::ChronoDateTimeUtc(None) => true,
            Value::ChronoDateTimeUtc(Some(t)) => t.timestamp_subsec_nanos() % 1_000 == 0,
            _ => false,
        };
        if !exact {
            return None;
        }
    }
    creation::<R>(row)
}

/// `WITH "row" AS (INSERT … RETURNING *), "entry" AS (INSERT INTO audit_entry … SELECT … FROM
/// "row") SELECT * FROM "row"`: the row and its audit entry in one statement. A client id
/// already stored inserts neither (`ON CONFLICT (id) DO NOTHING` returns no row).
fn with_audit_entry<R>(
    row: &R::ActiveModel,
    client_id: bool,
    entry: audit_entry::ActiveModel,
) -> Result<sea_orm::Statement, AppError>
where
    R: Resource,
    R::ActiveModel: ActiveModelTrait<Entity = R>,
{
    let mut insert = R::insert(row.clone());
    if client_id {
        insert = insert.on_conflict(OnConflict::column(id_column::<R>()).do_nothing().to_owned());
    }
    let mut row_insert = insert.into_query();
    row_insert.returning_all();
    let columns: Vec<audit_entry::Column> = audit_entry::Column::iter().collect();
    let values = columns
        .iter()
        .map(|c| entry.get(*c).into_value().map(Expr::val))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| AppError::Internal("an audit entry without every column".into()))?;
    let mut entry_insert = Query::insert();
    entry_insert
        .into_table(audit_entry::Entity)
        .columns(columns)
        .select_from(
            Query::select()
                .exprs(values)
                .from(Alias::new("row"))
                .to_owned(),
        )
        .map_err(|e| AppError::Internal(format!("audit entry statement: {e}")))?;
    let with = WithClause::new()
        .cte(
            CommonTableExpression::new()
                .query(row_insert)
                .table_name(Alias::new("row"))
                .to_owned(),
        )
        .cte(
            CommonTableExpression::new()
                .query(entry_insert)
                .table_name(Alias::new("entry"))
                .to_owned(),
        )
        .to_owned();
    let query = Query::select()
        .column(Asterisk)
        .from(Alias::new("row"))
        .to_owned()
        .with(with);
    Ok(DbBackend::Postgres.build(&query))
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
    w.record(R::INFO.name, id, "delete", removal::<R>(before))
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
    w.record(R::INFO.name, id, action, diff::<R>(Some(before), &after))
        .await?;
    Ok(after)
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use entities::master::product_category;
    use sea_orm::{Database, EntityTrait, PaginatorTrait, Set};
    use uuid::Uuid;

    use super::*;
    use crate::auth::{Actor, Principal};
    use migration::MigratorTrait;

    #[tokio::test]
    async fn nothing_runs_on_a_write_after_its_last_insert_and_the_insert_commits_with_its_entry() {
        let db = Database::connect("sqlite::memory:").await.unwrap();
        migration::tenant::Migrator::up(&db, None).await.unwrap();
        let access = Access::for_tests(Principal {
            tenant_id: Uuid::nil(),
            actor: Actor::User(Uuid::now_v7()),
            session_id: None,
        });
        let w = Write::begin(&db, &access, AuditActor(None), None);
        let row = product_category::ActiveModel {
            id: Set(Uuid::now_v7()),
            name: Set("Tools".into()),
            created_at: Set(Utc::now()),
        };
        insert_last::<product_category::Entity>(&w, row, false)
            .await
            .unwrap();
        assert!(
            matches!(w.tx().await, Err(AppError::Internal(_))),
            "a statement after the last one must be refused"
        );
        w.commit().await.unwrap();
        assert_eq!(
            product_category::Entity::find().count(&db).await.unwrap(),
            1
        );
        assert_eq!(audit_entry::Entity::find().count(&db).await.unwrap(), 1);
    }
}
