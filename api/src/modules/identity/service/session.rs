//! Sessions: `login`, `refreshSession`, `logout`, `changePassword`.
//!
//! Login answers the same `UNAUTHENTICATED` error, after the same password-hashing work, for an
//! unknown tenant, an unknown or inactive user and a wrong password. A successful login starts
//! a session: a refresh-token family whose id is the access token's `sid`. Refreshing rotates
//! the token; presenting a used or revoked token (a replay, or the loser of two concurrent
//! refreshes) revokes the whole family, so a stolen token is worth one use at most.

use std::net::IpAddr;

use chrono::Utc;
use entities::identity::{refresh_token, user_account};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Set,
};
use uuid::Uuid;

use crate::audit::{self, AuditActor, Changes};
use crate::auth::password::Passwords;
use crate::auth::{Actor, Principal, secrets};
use crate::error::AppError;
use crate::modules::identity::service::{throttle, users};
use crate::state::AppState;
use crate::tenancy::provision::normalize_email;
use crate::tenancy::registry;

/// A started or refreshed session.
pub struct Session {
    /// The signed access token.
    pub access_token: String,
    /// The opaque refresh token (shown once).
    pub refresh_token: String,
    /// Access token lifetime in seconds.
    pub expires_in: u64,
    /// The user.
    pub user: user_account::Model,
}

/// Checks the credentials of `email` in tenant `tenant_slug` and starts a session. With
/// `evaluate` false (a further login in the same request) the attempt only counts as a
/// failure. Throttled by account at `client` and by `client` (see [`throttle`]), before the
/// tenant is even looked up, so an unknown tenant answers exactly like a known one.
pub async fn login(
    state: &AppState,
    tenant_slug: &str,
    email: &str,
    password: &str,
    evaluate: bool,
    client: Option<IpAddr>,
) -> Result<Session, AppError> {
    let policy = &state.settings().auth;
    let control = state.tenancy().control();
    let keys = throttle::Keys::sign_in(tenant_slug, email, client);
    throttle::check(control, &keys).await?;
    if !evaluate {
        throttle::record_failure(control, &keys, policy).await?;
        return Err(AppError::RateLimited { retry_after: 1 });
    }
    let tenant = registry::find_by_slug(control, tenant_slug.trim())
        .await?
        .filter(|t| t.status.is_usable());
    let email = normalize_email(email).ok();
    let db = match &tenant {
        Some(t) => Some(state.tenancy().tenant_db(t.id).await?),
        None => None,
    };
    let user = match (&db, &email) {
        (Some(db), Some(email)) => users::find_by_email(db.conn(), email)
            .await?
            .filter(|u| u.is_active),
        _ => None,
    };
    let verified = state
        .passwords()
        .verify(password, user.as_ref().map(|u| u.password_hash.as_str()))
        .await?;
    let (Some(tenant), Some(db), Some(user), true) = (tenant, db, user, verified) else {
        throttle::record_failure(control, &keys, policy).await?;
        return Err(AppError::Unauthenticated);
    };
    throttle::reset(control, &keys).await?;

    let txn = crate::db::begin_write(db.conn()).await?;
    let mut row: user_account::ActiveModel = user.clone().into();
    row.last_login_at = Set(Some(Utc::now()));
    let user = row.update(&txn).await?;
    let family = Uuid::now_v7();
    let refresh_token = insert_refresh_token(&txn, state, tenant.id, family, user.id).await?;
    audit::record(
        &txn,
        AuditActor(Some(Actor::User(user.id))),
        "user",
        user.id,
        "login",
        Changes::new().field("session", None::<Uuid>, Some(family)),
    )
    .await?;
    crate::db::commit(txn).await?;
    Ok(Session {
        access_token: state.tokens().issue(tenant.id, user.id, family)?,
        refresh_token,
        expires_in: state.tokens().ttl_secs(),
        user,
    })
}

/// Exchanges a refresh token for a new access token and a new refresh token.
pub async fn refresh(state: &AppState, raw: &str) -> Result<Session, AppError> {
    let (tenant_id, secret) =
        secrets::parse_refresh_token(raw.trim()).ok_or(AppError::Unauthenticated)?;
    let db = state.tenancy().tenant_db(tenant_id).await?;
    let hash = secrets::hash(secret);
    let now = Utc::now();

    let txn = crate::db::begin_write(db.conn()).await?;
    // Claim the token with a conditional write first: of two concurrent refreshes exactly one
    // changes the row, and on SQLite the write lock is taken before anything is read.
    let claimed = refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::UsedAt, Expr::value(Some(now)))
        .filter(refresh_token::Column::TokenHash.eq(hash.as_str()))
        .filter(refresh_token::Column::UsedAt.is_null())
        .filter(refresh_token::Column::RevokedAt.is_null())
        .filter(refresh_token::Column::ExpiresAt.gt(now))
        .exec(&txn)
        .await?
        .rows_affected
        == 1;
    let row = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(hash.as_str()))
        .one(&txn)
        .await?;
    let Some(row) = row else {
        return Err(AppError::Unauthenticated);
    };
    if !claimed {
        if row.used_at.is_some() || row.revoked_at.is_some() {
            revoke_family(&txn, row.family_id).await?;
            audit::record(
                &txn,
                AuditActor(None),
                "session",
                row.family_id,
                "revoke_on_reuse",
                Changes::new().field("revoked", false, true),
            )
            .await?;
            crate::db::commit(txn).await?;
            db.cache().access_changed();
        }
        return Err(AppError::Unauthenticated);
    }
    let Some(user) = users::find_active(&txn, row.user_id).await? else {
        revoke_family(&txn, row.family_id).await?;
        crate::db::commit(txn).await?;
        db.cache().access_changed();
        return Err(AppError::Unauthenticated);
    };
    let refresh_token =
        insert_refresh_token(&txn, state, tenant_id, row.family_id, user.id).await?;
    audit::record(
        &txn,
        AuditActor(Some(Actor::User(user.id))),
        "session",
        row.family_id,
        "refresh",
        Changes::new(),
    )
    .await?;
    crate::db::commit(txn).await?;
    Ok(Session {
        access_token: state.tokens().issue(tenant_id, user.id, row.family_id)?,
        refresh_token,
        expires_in: state.tokens().ttl_secs(),
        user,
    })
}

