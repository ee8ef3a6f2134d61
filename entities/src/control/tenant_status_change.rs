//! `tenant_status_change`: the control plane's audit trail of tenant lifecycle changes
//! (suspend, resume, close): who did it, when, why, and the status before and after. Written in
//! the transaction that changes the tenant's status; never updated or deleted.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tenant_status_change")]
pub struct Model {
    /// UUID v7: orders entries by time.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub at: DateTimeUtc,
    /// Who acted: `cli` or `cli:<OS user>` for the command line.
    pub operator: String,
    pub tenant_id: Uuid,
    /// `suspend`, `resume` or `close`.
    pub action: String,
    /// The operator's reason, as given.
    pub reason: String,
    /// Stored form of the status before (`active`, `trial`, `suspended`, …).
    pub status_before: String,
    /// Stored form of the status after.
    pub status_after: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
