//! Change streams: the subscription fields `<entity>Changed(id: ID)` of every module, built by
//! [`changes`] from the hub of this process (`crate::events`).
//!
//! A change carries the row's id, the kind of change, the audit action and the new version:
//! clients refetch what they need through queries, so every field keeps its guard. Each event
//! is checked against the subscriber's grants *as they are now* (the tenant cache, which a
//! role, grant, user or session change invalidates): without `read` the subscription ends
//! with `FORBIDDEN`, an ended session ends it with `UNAUTHENTICATED`, and with scope `OWN`
//! only changes of rows the subscriber owns or is assigned to (before or after the change)
//! are delivered. Events come only from the subscriber's own tenant (the token's `tid`).

use async_graphql::{Context, Enum, ID};
use futures_util::Stream;
use uuid::Uuid;

use crate::authz::Access;
use crate::error::AppError;
use crate::events::Event;
use crate::graphql::context::ContextExt;
use crate::kit::resource::{Resource, hears};
use crate::state::AppState;

/// What kind of change a row went through.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeKind {
    /// The row was created.
    Created,
    /// The row was changed (edited, archived, moved to another state).
    Updated,
    /// The row was deleted.
    Deleted,
}

/// One change as the stream yields it, before the module's type wraps it.
#[derive(Clone, Debug)]
pub struct Change {
    /// The row.
    pub id: ID,
    /// The kind of change.
    pub kind: ChangeKind,
    /// The audit action (`create`, `update`, `archive`, `win`, …).
    pub action: String,
    /// The row's version after the change (none: deleted).
    pub version: Option<i32>,
}

impl Change {
    /// The change `event` describes.
    pub fn of(event: &Event) -> Self {
        Self {
            id: ID(event.id.to_string()),
            kind: match event.kind.as_str() {
                "create" => ChangeKind::Created,
                "delete" => ChangeKind::Deleted,
                _ => ChangeKind::Updated,
            },
            action: event.kind.clone(),
            version: event.version,
        }
    }
}

/// Declares the GraphQL type of a module's change stream, e.g.
/// `change_type!(LeadChange, "A lead that changed.")`.
#[macro_export]
macro_rules! change_type {
    ($name:ident, $doc:literal) => {
        #[doc = $doc]
        #[derive(async_graphql::SimpleObject, Clone, Debug)]
        pub struct $name {
            /// The row that changed.
            pub id: async_graphql::ID,
            /// What kind of change it was.
            pub kind: $crate::kit::changes::ChangeKind,
            /// The action, as in the audit log (`create`, `update`, `archive`, `win`, …).
            pub action: String,
            /// The row's version after the change (none when deleted): a client holding this
            /// version or a later one has nothing to refetch.
            pub version: Option<i32>,
        }

        impl From<$crate::kit::changes::Change> for $name {
            fn from(c: $crate::kit::changes::Change) -> Self {
                Self {
                    id: c.id,
                    kind: c.kind,
                    action: c.action,
                    version: c.version,
                }
            }
        }
    };
}

/// A module's change stream: the subscription field `<entity>Changed(id: ID)` over the rows of
/// one resource, declared once (`ChangeStream::of`) and used by its resolver ([`changes`]) and
/// by the direct path (`crate::graphql::direct`), which answers the plain form of it without
/// the executor.
#[derive(Debug)]
pub struct ChangeStream {
    /// The subscription field, e.g. `leadChanged`.
    pub field: &'static str,
    /// Its item type, e.g. `LeadChange`.
    pub type_name: &'static str,
    /// The resource's name in events.
    pub entity: &'static str,
    /// The permission that hearing of its changes needs.
    pub read: &'static str,
    /// Whether grants reach a change scoped to an audience ([`hears`] of the resource).
    hears: fn(&Access, &[Uuid]) -> bool,
}

impl ChangeStream {
    /// The stream of `R`'s changes, as field `field` of type `type_name`.
    pub const fn of<R: Resource>(field: &'static str, type_name: &'static str) -> Self {
        Self {
            field,
            type_name,
            entity: R::INFO.name,
            read: R::INFO.read,
            hears: hears::<R>,
        }
    }

    /// Whether `event` is a change of this stream's rows (only row `only`, if given): the
    /// check before the subscriber's grants are looked at.
    pub fn concerns(&self, only: Option<Uuid>, event: &Event) -> bool {
        event.entity == self.entity && only.is_none_or(|id| id == event.id)
    }

