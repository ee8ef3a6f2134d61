//! SeaORM entities, one folder per module and one file per table.
//!
//! Two kinds of database use them: the **control** database (`control::*`: the tenant registry)
//! and each tenant's own database (every other module). Tenant tables carry no `tenant_id`
//! column: the database itself is the isolation boundary (DESIGN.md §3).
//!
//! Entities never derive GraphQL types; the `api` crate wraps them, so a column rename cannot
//! silently change `schema.graphql`.

pub mod billing;
pub mod control;
pub mod crm;
pub mod events;
pub mod finance;
pub mod identity;
pub mod master;
pub mod platform;
pub mod sales;
