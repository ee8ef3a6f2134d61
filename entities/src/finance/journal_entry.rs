//! `journal_entry`: one posting of the general ledger (a draft until posted), with its
//! `journal_line`s. Posted entries are immutable (the database refuses changes); a reversal
//! is a new entry naming the one it reverses.

use sea_orm::entity::prelude::*;

/// Draft or posted. Stored as its upper-case name; transitions are the ledger service's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum EntryStatus {
    /// Being prepared: no number, not in any report, lines may change.
    #[sea_orm(string_value = "DRAFT")]
    Draft,
    /// In the ledger: numbered, balanced, immutable.
    #[sea_orm(string_value = "POSTED")]
    Posted,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "journal_entry")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The gapless number given when posted (`JE-2026-000123`); none for a draft.
    pub number: Option<String>,
    pub journal_id: Uuid,
    pub entry_date: Date,
    /// The fiscal year the number belongs to (named by the year it starts in), once posted.
    pub fiscal_year: Option<i32>,
    pub status: EntryStatus,
    /// The source document's number or a free reference.
    pub reference: Option<String>,
    /// The kind of source document (`invoice`, `payment`, …) when a module posted it.
    pub source_entity: Option<String>,
    pub source_id: Option<Uuid>,
    pub memo: Option<String>,
    /// The entry this one reverses (at most one reversal per entry).
    pub reversal_of_id: Option<Uuid>,
    /// Σ debit = Σ credit, in minor units of the company currency.
    pub total_minor: i64,
    pub posted_at: Option<DateTimeUtc>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
