//! `notification`: a message to one user (an assignment, a won deal, a due activity), with a
//! link to the entity it is about and when it was read.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notification")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub recipient_id: Uuid,
    /// `ASSIGNED`, `OPPORTUNITY_WON`, `OPPORTUNITY_LOST`, `ACTIVITY_DUE`.
    pub kind: String,
    pub title: String,
    pub body: String,
    /// The resource it links to, e.g. `opportunity`.
    pub entity: Option<String>,
    pub entity_id: Option<Uuid>,
    /// Set for notifications that must exist at most once (a reminder per activity and due
    /// time): a second insert with the same key inserts nothing.
    pub dedup_key: Option<String>,
    pub created_at: DateTimeUtc,
    pub read_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
