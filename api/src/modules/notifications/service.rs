//! Writing and reading notifications (see the module header).

use chrono::Utc;
use entities::events::notification;
use entities::identity::{role, user_account, user_role};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, ModelTrait, PaginatorTrait, QueryFilter,
    QuerySelect, Select, Set,
};
use uuid::Uuid;

use crate::auth::Actor;
use crate::error::AppError;
use crate::kit::Write;
use crate::kit::events::DomainEvent;
use crate::kit::resource::{Resource, column, id_of, owners_of};

/// The resource name of notifications in events.
pub const ENTITY: &str = "notification";

/// What a notification is about, as stored.
pub const ASSIGNED: &str = "ASSIGNED";
/// An opportunity was won.
pub const OPPORTUNITY_WON: &str = "OPPORTUNITY_WON";
/// An opportunity was lost.
pub const OPPORTUNITY_LOST: &str = "OPPORTUNITY_LOST";
/// An activity fell due.
pub const ACTIVITY_DUE: &str = "ACTIVITY_DUE";

/// A notification to be sent.
pub struct Notice<'a> {
    /// What it is about (one of the constants above).
    pub kind: &'static str,
    /// One line.
    pub title: String,
    /// More.
    pub body: String,
    /// The resource and row it links to.
    pub link: Option<(&'a str, Uuid)>,
    /// Set for a notification that must exist at most once per recipient and key.
    pub dedup: Option<String>,
}

/// The user a write acts for, if a user.
pub fn acting_user(w: &Write<'_>) -> Option<Uuid> {
    match w.actor().0 {
        Some(Actor::User(id)) => Some(id),
        _ => None,
    }
}

/// Sends `notice` inside the write to each of `recipients` but the acting user (nobody is
/// told of what they did themselves). Returns how many were stored: a dedup key stored
/// already for a recipient stores nothing.
pub async fn send(
    w: &Write<'_>,
    recipients: &[Uuid],
    notice: &Notice<'_>,
) -> Result<u64, AppError> {
    let me = acting_user(w);
    let mut sent = 0;
    let mut done = Vec::new();
    for &recipient in recipients {
        if Some(recipient) == me || done.contains(&recipient) {
            continue;
        }
        done.push(recipient);
        let id = Uuid::now_v7();
        let row = notification::ActiveModel {
            id: Set(id),
            recipient_id: Set(recipient),
            kind: Set(notice.kind.to_owned()),
            title: Set(notice.title.clone()),
            body: Set(notice.body.clone()),
            entity: Set(notice.link.map(|(entity, _)| entity.to_owned())),
            entity_id: Set(notice.link.map(|(_, id)| id)),
            dedup_key: Set(notice
                .dedup
                .as_ref()
                .map(|key| format!("{recipient}:{key}"))),
            created_at: Set(Utc::now()),
            read_at: Set(None),
        };
        let stored = notification::Entity::insert(row)
            .on_conflict(
                OnConflict::column(notification::Column::DedupKey)
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(w.tx().await?)
            .await?;
        if stored == 1 {
            sent += 1;
            w.emit(DomainEvent::new(ENTITY, id, "create").audience([recipient]));
        }
    }
    Ok(sent)
}

/// Sends `ASSIGNED` to the users `after` names as owner or assignee that `before` did not
/// (all of them for a new row), when `R` declares `assign_notice`.
pub async fn assigned<R: Resource>(
    w: &Write<'_>,
    before: Option<&R::Model>,
    after: &R::Model,
) -> Result<(), AppError> {
    let Some(label) = R::INFO.assign_notice else {
        return Ok(());
    };
    let had = before.map(owners_of::<R>).unwrap_or_default();
    let new: Vec<Uuid> = owners_of::<R>(after)
        .into_iter()
        .filter(|u| !had.contains(u) && Some(*u) != acting_user(w))
        .collect();
    if new.is_empty() {
        return Ok(());
    }
    let what = R::INFO.name.replace('_', " ");
    let name = match after.get(column::<R>(label)) {
        sea_orm::Value::String(Some(name)) => name,
        _ => String::new(),
    };
    let notice = Notice {
        kind: ASSIGNED,
        title: format!("You were assigned {what}: {name}"),
        body: format!("A {what} was assigned to you: {name}"),
        link: Some((R::INFO.name, id_of::<R>(after))),
        dedup: None,
    };
    send(w, &new, &notice).await.map(|_| ())
}

/// Whether creating or changing a row of `R` from `before` to the values in `owners` would
/// send an `ASSIGNED` notification (a write that would runs in a transaction).
pub fn would_assign<R: Resource>(w: &Write<'_>, owners: &[Uuid]) -> bool {
    R::INFO.assign_notice.is_some() && owners.iter().any(|u| Some(*u) != acting_user(w))
}

/// Active users holding the `manager` role.
pub async fn managers<C: ConnectionTrait>(db: &C) -> Result<Vec<Uuid>, AppError> {
    let holders = Query::select()
        .column(user_role::Column::UserId)
        .from(user_role::Entity)
        .inner_join(
            role::Entity,
            Expr::col((role::Entity, role::Column::Id))
                .equals((user_role::Entity, user_role::Column::RoleId)),
        )
        .and_where(Expr::col((role::Entity, role::Column::Name)).eq("manager"))
        .to_owned();
    Ok(user_account::Entity::find()
        .select_only()
        .column(user_account::Column::Id)
        .filter(user_account::Column::IsActive.eq(true))
        .filter(user_account::Column::Id.in_subquery(holders))
        .into_tuple()
        .all(db)
        .await?)
}

/// `user`'s notifications (only unread ones, if asked), for a page.
pub fn of(user: Uuid, unread_only: bool) -> Select<notification::Entity> {
    let mut select =
        notification::Entity::find().filter(notification::Column::RecipientId.eq(user));
    if unread_only {
        select = select.filter(notification::Column::ReadAt.is_null());
    }
    select
}

/// How many notifications `user` has not read.
pub async fn unread_count<C: ConnectionTrait>(db: &C, user: Uuid) -> Result<u64, AppError> {
    Ok(of(user, true).count(db).await?)
}

/// `user`'s notification `id`: `NOT_FOUND` when it is someone else's or does not exist.
pub async fn find<C: ConnectionTrait>(
    db: &C,
    user: Uuid,
    id: Uuid,
) -> Result<notification::Model, AppError> {
    of(user, false)
        .filter(notification::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound {
            entity: "notification",
        })
}

/// Marks `user`'s notification `id` read (once: a read one keeps its time) and returns it.
pub async fn mark_read<C: ConnectionTrait>(
    db: &C,
    user: Uuid,
    id: Uuid,
) -> Result<notification::Model, AppError> {
    notification::Entity::update_many()
        .col_expr(notification::Column::ReadAt, Expr::value(Utc::now()))
        .filter(notification::Column::Id.eq(id))
        .filter(notification::Column::RecipientId.eq(user))
        .filter(notification::Column::ReadAt.is_null())
        .exec(db)
        .await?;
    find(db, user, id).await
}

/// Marks every unread notification of `user` read; returns how many.
pub async fn mark_all_read<C: ConnectionTrait>(db: &C, user: Uuid) -> Result<u64, AppError> {
    Ok(notification::Entity::update_many()
        .col_expr(notification::Column::ReadAt, Expr::value(Utc::now()))
        .filter(notification::Column::RecipientId.eq(user))
        .filter(notification::Column::ReadAt.is_null())
        .exec(db)
        .await?
        .rows_affected)
}
