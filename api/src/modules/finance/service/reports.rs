//! Statements from the ledger: trial balance, general ledger of an account, profit and loss,
//! balance sheet. Only `POSTED` lines count; drafts are in no report.
//!
//! Each report is a fixed number of statements whatever the number of accounts or lines:
//! the sums are grouped in SQL (one statement for every account's figures) and the accounts
//! are one more. Lines carry their entry's date, so the sums scan lines alone (an account's
//! range through its `(account_id, entry_date)` index), leaving out the few drafts' lines. Sums are read as text and parsed into `i128`, so no sum of `i64` amounts
//! overflows on either backend.
//!
//! Signs: a balance is `Σ debit − Σ credit`. Assets and expenses are shown as they are,
//! liabilities, equity and income negated (their natural side is the credit), so every
//! figure of a healthy company is positive. The balance sheet has no closing entries to rely
//! on: earlier years' profit (income minus expenses before the fiscal year) and the current
//! year's are computed and shown inside equity, so `assets = liabilities + equity` holds on
//! any date.

use std::collections::HashMap;

use chrono::NaiveDate;
use entities::finance::account::{self, AccountKind};
use entities::finance::ledger_setting;
use sea_orm::{ConnectionTrait, DbBackend, EntityTrait, QueryOrder, Statement, Value};
use uuid::Uuid;

use crate::authz::Access;
use crate::authz::catalog::REPORT_READ;
use crate::error::AppError;
use crate::modules::finance::service::periods;

/// The most lines one general ledger answer holds; a longer range is refused.
pub const MAX_LEDGER_LINES: usize = 10_000;

/// An account's figures in a report.
#[derive(Clone, Debug)]
pub struct AccountFigures {
    /// The account.
    pub account: account::Model,
    /// Σ debit − Σ credit before the report's start.
    pub before: i128,
    /// Σ debit within the report's range.
    pub debit: i128,
    /// Σ credit within the report's range.
    pub credit: i128,
}

impl AccountFigures {
    /// The balance at the end of the range, debit positive.
    pub fn closing(&self) -> i128 {
        self.before + self.debit - self.credit
    }
}

/// `sql` with `$n` placeholders for `backend` (SQLite: `?n`).
fn statement(backend: DbBackend, sql: &str, values: Vec<Value>) -> Statement {
    let sql = match backend {
        DbBackend::Postgres => sql.to_owned(),
        _ => sql.replace('$', "?"),
    };
    Statement::from_sql_and_values(backend, sql, values)
}

/// A sum read as text (see the module header).
fn sum(row: &sea_orm::QueryResult, index: usize) -> Result<i128, AppError> {
    let text: Option<String> = row.try_get_by_index(index)?;
    match text {
        None => Ok(0),
        Some(t) => t
            .split('.')
            .next()
            .unwrap_or_default()
            .parse()
            .map_err(|_| AppError::Internal(format!("a ledger sum read as `{t}`"))),
    }
}

/// Every account with its figures: the balance before `from` (none: nothing is before) and
/// the debits and credits from `from` to `to`, both inclusive. Two statements.
pub async fn figures<C: ConnectionTrait>(
    db: &C,
    from: Option<NaiveDate>,
    to: NaiveDate,
) -> Result<Vec<AccountFigures>, AppError> {
    // Year 1, not `NaiveDate::MIN`, which PostgreSQL's dates do not reach.
    let from = from.unwrap_or(NaiveDate::from_ymd_opt(1, 1, 1).unwrap_or_default());
    let sql = "SELECT l.account_id, \
         CAST(SUM(CASE WHEN l.entry_date < $1 THEN l.debit_minor - l.credit_minor ELSE 0 END) AS TEXT), \
         CAST(SUM(CASE WHEN l.entry_date >= $1 THEN l.debit_minor ELSE 0 END) AS TEXT), \
         CAST(SUM(CASE WHEN l.entry_date >= $1 THEN l.credit_minor ELSE 0 END) AS TEXT) \
         FROM journal_line l WHERE l.entry_date <= $2 AND NOT EXISTS \
           (SELECT 1 FROM journal_entry e WHERE e.id = l.entry_id AND e.status = 'DRAFT') \
         GROUP BY l.account_id";
    let backend = db.get_database_backend();
    let rows = db
        .query_all_raw(statement(backend, sql, vec![from.into(), to.into()]))
        .await?;
    let mut sums: HashMap<Uuid, (i128, i128, i128)> = HashMap::with_capacity(rows.len());
    for row in &rows {
        let id: Uuid = row.try_get_by_index(0)?;
        sums.insert(id, (sum(row, 1)?, sum(row, 2)?, sum(row, 3)?));
    }
    let accounts = account::Entity::find()
        .order_by_asc(account::Column::Code)
        .all(db)
        .await?;
    Ok(accounts
        .into_iter()
        .filter(|a| !a.is_group)
        .map(|account| {
            let (before, debit, credit) = sums.get(&account.id).copied().unwrap_or_default();
            AccountFigures {
                account,
                before,
                debit,
                credit,
            }
        })
        .collect())
}

