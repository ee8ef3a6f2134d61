//! Input clean-up every module's services share (text, e-mail) and the lists' text search.

use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
use sea_orm::{ColumnTrait, Condition};

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

/// `text` with the `LIKE` wildcards escaped (use with `ESCAPE '\\'`).
pub fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// Rows where one of `columns` contains `search`, in any case (its `LIKE` wildcards taken as
/// text); `None` when `search` is blank, so the list is not filtered.
pub fn contains<C: ColumnTrait>(search: Option<&str>, columns: &[C]) -> Option<Condition> {
    let search = search.map(str::trim).filter(|s| !s.is_empty())?;
    let pattern = format!("%{}%", escape_like(&search.to_lowercase()));
    Some(columns.iter().fold(Condition::any(), |any, column| {
        any.add(
            Expr::expr(Func::lower(Expr::col(*column)))
                .like(LikeExpr::new(pattern.as_str()).escape('\\')),
        )
    }))
}
