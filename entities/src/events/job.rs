//! `job`: background work of the tenant, claimed by one runner at a time (`FOR UPDATE SKIP
//! LOCKED` on PostgreSQL, an atomic claim on SQLite), retried with backoff; `status` says
//! where it stands.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "job")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// What runs, e.g. `activity.reminders`.
    pub kind: String,
    /// At most one job holds a key (a recurring job of a kind).
    pub unique_key: Option<String>,
    /// JSON text.
    pub payload: String,
    /// `QUEUED`, `RUNNING`, `DONE`, `FAILED`.
    pub status: String,
    pub run_at: DateTimeUtc,
    pub attempts: i32,
    pub max_attempts: i32,
    /// A runner holds a `RUNNING` job until then; past it, another may take it over.
    pub locked_until: Option<DateTimeUtc>,
    pub last_error: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
