//! `accounts`, `account`, `journals`, `ledgerSettings`, `createAccount`, `archiveAccount`,
//! `lockPeriod`.

use async_graphql::{Context, ID, InputObject, Object, Result};
use entities::finance::{account, journal, ledger_setting};

use crate::authz::Require;
use crate::authz::catalog::{ACCOUNT_READ, ACCOUNT_WRITE, PERIOD_LOCK, SETTINGS_WRITE};
use crate::error::{AppError, GqlResult};
use crate::graphql::context::ContextExt;
use crate::graphql::edit::filter_input;
use crate::graphql::parse_opt_id;
use crate::graphql::resolve::{by_id, list, mutations, queries, write};
use crate::graphql::scalars::{Date, Decimal};
use crate::kit::resource::visible;
use crate::modules::finance::graphql::types::{
    Account, AccountKind, Journal, LedgerSettings, RoundingMode, TaxRounding,
};
use crate::modules::finance::service::accounts::{self, AccountFilter, NewAccount};
use crate::modules::finance::service::periods::{self, SettingsPatch};

/// Chart of accounts queries.
#[derive(Default)]
pub struct AccountsQuery;

queries! { AccountsQuery, guard = "Require(ACCOUNT_READ)";
    /// The chart of accounts, in creation order (the template's accounts first); filter by
    /// kind, group, parent or archived.
    list accounts(
        #[graphql(desc = "Which accounts.")] filter: Option<AccountFilterInput>,
    ) -> Account |ctx, args| {
        let req = ctx.request()?;
        let filter = AccountFilterInput::service(filter).gql()?;
        let query = accounts::visible(req.access().gql()?, &filter);
        list(ctx, query, args, Account).await
    }

    /// One account, or `null`.
    field account(#[graphql(desc = "The account's id.")] id: ID) -> Option<Account> |ctx| {
        Ok(by_id::<account::Entity>(ctx, &id).await?.map(Account))
    }

    /// The journals entries are kept in.
    list journals() -> Journal |ctx, args| {
        let req = ctx.request()?;
        let query = visible::<journal::Entity>(req.access().gql()?);
        list(ctx, query, args, Journal).await
    }

    /// The ledger's settings: fiscal year start and lock dates.
    field ledger_settings() -> LedgerSettings |ctx| {
        let req = ctx.request()?;
        let db = req.tenant_db().await.gql()?;
        let row = visible::<ledger_setting::Entity>(req.access().gql()?)
            .gql()?
            .one(db.conn())
            .await
            .map_err(AppError::from)
            .gql()?
            .ok_or_else(|| AppError::Internal("the ledger has no settings row".into()))
            .gql()?;
        Ok(LedgerSettings(row))
    }
}

filter_input! {
    /// Which accounts `accounts` lists.
    AccountFilterInput => AccountFilter;
    /// Only these kinds.
    any kind: AccountKind;
    /// Group accounts (true) or accounts taking postings (false) only.
    one is_group: bool;
    /// Active (true) or archived (false) only.
    one is_active: bool;
    /// Direct children of one group.
    one parent_id: ID;
}

/// Input of `createAccount`.
#[derive(InputObject)]
pub struct CreateAccountInput {
    /// Your id for the new account (UUID), to repeat the call safely.
    pub id: Option<ID>,
    /// Unique code: letters, digits, `.` and `-`, at most 20.
    pub code: String,
    /// Name.
    pub name: String,
    /// Its kind: required at the top of the chart, else its group's (given or not).
    pub kind: Option<AccountKind>,
    /// The group it goes under.
    pub parent_id: Option<ID>,
    /// A group holds accounts and takes no postings (default false).
    #[graphql(default)]
    pub is_group: bool,
}

/// Input of `lockPeriod`.
#[derive(InputObject)]
pub struct LockPeriodInput {
    /// Nobody posts on or before this date (`null`: no lock for everyone).
    pub lock_date: Option<Date>,
    /// Users without `finance.period.lock` post only after this date, on or after
    /// `lockDate` (`null`: none).
    pub user_lock_date: Option<Date>,
}

