//! `sales_setting`: the one row of the sales settings (the seed adds it).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sales_setting")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// What an order line may be invoiced up to: `ORDERED` or `DELIVERED`.
    pub invoice_policy: String,
    /// A new quotation is valid this many days unless told otherwise.
    pub quotation_validity_days: i32,
    pub version: i32,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
