//! Nested lists (`Customer.contacts`, `Opportunity.activities`) as connections, batched per
//! page: a grouped-by loader, created on first use per request, answers one page of children
//! for many parents in one SQL statement (`ROW_NUMBER() OVER (PARTITION BY <fk> …)`), and
//! their `totalCount` in one grouped `COUNT(*)` when it is selected.
//!
//! Every statement starts from [`visible`] of the child resource, so a nested connection shows
//! exactly the rows the root list would (scope `OWN` included), and answers `FORBIDDEN`
//! without the child's read permission, like a relation field. Page arguments follow the
//! root lists' rules (sizes, cursors, `last`/`before`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use async_graphql::indexmap::IndexMap;
use async_graphql::parser::types::{Field, Selection};
use async_graphql::{
    ContextSelectionSet, Lookahead, OutputType, Positioned, SelectionField, Value,
};
use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, Order, Query, WindowStatement};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, IdenStatic, ModelTrait, QueryFilter, QuerySelect,
    QueryTrait,
};
use uuid::Uuid;

use crate::authz::Access;
use crate::error::{AppError, GqlResult};
use crate::graphql::connection::{OrderDirection, Page, PageArgs, Sort, Window, encode_cursor};
use crate::graphql::context::ContextExt;
use crate::graphql::loaders::{LoadError, load_failed, spawner};
use crate::graphql::rows::{Plain, leaves, merge, nested};
use crate::kit::read::KitLoaders;
use crate::kit::resource::{Resource, id_column, id_of, uuid_value, visible};

/// A one-to-many relation: the rows of `C` whose column `fk` names the parent, in `sort`
/// order (if any) then by id (creation order).
pub struct Children<C: EntityTrait> {
    /// The child's column holding the parent's id.
    pub fk: C::Column,
    /// The order of a parent's children before the id.
    pub sort: Option<Sort<C>>,
}

impl<C: EntityTrait> Clone for Children<C> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<C: EntityTrait> Copy for Children<C> {}

/// One parent's page: up to one row more than the page size (telling that more follow), and
/// the count of all its visible children when asked for.
#[derive(Clone)]
pub struct ChildRows<M> {
    rows: Vec<M>,
    total: u64,
}

/// (parent id, page arguments) → that parent's page, for the caller's `access`. Every page
/// it loads is also known to the request ([`KnownPages`]).
pub struct ChildLoader<C: EntityTrait> {
    db: DatabaseConnection,
    access: Access,
    children: Children<C>,
    known: Arc<KnownPages<C::Model>>,
}

/// The pages of one nested connection a request has loaded (its list's prefetch, a field's
/// load), by parent and arguments, for the caller's grants: [`page_now`] finds them without a
/// future. Dropped with the request's loaders when a mutation writes.
pub struct KnownPages<M>(Mutex<HashMap<PageKey, Arc<ChildRows<M>>>>);

/// A parent's id and the arguments of its page.
type PageKey = (Uuid, PageArgs);

impl<M> Default for KnownPages<M> {
    fn default() -> Self {
        Self(Mutex::default())
    }
}

impl<M> KnownPages<M> {
    fn get(&self, parent: Uuid, args: &PageArgs) -> Option<Arc<ChildRows<M>>> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            // The key is owned; a page's arguments are a few small fields.
            .get(&(parent, args.clone()))
            .cloned()
    }
}

impl<C> ChildLoader<C>
where
    C: Resource,
    C::Model: Sync,
{
    /// The pages of `parents` in `window`: one statement for all of them.
    async fn pages(
        &self,
        window: &Window,
        parents: &[Uuid],
    ) -> Result<HashMap<Uuid, Vec<C::Model>>, AppError> {
        let direction = OrderDirection::Asc;
        let order = window.fetch_order(direction);
        let id = id_column::<C>();
        let fk = self.children.fk;
        let mut inner = visible::<C>(&self.access)?
            .filter(fk.is_in(parents.iter().copied()))
            .filter(window.condition(id, self.children.sort.as_ref(), direction))
            .into_query();
        let mut over = WindowStatement::partition_by(fk);
        if let Some(sort) = &self.children.sort {
            over.order_by(sort.column, order.clone());
        }
        over.order_by(id, order);
        inner.expr_window_as(Expr::cust("ROW_NUMBER()"), over, Alias::new("kit_row"));
        let mut outer = Query::select();
        outer
            .column(Asterisk)
            .from_subquery(inner, Alias::new("kit_page"))
            .and_where(Expr::col(Alias::new("kit_row")).lte(window.size as i64 + 1))
            .order_by(Alias::new("kit_row"), Order::Asc);
        let statement = self.db.get_database_backend().build(&outer);
        let mut pages: HashMap<Uuid, Vec<C::Model>> = HashMap::new();
        for row in C::find().from_raw_sql(statement).all(&self.db).await? {
            if let Some(parent) = uuid_value(row.get(fk)) {
                pages.entry(parent).or_default().push(row);
            }
        }
        Ok(pages)
    }

    /// The number of visible children of each of `parents`: one grouped statement.
    async fn counts(&self, parents: &[Uuid]) -> Result<HashMap<Uuid, u64>, AppError> {
        let fk = self.children.fk;
        let rows: Vec<(Option<Uuid>, i64)> = visible::<C>(&self.access)?
            .select_only()
            .column(fk)
            .column_as(Expr::cust("COUNT(*)"), "n")
            .filter(fk.is_in(parents.iter().copied()))
            .group_by(fk)
            .into_tuple()
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(parent, n)| Some((parent?, u64::try_from(n).unwrap_or(0))))
            .collect())
    }
}

