//! `ledger_setting`: the one row of the ledger's settings (the seed adds it): when the fiscal year
//! starts, the lock dates and the tax rounding policy. Postings read it under a shared lock, so a period locked while
//! an entry is being posted waits for that posting to finish or fail.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ledger_setting")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// 1 = January.
    pub fiscal_year_start_month: i32,
    /// Nobody posts on or before this date.
    pub lock_date: Option<Date>,
    /// Users who may not manage periods post only after this date (the stricter lock).
    pub user_lock_date: Option<Date>,
    /// Where document taxes are rounded: `PER_LINE` or `PER_DOCUMENT`.
    pub tax_rounding: String,
    /// How halves round: `HALF_UP` or `HALF_EVEN`.
    pub rounding_mode: String,
    /// Totals are rounded to a multiple of this many minor units (1: none; 5: CHF 0.05).
    pub cash_increment_minor: i64,
    pub version: i32,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
