//! API keys for integrators: created bound to a role (no more than the creator holds), shown
//! once, verified by hash on every request, revocable.

use chrono::Utc;
use entities::identity::{api_key, role};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Select, Set};
use uuid::Uuid;

use crate::auth::{Actor, Principal, secrets};
use crate::authz::Access;
use crate::authz::catalog::API_KEY_WRITE;
use crate::error::AppError;
use crate::kit::{self, Write};
use crate::modules::identity::service::escalation;
use crate::state::AppState;

/// A created key and its secret (shown once).
pub struct CreatedKey {
    /// The stored key.
    pub key: api_key::Model,
    /// The full key to put in `Authorization: Bearer …`.
    pub secret: String,
}

/// The keys `access` may see.
pub fn visible(access: &Access) -> Result<Select<api_key::Entity>, AppError> {
    kit::resource::visible::<api_key::Entity>(access)
}

/// Creates a key with role `role_id` in tenant `tenant_id`.
pub async fn create(
    w: &Write<'_>,
    tenant_id: Uuid,
    name: &str,
    role_id: Uuid,
) -> Result<CreatedKey, AppError> {
    w.access().require(API_KEY_WRITE)?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AppError::validation(
            "input.name",
            "a key name needs 1 to 100 characters",
        ));
    }
    let role = role::Entity::find_by_id(role_id)
        .one(w.tx().await?)
        .await?
        .ok_or_else(|| AppError::validation("input.roleId", "no such role"))?;
    escalation::check_role_grantable(w.tx().await?, w.access(), &role).await?;
    let id = Uuid::now_v7();
    let (full, secret) = secrets::new_api_key(tenant_id, id);
    let row = api_key::ActiveModel {
        id: Set(id),
        name: Set(name.to_owned()),
        secret_hash: Set(secrets::hash(&secret)),
        role_id: Set(role_id),
        created_by: Set(w.access().user_id()),
        created_at: Set(Utc::now()),
        last_used_at: Set(None),
        revoked_at: Set(None),
    };
    let key = kit::write::insert::<api_key::Entity>(w, row, false).await?;
    Ok(CreatedKey { key, secret: full })
}

/// Revokes a key; it stops working at once.
pub async fn revoke(w: &Write<'_>, id: Uuid) -> Result<api_key::Model, AppError> {
    let key = kit::write::find_for_write::<api_key::Entity>(w, id).await?;
    if key.revoked_at.is_some() {
        return Ok(key);
    }
    let row = api_key::ActiveModel {
        revoked_at: Set(Some(Utc::now())),
        ..Default::default()
    };
    kit::write::change::<api_key::Entity>(w, &key, row, "revoke").await
}

/// The principal of a presented API key; anything wrong is `UNAUTHENTICATED`.
pub async fn verify(state: &AppState, raw: &str) -> Result<Principal, AppError> {
    let (tenant_id, key_id, secret) =
        secrets::parse_api_key(raw).ok_or(AppError::Unauthenticated)?;
    let db = state.tenancy().tenant_db(tenant_id).await?;
    let key = api_key::Entity::find_by_id(key_id)
        .one(db.conn())
        .await?
        .filter(|k| k.revoked_at.is_none() && secrets::matches(secret, &k.secret_hash))
        .ok_or(AppError::Unauthenticated)?;
    // Record use at most once a minute: a write per request would serialize integrators.
    let now = Utc::now();
    if key
        .last_used_at
        .is_none_or(|t| now - t > chrono::Duration::minutes(1))
    {
        api_key::Entity::update_many()
            .col_expr(api_key::Column::LastUsedAt, Expr::value(Some(now)))
            .filter(api_key::Column::Id.eq(key_id))
            .exec(db.conn())
            .await?;
    }
    Ok(Principal {
        tenant_id,
        actor: Actor::ApiKey(key_id),
        session_id: None,
    })
}
