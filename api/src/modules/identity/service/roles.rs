//! Roles: custom roles with their grants, and who holds them.
//!
//! Rules: system roles are neither edited nor deleted (their grants follow the code); a role in
//! use is not deleted; the last active owner keeps the owner role; and nobody grants more than
//! they hold: a role created, changed or assigned, or given to an API key, may only carry
//! permissions the caller holds with at least the same scope (`identity.escalation`). The same
//! rule guards the other side of account management: roles are assigned to or taken from, and
//! users changed, deactivated or reactivated, only when everything the target user holds is
//! held by the caller too (`escalation.rs`), so `hr` cannot turn on an admin.

use chrono::Utc;
use entities::identity::{api_key, role, role_grant, user_account, user_role};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    Select, Set,
};
use uuid::Uuid;

use crate::audit::Changes;
use crate::authz::catalog::{OWNER_ROLE, ROLE_ASSIGN, ROLE_WRITE, SYSTEM_ROLES};
use crate::authz::{Access, Scope};
use crate::error::AppError;
use crate::kit::{self, Write};
use crate::modules::identity::service::escalation;

/// A role's content.
#[derive(Debug, Clone)]
pub struct RoleInput {
    /// Unique name.
    pub name: String,
    /// What it is for.
    pub description: String,
    /// Permissions with their scopes.
    pub grants: Vec<(String, Scope)>,
}

/// Changes to a role; `None` leaves a part as it is.
#[derive(Debug)]
pub struct RolePatch {
    /// New name.
    pub name: Option<String>,
    /// New description.
    pub description: Option<String>,
    /// New grants (replacing all).
    pub grants: Option<Vec<(String, Scope)>>,
    /// The version the client last saw.
    pub expected_version: i32,
}

/// The roles `access` may see.
pub fn visible(access: &Access) -> Result<Select<role::Entity>, AppError> {
    kit::resource::visible::<role::Entity>(access)
}

/// The grants of each of `roles`.
pub async fn grants_of<C: ConnectionTrait>(
    db: &C,
    roles: &[Uuid],
) -> Result<Vec<role_grant::Model>, AppError> {
    Ok(role_grant::Entity::find()
        .filter(role_grant::Column::RoleId.is_in(roles.iter().copied()))
        .all(db)
        .await?)
}

/// Creates a custom role.
pub async fn create(w: &Write<'_>, input: RoleInput) -> Result<role::Model, AppError> {
    w.access().require(ROLE_WRITE)?;
    let name = role_name(&input.name)?;
    escalation::check_grants(w.access(), &input.grants, "input.grants")?;
    let now = Utc::now();
    let row = role::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(name),
        description: Set(input.description.trim().to_owned()),
        is_system: Set(false),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let role = kit::write::insert::<role::Entity>(w, row, false).await?;
    set_grants(w, role.id, &[], &input.grants).await?;
    Ok(role)
}

/// Updates a custom role if `expected_version` is current.
pub async fn update(w: &Write<'_>, id: Uuid, patch: RolePatch) -> Result<role::Model, AppError> {
    let mut row = <role::ActiveModel as Default>::default();
    if let Some(name) = &patch.name {
        row.name = Set(role_name(name)?);
    }
    if let Some(description) = &patch.description {
        row.description = Set(description.trim().to_owned());
    }
    if let Some(grants) = &patch.grants {
        escalation::check_grants(w.access(), grants, "input.grants")?;
    }
    let before = custom_role(w, id).await?;
    let after =
        kit::write::update::<role::Entity>(w, &before, row, patch.expected_version, "update")
            .await?;
    if let Some(grants) = &patch.grants {
        let old: Vec<(String, Scope)> = grants_of(w.tx().await?, &[id])
            .await?
            .iter()
            .filter_map(|g| Scope::parse(&g.scope).map(|s| (g.permission.clone(), s)))
            .collect();
        role_grant::Entity::delete_many()
            .filter(role_grant::Column::RoleId.eq(id))
            .exec(w.tx().await?)
            .await?;
        set_grants(w, id, &old, grants).await?;
    }
    Ok(after)
}

/// Deletes a custom role that nobody holds.
pub async fn delete(w: &Write<'_>, id: Uuid) -> Result<(), AppError> {
    let role = custom_role(w, id).await?;
    let holders = user_role::Entity::find()
        .filter(user_role::Column::RoleId.eq(id))
        .count(w.tx().await?)
        .await?;
    let keys = api_key::Entity::find()
        .filter(api_key::Column::RoleId.eq(id))
        .filter(api_key::Column::RevokedAt.is_null())
        .count(w.tx().await?)
        .await?;
    if holders + keys > 0 {
        return Err(AppError::BusinessRule {
            rule: "identity.role_in_use",
            message: format!(
                "role `{}` is held by {holders} user(s) and {keys} API key(s); unassign it first",
                role.name
            ),
        });
    }
    role_grant::Entity::delete_many()
        .filter(role_grant::Column::RoleId.eq(id))
        .exec(w.tx().await?)
        .await?;
    kit::write::delete::<role::Entity>(w, &role).await
}

