//! Rows as GraphQL objects whose plain fields are written into the answer without a future.
//!
//! async-graphql resolves each field of an object as a boxed future holding the object's whole
//! field state machine, then collects the answers into a map: on a page of 100 opportunities
//! with 10 activities each (9,600 fields) that was most of the server's time. A type declared
//! with [`fields!`](super::fields::fields) wraps one row, and the macro knows which of its
//! fields are plain (a column as it is: its `id`, `text`, `value`, … lines). [`resolve`] walks
//! the selection once, writes those straight from the row, and runs only the other fields
//! (relations, guarded or computed ones) as futures, all at once, through the type's
//! `#[Object]` impl on [`Row`]. That impl stays the type's schema and resolves every field on
//! any other path; the answer is the same either way (the test below compares both on one
//! document with aliases, repeats, fragments, directives and errors).

use std::borrow::Cow;

use async_graphql::indexmap::map::Entry;
use async_graphql::parser::types::{Field, Selection, SelectionSet};
use async_graphql::registry::{MetaType, Registry};
use async_graphql::resolver_utils::resolve_container;
use async_graphql::{
    ContainerType, ContextSelectionSet, Name, OutputType, Positioned, ScalarType, ServerError,
    ServerResult, Value,
};
use chrono::{DateTime, Utc};
use futures_util::future::{BoxFuture, join_all};

/// A borrowed row: the type that carries a [`fields!`](super::fields::fields) type's
/// `#[Object]` impl (its schema and every field's resolver).
pub struct Row<'r, M>(pub &'r M);

/// A type wrapping one row, with the plain fields [`fields!`](super::fields::fields) declared.
pub trait Plain: Send + Sync {
    /// The row.
    type Model: Send + Sync + 'static;
    /// Rust names of the plain fields (the GraphQL names are their camelCase).
    const NAMES: &'static [&'static str];
    /// The wrapped row.
    fn row(&self) -> &Self::Model;
    /// The plain field with the GraphQL name `name`, as a function of the row.
    fn plain(name: &str) -> Option<fn(&Self::Model) -> Value>;
    /// Rust names of the fields that may answer without a future ([`Now`]).
    const NOW: &'static [&'static str];
    /// The field with the GraphQL name `name` that may answer without a future.
    fn now(name: &str) -> Option<Now<Self::Model>>;
}

/// A field answered from the row and what the request already holds (a relation's row that a
/// list prefetched, a cached reference table, the caller's grants), without a future; `None`
/// when it cannot be (the row is not at hand, the answer would be an error): the field then
/// resolves as a future through the `#[Object]` impl, which words any error. Both must answer
/// the same.
pub type Now<M> = for<'a> fn(&ContextSelectionSet<'a>, &'a Positioned<Field>, &M) -> Option<Value>;

/// Whether the GraphQL field name `graphql` is the Rust name `rust` in camelCase (the
/// `#[Object]` default: `is_active` is `isActive`). [`register`] checks every plain name
/// against the schema once, when it is built.
pub fn named(graphql: &str, rust: &str) -> bool {
    let mut g = graphql.chars();
    let mut upper = false;
    for c in rust.chars() {
        if c == '_' {
            upper = true;
            continue;
        }
        let want = if upper { c.to_ascii_uppercase() } else { c };
        upper = false;
        if g.next() != Some(want) {
            return false;
        }
    }
    g.next().is_none()
}

/// The schema of `T` (its `#[Object]` on [`Row`]), checking that every plain field is a field
/// of it: a name [`named`] would not find is a panic when the schema is built, not a field
/// silently resolved the slow way or not at all.
pub fn register<T>(registry: &mut Registry) -> String
where
    T: Plain,
    for<'r> Row<'r, T::Model>: OutputType,
{
    let name = <Row<'static, T::Model> as OutputType>::create_type_info(registry);
    if let Some(MetaType::Object { fields, .. }) = registry.types.get(&name) {
        for rust in T::NAMES.iter().chain(T::NOW) {
            assert!(
                fields.keys().any(|graphql| named(graphql, rust)),
                "{name}: the plain field `{rust}` is not a field of the type"
            );
        }
    }
    name
}

/// The value of `row` for the selection set in `ctx`: plain fields from the row, the others
/// through the `#[Object]` impl, concurrently, as async-graphql would. With a custom directive
/// in the schema, whose hooks wrap each field, everything goes the stock way. Schema
/// extensions would wrap each field too, and async-graphql does not say whether there are
/// any: our schema has none (`graphql::build_schema`), and must keep it so.
///
/// The future is boxed, once per object: a field of a type may return the type itself (a
/// parent account, the next thing), and only a boxed future has a type that does not
/// contain itself.
pub fn resolve<'a, T>(
    ctx: &'a ContextSelectionSet<'a>,
    value: &'a T,
) -> BoxFuture<'a, ServerResult<Value>>
where
    T: Plain + OutputType,
    for<'r> Row<'r, T::Model>: ContainerType,
{
    Box::pin(resolve_row(ctx, value))
}

