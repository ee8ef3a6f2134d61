//! `user_account`: a person who signs in to one tenant. Users are deactivated, never deleted,
//! because documents and audit entries refer to them. (`user` is a reserved word in PostgreSQL,
//! hence the table name.)

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "user_account")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Stored lower-cased; unique within the tenant.
    #[sea_orm(unique)]
    pub email: String,
    pub display_name: String,
    pub phone: Option<String>,
    /// argon2id PHC string.
    pub password_hash: String,
    pub is_active: bool,
    pub last_login_at: Option<DateTimeUtc>,
    /// Optimistic-locking version, +1 on every change.
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
