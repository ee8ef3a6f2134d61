//! `notifications`, `unreadNotificationCount`, `markNotificationRead`,
//! `markAllNotificationsRead` and the `notificationReceived` subscription.

use async_graphql::{Context, Enum, ID, Object, Result, Subscription};
use chrono::{DateTime, Utc};
use entities::events::notification;
use futures_util::{Stream, StreamExt};
use uuid::Uuid;

use super::service;
use crate::authz::SignedIn;
use crate::error::{AppError, GqlResult};
use crate::graphql::connection::{OrderDirection, page_sorted};
use crate::graphql::context::ContextExt;
use crate::graphql::fields::fields;
use crate::graphql::parse_id;
use crate::kit::changes::{Heard, events};

/// What a notification is about.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotificationKind {
    /// Someone else assigned you a lead, an opportunity or an activity.
    Assigned,
    /// An opportunity you own or manage was won.
    OpportunityWon,
    /// An opportunity you own or manage was lost.
    OpportunityLost,
    /// An activity assigned to you fell due.
    ActivityDue,
}

impl NotificationKind {
    fn of(kind: &str) -> Self {
        match kind {
            service::OPPORTUNITY_WON => Self::OpportunityWon,
            service::OPPORTUNITY_LOST => Self::OpportunityLost,
            service::ACTIVITY_DUE => Self::ActivityDue,
            _ => Self::Assigned,
        }
    }
}

/// A notification row (the GraphQL type `Notification`).
pub struct Notification(pub notification::Model);

fields! {
    /// A message to you about something that happened in the tenant.
    impl Notification(notification::Model) {
        /// Stable id.
        id id;
        /// What it is about.
        async fn kind(&self) -> NotificationKind {
            NotificationKind::of(&self.0.kind)
        }
        /// One line.
        text title;
        /// More.
        text body;
        /// The kind of record it links to (`lead`, `opportunity`, `activity`), if any.
        opt_text entity;
        /// The record it links to, if any: fetch it through its query (your rights apply).
        opt_id entity_id;
        /// When it was sent.
        value created_at: DateTime<Utc>;
        /// When you marked it read (none: unread).
        value read_at: Option<DateTime<Utc>>;
    }
}

/// The signed-in user (an API key has no notifications: `FORBIDDEN`).
fn me(ctx: &Context<'_>) -> Result<Uuid> {
    ctx.request()?.access().gql()?.user_id().ok_or_else(|| {
        AppError::Forbidden {
            permission: "a user's own notifications".into(),
        }
        .to_gql()
    })
}

/// Notification queries.
#[derive(Default)]
pub struct NotificationsQuery;

crate::graphql::resolve::queries! { NotificationsQuery, guard = "SignedIn";
    /// Your notifications, newest first (only unread ones with `unread: true`).
    list notifications(
        #[graphql(desc = "Only notifications not read yet.")] unread: Option<bool>,
    ) -> Notification |ctx, args| {
        let user = me(ctx)?;
        let db = ctx.request()?.tenant_db().await.gql()?;
        page_sorted(
            db.conn(),
            service::of(user, unread.unwrap_or(false)),
            notification::Column::Id,
            None,
            OrderDirection::Desc,
            &args,
            |n| n.id,
            Notification,
        )
        .await
        .gql()
    }

    /// How many of your notifications are unread.
    field unread_notification_count() -> u64 |ctx| {
        let user = me(ctx)?;
        let db = ctx.request()?.tenant_db().await.gql()?;
        service::unread_count(db.conn(), user).await.gql()
    }
}

/// Notification mutations.
#[derive(Default)]
pub struct NotificationsMutation;

#[Object]
impl NotificationsMutation {
    /// Marks one of your notifications read (a read one keeps its first read time); someone
    /// else's is `NOT_FOUND`.
    #[graphql(guard = "SignedIn")]
    async fn mark_notification_read(&self, ctx: &Context<'_>, id: ID) -> Result<Notification> {
        let id = parse_id(&id, "id").gql()?;
        let user = me(ctx)?;
        let db = ctx.request()?.tenant_db().await.gql()?;
        Ok(Notification(
            service::mark_read(db.conn(), user, id).await.gql()?,
        ))
    }

    /// Marks all your unread notifications read; returns how many there were.
    #[graphql(guard = "SignedIn")]
    async fn mark_all_notifications_read(&self, ctx: &Context<'_>) -> Result<u64> {
        let user = me(ctx)?;
        let db = ctx.request()?.tenant_db().await.gql()?;
        service::mark_all_read(db.conn(), user).await.gql()
    }
}

/// Notification subscriptions.
#[derive(Default)]
pub struct NotificationsSubscription;

#[Subscription]
impl NotificationsSubscription {
    /// Your notifications as they are sent, from now on. Ends with `UNAUTHENTICATED` when
    /// your session ends.
    async fn notification_received(
        &self,
        ctx: &Context<'_>,
    ) -> Result<impl Stream<Item = Result<Notification>> + use<>> {
        let user = me(ctx)?;
        let state = ctx.request()?.state().clone();
        let ids = events(ctx, "", move |event, _| {
            if event.entity == service::ENTITY && event.audience.contains(&user) {
                Heard::Yield(event.id)
            } else {
                Heard::Skip
            }
        })?;
        // The row itself, read for the recipient only (one read per notification).
        let tenant = ctx.request()?.principal().gql()?.tenant_id;
        Ok(ids.filter_map(move |id| {
            let state = state.clone();
            async move {
                let id = match id {
                    Ok(id) => id,
                    Err(e) => return Some(Err(e)),
                };
                let found = match state.tenancy().tenant_db(tenant).await {
                    Ok(db) => service::find(db.conn(), user, id).await,
                    Err(e) => Err(e),
                };
                match found {
                    Ok(row) => Some(Ok(Notification(row))),
                    Err(AppError::NotFound { .. }) => None,
                    Err(e) => Some(Err(e.to_gql())),
                }
            }
        }))
    }
}
