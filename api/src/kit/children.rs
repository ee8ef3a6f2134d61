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

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, Order, Query, WindowStatement};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, IdenStatic, ModelTrait,
    QueryFilter, QuerySelect, QueryTrait,
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
    let req = ctx.request()?;
    let access = req.access().gql()?;
    access.require(C::INFO.read).gql()?;
    let window = Window::of(&args).gql()?;
    let db = req.tenant_db().await.gql()?;
    let loader = req.loaders().await.gql()?.kit.get(children.fk.as_str(), || {
        DataLoader::with_cache(
            ChildLoader {
                db: db.conn().clone(),
                access: access.clone(),
                children,
            },
            spawner(),
            HashMapCache::default(),
        )
    });
    let found = loader
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
