//! How the kit answers a write the database refused: a unique index (`CONFLICT` naming the
//! value), a foreign key (`VALIDATION` "no such …" on the input field), and a replayed client
//! id (the stored row, or `CONFLICT` when its content differs).

use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DbBackend, DbErr, IdenStatic, Iterable, ModelTrait, SqlErr,
    Value,
};

use crate::error::AppError;
use crate::kit::audit::is_bookkeeping;
use crate::kit::resource::{Reference, Resource, column, id_of};

/// Whether `e` breaks a unique index or the primary key.
pub fn is_unique_violation(e: &DbErr) -> bool {
    matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}

/// Whether `e` breaks a foreign key.
pub fn is_reference_violation(e: &DbErr) -> bool {
    matches!(e.sql_err(), Some(SqlErr::ForeignKeyConstraintViolation(_)))
}

fn no_such(reference: &Reference) -> AppError {
    AppError::validation(reference.field(), format!("no such {}", reference.what))
}

/// The answer to a write of `row` into `R` that a foreign key refused with `e`.
///
/// `VALIDATION` "no such …" on the input field of the reference: the one the error names
/// (PostgreSQL names the key, `fk_<table>_<column>`), or else (SQLite names none, and its
/// transaction is still usable) the first reference `row` sets whose row does not exist, one
/// SELECT per reference, on this error path only. No reference of `row` dangles (on
/// PostgreSQL: the error names none of `R`'s keys): the row is itself referred to by others,
/// which the write cannot change (`CONFLICT`).
pub async fn reference_error<R, C>(
    db: &C,
    row: &R::ActiveModel,
    e: &DbErr,
) -> Result<AppError, AppError>
where
    R: Resource,
    R::ActiveModel: ActiveModelTrait<Entity = R>,
    C: ConnectionTrait,
{
    let message = match e.sql_err() {
        Some(SqlErr::ForeignKeyConstraintViolation(message)) => message,
        _ => String::new(),
    };
    let table = R::default().table_name().to_owned();
    let named = R::INFO
        .references
        .iter()
        .find(|r| message.contains(&format!("\"fk_{table}_{}\"", r.column)));
    if let Some(reference) = named {
        return Ok(no_such(reference));
    }
    let probe_each = db.get_database_backend() != DbBackend::Postgres;
    for reference in R::INFO.references.iter().filter(|_| probe_each) {
        let Some(value) = row.get(column::<R>(reference.column)).into_value() else {
            continue;
        };
        if value == value.as_null() {
            continue;
        }
        let probe = Query::select()
            .expr(Expr::val(1))
            .from(Alias::new(reference.parent))
            .and_where(Expr::col(Alias::new(reference.key)).eq(value))
            .limit(1)
            .to_owned();
        if db.query_one(&probe).await?.is_none() {
            return Ok(no_such(reference));
        }
    }
    Ok(AppError::Conflict(format!(
        "other rows refer to this {}, so it cannot be changed this way",
        R::INFO.name.replace('_', " ")
    )))
}

/// The `CONFLICT` of a write of `row` into `R` that a unique index refused with `e`: the
/// declared unique column the error names (SQLite: `table.column`, PostgreSQL: the index
/// `table_column_key`), else the first one `row` sets, with the value; no lookup.
pub fn unique_conflict<R>(row: &R::ActiveModel, e: &DbErr) -> AppError
where
    R: Resource,
    R::ActiveModel: ActiveModelTrait<Entity = R>,
{
    let message = match e.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(message)) => message,
        _ => String::new(),
    };
    let table = R::default().table_name().to_owned();
    let set = |name: &str| match row.get(column::<R>(name)).into_value() {
        Some(Value::String(Some(value))) => Some(value),
        _ => None,
    };
    let named = R::INFO.unique.iter().find(|(name, _)| {
        message.contains(&format!("{table}.{name}"))
            || message.contains(&format!("{table}_{name}_key"))
    });
    let hit = named
        .and_then(|(name, what)| Some((what, set(name)?)))
        .or_else(|| {
            R::INFO
                .unique
                .iter()
                .find_map(|(name, what)| Some((what, set(name)?)))
        });
    let name = R::INFO.name.replace('_', " ");
    AppError::Conflict(match hit {
        Some((what, value)) => format!("another {name} already has {what} `{value}`"),
        None => format!("another {name} already has that unique value"),
    })
}

/// Whether `row` (a new row about to be inserted) holds what `stored` holds, every column but
/// bookkeeping and secrets compared (a secret is stored as a salted hash: two hashes of the
/// same password differ).
fn same_content<R: Resource>(row: &R::ActiveModel, stored: &R::Model) -> bool
where
    R::ActiveModel: ActiveModelTrait<Entity = R>,
{
    R::Column::iter().all(|col| {
        if is_bookkeeping::<R>(col.as_str()) || R::INFO.secret.contains(&col.as_str()) {
            return true;
        }
        match row.get(col).into_value() {
            Some(value) => value == stored.get(col),
            None => true,
        }
    })
}

/// The stored row under a replayed client id: itself when the content is the same, otherwise
/// `CONFLICT`.
pub(super) fn replay<R: Resource>(
    row: &R::ActiveModel,
    stored: R::Model,
) -> Result<R::Model, AppError>
where
    R::ActiveModel: ActiveModelTrait<Entity = R>,
{
    if same_content::<R>(row, &stored) {
        Ok(stored)
    } else {
        Err(AppError::Conflict(format!(
            "another {} already has id {}",
            R::INFO.name,
            id_of::<R>(&stored)
        )))
    }
}
