//! `login`, `refreshSession`, `logout`, `changePassword` and `me`.

use async_graphql::{Context, InputObject, Object, Result};
use entities::identity::role;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::authz::SignedIn;
use crate::error::{AppError, GqlResult};
use crate::graphql::context::ContextExt;
use crate::modules::identity::graphql::types::{Role, User};
use crate::modules::identity::service::{session, users};

/// Session queries.
#[derive(Default)]
pub struct SessionQuery;

#[Object]
impl SessionQuery {
    /// The signed-in caller, with their roles and permissions.
    #[graphql(guard = "SignedIn")]
    async fn me(&self, ctx: &Context<'_>) -> Result<Me> {
        let req = ctx.request()?;
        let access = req.access().gql()?;
        let db = req.tenant_db().await.gql()?;
        let user = match access.user_id() {
            Some(id) => Some(User(
                users::find_active(db.conn(), id)
                    .await
                    .gql()?
                    .ok_or(AppError::Unauthenticated)
                    .gql()?,
            )),
            None => None,
        };
        let roles = role::Entity::find()
            .filter(role::Column::Name.is_in(access.roles().iter().cloned()))
            .order_by_asc(role::Column::Name)
            .all(db.conn())
            .await
            .map_err(AppError::from)
            .gql()?;
        Ok(Me {
            user,
            roles: roles.into_iter().map(Role).collect(),
            permissions: access.grants().keys().cloned().collect(),
        })
    }
}

/// Session mutations.
#[derive(Default)]
pub struct SessionMutation;

#[Object]
impl SessionMutation {
    /// Signs in and starts a session. Every failure (unknown tenant or user, wrong password,
    /// inactive user) is the same `UNAUTHENTICATED`; repeated failures lock the account for
    /// the client address they came from, and many failures lock that address (`RATE_LIMITED`
    /// with `retryAfter`). A request evaluates at most one password (`login` or
    /// `changePassword`).
    async fn login(&self, ctx: &Context<'_>, input: LoginInput) -> Result<AuthPayload> {
        let req = ctx.request()?;
        let evaluate = req.claim_login();
        let s = session::login(
            req.state(),
            &input.tenant,
            &input.email,
            &input.password,
            evaluate,
            req.client_addr(),
        )
        .await
        .gql()?;
        req.set_signed_in(s.user.id);
        Ok(AuthPayload::from(s))
    }

    /// Exchanges a refresh token for new tokens. Each refresh token works once: presenting a
    /// used one ends the whole session.
    async fn refresh_session(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            secret,
            desc = "The refresh token of the last `login` or `refreshSession`."
        )]
        refresh_token: String,
    ) -> Result<AuthPayload> {
        let req = ctx.request()?;
        let s = session::refresh(req.state(), &refresh_token).await.gql()?;
        req.set_signed_in(s.user.id);
        Ok(AuthPayload::from(s))
    }

    /// Ends the caller's session: its refresh token stops working.
    #[graphql(guard = "SignedIn")]
    async fn logout(&self, ctx: &Context<'_>) -> Result<bool> {
        let req = ctx.request()?;
        let db = req.tenant_db().await.gql()?;
        session::logout(db.conn(), req.principal().gql()?)
            .await
            .gql()?;
        db.cache().access_changed();
        Ok(true)
    }

    /// Changes the caller's password and ends their other sessions. A wrong current password
    /// and a new password equal to it get the same `VALIDATION` answer; repeated failures lock
    /// the check (`RATE_LIMITED` with `retryAfter`), as for `login`. A request evaluates at
    /// most one password (`login` or `changePassword`).
    #[graphql(guard = "SignedIn")]
    async fn change_password(&self, ctx: &Context<'_>, input: ChangePasswordInput) -> Result<bool> {
        let req = ctx.request()?;
        let db = req.tenant_db().await.gql()?;
        let evaluate = req.claim_login();
        session::change_password(
            req.state(),
            db.conn(),
            req.principal().gql()?,
            &input.current_password,
            &input.new_password,
            evaluate,
            req.client_addr(),
        )
        .await
        .gql()?;
        db.cache().access_changed();
        Ok(true)
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

/// Input of `changePassword`.
#[derive(InputObject)]
pub struct ChangePasswordInput {
    /// The password now.
    #[graphql(secret)]
    pub current_password: String,
    /// The new password: at least 10 characters, not a well-known one.
    #[graphql(secret)]
    pub new_password: String,
}

/// Tokens of a session.
pub struct AuthPayload(session::Session);

impl From<session::Session> for AuthPayload {
    fn from(s: session::Session) -> Self {
        Self(s)
    }
}

/// Tokens of a session.
#[Object]
impl AuthPayload {
    /// Bearer token for the `Authorization` header (HTTP) or the `connection_init` payload
    /// (WebSocket).
    async fn access_token(&self) -> &str {
        &self.0.access_token
    }

    /// Opaque token for `refreshSession`; works once.
    async fn refresh_token(&self) -> &str {
        &self.0.refresh_token
    }

    /// Seconds until the access token expires.
    async fn expires_in(&self) -> i32 {
        i32::try_from(self.0.expires_in).unwrap_or(i32::MAX)
    }

    /// The user who signed in.
    async fn user(&self) -> User {
        User(self.0.user.clone())
    }
}

/// The signed-in caller.
pub struct Me {
    user: Option<User>,
    roles: Vec<Role>,
    permissions: Vec<String>,
}

/// The signed-in caller.
#[Object]
impl Me {
    /// The caller's user record (`null` for an API key).
    async fn user(&self) -> Option<&User> {
        self.user.as_ref()
    }

    /// The caller's roles.
    async fn roles(&self) -> &[Role] {
        &self.roles
    }

    /// Every permission the caller holds, sorted.
    async fn permissions(&self) -> &[String] {
        &self.permissions
    }
}
