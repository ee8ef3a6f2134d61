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

/// The `#[Object]` impl of a module's mutations, each field one write through [`write`] that
/// returns the changed row as `$node`. The call site names every field and the service call it
/// makes; the shapes:
///
/// - `create name(Input) |w, id, content| call;`: `input.id` (optional client id) and
///   `input.content.into_service()` bound to `id` and `content`;
/// - `update name(Input) |w, id, patch, version| call;`: the `id` argument, `input.into_service()`
///   and `input.expected_version`;
/// - `by_id name(#[graphql(desc = "…")] arg: Type, …) |w, id| call;`: the `id` argument and
///   the others as given.
///
/// `guard` is every field's guard, `id` the description of the `id` argument.
macro_rules! mutations {
    ($object:ident => $node:ident, guard = $guard:tt, id = $id_desc:tt; $($fields:tt)*) => {
        $crate::graphql::resolve::mutations!(@field [$object $node $guard $id_desc] [] $($fields)*);
    };
    (@field [$object:ident $node:ident $guard:tt $id_desc:tt] [$($done:tt)*]) => {
        #[async_graphql::Object]
        impl $object {
            $($done)*
        }
    };
    (@field $head:tt [$($done:tt)*]
        $(#[doc = $doc:tt])* create $field:ident($input:ty) |$w:ident, $id:ident, $content:ident| $call:expr;
        $($rest:tt)*
    ) => {
        $crate::graphql::resolve::mutations!(@one $head [$($done)*] [$(#[doc = $doc])*] $field
            [input: $input] [$w] {
                let $id = $crate::graphql::parse_opt_id(input.id.as_ref(), "input.id").gql()?;
                let $content = input.content.into_service().gql()?;
            } $call; $($rest)*);
    };
    (@field [$object:ident $node:ident $guard:tt $id_desc:tt] [$($done:tt)*]
        $(#[doc = $doc:tt])* update $field:ident($input:ty) |$w:ident, $id:ident, $patch:ident, $version:ident| $call:expr;
        $($rest:tt)*
    ) => {
        $crate::graphql::resolve::mutations!(@one [$object $node $guard $id_desc] [$($done)*]
            [$(#[doc = $doc])*] $field [#[graphql(desc = $id_desc)] id: async_graphql::ID, input: $input] [$w] {
                let $id = $crate::graphql::parse_id(&id, "id").gql()?;
                let $version = input.expected_version;
                let $patch = input.into_service().gql()?;
            } $call; $($rest)*);
    };
    (@field [$object:ident $node:ident $guard:tt $id_desc:tt] [$($done:tt)*]
        $(#[doc = $doc:tt])* by_id $field:ident($(#[graphql(desc = $arg_desc:tt)] $arg:ident: $arg_ty:ty),*)
        |$w:ident, $id:ident| $call:expr;
        $($rest:tt)*
    ) => {
        $crate::graphql::resolve::mutations!(@one [$object $node $guard $id_desc] [$($done)*]
            [$(#[doc = $doc])*] $field
            [#[graphql(desc = $id_desc)] id: async_graphql::ID $(, #[graphql(desc = $arg_desc)] $arg: $arg_ty)*]
            [$w] { let $id = $crate::graphql::parse_id(&id, "id").gql()?; } $call; $($rest)*);
    };
    (@one [$object:ident $node:ident $guard:tt $id_desc:tt] [$($done:tt)*] [$($doc:tt)*] $field:ident
        [$($args:tt)*] [$w:ident] { $($prepare:tt)* } $call:expr; $($rest:tt)*
    ) => {
        $crate::graphql::resolve::mutations!(@field [$object $node $guard $id_desc] [$($done)*
            $($doc)*
            #[graphql(guard = $guard)]
            async fn $field(
                &self,
                ctx: &async_graphql::Context<'_>,
                $($args)*
            ) -> async_graphql::Result<$node> {
                use $crate::error::GqlResult as _;
                $($prepare)*
                let row = $crate::graphql::resolve::write(ctx, |$w| Box::pin($call)).await?;
                Ok($node(row))
            }
        ] $($rest)*);
    };
}
pub(crate) use mutations;

/// The `#[Object]` impl of a module's queries, every field behind `guard`. The call site
/// names every field and holds its body:
///
/// - `list name(args…) -> Node |ctx, args| { … }`: a connection of `Node` with the paging
///   arguments (`first`, `after`, `last`, `before`, as [`PageArgs`] in `args`) and the
///   complexity of a list, then the field's own `args`;
/// - `field name(args…) -> Type |ctx| { … }`: any other field.
///
/// Arguments are `#[graphql(…)] name: Type`, as in an `#[Object]` impl.
macro_rules! queries {
    ($object:ident, guard = $guard:tt; $($fields:tt)*) => {
        $crate::graphql::resolve::paged!($crate::graphql::resolve::queries; [$object $guard] $($fields)*);
    };
    (@paged [$($paging:tt)*] [$object:ident $guard:tt] $($fields:tt)*) => {
        $crate::graphql::resolve::queries!(@field [$object $guard $($paging)*] [] $($fields)*);
    };
    (@field [$object:ident $guard:tt ($($attr:tt)*) $($page:tt)*] [$($done:tt)*]) => {
        $($attr)*
        impl $object {
            $($done)*
        }
    };
    (@field [$object:ident $guard:tt $attr:tt $cx:tt ($($params:tt)*) ($($page:tt)*)] [$($done:tt)*]
        $(#[doc = $doc:tt])* list $field:ident($(#[graphql($($arg_attr:tt)*)] $arg:ident: $arg_ty:ty),* $(,)?)
        -> $node:ty |$ctx:ident, $args:ident| $body:block
        $($rest:tt)*
    ) => {
        $crate::graphql::resolve::queries!(@field [$object $guard $attr $cx ($($params)*) ($($page)*)] [$($done)*
            $(#[doc = $doc])*
            #[graphql(guard = $guard, complexity = $cx)]
            #[allow(clippy::too_many_arguments)]
            async fn $field(
                &self,
                $ctx: &async_graphql::Context<'_>,
                $($params)*
                $(#[graphql($($arg_attr)*)] $arg: $arg_ty),*
            ) -> async_graphql::Result<$crate::graphql::connection::Page<$node>> {
                let $args = $crate::graphql::connection::PageArgs::new($ctx, $($page)*);
                $body
            }
        ] $($rest)*);
    };
    (@field [$object:ident $guard:tt $($head:tt)*] [$($done:tt)*]
        $(#[doc = $doc:tt])* field $field:ident($(#[graphql($($arg_attr:tt)*)] $arg:ident: $arg_ty:ty),* $(,)?)
        -> $ty:ty |$ctx:ident| $body:block
        $($rest:tt)*
    ) => {
        $crate::graphql::resolve::queries!(@field [$object $guard $($head)*] [$($done)*
            $(#[doc = $doc])*
            #[graphql(guard = $guard)]
            async fn $field(
                &self,
                $ctx: &async_graphql::Context<'_>,
                $(#[graphql($($arg_attr)*)] $arg: $arg_ty),*
            ) -> async_graphql::Result<$ty> $body
        ] $($rest)*);
    };
}
pub(crate) use queries;

/// Calls `$mac!(@paged [attribute complexity (parameters) (names)] …)` with the rest of the
/// input: the `#[Object]` attribute (with the arguments in the parentheses the input starts
/// with, if it does not start with brackets), the complexity of a list, the paging arguments (`first`,
/// `after`, `last`, `before`) and their names, for a macro that writes connection fields.
/// They come from this one expansion, so that the names in the complexity expression are the
/// arguments' and the ones `#[Object]` gives.
macro_rules! paged {
    ($mac:path; [$($item:tt)*] $($rest:tt)*) => {
        $crate::graphql::resolve::paged!($mac; () [$($item)*] $($rest)*);
    };
    ($mac:path; ($($args:tt)*) $($rest:tt)*) => {
        $mac!(@paged [(#[async_graphql::Object($($args)*)])
            "crate::graphql::pagination::list_complexity(child_complexity, first, last)"
            (
                #[graphql(desc = "Page size from the start (default 20, at most 100).")] first: Option<i32>,
                #[graphql(desc = "Cursor to continue after.")] after: Option<String>,
                #[graphql(desc = "Page size from the end (at most 100).")] last: Option<i32>,
                #[graphql(desc = "Cursor to continue before.")] before: Option<String>,
            )
            (first, after, last, before)
        ] $($rest)*);
    };
}
pub(crate) use paged;
