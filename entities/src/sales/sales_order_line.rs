//! `sales_order_line`: a line of a sales order, with how much of it was delivered and
//! invoiced (`0 ≤ delivered ≤ quantity`, `0 ≤ invoiced ≤ quantity`).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sales_order_line")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub order_id: Uuid,
    pub line_no: i32,
    pub product_id: Option<Uuid>,
    pub description: String,
    pub quantity_micros: i64,
    /// In micros of the document's currency.
    pub unit_price_micros: i64,
    /// Percent × 10^6.
    pub discount_micros: i64,
    /// The tax rates applied, in order: their ids separated by spaces.
    pub tax_rate_ids: String,
    /// Minor units of the document's currency.
    pub net_minor: i64,
    pub tax_minor: i64,
    pub total_minor: i64,
    pub delivered_micros: i64,
    /// On posted invoices.
    pub invoiced_micros: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
