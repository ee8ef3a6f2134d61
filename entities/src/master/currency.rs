//! `currency`: A currency the tenant uses; amounts in it are stored in minor units.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "currency")]
pub struct Model {
    /// ISO 4217 code.
    #[sea_orm(primary_key, auto_increment = false)]
    pub code: String,
    pub name: String,
    /// Decimals of the minor unit: 2 for USD, 0 for JPY, 3 for KWD.
    pub minor_digits: i32,
    pub is_active: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
