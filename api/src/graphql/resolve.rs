//! Bodies the modules' root fields share: one row by id, one page of a list, one write. Each
//! goes through the kit, so a field cannot read or write around the resource's rules.

use async_graphql::{Context, ID, Result};
use futures_util::future::BoxFuture;
use sea_orm::{EntityTrait, Iterable, ModelTrait, PrimaryKeyToColumn, Select};

use crate::error::{AppError, GqlResult};
use crate::graphql::connection::{Page, PageArgs, page};
use crate::graphql::context::ContextExt;
use crate::graphql::parse_id;
use crate::kit::resource::{Resource, uuid_value};
use crate::kit::{Write, read};

/// The row of `R` named by the field's `id` argument, if the caller may read it.
pub async fn by_id<R: Resource>(ctx: &Context<'_>, id: &ID) -> Result<Option<R::Model>> {
    let req = ctx.request()?;
    let id = parse_id(id, "id").gql()?;
    let db = req.tenant_db().await.gql()?;
    read::get::<R, _>(db.conn(), req.access().gql()?, id)
        .await
        .gql()
}

/// A page of `query` (rows of `E`, keyed by one time-ordered UUID, in creation order) with the
/// field's connection arguments, each row shown as `node`.
pub async fn list<E, T>(
    ctx: &Context<'_>,
    query: Result<Select<E>, AppError>,
    args: PageArgs,
    node: impl Fn(E::Model) -> T,
) -> Result<Page<T>>
where
    E: EntityTrait,
    E::Model: Sync,
    T: async_graphql::OutputType,
{
    let query = query.gql()?;
    let Some(key) = E::PrimaryKey::iter()
        .next()
        .map(PrimaryKeyToColumn::into_column)
    else {
        return Err(AppError::Internal("a listed table without a key".into()).to_gql());
    };
    let db = ctx.request()?.tenant_db().await.gql()?;
    let row_id = |row: &E::Model| uuid_value(row.get(key)).unwrap_or_default();
    page(db.conn(), query, key, &args, row_id, node).await.gql()
}

/// Runs `change` in the request's write context (one transaction) and commits: the body of
/// every mutation.
pub async fn write<T>(
    ctx: &Context<'_>,
    change: impl for<'w> FnOnce(&'w Write<'w>) -> BoxFuture<'w, Result<T, AppError>>,
) -> Result<T> {
    let w = ctx.request()?.write().await.gql()?;
    let out = change(&w).await.gql()?;
    w.commit().await.gql()?;
    Ok(out)
}
