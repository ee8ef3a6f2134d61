//! Users: the visible set (row scope), create with a client-chosen id, update with optimistic
//! locking, deactivate and reactivate.
//!
//! Rules: emails are unique per tenant; nobody deactivates themselves; the last active owner
//! cannot be deactivated; a stale `expectedVersion` is a `CONFLICT`; nobody changes,
//! deactivates or reactivates a user holding a grant they do not hold (`identity.escalation`).

use chrono::Utc;
use entities::identity::{user_account, user_role};
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    QueryFilter, Select, Set,
};
use uuid::Uuid;

use crate::audit::{self, AuditActor, Changes};
use crate::auth::password::Passwords;
use crate::authz::catalog::{USER_CONTACT_READ, USER_READ, USER_WRITE};
use crate::authz::{Access, Scope};
use crate::db::begin_write;
use crate::error::AppError;
use crate::modules::common::{create_with_client_id, escape_like};
use crate::modules::identity::service::{escalation, roles, session};
use crate::tenancy::provision::normalize_email;

/// Filter of the `users` list.
#[derive(Debug, Default)]
pub struct UserFilter {
    /// Part of the display name, or of the email where the caller may read it, any case.
    pub search: Option<String>,
    /// Only active (true) or only deactivated (false) users.
    pub is_active: Option<bool>,
}

/// A new user.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Client-chosen id (idempotent create).
    pub id: Option<Uuid>,
    /// Email.
    pub email: String,
    /// Display name.
    pub display_name: String,
    /// Phone.
    pub phone: Option<String>,
    /// Initial password.
    pub password: String,
    /// Roles to assign.
    pub role_ids: Vec<Uuid>,
}

/// Changes to a user; `None` leaves a field as it is.
#[derive(Debug)]
pub struct UserPatch {
    /// New email.
    pub email: Option<String>,
    /// New display name.
    pub display_name: Option<String>,
    /// New phone (`Some(None)` clears it).
    pub phone: Option<Option<String>>,
    /// The version the client last saw.
    pub expected_version: i32,
}

/// The users `access` may see, filtered.
pub fn visible(
    access: &Access,
    filter: &UserFilter,
) -> Result<Select<user_account::Entity>, AppError> {
    let mut query = scoped(access, access.require(USER_READ)?);
    if let Some(active) = filter.is_active {
        query = query.filter(user_account::Column::IsActive.eq(active));
    }
    if let Some(search) = filter
        .search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let pattern = format!("%{}%", escape_like(&search.to_lowercase()));
        let like = || LikeExpr::new(pattern.as_str()).escape('\\');
        let email = Expr::expr(Func::lower(Expr::col(user_account::Column::Email))).like(like());
        // Search only what the caller may read: the email is a guarded field (readable with
        // its permission, or on one's own record), else matching on it rebuilds it letter by
        // letter.
        let email = if access.scope(USER_CONTACT_READ).is_some() {
            Condition::all().add(email)
        } else {
            Condition::all()
                .add(user_account::Column::Id.eq(access.user_id().unwrap_or(Uuid::nil())))
                .add(email)
        };
        query = query.filter(Condition::any().add(email).add(
            Expr::expr(Func::lower(Expr::col(user_account::Column::DisplayName))).like(like()),
        ));
    }
    Ok(query)
}

/// One visible user.
pub async fn get<C: ConnectionTrait>(
    db: &C,
    access: &Access,
    id: Uuid,
) -> Result<Option<user_account::Model>, AppError> {
    Ok(scoped(access, access.require(USER_READ)?)
        .filter(user_account::Column::Id.eq(id))
        .one(db)
        .await?)
}

fn scoped(access: &Access, scope: Scope) -> Select<user_account::Entity> {
    let query = user_account::Entity::find();
    match scope {
        Scope::All => query,
        // Own: a user sees themselves; an API key owns no users.
        Scope::Own => {
            query.filter(user_account::Column::Id.eq(access.user_id().unwrap_or(Uuid::nil())))
        }
    }
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

/// The user with this id, if active.
pub async fn find_active<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
) -> Result<Option<user_account::Model>, AppError> {
    Ok(user_account::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|u| u.is_active))
}

