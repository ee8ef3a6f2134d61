//! `audit_entry`: one change of state: who (user or API key), when, in which request, what
//! (entity, id, action) and the changed fields before and after. Written in the transaction of
//! the change; the application never updates or deletes these rows.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_entry")]
pub struct Model {
    /// UUID v7: orders entries by time.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub at: DateTimeUtc,
    /// `user`, `api_key` or `system`.
    pub actor_type: String,
    pub actor_id: Option<Uuid>,
    pub request_id: String,
    pub entity: String,
    pub entity_id: Uuid,
    pub action: String,
    /// JSON object `{ field: { "before": …, "after": … } }`, secrets redacted.
    pub changes: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
