//! Throttling of password checks (`login`, `changePassword`), kept in the control database so
//! every API replica sees it, an unknown tenant is counted exactly like a known one, and one
//! client address is counted across all tenants.
//!
//! Two counters per attempt, both keyed by the client address (the TCP peer; an IPv6 address
//! counts by its /64, what one host usually gets):
//! - **account at address** (tenant, account, address): after `lock_after_failures` consecutive
//!   failures it is locked for `lock_duration`, doubled by every further failure (at most an
//!   hour); a success resets it. The same account signing in from another address is not
//!   affected, so nobody can lock the rightful user out by failing on purpose.
//! - **address** (across accounts and tenants): `address_failures_per_minute`
//!   failures in a minute refuse every password check from that address until the minute ends.
//!   A success does not reset it (an attacker's own account must not buy more guesses).
//!
//! No counter spans a whole tenant or a whole account: such a counter is a switch anyone can
//! turn on against the rightful users. Keys are SHA-256 digests (nothing a guesser typed is
//! stored). Counters are incremented in SQL (`failures = failures + 1`), so concurrent failures
//! are all counted.

use std::net::IpAddr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use entities::control::sign_in_throttle;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use crate::auth::secrets;
use crate::config::AuthSettings;
use crate::error::AppError;
use crate::tenancy::provision::normalize_email;

const WINDOW: Duration = Duration::from_secs(60);
const MAX_LOCK: Duration = Duration::from_secs(3_600);

/// The throttle keys of one password check.
#[derive(Clone, Debug)]
pub struct Keys {
    account: String,
    address: String,
}

impl Keys {
    /// Keys of a `login` to `email` in tenant `tenant` (as typed: an unknown tenant or account
    /// gets keys like any other) from `client`.
    pub fn sign_in(tenant: &str, email: &str, client: Option<IpAddr>) -> Self {
        Self::new(&sign_in_account(tenant, email), client)
    }

    /// Keys of a `changePassword` by `user` of `tenant` from `client`.
    pub fn password_change(tenant: Uuid, user: Uuid, client: Option<IpAddr>) -> Self {
        Self::new(&format!("password\n{tenant}\n{user}"), client)
    }

    fn new(account: &str, client: Option<IpAddr>) -> Self {
        let address = secrets::hash(&format!("address\n{}", address_of(client)));
        Self {
            // `<account digest>:<address digest>`, so one account's locks at every address can
            // be found by prefix (an operator's password reset lifts them all).
            account: format!("{}:{}", account_prefix(account), &address[..32]),
            address,
        }
    }
}

/// What a sign-in counts against: the tenant and the e-mail as typed, normalised.
fn sign_in_account(tenant: &str, email: &str) -> String {
    let email = normalize_email(email).unwrap_or_else(|_| email.trim().to_lowercase());
    let tenant = tenant.trim().to_lowercase();
    format!("sign-in\n{tenant}\n{email}")
}

/// The key prefix of an account's locks: `a:` and 128 bits of its digest.
fn account_prefix(account: &str) -> String {
    format!("a:{}", &secrets::hash(&format!("account\n{account}"))[..32])
}

/// Lifts the sign-in locks of `email` in tenant `tenant` at every client address (an
/// operator's password reset); the addresses' own counts stay.
pub async fn reset_sign_in<C: ConnectionTrait>(
    db: &C,
    tenant: &str,
    email: &str,
) -> Result<(), AppError> {
    let prefix = format!("{}:", account_prefix(&sign_in_account(tenant, email)));
    sign_in_throttle::Entity::delete_many()
        .filter(sign_in_throttle::Column::Key.starts_with(prefix))
        .exec(db)
        .await?;
    Ok(())
}

