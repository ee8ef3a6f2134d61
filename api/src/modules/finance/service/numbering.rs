//! Gapless legal numbers (`JE-2026-000123`, `INV-2026-000042`), shared by every module that
//! numbers documents when it posts them.
//!
//! One counter row per (series, fiscal year), incremented by one statement inside the
//! posting transaction (`INSERT … ON CONFLICT DO UPDATE … RETURNING`). The row stays locked
//! until that transaction ends (PostgreSQL's row lock; SQLite's writer lock), so concurrent
//! postings of a series queue for it, and a posting that rolls back takes its increment with
//! it: numbers are 1..N with no gap and no duplicate. Never a database sequence, which keeps
//! the numbers rolled-back transactions drew. Drafts draw no number.

use sea_orm::{ConnectionTrait, DbBackend, Statement};

use crate::error::AppError;

/// The next number of `series` in `fiscal_year`, taken inside the caller's transaction `db`.
pub async fn next<C: ConnectionTrait>(
    db: &C,
    series: &str,
    fiscal_year: i32,
) -> Result<i64, AppError> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => {
            "INSERT INTO number_counter (series, fiscal_year, last_number) VALUES ($1, $2, 1) \
             ON CONFLICT (series, fiscal_year) \
             DO UPDATE SET last_number = number_counter.last_number + 1 RETURNING last_number"
        }
        _ => {
            "INSERT INTO number_counter (series, fiscal_year, last_number) VALUES (?, ?, 1) \
             ON CONFLICT (series, fiscal_year) \
             DO UPDATE SET last_number = number_counter.last_number + 1 RETURNING last_number"
        }
    };
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [series.into(), fiscal_year.into()],
        ))
        .await?
        .ok_or_else(|| AppError::Internal("the number counter returned no row".into()))?;
    Ok(row.try_get_by_index::<i64>(0)?)
}

/// The legal number `n` of `series` in `fiscal_year`: `JE-2026-000123` (six digits at
/// least; more when a year needs them).
pub fn format(series: &str, fiscal_year: i32, n: i64) -> String {
    format!("{series}-{fiscal_year}-{n:06}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_zero_padded_to_six_digits_and_grow_past_them() {
        assert_eq!(format("JE", 2026, 123), "JE-2026-000123");
        assert_eq!(format("INV", 2027, 1_234_567), "INV-2027-1234567");
    }
}
