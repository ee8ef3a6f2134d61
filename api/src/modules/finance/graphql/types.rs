//! Output types of finance; each wraps its entity row. Amounts are `Money` in the company
//! (base) currency; kinds and statuses are the entities' enums mapped one to one.

use async_graphql::{Context, Enum, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entities::finance::{account, journal, journal_entry, journal_line, ledger_setting};
use entities::master::{currency, customer, supplier};
use entities::platform::tenant_setting;

use crate::graphql::fields::fields;
use crate::graphql::scalars::{Date, Decimal, Money};
use crate::kit::children::Children;
use crate::kit::read::reference;
use crate::modules::finance::service::taxes;
use crate::modules::master::graphql::suppliers::Supplier;
use crate::modules::master::graphql::types::{Customer, money};
use crate::modules::master::seed::BASE_CURRENCY_KEY;
use crate::money::MICRO_SCALE;

/// The company (base) currency and its minor digits, from the tenant's cache.
pub async fn company_currency(ctx: &Context<'_>) -> Result<(String, u32)> {
    let settings = reference::<tenant_setting::Entity>(ctx).await?;
    let base = settings
        .iter()
        .find(|s| s.key == BASE_CURRENCY_KEY)
        .and_then(|s| serde_json::from_str::<String>(&s.value).ok())
        .unwrap_or_else(|| "USD".to_owned());
    let digits = match crate::modules::master::seed::iso_minor_digits(&base) {
        Some(digits) => digits,
        None => reference::<currency::Entity>(ctx)
            .await?
            .iter()
            .find(|c| c.code == base)
            .map_or(2, |c| u32::try_from(c.minor_digits).unwrap_or(2)),
    };
    Ok((base, digits))
}

/// `minor` minor units of the company (base) currency.
pub async fn company_money(ctx: &Context<'_>, minor: impl Into<i128>) -> Result<Money> {
    let (base, digits) = company_currency(ctx).await?;
    Ok(Money::new(minor, &base, digits))
}

/// What an account is: it decides the statement it is in and its natural side.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum AccountKind {
    /// What the company owns or is owed (balance sheet; grows by debits).
    Asset,
    /// What it owes (balance sheet; grows by credits).
    Liability,
    /// The owners' stake (balance sheet; grows by credits).
    Equity,
    /// Revenue (profit and loss; grows by credits).
    Income,
    /// Costs (profit and loss; grow by debits).
    Expense,
}

impl From<account::AccountKind> for AccountKind {
    fn from(k: account::AccountKind) -> Self {
        match k {
            account::AccountKind::Asset => Self::Asset,
            account::AccountKind::Liability => Self::Liability,
            account::AccountKind::Equity => Self::Equity,
            account::AccountKind::Income => Self::Income,
            account::AccountKind::Expense => Self::Expense,
        }
    }
}

impl From<AccountKind> for account::AccountKind {
    fn from(k: AccountKind) -> Self {
        match k {
            AccountKind::Asset => Self::Asset,
            AccountKind::Liability => Self::Liability,
            AccountKind::Equity => Self::Equity,
            AccountKind::Income => Self::Income,
            AccountKind::Expense => Self::Expense,
        }
    }
}

/// An account of the chart.
#[derive(Clone)]
pub struct Account(pub account::Model);

fields! {
    /// An account of the chart: a group (holding accounts) or an account taking postings.
    impl Account(account::Model) {
        /// Stable id.
        id id;
        /// Unique code, e.g. `1100`.
        text code;
        /// Name.
        text name;
        /// Asset, liability, equity, income or expense.
        into kind: AccountKind;
        /// The control role other modules post to (`RECEIVABLE`, `VAT_OUTPUT`, `BANK`, …),
        /// `null` for an ordinary account.
        opt_text role;
        /// A group holds other accounts and takes no postings.
        value is_group: bool;
        /// False once archived: it keeps its lines and takes no new ones.
        value is_active: bool;
        /// The group above it: `null` at the top.
        one parent -> Account = account::Entity, parent_id;
        /// Optimistic-locking version.
        value version: i32;
    }
}

