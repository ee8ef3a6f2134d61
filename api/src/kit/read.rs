//! Reads through the resource's rules: by id, and relation fields through per-request
//! DataLoaders created on first use (no registry to edit when a resource is added).
//!
//! A relation field (`Lead.customer`) answers exactly what `customer(id:)` would: `FORBIDDEN`
//! (and `null`) without the resource's read permission, `null` for a row outside the caller's
//! scope. The loader fetches by id once per request and batch; the rule is applied to each
//! caller's row afterwards, so the cache never widens what anyone sees.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, QueryFilter};
use uuid::Uuid;

use crate::authz::Access;
use crate::error::AppError;
use crate::graphql::loaders::{LoadError, spawner};
use crate::kit::resource::{Resource, can_read, id_column, id_of, visible};

/// One row of `R` by id, if `access` may read it (`FORBIDDEN` without the permission).
pub async fn get<R: Resource, C: ConnectionTrait>(
    db: &C,
    access: &Access,
    id: Uuid,
) -> Result<Option<R::Model>, AppError> {
    Ok(visible::<R>(access)?
        .filter(id_column::<R>().eq(id))
        .one(db)
        .await?)
}

/// Every row of the small reference table `E` (currencies, pipeline stages…) from the
/// tenant's cache (`crate::tenancy::cache`): no statement once warm, reloaded after a write
/// to it commits. For tables every signed-in reader may see whole; callers check permissions.
pub async fn reference<E>(
    ctx: &async_graphql::Context<'_>,
) -> async_graphql::Result<Arc<Vec<E::Model>>>
where
    E: sea_orm::EntityTrait,
    E::Model: Sync,
{
    use crate::error::GqlResult;
    use crate::graphql::context::ContextExt;
    let db = ctx.request()?.tenant_db().await.gql()?;
    db.cache().table::<E, _>(db.conn()).await.gql()
}

/// Id → row of `R`, unscoped: callers filter with [`can_read`] (see [`relation`]). Every
/// row it loads is also [`Known`] to the request.
pub struct ById<R: Resource>(DatabaseConnection, Arc<Known<R::Model>>);

impl<R> Loader<Uuid> for ById<R>
where
    R: Resource,
    R::Model: Sync,
{
    type Value = Arc<R::Model>;
    type Error = LoadError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Arc<R::Model>>, LoadError> {
        let rows: HashMap<Uuid, Arc<R::Model>> = R::find()
            .filter(id_column::<R>().is_in(keys.iter().copied()))
            .all(&self.0)
            .await
            .map_err(AppError::from)?
            .into_iter()
            .map(|row| (id_of::<R>(&row), Arc::new(row)))
            .collect();
        self.1.put(rows.iter().map(|(id, row)| (*id, row.clone())));
        Ok(rows)
    }
}

/// The rows of one resource a request has read by id (a list's prefetch, its own page, a
/// relation's load), unscoped like [`ById`]: relation fields find them here without a future
/// ([`relation_now`]). Dropped with the request's loaders when a mutation writes.
pub struct Known<M>(Mutex<HashMap<Uuid, Arc<M>>>);

impl<M> Default for Known<M> {
    fn default() -> Self {
        Self(Mutex::default())
    }
}

impl<M> Known<M> {
    /// The row `id`, if the request has read it.
    pub fn get(&self, id: Uuid) -> Option<Arc<M>> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&id)
            .cloned()
    }

    fn put(&self, rows: impl Iterator<Item = (Uuid, Arc<M>)>) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend(rows);
    }
}

/// A reference column as an optional id (`customer_id: Uuid`, `owner_id: Option<Uuid>`), for
/// the relation fields [`fields!`](crate::graphql::fields::fields) declares.
pub trait OptionalId: Copy {
    /// The id, if any.
    fn optional(self) -> Option<Uuid>;
}

impl OptionalId for Uuid {
    fn optional(self) -> Option<Uuid> {
        Some(self)
    }
}

impl OptionalId for Option<Uuid> {
    fn optional(self) -> Option<Uuid> {
        self
    }
}

