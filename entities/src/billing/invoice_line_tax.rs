//! `invoice_line_tax`: a tax rate an invoice line applies, in the order they apply (a
//! compound tax is levied on the price plus the earlier ones).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "invoice_line_tax")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub line_id: Uuid,
    /// 0-based order of application.
    pub position: i32,
    pub tax_rate_id: Uuid,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
