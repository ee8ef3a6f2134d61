//! GraphQL face of identity and access (API_CONVENTIONS.md, Authentication), merged into
//! [`IdentityQuery`] and [`IdentityMutation`].

pub mod api_keys;
pub mod audit_log;
pub mod jobs;
pub mod roles;
pub mod session;
pub mod types;
pub mod users;

use async_graphql::MergedObject;

/// Queries of the identity module.
#[derive(MergedObject, Default)]
pub struct IdentityQuery(
    session::SessionQuery,
    users::UsersQuery,
    roles::RolesQuery,
    api_keys::ApiKeysQuery,
    audit_log::AuditQuery,
    jobs::JobsQuery,
);

/// Mutations of the identity module.
#[derive(MergedObject, Default)]
pub struct IdentityMutation(
    session::SessionMutation,
    users::UsersMutation,
    roles::RolesMutation,
    api_keys::ApiKeysMutation,
);
