//! `payment_allocation`: part of a payment (or of a credit note) settling an invoice, in the
//! invoice's currency, dated (the aging as of a date counts the allocations made by then).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "payment_allocation")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The payment settling the invoice, or
    pub payment_id: Option<Uuid>,
    /// the credit note settling it.
    pub credit_note_id: Option<Uuid>,
    pub invoice_id: Uuid,
    pub allocated_on: Date,
    /// Minor units of the invoice's currency, positive.
    pub amount_minor: i64,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
