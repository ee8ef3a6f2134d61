//! Relay connections with keyset cursors, shared by every list (API_CONVENTIONS.md, Reading).
//!
//! Rows are ordered by an optional sort column (text, ascending or descending) and then by
//! their UUID v7 id (creation order); a cursor is the opaque encoding of the row's sort value
//! and id, and pages continue from it with a keyset condition, so pages stay stable while rows
//! are inserted: no offsets. `first`/`after` walk
//! forward, `last`/`before` backward; page sizes follow [`super::pagination`], and
//! `totalCount` counts every row matching the filter.

use async_graphql::SimpleObject;
use async_graphql::connection::{Connection, CursorType, Edge, EmptyFields};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, Order, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Select,
};
use uuid::Uuid;

use crate::error::AppError;
use crate::graphql::pagination::page_size;

/// Fields every connection has besides edges, nodes and pageInfo.
#[derive(SimpleObject)]
pub struct ConnectionFields {
    /// Number of rows matching the filter, on all pages.
    pub total_count: u64,
}

/// A page of `T` as a Relay connection named `<T>Connection`.
pub type Page<T> = Connection<Cursor, T, ConnectionFields, EmptyFields>;

/// Where a row is in its list: its sort value (if sorted) and id. Encoded
/// ([`encode_cursor`]) only when the client selects a cursor: a page of 100 rows with 10
/// children each holds 1,100 of them, and most clients read `nodes`.
pub struct Cursor {
    key: Option<String>,
    id: Uuid,
}

impl CursorType for Cursor {
    type Error = AppError;

    fn decode_cursor(s: &str) -> Result<Self, AppError> {
        let (key, id) = decode_cursor("cursor", Some(s))?
            .ok_or_else(|| AppError::validation("cursor", "not a cursor of this list"))?;
        Ok(Self { key, id })
    }

    fn encode_cursor(&self) -> String {
        encode_cursor(self.key.as_deref(), self.id)
    }
}

/// The standard connection arguments.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct PageArgs {
    /// Rows after `after`, at most this many.
    pub first: Option<i32>,
    /// Cursor to start after.
    pub after: Option<String>,
    /// Rows before `before`, at most this many (the last ones).
    pub last: Option<i32>,
    /// Cursor to end before.
    pub before: Option<String>,
    /// Whether to count the rows for `totalCount` (skipped when not selected).
    pub count: bool,
}

impl PageArgs {
    /// The arguments of the list field being resolved.
    pub fn new(
        ctx: &async_graphql::Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Self {
        Self {
            first,
            after,
            last,
            before,
            count: ctx.look_ahead().field("totalCount").exists(),
        }
    }
}

/// Sort direction of a list.
#[derive(async_graphql::Enum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum OrderDirection {
    /// Smallest first.
    #[default]
    Asc,
    /// Largest first.
    Desc,
}

/// A text column to sort by (ties broken by id in the same direction).
pub struct Sort<E: EntityTrait> {
    /// The column.
    pub column: E::Column,
    /// Its value in a row.
    pub key: fn(&E::Model) -> String,
}

impl<E: EntityTrait> Clone for Sort<E> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<E: EntityTrait> Copy for Sort<E> {}

/// The cursor of a row: its sort value (if sorted) and id.
pub fn encode_cursor(key: Option<&str>, id: Uuid) -> String {
    #[derive(serde::Serialize)]
    struct Payload<'a> {
        id: Uuid,
        k: Option<&'a str>,
    }
    let payload = serde_json::to_vec(&Payload { id, k: key }).unwrap_or_default();
    URL_SAFE_NO_PAD.encode(payload)
}

fn decode_cursor(
    field: &str,
    cursor: Option<&str>,
) -> Result<Option<(Option<String>, Uuid)>, AppError> {
    let Some(cursor) = cursor else {
        return Ok(None);
    };
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
        .and_then(|v| {
            let id = Uuid::try_parse(v["id"].as_str()?).ok()?;
            Some((v["k"].as_str().map(str::to_owned), id))
        })
        .map(Some)
        .ok_or_else(|| AppError::validation(field, "not a cursor of this list"))
}

/// One page of `select` (already filtered), ordered by id.
pub async fn page<E, C, T>(
    db: &C,
    select: Select<E>,
    id: E::Column,
    args: &PageArgs,
    row_id: impl Fn(&E::Model) -> Uuid,
    node: impl Fn(E::Model) -> T,
) -> Result<Page<T>, AppError>
where
    E: EntityTrait,
    E::Model: Sync,
    C: ConnectionTrait,
    T: async_graphql::OutputType,
{
    page_sorted(
        db,
        select,
        id,
        None,
        OrderDirection::Asc,
        args,
        row_id,
        node,
    )
    .await
}

/// The window a page's arguments ask for: its size, cursors and direction, checked.
#[derive(Clone, Debug)]
pub struct Window {
    /// Rows in the page.
    pub size: usize,
    /// The decoded `after` cursor.
    pub after: Option<(Option<String>, Uuid)>,
    /// The decoded `before` cursor.
    pub before: Option<(Option<String>, Uuid)>,
    /// Whether the page is taken from the end (`last`).
    pub backward: bool,
}

