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
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use async_graphql::{Lookahead, SelectionField, Value};
use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, Order, Query, WindowStatement};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, IdenStatic, ModelTrait, QueryFilter, QuerySelect,
    QueryTrait,
};
use uuid::Uuid;

use crate::authz::Access;
use crate::error::{AppError, GqlResult};
use crate::graphql::connection::{OrderDirection, Page, PageArgs, Sort, Window};
use crate::graphql::context::ContextExt;
use crate::graphql::loaders::{LoadError, load_failed, spawner};
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

/// (parent id, page arguments) → that parent's page, for the caller's `access`.
pub struct ChildLoader<C: EntityTrait> {
    db: DatabaseConnection,
    access: Access,
    children: Children<C>,
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
    type Value = ChildRows<C::Model>;
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
                let rows = ChildRows {
                    rows: pages.remove(&parent).unwrap_or_default(),
                    total: counts.get(&parent).copied().unwrap_or(0),
                };
                out.insert((parent, args.clone()), rows);
            }
        }
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
    Ok(req
        .loaders()
        .await
        .gql()?
        .kit
        .get(children.fk.as_str(), || {
            DataLoader::with_cache(
                ChildLoader {
                    db: db.conn().clone(),
                    access: access.clone(),
                    children,
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
    let found = loader(ctx, children)
        .await?
        .load_one((parent, args))
        .await
        .map_err(load_failed)?
        .unwrap_or(ChildRows {
            rows: Vec::new(),
            total: 0,
        });
    Ok(window.connection(
        found.rows,
        found.total,
        children.sort.map(|s| s.key),
        id_of::<C>,
        node,
    ))
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
        rows.extend(pages.into_values().flat_map(|page| page.rows));
    }
    Ok(rows)
}
