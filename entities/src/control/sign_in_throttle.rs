//! `sign_in_throttle`: failed password checks per throttle key and the lock they caused. Keys
//! are SHA-256 digests of what they count (an account at a client address, or an address), so
//! the table stores no e-mail address or tenant name that a guesser typed.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sign_in_throttle")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: String,
    /// Consecutive failures (account keys), or failures in the current window (address keys).
    pub failures: i32,
    /// Start of the counting window (address keys).
    pub window_start: DateTimeUtc,
    pub locked_until: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
