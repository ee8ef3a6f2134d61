//! The request's DataLoaders, one group per module, created on first use and bound to the
//! caller's tenant database: nothing is batched or cached across tenants or requests.
//! Relation fields load through them, so a list of N rows costs a constant number of SQL
//! statements for each relation, whatever N. Each loader caches per request, and list
//! resolvers feed the rows they already hold into the matching by-id loader, so a relation
//! back to a listed row costs nothing and batching does not depend on timing.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::modules::crm::loaders::CrmLoaders;
use crate::modules::identity::loaders::IdentityLoaders;
use crate::modules::master::loaders::MasterLoaders;

/// Every module's loaders.
pub struct Loaders {
    /// Identity: roles, grants.
    pub identity: IdentityLoaders,
    /// Master data: customers, contacts, currencies.
    pub master: MasterLoaders,
    /// CRM: stages, opportunities, activities.
    pub crm: CrmLoaders,
    /// The kit's generic loaders (by id of any resource), created on first use.
    pub kit: crate::kit::read::KitLoaders,
}

impl Loaders {
    /// Loaders on `db`.
    pub fn new(db: DatabaseConnection) -> Self {
        let kit = crate::kit::read::KitLoaders::default();
        Self {
            identity: IdentityLoaders::new(db.clone(), &kit),
            master: MasterLoaders::new(db.clone()),
            crm: CrmLoaders::new(db),
            kit,
        }
    }
}

/// Spawns DataLoader batches as tasks that keep counting SQL for the request that built the
/// loaders.
pub fn spawner()
-> impl Fn(futures_util::future::BoxFuture<'static, ()>) -> tokio::task::JoinHandle<()>
+ Send
+ Sync
+ 'static {
    let counter = crate::metrics::REQUEST_SQL.try_with(Arc::clone).ok();
    move |batch| match &counter {
        Some(counter) => tokio::spawn(crate::metrics::REQUEST_SQL.scope(counter.clone(), batch)),
        None => tokio::spawn(batch),
    }
}

/// Whether the request selects `field` on the nodes of the list being resolved (through
/// `nodes` or `edges.node`). List resolvers use it to prefetch a relation for the whole page
/// in one batch, so the count of statements does not depend on how batches happen to be timed.
pub fn selects_on_nodes(ctx: &async_graphql::Context<'_>, field: &str) -> bool {
    selects_path(ctx, &[field])
}

/// Whether the request selects the field `path` (e.g. `["activities", "assignee"]`) below the
/// nodes of the list being resolved.
pub fn selects_path(ctx: &async_graphql::Context<'_>, path: &[&str]) -> bool {
    let look = ctx.look_ahead();
    let (mut a, mut b) = (look.field("nodes"), look.field("edges").field("node"));
    for field in path {
        a = a.field(field);
        b = b.field(field);
    }
    a.exists() || b.exists()
}

/// A loader's failure, shared by every field that waited on the batch.
pub type LoadError = Arc<crate::error::AppError>;

/// A loader failure as a GraphQL error (logged, shown as `INTERNAL`).
pub fn load_failed(e: LoadError) -> async_graphql::Error {
    crate::error::AppError::Internal(e.to_string()).to_gql()
}
