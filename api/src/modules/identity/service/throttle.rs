//! Sign-in throttling, kept in the tenant database so every API replica sees it.
//!
//! Per account (key `account:<email>`, also for emails with no account, so the answer tells
//! nothing about which exist): after `lock_after_failures` consecutive failures the account is
//! locked for `lock_duration`, doubled by every further failure (at most an hour); a success
//! resets it. Per tenant (key `tenant`): more than `tenant_failures_per_minute` failures in a
//! minute pause every sign-in of the tenant until the minute ends. Counters are incremented in
//! SQL (`failures = failures + 1`), so concurrent failures are all counted.

use std::time::Duration;

use chrono::{DateTime, Utc};
use entities::identity::login_throttle;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use crate::config::AuthSettings;
use crate::error::AppError;

const TENANT_KEY: &str = "tenant";
const WINDOW: Duration = Duration::from_secs(60);
const MAX_LOCK: Duration = Duration::from_secs(3_600);

/// The throttle key of an account.
pub fn account_key(email: &str) -> String {
    format!("account:{email}")
}

/// `RATE_LIMITED` when the account or the tenant is locked now.
pub async fn check<C: ConnectionTrait>(db: &C, account: &str) -> Result<(), AppError> {
    let now = Utc::now();
    for key in [account, TENANT_KEY] {
        if let Some(row) = login_throttle::Entity::find_by_id(key).one(db).await?
            && let Some(until) = row.locked_until.filter(|until| *until > now)
        {
            return Err(AppError::RateLimited {
                retry_after: seconds_until(now, until),
            });
        }
    }
    Ok(())
}

/// Counts a failed sign-in of `account`, locking it (and the tenant) when over the limits.
pub async fn record_failure<C: ConnectionTrait>(
    db: &C,
    account: &str,
    policy: &AuthSettings,
) -> Result<(), AppError> {
    let now = Utc::now();
    let failures = increment(db, account, now).await?;
    if failures >= i64::from(policy.lock_after_failures) {
        let doublings =
            u32::try_from(failures - i64::from(policy.lock_after_failures)).unwrap_or(u32::MAX);
        let lock = policy
            .lock_duration
            .checked_mul(2u32.saturating_pow(Ord::min(doublings, 16)))
            .unwrap_or(MAX_LOCK)
            .min(MAX_LOCK);
        lock_until(
            db,
            account,
            now + chrono::Duration::from_std(lock).unwrap_or_default(),
        )
        .await?;
    }

    // The tenant-wide window: restart it when a minute has passed.
    let window_start = now - chrono::Duration::from_std(WINDOW).unwrap_or_default();
    login_throttle::Entity::update_many()
        .col_expr(login_throttle::Column::Failures, Expr::value(0))
        .col_expr(login_throttle::Column::WindowStart, Expr::value(now))
        .col_expr(
            login_throttle::Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(login_throttle::Column::Key.eq(TENANT_KEY))
        .filter(login_throttle::Column::WindowStart.lt(window_start))
        .exec(db)
        .await?;
    let tenant_failures = increment(db, TENANT_KEY, now).await?;
    if tenant_failures > i64::from(policy.tenant_failures_per_minute)
        && let Some(row) = login_throttle::Entity::find_by_id(TENANT_KEY)
            .one(db)
            .await?
    {
        let until = row.window_start + chrono::Duration::from_std(WINDOW).unwrap_or_default();
        lock_until(db, TENANT_KEY, until).await?;
    }
    Ok(())
}

/// Forgets the failures of `account` after a successful sign-in.
pub async fn reset<C: ConnectionTrait>(db: &C, account: &str) -> Result<(), AppError> {
    login_throttle::Entity::delete_by_id(account)
        .exec(db)
        .await?;
    Ok(())
}

/// Adds one failure to `key` (creating its row); the new count.
async fn increment<C: ConnectionTrait>(
    db: &C,
    key: &str,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    login_throttle::Entity::insert(login_throttle::ActiveModel {
        key: Set(key.to_owned()),
        failures: Set(0),
        window_start: Set(now),
        locked_until: Set(None),
        updated_at: Set(now),
    })
    .on_conflict(
        OnConflict::column(login_throttle::Column::Key)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    login_throttle::Entity::update_many()
        .col_expr(
            login_throttle::Column::Failures,
            Expr::col(login_throttle::Column::Failures).add(1),
        )
        .col_expr(login_throttle::Column::UpdatedAt, Expr::value(now))
        .filter(login_throttle::Column::Key.eq(key))
        .exec(db)
        .await?;
    let row = login_throttle::Entity::find_by_id(key)
        .one(db)
        .await?
        .ok_or_else(|| AppError::Internal("throttle row vanished".into()))?;
    Ok(i64::from(row.failures))
}

async fn lock_until<C: ConnectionTrait>(
    db: &C,
    key: &str,
    until: DateTime<Utc>,
) -> Result<(), AppError> {
    login_throttle::Entity::update_many()
        .col_expr(
            login_throttle::Column::LockedUntil,
            Expr::value(Some(until)),
        )
        .filter(login_throttle::Column::Key.eq(key))
        .exec(db)
        .await?;
    Ok(())
}

/// Whole seconds from `now` until `until`, rounded up, at least 1.
fn seconds_until(now: DateTime<Utc>, until: DateTime<Utc>) -> u64 {
    let millis = Ord::max((until - now).num_milliseconds(), 0);
    Ord::max(u64::try_from((millis + 999) / 1000).unwrap_or(1), 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        let now = Utc::now();
        assert_eq!(
            seconds_until(now, now + chrono::Duration::milliseconds(1)),
            1
        );
        assert_eq!(
            seconds_until(now, now + chrono::Duration::milliseconds(1001)),
            2
        );
        assert_eq!(seconds_until(now, now), 1);
    }
}
