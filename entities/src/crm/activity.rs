//! `activity`: A call, meeting, task or note about a lead, an opportunity or a customer.

use sea_orm::entity::prelude::*;

/// What an activity is; stored as its upper-case name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum ActivityKind {
    /// A phone call.
    #[sea_orm(string_value = "CALL")]
    Call,
    /// A meeting.
    #[sea_orm(string_value = "MEETING")]
    Meeting,
    /// Something to do.
    #[sea_orm(string_value = "TASK")]
    Task,
    /// A note.
    #[sea_orm(string_value = "NOTE")]
    Note,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "activity")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub kind: ActivityKind,
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
