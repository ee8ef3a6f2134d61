//! `login_throttle`: failed sign-in attempts per account (key `account:<email>`) and per tenant
//! (key `tenant`), and the lock they caused.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "login_throttle")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: String,
    /// Consecutive failures (account), or failures in the current window (tenant).
    pub failures: i32,
    /// Start of the counting window (tenant key).
    pub window_start: DateTimeUtc,
    pub locked_until: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