/// The user and role of an assignment, checked: both exist, and the caller may give (or take)
/// that role to (from) that user.
async fn assignment(
    w: &Write<'_>,
    user_id: Uuid,
    role_id: Uuid,
) -> Result<(role::Model, bool), AppError> {
    w.access().require(ROLE_ASSIGN)?;
    user_account::Entity::find_by_id(user_id)
        .one(w.tx().await?)
        .await?
        .ok_or(AppError::NotFound { entity: "user" })?;
    let role = role::Entity::find_by_id(role_id)
        .one(w.tx().await?)
        .await?
        .ok_or(AppError::NotFound { entity: "role" })?;
    // Taking a role away needs the same standing as giving it.
    escalation::check_role_grantable(w.tx().await?, w.access(), &role).await?;
    escalation::check_user_manageable(w.tx().await?, w.access(), user_id).await?;
    let held = user_role::Entity::find_by_id((user_id, role_id))
        .one(w.tx().await?)
        .await?
        .is_some();
    Ok((role, held))
}

/// Gives user `user_id` role `role_id` (no-op when held), audited on the user as `role`.
pub async fn assign(w: &Write<'_>, user_id: Uuid, role_id: Uuid) -> Result<(), AppError> {
    let (role, held) = assignment(w, user_id, role_id).await?;
    if held {
        return Ok(());
    }
    user_role::ActiveModel {
        user_id: Set(user_id),
        role_id: Set(role_id),
        created_at: Set(Utc::now()),
    }
    .insert(w.tx().await?)
    .await?;
    let changes = Changes::new().field("role", None::<String>, &role.name);
    w.record("user", user_id, "assign_role", changes).await
}

/// Takes role `role_id` from user `user_id` (no-op when not held).
pub async fn unassign(w: &Write<'_>, user_id: Uuid, role_id: Uuid) -> Result<(), AppError> {
    let (role, held) = assignment(w, user_id, role_id).await?;
    if !held {
        return Ok(());
    }
    if role.name == OWNER_ROLE {
        ensure_not_last_owner(w.tx().await?, user_id).await?;
    }
    user_role::Entity::delete_by_id((user_id, role_id))
        .exec(w.tx().await?)
        .await?;
    let changes = Changes::new().field("role", &role.name, None::<String>);
    w.record("user", user_id, "unassign_role", changes).await
}

/// `BUSINESS_RULE identity.last_owner` when `user_id` is the only active owner.
pub async fn ensure_not_last_owner<C: ConnectionTrait>(
    db: &C,
    user_id: Uuid,
) -> Result<(), AppError> {
    let Some(owner) = role::Entity::find()
        .filter(role::Column::Name.eq(OWNER_ROLE))
        .one(db)
        .await?
    else {
        return Ok(());
    };
    let holders: Vec<Uuid> = user_role::Entity::find()
        .filter(user_role::Column::RoleId.eq(owner.id))
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.user_id)
        .collect();
    if !holders.contains(&user_id) {
        return Ok(());
    }
    let other_active = user_account::Entity::find()
        .filter(user_account::Column::Id.is_in(holders))
        .filter(user_account::Column::Id.ne(user_id))
        .filter(user_account::Column::IsActive.eq(true))
        .count(db)
        .await?;
    if other_active == 0 {
        return Err(AppError::BusinessRule {
            rule: "identity.last_owner",
            message: "the tenant's last active owner keeps the owner role".into(),
        });
    }
    Ok(())
}

/// The custom role `id` for a change: `NOT_FOUND` when absent, `identity.system_role` for a
/// system role.
async fn custom_role(w: &Write<'_>, id: Uuid) -> Result<role::Model, AppError> {
    let role = kit::write::find_for_write::<role::Entity>(w, id).await?;
    if role.is_system {
        return Err(AppError::BusinessRule {
            rule: "identity.system_role",
            message: format!(
                "`{}` is a system role; its grants follow the code",
                role.name
            ),
        });
    }
    Ok(role)
}

/// Writes the grants of role `role_id` (which holds none now) and audits them on the role as
/// `grants`, from `old` (the grants live in their own table, so the role's diff cannot show
/// them).
async fn set_grants(
    w: &Write<'_>,
    role_id: Uuid,
    old: &[(String, Scope)],
    grants: &[(String, Scope)],
) -> Result<(), AppError> {
    let mut seen = std::collections::BTreeMap::new();
    for (permission, scope) in grants {
        let entry = seen.entry(permission.clone()).or_insert(*scope);
        *entry = (*entry).max(*scope);
    }
    let (old, new) = (grants_text(old), grants_text(grants));
    if old != new {
        let changes = Changes::new().field("grants", old, new);
        w.record("role", role_id, "grants", changes).await?;
    }
    if seen.is_empty() {
        return Ok(());
    }
    role_grant::Entity::insert_many(seen.into_iter().map(|(permission, scope)| {
        role_grant::ActiveModel {
            role_id: Set(role_id),
            permission: Set(permission),
            scope: Set(scope.as_str().to_owned()),
        }
    }))
    .exec_without_returning(w.tx().await?)
    .await?;
    Ok(())
}

fn role_name(raw: &str) -> Result<String, AppError> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AppError::validation(
            "input.name",
            "a role name needs 1 to 100 characters",
        ));
    }
    if SYSTEM_ROLES
        .iter()
        .any(|r| r.name.eq_ignore_ascii_case(name))
    {
        return Err(AppError::Conflict(format!(
            "`{name}` is the name of a system role"
        )));
    }
    Ok(name.to_owned())
}

fn grants_text(grants: &[(String, Scope)]) -> Vec<String> {
    let mut text: Vec<String> = grants
        .iter()
        .map(|(p, s)| format!("{p}:{}", s.as_str()))
        .collect();
    text.sort();
    text
}
