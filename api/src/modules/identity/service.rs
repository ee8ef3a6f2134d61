//! Identity rules: credential checks and user look-ups. No GraphQL types here.

use chrono::Utc;
use entities::identity::user_account;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use crate::auth::Principal;
use crate::error::AppError;
use crate::state::AppState;
use crate::tenancy::provision::normalize_email;
use crate::tenancy::registry;

/// A successful login.
pub struct LoginOutcome {
    /// The signed access token.
    pub access_token: String,
    /// Its lifetime in seconds.
    pub expires_in: u64,
    /// The user who signed in.
    pub user: user_account::Model,
}

/// Checks the credentials of `email` in tenant `tenant_slug` and issues an access token.
pub async fn login(
    state: &AppState,
    tenant_slug: &str,
    email: &str,
    password: &str,
) -> Result<LoginOutcome, AppError> {
    let tenant = registry::find_by_slug(state.tenancy().control(), tenant_slug.trim())
        .await?
        .filter(|t| t.status.is_usable());
    let email = normalize_email(email).ok();
    let user = match (&tenant, &email) {
        (Some(tenant), Some(email)) => {
            let db = state.tenancy().tenant_db(tenant.id).await?;
            find_by_email(db.conn(), email)
                .await?
                .filter(|u| u.is_active)
        }
        _ => None,
    };
    let verified = state
        .passwords()
        .verify(password, user.as_ref().map(|u| u.password_hash.as_str()))
        .await?;
    let (Some(tenant), Some(user), true) = (tenant, user, verified) else {
        return Err(AppError::Unauthenticated);
    };
    let db = state.tenancy().tenant_db(tenant.id).await?;
    let user = record_login(db.conn(), user).await?;
    let principal = Principal {
        tenant_id: tenant.id,
        user_id: user.id,
    };
    Ok(LoginOutcome {
        access_token: state.tokens().issue(&principal)?,
        expires_in: state.tokens().ttl_secs(),
        user,
    })
}

/// The user with this (normalized) email.
pub async fn find_by_email<C: ConnectionTrait>(
    db: &C,
    email: &str,
) -> Result<Option<user_account::Model>, AppError> {
    Ok(user_account::Entity::find()
        .filter(user_account::Column::Email.eq(email))
        .one(db)
        .await?)
}

/// The active user with this id; a missing or deactivated user is `UNAUTHENTICATED` (their
/// token no longer stands for anyone).
pub async fn active_user<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
) -> Result<user_account::Model, AppError> {
    user_account::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|u| u.is_active)
        .ok_or(AppError::Unauthenticated)
}

async fn record_login<C: ConnectionTrait>(
    db: &C,
    user: user_account::Model,
) -> Result<user_account::Model, AppError> {
    let mut row: user_account::ActiveModel = user.into();
    row.last_login_at = Set(Some(Utc::now()));
    Ok(row.update(db).await?)
}
