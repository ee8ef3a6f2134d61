//! Inputs declared once: the create and update inputs of a resource edited by patches
//! ([`edit_inputs!`]) and the filters of lists ([`filter_input!`]).
//!
//! [`edit_inputs!`] takes each field's kind, type and the field of the service's patch it
//! fills, and writes the create fields (flattened into `Create…Input`, or the whole input),
//! the update input (the same fields, optional, plus `expectedVersion`) and both
//! conversions to the patch: a field is added to a module's GraphQL inputs in one line.
//!
//! | kind | on create | on update | patch field |
//! |---|---|---|---|
//! | `required T` | `T!` | `T` (omitted: unchanged) | `Option<U>` |
//! | `optional T` | `T` (omitted: none) | `T` (omitted: unchanged, `null`: cleared) | `Option<Option<U>>` |
//! | `defaulted T` | `T` (omitted: the service's default) | `T` (omitted: unchanged) | `Option<U>` |
//! | `flag T` | `T!` with the type's default | `T` (omitted: unchanged) | `Option<U>` |
//!
//! `U` is what [`Convert`] makes of `T`: the value itself, the UUID in an `ID`, the text of a
//! `Decimal`, the day of a `Date`, the [`Money`] of a `MoneyInput`, or what a module adds
//! (an enum of its schema into its service's).

use async_graphql::ID;
use chrono::NaiveDate;
use uuid::Uuid;

use crate::error::AppError;
use crate::graphql::parse_id;
use crate::graphql::scalars::{Date, Decimal, MoneyInput};
use crate::money::Money;

/// A value of an input field as the service takes it; `path` is the field's path with Rust
/// names (`input.owner_id`).
pub trait Convert<U> {
    /// The service's value, or a `VALIDATION` error on the field (`input.ownerId`).
    fn convert(self, path: &str) -> Result<U, AppError>;
}

impl<T> Convert<T> for T {
    fn convert(self, _: &str) -> Result<T, AppError> {
        Ok(self)
    }
}

impl Convert<Uuid> for ID {
    fn convert(self, path: &str) -> Result<Uuid, AppError> {
        parse_id(&self, &schema_path(path))
    }
}

impl Convert<String> for Decimal {
    fn convert(self, _: &str) -> Result<String, AppError> {
        Ok(self.as_str().to_owned())
    }
}

impl Convert<NaiveDate> for Date {
    fn convert(self, _: &str) -> Result<NaiveDate, AppError> {
        Ok(self.0)
    }
}

impl Convert<Money> for MoneyInput {
    fn convert(self, _: &str) -> Result<Money, AppError> {
        Ok(Money {
            amount: self.amount.as_str().to_owned(),
            currency: self.currency,
        })
    }
}

/// A path with Rust names as the schema names it: `input.owner_id` → `input.ownerId`.
pub fn schema_path(rust: &str) -> String {
    let mut path = String::with_capacity(rust.len());
    let mut upper = false;
    for c in rust.chars() {
        match c {
            '_' => upper = true,
            c if upper => {
                path.extend(c.to_uppercase());
                upper = false;
            }
            c => path.push(c),
        }
    }
    path
}