/// What counts as one client: an IPv4 address, or the /64 network of an IPv6 address.
fn address_of(client: Option<IpAddr>) -> String {
    match client {
        None => "unknown".to_owned(),
        Some(IpAddr::V4(v4)) => v4.to_string(),
        Some(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

/// `RATE_LIMITED` when the account at this address, or the address, is locked now.
pub async fn check<C: ConnectionTrait>(db: &C, keys: &Keys) -> Result<(), AppError> {
    let now = Utc::now();
    let until = sign_in_throttle::Entity::find()
        .filter(sign_in_throttle::Column::Key.is_in([keys.account.as_str(), keys.address.as_str()]))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|row| row.locked_until)
        .filter(|until| *until > now)
        .max();
    match until {
        Some(until) => Err(AppError::RateLimited {
            retry_after: seconds_until(now, until),
        }),
        None => Ok(()),
    }
}

/// Counts a failed password check, locking the account at this address (with backoff) and
/// the address (until its minute ends) when over the limits.
pub async fn record_failure<C: ConnectionTrait>(
    db: &C,
    keys: &Keys,
    policy: &AuthSettings,
) -> Result<(), AppError> {
    let now = Utc::now();
    let failures = increment(db, &keys.account, now).await?;
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
            &keys.account,
            now + chrono::Duration::from_std(lock).unwrap_or_default(),
        )
        .await?;
    }

    // The address's window: restart it when a minute has passed.
    let window = chrono::Duration::from_std(WINDOW).unwrap_or_default();
    sign_in_throttle::Entity::update_many()
        .col_expr(sign_in_throttle::Column::Failures, Expr::value(0))
        .col_expr(sign_in_throttle::Column::WindowStart, Expr::value(now))
        .col_expr(
            sign_in_throttle::Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(sign_in_throttle::Column::Key.eq(keys.address.as_str()))
        .filter(sign_in_throttle::Column::WindowStart.lt(now - window))
        .exec(db)
        .await?;
    let address_failures = increment(db, &keys.address, now).await?;
    if address_failures >= i64::from(policy.address_failures_per_minute)
        && let Some(row) = sign_in_throttle::Entity::find_by_id(keys.address.as_str())
            .one(db)
            .await?
    {
        lock_until(db, &keys.address, row.window_start + window).await?;
    }
    Ok(())
}

/// Forgets the failures of the account at this address after a successful check (the
/// address's count stays).
pub async fn reset<C: ConnectionTrait>(db: &C, keys: &Keys) -> Result<(), AppError> {
    sign_in_throttle::Entity::delete_by_id(keys.account.as_str())
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
    sign_in_throttle::Entity::insert(sign_in_throttle::ActiveModel {
        key: Set(key.to_owned()),
        failures: Set(0),
        window_start: Set(now),
        locked_until: Set(None),
        updated_at: Set(now),
    })
    .on_conflict(
        OnConflict::column(sign_in_throttle::Column::Key)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    sign_in_throttle::Entity::update_many()
        .col_expr(
            sign_in_throttle::Column::Failures,
            Expr::col(sign_in_throttle::Column::Failures).add(1),
        )
        .col_expr(sign_in_throttle::Column::UpdatedAt, Expr::value(now))
        .filter(sign_in_throttle::Column::Key.eq(key))
        .exec(db)
        .await?;
    let row = sign_in_throttle::Entity::find_by_id(key)
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
    sign_in_throttle::Entity::update_many()
        .col_expr(
            sign_in_throttle::Column::LockedUntil,
            Expr::value(Some(until)),
        )
        .filter(sign_in_throttle::Column::Key.eq(key))
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

    #[test]
    fn an_ipv6_host_counts_by_its_64_network_and_a_mapped_ipv4_as_ipv4() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::2".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(address_of(Some(a)), address_of(Some(b)));
        assert_ne!(address_of(Some(a)), address_of(Some(c)));
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        assert_eq!(address_of(Some(mapped)), "192.0.2.7");
    }

    #[test]
    fn the_same_account_from_two_addresses_has_two_account_keys_and_case_does_not_matter() {
        let x = Some("127.0.0.1".parse().unwrap());
        let y = Some("127.0.0.2".parse().unwrap());
        let a = Keys::sign_in("Acme", "Admin@Acme.test", x);
        let b = Keys::sign_in("acme", "admin@acme.test", x);
        let c = Keys::sign_in("acme", "admin@acme.test", y);
        assert_eq!(a.account, b.account);
        assert_ne!(b.account, c.account);
        assert_ne!(b.address, c.address);
        assert_eq!(a.address, b.address);
    }
}
