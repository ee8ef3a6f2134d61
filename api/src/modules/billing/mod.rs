//! Billing: customer invoices and credit notes, payments and receivables.
//!
//! An invoice is prepared as a draft (lines computed by the tax engine with the tenant's
//! rates and rounding policy, so `subtotal + tax + rounding = total` exactly), then posted:
//! in one transaction it gets its gapless number (`INV-2026-000123`), its taxes are frozen
//! and its journal entry (receivable / income / output tax / rounding) is posted through
//! `finance::service::ledger::post`. When the ledger refuses (a locked period), nothing is
//! written and no number is used. A posted document is never edited or deleted; a credit
//! note (its own series, `CN-…`) corrects it with the reverse postings and settles it.
//!
//! A payment is posted when recorded (bank or cash journal, `PAY-…`) and allocated to one
//! or more open invoices of its customer; what is left stays as the customer's credit. An
//! invoice in a foreign currency settled at another rate posts the realised difference
//! (`finance::service::fx`). Receivables (aging as of a date) come from the posted
//! documents and the dated allocations.
//!
//! Sales reps see the documents of their own customers: a document keeps the customer's
//! owner of the moment it was made (`owner_id`, scope `OWN`).

pub mod graphql;
pub mod resources;
pub mod service;

use crate::authz::catalog::{
    INVOICE_POST, INVOICE_READ, INVOICE_WRITE, PAYMENT_READ, PAYMENT_WRITE, RECEIVABLE_READ,
};
use crate::modules::Module;

/// Billing in the module registry (`crate::modules::MODULES`).
pub const MODULE: Module = Module {
    name: "billing",
    permissions: &[
        (INVOICE_READ, "Read customer invoices and credit notes."),
        (
            INVOICE_WRITE,
            "Prepare invoices and credit notes (drafts) and delete drafts.",
        ),
        (
            INVOICE_POST,
            "Post invoices and credit notes: number them and post them to the ledger.",
        ),
        (
            PAYMENT_READ,
            "Read customer payments and their allocations.",
        ),
        (
            PAYMENT_WRITE,
            "Record customer payments and allocate them to invoices.",
        ),
        (
            RECEIVABLE_READ,
            "Read receivables: aging and customer balances.",
        ),
    ],
    resources: resources::RESOURCES,
    seed: None,
};