/// The kind of a journal.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum JournalKind {
    /// Customer invoices and credit notes.
    Sales,
    /// Supplier bills.
    Purchases,
    /// Bank receipts and payments.
    Bank,
    /// Cash receipts and payments.
    Cash,
    /// Manual entries, adjustments, reversals.
    General,
}

impl From<journal::JournalKind> for JournalKind {
    fn from(k: journal::JournalKind) -> Self {
        match k {
            journal::JournalKind::Sales => Self::Sales,
            journal::JournalKind::Purchases => Self::Purchases,
            journal::JournalKind::Bank => Self::Bank,
            journal::JournalKind::Cash => Self::Cash,
            journal::JournalKind::General => Self::General,
        }
    }
}

/// A journal.
#[derive(Clone)]
pub struct Journal(pub journal::Model);

fields! {
    /// Where entries are kept by kind.
    impl Journal(journal::Model) {
        /// Stable id.
        id id;
        /// Unique code, e.g. `GEN`.
        text code;
        /// Name.
        text name;
        /// Sales, purchases, bank, cash or general.
        into kind: JournalKind;
    }
}

/// Draft or posted.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum JournalEntryStatus {
    /// Being prepared: no number, in no report.
    Draft,
    /// In the ledger: numbered, immutable, corrected only by a reversal.
    Posted,
}

impl From<journal_entry::EntryStatus> for JournalEntryStatus {
    fn from(s: journal_entry::EntryStatus) -> Self {
        match s {
            journal_entry::EntryStatus::Draft => Self::Draft,
            journal_entry::EntryStatus::Posted => Self::Posted,
        }
    }
}

impl From<JournalEntryStatus> for journal_entry::EntryStatus {
    fn from(s: JournalEntryStatus) -> Self {
        match s {
            JournalEntryStatus::Draft => Self::Draft,
            JournalEntryStatus::Posted => Self::Posted,
        }
    }
}

/// `JournalEntry.lines`: an entry's lines in order.
pub const ENTRY_LINES: Children<journal_line::Entity> = Children {
    fk: journal_line::Column::EntryId,
    sort: None,
};

/// A journal entry.
#[derive(Clone)]
pub struct JournalEntry(pub journal_entry::Model);

fields! {
    /// A posting of the general ledger (a draft until posted).
    impl JournalEntry(journal_entry::Model) {
        /// Stable id.
        id id;
        /// The gapless legal number (`JE-2026-000123`), given when posted; `null` for a draft.
        opt_text number;
        /// Draft or posted.
        into status: JournalEntryStatus;
        /// The accounting date.
        async fn date(&self) -> Date {
            Date(self.0.entry_date)
        }
        /// The fiscal year of its number (named by the year it starts in), once posted.
        value fiscal_year: Option<i32>;
        /// The journal it is kept in (`FORBIDDEN` without `finance.account.read`).
        one journal -> Journal = journal::Entity, journal_id;
        /// The source document's number or a free reference.
        opt_text reference;
        /// The kind of document that posted it (`invoice`, `payment`, …), `null` for a
        /// manual entry.
        opt_text source_entity;
        /// The id of that document.
        opt_id source_id;
        /// A note.
        opt_text memo;
        /// The entry this one reverses.
        one reversal_of -> JournalEntry = journal_entry::Entity, reversal_of_id;
        /// Σ debit (= Σ credit), in the company currency.
        async fn total(&self, ctx: &Context<'_>) -> Result<Money> {
            company_money(ctx, self.0.total_minor).await
        }
        /// When it was posted.
        value posted_at: Option<DateTime<Utc>>;
        /// Its lines, in order.
        children lines -> JournalLine = ENTRY_LINES;
        /// Optimistic-locking version.
        value version: i32;
    }
}

/// A line's amount in a foreign currency.
#[derive(SimpleObject)]
pub struct ForeignAmount {
    /// The amount in its currency, positive on a debit line, negative on a credit.
    pub amount: Money,
    /// Company currency per unit of the foreign currency.
    pub rate: Decimal,
}

/// A line of a journal entry.
#[derive(Clone)]
pub struct JournalLine(pub journal_line::Model);

