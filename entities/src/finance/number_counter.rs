//! `number_counter`: the last legal number given in a series and fiscal year. The row is
//! locked by the posting transaction that increments it, so numbers have no gaps (a rolled
//! back posting gives its number back) and no duplicates.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "number_counter")]
pub struct Model {
    /// `JE`, `INV`, …
    #[sea_orm(primary_key, auto_increment = false)]
    pub series: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub fiscal_year: i32,
    pub last_number: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
