//! [`fields!`]: an `#[Object]` impl of a type wrapping a row (`Type(pub Model)`) whose plain
//! fields are named once each, by kind, next to the resolvers written out in full.

/// The `#[Object]` impl (after the type's doc comment) of `Type(pub Model)`: each
/// line `kind name;` is the field `name` read from the row's column `name`, and every
/// `async fn` is kept as it is. The kinds:
///
/// - `id name;`: `ID` of a UUID column; `opt_id name;`: `Option<ID>` of an optional one;
/// - `text name;`: `&str` of a text column; `opt_text name;`: `Option<&str>` of an optional one;
/// - `value name: Type;`: the column's value as it is (`i32`, `bool`, a time);
/// - `into name: Type;`: the column's value converted with `Into` (an enum);
/// - `children name -> Node = RELATION;`: a connection of the row's children (`null` and
///   `FORBIDDEN` without their read permission) through `kit::children::page`.
///
/// Doc comments before a line are the field's description.
macro_rules! fields {
    ($(#[doc = $doc:tt])* impl $ty:ident { $($body:tt)* }) => {
        $crate::graphql::resolve::paged!($crate::graphql::fields::fields;
            ($(#[doc = $doc])* impl $ty) $($body)*);
    };
    (@paged [$($paging:tt)*] $item:tt $($body:tt)*) => {
        $crate::graphql::fields::fields!(@next [$($paging)* $item] [] $($body)*);
    };
    (@next [($($attr:tt)*) $cx:tt $params:tt $page:tt ($($item:tt)*)] [$($done:tt)*]) => {
        $($attr)* $($item)* { $($done)* }
    };
    (@next [$attr:tt $cx:tt ($($params:tt)*) ($($page:tt)*) $item:tt] [$($done:tt)*]
        $(#[$fa:meta])* children $name:ident -> $node:path = $relation:expr; $($rest:tt)*
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
        ] $($rest)*);
    };
    (@next $head:tt [$($done:tt)*] $(#[$fa:meta])* id $name:ident; $($rest:tt)*) => {
        $crate::graphql::fields::fields!(@next $head [$($done)* $(#[$fa])*
            async fn $name(&self) -> async_graphql::ID {
                async_graphql::ID(self.0.$name.to_string())
            }
        ] $($rest)*);
    };
    (@next $head:tt [$($done:tt)*] $(#[$fa:meta])* opt_id $name:ident; $($rest:tt)*) => {
        $crate::graphql::fields::fields!(@next $head [$($done)* $(#[$fa])*
            async fn $name(&self) -> Option<async_graphql::ID> {
                self.0.$name.map(|id| async_graphql::ID(id.to_string()))
            }
        ] $($rest)*);
    };
    (@next $head:tt [$($done:tt)*] $(#[$fa:meta])* text $name:ident; $($rest:tt)*) => {
        $crate::graphql::fields::fields!(@next $head [$($done)* $(#[$fa])*
            async fn $name(&self) -> &str {
                &self.0.$name
            }
        ] $($rest)*);
    };
    (@next $head:tt [$($done:tt)*] $(#[$fa:meta])* opt_text $name:ident; $($rest:tt)*) => {
        $crate::graphql::fields::fields!(@next $head [$($done)* $(#[$fa])*
            async fn $name(&self) -> Option<&str> {
                self.0.$name.as_deref()
            }
        ] $($rest)*);
    };
    (@next $head:tt [$($done:tt)*] $(#[$fa:meta])* value $name:ident: $t:ty; $($rest:tt)*) => {
        $crate::graphql::fields::fields!(@next $head [$($done)* $(#[$fa])*
            async fn $name(&self) -> $t {
                self.0.$name
            }
        ] $($rest)*);
    };
    (@next $head:tt [$($done:tt)*] $(#[$fa:meta])* into $name:ident: $t:ty; $($rest:tt)*) => {
        $crate::graphql::fields::fields!(@next $head [$($done)* $(#[$fa])*
            async fn $name(&self) -> $t {
                self.0.$name.into()
            }
        ] $($rest)*);
    };
    (@next $head:tt [$($done:tt)*]
        $(#[$fa:meta])* async fn $name:ident($($args:tt)*) -> $ret:ty $body:block
        $($rest:tt)*
    ) => {
        $crate::graphql::fields::fields!(@next $head [$($done)* $(#[$fa])*
            async fn $name($($args)*) -> $ret $body
        ] $($rest)*);
    };
}
pub(crate) use fields;
