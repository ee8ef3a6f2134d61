//! Relay connections with keyset cursors, shared by every list (API_CONVENTIONS.md, Reading).
//!
//! Rows are ordered by their UUID v7 id (creation order), and a cursor is the opaque encoding
//! of the id, so pages stay stable while rows are inserted: no offsets. `first`/`after` walk
//! forward, `last`/`before` backward; page sizes follow [`super::pagination`], and
//! `totalCount` counts every row matching the filter.

use async_graphql::SimpleObject;
use async_graphql::connection::{Connection, Edge, EmptyFields};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Select,
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
pub type Page<T> = Connection<String, T, ConnectionFields, EmptyFields>;

/// The standard connection arguments.
#[derive(Clone, Debug, Default)]
pub struct PageArgs {
    /// Rows after `after`, at most this many.
    pub first: Option<i32>,
    /// Cursor to start after.
    pub after: Option<String>,
    /// Rows before `before`, at most this many (the last ones).
    pub last: Option<i32>,
    /// Cursor to end before.
    pub before: Option<String>,
}

/// The cursor of a row id.
pub fn encode_cursor(id: Uuid) -> String {
    URL_SAFE_NO_PAD.encode(format!("id:{id}"))
}

fn decode_cursor(field: &str, cursor: Option<&str>) -> Result<Option<Uuid>, AppError> {
    let Some(cursor) = cursor else {
        return Ok(None);
    };
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| {
            text.strip_prefix("id:")
                .and_then(|id| Uuid::try_parse(id).ok())
        })
        .map(Some)
        .ok_or_else(|| AppError::validation(field, "not a cursor of this list"))
}

/// One page of `select` (already filtered), keyed on `id`, with each row turned into a node.
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
    let size = page_size(args.first, args.last)?;
    let after = decode_cursor("after", args.after.as_deref())?;
    let before = decode_cursor("before", args.before.as_deref())?;
    let total_count = select.clone().count(db).await?;
    let backward = args.last.is_some();
    let mut query = select;
    if let Some(after) = after {
        query = query.filter(id.gt(after));
    }
    if let Some(before) = before {
        query = query.filter(id.lt(before));
    }
    let query = if backward {
        query.order_by_desc(id)
    } else {
        query.order_by_asc(id)
    };
    let mut rows = query.limit(size as u64 + 1).all(db).await?;
    let more = rows.len() > size;
    rows.truncate(size);
    if backward {
        rows.reverse();
    }
    let (has_previous, has_next) = if backward {
        (more, before.is_some())
    } else {
        (after.is_some(), more)
    };
    let mut connection = Connection::with_additional_fields(
        has_previous,
        has_next,
        ConnectionFields { total_count },
    );
    connection.edges.extend(
        rows.into_iter()
            .map(|row| Edge::new(encode_cursor(row_id(&row)), node(row))),
    );
    Ok(connection)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_a_validation_error() {
        let id = Uuid::now_v7();
        assert_eq!(
            decode_cursor("after", Some(&encode_cursor(id))).unwrap(),
            Some(id)
        );
        let err = decode_cursor("after", Some("bm9wZQ")).unwrap_err();
        assert!(matches!(err, AppError::Validation { ref field, .. } if field == "after"));
    }
}
