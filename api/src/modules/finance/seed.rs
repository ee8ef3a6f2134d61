//! What every tenant's ledger starts with: a small international chart of accounts (groups
//! for assets, liabilities, equity, income and expenses, with the control accounts other
//! modules post to, marked by their role), the five journals, and the ledger's settings row
//! (fiscal year from January, no lock date).
//!
//! Idempotent, like every seed step: at provisioning and at every `erp migrate` it adds what
//! is missing and leaves what a tenant changed (a renamed account, its own accounts) alone.
//! An account whose code the tenant already uses, or whose role another account holds, is
//! skipped.

use std::collections::HashMap;

use chrono::Utc;
use entities::finance::account::{self, AccountKind};
use entities::finance::journal::{self, JournalKind};
use entities::finance::ledger_setting;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ConnectionTrait, EntityTrait, Set};
use uuid::Uuid;

use crate::error::AppError;

/// The control roles of the chart: other modules find their accounts by role
/// (`service::accounts::for_role`), never by code.
pub mod role {
    /// Cash on hand.
    pub const CASH: &str = "CASH";
    /// The bank account.
    pub const BANK: &str = "BANK";
    /// Customers' open invoices.
    pub const RECEIVABLE: &str = "RECEIVABLE";
    /// Stock at its value.
    pub const INVENTORY: &str = "INVENTORY";
    /// Tax paid on purchases, to recover.
    pub const VAT_INPUT: &str = "VAT_INPUT";
    /// Suppliers' open bills.
    pub const PAYABLE: &str = "PAYABLE";
    /// Tax charged on sales, to pay.
    pub const VAT_OUTPUT: &str = "VAT_OUTPUT";
    /// Goods received, not yet billed.
    pub const GRNI: &str = "GRNI";
    /// Earlier years' profit.
    pub const RETAINED_EARNINGS: &str = "RETAINED_EARNINGS";
    /// Sales of goods and services.
    pub const SALES: &str = "SALES";
    /// Realised exchange gains.
    pub const FX_GAIN: &str = "FX_GAIN";
    /// What sold goods cost.
    pub const COGS: &str = "COGS";
    /// Purchase price differences (bill vs order).
    pub const PRICE_DIFFERENCE: &str = "PRICE_DIFFERENCE";
    /// Realised exchange losses.
    pub const FX_LOSS: &str = "FX_LOSS";
    /// Rounding differences of documents.
    pub const ROUNDING: &str = "ROUNDING";
}

/// One account of the template: code, name, kind, parent's code, role, group or not.
struct Template(
    &'static str,
    &'static str,
    AccountKind,
    Option<&'static str>,
    Option<&'static str>,
    bool,
);

use AccountKind::{Asset, Equity, Expense, Income, Liability};

/// The chart, parents before their children.
const CHART: &[Template] = &[
    Template("1", "Assets", Asset, None, None, true),
    Template("10", "Current assets", Asset, Some("1"), None, true),
    Template("1000", "Cash", Asset, Some("10"), Some(role::CASH), false),
    Template("1010", "Bank", Asset, Some("10"), Some(role::BANK), false),
    Template(
        "1100",
        "Accounts receivable",
        Asset,
        Some("10"),
        Some(role::RECEIVABLE),
        false,
    ),
    Template(
        "1200",
        "Inventory",
        Asset,
        Some("10"),
        Some(role::INVENTORY),
        false,
    ),
    Template(
        "1300",
        "VAT receivable (input tax)",
        Asset,
        Some("10"),
        Some(role::VAT_INPUT),
        false,
    ),
    Template("1400", "Prepaid expenses", Asset, Some("10"), None, false),
    Template("15", "Fixed assets", Asset, Some("1"), None, true),
    Template(
        "1500",
        "Equipment and vehicles",
        Asset,
        Some("15"),
        None,
        false,
    ),
    Template(
        "1590",
        "Accumulated depreciation",
        Asset,
        Some("15"),
        None,
        false,
    ),
    Template("2", "Liabilities", Liability, None, None, true),
    Template(
        "20",
        "Current liabilities",
        Liability,
        Some("2"),
        None,
        true,
    ),
    Template(
        "2000",
        "Accounts payable",
        Liability,
        Some("20"),
        Some(role::PAYABLE),
        false,
    ),
    Template(
        "2100",
        "VAT payable (output tax)",
        Liability,
        Some("20"),
        Some(role::VAT_OUTPUT),
        false,
    ),
    Template(
        "2150",
        "Goods received not invoiced",
        Liability,
        Some("20"),
        Some(role::GRNI),
        false,
    ),
    Template("2200", "Wages payable", Liability, Some("20"), None, false),
    Template(
        "2300",
        "Customer advances",
        Liability,
        Some("20"),
        None,
        false,
    ),
    Template(
        "25",
        "Long-term liabilities",
        Liability,
        Some("2"),
        None,
        true,
    ),
    Template("2500", "Loans", Liability, Some("25"), None, false),
    Template("3", "Equity", Equity, None, None, true),
    Template("3000", "Share capital", Equity, Some("3"), None, false),
    Template(
        "3100",
        "Retained earnings",
        Equity,
        Some("3"),
        Some(role::RETAINED_EARNINGS),
        false,
    ),
    Template("4", "Income", Income, None, None, true),
    Template(
        "4000",
        "Sales of goods",
        Income,
        Some("4"),
        Some(role::SALES),
        false,
    ),
    Template("4100", "Services", Income, Some("4"), None, false),
    Template("4900", "Other income", Income, Some("4"), None, false),
    Template(
        "4950",
        "Exchange gains",
        Income,
        Some("4"),
        Some(role::FX_GAIN),
        false,
    ),
    Template("5", "Expenses", Expense, None, None, true),
    Template(
        "5000",
        "Cost of goods sold",
        Expense,
        Some("5"),
        Some(role::COGS),
        false,
    ),
    Template(
        "5100",
        "Purchase price differences",
        Expense,
        Some("5"),
        Some(role::PRICE_DIFFERENCE),
        false,
    ),
    Template("6000", "Salaries", Expense, Some("5"), None, false),
    Template("6100", "Rent", Expense, Some("5"), None, false),
    Template("6200", "Utilities", Expense, Some("5"), None, false),
    Template("6300", "Office supplies", Expense, Some("5"), None, false),
    Template("6400", "Depreciation", Expense, Some("5"), None, false),
    Template("6500", "Bank charges", Expense, Some("5"), None, false),
    Template(
        "6900",
        "Exchange losses",
        Expense,
        Some("5"),
        Some(role::FX_LOSS),
        false,
    ),
    Template(
        "6950",
        "Rounding differences",
        Expense,
        Some("5"),
        Some(role::ROUNDING),
        false,
    ),
];