impl Window {
    /// The window of `args`: `VALIDATION` for a size over the maximum or a foreign cursor.
    pub fn of(args: &PageArgs) -> Result<Self, AppError> {
        Ok(Self {
            size: page_size(args.first, args.last)?,
            after: decode_cursor("after", args.after.as_deref())?,
            before: decode_cursor("before", args.before.as_deref())?,
            backward: args.last.is_some(),
        })
    }

    /// The keyset condition of the cursors: rows strictly after `after` and before `before`
    /// in list order (sorted by `sort`, then id, in `direction`).
    pub fn condition<E: EntityTrait>(
        &self,
        id: E::Column,
        sort: Option<&Sort<E>>,
        direction: OrderDirection,
    ) -> Condition {
        let ascending = direction == OrderDirection::Asc;
        // Rows after a cursor in list order: greater when ascending, smaller when descending.
        let beyond = |cursor: &(Option<String>, Uuid), greater: bool| -> Condition {
            let (key, last_id) = cursor;
            let id_cond = if greater {
                id.gt(*last_id)
            } else {
                id.lt(*last_id)
            };
            match (sort, key) {
                (Some(sort), Some(key)) => Condition::any()
                    .add(if greater {
                        sort.column.gt(key.clone())
                    } else {
                        sort.column.lt(key.clone())
                    })
                    .add(
                        Condition::all()
                            .add(sort.column.eq(key.clone()))
                            .add(id_cond),
                    ),
                _ => Condition::all().add(id_cond),
            }
        };
        let mut condition = Condition::all();
        if let Some(after) = &self.after {
            condition = condition.add(beyond(after, ascending));
        }
        if let Some(before) = &self.before {
            condition = condition.add(beyond(before, !ascending));
        }
        condition
    }

    /// The order rows are fetched in: list order, or reversed when paging backward.
    pub fn fetch_order(&self, direction: OrderDirection) -> Order {
        if (direction == OrderDirection::Asc) != self.backward {
            Order::Asc
        } else {
            Order::Desc
        }
    }

    /// The connection of `rows` fetched in [`Self::fetch_order`], at most `size + 1` of them
    /// (one more than the page tells that more follow).
    pub fn connection<M, T>(
        &self,
        mut rows: Vec<M>,
        total_count: u64,
        sort_key: Option<fn(&M) -> String>,
        row_id: impl Fn(&M) -> Uuid,
        node: impl Fn(M) -> T,
    ) -> Page<T>
    where
        T: async_graphql::OutputType,
    {
        let more = rows.len() > self.size;
        rows.truncate(self.size);
        if self.backward {
            rows.reverse();
        }
        let (has_previous, has_next) = if self.backward {
            (more, self.before.is_some())
        } else {
            (self.after.is_some(), more)
        };
        let mut connection = Connection::with_additional_fields(
            has_previous,
            has_next,
            ConnectionFields { total_count },
        );
        connection.edges.extend(rows.into_iter().map(|row| {
            let cursor = Cursor {
                key: sort_key.map(|key| key(&row)),
                id: row_id(&row),
            };
            Edge::new(cursor, node(row))
        }));
        connection
    }
}

/// One page of `select` (already filtered), ordered by `sort` (if any) then id, in
/// `direction`.
#[allow(clippy::too_many_arguments)]
pub async fn page_sorted<E, C, T>(
    db: &C,
    select: Select<E>,
    id: E::Column,
    sort: Option<Sort<E>>,
    direction: OrderDirection,
    args: &PageArgs,
    row_id: impl Fn(&E::Model) -> Uuid,
    node: impl Fn(E::Model) -> T,
) -> Result<Page<T>, AppError>
where
    E: EntityTrait,
    E::Model: Sync,
    C: ConnectionTrait,
    T: async_graphql::OutputType,
{
    let window = Window::of(args)?;
    // 0 stands in when `totalCount` is not selected: it never reaches the client.
    let total_count = if args.count {
        select.clone().count(db).await?
    } else {
        0
    };
    let fetch = window.fetch_order(direction);
    let mut query = select.filter(window.condition(id, sort.as_ref(), direction));
    if let Some(sort) = &sort {
        query = query.order_by(sort.column, fetch.clone());
    }
    query = query.order_by(id, fetch);
    let rows = query.limit(window.size as u64 + 1).all(db).await?;
    Ok(window.connection(rows, total_count, sort.map(|s| s.key), row_id, node))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_a_validation_error() {
        let id = Uuid::now_v7();
        let plain = encode_cursor(None, id);
        assert_eq!(
            decode_cursor("after", Some(&plain)).unwrap(),
            Some((None, id))
        );
        let sorted = encode_cursor(Some("Acme"), id);
        assert_eq!(
            decode_cursor("after", Some(&sorted)).unwrap(),
            Some((Some("Acme".to_owned()), id))
        );
        let cursor = Cursor::decode_cursor(&sorted).unwrap();
        assert_eq!((cursor.key.as_deref(), cursor.id), (Some("Acme"), id));
        assert_eq!(cursor.encode_cursor(), sorted);
        let err = decode_cursor("after", Some("bm9wZQ")).unwrap_err();
        assert!(matches!(err, AppError::Validation { ref field, .. } if field == "after"));
    }
}
