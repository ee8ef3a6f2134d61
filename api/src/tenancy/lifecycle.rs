//! A tenant's life after provisioning: suspend, resume, close.
//!
//! Each change is one control-database transaction that moves the status with a conditional
//! update (the status read must still be the stored one) and writes a
//! [`tenant_status_change`] row: operator, time, reason, status before and after.
//!
//! Suspending or closing also ends every session of the tenant: all refresh tokens in the
//! tenant's database are revoked, so access tokens fail at their next request (the session
//! check in [`crate::authz::load_access`]) and `refreshSession` fails, at once and on every
//! server. API keys have no session: servers refuse them when they re-read the status (within
//! `ERP_TENANT_STATUS_TTL_MS`, see [`crate::tenancy::pools`]); sign-in reads the registry on
//! every attempt and is refused at once, with the answer an unknown tenant gets
//! (`UNAUTHENTICATED`, API_CONVENTIONS: bad credentials; no hint that the tenant exists). The status changes first and the sessions end after,
//! so a session refreshed between the two is still revoked, and a failure to reach the tenant
//! database leaves a refused tenant, never a usable one.
//!
//! Resuming ends sessions too, before the status changes: anything a server issued in the few
//! seconds before it noticed the suspension does not come back to life. Users sign in again.

use chrono::Utc;
use entities::control::tenant::{self, TenantStatus};
use entities::control::tenant_status_change;
use entities::identity::refresh_token;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

use crate::audit::{self, AuditActor, Changes};
use crate::error::AppError;
use crate::tenancy::{Tenancy, registry};

/// Longest reason accepted, in characters.
const MAX_REASON: usize = 1_000;

/// A lifecycle change an operator asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusChange {
    /// A usable tenant stops being usable; its data stays.
    Suspend,
    /// A suspended tenant becomes usable again, in the status it had before (trial or active).
    Resume,
    /// The tenant ends; the database is kept for export. Final.
    Close,
}

impl StatusChange {
    /// The action's name in the audit trail and in messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Suspend => "suspend",
            Self::Resume => "resume",
            Self::Close => "close",
        }
    }

    /// Whether the change ends the tenant's sessions after the status changed.
    fn ends_sessions_after(self) -> bool {
        matches!(self, Self::Suspend | Self::Close)
    }
}

/// What a change did.
#[derive(Debug)]
pub struct Outcome {
    /// The tenant after the change.
    pub tenant: tenant::Model,
    /// Its status before.
    pub before: TenantStatus,
    /// False when the tenant already had the wanted status (a repeated suspend or close):
    /// nothing was recorded, only sessions were ended again.
    pub changed: bool,
    /// Live sessions (refresh-token families) ended in the tenant's database.
    pub sessions_ended: u64,
}

/// Applies `change` to tenant `slug` on behalf of `operator`, for `reason`.
///
/// A missing tenant is `NOT_FOUND`; an empty or overlong reason `VALIDATION`; a change its
/// status does not allow (resuming an active tenant, anything but close of a suspended one,
/// anything on a closed one or one still provisioning) `BUSINESS_RULE tenant.status`; a
/// concurrent change `CONFLICT`. Suspending a suspended or closing a closed tenant only ends
/// sessions again, so an interrupted run can be repeated.
pub async fn change_status(
    tenancy: &Tenancy,
    slug: &str,
    change: StatusChange,
    operator: &str,
    reason: &str,
) -> Result<Outcome, AppError> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > MAX_REASON {
        return Err(AppError::validation(
            "reason",
            format!("a reason needs 1 to {MAX_REASON} characters"),
        ));
    }
    let control = tenancy.control();
    let current = registry::find_by_slug(control, slug.trim())
        .await?
        .ok_or(AppError::NotFound { entity: "tenant" })?;
    let before = current.status;
    let Some(after) = target(control, &current, change).await? else {
        let sessions_ended = end_sessions(tenancy, &current).await?;
        return Ok(Outcome {
            tenant: current,
            before,
            changed: false,
            sessions_ended,
        });
    };
    let mut sessions_ended = 0;
    if !change.ends_sessions_after() {
        sessions_ended = end_sessions(tenancy, &current).await?;
    }

    let txn = crate::db::begin_write(control).await?;
    let now = Utc::now();
    let moved = tenant::Entity::update_many()
        .col_expr(tenant::Column::Status, Expr::value(after.to_value()))
        .col_expr(tenant::Column::UpdatedAt, Expr::value(now))
        .filter(tenant::Column::Id.eq(current.id))
        .filter(tenant::Column::Status.eq(before.to_value()))
        .exec(&txn)
        .await?
        .rows_affected;
    if moved != 1 {
        return Err(AppError::Conflict(format!(
            "tenant `{}` changed status meanwhile; look again and retry",
            current.slug
        )));
    }
    tenant_status_change::ActiveModel {
        id: Set(Uuid::now_v7()),
        at: Set(now),
        operator: Set(operator.chars().take(128).collect()),
        tenant_id: Set(current.id),
        action: Set(change.as_str().to_owned()),
        reason: Set(reason.to_owned()),
        status_before: Set(before.to_value()),
        status_after: Set(after.to_value()),
    }
    .insert(&txn)
    .await?;
    crate::db::commit(txn).await?;
    // This process stops serving the tenant at once; other servers within the status TTL.
    tenancy.pools().evict(current.id);

    if change.ends_sessions_after() {
        // The status change stands either way; repeating the command finishes the job.
        sessions_ended = end_sessions(tenancy, &current).await.map_err(|e| {
            AppError::Internal(format!(
                "tenant `{}` is now {}, but its sessions could not be ended ({e}); run the \
                 command again to end them",
                current.slug,
                after.to_value()
            ))
        })?;
    }
    let tenant = registry::find_by_id(control, current.id)
        .await?
        .ok_or(AppError::NotFound { entity: "tenant" })?;
    Ok(Outcome {
        tenant,
        before,
        changed: true,
        sessions_ended,
    })
}

