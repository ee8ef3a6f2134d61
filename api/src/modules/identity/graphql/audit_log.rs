//! `auditLog`.

use async_graphql::{Context, ID, InputObject, Object, Result};
use chrono::{DateTime, Utc};

use crate::authz::Require;
use crate::authz::catalog::AUDIT_READ;
use crate::error::GqlResult;
use crate::graphql::connection::{Page, PageArgs};
use crate::graphql::context::ContextExt;
use crate::graphql::pagination::list_complexity;
use crate::graphql::parse_id;
use crate::graphql::resolve::list;
use crate::modules::identity::graphql::types::AuditEntry;
use crate::modules::identity::service::audit_log::{self, AuditFilter};

/// Audit queries.
#[derive(Default)]
pub struct AuditQuery;

#[Object]
impl AuditQuery {
    /// The audit trail, oldest first (`last: 20` gives the newest).
    #[graphql(
        guard = "Require(AUDIT_READ)",
        complexity = "list_complexity(child_complexity, first, last)"
    )]
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor to continue after.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Cursor to continue before.")] before: Option<String>,
        #[graphql(desc = "Which entries.")] filter: Option<AuditLogFilter>,
    ) -> Result<Page<AuditEntry>> {
        let req = ctx.request()?;
        let filter = match filter {
            None => AuditFilter::default(),
            Some(f) => AuditFilter {
                entity: f.entity,
                entity_id: f
                    .entity_id
                    .as_ref()
                    .map(|id| parse_id(id, "filter.entityId"))
                    .transpose()
                    .gql()?,
                actor_id: f
                    .actor_id
                    .as_ref()
                    .map(|id| parse_id(id, "filter.actorId"))
                    .transpose()
                    .gql()?,
                from: f.from,
                to: f.to,
            },
        };
        let query = audit_log::visible(req.access().gql()?, &filter);
        let args = PageArgs::new(ctx, first, after, last, before);
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