fields! {
    /// One debit or credit of a journal entry.
    impl JournalLine(journal_line::Model) {
        /// Stable id.
        id id;
        /// 1-based position in the entry.
        value line_no: i32;
        /// The account (`FORBIDDEN` without `finance.account.read`).
        one account -> Account = account::Entity, account_id;
        /// Debit in the company currency (zero on a credit line).
        async fn debit(&self, ctx: &Context<'_>) -> Result<Money> {
            company_money(ctx, self.0.debit_minor).await
        }
        /// Credit in the company currency (zero on a debit line).
        async fn credit(&self, ctx: &Context<'_>) -> Result<Money> {
            company_money(ctx, self.0.credit_minor).await
        }
        /// The foreign amount and rate the line came from, `null` in the company currency.
        async fn foreign(&self, ctx: &Context<'_>) -> Result<Option<ForeignAmount>> {
            match (&self.0.currency, self.0.amount_currency_minor, self.0.rate_micros) {
                (Some(currency), Some(amount), Some(rate)) => Ok(Some(ForeignAmount {
                    amount: money(ctx, amount, currency).await?,
                    rate: Decimal::trimmed(rate, MICRO_SCALE),
                })),
                _ => Ok(None),
            }
        }
        /// The customer it concerns: `null` when none or you may not see it.
        one customer -> Customer = customer::Entity, customer_id;
        /// The supplier it concerns: `null` when none or you may not see it.
        one supplier -> Supplier = supplier::Entity, supplier_id;
        /// What the line is for.
        opt_text label;
    }
}

/// The ledger's settings.
#[derive(Clone)]
pub struct LedgerSettings(pub ledger_setting::Model);

fields! {
    /// The ledger's settings: fiscal year and lock dates.
    impl LedgerSettings(ledger_setting::Model) {
        /// The month fiscal years start in (1 = January).
        value fiscal_year_start_month: i32;
        /// Nobody posts on or before this date.
        async fn lock_date(&self) -> Option<Date> {
            self.0.lock_date.map(Date)
        }
        /// Users without `finance.period.lock` post only after this date.
        async fn user_lock_date(&self) -> Option<Date> {
            self.0.user_lock_date.map(Date)
        }
        /// Where document taxes are rounded.
        async fn tax_rounding(&self) -> TaxRounding {
            if self.0.tax_rounding == taxes::PER_DOCUMENT {
                TaxRounding::PerDocument
            } else {
                TaxRounding::PerLine
            }
        }
        /// How amounts exactly halfway round.
        async fn rounding_mode(&self) -> RoundingMode {
            if self.0.rounding_mode == taxes::HALF_EVEN {
                RoundingMode::HalfEven
            } else {
                RoundingMode::HalfUp
            }
        }
        /// Document totals are rounded to a multiple of this (the currency's smallest unit:
        /// no cash rounding).
        async fn cash_increment(&self, ctx: &Context<'_>) -> Result<Money> {
            company_money(ctx, self.0.cash_increment_minor).await
        }
        /// Optimistic-locking version.
        value version: i32;
    }
}

/// Where a document's taxes are rounded (a tenant policy: tax authorities differ).
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum TaxRounding {
    /// Each line's tax is rounded, then summed.
    PerLine,
    /// Each tax code's exact sum is rounded once per document.
    PerDocument,
}

impl TaxRounding {
    /// The stored value.
    pub fn stored(self) -> &'static str {
        match self {
            Self::PerLine => taxes::PER_LINE,
            Self::PerDocument => taxes::PER_DOCUMENT,
        }
    }
}

/// How an amount exactly halfway between two minor units rounds.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum RoundingMode {
    /// Away from zero: 2.5 → 3 (the default).
    HalfUp,
    /// To even ("banker's"): 2.5 → 2, 3.5 → 4.
    HalfEven,
}

impl RoundingMode {
    /// The stored value.
    pub fn stored(self) -> &'static str {
        match self {
            Self::HalfUp => taxes::HALF_UP,
            Self::HalfEven => taxes::HALF_EVEN,
        }
    }
}
