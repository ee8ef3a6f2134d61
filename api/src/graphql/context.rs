//! The per-request context every resolver reads: who is calling, the request id, and the
//! tenant database, opened at most once per request and only when a resolver needs it (so a
//! request refused before execution touches no database).

use std::sync::Arc;

use async_graphql::Context;
use tokio::sync::OnceCell;

use crate::auth::Principal;
use crate::error::AppError;
use crate::state::AppState;
use crate::tenancy::pools::TenantDb;

/// Data of one GraphQL request (or one WebSocket connection).
pub struct RequestContext {
    state: AppState,
    principal: Option<Principal>,
    tenant: OnceCell<Arc<TenantDb>>,
}

impl RequestContext {
    /// A context for `principal` (none: anonymous).
    pub fn new(state: AppState, principal: Option<Principal>) -> Self {
        Self {
            state,
            principal,
            tenant: OnceCell::new(),
        }
    }

    /// The application.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// The caller; anonymous callers get `UNAUTHENTICATED`.
    pub fn principal(&self) -> Result<&Principal, AppError> {
        self.principal.as_ref().ok_or(AppError::Unauthenticated)
    }

    /// The caller's tenant database.
    pub async fn tenant_db(&self) -> Result<&Arc<TenantDb>, AppError> {
        let tenant_id = self.principal()?.tenant_id;
        self.tenant
            .get_or_try_init(|| self.state.tenancy().tenant_db(tenant_id))
            .await
    }
}

/// Access to the [`RequestContext`] from a resolver.
pub trait ContextExt {
    /// The request's context.
    fn request(&self) -> async_graphql::Result<&RequestContext>;
}

impl ContextExt for Context<'_> {
    fn request(&self) -> async_graphql::Result<&RequestContext> {
        self.data::<RequestContext>()
            .map_err(|_| AppError::Internal("request context missing".into()).to_gql())
    }
}
