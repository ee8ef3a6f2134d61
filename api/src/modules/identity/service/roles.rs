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
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, Select, Set,
};
use uuid::Uuid;

use crate::audit::{self, AuditActor, Changes};
use crate::authz::catalog::{OWNER_ROLE, ROLE_ASSIGN, ROLE_READ, ROLE_WRITE, SYSTEM_ROLES};
use crate::authz::{Access, Scope};
use crate::db::begin_write;
use crate::error::AppError;
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
    access.require(ROLE_READ)?;
    Ok(role::Entity::find())
}

/// One role.
pub async fn get<C: ConnectionTrait>(
    db: &C,
    access: &Access,
    id: Uuid,
) -> Result<Option<role::Model>, AppError> {
    Ok(visible(access)?
        .filter(role::Column::Id.eq(id))
        .one(db)
        .await?)
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
pub async fn create(
    db: &DatabaseConnection,
    access: &Access,
    actor: AuditActor,
    input: RoleInput,
) -> Result<role::Model, AppError> {
    access.require(ROLE_WRITE)?;
    let name = role_name(&input.name)?;
    escalation::check_grants(access, &input.grants, "input.grants")?;
    let txn = begin_write(db).await?;
    ensure_name_free(&txn, &name, None).await?;
    let now = Utc::now();
    let role = role::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(name),
        description: Set(input.description.trim().to_owned()),
        is_system: Set(false),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    write_grants(&txn, role.id, &input.grants).await?;
    audit::record(
        &txn,
        actor,
        "role",
        role.id,
        "create",
        Changes::new()
            .field("name", None::<String>, &role.name)
            .field("description", None::<String>, &role.description)
            .field("grants", None::<String>, grants_text(&input.grants)),
    )
    .await?;
    txn.commit().await?;
    Ok(role)
}

/// Updates a custom role if `expected_version` is current.
pub async fn update(
    db: &DatabaseConnection,
    access: &Access,
    actor: AuditActor,
    id: Uuid,
    patch: RolePatch,
) -> Result<role::Model, AppError> {
    access.require(ROLE_WRITE)?;
    let name = patch.name.as_deref().map(role_name).transpose()?;
    if let Some(grants) = &patch.grants {
        escalation::check_grants(access, grants, "input.grants")?;
    }
    let txn = begin_write(db).await?;
    let before = custom_role(&txn, id).await?;
    if let Some(name) = &name {
        ensure_name_free(&txn, name, Some(id)).await?;
    }
    let grants_before = grants_of(&txn, &[id]).await?;
    let mut row: role::ActiveModel = before.clone().into();
    if let Some(name) = name {
        row.name = Set(name);
    }
    if let Some(description) = &patch.description {
        row.description = Set(description.trim().to_owned());
    }
    row.version = Set(patch.expected_version + 1);
    row.updated_at = Set(Utc::now());
    let updated = role::Entity::update_many()
        .set(row)
        .filter(role::Column::Id.eq(id))
        .filter(role::Column::Version.eq(patch.expected_version))
        .exec(&txn)
        .await?;
    if updated.rows_affected != 1 {
        return Err(AppError::Conflict(format!(
            "the role was changed by someone else (expected version {}); reload and retry",
            patch.expected_version
        )));
    }
    let mut changes = Changes::new();
    if let Some(grants) = &patch.grants {
        role_grant::Entity::delete_many()
            .filter(role_grant::Column::RoleId.eq(id))
            .exec(&txn)
            .await?;
        write_grants(&txn, id, grants).await?;
        let old: Vec<(String, Scope)> = grants_before
            .iter()
            .filter_map(|g| Scope::parse(&g.scope).map(|s| (g.permission.clone(), s)))
            .collect();
        changes = changes.field("grants", grants_text(&old), grants_text(grants));
    }
    let after = role::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound { entity: "role" })?;
    changes = changes.field("name", &before.name, &after.name).field(
        "description",
        &before.description,
        &after.description,
    );
    audit::record(&txn, actor, "role", id, "update", changes).await?;
    txn.commit().await?;
    Ok(after)
}

