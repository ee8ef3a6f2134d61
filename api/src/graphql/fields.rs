//! [`fields!`]: a GraphQL object type wrapping a row (`Type(pub Model)`) whose plain fields are
//! named once each, by kind, next to the resolvers written out in full.

/// The GraphQL object `Type` (after the type's doc comment, `impl Type(Model) { … }`) of
/// `Type(pub Model)`: each line `kind name;` is the field `name` read from the row's column
/// `name`, and every `async fn` is kept as it is (`self.0` is the row). The kinds:
///
/// - `id name;`: `ID` of a UUID column; `opt_id name;`: `Option<ID>` of an optional one;
/// - `text name;`: `&str` of a text column; `opt_text name;`: `Option<&str>` of an optional one;
/// - `value name: Type;`: the column's value as it is (`i32`, `bool`, a time; see
///   [`Column`](super::rows::Column));
/// - `into name: Type;`: the column's value converted with `Into` (a GraphQL enum);
/// - `children name -> Node = RELATION;`: a connection of the row's children (`null` and
///   `FORBIDDEN` without their read permission) through `kit::children::page`;
/// - `one name -> Type = Entity, column;`: the row of the resource `Entity` whose id is in
///   `column` (a `Uuid` or an `Option<Uuid>`), as the object `Type`, under the resource's
///   rules (`kit::read::relation`: `FORBIDDEN` without its read permission, `null` outside
///   the caller's scope); answered without a future when the request holds the row (a list
///   prefetched it) and every field selected on it does the same.
/// - `money name = minor, currency;`: the `Money` of the columns `minor` (minor units) and
///   `currency` (its code), with the currency's digits (`master::graphql::types::money`).
///
/// An `async fn` may end with `=> answer;`: `answer` is a [`Now`](super::rows::Now) function
/// giving the same value without a future when it can (`None`: the future runs).
///
/// Doc comments before a line are the field's description; the plain kinds (`id` to `into`)
/// take nothing else (a field with a guard or another attribute is an `async fn`). The plain
/// fields are written straight from the row into the answer (`graphql::rows`); the
/// `#[Object]` impl, on [`Row`](super::rows::Row), is the type's schema and resolves the rest.
macro_rules! fields {
    ($(#[doc = $doc:tt])* impl $ty:ident($model:ty) { $($body:tt)* }) => {
        $crate::graphql::resolve::paged!($crate::graphql::fields::fields; (name_type)
            ([$(#[doc = $doc])*] $ty ($model)) $($body)*);
    };
    (@paged [$($paging:tt)*] $item:tt $($body:tt)*) => {
        $crate::graphql::fields::fields!(@next [$($paging)* $item] [] [] [] $($body)*);
    };
    (@next [($($attr:tt)*) $cx:tt $params:tt $page:tt ([$($doc:tt)*] $ty:ident ($model:ty))]
        [$($done:tt)*] [$(($pname:ident $plain:expr))*] [$(($nname:ident $now:expr))*]
    ) => {
        impl async_graphql::TypeName for $crate::graphql::rows::Row<'_, $model> {
            fn type_name() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed(stringify!($ty))
            }
        }

        $($attr)*
        $($doc)*
        impl<'r> $crate::graphql::rows::Row<'r, $model> { $($done)* }

        impl $crate::graphql::rows::Plain for $ty {
            type Model = $model;
            const NAMES: &'static [&'static str] = &[$(stringify!($pname)),*];
            fn row(&self) -> &$model {
                &self.0
            }
            fn plain(name: &str) -> Option<fn(&$model) -> async_graphql::Value> {
                $(
                    if $crate::graphql::rows::named(name, stringify!($pname)) {
                        let plain: fn(&$model) -> async_graphql::Value = $plain;
                        return Some(plain);
                    }
                )*
                None
            }
            const NOW: &'static [&'static str] = &[$(stringify!($nname)),*];
            #[allow(unused_variables)]
            fn now(name: &str) -> Option<$crate::graphql::rows::Now<$model>> {
                $(
                    if $crate::graphql::rows::named(name, stringify!($nname)) {
                        let now: $crate::graphql::rows::Now<$model> = $now;
                        return Some(now);
                    }
                )*
                None
            }
        }

        impl async_graphql::OutputType for $ty {
            fn type_name() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed(stringify!($ty))
            }
            fn create_type_info(registry: &mut async_graphql::registry::Registry) -> String {
                $crate::graphql::rows::register::<$ty>(registry)
            }
            async fn resolve(
                &self,
                ctx: &async_graphql::ContextSelectionSet<'_>,
                _field: &async_graphql::Positioned<async_graphql::parser::types::Field>,
            ) -> async_graphql::ServerResult<async_graphql::Value> {
                $crate::graphql::rows::resolve(ctx, self).await
            }
        }

        impl async_graphql::ContainerType for $ty {
            async fn resolve_field(
                &self,
                ctx: &async_graphql::Context<'_>,
            ) -> async_graphql::ServerResult<Option<async_graphql::Value>> {
                async_graphql::ContainerType::resolve_field(
                    &$crate::graphql::rows::Row(&self.0),
                    ctx,
                )
                .await
            }
        }

        impl async_graphql::ObjectType for $ty {}
    };
    (@next [$attr:tt $cx:tt ($($params:tt)*) ($($page:tt)*) $item:tt] [$($done:tt)*] $plain:tt
        [$($now:tt)*] $(#[$fa:meta])* children $name:ident -> $node:path = $relation:expr; $($rest:tt)*
    ) => {
        $crate::graphql::fields::fields!(@next [$attr $cx ($($params)*) ($($page)*) $item] [$($done)*
            $(#[$fa])*
            #[graphql(complexity = $cx)]
            async fn $name(
                &self,
                ctx: &async_graphql::Context<'_>,
                $($params)*
            ) -> async_graphql::Result<Option<$crate::graphql::connection::Page<$node>>> {
                let args = $crate::graphql::connection::PageArgs::new(ctx, $($page)*);
                $crate::kit::children::page(ctx, self.0.id, $relation, args, $node)
                    .await
                    .map(Some)
            }
        ] $plain [$($now)* ($name |ctx, field, m| $crate::kit::children::page_now::<_, $node>(
            ctx,
            field,
            m.id,
            $relation,
        ))] $($rest)*);
    };
    (@next $head:tt [$($done:tt)*] [$($plain:tt)*] $now:tt
        $(#[doc = $fd:tt])* id $name:ident; $($rest:tt)*
    ) => {
        $crate::graphql::fields::fields!(@next $head [$($done)* $(#[doc = $fd])*
            async fn $name(&self) -> async_graphql::ID {
                async_graphql::ID(self.0.$name.to_string())
            }
        ] [$($plain)* ($name |m| async_graphql::Value::String(m.$name.to_string()))] $now $($rest)*);
    };
    (@next $head:tt [$($done:tt)*] [$($plain:tt)*] $now:tt
        $(#[doc = $fd:tt])* opt_id $name:ident; $($rest:tt)*
    ) => {
        $crate::graphql::fields::fields!(@next $head [$($done)* $(#[doc = $fd])*
            async fn $name(&self) -> Option<async_graphql::ID> {
                self.0.$name.map(|id| async_graphql::ID(id.to_string()))
            }
        ] [$($plain)* ($name |m| m.$name.map_or(async_graphql::Value::Null,
            |id| async_graphql::Value::String(id.to_string())))] $now $($rest)*);
    };
    (@next $head:tt [$($done:tt)*] [$($plain:tt)*] $now:tt
        $(#[doc = $fd:tt])* text $name:ident; $($rest:tt)*
    ) => {
        $crate::graphql::fields::fields!(@next $head [$($done)* $(#[doc = $fd])*
            async fn $name(&self) -> &str {
                &self.0.$name
            }
        ] [$($plain)* ($name |m| async_graphql::Value::String(m.$name.clone()))] $now $($rest)*);
    };
    (@next $head:tt [$($done:tt)*] [$($plain:tt)*] $now:tt
        $(#[doc = $fd:tt])* opt_text $name:ident; $($rest:tt)*
    ) => {
        $crate::graphql::fields::fields!(@next $head [$($done)* $(#[doc = $fd])*
            async fn $name(&self) -> Option<&str> {
                self.0.$name.as_deref()
            }
        ] [$($plain)* ($name |m| m.$name.as_ref().map_or(async_graphql::Value::Null,
            |s| async_graphql::Value::String(s.clone())))] $now $($rest)*);
    };
    (@next $head:tt [$($done:tt)*] [$($plain:tt)*] $now:tt
        $(#[doc = $fd:tt])* value $name:ident: $t:ty; $($rest:tt)*
    ) => {
        $crate::graphql::fields::fields!(@next $head [$($done)* $(#[doc = $fd])*
            async fn $name(&self) -> $t {
                self.0.$name
            }
        ] [$($plain)* ($name |m| <$t as $crate::graphql::rows::Column>::value(&m.$name))] $now
            $($rest)*);
    };
    (@next $head:tt [$($done:tt)*] [$($plain:tt)*] $now:tt
        $(#[doc = $fd:tt])* into $name:ident: $t:ty; $($rest:tt)*
    ) => {
        $crate::graphql::fields::fields!(@next $head [$($done)* $(#[doc = $fd])*
            async fn $name(&self) -> $t {
                self.0.$name.into()
            }
        ] [$($plain)* ($name |m| async_graphql::resolver_utils::enum_value::<$t>(m.$name.into()))] $now
            $($rest)*);
    };
    (@next $head:tt [$($done:tt)*] $plain:tt [$($now:tt)*]
        $(#[doc = $fd:tt])* money $name:ident = $minor:ident, $currency:ident; $($rest:tt)*
    ) => {
        $crate::graphql::fields::fields!(@next $head [$($done)* $(#[doc = $fd])*
            async fn $name(
                &self,
                ctx: &async_graphql::Context<'_>,
            ) -> async_graphql::Result<$crate::graphql::scalars::Money> {
                $crate::modules::master::graphql::types::money(
                    ctx,
                    self.0.$minor,
                    &self.0.$currency,
                )
                .await
            }
        ] $plain [$($now)* ($name |_, field, m| $crate::modules::master::graphql::types::money_now(
            field,
            m.$minor,
            &m.$currency,
        ))] $($rest)*);
    };
    (@next $head:tt [$($done:tt)*] $plain:tt [$($now:tt)*]
        $(#[doc = $fd:tt])* one $name:ident -> $target:ident = $entity:path, $column:ident;
        $($rest:tt)*
    ) => {
        $crate::graphql::fields::fields!(@next $head [$($done)* $(#[doc = $fd])*
            async fn $name(
                &self,
                ctx: &async_graphql::Context<'_>,
            ) -> async_graphql::Result<Option<$target>> {
                Ok($crate::kit::read::relation::<$entity>(
                    ctx,
                    $crate::kit::read::OptionalId::optional(self.0.$column),
                )
                .await?
                .map($target))
            }
        ] $plain [$($now)* ($name |ctx, field, m| $crate::kit::read::relation_now::<$entity, $target>(
            ctx,
            field,
            $crate::kit::read::OptionalId::optional(m.$column),
        ))] $($rest)*);
    };
    (@next $head:tt [$($done:tt)*] $plain:tt [$($now:tt)*]
        $(#[$fa:meta])* async fn $name:ident($($args:tt)*) -> $ret:ty $body:block
        => $answer:expr; $($rest:tt)*
    ) => {
        $crate::graphql::fields::fields!(@next $head [$($done)* $(#[$fa])*
            async fn $name($($args)*) -> $ret $body
        ] $plain [$($now)* ($name $answer)] $($rest)*);
    };
    (@next $head:tt [$($done:tt)*] $plain:tt $now:tt
        $(#[$fa:meta])* async fn $name:ident($($args:tt)*) -> $ret:ty $body:block
        $($rest:tt)*
    ) => {
        $crate::graphql::fields::fields!(@next $head [$($done)* $(#[$fa])*
            async fn $name($($args)*) -> $ret $body
        ] $plain $now $($rest)*);
    };
}
pub(crate) use fields;
