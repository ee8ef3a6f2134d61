//! `invoice_tax`: a document's tax per code, with the rate it used (a later change of the
//! rate never changes a posted document).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "invoice_tax")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub invoice_id: Uuid,
    /// 0-based, in order of first use.
    pub position: i32,
    pub tax_rate_id: Uuid,
    pub code: String,
    /// `STANDARD`, `ZERO_RATED` or `EXEMPT`.
    pub kind: String,
    /// Percent × 10^6.
    pub rate_micros: i64,
    /// What it was levied on, minor units of the document's currency.
    pub base_minor: i64,
    pub amount_minor: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
