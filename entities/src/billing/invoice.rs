//! `invoice`: a customer invoice or credit note. A draft has no number and may be deleted;
//! posting numbers it, freezes its lines and taxes and posts its journal entry; payments
//! and credit notes then settle it. A posted document is never edited or deleted.

use sea_orm::entity::prelude::*;

/// Invoice or credit note (stored as its upper-case name).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum InvoiceKind {
    /// What the customer owes: receivable debited, income and output tax credited.
    #[sea_orm(string_value = "INVOICE")]
    Invoice,
    /// A correction of an invoice (its `credited_invoice_id`): the reverse postings.
    #[sea_orm(string_value = "CREDIT_NOTE")]
    CreditNote,
}

/// Where a document is in its life (stored as its upper-case name).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum InvoiceStatus {
    /// Being prepared: no number, no posting, may be deleted.
    #[sea_orm(string_value = "DRAFT")]
    Draft,
    /// Numbered and in the ledger; nothing settled yet.
    #[sea_orm(string_value = "POSTED")]
    Posted,
    /// Partly settled by payments or credit notes.
    #[sea_orm(string_value = "PARTIALLY_PAID")]
    PartiallyPaid,
    /// Settled in full.
    #[sea_orm(string_value = "PAID")]
    Paid,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "invoice")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub kind: InvoiceKind,
    /// The gapless legal number (`INV-2026-000123`, `CN-2026-000004`), given when posted.
    pub number: Option<String>,
    pub customer_id: Uuid,
    /// The customer's owner when the document was made (a sales rep sees their own).
    pub owner_id: Option<Uuid>,
    pub status: InvoiceStatus,
    pub invoice_date: Date,
    pub due_date: Date,
    pub currency: String,
    /// Company currency per unit of `currency`, × 10^6 (10^6 in the company currency).
    pub rate_micros: i64,
    /// The document discount, minor units of `currency`.
    pub discount_minor: i64,
    /// Σ line net, after discounts (minor units of `currency`).
    pub subtotal_minor: i64,
    pub tax_minor: i64,
    /// What rounding added or took, so `subtotal + tax + rounding = total`.
    pub rounding_minor: i64,
    pub total_minor: i64,
    /// Settled by payments and credit notes (an invoice), or allocated to its invoice (a
    /// credit note).
    pub paid_minor: i64,
    /// A credit note's invoice.
    pub credited_invoice_id: Option<Uuid>,
    /// The posting, once posted.
    pub journal_entry_id: Option<Uuid>,
    pub fiscal_year: Option<i32>,
    pub memo: Option<String>,
    pub posted_at: Option<DateTimeUtc>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
