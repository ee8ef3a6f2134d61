//! Authorization: what the caller may do.
//!
//! Enforcement is default-deny on every path: every root query and mutation field carries a
//! [`Require`] guard (or is one of the few public or self-service fields), sensitive fields call
//! [`require_field`], and services apply row scopes. A caller's grants ([`Access`]) are loaded
//! once per request by the first guard that needs them, so after validation (a refused request
//! touches no database), from the tenant's cache (`tenancy::cache`, which runs [`load_access`]
//! on a miss). An API key's are loaded before execution: checking the key read its database
//! already. A caller whose grants cannot load (an ended session) gets one `UNAUTHENTICATED`
//! answer for the whole request (`graphql::handler::run`).

pub mod catalog;
pub mod roles;

use async_graphql::{Context, Guard};
use entities::identity::{api_key, refresh_token, role, role_grant, user_account, user_role};
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use std::collections::BTreeMap;
use uuid::Uuid;

use crate::auth::{Actor, Principal};
use crate::error::{AppError, GqlResult};
use crate::graphql::context::ContextExt;

/// How far a grant reaches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, async_graphql::Enum)]
pub enum Scope {
    /// Only rows the caller owns or is assigned to.
    Own,
    /// Every row.
    All,
}

impl Scope {
    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Own => "OWN",
            Self::All => "ALL",
        }
    }

    /// Parses the stored form.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "OWN" => Some(Self::Own),
            "ALL" => Some(Self::All),
            _ => None,
        }
    }
}

/// The verified caller with their roles and grants.
#[derive(Clone, Debug)]
pub struct Access {
    /// Who is calling.
    pub principal: Principal,
    roles: Vec<String>,
    grants: BTreeMap<String, Scope>,
}

impl Access {
    /// The signed-in user, if the caller is a user (not an API key).
    pub fn user_id(&self) -> Option<Uuid> {
        match self.principal.actor {
            Actor::User(id) => Some(id),
            Actor::ApiKey(_) => None,
        }
    }

    /// The scope of `permission`, if granted.
    pub fn scope(&self, permission: &str) -> Option<Scope> {
        self.grants.get(permission).copied()
    }

    /// The scope of `permission`, or `FORBIDDEN` naming it.
    pub fn require(&self, permission: &str) -> Result<Scope, AppError> {
        self.scope(permission).ok_or_else(|| AppError::Forbidden {
            permission: permission.to_owned(),
        })
    }

    /// Names of the caller's roles, sorted.
    pub fn roles(&self) -> &[String] {
        &self.roles
    }

    /// The caller's grants, sorted by permission.
    pub fn grants(&self) -> &BTreeMap<String, Scope> {
        &self.grants
    }

    /// The background jobs of tenant `tenant`: no roles, no grants (a job writes only what
    /// its own code decides, never through a caller's rights), no user.
    pub fn system(tenant: Uuid) -> Self {
        Self {
            principal: Principal {
                tenant_id: tenant,
                actor: Actor::ApiKey(Uuid::nil()),
                session_id: None,
            },
            roles: Vec::new(),
            grants: BTreeMap::new(),
        }
    }

    /// A caller without roles or grants (unit tests).
    #[cfg(test)]
    pub fn for_tests(principal: Principal) -> Self {
        Self {
            principal,
            roles: Vec::new(),
            grants: BTreeMap::new(),
        }
    }
}