/// One line of the trial balance: an account's balance on its side.
#[derive(Clone, Debug)]
pub struct TrialLine {
    /// The account.
    pub account: account::Model,
    /// The balance when it is a debit, else 0.
    pub debit: i128,
    /// The balance when it is a credit, else 0.
    pub credit: i128,
}

/// The trial balance as of `as_of`: every account with a balance, on its side. The two
/// totals are equal when the ledger balances (always: every posted entry does).
pub async fn trial_balance<C: ConnectionTrait>(
    db: &C,
    access: &Access,
    as_of: NaiveDate,
) -> Result<Vec<TrialLine>, AppError> {
    access.require(REPORT_READ)?;
    Ok(figures(db, None, as_of)
        .await?
        .into_iter()
        .filter_map(|f| {
            let balance = f.closing();
            (balance != 0).then(|| TrialLine {
                debit: balance.max(0),
                credit: (-balance).max(0),
                account: f.account,
            })
        })
        .collect())
}

/// One line of an account's general ledger.
#[derive(Clone, Debug)]
pub struct LedgerLine {
    /// The entry's id.
    pub entry_id: Uuid,
    /// The entry's number.
    pub number: Option<String>,
    /// The entry's date.
    pub date: NaiveDate,
    /// The entry's reference.
    pub reference: Option<String>,
    /// The line's label.
    pub label: Option<String>,
    /// Debit.
    pub debit: i64,
    /// Credit.
    pub credit: i64,
    /// The account's balance after this line, debit positive.
    pub balance: i128,
}

