//! GraphQL face of identity: `login` and `me` (API_CONVENTIONS.md, Authentication).

use async_graphql::{Context, ID, InputObject, Object, Result};
use entities::identity::user_account;

use crate::error::GqlResult;
use crate::graphql::context::ContextExt;
use crate::modules::identity::service;

/// Queries of the identity module.
#[derive(Default)]
pub struct IdentityQuery;

#[Object]
impl IdentityQuery {
    /// The signed-in caller.
    async fn me(&self, ctx: &Context<'_>) -> Result<Me> {
        let req = ctx.request()?;
        let principal = req.principal().gql()?;
        let db = req.tenant_db().await.gql()?;
        let user = service::active_user(db.conn(), principal.user_id)
            .await
            .gql()?;
        Ok(Me { user: User(user) })
    }
}

/// Mutations of the identity module.
#[derive(Default)]
pub struct IdentityMutation;

#[Object]
impl IdentityMutation {
    /// Signs in with an email and password and returns an access token. Every failure
    /// (unknown tenant or user, wrong password, inactive user) is the same `UNAUTHENTICATED`.
    async fn login(&self, ctx: &Context<'_>, input: LoginInput) -> Result<AuthPayload> {
        let state = ctx.request()?.state();
        let outcome = service::login(state, &input.tenant, &input.email, &input.password)
            .await
            .gql()?;
        Ok(AuthPayload {
            access_token: outcome.access_token,
            expires_in: i32::try_from(outcome.expires_in).unwrap_or(i32::MAX),
            user: User(outcome.user),
        })
    }
}

/// Credentials for `login`.
#[derive(InputObject)]
pub struct LoginInput {
    /// The tenant's slug, e.g. `demo`.
    pub tenant: String,
    /// The user's email (case does not matter).
    pub email: String,
    /// The user's password.
    #[graphql(secret)]
    pub password: String,
}

/// The answer to a successful `login`.
pub struct AuthPayload {
    access_token: String,
    expires_in: i32,
    user: User,
}

/// The answer to a successful `login`.
#[Object]
impl AuthPayload {
    /// Bearer token for the `Authorization` header (HTTP) or the `connection_init` payload
    /// (WebSocket).
    async fn access_token(&self) -> &str {
        &self.access_token
    }

    /// Seconds until the access token expires.
    async fn expires_in(&self) -> i32 {
        self.expires_in
    }

    /// The user who signed in.
    async fn user(&self) -> &User {
        &self.user
    }
}

/// The signed-in caller.
pub struct Me {
    user: User,
}

/// The signed-in caller.
#[Object]
impl Me {
    /// The caller's user record.
    async fn user(&self) -> &User {
        &self.user
    }
}

/// A person who can sign in to the tenant.
pub struct User(pub user_account::Model);

/// A person who can sign in to the tenant.
#[Object]
impl User {
    /// Stable id (UUID).
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// Email address, lower-case; unique in the tenant.
    async fn email(&self) -> &str {
        &self.0.email
    }

    /// Name shown to other users.
    async fn display_name(&self) -> &str {
        &self.0.display_name
    }
}
