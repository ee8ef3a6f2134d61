//! `lead`: A prospect not yet a customer: NEW → CONTACTED → QUALIFIED → CONVERTED, or DISQUALIFIED.

use sea_orm::entity::prelude::*;

/// Where a lead is; stored as its upper-case name. Transitions are the CRM service's
/// (`LeadStatus::after`); an unknown stored value fails the read instead of passing as `NEW`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum LeadStatus {
    /// Just in.
    #[sea_orm(string_value = "NEW")]
    New,
    /// Someone talked to them.
    #[sea_orm(string_value = "CONTACTED")]
    Contacted,
    /// Worth pursuing.
    #[sea_orm(string_value = "QUALIFIED")]
    Qualified,
    /// Became a customer and an opportunity.
    #[sea_orm(string_value = "CONVERTED")]
    Converted,
    /// Not worth pursuing.
    #[sea_orm(string_value = "DISQUALIFIED")]
    Disqualified,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "lead")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub title: String,
    pub company_name: Option<String>,
    pub contact_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub tax_id: Option<String>,
    /// Where the lead came from (web, fair, referral…).
    pub source: Option<String>,
    pub status: LeadStatus,
    pub disqualified_reason: Option<String>,
    pub owner_id: Option<Uuid>,
    /// Set by conversion.
    pub customer_id: Option<Uuid>,
    /// Set by conversion.
    pub opportunity_id: Option<Uuid>,
    pub converted_at: Option<DateTimeUtc>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
