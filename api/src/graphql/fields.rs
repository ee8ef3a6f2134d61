//! [`fields!`]: an `#[Object]` impl of a type wrapping a row (`Type(pub Model)`) whose plain
//! fields are named once each, by kind, next to the resolvers written out in full.

/// The `#[Object]` impl (`#[Object]` first, then the type's doc comment) of `Type(pub Model)`: each
/// line `kind name;` is the field `name` read from the row's column `name`, and every
/// `async fn` is kept as it is. The kinds:
///
/// - `id name;`: `ID` of a UUID column; `opt_id name;`: `Option<ID>` of an optional one;
/// - `text name;`: `&str` of a text column; `opt_text name;`: `Option<&str>` of an optional one;
/// - `value name: Type;`: the column's value as it is (`i32`, `bool`, a time);
/// - `into name: Type;`: the column's value converted with `Into` (an enum).
///
/// Doc comments before a line are the field's description.
macro_rules! fields {
    ($hash:tt $object:tt $(#[doc = $doc:tt])* impl $ty:ident { $($body:tt)* }) => {
        // `#[Object]` keeps the caller's tokens, so that the names it gives a field's
        // `complexity` expression (`child_complexity`) are the ones the caller's string uses.
        $crate::graphql::fields::fields!(@next [$hash $object $(#[doc = $doc])* impl $ty] [] $($body)*);
    };
    (@next [$($head:tt)*] [$($done:tt)*]) => {
        $($head)* { $($done)* }
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