/// Input of `updateLedgerSettings`: the fields to change (omitted: unchanged).
#[derive(InputObject)]
pub struct UpdateLedgerSettingsInput {
    /// The month fiscal years start in (1 = January); fixed once an entry is posted.
    pub fiscal_year_start_month: Option<i32>,
    /// Where document taxes are rounded.
    pub tax_rounding: Option<TaxRounding>,
    /// How halves round.
    pub rounding_mode: Option<RoundingMode>,
    /// The cash rounding step of document totals in the company currency, e.g. `"0.05"`
    /// (`"0.01"` for a two-decimal currency: none).
    pub cash_increment: Option<Decimal>,
    /// The version you last read.
    pub expected_version: i32,
}

/// Chart of accounts mutations.
#[derive(Default)]
pub struct AccountsMutation;

#[Object]
impl AccountsMutation {
    /// Adds an account to the chart. Repeating it with the same `id` and content returns
    /// the same account; a code another account has is a `CONFLICT`.
    #[graphql(guard = "Require(ACCOUNT_WRITE)")]
    async fn create_account(
        &self,
        ctx: &Context<'_>,
        input: CreateAccountInput,
    ) -> Result<Account> {
        let id = parse_opt_id(input.id.as_ref(), "input.id").gql()?;
        let parent_id = parse_opt_id(input.parent_id.as_ref(), "input.parentId").gql()?;
        let new = NewAccount {
            code: input.code,
            name: input.name,
            kind: input.kind.map(Into::into),
            parent_id,
            is_group: input.is_group,
        };
        let row = write(ctx, |w| Box::pin(accounts::create(w, id, new))).await?;
        Ok(Account(row))
    }

    /// Changes the ledger's settings (audited as `update`); a stale `expectedVersion` is a
    /// `CONFLICT`, a new fiscal year start once entries are posted a `BUSINESS_RULE` error
    /// (`ledger.fiscal_year_fixed`).
    #[graphql(guard = "Require(SETTINGS_WRITE)")]
    async fn update_ledger_settings(
        &self,
        ctx: &Context<'_>,
        input: UpdateLedgerSettingsInput,
    ) -> Result<LedgerSettings> {
        let patch = SettingsPatch {
            fiscal_year_start_month: input.fiscal_year_start_month,
            tax_rounding: input.tax_rounding.map(TaxRounding::stored),
            rounding_mode: input.rounding_mode.map(RoundingMode::stored),
            cash_increment: input.cash_increment.map(|d| d.as_str().to_owned()),
        };
        let version = input.expected_version;
        let row = write(ctx, |w| {
            Box::pin(periods::update_settings(w, patch, version))
        })
        .await?;
        Ok(LedgerSettings(row))
    }

    /// Sets the lock dates (audited as `lock`). No posting is dated on or before
    /// `lockDate`, and only accountants on or before `userLockDate`
    /// (`BUSINESS_RULE ledger.period_locked`).
    #[graphql(guard = "Require(PERIOD_LOCK)")]
    async fn lock_period(
        &self,
        ctx: &Context<'_>,
        input: LockPeriodInput,
    ) -> Result<LedgerSettings> {
        let (all, users) = (
            input.lock_date.map(|d| d.0),
            input.user_lock_date.map(|d| d.0),
        );
        let row = write(ctx, |w| Box::pin(periods::lock_period(w, all, users))).await?;
        Ok(LedgerSettings(row))
    }
}

/// Archiving accounts.
#[derive(Default)]
pub struct AccountArchiveMutation;

mutations! { AccountArchiveMutation => Account, guard = "Require(ACCOUNT_WRITE)", id = "The account's id.";
    /// Archives an account (audited as `archive`): its lines stay, new postings to it are
    /// refused. A control account (with a `role`) stays active (`ledger.control_account`).
    by_id archive_account() |w, id| accounts::archive(w, id);
}
