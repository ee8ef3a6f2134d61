//! `product`: Something the tenant sells or buys: goods (stocked) or a service.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "product")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Stock-keeping unit, unique.
    #[sea_orm(unique)]
    pub sku: String,
    pub name: String,
    /// `GOODS` or `SERVICE`.
    pub kind: String,
    pub unit: String,
    pub category_id: Option<Uuid>,
    pub currency: String,
    /// Per unit, × 10^6.
    pub sale_price_micros: i64,
    /// Per unit, × 10^6; sensitive (`master.product.cost.read`).
    pub cost_price_micros: Option<i64>,
    pub tax_rate_id: Option<Uuid>,
    pub serial_tracked: bool,
    pub is_active: bool,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
