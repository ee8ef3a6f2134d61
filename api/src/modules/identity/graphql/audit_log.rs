//! `auditLog`.

use async_graphql::ID;
use chrono::{DateTime, Utc};

use crate::authz::Require;
use crate::authz::catalog::AUDIT_READ;
use crate::error::GqlResult;
use crate::graphql::context::ContextExt;
use crate::graphql::edit::filter_input;
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
        let filter = AuditLogFilter::service(filter).gql()?;
        let query = audit_log::visible(req.access().gql()?, &filter);
        list(ctx, query, args, AuditEntry).await
    }
}

filter_input! {
    /// Which audit entries `auditLog` lists.
    AuditLogFilter => AuditFilter;
    /// Kind of record, e.g. `user`.
    one entity: String;
    /// One record.
    one entity_id: ID;
    /// The acting user or API key.
    one actor_id: ID;
    /// At or after this time.
    one from: DateTime<Utc>;
    /// Before this time.
    one to: DateTime<Utc>;
}
