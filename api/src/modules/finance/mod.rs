//! Finance core: the chart of accounts, journals and journal entries (the general ledger),
//! gapless numbering, fiscal years and lock dates, and the statements (trial balance,
//! general ledger, profit and loss, balance sheet).
//!
//! Invariants, each kept twice (the service, then the database): every posted entry
//! balances (`ledger.unbalanced`), posted entries never change (`ledger.posted_immutable`),
//! nothing posts into a locked period (`ledger.period_locked`), and legal numbers run 1..N
//! per series and fiscal year without a gap. Amounts are `i64` minor units of the company
//! (base) currency; a line from another currency keeps its amount and rate. Other modules
//! post through `service::ledger::post` inside their own write and find their accounts by
//! role (`seed::role`, `service::accounts::for_role`). The tax engine is the `tax` crate,
//! applied to the tenant's tax rates and rounding policy by `service::taxes`.

pub mod graphql;
pub mod resources;
pub mod seed;
pub mod service;

use futures_util::future::BoxFuture;
use sea_orm::DatabaseTransaction;

use crate::authz::catalog::{
    ACCOUNT_READ, ACCOUNT_WRITE, ENTRY_POST, ENTRY_READ, ENTRY_WRITE, PERIOD_LOCK, REPORT_READ,
    SETTINGS_WRITE,
};
use crate::error::AppError;
use crate::modules::Module;

/// Finance in the module registry (`crate::modules::MODULES`); its seed adds the chart of
/// accounts, the journals and the ledger's settings.
pub const MODULE: Module = Module {
    name: "finance",
    permissions: &[
        (ACCOUNT_READ, "Read the chart of accounts and the journals."),
        (ACCOUNT_WRITE, "Add accounts to the chart and archive them."),
        (ENTRY_READ, "Read journal entries and their lines."),
        (ENTRY_WRITE, "Prepare manual journal entries (drafts)."),
        (ENTRY_POST, "Post and reverse journal entries."),
        (
            PERIOD_LOCK,
            "Set the lock dates; post up to the stricter lock date that binds everyone else.",
        ),
        (
            REPORT_READ,
            "Read the statements: trial balance, general ledger, profit and loss, balance sheet.",
        ),
        (
            SETTINGS_WRITE,
            "Change the ledger's settings: fiscal year start, tax rounding policy.",
        ),
    ],
    resources: resources::RESOURCES,
    seed: Some(seed_step),
};

fn seed_step(txn: &DatabaseTransaction) -> BoxFuture<'_, Result<(), AppError>> {
    Box::pin(seed::seed_ledger(txn))
}
