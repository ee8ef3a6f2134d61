//! `quotation`: an offer to a customer. A draft has no number and may be deleted; sending it
//! numbers it; the customer accepts it (a sales order is made from it), rejects it, or it
//! expires after `valid_until`.

use sea_orm::entity::prelude::*;

/// Where a quotation is in its life (stored as its upper-case name).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum QuotationStatus {
    /// Being prepared: no number, may be deleted.
    #[sea_orm(string_value = "DRAFT")]
    Draft,
    /// Numbered and sent to the customer.
    #[sea_orm(string_value = "SENT")]
    Sent,
    /// Accepted: its sales order exists.
    #[sea_orm(string_value = "ACCEPTED")]
    Accepted,
    /// Turned down by the customer.
    #[sea_orm(string_value = "REJECTED")]
    Rejected,
    /// Not accepted by `valid_until` (the expiry job).
    #[sea_orm(string_value = "EXPIRED")]
    Expired,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "quotation")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// `SQ-2026-000012`, given when sent.
    pub number: Option<String>,
    pub customer_id: Uuid,
    /// The customer's owner when the quotation was made (a sales rep sees their own).
    pub owner_id: Option<Uuid>,
    /// The opportunity it was made for, if any.
    pub opportunity_id: Option<Uuid>,
    pub status: QuotationStatus,
    pub quotation_date: Date,
    pub valid_until: Date,
    pub currency: String,
    /// Company currency per unit of `currency`, × 10^6.
    pub rate_micros: i64,
    pub subtotal_minor: i64,
    pub tax_minor: i64,
    pub rounding_minor: i64,
    pub total_minor: i64,
    /// The order made when it was accepted.
    pub sales_order_id: Option<Uuid>,
    pub memo: Option<String>,
    pub sent_at: Option<DateTimeUtc>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