async fn resolve_row<T>(ctx: &ContextSelectionSet<'_>, value: &T) -> ServerResult<Value>
where
    T: Plain + OutputType,
    for<'r> Row<'r, T::Model>: ContainerType,
{
    let row = value.row();
    let root = Row(row);
    if !ctx.schema_env.custom_directives.is_empty() {
        return resolve_container(ctx, &root).await;
    }
    let mut answer = Vec::new();
    let mut pending = Vec::new();
    collect::<T>(ctx, ctx.item, row, &mut answer, &mut pending)?;
    if !pending.is_empty() {
        let root = &root;
        let resolved = join_all(pending.into_iter().map(|(slot, field)| async move {
            let ctx_field = ctx.with_field(field);
            match root.resolve_field(&ctx_field).await {
                Ok(value) => Some((slot, value.unwrap_or_default())),
                Err(error) => {
                    ctx.add_error(error);
                    None
                }
            }
        }))
        .await;
        for (slot, value) in resolved.into_iter().flatten() {
            answer[slot].1 = Some(value);
        }
    }
    Ok(assemble(answer))
}

/// The object of the answered slots, merged by response key (`null` when none answered).
fn assemble(answer: Vec<Slot>) -> Value {
    let mut map = async_graphql::indexmap::IndexMap::with_capacity(answer.len());
    for (key, value) in answer {
        if let Some(value) = value {
            merge(&mut map, key, value);
        }
    }
    if map.is_empty() {
        Value::Null
    } else {
        Value::Object(map)
    }
}

/// The value of `row` as the object `T` for the selection of `field` (a relation field whose
/// row is at hand), if every field selected answers without a future; `None` otherwise (the
/// field then resolves as a future). For [`Now`] functions.
pub fn nested<'a, T: Plain + OutputType>(
    ctx: &ContextSelectionSet<'a>,
    field: &'a Positioned<Field>,
    row: &T::Model,
) -> Option<Value> {
    let mut answer = Vec::new();
    let mut pending = Vec::new();
    collect::<T>(
        ctx,
        &field.node.selection_set,
        row,
        &mut answer,
        &mut pending,
    )
    .ok()?;
    pending.is_empty().then(|| assemble(answer))
}

/// The value of a small object of leaves (`Money`) for the selection of `field`, each leaf's
/// value from `leaf` by field name (`__typename` is `type_name`); `None` when the selection
/// holds a fragment or a field `leaf` does not answer (the field then resolves as a future).
/// For [`Now`] functions.
pub fn leaves(
    field: &Positioned<Field>,
    type_name: &str,
    leaf: impl Fn(&str) -> Option<Value>,
) -> Option<Value> {
    let mut map = async_graphql::indexmap::IndexMap::new();
    for selection in &field.node.selection_set.node.items {
        let Selection::Field(field) = &selection.node else {
            return None;
        };
        let name = field.node.name.node.as_str();
        let value = if name == "__typename" {
            Value::String(type_name.to_owned())
        } else {
            leaf(name)?
        };
        // A key selected twice names the same leaf (validation refuses anything else).
        map.entry(field.node.response_key().node.clone())
            .or_insert(value);
    }
    Some(Value::Object(map))
}

/// A response key with its value (`None` until a pending field answers, and for good if it
/// fails).
type Slot = (Name, Option<Value>);

