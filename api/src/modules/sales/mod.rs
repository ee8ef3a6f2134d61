//! Sales: quotations and sales orders, and invoices made from orders.
//!
//! A quotation is prepared as a draft (its lines computed by the tax engine, as billing's
//! are: `subtotal + tax + rounding = total` exactly), numbered when sent (`SQ-2026-000012`),
//! then accepted (which makes its sales order), rejected, or expired by the
//! [`crate::jobs::QUOTATION_EXPIRY`] job once its `valid_until` has passed.
//!
//! A sales order is confirmed (`SO-…`) after the customer's credit check: open receivables
//! (from billing's posted documents and allocations) plus the uninvoiced part of the
//! customer's other confirmed orders plus this one, in the company currency, against the
//! customer's credit limit. Going over needs `sales.order.approve_over_limit`. The check
//! holds the customer's row locked (PostgreSQL) or the database's writer lock (SQLite) until
//! the confirmation commits, so two confirmations that together exceed the limit cannot both
//! pass. Deliveries are counted on the lines (`deliverSalesOrder`); they become stock moves
//! once inventory exists (`service::orders::deliver` is the seam). An invoice made from an
//! order bills its lines up to what was ordered or delivered (the tenant's invoicing
//! policy), checked again when the invoice posts, in the posting's transaction.
//!
//! Sales reps see the documents of their own customers (`owner_id`, scope `OWN`).

pub mod graphql;
pub mod resources;
pub mod service;

use futures_util::FutureExt;

use crate::authz::catalog::{
    ORDER_APPROVE_OVER_LIMIT, ORDER_READ, ORDER_WRITE, QUOTATION_READ, QUOTATION_WRITE,
    SALES_SETTINGS_WRITE,
};
use crate::modules::Module;

/// Sales in the module registry (`crate::modules::MODULES`).
pub const MODULE: Module = Module {
    name: "sales",
    permissions: &[
        (QUOTATION_READ, "Read quotations."),
        (
            QUOTATION_WRITE,
            "Prepare, send, accept, reject and delete quotations.",
        ),
        (ORDER_READ, "Read sales orders."),
        (
            ORDER_WRITE,
            "Prepare, confirm, deliver, cancel and close sales orders.",
        ),
        (
            ORDER_APPROVE_OVER_LIMIT,
            "Confirm a sales order that takes its customer over their credit limit.",
        ),
        (
            SALES_SETTINGS_WRITE,
            "Change the sales settings: invoicing policy, quotation validity.",
        ),
    ],
    resources: resources::RESOURCES,
    seed: Some(|txn| service::settings::seed(txn).boxed()),
};