    /// What a subscriber holding `access` makes of `event`, a change this stream
    /// [`concerns`](Self::concerns).
    pub fn hear(&self, event: &Event, access: &Access) -> Heard<Change> {
        if access.scope(self.read).is_none() {
            return Heard::End(AppError::Forbidden {
                permission: self.read.to_owned(),
            });
        }
        if (self.hears)(access, &event.audience) {
            Heard::Yield(Change::of(event))
        } else {
            Heard::Skip
        }
    }
}

/// The changes of `stream`'s rows (only row `id`, if given) the caller may hear of, from now
/// on. `FORBIDDEN` at once without the stream's `read` permission.
pub fn changes<T: From<Change> + Send + 'static>(
    ctx: &Context<'_>,
    id: Option<ID>,
    stream: &'static ChangeStream,
) -> async_graphql::Result<impl Stream<Item = async_graphql::Result<T>> + use<T>> {
    let only = crate::graphql::parse_opt_id(id.as_ref(), "id").map_err(|e| e.to_gql())?;
    events(ctx, stream.read, move |event, access| {
        if !stream.concerns(only, event) {
            return Heard::Skip;
        }
        match stream.hear(event, access) {
            Heard::Skip => Heard::Skip,
            Heard::Yield(change) => Heard::Yield(T::from(change)),
            Heard::End(e) => Heard::End(e),
        }
    })
}

/// What a subscription makes of one event of its tenant.
pub enum Heard<T> {
    /// Not for this subscriber.
    Skip,
    /// Deliver this.
    Yield(T),
    /// End the subscription with this error.
    End(AppError),
}

/// A subscription stream over the caller's tenant's events, from now on, after checking that
/// the caller holds `permission` (empty: any signed-in caller). Each event is handed to
/// `hear` with the caller's grants *of that moment*; an ended session ends the stream with
/// `UNAUTHENTICATED`, and a listener that fell behind ends it with `RATE_LIMITED`.
pub fn events<T, H>(
    ctx: &Context<'_>,
    permission: &str,
    hear: H,
) -> async_graphql::Result<impl Stream<Item = async_graphql::Result<T>> + use<T, H>>
where
    T: Send + 'static,
    H: Fn(&Event, &Access) -> Heard<T> + Send + Sync + 'static,
{
    let request = ctx.request()?;
    let principal = request.principal().map_err(|e| e.to_gql())?.clone();
    let access = request.access().map_err(|e| e.to_gql())?;
    if !permission.is_empty() {
        access.require(permission).map_err(|e| e.to_gql())?;
    }
    let state = request.state().clone();
    let listener = state.events().hub().listen(principal.tenant_id);
    let hear = std::sync::Arc::new(hear);
    Ok(futures_util::stream::unfold(
        Some((state, principal, listener)),
        move |held| {
            let hear = hear.clone();
            async move {
                let (state, principal, mut listener) = held?;
                loop {
                    let Ok(event) = listener.recv().await else {
                        return Some((Err(fell_behind()), None));
                    };
                    let access = match current_access(&state, &principal).await {
                        Ok(access) => access,
                        Err(e) => return Some((Err(e.to_gql()), None)),
                    };
                    match hear(&event, &access) {
                        Heard::Skip => continue,
                        Heard::Yield(item) => {
                            return Some((Ok(item), Some((state, principal, listener))));
                        }
                        Heard::End(e) => return Some((Err(e.to_gql()), None)),
                    }
                }
            }
        },
    ))
}

/// The grants of `principal` now (see the module header).
pub async fn current_access(
    state: &AppState,
    principal: &crate::auth::Principal,
) -> Result<std::sync::Arc<Access>, AppError> {
    // The hot path of a fan-out: one map lookup, no pool lookup.
    let cache = state.tenancy().pools().cache(principal.tenant_id);
    if let Some(access) = cache.cached_access(principal) {
        return Ok(access);
    }
    // Boxed: a subscription waiting for its next event holds this future's room, and a
    // pool lookup and a grants query are many times the size of the rest.
    Box::pin(async {
        let db = state.tenancy().tenant_db(principal.tenant_id).await?;
        db.cache().access(db.conn(), principal).await
    })
    .await
}

/// The error ending a subscription whose listener fell behind and lost events.
pub fn fell_behind() -> async_graphql::Error {
    AppError::RateLimited { retry_after: 1 }.to_gql()
}
