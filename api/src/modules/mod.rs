//! ERP modules, one folder each: `mod.rs`, `graphql.rs` (types, resolvers), `service.rs`
//! (rules and transactions, no GraphQL types), `loaders.rs` (DataLoaders, when needed).

pub mod common;
pub mod crm;
pub mod identity;
pub mod master;

use crate::kit::ResourceInfo;

/// Every module's resources (see `crate::kit::resource`): role grants, the audit log and the
/// test sweeps read their declarations from here.
pub fn resources() -> impl Iterator<Item = &'static ResourceInfo> {
    [
        identity::resources::RESOURCES,
        master::resources::RESOURCES,
        crm::resources::RESOURCES,
    ]
    .into_iter()
    .flatten()
    .copied()
}

/// The declaration of resource `name` (as audit entries name it).
pub fn resource(name: &str) -> Option<&'static ResourceInfo> {
    resources().find(|r| r.name == name)
}
