//! `opportunity`: A possible sale to a customer, moving through the pipeline's stages until won or lost.

use sea_orm::entity::prelude::*;

/// Open, won or lost; stored as its upper-case name. Transitions are the CRM service's
/// (`OpportunityStatus::after`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum OpportunityStatus {
    /// In the pipeline, moving between stages.
    #[sea_orm(string_value = "OPEN")]
    Open,
    /// Closed as a sale.
    #[sea_orm(string_value = "WON")]
    Won,
    /// Closed without a sale.
    #[sea_orm(string_value = "LOST")]
    Lost,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "opportunity")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub title: String,
    pub customer_id: Uuid,
    /// In minor units of `currency`.
    pub amount_minor: i64,
    pub currency: String,
    pub stage_id: Uuid,
    pub owner_id: Option<Uuid>,
    pub expected_close_date: Option<Date>,
    pub status: OpportunityStatus,
    pub lost_reason: Option<String>,
    pub closed_at: Option<DateTimeUtc>,
    pub lead_id: Option<Uuid>,
    pub is_active: bool,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
