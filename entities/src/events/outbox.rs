//! `outbox`: one row per domain event, written in the transaction of the change it describes
//! (so it exists if and only if the change committed), numbered per tenant by `seq`, and marked
//! `sent_at` once the relay has published it.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outbox")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub seq: i64,
    /// The resource, e.g. `opportunity`.
    pub entity: String,
    pub entity_id: Uuid,
    /// The audit action: `create`, `update`, `archive`, `delete`, `win`, …
    pub kind: String,
    /// The row's version after the change (none: deleted, or not versioned).
    pub version: Option<i32>,
    /// Users the row is scoped to (owners and assignees, before and after the change), as
    /// space-separated UUIDs: who scope `OWN` lets hear of it.
    pub audience: String,
    pub at: DateTimeUtc,
    pub sent_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