/// Loads the grants of `principal` in one statement. A deactivated user, an ended session or
/// a revoked key is `UNAUTHENTICATED`.
///
/// The session check rides in the same statement (an `EXISTS` on the refresh-token family
/// named by the token's `sid`, served by its index), so it costs no extra round trip: logout,
/// a password change (other sessions), a replayed refresh token (the family), deactivation and
/// a suspended or closed tenant (every family) end access tokens at their next request instead
/// of when they expire. A family lives while one of its tokens is unrevoked; every way of
/// ending a session revokes all of them. A user principal without a session is an in-process
/// caller (demo seeding), never a presented token: tokens always carry `sid`.
pub async fn load_access<C: ConnectionTrait>(
    db: &C,
    principal: &Principal,
) -> Result<Access, AppError> {
    // One row per (role, grant) of the caller, and one row with null role when it holds none;
    // no row at all when the user is inactive or the key revoked.
    let mut query = Query::select();
    query
        .expr_as(Expr::col((role::Entity, role::Column::Name)), "role_name")
        .expr_as(
            Expr::col((role_grant::Entity, role_grant::Column::Permission)),
            "permission",
        )
        .expr_as(
            Expr::col((role_grant::Entity, role_grant::Column::Scope)),
            "scope",
        );
    match principal.actor {
        Actor::User(id) => {
            query
                .from(user_account::Entity)
                .left_join(
                    user_role::Entity,
                    Expr::col((user_role::Entity, user_role::Column::UserId))
                        .equals((user_account::Entity, user_account::Column::Id)),
                )
                .left_join(
                    role::Entity,
                    Expr::col((role::Entity, role::Column::Id))
                        .equals((user_role::Entity, user_role::Column::RoleId)),
                )
                .and_where(Expr::col((user_account::Entity, user_account::Column::Id)).eq(id))
                .and_where(
                    Expr::col((user_account::Entity, user_account::Column::IsActive)).eq(true),
                );
            if let Some(session) = principal.session_id {
                query.and_where(Expr::exists(
                    Query::select()
                        .expr(Expr::val(1))
                        .from(refresh_token::Entity)
                        .and_where(
                            Expr::col((refresh_token::Entity, refresh_token::Column::FamilyId))
                                .eq(session),
                        )
                        .and_where(
                            Expr::col((refresh_token::Entity, refresh_token::Column::UserId))
                                .eq(id),
                        )
                        .and_where(
                            Expr::col((refresh_token::Entity, refresh_token::Column::RevokedAt))
                                .is_null(),
                        )
                        .to_owned(),
                ));
            }
        }
        Actor::ApiKey(id) => {
            query
                .from(api_key::Entity)
                .left_join(
                    role::Entity,
                    Expr::col((role::Entity, role::Column::Id))
                        .equals((api_key::Entity, api_key::Column::RoleId)),
                )
                .and_where(Expr::col((api_key::Entity, api_key::Column::Id)).eq(id))
                .and_where(Expr::col((api_key::Entity, api_key::Column::RevokedAt)).is_null());
        }
    }
    query.left_join(
        role_grant::Entity,
        Expr::col((role_grant::Entity, role_grant::Column::RoleId))
            .equals((role::Entity, role::Column::Id)),
    );
    let rows = db.query_all(&query).await?;
    if rows.is_empty() {
        return Err(AppError::Unauthenticated);
    }
    let mut roles = Vec::new();
    let mut grants = BTreeMap::new();
    for row in rows {
        if let Some(name) = row.try_get::<Option<String>>("", "role_name")?
            && !roles.contains(&name)
        {
            roles.push(name);
        }
        let permission: Option<String> = row.try_get("", "permission")?;
        let scope: Option<String> = row.try_get("", "scope")?;
        if let (Some(permission), Some(scope)) =
            (permission, scope.as_deref().and_then(Scope::parse))
        {
            // Several roles may grant one permission: the widest scope wins.
            let entry = grants.entry(permission).or_insert(scope);
            *entry = (*entry).max(scope);
        }
    }
    roles.sort();
    Ok(Access {
        principal: principal.clone(),
        roles,
        grants,
    })
}

/// Guard of a root field: the caller needs `permission` (any scope).
pub struct Require(pub &'static str);

impl Guard for Require {
    async fn check(&self, ctx: &Context<'_>) -> async_graphql::Result<()> {
        let request = ctx.request()?;
        request.load_access().await.gql()?;
        request
            .access()
            .and_then(|a| a.require(self.0))
            .map(|_| ())
            .gql()
    }
}

/// Guard of a field any signed-in caller may use (self-service, such as `me`).
pub struct SignedIn;

impl Guard for SignedIn {
    async fn check(&self, ctx: &Context<'_>) -> async_graphql::Result<()> {
        let request = ctx.request()?;
        request.load_access().await.gql()?;
        request.access().map(|_| ()).gql()
    }
}

/// Check of a sensitive field: the caller needs `permission`, except on their own record
/// (`owner`) when the field is `self_readable`. Denied, the field is `null` with a `FORBIDDEN`
/// error at its path and the rest of the answer stands.
pub fn require_field(
    ctx: &Context<'_>,
    permission: &str,
    owner: Option<Uuid>,
) -> async_graphql::Result<()> {
    let request = ctx.request()?;
    if field_readable(request, permission, owner) {
        return Ok(());
    }
    request
        .access()
        .gql()?
        .require(permission)
        .map(|_| ())
        .gql()
}

/// Whether [`require_field`] lets the caller read the field (for fields answered without a
/// future: see `crate::graphql::rows::Now`).
pub fn field_readable(
    request: &crate::graphql::context::RequestContext,
    permission: &str,
    owner: Option<Uuid>,
) -> bool {
    if owner.is_some() && owner == request.signed_in() {
        return true;
    }
    let Ok(access) = request.access() else {
        return false;
    };
    (owner.is_some() && owner == access.user_id()) || access.scope(permission).is_some()
}

/// Whether a self-readable sensitive field shows in the caller's introspection: only for
/// callers who could ever read it (holders of `permission`, or users for their own record).
pub fn self_readable_field_visible(ctx: &Context<'_>, permission: &str) -> bool {
    let Ok(request) = ctx.request() else {
        return false;
    };
    match request.principal() {
        // Every user may read their own record: no need for their grants (which introspection,
        // guarded by nothing, may run before they are loaded).
        Ok(Principal {
            actor: Actor::User(_),
            ..
        }) => true,
        // An API key's grants are loaded before execution (`graphql::handler::run`).
        Ok(_) => request
            .access()
            .is_ok_and(|a| a.scope(permission).is_some()),
        Err(_) => false,
    }
}
