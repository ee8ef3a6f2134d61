//! `auditLog`.

use async_graphql::{ID, InputObject};
use chrono::{DateTime, Utc};

use crate::authz::Require;
use crate::authz::catalog::AUDIT_READ;
use crate::error::GqlResult;
use crate::graphql::context::ContextExt;
use crate::graphql::parse_opt_id;
use crate::graphql::resolve::{list, queries};
use crate::modules::identity::graphql::types::AuditEntry;
use crate::modules::identity::service::audit_log::{self, AuditFilter};

/// Audit queries.
#[derive(Default)]
pub struct AuditQuery;

queries! { AuditQuery, guard = "Require(AUDIT_READ)";
    /// The audit trail, oldest first (`last: 20` gives the newest).
    list audit_log(
        #[graphql(desc = "Which entries.")] filter: Option<AuditLogFilter>,
    ) -> AuditEntry |ctx, args| {
        let req = ctx.request()?;
        let filter = match filter {
            None => AuditFilter::default(),
            Some(f) => AuditFilter {
                entity: f.entity,
                entity_id: parse_opt_id(f.entity_id.as_ref(), "filter.entityId").gql()?,
                actor_id: parse_opt_id(f.actor_id.as_ref(), "filter.actorId").gql()?,
                from: f.from,
                to: f.to,
            },
        };
        let query = audit_log::visible(req.access().gql()?, &filter);
        list(ctx, query, args, AuditEntry).await
    }
}

/// Which audit entries `auditLog` lists.
#[derive(InputObject)]
pub struct AuditLogFilter {
    /// Kind of record, e.g. `user`.
    pub entity: Option<String>,
    /// One record.
    pub entity_id: Option<ID>,
    /// The acting user or API key.
    pub actor_id: Option<ID>,
    /// At or after this time.
    pub from: Option<DateTime<Utc>>,
    /// Before this time.
    pub to: Option<DateTime<Utc>>,
}
