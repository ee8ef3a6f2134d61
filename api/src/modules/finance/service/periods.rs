//! Fiscal years and lock dates (`BUSINESS_RULE ledger.period_locked`).
//!
//! Two lock dates, as accountants expect: nobody posts on or before `lock_date`; users
//! without `finance.period.lock` (everyone but the accountants) also not on or before the
//! stricter `user_lock_date`, so accountants can still adjust a month the others have closed.
//! A posting reads the settings row under a shared lock (PostgreSQL), and `lockPeriod`
//! updates it, so a lock waits for postings already running and every posting after it sees
//! the new date: none can slip into a period being locked. (SQLite's writes are serialized.)

use chrono::{Datelike, NaiveDate, Utc};
use entities::finance::ledger_setting;
use sea_orm::{DbBackend, EntityTrait, QuerySelect, Set};

use crate::authz::catalog::{PERIOD_LOCK, SETTINGS_WRITE};
use crate::error::AppError;
use crate::kit::Write;
use crate::modules::finance::service::rule;

/// The ledger's settings as the write's transaction sees them, read under a shared lock.
pub async fn settings_for_posting(w: &Write<'_>) -> Result<ledger_setting::Model, AppError> {
    let tx = w.tx().await?;
    let mut query = ledger_setting::Entity::find();
    if w.backend() == DbBackend::Postgres {
        query = query.lock_shared();
    }
    query
        .one(tx)
        .await?
        .ok_or_else(|| AppError::Internal("the ledger has no settings row".into()))
}

/// The fiscal year `date` falls in, named by the calendar year it starts in (with a January
/// start, the date's own year).
pub fn fiscal_year(settings: &ledger_setting::Model, date: NaiveDate) -> i32 {
    let start = u32::try_from(settings.fiscal_year_start_month).unwrap_or(1);
    if date.month() >= start {
        date.year()
    } else {
        date.year() - 1
    }
}

/// The first day of fiscal year `year`.
pub fn fiscal_year_start(settings: &ledger_setting::Model, year: i32) -> NaiveDate {
    let start = u32::try_from(settings.fiscal_year_start_month).unwrap_or(1);
    NaiveDate::from_ymd_opt(year, start, 1).unwrap_or(NaiveDate::MIN)
}

/// Refuses a posting dated `date` in a period locked for the caller.
pub fn check_open(
    w: &Write<'_>,
    settings: &ledger_setting::Model,
    date: NaiveDate,
) -> Result<(), AppError> {
    if let Some(lock) = settings.lock_date
        && date <= lock
    {
        return Err(rule(
            "ledger.period_locked",
            format!("the books are locked up to {lock}: nothing is posted on {date}"),
        ));
    }
    if let Some(lock) = settings.user_lock_date
        && date <= lock
        && w.access().scope(PERIOD_LOCK).is_none()
    {
        return Err(rule(
            "ledger.period_locked",
            format!(
                "the books are locked up to {lock} for everyone but accountants \
                 (`{PERIOD_LOCK}`): nothing is posted on {date}"
            ),
        ));
    }
    Ok(())
}

/// Sets the lock dates (`lockPeriod`): `lock_date` for everyone, `user_lock_date` (on or
/// after it) for users without `finance.period.lock`; `None` removes one. Moving a date back
/// reopens a period: an accountant's decision, audited like every change.
pub async fn lock_period(
    w: &Write<'_>,
    lock_date: Option<NaiveDate>,
    user_lock_date: Option<NaiveDate>,
) -> Result<ledger_setting::Model, AppError> {
    w.access().require(PERIOD_LOCK)?;
    if let (Some(all), Some(users)) = (lock_date, user_lock_date)
        && users < all
    {
        return Err(AppError::validation(
            "input.userLockDate",
            format!("the lock date for non-accountants is on or after the lock date ({all})"),
        ));
    }
    let today = Utc::now().date_naive();
    for (field, date) in [
        ("input.lockDate", lock_date),
        ("input.userLockDate", user_lock_date),
    ] {
        if let Some(date) = date
            && date >= today
        {
            return Err(AppError::validation(
                field,
                format!("a lock date is in the past (today is {today})"),
            ));
        }
    }
    let before = ledger_setting::Entity::find()
        .one(w.tx().await?)
        .await?
        .ok_or_else(|| AppError::Internal("the ledger has no settings row".into()))?;
    let row = ledger_setting::ActiveModel {
        lock_date: Set(lock_date),
        user_lock_date: Set(user_lock_date),
        ..Default::default()
    };
    crate::kit::write::update::<ledger_setting::Entity>(w, &before, row, before.version, "lock")
        .await
}

/// A change of the ledger's settings: `None` leaves a field as it is.
#[derive(Clone, Debug, Default)]
pub struct SettingsPatch {
    /// The month fiscal years start in (1 = January).
    pub fiscal_year_start_month: Option<i32>,
    /// `PER_LINE` or `PER_DOCUMENT` (`service::taxes`).
    pub tax_rounding: Option<&'static str>,
    /// `HALF_UP` or `HALF_EVEN`.
    pub rounding_mode: Option<&'static str>,
    /// The cash rounding step in the company currency, e.g. `"0.05"` (`"0.01"`: none).
    pub cash_increment: Option<String>,
}

/// Changes the ledger's settings (`updateLedgerSettings`) if `expected_version` is current.
/// The fiscal year's start is fixed once an entry is posted: numbers and statements are kept
/// per fiscal year (`BUSINESS_RULE ledger.fiscal_year_fixed`).
pub async fn update_settings(
    w: &Write<'_>,
    patch: SettingsPatch,
    expected_version: i32,
) -> Result<ledger_setting::Model, AppError> {
    use entities::finance::journal_entry::{self, EntryStatus};
    use sea_orm::{ColumnTrait, QueryFilter};
    w.access().require(SETTINGS_WRITE)?;
    let before = ledger_setting::Entity::find()
        .one(w.tx().await?)
        .await?
        .ok_or_else(|| AppError::Internal("the ledger has no settings row".into()))?;
    let mut row = ledger_setting::ActiveModel::default();
    if let Some(month) = patch.fiscal_year_start_month
        && month != before.fiscal_year_start_month
    {
        if !(1..=12).contains(&month) {
            return Err(AppError::validation(
                "input.fiscalYearStartMonth",
                "a month is 1 to 12",
            ));
        }
        let posted = journal_entry::Entity::find()
            .filter(journal_entry::Column::Status.eq(EntryStatus::Posted))
            .one(w.tx().await?)
            .await?;
        if posted.is_some() {
            return Err(rule(
                "ledger.fiscal_year_fixed",
                "entries are posted: the fiscal year's start no longer changes",
            ));
        }
        row.fiscal_year_start_month = Set(month);
    }
    if let Some(level) = patch.tax_rounding {
        row.tax_rounding = Set(level.to_owned());
    }
    if let Some(mode) = patch.rounding_mode {
        row.rounding_mode = Set(mode.to_owned());
    }
    if let Some(step) = &patch.cash_increment {
        let digits = crate::modules::finance::service::ledger::company_digits(w).await?;
        let minor = crate::money::Dec::parse(step)
            .and_then(|d| d.to_scaled(digits))
            .map_err(|e| AppError::validation("input.cashIncrement", e))?;
        if minor < 1 {
            return Err(AppError::validation(
                "input.cashIncrement",
                "the smallest step is one minor unit of the company currency",
            ));
        }
        row.cash_increment_minor = Set(minor);
    }
    crate::kit::write::update::<ledger_setting::Entity>(w, &before, row, expected_version, "update")
        .await
}
