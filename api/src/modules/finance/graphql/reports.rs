//! `trialBalance`, `generalLedger`, `profitAndLoss`, `balanceSheet`: statements from posted
//! lines (`service::reports`), every amount `Money` in the company currency. A report shows
//! the accounts it lists (code, name, kind) to whoever may read it.

use async_graphql::{Context, ID, Object, Result, SimpleObject};
use entities::finance::account;
use sea_orm::EntityTrait;

use crate::authz::Require;
use crate::authz::catalog::REPORT_READ;
use crate::error::{AppError, GqlResult};
use crate::graphql::context::ContextExt;
use crate::graphql::parse_id;
use crate::graphql::scalars::{Date, Money};
use crate::modules::finance::graphql::types::{Account, company_currency};
use crate::modules::finance::service::reports::{self, StatementLine};

/// An account's balance in the trial balance, on its side.
#[derive(SimpleObject)]
pub struct TrialBalanceLine {
    /// The account.
    pub account: Account,
    /// The balance when it is a debit, else zero.
    pub debit: Money,
    /// The balance when it is a credit, else zero.
    pub credit: Money,
}

/// The trial balance: every account with a balance; the totals are equal.
#[derive(SimpleObject)]
pub struct TrialBalance {
    /// The date it is as of.
    pub as_of: Date,
    /// Accounts with a balance, by code.
    pub lines: Vec<TrialBalanceLine>,
    /// Σ debit balances.
    pub total_debit: Money,
    /// Σ credit balances.
    pub total_credit: Money,
}

/// A posted line in an account's general ledger.
#[derive(SimpleObject)]
pub struct GeneralLedgerLine {
    /// The entry's id.
    pub entry_id: ID,
    /// The entry's number.
    pub number: Option<String>,
    /// The entry's date.
    pub date: Date,
    /// The entry's reference.
    pub reference: Option<String>,
    /// The line's label.
    pub label: Option<String>,
    /// Debit.
    pub debit: Money,
    /// Credit.
    pub credit: Money,
    /// The account's balance after the line (debit positive, credit negative).
    pub balance: Money,
}

/// An account's general ledger over a range.
#[derive(SimpleObject)]
pub struct GeneralLedger {
    /// The account.
    pub account: Account,
    /// First day.
    pub from: Date,
    /// Last day.
    pub to: Date,
    /// The balance before `from` (debit positive).
    pub opening_balance: Money,
    /// Posted lines in date and number order (at most 10,000: a longer range is refused).
    pub lines: Vec<GeneralLedgerLine>,
    /// The balance after `to`.
    pub closing_balance: Money,
}

/// An account's amount in a statement, on its natural side (positive when healthy).
#[derive(SimpleObject)]
pub struct StatementAmount {
    /// The account.
    pub account: Account,
    /// The amount.
    pub amount: Money,
}

/// Profit and loss over a range.
#[derive(SimpleObject)]
pub struct ProfitAndLoss {
    /// First day.
    pub from: Date,
    /// Last day.
    pub to: Date,
    /// Income accounts with movements.
    pub income: Vec<StatementAmount>,
    /// Expense accounts with movements.
    pub expenses: Vec<StatementAmount>,
    /// Σ income.
    pub total_income: Money,
    /// Σ expenses.
    pub total_expenses: Money,
    /// Income minus expenses.
    pub net_profit: Money,
}

/// The balance sheet as of a date: `totalAssets = totalLiabilities + totalEquity`.
#[derive(SimpleObject)]
pub struct BalanceSheet {
    /// The date it is as of.
    pub as_of: Date,
    /// Asset accounts with a balance.
    pub assets: Vec<StatementAmount>,
    /// Liability accounts with a balance.
    pub liabilities: Vec<StatementAmount>,
    /// Equity accounts with a balance.
    pub equity: Vec<StatementAmount>,
    /// Profit of earlier fiscal years not closed into an equity account (in equity).
    pub earlier_years_profit: Money,
    /// Profit of the fiscal year up to the date (in equity).
    pub current_year_profit: Money,
    /// Σ assets.
    pub total_assets: Money,
    /// Σ liabilities.
    pub total_liabilities: Money,
    /// Σ equity accounts plus earlier years' and the current year's profit.
    pub total_equity: Money,
}

/// Amounts of the company currency: its code and digits are looked up once per statement.
pub(crate) struct Company(String, u32);

impl Company {
    pub(crate) async fn of(ctx: &Context<'_>) -> Result<Self> {
        let (code, digits) = company_currency(ctx).await?;
        Ok(Self(code, digits))
    }

    pub(crate) fn money(&self, minor: impl Into<i128>) -> Money {
        Money::new(minor, &self.0, self.1)
    }

