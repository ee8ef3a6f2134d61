//! The transactional outbox of a tenant database: rows written with the change they describe,
//! read back in `seq` order by the relay, marked sent once published.

use chrono::Utc;
use entities::events::outbox;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use super::Event;
use crate::error::AppError;
use crate::kit::events::DomainEvent;

/// Most rows one relay pass (or one catch-up read) handles.
pub const BATCH: u64 = 500;

/// The outbox row of `event`, numbered by the database when inserted.
pub fn row(event: &DomainEvent) -> outbox::ActiveModel {
    outbox::ActiveModel {
        entity: Set(event.entity.to_owned()),
        entity_id: Set(event.id),
        kind: Set(event.action.clone()),
        version: Set(event.version),
        audience: Set(encode_audience(&event.audience)),
        at: Set(Utc::now()),
        ..Default::default()
    }
}

/// Stores `events` in one statement on `tx` (the write's transaction).
pub async fn store<C: ConnectionTrait>(tx: &C, events: &[&DomainEvent]) -> Result<(), AppError> {
    if events.is_empty() {
        return Ok(());
    }
    outbox::Entity::insert_many(events.iter().map(|e| row(e)))
        .exec_without_returning(tx)
        .await?;
    Ok(())
}

/// Up to [`BATCH`] unsent rows, oldest number first.
pub async fn unsent<C: ConnectionTrait>(db: &C) -> Result<Vec<Event>, AppError> {
    let rows = outbox::Entity::find()
        .filter(outbox::Column::SentAt.is_null())
        .order_by_asc(outbox::Column::Seq)
        .limit(BATCH)
        .all(db)
        .await?;
    Ok(rows.into_iter().map(event).collect())
}

/// Up to [`BATCH`] rows numbered after `seq`, sent or not, in order (a subscriber's catch-up).
pub async fn after<C: ConnectionTrait>(db: &C, seq: i64) -> Result<Vec<Event>, AppError> {
    let rows = outbox::Entity::find()
        .filter(outbox::Column::Seq.gt(seq))
        .order_by_asc(outbox::Column::Seq)
        .limit(BATCH)
        .all(db)
        .await?;
    Ok(rows.into_iter().map(event).collect())
}

/// The highest number handed out so far (0: none).
pub async fn last_seq<C: ConnectionTrait>(db: &C) -> Result<i64, AppError> {
    let last: Option<Option<i64>> = outbox::Entity::find()
        .select_only()
        .column_as(outbox::Column::Seq.max(), "last")
        .into_tuple()
        .one(db)
        .await?;
    Ok(last.flatten().unwrap_or(0))
}

/// Marks the rows `seqs` sent.
pub async fn mark_sent<C: ConnectionTrait>(db: &C, seqs: &[i64]) -> Result<(), AppError> {
    if seqs.is_empty() {
        return Ok(());
    }
    outbox::Entity::update_many()
        .col_expr(outbox::Column::SentAt, Expr::value(Utc::now()))
        .filter(outbox::Column::Seq.is_in(seqs.iter().copied()))
        .exec(db)
        .await?;
    Ok(())
}

/// Rows sent more than `days` ago are dropped (the outbox is not an archive; the audit log is).
pub async fn prune<C: ConnectionTrait>(db: &C, days: i64) -> Result<u64, AppError> {
    let before = Utc::now() - chrono::Duration::days(days);
    Ok(outbox::Entity::delete_many()
        .filter(outbox::Column::SentAt.lt(before))
        .exec(db)
        .await?
        .rows_affected)
}

fn event(row: outbox::Model) -> Event {
    Event {
        seq: row.seq,
        entity: row.entity,
        id: row.entity_id,
        kind: row.kind,
        version: row.version,
        audience: decode_audience(&row.audience),
        at: row.at,
    }
}

/// Users as stored in `outbox.audience`: UUIDs separated by spaces.
pub fn encode_audience(users: &[Uuid]) -> String {
    users
        .iter()
        .map(Uuid::to_string)
        .collect::<Vec<_>>()
        .join(" ")
}

fn decode_audience(text: &str) -> Vec<Uuid> {
    text.split_whitespace()
        .filter_map(|u| Uuid::try_parse(u).ok())
        .collect()
}
