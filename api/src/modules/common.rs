//! Helpers every module's services share: input clean-up, optimistic locking, unique-value
//! conflicts.

use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::error::AppError;
use crate::tenancy::provision::normalize_email;

/// Trimmed text of 1 to `max` characters.
pub fn text(raw: &str, field: &str, max: usize) -> Result<String, AppError> {
    let t = raw.trim();
    if t.is_empty() || t.chars().count() > max {
        return Err(AppError::validation(
            field,
            format!("needs 1 to {max} characters"),
        ));
    }
    Ok(t.to_owned())
}

/// Trimmed optional text of at most `max` characters; empty means none.
pub fn optional_text(
    raw: Option<&str>,
    field: &str,
    max: usize,
) -> Result<Option<String>, AppError> {
    match raw.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) if t.chars().count() > max => Err(AppError::validation(
            field,
            format!("at most {max} characters"),
        )),
        Some(t) => Ok(Some(t.to_owned())),
    }
}

/// An optional email, normalized.
pub fn optional_email(raw: Option<&str>, field: &str) -> Result<Option<String>, AppError> {
    match raw.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(e) => normalize_email(e)
            .map(Some)
            .map_err(|_| AppError::validation(field, "not an email address")),
    }
}

/// Writes `row` (which must set `version` to `expected + 1`) only if the stored version is
/// still `expected`; otherwise `CONFLICT` (or `NOT_FOUND` when the row is gone).
pub async fn save_versioned<A, C>(
    db: &C,
    row: A,
    id: Uuid,
    id_column: <A::Entity as EntityTrait>::Column,
    version_column: <A::Entity as EntityTrait>::Column,
    expected: i32,
    what: &'static str,
) -> Result<(), AppError>
where
    A: ActiveModelTrait + Send,
    C: ConnectionTrait,
{
    let result = <A::Entity as EntityTrait>::update_many()
        .set(row)
        .filter(id_column.eq(id))
        .filter(version_column.eq(expected))
        .exec(db)
        .await
        .map_err(|e| unique_conflict(e, what))?;
    if result.rows_affected == 1 {
        return Ok(());
    }
    Err(AppError::Conflict(format!(
        "the {what} was changed by someone else (expected version {expected}); reload and retry"
    )))
}

/// A unique-constraint violation as a `CONFLICT` naming `what`; anything else stays a
/// database error.
pub fn unique_conflict(e: DbErr, what: &str) -> AppError {
    match e.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
            AppError::Conflict(format!("another {what} already has that unique value"))
        }
        _ => e.into(),
    }
}

/// `text` with the `LIKE` wildcards escaped (use with `ESCAPE '\\'`).
pub fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// Runs a create that may carry a client-chosen `id`. Two concurrent creates with the same id
/// both find no row, and the loser's insert breaks the primary key (PostgreSQL; SQLite writers
/// queue instead). Running the loser once more finds the winner's row, so it returns that row
/// (same content) or `CONFLICT`, exactly as a later replay would. A unique violation that
/// survives the retry (another unique column) is a `CONFLICT` naming `what`.
pub async fn create_with_client_id<T, F, Fut>(
    id: Option<Uuid>,
    what: &str,
    mut attempt: F,
) -> Result<T, AppError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, AppError>>,
{
    let is_unique = |e: &AppError| matches!(e, AppError::Db(db) if matches!(db.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_))));
    let first = attempt().await;
    let result = match first {
        Err(e) if id.is_some() && is_unique(&e) => attempt().await,
        other => other,
    };
    result.map_err(|e| match e {
        AppError::Db(db)
            if matches!(
                db.sql_err(),
                Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
            ) =>
        {
            unique_conflict(db, what)
        }
        other => other,
    })
}