/// Creates a user (idempotent with a client-chosen id, also under concurrent replays).
pub async fn create(
    db: &DatabaseConnection,
    passwords: &Passwords,
    access: &Access,
    actor: AuditActor,
    input: NewUser,
) -> Result<user_account::Model, AppError> {
    let id = input.id;
    create_with_client_id(id, "user", || {
        create_once(db, passwords, access, actor, input.clone())
    })
    .await
}

// One attempt of `create` (see `create_with_client_id`).
async fn create_once(
    db: &DatabaseConnection,
    passwords: &Passwords,
    access: &Access,
    actor: AuditActor,
    input: NewUser,
) -> Result<user_account::Model, AppError> {
    access.require(USER_WRITE)?;
    let email = normalize_email(&input.email)
        .map_err(|_| AppError::validation("input.email", "not an email address"))?;
    let display_name = display_name(&input.display_name, "input.displayName")?;
    let phone = phone(input.phone.as_deref(), "input.phone")?;
    if let Some(id) = input.id
        && let Some(existing) = user_account::Entity::find_by_id(id).one(db).await?
    {
        return if existing.email == email
            && existing.display_name == display_name
            && existing.phone == phone
        {
            Ok(existing)
        } else {
            Err(AppError::Conflict(format!(
                "another user already has id {id}"
            )))
        };
    }
    Passwords::check_policy(&input.password, "input.password")?;
    let hash = passwords.hash(&input.password).await?;

    let txn = begin_write(db).await?;
    if find_by_email(&txn, &email).await?.is_some() {
        return Err(AppError::Conflict(format!(
            "a user with email {email} already exists"
        )));
    }
    let now = Utc::now();
    let user = user_account::ActiveModel {
        id: Set(input.id.unwrap_or_else(Uuid::now_v7)),
        email: Set(email),
        display_name: Set(display_name),
        phone: Set(phone),
        password_hash: Set(hash),
        is_active: Set(true),
        last_login_at: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await
    .map_err(conflict_on_unique)?;
    audit::record(
        &txn,
        actor,
        "user",
        user.id,
        "create",
        Changes::new()
            .field("email", None::<String>, &user.email)
            .field("displayName", None::<String>, &user.display_name)
            .field("phone", None::<String>, &user.phone)
            .secret("password"),
    )
    .await?;
    for role_id in input.role_ids {
        roles::assign_in(&txn, access, actor, user.id, role_id).await?;
    }
    txn.commit().await?;
    Ok(user)
}

/// Updates a user's details if `expected_version` is current.
pub async fn update(
    db: &DatabaseConnection,
    access: &Access,
    actor: AuditActor,
    id: Uuid,
    patch: UserPatch,
) -> Result<user_account::Model, AppError> {
    let email = patch
        .email
        .as_deref()
        .map(|e| {
            normalize_email(e)
                .map_err(|_| AppError::validation("input.email", "not an email address"))
        })
        .transpose()?;
    let display_name = patch
        .display_name
        .as_deref()
        .map(|n| display_name(n, "input.displayName"))
        .transpose()?;
    let phone = patch
        .phone
        .as_ref()
        .map(|p| phone(p.as_deref(), "input.phone"))
        .transpose()?;

    let txn = begin_write(db).await?;
    let before = writable(&txn, access, id).await?;
    if let Some(email) = &email
        && *email != before.email
        && find_by_email(&txn, email).await?.is_some()
    {
        return Err(AppError::Conflict(format!(
            "a user with email {email} already exists"
        )));
    }
    let mut row: user_account::ActiveModel = before.clone().into();
    if let Some(email) = email {
        row.email = Set(email);
    }
    if let Some(name) = display_name {
        row.display_name = Set(name);
    }
    if let Some(phone) = phone {
        row.phone = Set(phone);
    }
    let after = save_versioned(&txn, row, patch.expected_version).await?;
    audit::record(
        &txn,
        actor,
        "user",
        id,
        "update",
        Changes::new()
            .field("email", &before.email, &after.email)
            .field("displayName", &before.display_name, &after.display_name)
            .field("phone", &before.phone, &after.phone),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

/// Deactivates (`active` false) or reactivates a user. Deactivation ends their sessions.
pub async fn set_active(
    db: &DatabaseConnection,
    access: &Access,
    actor: AuditActor,
    id: Uuid,
    active: bool,
) -> Result<user_account::Model, AppError> {
    let txn = begin_write(db).await?;
    let before = writable(&txn, access, id).await?;
    if before.is_active == active {
        return Ok(before);
    }
    if !active {
        if access.user_id() == Some(id) {
            return Err(AppError::BusinessRule {
                rule: "identity.self_deactivation",
                message: "you cannot deactivate yourself".into(),
            });
        }
        roles::ensure_not_last_owner(&txn, id).await?;
        session::revoke_user_sessions(&txn, id).await?;
    }
    let mut row: user_account::ActiveModel = before.clone().into();
    row.is_active = Set(active);
    let after = save_versioned(&txn, row, before.version).await?;
    audit::record(
        &txn,
        actor,
        "user",
        id,
        if active { "reactivate" } else { "deactivate" },
        Changes::new().field("isActive", before.is_active, after.is_active),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

/// The user `id` if `access` may change it: `NOT_FOUND` when out of scope or missing,
/// `BUSINESS_RULE identity.escalation` when the user holds a grant the caller does not.
pub(super) async fn writable<C: ConnectionTrait>(
    db: &C,
    access: &Access,
    id: Uuid,
) -> Result<user_account::Model, AppError> {
    let scope = access.require(USER_WRITE)?;
    if scope == Scope::Own && access.user_id() != Some(id) {
        return Err(AppError::NotFound { entity: "user" });
    }
    let user = user_account::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound { entity: "user" })?;
    escalation::check_user_manageable(db, access, id).await?;
    Ok(user)
}

/// Saves `row` only if the stored version is still `expected`, bumping it.
pub(super) async fn save_versioned<C: ConnectionTrait>(
    db: &C,
    mut row: user_account::ActiveModel,
    expected: i32,
) -> Result<user_account::Model, AppError> {
    let id = match &row.id {
        sea_orm::ActiveValue::Set(id) | sea_orm::ActiveValue::Unchanged(id) => *id,
        sea_orm::ActiveValue::NotSet => {
            return Err(AppError::Internal("user row without id".into()));
        }
    };
    row.version = Set(expected + 1);
    row.updated_at = Set(Utc::now());
    let updated = user_account::Entity::update_many()
        .set(row)
        .filter(user_account::Column::Id.eq(id))
        .filter(user_account::Column::Version.eq(expected))
        .exec(db)
        .await
        .map_err(conflict_on_unique)?;
    if updated.rows_affected != 1 {
        return Err(AppError::Conflict(format!(
            "the user was changed by someone else (expected version {expected}); reload and retry"
        )));
    }
    user_account::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound { entity: "user" })
}

/// Ids of the roles each of `users` holds.
pub async fn role_ids_of<C: ConnectionTrait>(
    db: &C,
    users: &[Uuid],
) -> Result<Vec<(Uuid, Uuid)>, AppError> {
    Ok(user_role::Entity::find()
        .filter(user_role::Column::UserId.is_in(users.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.user_id, r.role_id))
        .collect())
}

fn display_name(raw: &str, field: &str) -> Result<String, AppError> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(AppError::validation(
            field,
            "the name needs 1 to 200 characters",
        ));
    }
    Ok(name.to_owned())
}

fn phone(raw: Option<&str>, field: &str) -> Result<Option<String>, AppError> {
    let Some(phone) = raw.map(str::trim).filter(|p| !p.is_empty()) else {
        return Ok(None);
    };
    let valid = phone.len() <= 40
        && phone
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '(' | ')' | '.'));
    if !valid {
        return Err(AppError::validation(
            field,
            "a phone number has at most 40 digits, spaces and + - ( ) .",
        ));
    }
    Ok(Some(phone.to_owned()))
}

fn conflict_on_unique(e: sea_orm::DbErr) -> AppError {
    match e.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
            AppError::Conflict("a user with that email already exists".into())
        }
        _ => e.into(),
    }
}