    /// Posted lines as the API shows them, and the balance after the last (`opening`
    /// without lines).
    pub(crate) fn ledger(
        &self,
        opening: i128,
        rows: Vec<reports::LedgerLine>,
    ) -> (Vec<GeneralLedgerLine>, i128) {
        let closing = rows.last().map_or(opening, |r| r.balance);
        let lines = rows
            .into_iter()
            .map(|row| GeneralLedgerLine {
                entry_id: ID(row.entry_id.to_string()),
                number: row.number,
                date: Date(row.date),
                reference: row.reference,
                label: row.label,
                debit: self.money(row.debit),
                credit: self.money(row.credit),
                balance: self.money(row.balance),
            })
            .collect();
        (lines, closing)
    }

    fn amounts(&self, lines: Vec<StatementLine>) -> Vec<StatementAmount> {
        lines
            .into_iter()
            .map(|line| StatementAmount {
                amount: self.money(line.amount),
                account: Account(line.account),
            })
            .collect()
    }
}

/// Statement queries.
#[derive(Default)]
pub struct ReportsQuery;

#[Object]
impl ReportsQuery {
    /// The trial balance as of a date, from posted entries.
    #[graphql(guard = "Require(REPORT_READ)")]
    async fn trial_balance(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The last day counted.")] as_of: Date,
    ) -> Result<TrialBalance> {
        let req = ctx.request()?;
        let db = req.tenant_db().await.gql()?;
        let c = Company::of(ctx).await?;
        let rows = reports::trial_balance(db.conn(), req.access().gql()?, as_of.0)
            .await
            .gql()?;
        let (mut debit, mut credit) = (0i128, 0i128);
        let mut lines = Vec::with_capacity(rows.len());
        for row in rows {
            debit += row.debit;
            credit += row.credit;
            lines.push(TrialBalanceLine {
                debit: c.money(row.debit),
                credit: c.money(row.credit),
                account: Account(row.account),
            });
        }
        Ok(TrialBalance {
            as_of,
            lines,
            total_debit: c.money(debit),
            total_credit: c.money(credit),
        })
    }

    /// An account's posted lines over a range with the running balance.
    #[graphql(guard = "Require(REPORT_READ)")]
    async fn general_ledger(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The account.")] account_id: ID,
        #[graphql(desc = "First day.")] from: Date,
        #[graphql(desc = "Last day.")] to: Date,
    ) -> Result<GeneralLedger> {
        let id = parse_id(&account_id, "accountId").gql()?;
        if to.0 < from.0 {
            return Err(AppError::validation(
                "to",
                "the range ends before it starts",
            ))
            .gql();
        }
        let req = ctx.request()?;
        let access = req.access().gql()?;
        let db = req.tenant_db().await.gql()?;
        let c = Company::of(ctx).await?;
        let (opening, rows) = reports::general_ledger(db.conn(), access, id, from.0, to.0)
            .await
            .gql()?;
        let account = account::Entity::find_by_id(id)
            .one(db.conn())
            .await
            .map_err(AppError::from)
            .gql()?
            .ok_or_else(|| AppError::validation("accountId", "no such account"))
            .gql()?;
        let (lines, closing) = c.ledger(opening, rows);
        Ok(GeneralLedger {
            account: Account(account),
            from,
            to,
            opening_balance: c.money(opening),
            lines,
            closing_balance: c.money(closing),
        })
    }

    /// Profit and loss over a range, from posted entries.
    #[graphql(guard = "Require(REPORT_READ)")]
    async fn profit_and_loss(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "First day.")] from: Date,
        #[graphql(desc = "Last day.")] to: Date,
    ) -> Result<ProfitAndLoss> {
        let req = ctx.request()?;
        let db = req.tenant_db().await.gql()?;
        let c = Company::of(ctx).await?;
        let report = reports::profit_and_loss(db.conn(), req.access().gql()?, from.0, to.0)
            .await
            .gql()?;
        let net = report.net_profit();
        Ok(ProfitAndLoss {
            from,
            to,
            total_income: c.money(report.total_income),
            total_expenses: c.money(report.total_expenses),
            net_profit: c.money(net),
            income: c.amounts(report.income),
            expenses: c.amounts(report.expenses),
        })
    }

    /// The balance sheet as of a date, from posted entries; the profit not yet closed into
    /// equity is shown inside it.
    #[graphql(guard = "Require(REPORT_READ)")]
    async fn balance_sheet(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The last day counted.")] as_of: Date,
    ) -> Result<BalanceSheet> {
        let req = ctx.request()?;
        let db = req.tenant_db().await.gql()?;
        let c = Company::of(ctx).await?;
        let sheet = reports::balance_sheet(db.conn(), req.access().gql()?, as_of.0)
            .await
            .gql()?;
        Ok(BalanceSheet {
            as_of,
            earlier_years_profit: c.money(sheet.earlier_years_profit),
            current_year_profit: c.money(sheet.current_year_profit),
            total_assets: c.money(sheet.total_assets),
            total_liabilities: c.money(sheet.total_liabilities),
            total_equity: c.money(sheet.total_equity),
            assets: c.amounts(sheet.assets),
            liabilities: c.amounts(sheet.liabilities),
            equity: c.amounts(sheet.equity),
        })
    }
}
