//! `roles`, `role`, `permissions`, `createRole`, `updateRole`, `deleteRole`, `assignRole`,
//! `unassignRole`.

use async_graphql::{Context, ID, InputObject, Object, Result};
use entities::identity::{role, user_account};

use crate::authz::catalog::{ROLE_ASSIGN, ROLE_READ, ROLE_WRITE, permissions};
use crate::authz::{Require, Scope};
use crate::error::GqlResult;
use crate::graphql::context::ContextExt;
use crate::graphql::parse_id;
use crate::graphql::resolve::{by_id, list, queries, write};
use crate::modules::identity::graphql::types::{Permission, Role, User};
use crate::modules::identity::service::roles::{self, RoleInput, RolePatch};

/// Role queries.
#[derive(Default)]
pub struct RolesQuery;

queries! { RolesQuery, guard = "Require(ROLE_READ)";
    /// Roles, oldest first.
    list roles() -> Role |ctx, args| {
        let query = roles::visible(ctx.request()?.access().gql()?);
        list(ctx, query, args, Role).await
    }

    /// One role, or `null`.
    field role(#[graphql(desc = "The role's id.")] id: ID) -> Option<Role> |ctx| {
        Ok(by_id::<role::Entity>(ctx, &id).await?.map(Role))
    }

    /// The permission catalog: every permission a role can grant. (A fixed list, so not paged.)
    field permissions() -> Vec<Permission> |_ctx| {
        Ok(permissions()
            .map(|(name, description)| Permission { name, description })
            .collect())
    }
}

/// Role mutations.
#[derive(Default)]
pub struct RolesMutation;

#[Object]
impl RolesMutation {
    /// Creates a custom role. You can only grant permissions you hold.
    #[graphql(guard = "Require(ROLE_WRITE)")]
    async fn create_role(&self, ctx: &Context<'_>, input: CreateRoleInput) -> Result<Role> {
        let input = RoleInput {
            name: input.name,
            description: input.description.unwrap_or_default(),
            grants: grants(input.grants),
        };
        let role = write(ctx, |w| Box::pin(roles::create(w, input))).await?;
        Ok(Role(role))
    }

    /// Updates a custom role (system roles cannot change). A stale `expectedVersion` is a
    /// `CONFLICT`.
    #[graphql(guard = "Require(ROLE_WRITE)")]
    async fn update_role(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The role's id.")] id: ID,
        input: UpdateRoleInput,
    ) -> Result<Role> {
        let id = parse_id(&id, "id").gql()?;
        let patch = RolePatch {
            name: input.name,
            description: input.description,
            grants: input.grants.map(grants),
            expected_version: input.expected_version,
        };
        let role = write(ctx, |w| Box::pin(roles::update(w, id, patch))).await?;
        Ok(Role(role))
    }

    /// Deletes a custom role nobody holds.
    #[graphql(guard = "Require(ROLE_WRITE)")]
    async fn delete_role(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The role's id.")] id: ID,
    ) -> Result<bool> {
        let id = parse_id(&id, "id").gql()?;
        write(ctx, |w| Box::pin(roles::delete(w, id))).await?;
        Ok(true)
    }

    /// Gives a user a role (no more than you hold yourself).
    #[graphql(guard = "Require(ROLE_ASSIGN)")]
    async fn assign_role(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The user's id.")] user_id: ID,
        #[graphql(desc = "The role's id.")] role_id: ID,
    ) -> Result<User> {
        change_assignment(ctx, &user_id, &role_id, true).await
    }

    /// Takes a role from a user. The last active owner keeps the owner role.
    #[graphql(guard = "Require(ROLE_ASSIGN)")]
    async fn unassign_role(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The user's id.")] user_id: ID,
        #[graphql(desc = "The role's id.")] role_id: ID,
    ) -> Result<User> {
        change_assignment(ctx, &user_id, &role_id, false).await
    }
}

async fn change_assignment(
    ctx: &Context<'_>,
    user_id: &ID,
    role_id: &ID,
    assign: bool,
) -> Result<User> {
    let req = ctx.request()?;
    let user_id = parse_id(user_id, "userId").gql()?;
    let role_id = parse_id(role_id, "roleId").gql()?;
    let w = req.write().await.gql()?;
    if assign {
        roles::assign(&w, user_id, role_id).await.gql()?;
    } else {
        roles::unassign(&w, user_id, role_id).await.gql()?;
    }
    w.commit().await.gql()?;
    let db = req.tenant_db().await.gql()?;
    let user =
        crate::kit::read::get::<user_account::Entity, _>(db.conn(), req.access().gql()?, user_id)
            .await
            .gql()?
            .ok_or(crate::error::AppError::NotFound { entity: "user" })
            .gql()?;
    Ok(User(user))
}

fn grants(input: Vec<GrantInput>) -> Vec<(String, Scope)> {
    input.into_iter().map(|g| (g.permission, g.scope)).collect()
}

/// One permission to grant.
#[derive(InputObject)]
pub struct GrantInput {
    /// A permission of the catalog.
    pub permission: String,
    /// `ALL` rows (default), or `OWN` rows only.
    #[graphql(default_with = "Scope::All")]
    pub scope: Scope,
}

/// Input of `createRole`.
#[derive(InputObject)]
pub struct CreateRoleInput {
    /// Unique name.
    pub name: String,
    /// What the role is for.
    pub description: Option<String>,
    /// Its permissions.
    pub grants: Vec<GrantInput>,
}

/// Input of `updateRole`; absent fields stay as they are.
#[derive(InputObject)]
pub struct UpdateRoleInput {
    /// New name.
    pub name: Option<String>,
    /// New description.
    pub description: Option<String>,
    /// New permissions, replacing all.
    pub grants: Option<Vec<GrantInput>>,
    /// The `version` you last read.
    pub expected_version: i32,
}