/// Appends the fields of `set` (and of the fragments in it that apply to `T`) to `answer` in
/// order: plain ones with their value, the others as `pending` with their slot.
fn collect<'a, T: Plain + OutputType>(
    ctx: &ContextSelectionSet<'a>,
    set: &'a Positioned<SelectionSet>,
    row: &T::Model,
    answer: &mut Vec<Slot>,
    pending: &mut Vec<(usize, &'a Positioned<Field>)>,
) -> ServerResult<()> {
    for selection in &set.node.items {
        let (condition, inner) = match &selection.node {
            Selection::Field(field) => {
                let key = field.node.response_key().node.clone();
                let name = field.node.name.node.as_str();
                if name == "__typename" {
                    answer.push((key, Some(Value::String(T::type_name().into_owned()))));
                } else if let Some(plain) = T::plain(name) {
                    answer.push((key, Some(plain(row))));
                } else if let Some(value) = T::now(name).and_then(|now| now(ctx, field, row)) {
                    answer.push((key, Some(value)));
                } else {
                    pending.push((answer.len(), field));
                    answer.push((key, None));
                }
                continue;
            }
            Selection::FragmentSpread(spread) => {
                let name = &spread.node.fragment_name.node;
                let Some(fragment) = ctx.query_env.fragments.get(name) else {
                    return Err(ServerError::new(
                        format!(r#"Unknown fragment "{name}"."#),
                        Some(spread.pos),
                    ));
                };
                (
                    Some(&fragment.node.type_condition),
                    &fragment.node.selection_set,
                )
            }
            Selection::InlineFragment(fragment) => (
                fragment.node.type_condition.as_ref(),
                &fragment.node.selection_set,
            ),
        };
        if applies::<T>(ctx, condition.map(|c| c.node.on.node.as_str())) {
            collect::<T>(ctx, inner, row, answer, pending)?;
        }
    }
    Ok(())
}

/// Whether a fragment with this type condition applies to an object of type `T`: none, `T`
/// itself, or an interface `T` implements.
fn applies<T: OutputType>(ctx: &ContextSelectionSet<'_>, condition: Option<&str>) -> bool {
    let Some(condition) = condition else {
        return true;
    };
    let name: Cow<'static, str> = T::type_name();
    name == condition
        || ctx
            .schema_env
            .registry
            .implements
            .get(name.as_ref())
            .is_some_and(|interfaces| interfaces.contains(condition))
}

/// Adds `value` under `key` the way async-graphql merges a response key selected twice: the
/// first value stays, objects (and objects in lists, by position) are merged field by field.
pub fn merge(map: &mut async_graphql::indexmap::IndexMap<Name, Value>, key: Name, value: Value) {
    let mut existing = match map.entry(key) {
        Entry::Vacant(entry) => {
            entry.insert(value);
            return;
        }
        Entry::Occupied(entry) => entry,
    };
    match (existing.get_mut(), value) {
        (Value::Object(into), Value::Object(from)) => {
            for (k, v) in from {
                merge(into, k, v);
            }
        }
        (Value::List(into), Value::List(from)) => {
            for (target, item) in into.iter_mut().zip(from) {
                if let (Value::Object(into), Value::Object(from)) = (target, item) {
                    for (k, v) in from {
                        merge(into, k, v);
                    }
                }
            }
        }
        _ => {}
    }
}

/// A column's value as the answer holds it: what async-graphql's scalar would write.
pub trait Column {
    /// The value.
    fn value(&self) -> Value;
}

macro_rules! scalar_columns {
    ($($t:ty),*) => {$(
        impl Column for $t {
            fn value(&self) -> Value {
                ScalarType::to_value(self)
            }
        }
    )*};
}
scalar_columns!(i32, i64, bool, DateTime<Utc>);

impl<T: Column> Column for Option<T> {
    fn value(&self) -> Value {
        self.as_ref().map_or(Value::Null, Column::value)
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::{
        EmptyMutation, EmptySubscription, Enum, Object, Request, Schema, SimpleObject,
    };
    use chrono::{DateTime, TimeZone, Utc};
    use uuid::Uuid;

    use super::{Row, named};
    use crate::graphql::fields::fields;

    #[test]
    fn rust_names_match_their_camel_case() {
        assert!(named("id", "id"));
        assert!(named("isActive", "is_active"));
        assert!(named("lastLoginAt", "last_login_at"));
        assert!(named("addressLine1", "address_line1"));
        assert!(!named("isactive", "is_active"));
        assert!(!named("isActiveX", "is_active"));
        assert!(!named("is", "is_active"));
        assert!(!named("is_active", "is_active"));
    }

    #[derive(Enum, Clone, Copy, PartialEq, Eq)]
    enum Shade {
        Light,
        Dark,
    }

    struct Model {
        id: Uuid,
        parent_id: Option<Uuid>,
        name: String,
        note: Option<String>,
        count: i32,
        is_on: bool,
        seen_at: Option<DateTime<Utc>>,
        made_at: DateTime<Utc>,
        shade: Shade,
    }

    struct Thing(Model);

    fn thing(i: u128) -> Thing {
        Thing(Model {
            id: Uuid::from_u128(i),
            parent_id: i.is_multiple_of(2).then(|| Uuid::from_u128(i + 100)),
            name: format!("thing \"{i}\"\u{1}"),
            note: i.is_multiple_of(3).then(|| format!("note {i}")),
            count: i as i32 * 7 - 10,
            is_on: i % 2 == 1,
            seen_at: i
                .is_multiple_of(2)
                .then(|| Utc.timestamp_micros(1_700_000_000_123_456).unwrap()),
            made_at: Utc.timestamp_opt(1_600_000_000 + i as i64, 5_000).unwrap(),
            shade: if i.is_multiple_of(2) {
                Shade::Light
            } else {
                Shade::Dark
            },
        })
    }

    fields! {
        /// A thing.
        impl Thing(Model) {
            /// Id.
            id id;
            /// Parent.
            opt_id parent_id;
            /// Name.
            text name;
            /// Note.
            opt_text note;
            /// Count.
            value count: i32;
            /// On.
            value is_on: bool;
            /// Seen.
            value seen_at: Option<DateTime<Utc>>;
            /// Made.
            value made_at: DateTime<Utc>;
            /// Shade.
            into shade: Shade;
            /// Computed.
            async fn doubled(&self) -> i32 {
                self.0.count * 2
            }
            /// Fails on odd counts.
            async fn checked(&self) -> async_graphql::Result<i32> {
                if self.0.count % 2 == 0 {
                    Ok(self.0.count)
                } else {
                    Err("odd".into())
                }
            }
            /// Another thing, or none.
            async fn next(&self) -> Option<Thing> {
                (self.0.count < 20).then(|| thing(self.0.id.as_u128() + 1))
            }
            /// The next thing without a future when all its selection is plain.
            async fn after(&self) -> Option<Thing> {
                (self.0.count < 20).then(|| thing(self.0.id.as_u128() + 1))
            }
            => |ctx, field, m| match (m.count < 20).then(|| thing(m.id.as_u128() + 1)) {
                Some(next) => super::nested::<Thing>(ctx, field, &next.0),
                None => Some(async_graphql::Value::Null),
            };
            /// Two leaves, without a future.
            async fn pair(&self) -> Pair {
                Pair { a: self.0.count, b: self.0.name.clone() }
            }
            => |_, field, m| super::leaves(field, "Pair", |name| match name {
                "a" => Some(async_graphql::Value::from(m.count)),
                "b" => Some(async_graphql::Value::String(m.name.clone())),
                _ => None,
            });
            /// Some things, resolved the stock way.
            async fn stock(&self) -> Vec<Row<'static, Model>> {
                (0..3).map(|i| stock(self.0.id.as_u128() * 10 + i)).collect()
            }
        }
    }

    #[derive(SimpleObject)]
    struct Pair {
        a: i32,
        b: String,
    }

    struct Query;

    /// A row that lives as long as the schema, for [`Row`] (the stock `#[Object]` path).
    fn stock(i: u128) -> Row<'static, Model> {
        Row(Box::leak(Box::new(thing(i).0)))
    }

    #[Object]
    impl Query {
        async fn things(&self) -> Vec<Thing> {
            (0..5).map(thing).collect()
        }
        async fn stock_things(&self) -> Vec<Row<'static, Model>> {
            (0..5).map(stock).collect()
        }
        async fn one(&self) -> Thing {
            thing(4)
        }
        async fn stock_one(&self) -> Row<'static, Model> {
            stock(4)
        }
    }

    /// One selection, twice: on `things` and `one` (plain fields from the row) and, aliased
    /// to the same keys, on `stockThings` and `stockOne` (every field a future, the stock way).
    /// Below the first level both documents mix the paths: `next` is the fast type, `stock`
    /// the stock one.
    const SELECTION: &str = r#"
          ($skip: Boolean!, $with: Boolean!) {
          things: THINGS {
            __typename id parentId name note count isOn seenAt madeAt shade
            again: name name id
            doubled checked
            skipped: count @skip(if: $skip)
            included: doubled @include(if: $with)
            ... on Thing { count next { name next { id } } }
            ... { isOn }
            ...F
            next { ...F id stock { name } }
            stock { id name stock { id shade checked } }
            after { name after { id t: __typename after { ...F } } a2: after { count } }
            after { shade after { note } }
            pair { a b t: __typename b }
            p2: pair { b }
          }
          one: ONE { ...F stock { ...G } next { ...G } t: __typename after { ...G name }
            stock { after { id after { name } pair { a } } } }
        }
        fragment F on Thing { name doubled next { shade note } }
        fragment G on Thing { id checked }
    "#;

    #[tokio::test]
    async fn plain_fields_answer_what_the_stock_path_answers() {
        let schema = Schema::new(Query, EmptyMutation, EmptySubscription);
        let document = |things: &str, one: &str| {
            let selection = SELECTION.replace("THINGS", things).replace("ONE", one);
            format!("query Q {selection}")
        };
        for (skip, with) in [(false, true), (true, false)] {
            let run = |document: String| {
                let schema = schema.clone();
                async move {
                    let request =
                        Request::new(document).variables(async_graphql::Variables::from_json(
                            serde_json::json!({ "skip": skip, "with": with }),
                        ));
                    serde_json::to_value(schema.execute(request).await).unwrap()
                }
            };
            let fast = run(document("things", "one")).await;
            let stock = run(document("stockThings", "stockOne")).await;
            assert!(fast["data"]["things"][4]["name"].is_string(), "{fast}");
            assert!(!fast["errors"].as_array().unwrap().is_empty(), "{fast}");
            assert_eq!(fast, stock);
        }
    }
}