/// A loader's type and the relation it serves (`""` when its type says it all).
type LoaderKey = (TypeId, &'static str);

/// The request's generic loaders, one per type (and relation), created on first use.
#[derive(Default)]
pub struct KitLoaders(Mutex<HashMap<LoaderKey, Arc<dyn Any + Send + Sync>>>);

impl KitLoaders {
    /// The request's loader of type `L` for `relation` (`""` when the type says it all),
    /// made by `make` on first use. `make` runs under the map's lock: it must not call `get`.
    pub fn get<L>(&self, relation: &'static str, make: impl FnOnce() -> L) -> Arc<L>
    where
        L: Send + Sync + 'static,
    {
        let mut map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        map.entry((TypeId::of::<L>(), relation))
            .or_insert_with(|| Arc::new(make()))
            .clone()
            .downcast()
            .unwrap_or_else(|_| unreachable!("the map holds one loader type per key"))
    }

    /// The request's by-id loader of `R`.
    pub fn by_id<R>(&self, db: &DatabaseConnection) -> Arc<DataLoader<ById<R>, HashMapCache>>
    where
        R: Resource,
        R::Model: Sync,
    {
        // Not inside `get`'s closure: it runs under the map's lock.
        let known = self.known::<R>();
        self.get("", || {
            DataLoader::with_cache(
                ById::<R>(db.clone(), known),
                spawner(),
                HashMapCache::default(),
            )
        })
    }

    /// The rows of `R` the request has read by id.
    pub fn known<R>(&self) -> Arc<Known<R::Model>>
    where
        R: Resource,
        R::Model: Sync,
    {
        self.get("", Known::<R::Model>::default)
    }
}

/// The row a relation field points at, under the same rules as [`get`]: `FORBIDDEN` without
/// the read permission, `None` outside the caller's scope or when absent.
pub async fn relation<R>(
    ctx: &async_graphql::Context<'_>,
    id: Option<Uuid>,
) -> async_graphql::Result<Option<R::Model>>
where
    R: Resource,
    R::Model: Sync,
{
    use crate::error::GqlResult;
    use crate::graphql::context::ContextExt;
    let req = ctx.request()?;
    let access = req.access().gql()?;
    access.require(R::INFO.read).gql()?;
    let Some(id) = id else { return Ok(None) };
    let db = req.tenant_db().await.gql()?;
    let loaders = req.loaders().await.gql()?;
    let row = match loaders.kit.known::<R>().get(id) {
        Some(row) => Some(row),
        None => loaders
            .kit
            .by_id::<R>(db.conn())
            .load_one(id)
            .await
            .map_err(crate::graphql::loaders::load_failed)?,
    };
    Ok(row
        .filter(|row| can_read::<R>(access, row))
        .map(Arc::unwrap_or_clone))
}

/// [`relation`] without a future, for the field `field` of an object `T` (a
/// [`Now`](crate::graphql::rows::Now) function): the same answer when the request already
/// holds the row and every field selected on it answers without a future, `None` otherwise
/// (also without the read permission: the future words the error).
pub fn relation_now<'a, R, T>(
    ctx: &async_graphql::ContextSelectionSet<'a>,
    field: &'a async_graphql::Positioned<async_graphql::parser::types::Field>,
    id: Option<Uuid>,
) -> Option<async_graphql::Value>
where
    R: Resource,
    R::Model: Sync,
    T: crate::graphql::rows::Plain<Model = R::Model> + async_graphql::OutputType,
{
    let req = ctx.data_opt::<crate::graphql::context::RequestContext>()?;
    let access = req.access().ok()?;
    access.scope(R::INFO.read)?;
    let Some(id) = id else {
        return Some(async_graphql::Value::Null);
    };
    let row = req.loaders_now()?.kit.known::<R>().get(id)?;
    if !can_read::<R>(access, &row) {
        return Some(async_graphql::Value::Null);
    }
    crate::graphql::rows::nested::<T>(ctx, field, &row)
}

/// Feeds rows a list already holds into the by-id loader of `R`, so relations back to them
/// cost nothing.
pub async fn feed<'a, R>(ctx: &async_graphql::Context<'_>, rows: impl Iterator<Item = &'a R::Model>)
where
    R: Resource,
    R::Model: Sync + 'a,
{
    use crate::graphql::context::ContextExt;
    let Ok(req) = ctx.request() else { return };
    let (Ok(loaders), Ok(db)) = (req.loaders().await, req.tenant_db().await) else {
        return;
    };
    let rows: Vec<(Uuid, Arc<R::Model>)> = rows
        .map(|row| (id_of::<R>(row), Arc::new(row.clone())))
        .collect();
    loaders.kit.known::<R>().put(rows.iter().cloned());
    loaders.kit.by_id::<R>(db.conn()).feed_many(rows).await;
}

/// Loads the rows `ids` of `R` in one statement, now, into the request's loader (a list
/// resolver calls it for a relation its page selects, so the statements do not depend on
/// batch timing and nothing waits for a DataLoader delay).
pub async fn prefetch<R>(
    ctx: &async_graphql::Context<'_>,
    ids: impl IntoIterator<Item = Uuid>,
) -> async_graphql::Result<()>
where
    R: Resource,
    R::Model: Sync,
{
    use crate::error::GqlResult;
    use crate::graphql::context::ContextExt;
    let req = ctx.request()?;
    let db = req.tenant_db().await.gql()?;
    let loader = req.loaders().await.gql()?.kit.by_id::<R>(db.conn());
    crate::graphql::loaders::load_now(&loader, ids)
        .await
        .map_err(crate::graphql::loaders::load_failed)?;
    Ok(())
}

/// [`prefetch`]es the rows `ids` of `R` when the request selects the relation at `path` below
/// the nodes of the list being resolved (`["customer"]`, `["lines", "nodes", "product"]`)
/// and the caller may read `R`. A list resolver calls it for every relation its page or its
/// prefetched children point at, so a page costs the same statements at any length and under
/// any load: nothing is left to DataLoader batches, whose split depends on timing.
pub async fn prefetch_selected<R>(
    ctx: &async_graphql::Context<'_>,
    path: &[&str],
    ids: impl IntoIterator<Item = Option<Uuid>>,
) -> async_graphql::Result<()>
where
    R: Resource,
    R::Model: Sync,
{
    use crate::error::GqlResult;
    use crate::graphql::context::ContextExt;
    if !crate::graphql::loaders::selects_path(ctx, path)
        || ctx.request()?.access().gql()?.scope(R::INFO.read).is_none()
    {
        return Ok(());
    }
    let ids: Vec<Uuid> = ids.into_iter().flatten().collect();
    prefetch::<R>(ctx, ids).await
}