/// The journals: code, name, kind.
const JOURNALS: &[(&str, &str, JournalKind)] = &[
    ("SAL", "Sales", JournalKind::Sales),
    ("PUR", "Purchases", JournalKind::Purchases),
    ("BNK", "Bank", JournalKind::Bank),
    ("CSH", "Cash", JournalKind::Cash),
    ("GEN", "General", JournalKind::General),
];

/// Adds the missing accounts of the chart, the journals and the settings row.
pub async fn seed_ledger<C: ConnectionTrait>(db: &C) -> Result<(), AppError> {
    let existing = account::Entity::find().all(db).await?;
    let mut by_code: HashMap<String, Uuid> =
        existing.iter().map(|a| (a.code.clone(), a.id)).collect();
    let roles: Vec<String> = existing.iter().filter_map(|a| a.role.clone()).collect();
    let now = Utc::now();
    let mut new = Vec::new();
    for Template(code, name, kind, parent, role, is_group) in CHART {
        if by_code.contains_key(*code) {
            continue;
        }
        let id = Uuid::now_v7();
        by_code.insert((*code).to_owned(), id);
        new.push(account::ActiveModel {
            id: Set(id),
            code: Set((*code).to_owned()),
            name: Set((*name).to_owned()),
            kind: Set(*kind),
            parent_id: Set(parent.and_then(|p| by_code.get(p).copied())),
            role: Set(role
                .filter(|r| !roles.iter().any(|taken| taken == r))
                .map(str::to_owned)),
            is_group: Set(*is_group),
            is_active: Set(true),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
        });
    }
    if !new.is_empty() {
        // Parents come first in the template, so one multi-row insert keeps every key.
        account::Entity::insert_many(new)
            .exec_without_returning(db)
            .await?;
    }
    journal::Entity::insert_many(
        JOURNALS
            .iter()
            .map(|(code, name, kind)| journal::ActiveModel {
                id: Set(Uuid::now_v7()),
                code: Set((*code).to_owned()),
                name: Set((*name).to_owned()),
                kind: Set(*kind),
                created_at: Set(now),
            }),
    )
    .on_conflict(
        OnConflict::column(journal::Column::Code)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    if ledger_setting::Entity::find().one(db).await?.is_none() {
        ledger_setting::Entity::insert(ledger_setting::ActiveModel {
            id: Set(Uuid::now_v7()),
            fiscal_year_start_month: Set(1),
            lock_date: Set(None),
            user_lock_date: Set(None),
            tax_rounding: Set("PER_LINE".into()),
            rounding_mode: Set("HALF_UP".into()),
            cash_increment_minor: Set(1),
            version: Set(1),
            updated_at: Set(now),
        })
        .exec_without_returning(db)
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_names_parents_before_children_and_each_role_once() {
        let mut seen: Vec<&str> = Vec::new();
        let mut roles: Vec<&str> = Vec::new();
        for Template(code, _, kind, parent, role, is_group) in CHART {
            assert!(!seen.contains(code), "{code} twice");
            if let Some(parent) = parent {
                assert!(
                    seen.contains(parent),
                    "{code}'s parent {parent} comes later"
                );
                let parent = CHART.iter().find(|t| t.0 == *parent).unwrap();
                assert!(parent.5, "{code}'s parent is no group");
                assert_eq!(parent.2, *kind, "{code} has another kind than its parent");
            }
            if let Some(role) = role {
                assert!(!roles.contains(role), "{role} twice");
                assert!(!is_group, "the group {code} has a role");
                roles.push(role);
            }
            seen.push(code);
        }
        assert_eq!(roles.len(), 15);
    }
}
