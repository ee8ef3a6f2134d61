//! Users: the visible set (row scope), create with a client-chosen id, update with optimistic
//! locking, deactivate and reactivate.
//!
//! Rules: emails are unique per tenant; nobody deactivates themselves; the last active owner
//! cannot be deactivated; a stale `expectedVersion` is a `CONFLICT`; nobody changes,
//! deactivates or reactivates a user holding a grant they do not hold (`identity.escalation`).

use chrono::Utc;
use entities::identity::{user_account, user_role};
use sea_orm::ActiveValue::NotSet;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, Select, Set};
use uuid::Uuid;

use crate::auth::password::Passwords;
use crate::authz::Access;
use crate::authz::catalog::{USER_CONTACT_READ, USER_WRITE};
use crate::error::AppError;
use crate::kit::{self, Write};
use crate::modules::common::contains;
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
    let mut query = kit::resource::visible::<user_account::Entity>(access)?;
    if let Some(active) = filter.is_active {
        query = query.filter(user_account::Column::IsActive.eq(active));
    }
    let search = filter.search.as_deref();
    let name = contains(search, &[user_account::Column::DisplayName]);
    if let (Some(name), Some(email)) = (name, contains(search, &[user_account::Column::Email])) {
        // Search only what the caller may read: the email is a guarded field (readable with
        // its permission, or on one's own record), else matching on it rebuilds it letter by
        // letter.
        let email = if access.scope(USER_CONTACT_READ).is_some() {
            email
        } else {
            let me = access.user_id().unwrap_or(Uuid::nil());
            Condition::all()
                .add(user_account::Column::Id.eq(me))
                .add(email)
        };
        query = query.filter(Condition::any().add(email).add(name));
    }
    Ok(query)
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

/// The stored form of a new user's password, checked against the policy (`input.password`).
/// Hashing is slow: do it before opening the write.
pub async fn hash_password(passwords: &Passwords, password: &str) -> Result<String, AppError> {
    Passwords::check_policy(password, "input.password")?;
    passwords.hash(password).await
}

/// Creates a user with the password hash from [`hash_password`] (idempotent with a
/// client-chosen id: the kit compares every column but the hash).
pub async fn create(
    w: &Write<'_>,
    input: NewUser,
    password_hash: String,
) -> Result<user_account::Model, AppError> {
    w.access().require(USER_WRITE)?;
    let email = email(&input.email)?;
    let display_name = display_name(&input.display_name, "input.displayName")?;
    let phone = phone(input.phone.as_deref(), "input.phone")?;
    let now = Utc::now();
    let row = user_account::ActiveModel {
        id: Set(input.id.unwrap_or_else(Uuid::now_v7)),
        email: Set(email),
        display_name: Set(display_name),
        phone: Set(phone),
        password_hash: Set(password_hash),
        is_active: Set(true),
        last_login_at: NotSet,
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let replayed = match input.id {
        Some(id) => user_account::Entity::find_by_id(id)
            .one(w.tx().await?)
            .await?
            .is_some(),
        None => false,
    };
    let user = kit::write::insert::<user_account::Entity>(w, row, input.id.is_some()).await?;
    if !replayed {
        for role_id in input.role_ids {
            roles::assign(w, user.id, role_id).await?;
        }
    }
    Ok(user)
}

/// Updates a user's details if `expected_version` is current.
pub async fn update(
    w: &Write<'_>,
    id: Uuid,
    patch: UserPatch,
) -> Result<user_account::Model, AppError> {
    let before = writable(w, id).await?;
    let mut row = user_account::ActiveModel::default();
    if let Some(raw) = &patch.email {
        row.email = Set(email(raw)?);
    }
    if let Some(name) = &patch.display_name {
        row.display_name = Set(display_name(name, "input.displayName")?);
    }
    if let Some(raw) = &patch.phone {
        row.phone = Set(phone(raw.as_deref(), "input.phone")?);
    }
    kit::write::update::<user_account::Entity>(w, &before, row, patch.expected_version, "update")
        .await
}

/// Deactivates (`active` false) or reactivates a user. Deactivation ends their sessions.
pub async fn set_active(
    w: &Write<'_>,
    id: Uuid,
    active: bool,
) -> Result<user_account::Model, AppError> {
    let before = writable(w, id).await?;
    if before.is_active == active {
        return Ok(before);
    }
    if !active {
        if w.access().user_id() == Some(id) {
            return Err(AppError::BusinessRule {
                rule: "identity.self_deactivation",
                message: "you cannot deactivate yourself".into(),
            });
        }
        roles::ensure_not_last_owner(w.tx().await?, id).await?;
        session::revoke_user_sessions(w.tx().await?, id).await?;
    }
    let row = user_account::ActiveModel {
        is_active: Set(active),
        ..Default::default()
    };
    let action = if active { "reactivate" } else { "deactivate" };
    kit::write::update::<user_account::Entity>(w, &before, row, before.version, action).await
}

/// The user `id` if the caller may change it: `NOT_FOUND` when out of scope or missing,
/// `BUSINESS_RULE identity.escalation` when the user holds a grant the caller does not.
pub(super) async fn writable(w: &Write<'_>, id: Uuid) -> Result<user_account::Model, AppError> {
    let user = kit::write::find_for_write::<user_account::Entity>(w, id).await?;
    escalation::check_user_manageable(w.tx().await?, w.access(), id).await?;
    Ok(user)
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

fn email(raw: &str) -> Result<String, AppError> {
    normalize_email(raw).map_err(|_| AppError::validation("input.email", "not an email address"))
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
