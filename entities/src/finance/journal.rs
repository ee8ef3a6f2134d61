//! `journal`: where entries are kept by kind (sales, purchases, bank, cash, general).

use sea_orm::entity::prelude::*;

/// The kind of a journal. Stored as its upper-case name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum JournalKind {
    /// Customer invoices and credit notes.
    #[sea_orm(string_value = "SALES")]
    Sales,
    /// Supplier bills.
    #[sea_orm(string_value = "PURCHASES")]
    Purchases,
    /// Bank receipts and payments.
    #[sea_orm(string_value = "BANK")]
    Bank,
    /// Cash receipts and payments.
    #[sea_orm(string_value = "CASH")]
    Cash,
    /// Everything else: manual entries, adjustments, reversals.
    #[sea_orm(string_value = "GENERAL")]
    General,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "journal")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Unique, e.g. `GEN`.
    pub code: String,
    pub name: String,
    pub kind: JournalKind,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