/// The lifecycle changes of a tenant, newest first.
pub async fn history<C: ConnectionTrait>(
    control: &C,
    tenant_id: Uuid,
) -> Result<Vec<tenant_status_change::Model>, AppError> {
    Ok(tenant_status_change::Entity::find()
        .filter(tenant_status_change::Column::TenantId.eq(tenant_id))
        .order_by_desc(tenant_status_change::Column::Id)
        .all(control)
        .await?)
}

/// The status `change` leads to from `tenant`'s, `None` when it is there already, or
/// `BUSINESS_RULE tenant.status` when the change is not allowed.
async fn target<C: ConnectionTrait>(
    control: &C,
    tenant: &tenant::Model,
    change: StatusChange,
) -> Result<Option<TenantStatus>, AppError> {
    use TenantStatus::{Active, Closed, Provisioning, Suspended, Trial};
    let refused = |why: &str| AppError::BusinessRule {
        rule: "tenant.status",
        message: format!(
            "tenant `{}` is {}: {why}",
            tenant.slug,
            tenant.status.to_value()
        ),
    };
    match (change, tenant.status) {
        (_, Provisioning) => Err(refused(
            "finish provisioning with `erp tenant create` first",
        )),
        (StatusChange::Suspend, Trial | Active) => Ok(Some(Suspended)),
        (StatusChange::Suspend, Suspended) | (StatusChange::Close, Closed) => Ok(None),
        (StatusChange::Suspend | StatusChange::Resume, Closed) => {
            Err(refused("a closed tenant stays closed"))
        }
        (StatusChange::Resume, Trial | Active) => Err(refused("only a suspended tenant resumes")),
        (StatusChange::Resume, Suspended) => {
            // Back to what it was before the last suspension (a trial stays a trial).
            let previous = history(control, tenant.id)
                .await?
                .into_iter()
                .find(|c| c.action == StatusChange::Suspend.as_str())
                .and_then(|c| TenantStatus::try_from_value(&c.status_before).ok())
                .filter(|s| s.is_usable());
            Ok(Some(previous.unwrap_or(Active)))
        }
        (StatusChange::Close, Trial | Active | Suspended) => Ok(Some(Closed)),
    }
}

/// Revokes every refresh token of the tenant (ending all its sessions), with an audit entry in
/// the tenant's trail when a session was live. The number of live sessions ended.
async fn end_sessions(tenancy: &Tenancy, tenant: &tenant::Model) -> Result<u64, AppError> {
    let db = tenancy
        .backend()
        .connect_tenant(&tenant.db_server, &tenant.db_name, 1)
        .await?;
    let result = async {
        let txn = crate::db::begin_write(&db).await?;
        let now = Utc::now();
        // A live session has exactly one unused, unrevoked, unexpired token: its newest.
        let live = refresh_token::Entity::find()
            .filter(refresh_token::Column::RevokedAt.is_null())
            .filter(refresh_token::Column::UsedAt.is_null())
            .filter(refresh_token::Column::ExpiresAt.gt(now))
            .count(&txn)
            .await?;
        refresh_token::Entity::update_many()
            .col_expr(refresh_token::Column::RevokedAt, Expr::value(Some(now)))
            .filter(refresh_token::Column::RevokedAt.is_null())
            .exec(&txn)
            .await?;
        if live > 0 {
            audit::record(
                &txn,
                AuditActor(None),
                "tenant",
                tenant.id,
                "end_sessions",
                Changes::new().field("liveSessions", live, 0),
            )
            .await?;
        }
        crate::db::commit(txn).await?;
        Ok::<_, AppError>(live)
    }
    .await;
    let _ = db.close().await;
    result
}
