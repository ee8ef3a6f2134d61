//! `journal_line`: one debit or credit of a journal entry, in the company currency, with the
//! foreign amount and rate it came from when it was in another currency.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "journal_line")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub entry_id: Uuid,
    /// The entry's date, repeated so the statements need not join each line to its entry.
    pub entry_date: Date,
    /// 1-based position in the entry.
    pub line_no: i32,
    pub account_id: Uuid,
    /// Minor units of the company currency; one of debit and credit is zero.
    pub debit_minor: i64,
    pub credit_minor: i64,
    /// The foreign currency, when the line came from one.
    pub currency: Option<String>,
    /// Signed amount in minor units of `currency` (positive on the debit side).
    pub amount_currency_minor: Option<i64>,
    /// Company currency per unit of `currency`, × 10^6.
    pub rate_micros: Option<i64>,
    pub customer_id: Option<Uuid>,
    pub supplier_id: Option<Uuid>,
    pub label: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
