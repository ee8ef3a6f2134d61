//! `identity.escalation`, both ways: nobody grants more than they hold (a role created, changed,
//! assigned or given to an API key carries only permissions the caller holds with at least the
//! same scope), and nobody manages a user who holds more than they do (details, deactivation,
//! reactivation, role assignment or removal), so `hr` cannot turn on an admin or the owner.

use entities::identity::{role, user_role};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::authz::catalog::is_known;
use crate::authz::{Access, Scope};
use crate::error::AppError;
use crate::modules::identity::service::roles::grants_of;

/// `BUSINESS_RULE identity.escalation` unless `access` holds every grant of `role`.
pub async fn check_role_grantable<C: ConnectionTrait>(
    db: &C,
    access: &Access,
    role: &role::Model,
) -> Result<(), AppError> {
    let grants: Vec<(String, Scope)> = grants_of(db, &[role.id])
        .await?
        .into_iter()
        .filter_map(|g| Scope::parse(&g.scope).map(|s| (g.permission, s)))
        .collect();
    check_escalation(access, &grants)
}

/// `BUSINESS_RULE identity.escalation` unless `access` holds every grant of user `user_id`'s
/// roles with at least the same scope. Every change to a user other than creating one (details,
/// deactivation, reactivation, role assignment or removal) passes this check: account
/// management never reaches a user who may do more than the caller. Callers manage themselves.
pub async fn check_user_manageable<C: ConnectionTrait>(
    db: &C,
    access: &Access,
    user_id: Uuid,
) -> Result<(), AppError> {
    if access.user_id() == Some(user_id) {
        return Ok(());
    }
    let role_ids: Vec<Uuid> = user_role::Entity::find()
        .filter(user_role::Column::UserId.eq(user_id))
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.role_id)
        .collect();
    for grant in grants_of(db, &role_ids).await? {
        let Some(scope) = Scope::parse(&grant.scope) else {
            continue;
        };
        if access
            .scope(&grant.permission)
            .is_none_or(|held| held < scope)
        {
            return Err(AppError::BusinessRule {
                rule: "identity.escalation",
                message: format!(
                    "you cannot manage this user: they hold `{}` with scope {} and you do not",
                    grant.permission,
                    scope.as_str()
                ),
            });
        }
    }
    Ok(())
}

pub(super) fn check_grants(
    access: &Access,
    grants: &[(String, Scope)],
    field: &str,
) -> Result<(), AppError> {
    for (i, (permission, scope)) in grants.iter().enumerate() {
        if !is_known(permission) {
            return Err(AppError::validation(
                format!("{field}[{i}].permission"),
                format!("`{permission}` is not a permission (see the `permissions` query)"),
            ));
        }
        if *scope == Scope::Own
            && !crate::kit::resource::own_scope_applies(crate::modules::resources(), permission)
        {
            return Err(AppError::validation(
                format!("{field}[{i}].scope"),
                format!("`{permission}` reaches rows nobody owns: grant it with scope ALL"),
            ));
        }
    }
    check_escalation(access, grants)
}

fn check_escalation(access: &Access, grants: &[(String, Scope)]) -> Result<(), AppError> {
    for (permission, scope) in grants {
        if access.scope(permission).is_none_or(|held| held < *scope) {
            return Err(AppError::BusinessRule {
                rule: "identity.escalation",
                message: format!(
                    "you cannot grant `{permission}` with scope {}: you do not hold it",
                    scope.as_str()
                ),
            });
        }
    }
    Ok(())
}
