//! `activity`: A call, meeting, task or note about a lead, an opportunity or a customer.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "activity")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// `CALL`, `MEETING`, `TASK` or `NOTE`.
    pub kind: String,
    pub subject: String,
    pub notes: Option<String>,
    pub due_at: Option<DateTimeUtc>,
    pub done: bool,
    pub done_at: Option<DateTimeUtc>,
    /// Who created it.
    pub owner_id: Option<Uuid>,
    /// Who is to do it.
    pub assignee_id: Option<Uuid>,
    pub lead_id: Option<Uuid>,
    pub opportunity_id: Option<Uuid>,
    pub customer_id: Option<Uuid>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
