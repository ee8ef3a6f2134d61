//! `quotation_line`: a line of a quotation, its amounts as the tax engine computed them.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "quotation_line")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub quotation_id: Uuid,
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
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
