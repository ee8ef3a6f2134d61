//! Creates: [`insert`] and [`insert_last`] (see the module header of [`crate::kit::write`]),
//! the row and its audit entry in one statement on PostgreSQL, and what a refused insert
//! answers.

use entities::events::outbox;
use entities::identity::audit_entry;
use sea_orm::sea_query::{
    Alias, Asterisk, CommonTableExpression, Expr, OnConflict, Query, WithClause,
};
use sea_orm::{
    ActiveModelBehavior, ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, DbErr,
    EntityTrait, IdenStatic, IntoActiveModel, Iterable, QueryFilter, QueryTrait, TryInsertResult,
    Value,
};
use std::sync::atomic::Ordering;
use uuid::Uuid;

use super::Write;
use super::refusals::replay;
use super::{is_reference_violation, is_unique_violation, reference_error, unique_conflict};
use crate::audit;
use crate::error::AppError;
use crate::kit::audit::{creation, diff};
use crate::kit::events::DomainEvent;
use crate::kit::resource::{Resource, column, event_of, id_column, uuid_value};
use crate::modules::notifications::service as notifications;

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
        let event = new_row_event::<R>(&row, id);
        let statement = with_audit_entry::<R>(&row, client_id, entry, &event)?;
        // An assignment notice is a second statement: such an insert runs in the transaction.
        let notices = notifications::would_assign::<R>(w, &event.audience);
        let inserted =
            if last && !notices && w.tx.get().is_none() && !w.done.swap(true, Ordering::AcqRel) {
                insert_statement::<R, _>(&w.db, &row, id, statement).await?
            } else {
                insert_statement::<R, _>(w.tx().await?, &row, id, statement).await?
            };
        return match inserted {
            Inserted::New(inserted) => {
                if notices {
                    notifications::assigned::<R>(w, None, &inserted).await?;
                }
                w.done.store(last, Ordering::Release);
                debug_assert_eq!(
                    changes_as_stored::<R>(&row),
                    Some(diff::<R>(None, &inserted)),
                    "the audit entry written with {} {id} differs from the stored row",
                    R::INFO.name
                );
                w.queue(event, true);
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
    w.record_event(
        event_of::<R>("create", None, Some(&inserted)),
        diff::<R>(None, &inserted),
    )
    .await?;
    notifications::assigned::<R>(w, None, &inserted).await?;
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

/// The event of creating `row` (id `id`), from the values about to be inserted: its version
/// and owners are stored exactly as given (see [`changes_as_stored`]).
fn new_row_event<R>(row: &R::ActiveModel, id: Uuid) -> DomainEvent
where
    R: Resource,
    R::ActiveModel: ActiveModelTrait<Entity = R>,
{
    let version = R::Column::iter()
        .find(|c| c.as_str() == "version")
        .and_then(|c| match row.get(c).into_value() {
            Some(Value::Int(v)) => v,
            _ => None,
        });
    let owners = R::INFO
        .owners
        .iter()
        .filter_map(|name| row.get(column::<R>(name)).into_value().and_then(uuid_value));
    DomainEvent::new(R::INFO.name, id, "create")
        .version(version)
        .audience(owners)
}

/// `WITH "row" AS (INSERT … RETURNING *), "entry" AS (INSERT INTO audit_entry … SELECT … FROM
/// "row"), "event" AS (INSERT INTO outbox … SELECT … FROM "row") SELECT * FROM "row"`: the
/// row, its audit entry and its outbox event in one statement. A client id already stored
/// inserts none of them (`ON CONFLICT (id) DO NOTHING` returns no row).
fn with_audit_entry<R>(
    row: &R::ActiveModel,
    client_id: bool,
    entry: audit_entry::ActiveModel,
    event: &DomainEvent,
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
    let entry_insert =
        insert_per_row(&entry, audit_entry::Column::iter().collect(), "audit entry")?;
    let outbox_columns = outbox::Column::iter()
        .filter(|c| !matches!(c, outbox::Column::Seq | outbox::Column::SentAt))
        .collect();
    let event_insert = insert_per_row(
        &crate::events::outbox::row(event),
        outbox_columns,
        "outbox row",
    )?;
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
        .cte(
            CommonTableExpression::new()
                .query(event_insert)
                .table_name(Alias::new("event"))
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

/// `INSERT INTO <table> (columns) SELECT <the values of `columns` in `model`> FROM "row"`:
/// one row written for each row the `row` CTE inserted (none for a replay). `what` names it
/// in errors.
fn insert_per_row<A: ActiveModelTrait>(
    model: &A,
    columns: Vec<<A::Entity as EntityTrait>::Column>,
    what: &str,
) -> Result<sea_orm::sea_query::InsertStatement, AppError> {
    let values = columns
        .iter()
        .map(|c| model.get(*c).into_value().map(Expr::val))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| AppError::Internal(format!("an {what} without every column")))?;
    let mut insert = Query::insert();
    insert
        .into_table(A::Entity::default())
        .columns(columns)
        .select_from(
            Query::select()
                .exprs(values)
                .from(Alias::new("row"))
                .to_owned(),
        )
        .map_err(|e| AppError::Internal(format!("{what} statement: {e}")))?;
    Ok(insert)
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use entities::master::product_category;
    use sea_orm::{Database, EntityTrait, PaginatorTrait, Set};
    use uuid::Uuid;

    use super::*;
    use crate::audit::AuditActor;
    use crate::auth::{Actor, Principal};
    use crate::authz::Access;
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