/// Ends the caller's session: its refresh tokens stop working, and so do its access tokens at
/// their next request (the session check of [`crate::authz::load_access`]).
pub async fn logout(db: &DatabaseConnection, principal: &Principal) -> Result<(), AppError> {
    let (Actor::User(user_id), Some(session)) = (principal.actor, principal.session_id) else {
        return Err(AppError::validation(
            "",
            "only a signed-in user has a session to end",
        ));
    };
    let txn = crate::db::begin_write(db).await?;
    revoke_family(&txn, session).await?;
    audit::record(
        &txn,
        AuditActor(Some(Actor::User(user_id))),
        "session",
        session,
        "logout",
        Changes::new(),
    )
    .await?;
    crate::db::commit(txn).await?;
    Ok(())
}

/// Changes the caller's password after checking the current one, and ends their other
/// sessions. Throttled like `login` (by user at `client`, and by `client`); with `evaluate`
/// false (a further password check in the same request) the attempt only counts as a failure.
/// A wrong current password and a new password equal to the current one get the same answer,
/// so the answer never confirms a guess without changing the password.
pub async fn change_password(
    state: &AppState,
    db: &DatabaseConnection,
    principal: &Principal,
    current: &str,
    new: &str,
    evaluate: bool,
    client: Option<IpAddr>,
) -> Result<(), AppError> {
    let Actor::User(user_id) = principal.actor else {
        return Err(AppError::validation("", "an API key has no password"));
    };
    let policy = &state.settings().auth;
    let passwords = state.passwords();
    let control = state.tenancy().control();
    let keys = throttle::Keys::password_change(principal.tenant_id, user_id, client);
    throttle::check(control, &keys).await?;
    if !evaluate {
        throttle::record_failure(control, &keys, policy).await?;
        return Err(AppError::RateLimited { retry_after: 1 });
    }
    let user = users::find_active(db, user_id)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    Passwords::check_policy(new, "input.newPassword")?;
    // Decided from the input alone, before the stored password is looked at.
    if new == current {
        return Err(wrong_or_reused());
    }
    if !passwords.verify(current, Some(&user.password_hash)).await? {
        throttle::record_failure(control, &keys, policy).await?;
        return Err(wrong_or_reused());
    }
    throttle::reset(control, &keys).await?;
    let hash = passwords.hash(new).await?;
    let txn = crate::db::begin_write(db).await?;
    let mut row: user_account::ActiveModel = user.clone().into();
    row.password_hash = Set(hash);
    row.version = Set(user.version + 1);
    row.updated_at = Set(Utc::now());
    row.update(&txn).await?;
    let mut others = refresh_token::Entity::update_many()
        .col_expr(
            refresh_token::Column::RevokedAt,
            Expr::value(Some(Utc::now())),
        )
        .filter(refresh_token::Column::UserId.eq(user_id))
        .filter(refresh_token::Column::RevokedAt.is_null());
    if let Some(session) = principal.session_id {
        others = others.filter(refresh_token::Column::FamilyId.ne(session));
    }
    others.exec(&txn).await?;
    audit::record(
        &txn,
        AuditActor(Some(principal.actor)),
        "user",
        user_id,
        "change_password",
        Changes::new().secret("password"),
    )
    .await?;
    crate::db::commit(txn).await?;
    Ok(())
}

/// The one answer of `changePassword` to a wrong current password and to a new password equal
/// to the current one.
fn wrong_or_reused() -> AppError {
    AppError::validation(
        "input.currentPassword",
        "the current password is wrong, or the new password is the same as the current one",
    )
}

/// Revokes every refresh token of a user (deactivation).
pub async fn revoke_user_sessions<C: ConnectionTrait>(
    db: &C,
    user_id: Uuid,
) -> Result<(), AppError> {
    refresh_token::Entity::update_many()
        .col_expr(
            refresh_token::Column::RevokedAt,
            Expr::value(Some(Utc::now())),
        )
        .filter(refresh_token::Column::UserId.eq(user_id))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

async fn revoke_family<C: ConnectionTrait>(db: &C, family: Uuid) -> Result<(), AppError> {
    refresh_token::Entity::update_many()
        .col_expr(
            refresh_token::Column::RevokedAt,
            Expr::value(Some(Utc::now())),
        )
        .filter(refresh_token::Column::FamilyId.eq(family))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

async fn insert_refresh_token<C: ConnectionTrait>(
    db: &C,
    state: &AppState,
    tenant_id: Uuid,
    family: Uuid,
    user_id: Uuid,
) -> Result<String, AppError> {
    let (token, secret) = secrets::new_refresh_token(tenant_id);
    let now = Utc::now();
    let ttl = chrono::Duration::from_std(state.settings().auth.refresh_ttl).unwrap_or_default();
    refresh_token::ActiveModel {
        id: Set(Uuid::now_v7()),
        family_id: Set(family),
        user_id: Set(user_id),
        token_hash: Set(secrets::hash(&secret)),
        expires_at: Set(now + ttl),
        used_at: Set(None),
        revoked_at: Set(None),
        created_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(token)
}
