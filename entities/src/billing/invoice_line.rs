//! `invoice_line`: one line of an invoice or credit note, with its amounts as the tax
//! engine computed them (frozen when the document posts).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "invoice_line")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub invoice_id: Uuid,
    /// 1-based position.
    pub line_no: i32,
    pub product_id: Option<Uuid>,
    pub description: String,
    /// × 10^6, positive.
    pub quantity_micros: i64,
    /// Per unit in the document's currency, × 10^6.
    pub unit_price_micros: i64,
    /// Percent × 10^6.
    pub discount_micros: i64,
    /// After the line and document discounts, minor units of the document's currency.
    pub net_minor: i64,
    pub tax_minor: i64,
    pub total_minor: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
