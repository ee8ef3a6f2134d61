//! `sales_invoice_line`: the order line an invoice line bills (it goes with the line).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sales_invoice_line")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub invoice_line_id: Uuid,
    pub invoice_id: Uuid,
    pub order_line_id: Uuid,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