/// The create fields, update input and conversions of a patch-edited resource:
///
/// ```ignore
/// edit_inputs! {
///     /// Input of `createThing`.
///     create CreateThingInput,                   // optional: `{ id, …the fields }`
///     /// A thing's details.
///     fields ThingFields,
///     /// Input of `updateThing`: …
///     update UpdateThingInput => ThingPatch;
///     /// Name.
///     required name: String => name;
///     /// Responsible user (omitted on create: you).
///     optional owner_id: ID => party.owner_id;
/// }
/// ```
///
/// `ThingFields::into_service` and `UpdateThingInput::into_service` return the patch (for
/// `graphql::resolve::mutations!`); the patch type implements `Default`.
macro_rules! edit_inputs {
    (
        $(#[doc = $cdoc:tt])* create $create:ident,
        $(#[doc = $fdoc:tt])* fields $fields:ident,
        $($rest:tt)*
    ) => {
        $(#[doc = $cdoc])*
        #[derive(async_graphql::InputObject)]
        pub struct $create {
            /// Optional client-generated id (UUID) making the create idempotent.
            pub id: Option<async_graphql::ID>,
            /// The details.
            #[graphql(flatten)]
            pub content: $fields,
        }
        $crate::graphql::edit::edit_inputs!($(#[doc = $fdoc])* fields $fields, $($rest)*);
    };
    (
        $(#[doc = $fdoc:tt])* fields $fields:ident,
        $(#[doc = $udoc:tt])* update $update:ident => $patch:ty;
        $($body:tt)*
    ) => {
        $crate::graphql::edit::edit_inputs!(@field
            [$fields [$(#[doc = $fdoc])*] $update [$(#[doc = $udoc])*] $patch] [input patch]
            [] [] [] [] $($body)*);
    };
    (@field $head:tt [$v:ident $p:ident] [$($cf:tt)*] [$($uf:tt)*] [$($cc:tt)*] [$($uc:tt)*]
        $(#[doc = $doc:tt])* required $name:ident: $ty:ty => $($path:ident).+; $($rest:tt)*
    ) => {
        $crate::graphql::edit::edit_inputs!(@field $head [$v $p]
            [$($cf)* $(#[doc = $doc])* pub $name: $ty,]
            [$($uf)* $(#[doc = $doc])* pub $name: Option<$ty>,]
            [$($cc)* $p.$($path).+ = Some($crate::graphql::edit::convert($v.$name, concat!("input.", stringify!($name)))?);]
            [$($uc)* $p.$($path).+ = $crate::graphql::edit::convert_opt($v.$name, concat!("input.", stringify!($name)))?;]
            $($rest)*);
    };
    (@field $head:tt [$v:ident $p:ident] [$($cf:tt)*] [$($uf:tt)*] [$($cc:tt)*] [$($uc:tt)*]
        $(#[doc = $doc:tt])* flag $name:ident: $ty:ty => $($path:ident).+; $($rest:tt)*
    ) => {
        $crate::graphql::edit::edit_inputs!(@field $head [$v $p]
            [$($cf)* $(#[doc = $doc])* #[graphql(default)] pub $name: $ty,]
            [$($uf)* $(#[doc = $doc])* pub $name: Option<$ty>,]
            [$($cc)* $p.$($path).+ = Some($crate::graphql::edit::convert($v.$name, concat!("input.", stringify!($name)))?);]
            [$($uc)* $p.$($path).+ = $crate::graphql::edit::convert_opt($v.$name, concat!("input.", stringify!($name)))?;]
            $($rest)*);
    };
    (@field $head:tt [$v:ident $p:ident] [$($cf:tt)*] [$($uf:tt)*] [$($cc:tt)*] [$($uc:tt)*]
        $(#[doc = $doc:tt])* defaulted $name:ident: $ty:ty => $($path:ident).+; $($rest:tt)*
    ) => {
        $crate::graphql::edit::edit_inputs!(@field $head [$v $p]
            [$($cf)* $(#[doc = $doc])* pub $name: Option<$ty>,]
            [$($uf)* $(#[doc = $doc])* pub $name: Option<$ty>,]
            [$($cc)* $p.$($path).+ = $crate::graphql::edit::convert_opt($v.$name, concat!("input.", stringify!($name)))?;]
            [$($uc)* $p.$($path).+ = $crate::graphql::edit::convert_opt($v.$name, concat!("input.", stringify!($name)))?;]
            $($rest)*);
    };
    (@field $head:tt [$v:ident $p:ident] [$($cf:tt)*] [$($uf:tt)*] [$($cc:tt)*] [$($uc:tt)*]
        $(#[doc = $doc:tt])* optional $name:ident: $ty:ty => $($path:ident).+; $($rest:tt)*
    ) => {
        $crate::graphql::edit::edit_inputs!(@field $head [$v $p]
            [$($cf)* $(#[doc = $doc])* pub $name: Option<$ty>,]
            [$($uf)* $(#[doc = $doc])* pub $name: async_graphql::MaybeUndefined<$ty>,]
            [$($cc)* $p.$($path).+ = Some($crate::graphql::edit::convert_opt($v.$name, concat!("input.", stringify!($name)))?);]
            [$($uc)* $p.$($path).+ = $crate::graphql::edit::convert_patch($v.$name, concat!("input.", stringify!($name)))?;]
            $($rest)*);
    };
    (@field [$fields:ident [$($fdoc:tt)*] $update:ident [$($udoc:tt)*] $patch:ty] [$v:ident $p:ident]
        [$($cf:tt)*] [$($uf:tt)*] [$($cc:tt)*] [$($uc:tt)*]
    ) => {
        $($fdoc)*
        #[derive(async_graphql::InputObject)]
        pub struct $fields {
            $($cf)*
        }

        impl $fields {
            /// The service's patch giving every field (a new row).
            #[allow(clippy::field_reassign_with_default)]
            pub fn into_service(self) -> Result<$patch, $crate::error::AppError> {
                let $v = self;
                let mut $p = <$patch as Default>::default();
                $($cc)*
                Ok($p)
            }
        }

        $($udoc)*
        #[derive(async_graphql::InputObject)]
        pub struct $update {
            $($uf)*
            /// The `version` you last read.
            pub expected_version: i32,
        }

        impl $update {
            /// The service's patch giving the fields the client gave.
            #[allow(clippy::field_reassign_with_default)]
            pub fn into_service(self) -> Result<$patch, $crate::error::AppError> {
                let $v = self;
                let mut $p = <$patch as Default>::default();
                $($uc)*
                Ok($p)
            }
        }
    };
}
pub(crate) use edit_inputs;

/// A list's filter input and its conversion to the service's filter:
///
/// ```ignore
/// filter_input! {
///     /// Which things `things` lists.
///     ThingFilterInput => ThingFilter;
///     /// Only these statuses.
///     any status: ThingStatus;        // `[ThingStatus!]`, default empty; each `Into` the service's
///     /// One owner's things.
///     one owner_id: ID;               // optional, through `Convert` (`filter.ownerId` on a bad id)
/// }
/// ```
///
/// `ThingFilterInput::service(filter)` is the service's filter (`Default`) of the optional
/// argument.
macro_rules! filter_input {
    ($(#[doc = $doc:tt])* $input:ident => $filter:ty; $($body:tt)*) => {
        $crate::graphql::edit::filter_input!(@field [[$(#[doc = $doc])*] $input $filter] [given filter]
            [] [] $($body)*);
    };
    (@field $head:tt [$v:ident $p:ident] [$($f:tt)*] [$($c:tt)*]
        $(#[doc = $doc:tt])* any $name:ident: $ty:ty; $($rest:tt)*
    ) => {
        $crate::graphql::edit::filter_input!(@field $head [$v $p]
            [$($f)* $(#[doc = $doc])* #[graphql(default)] pub $name: Vec<$ty>,]
            [$($c)* $p.$name = $v.$name.into_iter().map(Into::into).collect();]
            $($rest)*);
    };
    (@field $head:tt [$v:ident $p:ident] [$($f:tt)*] [$($c:tt)*]
        $(#[doc = $doc:tt])* one $name:ident: $ty:ty; $($rest:tt)*
    ) => {
        $crate::graphql::edit::filter_input!(@field $head [$v $p]
            [$($f)* $(#[doc = $doc])* pub $name: Option<$ty>,]
            [$($c)* $p.$name = $crate::graphql::edit::convert_opt($v.$name, concat!("filter.", stringify!($name)))?;]
            $($rest)*);
    };
    (@field [[$($doc:tt)*] $input:ident $filter:ty] [$v:ident $p:ident] [$($f:tt)*] [$($c:tt)*]) => {
        $($doc)*
        #[derive(async_graphql::InputObject, Default)]
        pub struct $input {
            $($f)*
        }

        impl $input {
            /// The service's filter of the optional `filter` argument (none: everything).
            #[allow(clippy::field_reassign_with_default)]
            pub fn service(filter: Option<Self>) -> Result<$filter, $crate::error::AppError> {
                let $v = filter.unwrap_or_default();
                let mut $p = <$filter as Default>::default();
                $($c)*
                Ok($p)
            }
        }
    };
}
pub(crate) use filter_input;

/// [`Convert`] of a given value.
pub fn convert<T: Convert<U>, U>(value: T, field: &str) -> Result<U, AppError> {
    value.convert(field)
}

/// [`Convert`] of an optional value.
pub fn convert_opt<T: Convert<U>, U>(value: Option<T>, field: &str) -> Result<Option<U>, AppError> {
    value.map(|v| v.convert(field)).transpose()
}

/// [`Convert`] of a clearable value: omitted (`None`), `null` (`Some(None)`) or a value.
pub fn convert_patch<T: Convert<U>, U>(
    value: async_graphql::MaybeUndefined<T>,
    field: &str,
) -> Result<Option<Option<U>>, AppError> {
    crate::graphql::patch(value)
        .map(|v| convert_opt(v, field))
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_fields_are_named_as_the_schema_names_them() {
        assert_eq!(schema_path("input.owner_id"), "input.ownerId");
        assert_eq!(schema_path("input.name"), "input.name");
        assert_eq!(
            schema_path("filter.expected_close_date"),
            "filter.expectedCloseDate"
        );
    }

    #[test]
    fn a_bad_id_is_a_validation_error_on_its_input_field() {
        let err = convert::<ID, Uuid>(ID::from("nope"), "input.payment_term_id").unwrap_err();
        assert!(
            matches!(&err, AppError::Validation { field, .. } if field == "input.paymentTermId"),
            "{err:?}"
        );
        let id = Uuid::now_v7();
        assert_eq!(
            convert::<ID, Uuid>(ID::from(id.to_string()), "x").unwrap(),
            id
        );
        let cleared: Option<Option<Uuid>> =
            convert_patch(async_graphql::MaybeUndefined::<ID>::Null, "x").unwrap();
        assert_eq!(cleared, Some(None));
    }
}