/// Deletes a custom role that nobody holds.
pub async fn delete(
    db: &DatabaseConnection,
    access: &Access,
    actor: AuditActor,
    id: Uuid,
) -> Result<(), AppError> {
    access.require(ROLE_WRITE)?;
    let txn = begin_write(db).await?;
    let role = custom_role(&txn, id).await?;
    let holders = user_role::Entity::find()
        .filter(user_role::Column::RoleId.eq(id))
        .count(&txn)
        .await?;
    let keys = api_key::Entity::find()
        .filter(api_key::Column::RoleId.eq(id))
        .filter(api_key::Column::RevokedAt.is_null())
        .count(&txn)
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
        .exec(&txn)
        .await?;
    role::Entity::delete_by_id(id).exec(&txn).await?;
    audit::record(
        &txn,
        actor,
        "role",
        id,
        "delete",
        Changes::new().field("name", &role.name, None::<String>),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Gives user `user_id` role `role_id` (no-op when held).
pub async fn assign(
    db: &DatabaseConnection,
    access: &Access,
    actor: AuditActor,
    user_id: Uuid,
    role_id: Uuid,
) -> Result<(), AppError> {
    let txn = begin_write(db).await?;
    assign_in(&txn, access, actor, user_id, role_id).await?;
    txn.commit().await?;
    Ok(())
}

/// [`assign`] inside the caller's transaction.
pub async fn assign_in<C: ConnectionTrait>(
    db: &C,
    access: &Access,
    actor: AuditActor,
    user_id: Uuid,
    role_id: Uuid,
) -> Result<(), AppError> {
    access.require(ROLE_ASSIGN)?;
    user_account::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound { entity: "user" })?;
    let role = role::Entity::find_by_id(role_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound { entity: "role" })?;
    escalation::check_role_grantable(db, access, &role).await?;
    escalation::check_user_manageable(db, access, user_id).await?;
    let held = user_role::Entity::find_by_id((user_id, role_id))
        .one(db)
        .await?
        .is_some();
    if held {
        return Ok(());
    }
    user_role::ActiveModel {
        user_id: Set(user_id),
        role_id: Set(role_id),
        created_at: Set(Utc::now()),
    }
    .insert(db)
    .await?;
    audit::record(
        db,
        actor,
        "user",
        user_id,
        "assign_role",
        Changes::new().field("role", None::<String>, &role.name),
    )
    .await
}

/// Takes role `role_id` from user `user_id` (no-op when not held).
pub async fn unassign(
    db: &DatabaseConnection,
    access: &Access,
    actor: AuditActor,
    user_id: Uuid,
    role_id: Uuid,
) -> Result<(), AppError> {
    access.require(ROLE_ASSIGN)?;
    let txn = begin_write(db).await?;
    user_account::Entity::find_by_id(user_id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound { entity: "user" })?;
    let role = role::Entity::find_by_id(role_id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound { entity: "role" })?;
    // Taking a role away needs the same standing as giving it.
    escalation::check_role_grantable(&txn, access, &role).await?;
    escalation::check_user_manageable(&txn, access, user_id).await?;
    if user_role::Entity::find_by_id((user_id, role_id))
        .one(&txn)
        .await?
        .is_none()
    {
        return Ok(());
    }
    if role.name == OWNER_ROLE {
        ensure_not_last_owner(&txn, user_id).await?;
    }
    user_role::Entity::delete_by_id((user_id, role_id))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        actor,
        "user",
        user_id,
        "unassign_role",
        Changes::new().field("role", &role.name, None::<String>),
    )
    .await?;
    txn.commit().await?;
    Ok(())
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

async fn custom_role<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<role::Model, AppError> {
    let role = role::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound { entity: "role" })?;
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

async fn ensure_name_free<C: ConnectionTrait>(
    db: &C,
    name: &str,
    except: Option<Uuid>,
) -> Result<(), AppError> {
    let mut query = role::Entity::find().filter(role::Column::Name.eq(name));
    if let Some(id) = except {
        query = query.filter(role::Column::Id.ne(id));
    }
    if query.one(db).await?.is_some() {
        return Err(AppError::Conflict(format!(
            "a role named `{name}` already exists"
        )));
    }
    Ok(())
}

async fn write_grants<C: ConnectionTrait>(
    db: &C,
    role_id: Uuid,
    grants: &[(String, Scope)],
) -> Result<(), AppError> {
    let mut seen = std::collections::BTreeMap::new();
    for (permission, scope) in grants {
        let entry = seen.entry(permission.clone()).or_insert(*scope);
        *entry = (*entry).max(*scope);
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
    .exec_without_returning(db)
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
