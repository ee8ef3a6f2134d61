//! Master data: currencies and dated exchange rates, units, tax rates, customers and their
//! contacts, products (with the cost price behind `master.product.cost.read`).
//!
//! Amounts are exact integers (`*_minor` in the currency's minor units, prices `*_micros`);
//! customers and products carry a `version` for optimistic locking, accept a client-chosen id
//! for idempotent creates, and are archived rather than deleted.

pub mod graphql;
pub mod loaders;
pub mod resources;
pub mod seed;
pub mod service;
