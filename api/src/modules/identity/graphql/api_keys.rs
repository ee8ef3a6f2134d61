//! `apiKeys`, `createApiKey`, `revokeApiKey`.

use async_graphql::{Context, ID, InputObject, Object, Result};

use crate::authz::Require;
use crate::authz::catalog::{API_KEY_READ, API_KEY_WRITE};
use crate::error::GqlResult;
use crate::graphql::context::ContextExt;
use crate::graphql::parse_id;
use crate::graphql::resolve::{list, queries, write};
use crate::modules::identity::graphql::types::ApiKey;
use crate::modules::identity::service::api_keys;

/// API key queries.
#[derive(Default)]
pub struct ApiKeysQuery;

queries! { ApiKeysQuery, guard = "Require(API_KEY_READ)";
    /// API keys, oldest first.
    list api_keys() -> ApiKey |ctx, args| {
        let req = ctx.request()?;
        let query = api_keys::visible(req.access().gql()?);
        list(ctx, query, args, ApiKey).await
    }
}

/// API key mutations.
#[derive(Default)]
pub struct ApiKeysMutation;

#[Object]
impl ApiKeysMutation {
    /// Creates an API key with a role (no more than you hold). The secret is in the answer
    /// only: store it now.
    #[graphql(guard = "Require(API_KEY_WRITE)")]
    async fn create_api_key(
        &self,
        ctx: &Context<'_>,
        input: CreateApiKeyInput,
    ) -> Result<CreateApiKeyPayload> {
        let req = ctx.request()?;
        let role_id = parse_id(&input.role_id, "input.roleId").gql()?;
        let tenant_id = req.principal().gql()?.tenant_id;
        let name = input.name;
        let created = write(ctx, |w| {
            Box::pin(async move { api_keys::create(w, tenant_id, &name, role_id).await })
        })
        .await?;
        Ok(CreateApiKeyPayload {
            api_key: ApiKey(created.key),
            secret: created.secret,
        })
    }

    /// Revokes an API key; it stops working at once.
    #[graphql(guard = "Require(API_KEY_WRITE)")]
    async fn revoke_api_key(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The key's id.")] id: ID,
    ) -> Result<ApiKey> {
        let id = parse_id(&id, "id").gql()?;
        let key = write(ctx, |w| Box::pin(api_keys::revoke(w, id))).await?;
        Ok(ApiKey(key))
    }
}

/// Input of `createApiKey`.
#[derive(InputObject)]
pub struct CreateApiKeyInput {
    /// Name, to tell keys apart.
    pub name: String,
    /// The role whose permissions the key gets.
    pub role_id: ID,
}

/// A new API key and its secret.
pub struct CreateApiKeyPayload {
    api_key: ApiKey,
    secret: String,
}

/// A new API key and its secret.
#[Object]
impl CreateApiKeyPayload {
    /// The key.
    async fn api_key(&self) -> &ApiKey {
        &self.api_key
    }

    /// The full key for `Authorization: Bearer …`. Shown this once; only a hash is stored.
    async fn secret(&self) -> &str {
        &self.secret
    }
}