impl<C> Loader<(Uuid, PageArgs)> for ChildLoader<C>
where
    C: Resource,
    C::Model: Sync,
{
    type Value = Arc<ChildRows<C::Model>>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[(Uuid, PageArgs)],
    ) -> Result<HashMap<(Uuid, PageArgs), Self::Value>, LoadError> {
        // Fields of one request usually share their arguments: one group, one statement.
        let mut groups: HashMap<&PageArgs, Vec<Uuid>> = HashMap::new();
        for (parent, args) in keys {
            groups.entry(args).or_default().push(*parent);
        }
        let mut out = HashMap::with_capacity(keys.len());
        for (args, parents) in groups {
            let window = Window::of(args)?;
            let mut pages = self.pages(&window, &parents).await?;
            let counts = if args.count {
                self.counts(&parents).await?
            } else {
                HashMap::new()
            };
            for parent in parents {
                let rows = Arc::new(ChildRows {
                    rows: pages.remove(&parent).unwrap_or_default(),
                    total: counts.get(&parent).copied().unwrap_or(0),
                });
                out.insert((parent, args.clone()), rows);
            }
        }
        self.known
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend(out.iter().map(|(key, rows)| (key.clone(), rows.clone())));
        Ok(out)
    }
}

/// The request's loader of `children`, created on first use.
async fn loader<C>(
    ctx: &async_graphql::Context<'_>,
    children: Children<C>,
) -> async_graphql::Result<Arc<DataLoader<ChildLoader<C>, HashMapCache>>>
where
    C: Resource,
    C::Model: Sync,
{
    let req = ctx.request()?;
    let access = req.access().gql()?;
    let db = req.tenant_db().await.gql()?;
    let kit = &req.loaders().await.gql()?.kit;
    // Not inside `get`'s closure: it runs under the map's lock.
    let known = known::<C>(kit, children);
    Ok(kit.get(children.fk.as_str(), || {
        DataLoader::with_cache(
            ChildLoader {
                db: db.conn().clone(),
                access: access.clone(),
                children,
                known,
            },
            spawner(),
            HashMapCache::default(),
        )
    }))
}

/// The page `args` of `parent`'s children in `children`, as a connection of `node`s.
/// `FORBIDDEN` without `C`'s read permission; `VALIDATION` for page arguments a root list
/// refuses. Loads through the request's loader of the relation, so a list of parents costs
/// one statement per page (and one for `totalCount` when selected), whatever its length.
pub async fn page<C, T>(
    ctx: &async_graphql::Context<'_>,
    parent: Uuid,
    children: Children<C>,
    args: PageArgs,
    node: impl Fn(C::Model) -> T,
) -> async_graphql::Result<Page<T>>
where
    C: Resource,
    C::Model: Sync,
    T: async_graphql::OutputType,
{
    ctx.request()?.access().gql()?.require(C::INFO.read).gql()?;
    let window = Window::of(&args).gql()?;
    let known = ctx
        .request()?
        .loaders_now()
        .and_then(|loaders| known::<C>(&loaders.kit, children).get(parent, &args));
    let found = match known {
        Some(found) => Some(found),
        None => loader(ctx, children)
            .await?
            .load_one((parent, args))
            .await
            .map_err(load_failed)?,
    };
    let (rows, total) = found.map_or((Vec::new(), 0), |found| (found.rows.clone(), found.total));
    Ok(window.connection(rows, total, children.sort.map(|s| s.key), id_of::<C>, node))
}

/// The page arguments a selected nested connection field gives, variables resolved; `None`
/// when they are not plain page arguments (the field itself then reports the error).
fn args_of(field: SelectionField<'_>) -> Option<PageArgs> {
    let mut args = PageArgs {
        count: Lookahead::from(field).field("totalCount").exists(),
        ..PageArgs::default()
    };
    for (name, value) in field.arguments().ok()? {
        let int = |v: &Value| match v {
            Value::Null => Some(None),
            Value::Number(n) => n.as_i64().and_then(|n| i32::try_from(n).ok()).map(Some),
            _ => None,
        };
        let text = |v: &Value| match v {
            Value::Null => Some(None),
            Value::String(s) => Some(Some(s.clone())),
            _ => None,
        };
        match name.as_str() {
            "first" => args.first = int(&value)?,
            "last" => args.last = int(&value)?,
            "after" => args.after = text(&value)?,
            "before" => args.before = text(&value)?,
            _ => return None,
        }
    }
    Some(args)
}