/// An account's general ledger from `from` to `to`: the opening balance and every posted
/// line in date and number order with the running balance. Two statements.
pub async fn general_ledger<C: ConnectionTrait>(
    db: &C,
    access: &Access,
    account_id: Uuid,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<(i128, Vec<LedgerLine>), AppError> {
    access.require(REPORT_READ)?;
    ledger_lines(db, account_id, None, from, to).await
}

/// The opening balance and the posted lines of [`general_ledger`], only those naming
/// customer `only` when given (a customer's statement), without a permission check: the
/// caller checks its own.
pub async fn ledger_lines<C: ConnectionTrait>(
    db: &C,
    account_id: Uuid,
    only: Option<Uuid>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<(i128, Vec<LedgerLine>), AppError> {
    let backend = db.get_database_backend();
    let mut opening_values = vec![account_id.into(), from.into()];
    let mut row_values = vec![account_id.into(), from.into(), to.into()];
    let (opening_customer, row_customer) = match only {
        Some(customer) => {
            opening_values.push(customer.into());
            row_values.push(customer.into());
            (" AND l.customer_id = $3", " AND l.customer_id = $4")
        }
        None => ("", ""),
    };
    let opening = db
        .query_one_raw(statement(
            backend,
            &format!(
                "SELECT CAST(SUM(l.debit_minor - l.credit_minor) AS TEXT) FROM journal_line l \
                 WHERE l.account_id = $1 AND l.entry_date < $2{opening_customer} AND NOT EXISTS \
                   (SELECT 1 FROM journal_entry e WHERE e.id = l.entry_id AND e.status = 'DRAFT')"
            ),
            opening_values,
        ))
        .await?;
    let opening = match &opening {
        Some(row) => sum(row, 0)?,
        None => 0,
    };
    let limit = i64::try_from(MAX_LEDGER_LINES + 1).unwrap_or(i64::MAX);
    let limit_at = row_values.len() + 1;
    row_values.push(limit.into());
    let rows = db
        .query_all_raw(statement(
            backend,
            &format!(
                "SELECT e.id, e.number, e.entry_date, e.reference, l.label, l.debit_minor, l.credit_minor \
                 FROM journal_line l JOIN journal_entry e ON e.id = l.entry_id \
                 WHERE l.account_id = $1 AND l.entry_date >= $2 AND l.entry_date <= $3{row_customer} \
                   AND e.status = 'POSTED' \
                 ORDER BY l.entry_date, e.number, l.line_no LIMIT ${limit_at}"
            ),
            row_values,
        ))
        .await?;
    if rows.len() > MAX_LEDGER_LINES {
        return Err(AppError::validation(
            "to",
            format!("more than {MAX_LEDGER_LINES} lines; ask for a shorter range"),
        ));
    }
    let mut balance = opening;
    let mut lines = Vec::with_capacity(rows.len());
    for row in &rows {
        let debit: i64 = row.try_get_by_index(5)?;
        let credit: i64 = row.try_get_by_index(6)?;
        balance += i128::from(debit) - i128::from(credit);
        lines.push(LedgerLine {
            entry_id: row.try_get_by_index(0)?,
            number: row.try_get_by_index(1)?,
            date: row.try_get_by_index(2)?,
            reference: row.try_get_by_index(3)?,
            label: row.try_get_by_index(4)?,
            debit,
            credit,
            balance,
        });
    }
    Ok((opening, lines))
}

/// An account's amount in a statement, on its natural side (positive for a healthy company).
#[derive(Clone, Debug)]
pub struct StatementLine {
    /// The account.
    pub account: account::Model,
    /// The amount.
    pub amount: i128,
}

/// Profit and loss from `from` to `to`.
#[derive(Clone, Debug, Default)]
pub struct ProfitAndLoss {
    /// Income accounts, credit positive.
    pub income: Vec<StatementLine>,
    /// Expense accounts, debit positive.
    pub expenses: Vec<StatementLine>,
    /// Σ income.
    pub total_income: i128,
    /// Σ expenses.
    pub total_expenses: i128,
}

impl ProfitAndLoss {
    /// Income minus expenses.
    pub fn net_profit(&self) -> i128 {
        self.total_income - self.total_expenses
    }
}

/// The accounts' natural sign: +1 for debit-side kinds, −1 for credit-side ones.
fn sign(kind: AccountKind) -> i128 {
    match kind {
        AccountKind::Asset | AccountKind::Expense => 1,
        AccountKind::Liability | AccountKind::Equity | AccountKind::Income => -1,
    }
}

/// Profit and loss over `from`..=`to` (income and expense accounts with movements).
pub async fn profit_and_loss<C: ConnectionTrait>(
    db: &C,
    access: &Access,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<ProfitAndLoss, AppError> {
    access.require(REPORT_READ)?;
    if to < from {
        return Err(AppError::validation(
            "to",
            "the range ends before it starts",
        ));
    }
    let mut report = ProfitAndLoss::default();
    for f in figures(db, Some(from), to).await? {
        let amount = sign(f.account.kind) * (f.debit - f.credit);
        if f.debit == 0 && f.credit == 0 {
            continue;
        }
        let line = StatementLine {
            account: f.account,
            amount,
        };
        match line.account.kind {
            AccountKind::Income => {
                report.total_income += amount;
                report.income.push(line);
            }
            AccountKind::Expense => {
                report.total_expenses += amount;
                report.expenses.push(line);
            }
            AccountKind::Asset | AccountKind::Liability | AccountKind::Equity => {}
        }
    }
    Ok(report)
}

/// The balance sheet as of a date.
#[derive(Clone, Debug, Default)]
pub struct BalanceSheet {
    /// Asset accounts with a balance, debit positive.
    pub assets: Vec<StatementLine>,
    /// Liability accounts with a balance, credit positive.
    pub liabilities: Vec<StatementLine>,
    /// Equity accounts with a balance, credit positive.
    pub equity: Vec<StatementLine>,
    /// Profit of earlier fiscal years not yet closed into an equity account.
    pub earlier_years_profit: i128,
    /// Profit of the fiscal year up to the date.
    pub current_year_profit: i128,
    /// Σ assets.
    pub total_assets: i128,
    /// Σ liabilities.
    pub total_liabilities: i128,
    /// Σ equity accounts + earlier years' and current year's profit.
    pub total_equity: i128,
}

/// The balance sheet as of `as_of`: its fiscal year starts by the ledger's settings.
pub async fn balance_sheet<C: ConnectionTrait>(
    db: &C,
    access: &Access,
    as_of: NaiveDate,
) -> Result<BalanceSheet, AppError> {
    access.require(REPORT_READ)?;
    let settings = ledger_setting::Entity::find()
        .one(db)
        .await?
        .ok_or_else(|| AppError::Internal("the ledger has no settings row".into()))?;
    let start = periods::fiscal_year_start(&settings, periods::fiscal_year(&settings, as_of));
    let mut sheet = BalanceSheet::default();
    for f in figures(db, Some(start), as_of).await? {
        let kind = f.account.kind;
        match kind {
            AccountKind::Income | AccountKind::Expense => {
                // Profit is credit positive: income's credits, expenses' debits reduce it.
                sheet.earlier_years_profit -= f.before;
                sheet.current_year_profit -= f.debit - f.credit;
            }
            AccountKind::Asset | AccountKind::Liability | AccountKind::Equity => {
                let amount = sign(kind) * f.closing();
                if amount == 0 {
                    continue;
                }
                let line = StatementLine {
                    account: f.account,
                    amount,
                };
                match kind {
                    AccountKind::Asset => {
                        sheet.total_assets += amount;
                        sheet.assets.push(line);
                    }
                    AccountKind::Liability => {
                        sheet.total_liabilities += amount;
                        sheet.liabilities.push(line);
                    }
                    AccountKind::Equity | AccountKind::Income | AccountKind::Expense => {
                        sheet.total_equity += amount;
                        sheet.equity.push(line);
                    }
                }
            }
        }
    }
    sheet.total_equity += sheet.earlier_years_profit + sheet.current_year_profit;
    Ok(sheet)
}
