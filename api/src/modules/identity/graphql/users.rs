//! `users`, `user`, `createUser`, `updateUser`, `deactivateUser`, `reactivateUser`.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result};
use entities::identity::user_account;

use crate::authz::Require;
use crate::authz::catalog::{USER_READ, USER_WRITE};
use crate::error::GqlResult;
use crate::graphql::context::ContextExt;
use crate::graphql::edit::filter_input;
use crate::graphql::loaders::{load_failed, selects_on_nodes};
use crate::graphql::resolve::{by_id, list, queries, write};
use crate::graphql::{parse_id, parse_ids, parse_opt_id};
use crate::modules::identity::graphql::types::User;
use crate::modules::identity::service::users::{self, NewUser, UserFilter, UserPatch};

/// User queries.
#[derive(Default)]
pub struct UsersQuery;

queries! { UsersQuery, guard = "Require(USER_READ)";
    /// Users, oldest first (keyset pagination: `first`/`after` forward, `last`/`before` back).
    list users(
        #[graphql(desc = "Which users.")] filter: Option<UserFilterInput>,
    ) -> User |ctx, args| {
        let req = ctx.request()?;
        let filter = UserFilterInput::service(filter).gql()?;
        let query = users::visible(req.access().gql()?, &filter);
        let page = list(ctx, query, args, User).await?;
        // Prefetch in one batch what the page selects (see `selects_on_nodes`).
        let loaders = req.loaders().await.gql()?;
        crate::kit::read::feed::<user_account::Entity>(ctx, page.edges.iter().map(|e| &e.node.0))
            .await;
        if selects_on_nodes(ctx, "roles") {
            let ids: Vec<uuid::Uuid> = page.edges.iter().map(|e| e.node.0.id).collect();
            crate::graphql::loaders::load_now(&loaders.identity.roles_by_user_id, ids)
.await
                .map_err(load_failed)?;
        }
        Ok(page)
    }

    /// One user, or `null` when it does not exist or you may not see it.
    field user(
        #[graphql(desc = "The user's id.")] id: ID,
    ) -> Option<User> |ctx| {
        Ok(by_id::<user_account::Entity>(ctx, &id).await?.map(User))
    }
}

/// User mutations.
#[derive(Default)]
pub struct UsersMutation;

#[Object]
impl UsersMutation {
    /// Creates a user. Repeating it with the same `id` and content returns the same user.
    #[graphql(guard = "Require(USER_WRITE)")]
    async fn create_user(&self, ctx: &Context<'_>, input: CreateUserInput) -> Result<User> {
        let req = ctx.request()?;
        let new = NewUser {
            id: parse_opt_id(input.id.as_ref(), "input.id").gql()?,
            email: input.email,
            display_name: input.display_name,
            phone: input.phone,
            password: input.password,
            role_ids: parse_ids(&input.role_ids, "input.roleIds").gql()?,
        };
        let hash = users::hash_password(req.state().passwords(), &new.password)
            .await
            .gql()?;
        let user = write(ctx, |w| Box::pin(users::create(w, new, hash))).await?;
        Ok(User(user))
    }

    /// Updates a user's details. A stale `expectedVersion` is a `CONFLICT`.
    #[graphql(guard = "Require(USER_WRITE)")]
    async fn update_user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The user's id.")] id: ID,
        input: UpdateUserInput,
    ) -> Result<User> {
        let id = parse_id(&id, "id").gql()?;
        let patch = UserPatch {
            email: input.email,
            display_name: input.display_name,
            phone: match input.phone {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(p) => Some(Some(p)),
            },
            expected_version: input.expected_version,
        };
        let user = write(ctx, |w| Box::pin(users::update(w, id, patch))).await?;
        Ok(User(user))
    }

    /// Deactivates a user: they cannot sign in and their sessions end. Not yourself, not the
    /// last active owner.
    #[graphql(guard = "Require(USER_WRITE)")]
    async fn deactivate_user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The user's id.")] id: ID,
    ) -> Result<User> {
        set_active(ctx, &id, false).await
    }

    /// Lets a deactivated user sign in again.
    #[graphql(guard = "Require(USER_WRITE)")]
    async fn reactivate_user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The user's id.")] id: ID,
    ) -> Result<User> {
        set_active(ctx, &id, true).await
    }
}

async fn set_active(ctx: &Context<'_>, id: &ID, active: bool) -> Result<User> {
    let id = parse_id(id, "id").gql()?;
    let user = write(ctx, |w| Box::pin(users::set_active(w, id, active))).await?;
    Ok(User(user))
}

filter_input! {
    /// Which users `users` lists.
    UserFilterInput => UserFilter;
    /// Part of the display name, or of the email where you may read it
    /// (`identity.user.contact.read`, or your own record), any case.
    one search: String;
    /// Only active (true) or only deactivated (false) users.
    one is_active: bool;
}

/// Input of `createUser`.
#[derive(InputObject)]
pub struct CreateUserInput {
    /// Optional client-generated id (UUID) making the create idempotent.
    pub id: Option<ID>,
    /// Email address; unique in the tenant.
    pub email: String,
    /// Name shown to other users.
    pub display_name: String,
    /// Phone number.
    pub phone: Option<String>,
    /// Initial password: at least 10 characters, not a well-known one.
    #[graphql(secret)]
    pub password: String,
    /// Roles to give the user (no more than you hold yourself).
    #[graphql(default)]
    pub role_ids: Vec<ID>,
}

/// Input of `updateUser`; absent fields stay as they are.
#[derive(InputObject)]
pub struct UpdateUserInput {
    /// New email address.
    pub email: Option<String>,
    /// New display name.
    pub display_name: Option<String>,
    /// New phone number; `null` clears it.
    pub phone: MaybeUndefined<String>,
    /// The `version` you last read.
    pub expected_version: i32,
}
