//! `payment`: money a customer paid, into a bank or cash journal, posted when recorded and
//! allocated to invoices; what is not allocated stays as the customer's credit.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "payment")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The gapless number (`PAY-2026-000012`), given when posted.
    pub number: Option<String>,
    pub customer_id: Uuid,
    /// The customer's owner when it was recorded (a sales rep sees their own).
    pub owner_id: Option<Uuid>,
    /// The bank or cash journal the money came through.
    pub journal_id: Uuid,
    pub payment_date: Date,
    pub currency: String,
    /// Minor units of `currency`, positive.
    pub amount_minor: i64,
    /// Company currency per unit of `currency`, × 10^6.
    pub rate_micros: i64,
    /// How much of it is allocated to invoices.
    pub allocated_minor: i64,
    /// The posting.
    pub journal_entry_id: Option<Uuid>,
    /// The bank's reference.
    pub reference: Option<String>,
    pub memo: Option<String>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
