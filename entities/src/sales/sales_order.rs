//! `sales_order`: what a customer ordered. Confirming it numbers it and checks the
//! customer's credit limit; deliveries and invoices are counted on its lines.

use sea_orm::entity::prelude::*;

/// Where an order is in its life (stored as its upper-case name).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum OrderStatus {
    /// Being prepared: no number, no credit used.
    #[sea_orm(string_value = "DRAFT")]
    Draft,
    /// Confirmed: numbered, counts against the customer's credit limit.
    #[sea_orm(string_value = "CONFIRMED")]
    Confirmed,
    /// Some of it delivered.
    #[sea_orm(string_value = "PARTIALLY_DELIVERED")]
    PartiallyDelivered,
    /// All of it delivered.
    #[sea_orm(string_value = "DELIVERED")]
    Delivered,
    /// All of it invoiced.
    #[sea_orm(string_value = "INVOICED")]
    Invoiced,
    /// Done: nothing more is delivered or invoiced.
    #[sea_orm(string_value = "CLOSED")]
    Closed,
    /// Called off before anything was delivered or invoiced.
    #[sea_orm(string_value = "CANCELLED")]
    Cancelled,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sales_order")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// `SO-2026-000042`, given when confirmed.
    pub number: Option<String>,
    pub customer_id: Uuid,
    /// The customer's owner when the order was made (a sales rep sees their own).
    pub owner_id: Option<Uuid>,
    pub status: OrderStatus,
    pub order_date: Date,
    pub currency: String,
    /// Company currency per unit of `currency`, × 10^6.
    pub rate_micros: i64,
    pub subtotal_minor: i64,
    pub tax_minor: i64,
    pub rounding_minor: i64,
    pub total_minor: i64,
    /// Σ total of the posted invoices made from it (minor units of `currency`).
    pub invoiced_minor: i64,
    /// Who confirmed it over the customer's credit limit, when it was.
    pub over_limit_approved_by: Option<Uuid>,
    pub memo: Option<String>,
    pub confirmed_at: Option<DateTimeUtc>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
