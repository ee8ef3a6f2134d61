//! Identity and access: sessions (login, refresh, logout, password), users, roles and grants,
//! API keys and the audit log.
//!
//! `service/` holds the rules and transactions, `graphql/` the API, `loaders.rs` the
//! per-request DataLoaders of the relation fields (user → roles, role → grants, key → role).

pub mod graphql;
pub mod loaders;
pub mod resources;
pub mod service;
