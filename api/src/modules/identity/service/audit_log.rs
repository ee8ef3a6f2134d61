//! Reading the audit trail (`auditLog`). There is no function that changes it.

use chrono::{DateTime, Utc};
use entities::identity::audit_entry;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Select};
use uuid::Uuid;

use crate::authz::Access;
use crate::authz::catalog::AUDIT_READ;
use crate::error::AppError;

/// Filter of the audit log.
#[derive(Debug, Default)]
pub struct AuditFilter {
    /// Entity kind, e.g. `user`.
    pub entity: Option<String>,
    /// One record's id.
    pub entity_id: Option<Uuid>,
    /// The acting user or API key.
    pub actor_id: Option<Uuid>,
    /// Entries at or after this time.
    pub from: Option<DateTime<Utc>>,
    /// Entries before this time.
    pub to: Option<DateTime<Utc>>,
}

/// The entries `access` may read, filtered.
pub fn visible(
    access: &Access,
    filter: &AuditFilter,
) -> Result<Select<audit_entry::Entity>, AppError> {
    access.require(AUDIT_READ)?;
    let mut query = audit_entry::Entity::find();
    if let Some(entity) = &filter.entity {
        query = query.filter(audit_entry::Column::Entity.eq(entity.as_str()));
    }
    if let Some(id) = filter.entity_id {
        query = query.filter(audit_entry::Column::EntityId.eq(id));
    }
    if let Some(actor) = filter.actor_id {
        query = query.filter(audit_entry::Column::ActorId.eq(actor));
    }
    if let Some(from) = filter.from {
        query = query.filter(audit_entry::Column::At.gte(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(audit_entry::Column::At.lt(to));
    }
    Ok(query)
}
