//! The per-request context every resolver reads: who is calling and with which grants, the
//! tenant database (opened at most once per request and only when needed, so a request refused
//! before execution touches no database), and the request's DataLoaders.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, PoisonError};

use async_graphql::Context;
use tokio::sync::OnceCell;

use crate::audit::AuditActor;
use crate::auth::Principal;
use crate::authz::Access;
use crate::error::AppError;
use crate::graphql::loaders::Loaders;
use crate::state::AppState;
use crate::tenancy::pools::TenantDb;

/// Data of one GraphQL request (over HTTP, or one operation of a WebSocket).
pub struct RequestContext {
    state: AppState,
    principal: Option<Principal>,
    tenant: OnceCell<Arc<TenantDb>>,
    access: OnceCell<Arc<Access>>,
    /// Why the grants could not be loaded (an ended session, a revoked key): the request's
    /// whole answer (see `handler::run`).
    access_failure: Arc<std::sync::Mutex<Option<async_graphql::ServerError>>>,
    /// Built on first use; dropped when a mutation writes, so a later field of the same
    /// request reloads what the write changed.
    loaders: std::sync::Mutex<Option<Arc<Loaders>>>,
    login_evaluated: AtomicBool,
    /// The user who signed in during this request (`login`, `refreshSession`): their own
    /// record's guarded fields are readable in the answer.
    signed_in: std::sync::OnceLock<uuid::Uuid>,
    /// The client's address (the TCP peer), when the transport knows it.
    client_addr: Option<std::net::IpAddr>,
}

impl RequestContext {
    /// A context for `principal` (none: anonymous).
    pub fn new(state: AppState, principal: Option<Principal>) -> Self {
        Self {
            state,
            principal,
            tenant: OnceCell::new(),
            access: OnceCell::new(),
            access_failure: Arc::default(),
            loaders: std::sync::Mutex::new(None),
            login_evaluated: AtomicBool::new(false),
            signed_in: std::sync::OnceLock::new(),
            client_addr: None,
        }
    }

    /// The same context, knowing the client's address.
    pub fn with_client_addr(mut self, addr: Option<std::net::IpAddr>) -> Self {
        self.client_addr = addr;
        self
    }

    /// The client's address (the TCP peer), if known: sign-in throttling counts by it.
    pub fn client_addr(&self) -> Option<std::net::IpAddr> {
        self.client_addr
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

    /// Loads the caller's grants (anonymous callers have none) from the tenant's cache (see
    /// `crate::tenancy::cache`; a miss runs one query), once: guards call it, so it runs after
    /// validation. A failure is kept for [`Self::access_failure`].
    pub async fn load_access(&self) -> Result<(), AppError> {
        let Some(principal) = &self.principal else {
            return Ok(());
        };
        let loaded = self
            .access
            .get_or_try_init(|| async {
                let db = self.tenant_db().await?;
                db.cache().access(db.conn(), principal).await
            })
            .await
            .map(|_| ());
        if let Err(e) = &loaded {
            *self
                .access_failure
                .lock()
                .unwrap_or_else(PoisonError::into_inner) = Some(e.to_server_error());
        }
        loaded
    }

    /// Where the request's grants failure will be, once execution is over (shared, so it
    /// outlives the context handed to the schema).
    pub fn access_failure(&self) -> Arc<std::sync::Mutex<Option<async_graphql::ServerError>>> {
        self.access_failure.clone()
    }

    /// The caller's grants; anonymous callers get `UNAUTHENTICATED`.
    pub fn access(&self) -> Result<&Access, AppError> {
        self.principal()?;
        self.access
            .get()
            .map(|access| &**access)
            .ok_or_else(|| AppError::Internal("access used before it was loaded".into()))
    }

    /// Who the audit trail names for a write of this request. Every mutation asks for it
    /// before it writes (every write is audited), so this is also where the request's loader
    /// caches are dropped: rows cached by an earlier field may be about to change.
    pub fn audit_actor(&self) -> AuditActor {
        *self.loaders.lock().unwrap_or_else(PoisonError::into_inner) = None;
        AuditActor(self.principal.as_ref().map(|p| p.actor))
    }

    /// Begins the write of a mutation (see [`crate::kit::write`]): the caller's transaction,
    /// grants and audit name. Drops the request's loader caches like [`Self::audit_actor`].
    pub async fn write(&self) -> Result<crate::kit::Write<'_>, AppError> {
        let actor = self.audit_actor();
        let access = self.access()?;
        let db = self.tenant_db().await?;
        let relay = crate::kit::write::Relay {
            events: self.state.events().clone(),
            tenant: db.tenant().id,
        };
        Ok(
            crate::kit::Write::begin(db.conn(), access, actor, Some(relay))
                .with_cache(db.cache().clone()),
        )
    }

    /// The request's DataLoaders, bound to the caller's tenant database.
    pub async fn loaders(&self) -> Result<Arc<Loaders>, AppError> {
        let db = self.tenant_db().await?;
        // A std mutex: held for a clone, never across an await.
        let mut loaders = self.loaders.lock().unwrap_or_else(PoisonError::into_inner);
        Ok(loaders
            .get_or_insert_with(|| Arc::new(Loaders::new(db.conn().clone())))
            .clone())
    }

    /// The request's DataLoaders if a resolver has built them (for fields answered without a
    /// future: see `crate::graphql::rows::Now`).
    pub fn loaders_now(&self) -> Option<Arc<Loaders>> {
        self.loaders
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The caller's tenant database if the request has opened it.
    pub fn tenant_db_now(&self) -> Option<&Arc<TenantDb>> {
        self.tenant.get()
    }

    /// Records the user who signed in during this request.
    pub fn set_signed_in(&self, user: uuid::Uuid) {
        let _ = self.signed_in.set(user);
    }

    /// The user who signed in during this request, if any.
    pub fn signed_in(&self) -> Option<uuid::Uuid> {
        self.signed_in.get().copied()
    }

    /// Marks that this request evaluated a password (`login` or `changePassword`); `false` if
    /// one was evaluated already (a request evaluates at most one, however many aliases it
    /// sends).
    pub fn claim_login(&self) -> bool {
        !self.login_evaluated.swap(true, Ordering::AcqRel)
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
