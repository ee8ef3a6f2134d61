//! ERP modules, one folder each: `mod.rs`, `graphql.rs` (types, resolvers), `service.rs`
//! (rules and transactions, no GraphQL types), `loaders.rs` (DataLoaders, when needed).

pub mod common;
pub mod crm;
pub mod identity;
pub mod master;
