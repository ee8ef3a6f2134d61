//! `opportunity`: A possible sale to a customer, moving through the pipeline's stages until won or lost.

use sea_orm::entity::prelude::*;

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
    /// `OPEN`, `WON` or `LOST`.
    pub status: String,
    pub lost_reason: Option<String>,
    pub closed_at: Option<DateTimeUtc>,
    pub lead_id: Option<Uuid>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
