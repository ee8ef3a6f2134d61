//! The checks every journal entry passes before it is written, whoever writes it: two lines
//! or more (at most [`MAX_LINES`]), each a debit or a credit of a positive amount within
//! bounds, foreign amounts on the line's side in a currency other than the company's, only
//! active non-group accounts (one statement for all), customers and suppliers that exist,
//! and `Σ debit = Σ credit` (`BUSINESS_RULE ledger.unbalanced`). The database checks the
//! balance again at posting (migration `m20261207_000014_create_ledger`).

use std::collections::{HashMap, HashSet};

use entities::finance::account;
use entities::master::{customer, supplier};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::error::AppError;
use crate::kit::Write;
use crate::modules::finance::service::ledger::NewEntry;
use crate::modules::finance::service::rule;
use crate::modules::master::service::reference::{base_currency, currency_digits};
use crate::money::{MAX_SCALED, format_fixed};

/// The most lines one entry holds.
pub const MAX_LINES: usize = 500;

/// An entry's input path, for errors (`input.lines[2].debit`).
pub(super) fn line_field(i: usize, field: &str) -> String {
    format!("input.lines[{i}].{field}")
}

/// Checks `entry`'s lines: count, sides, bounds, accounts (one statement), the balance.
/// Returns the total debit.
pub async fn check(w: &Write<'_>, entry: &NewEntry) -> Result<i64, AppError> {
    if entry.lines.len() < 2 {
        return Err(AppError::validation(
            "input.lines",
            "a journal entry has two lines or more",
        ));
    }
    if entry.lines.len() > MAX_LINES {
        return Err(AppError::validation(
            "input.lines",
            format!("a journal entry has at most {MAX_LINES} lines"),
        ));
    }
    let (mut debit, mut credit) = (0i128, 0i128);
    for (i, line) in entry.lines.iter().enumerate() {
        let sides = [(line.debit_minor, "debit"), (line.credit_minor, "credit")];
        for (amount, side) in sides {
            if !(0..=MAX_SCALED).contains(&amount) {
                return Err(AppError::validation(
                    line_field(i, side),
                    "an amount is positive and at most 10^16 minor units",
                ));
            }
        }
        if (line.debit_minor > 0) == (line.credit_minor > 0) {
            return Err(AppError::validation(
                line_field(i, "debit"),
                "a line either debits or credits an amount greater than zero",
            ));
        }
        if let Some(foreign) = &line.foreign {
            let debit_side = line.debit_minor > 0;
            let field = line_field(i, "foreign.currency");
            let (code, _) = currency_digits(w, &foreign.currency, &field).await?;
            if code == base_currency(w.tx().await?).await? {
                return Err(AppError::validation(
                    field,
                    "the company currency is no foreign currency; leave `foreign` out",
                ));
            }
            if foreign.rate_micros <= 0 {
                return Err(AppError::validation(
                    line_field(i, "foreign.rate"),
                    "a rate is greater than zero",
                ));
            }
            if foreign.amount_minor == 0
                || (foreign.amount_minor > 0) != debit_side
                || foreign.amount_minor.abs() > MAX_SCALED
            {
                return Err(AppError::validation(
                    line_field(i, "foreign.amount"),
                    "the foreign amount is on the line's side: positive on a debit, negative on a credit",
                ));
            }
        }
        debit += i128::from(line.debit_minor);
        credit += i128::from(line.credit_minor);
    }
    let ids: Vec<Uuid> = entry.lines.iter().map(|l| l.account_id).collect();
    let accounts: HashMap<Uuid, account::Model> = account::Entity::find()
        .filter(account::Column::Id.is_in(ids.iter().copied().collect::<HashSet<_>>()))
        .all(w.tx().await?)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    for (i, id) in ids.iter().enumerate() {
        let Some(account) = accounts.get(id) else {
            return Err(AppError::validation(
                line_field(i, "accountId"),
                "no such account",
            ));
        };
        if account.is_group {
            return Err(rule(
                "ledger.group_account",
                format!(
                    "line {}: {} {} is a group account; post to one of its accounts",
                    i + 1,
                    account.code,
                    account.name
                ),
            ));
        }
        if !account.is_active {
            return Err(rule(
                "ledger.archived_account",
                format!(
                    "line {}: {} {} is archived",
                    i + 1,
                    account.code,
                    account.name
                ),
            ));
        }
    }
    check_partners(w, entry).await?;
    if debit != credit {
        let digits = company_digits(w).await?;
        return Err(rule(
            "ledger.unbalanced",
            format!(
                "debits ({}) and credits ({}) differ by {}",
                format_fixed(debit, digits),
                format_fixed(credit, digits),
                format_fixed((debit - credit).abs(), digits)
            ),
        ));
    }
    i64::try_from(debit).map_err(|_| AppError::validation("input.lines", "the entry is too large"))
}

/// The customers and suppliers the lines name exist (one statement each, only when named).
async fn check_partners(w: &Write<'_>, entry: &NewEntry) -> Result<(), AppError> {
    let customers: HashSet<Uuid> = entry.lines.iter().filter_map(|l| l.customer_id).collect();
    if !customers.is_empty() {
        let found: HashSet<Uuid> = customer::Entity::find()
            .filter(customer::Column::Id.is_in(customers.iter().copied()))
            .all(w.tx().await?)
            .await?
            .into_iter()
            .map(|c| c.id)
            .collect();
        if let Some(i) = entry
            .lines
            .iter()
            .position(|l| l.customer_id.is_some_and(|c| !found.contains(&c)))
        {
            return Err(AppError::validation(
                line_field(i, "customerId"),
                "no such customer",
            ));
        }
    }
    let suppliers: HashSet<Uuid> = entry.lines.iter().filter_map(|l| l.supplier_id).collect();
    if !suppliers.is_empty() {
        let found: HashSet<Uuid> = supplier::Entity::find()
            .filter(supplier::Column::Id.is_in(suppliers.iter().copied()))
            .all(w.tx().await?)
            .await?
            .into_iter()
            .map(|s| s.id)
            .collect();
        if let Some(i) = entry
            .lines
            .iter()
            .position(|l| l.supplier_id.is_some_and(|s| !found.contains(&s)))
        {
            return Err(AppError::validation(
                line_field(i, "supplierId"),
                "no such supplier",
            ));
        }
    }
    Ok(())
}

/// The company (base) currency's minor digits.
pub async fn company_digits(w: &Write<'_>) -> Result<u32, AppError> {
    let base = base_currency(w.tx().await?).await?;
    Ok(currency_digits(w, &base, "base currency").await?.1)
}
