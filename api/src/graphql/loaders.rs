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

/// Every module's loaders.
pub struct Loaders {
    /// Identity: roles, grants.
    pub identity: IdentityLoaders,
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

/// Loads `keys` through `loader`'s batch function now, in the calling task (no DataLoader
/// delay, no spawned batch), and feeds the rows into its cache: list resolvers prefetch a
/// page's relations with it, so the fields below find them cached. The rows, by key.
pub async fn load_now<K, L>(
    loader: &async_graphql::dataloader::DataLoader<L, async_graphql::dataloader::HashMapCache>,
    keys: impl IntoIterator<Item = K>,
) -> Result<std::collections::HashMap<K, L::Value>, LoadError>
where
    K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
    L: async_graphql::dataloader::Loader<K, Error = LoadError>,
{
    let mut seen = std::collections::HashSet::new();
    let keys: Vec<K> = keys
        .into_iter()
        .filter(|k| seen.insert(k.clone()))
        .collect();
    if keys.is_empty() {
        return Ok(std::collections::HashMap::new());
    }
    let rows = loader.loader().load(&keys).await?;
    loader
        .feed_many(rows.iter().map(|(k, v)| (k.clone(), v.clone())))
        .await;
    Ok(rows)
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