/// Loads, in one batch, the pages of the nested connection `field` that the request selects
/// on the nodes of the list being resolved, for every parent in `parents`, and returns their
/// rows. A list resolver calls it so the statements of its page do not depend on how
/// DataLoader batches happen to be timed; the field's resolvers then find their pages cached.
/// Loads nothing when the caller may not read `C` (the field answers `FORBIDDEN` itself).
pub async fn prefetch<C>(
    ctx: &async_graphql::Context<'_>,
    field: &str,
    children: Children<C>,
    parents: impl Iterator<Item = Uuid> + Clone,
) -> async_graphql::Result<Vec<C::Model>>
where
    C: Resource,
    C::Model: Sync,
{
    let look = ctx.look_ahead();
    let mut fields = look.field("nodes").field(field).selection_fields();
    fields.extend(
        look.field("edges")
            .field("node")
            .field(field)
            .selection_fields(),
    );
    let access = ctx.request()?.access().gql()?;
    if fields.is_empty() || access.scope(C::INFO.read).is_none() {
        return Ok(Vec::new());
    }
    let loader = loader(ctx, children).await?;
    let mut rows = Vec::new();
    for args in fields.into_iter().filter_map(args_of) {
        if Window::of(&args).is_err() {
            continue;
        }
        let pages = crate::graphql::loaders::load_now(
            &loader,
            parents.clone().map(|parent| (parent, args.clone())),
        )
        .await
        .map_err(load_failed)?;
        rows.extend(pages.values().flat_map(|page| page.rows.iter().cloned()));
    }
    Ok(rows)
}

/// The known pages of `children` (see [`KnownPages`]).
fn known<C>(kit: &KitLoaders, children: Children<C>) -> Arc<KnownPages<C::Model>>
where
    C: Resource,
    C::Model: Sync,
{
    kit.get(children.fk.as_str(), KnownPages::default)
}

/// [`page`] without a future, for the field `field` of a parent `parent` (a
/// [`Now`](crate::graphql::rows::Now) function): the same answer when the request holds the
/// page (its list prefetched it) and the field selects only `nodes` (each node answering
/// without a future), `totalCount` and `pageInfo`; `None` otherwise (also without the read
/// permission and for arguments the future refuses: it words the error).
pub fn page_now<'a, C, T>(
    ctx: &ContextSelectionSet<'a>,
    field: &'a Positioned<Field>,
    parent: Uuid,
    children: Children<C>,
) -> Option<Value>
where
    C: Resource,
    C::Model: Sync,
    T: Plain<Model = C::Model> + async_graphql::OutputType,
{
    let req = ctx.data_opt::<crate::graphql::context::RequestContext>()?;
    req.access().ok()?.scope(C::INFO.read)?;
    let args = args_of(
        *ctx.with_field(field)
            .look_ahead()
            .selection_fields()
            .first()?,
    )?;
    let window = Window::of(&args).ok()?;
    let found = known::<C>(&req.loaders_now()?.kit, children).get(parent, &args)?;
    let more = found.rows.len() > window.size;
    let mut rows: Vec<&C::Model> = found.rows.iter().take(window.size).collect();
    if window.backward {
        rows.reverse();
    }
    let (has_previous, has_next) = if window.backward {
        (more, window.before.is_some())
    } else {
        (window.after.is_some(), more)
    };
    let cursor = |row: Option<&&C::Model>| {
        row.map_or(Value::Null, |row| {
            let key = children.sort.map(|sort| (sort.key)(row));
            Value::String(encode_cursor(key.as_deref(), id_of::<C>(row)))
        })
    };
    let mut map = IndexMap::new();
    for selection in &field.node.selection_set.node.items {
        let Selection::Field(item) = &selection.node else {
            return None;
        };
        let value = match item.node.name.node.as_str() {
            "__typename" => Value::String(Page::<T>::type_name().into_owned()),
            "totalCount" => Value::Number(found.total.into()),
            "nodes" => Value::List(
                rows.iter()
                    .map(|row| nested::<T>(ctx, item, row))
                    .collect::<Option<Vec<_>>>()?,
            ),
            "pageInfo" => leaves(item, "PageInfo", |name| match name {
                "hasPreviousPage" => Some(Value::Boolean(has_previous)),
                "hasNextPage" => Some(Value::Boolean(has_next)),
                "startCursor" => Some(cursor(rows.first())),
                "endCursor" => Some(cursor(rows.last())),
                _ => None,
            })?,
            _ => return None,
        };
        merge(&mut map, item.node.response_key().node.clone(), value);
    }
    Some(Value::Object(map))
}
