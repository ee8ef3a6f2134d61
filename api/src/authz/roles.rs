//! Keeps the system roles of a tenant database in step with [`super::catalog`].

use chrono::Utc;
use entities::identity::{role, role_grant, user_account, user_role};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

use crate::authz::catalog::{OWNER_ROLE, SYSTEM_ROLES};
use crate::error::AppError;

/// Creates missing system roles and rewrites their grants from the catalog. A tenant without
/// an active owner (one created before roles existed) makes its oldest active user owner.
/// Idempotent; run inside the provisioning or migration transaction.
pub async fn sync_system_roles<C: ConnectionTrait>(db: &C) -> Result<(), AppError> {
    let now = Utc::now();
    for system in SYSTEM_ROLES {
        let existing = role::Entity::find()
            .filter(role::Column::Name.eq(system.name))
            .one(db)
            .await?;
        let id = match existing {
            Some(r) => {
                if !r.is_system || r.description != system.description {
                    let mut row: role::ActiveModel = r.clone().into();
                    row.is_system = Set(true);
                    row.description = Set(system.description.to_owned());
                    row.updated_at = Set(now);
                    row.update(db).await?;
                }
                r.id
            }
            None => {
                role::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    name: Set(system.name.to_owned()),
                    description: Set(system.description.to_owned()),
                    is_system: Set(true),
                    version: Set(1),
                    created_at: Set(now),
                    updated_at: Set(now),
                }
                .insert(db)
                .await?
                .id
            }
        };
        role_grant::Entity::delete_many()
            .filter(role_grant::Column::RoleId.eq(id))
            .exec(db)
            .await?;
        let grants: Vec<role_grant::ActiveModel> = system
            .grants()
            .into_iter()
            .map(|(p, scope)| role_grant::ActiveModel {
                role_id: Set(id),
                permission: Set(p.to_owned()),
                scope: Set(scope.as_str().to_owned()),
            })
            .collect();
        role_grant::Entity::insert_many(grants)
            .exec_without_returning(db)
            .await?;
    }
    ensure_owner(db).await
}

/// Makes the oldest active user owner when no active user holds the owner role.
async fn ensure_owner<C: ConnectionTrait>(db: &C) -> Result<(), AppError> {
    let owner = role::Entity::find()
        .filter(role::Column::Name.eq(OWNER_ROLE))
        .one(db)
        .await?
        .ok_or_else(|| AppError::Internal("owner role missing after sync".into()))?;
    let holders: Vec<Uuid> = user_role::Entity::find()
        .filter(user_role::Column::RoleId.eq(owner.id))
        .all(db)
        .await?
        .into_iter()
        .map(|ur| ur.user_id)
        .collect();
    let active_owner = user_account::Entity::find()
        .filter(user_account::Column::Id.is_in(holders))
        .filter(user_account::Column::IsActive.eq(true))
        .one(db)
        .await?;
    if active_owner.is_some() {
        return Ok(());
    }
    let oldest = user_account::Entity::find()
        .filter(user_account::Column::IsActive.eq(true))
        .order_by_asc(user_account::Column::CreatedAt)
        .one(db)
        .await?;
    if let Some(user) = oldest {
        user_role::ActiveModel {
            user_id: Set(user.id),
            role_id: Set(owner.id),
            created_at: Set(Utc::now()),
        }
        .insert(db)
        .await?;
    }
    Ok(())
}
