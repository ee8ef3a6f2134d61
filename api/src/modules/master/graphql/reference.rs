//! `currencies`, `exchangeRates`, `setExchangeRate`, `units`, `taxRates`, `createTaxRate`.

use async_graphql::{Context, InputObject, Object, Result};

use crate::authz::Require;
use crate::authz::catalog::{DATA_READ, DATA_WRITE};
use crate::error::GqlResult;
use crate::graphql::connection::{Page, PageArgs};
use crate::graphql::context::ContextExt;
use crate::graphql::pagination::list_complexity;
use crate::graphql::resolve::{list, write};
use crate::graphql::scalars::{Date, Decimal};
use crate::modules::master::graphql::types::{
    Currency, ExchangeRate, TaxKind, TaxRate, UnitOfMeasure,
};
use crate::modules::master::service::reference::{self, NewTaxRate};

/// Reference data queries.
#[derive(Default)]
pub struct ReferenceQuery;

#[Object]
impl ReferenceQuery {
    /// The tenant's currencies, by code (a short fixed list, so not paged).
    #[graphql(guard = "Require(DATA_READ)")]
    async fn currencies(&self, ctx: &Context<'_>) -> Result<Vec<Currency>> {
        let req = ctx.request()?;
        let db = req.tenant_db().await.gql()?;
        Ok(reference::currencies(db.conn(), req.access().gql()?)
            .await
            .gql()?
            .into_iter()
            .map(Currency)
            .collect())
    }

    /// The dated exchange rates of a currency into the base currency, oldest first.
    #[graphql(
        guard = "Require(DATA_READ)",
        complexity = "list_complexity(child_complexity, first, last)"
    )]
    async fn exchange_rates(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "ISO 4217 code.")] currency: String,
        #[graphql(desc = "Page size from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor to continue after.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Cursor to continue before.")] before: Option<String>,
    ) -> Result<Page<ExchangeRate>> {
        let req = ctx.request()?;
        let query = reference::exchange_rates(req.access().gql()?, &currency);
        let args = PageArgs::new(ctx, first, after, last, before);
        list(ctx, query, args, ExchangeRate).await
    }

    /// Units of measure (a short fixed list, so not paged).
    #[graphql(guard = "Require(DATA_READ)")]
    async fn units(&self, ctx: &Context<'_>) -> Result<Vec<UnitOfMeasure>> {
        let req = ctx.request()?;
        let db = req.tenant_db().await.gql()?;
        Ok(reference::units(db.conn(), req.access().gql()?)
            .await
            .gql()?
            .into_iter()
            .map(UnitOfMeasure)
            .collect())
    }

    /// Tax rates, oldest first.
    #[graphql(
        guard = "Require(DATA_READ)",
        complexity = "list_complexity(child_complexity, first, last)"
    )]
    async fn tax_rates(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor to continue after.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Cursor to continue before.")] before: Option<String>,
    ) -> Result<Page<TaxRate>> {
        let req = ctx.request()?;
        let query = reference::tax_rates(req.access().gql()?);
        let args = PageArgs::new(ctx, first, after, last, before);
        list(ctx, query, args, TaxRate).await
    }
}

/// Reference data mutations.
#[derive(Default)]
pub struct ReferenceMutation;

#[Object]
impl ReferenceMutation {
    /// Sets a currency's rate into the base currency from a date on (replacing a rate set for
    /// that same date).
    #[graphql(guard = "Require(DATA_WRITE)")]
    async fn set_exchange_rate(
        &self,
        ctx: &Context<'_>,
        input: SetExchangeRateInput,
    ) -> Result<ExchangeRate> {
        let row = write(ctx, |w| {
            Box::pin(async move {
                reference::set_exchange_rate(
                    w,
                    &input.currency,
                    input.rate.as_str(),
                    input.valid_from.0,
                )
                .await
            })
        })
        .await?;
        Ok(ExchangeRate(row))
    }

    /// Creates a tax rate.
    #[graphql(guard = "Require(DATA_WRITE)")]
    async fn create_tax_rate(
        &self,
        ctx: &Context<'_>,
        input: CreateTaxRateInput,
    ) -> Result<TaxRate> {
        let row = write(ctx, |w| {
            Box::pin(async move {
                reference::create_tax_rate(
                    w,
                    NewTaxRate {
                        code: input.code,
                        name: input.name,
                        rate: input.rate.as_str().to_owned(),
                        inclusive: input.inclusive,
                        valid_from: input.valid_from.0,
                        valid_to: input.valid_to.map(|d| d.0),
                        kind: input.kind.into(),
                        compound: input.compound,
                    },
                )
                .await
            })
        })
        .await?;
        Ok(TaxRate(row))
    }
}

/// Input of `setExchangeRate`.
#[derive(InputObject)]
pub struct SetExchangeRateInput {
    /// The currency (not the base currency).
    pub currency: String,
    /// Units of the base currency per unit of the currency, at most 6 decimals.
    pub rate: Decimal,
    /// First day the rate applies.
    pub valid_from: Date,
}

/// Input of `createTaxRate`.
#[derive(InputObject)]
pub struct CreateTaxRateInput {
    /// Unique code, e.g. `VAT20`.
    pub code: String,
    /// Name.
    pub name: String,
    /// Percentage, e.g. `20` or `7.5`.
    pub rate: Decimal,
    /// Whether prices with this tax include it.
    #[graphql(default)]
    pub inclusive: bool,
    /// First day of validity.
    pub valid_from: Date,
    /// Last day of validity.
    pub valid_to: Option<Date>,
    /// Standard (default), zero-rated or exempt; the last two have the rate 0.
    #[graphql(default_with = "TaxKind::Standard")]
    pub kind: TaxKind,
    /// Levied on the price plus the line's earlier taxes (default false).
    #[graphql(default)]
    pub compound: bool,
}
