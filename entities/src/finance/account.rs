//! `account`: an account of the tenant's chart. Accounts form a tree under group accounts;
//! only non-group accounts take postings, and an account with postings is archived, never
//! deleted.

use sea_orm::entity::prelude::*;

/// What an account is; it decides the statement it appears in and its natural side (assets
/// and expenses grow by debits, the rest by credits). Stored as its upper-case name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum AccountKind {
    /// What the company owns or is owed (balance sheet, debit side).
    #[sea_orm(string_value = "ASSET")]
    Asset,
    /// What it owes (balance sheet, credit side).
    #[sea_orm(string_value = "LIABILITY")]
    Liability,
    /// The owners' stake (balance sheet, credit side).
    #[sea_orm(string_value = "EQUITY")]
    Equity,
    /// Revenue (profit and loss, credit side).
    #[sea_orm(string_value = "INCOME")]
    Income,
    /// Costs (profit and loss, debit side).
    #[sea_orm(string_value = "EXPENSE")]
    Expense,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "account")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Unique, e.g. `1200`.
    pub code: String,
    pub name: String,
    pub kind: AccountKind,
    /// The group account above it.
    pub parent_id: Option<Uuid>,
    /// The control role other modules post to (`RECEIVABLE`, `VAT_OUTPUT`, …), unique.
    pub role: Option<String>,
    /// A group holds other accounts and takes no postings.
    pub is_group: bool,
    pub is_active: bool,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
