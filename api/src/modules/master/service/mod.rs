//! Master data rules and transactions. No GraphQL types here.

pub mod contacts;
pub mod customers;
pub mod party;
pub mod products;
pub mod reference;
pub mod suppliers;
