//! Identity and access: sessions (login, refresh, logout, password), users, roles and grants,
//! API keys, the audit log and the view of the tenant's background jobs (`jobs`).
//!
//! `service/` holds the rules and transactions, `graphql/` the API, `loaders.rs` the
//! per-request DataLoaders of the relation fields (user → roles, role → grants, key → role).

pub mod graphql;
pub mod loaders;
pub mod resources;
pub mod service;

use futures_util::future::BoxFuture;
use sea_orm::DatabaseTransaction;

use crate::authz::catalog::{
    API_KEY_READ, API_KEY_WRITE, AUDIT_READ, JOB_READ, ROLE_ASSIGN, ROLE_READ, ROLE_WRITE,
    USER_CONTACT_READ, USER_READ, USER_WRITE,
};
use crate::error::AppError;
use crate::modules::Module;

/// Identity in the module registry (`crate::modules::MODULES`); its seed keeps the system
/// roles in step with the catalog.
pub const MODULE: Module = Module {
    name: "identity",
    permissions: &[
        (USER_READ, "List and view users."),
        (
            USER_WRITE,
            "Create, update, deactivate and reactivate users.",
        ),
        (
            USER_CONTACT_READ,
            "Read users' email and phone (everyone can read their own).",
        ),
        (ROLE_READ, "List and view roles and their grants."),
        (ROLE_WRITE, "Create, update and delete custom roles."),
        (ROLE_ASSIGN, "Assign roles to users and remove them."),
        (API_KEY_READ, "List API keys."),
        (API_KEY_WRITE, "Create and revoke API keys."),
        (AUDIT_READ, "Read the audit log."),
        (
            JOB_READ,
            "See the tenant's background jobs: kind, status, attempts, next run and last error.",
        ),
    ],
    resources: resources::RESOURCES,
    seed: Some(seed),
};

fn seed(txn: &DatabaseTransaction) -> BoxFuture<'_, Result<(), AppError>> {
    Box::pin(crate::authz::roles::sync_system_roles(txn))
}
