//! Master data: currencies and dated exchange rates, units, tax rates, customers and their
//! contacts, products (with the cost price behind `master.product.cost.read`).
//!
//! Amounts are exact integers (`*_minor` in the currency's minor units, prices `*_micros`);
//! customers and products carry a `version` for optimistic locking, accept a client-chosen id
//! for idempotent creates, and are archived rather than deleted.

pub mod graphql;
pub mod resources;
pub mod seed;
pub mod service;

use futures_util::future::BoxFuture;
use sea_orm::DatabaseTransaction;

use crate::authz::catalog::{
    CUSTOMER_READ, CUSTOMER_WRITE, DATA_READ, DATA_WRITE, PRODUCT_COST_READ, PRODUCT_READ,
    PRODUCT_WRITE, SUPPLIER_READ, SUPPLIER_WRITE,
};
use crate::error::AppError;
use crate::modules::Module;

/// Master data in the module registry (`crate::modules::MODULES`); its seed adds the
/// currencies and units of measure.
pub const MODULE: Module = Module {
    name: "master",
    permissions: &[
        (
            DATA_READ,
            "Read currencies, rates, units, tax rates, payment terms, categories, warehouses.",
        ),
        (
            DATA_WRITE,
            "Maintain currencies' rates, tax rates, payment terms, categories, warehouses.",
        ),
        (CUSTOMER_READ, "Read customers and their contacts."),
        (
            CUSTOMER_WRITE,
            "Create, update and archive customers and their contacts.",
        ),
        (SUPPLIER_READ, "Read suppliers and their contacts."),
        (
            SUPPLIER_WRITE,
            "Create, update and archive suppliers and their contacts.",
        ),
        (PRODUCT_READ, "Read products."),
        (PRODUCT_WRITE, "Create, update and archive products."),
        (PRODUCT_COST_READ, "Read products' cost prices."),
    ],
    resources: resources::RESOURCES,
    seed: Some(seed_step),
};

fn seed_step(txn: &DatabaseTransaction) -> BoxFuture<'_, Result<(), AppError>> {
    Box::pin(seed::seed_reference_data(txn))
}
