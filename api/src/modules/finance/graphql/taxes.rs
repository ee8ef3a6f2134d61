//! `computeTaxes`: a document's net, taxes, rounding and total computed by the tax engine with
//! the tenant's tax rates and rounding policy, exactly as a posted invoice will be.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};

use crate::authz::Require;
use crate::authz::catalog::DATA_READ;
use crate::error::{AppError, GqlResult};
use crate::graphql::context::ContextExt;
use crate::graphql::parse_id;
use crate::graphql::scalars::{Date, Decimal, Money};
use crate::modules::finance::service::taxes::{self, DocumentInput, LineInput};
use crate::modules::master::graphql::types::TaxKind;
use crate::money::MICRO_SCALE;

/// A line of `computeTaxes`.
#[derive(InputObject)]
pub struct TaxLineInput {
    /// Quantity, e.g. `"2.5"` (negative for a return).
    pub quantity: Decimal,
    /// Price per unit in the document's currency (including the taxes when they are
    /// inclusive).
    pub unit_price: Decimal,
    /// Line discount in percent, e.g. `"10"`.
    pub discount: Option<Decimal>,
    /// The tax rates applied, in order (a compound rate is levied on the earlier ones too).
    #[graphql(default)]
    pub tax_rate_ids: Vec<ID>,
}

/// Input of `computeTaxes`.
#[derive(InputObject)]
pub struct ComputeTaxesInput {
    /// The document's date: each tax rate must be valid on it.
    pub date: Date,
    /// The document's currency.
    pub currency: String,
    /// At most 1,000 lines.
    pub lines: Vec<TaxLineInput>,
    /// A discount on the whole document, spread over the lines by their amounts (the
    /// leftover minor unit on the largest line).
    pub discount: Option<Decimal>,
}

/// One tax of one line.
#[derive(SimpleObject)]
pub struct LineTaxAmount {
    /// The tax rate's code.
    pub code: String,
    /// The amount it was levied on.
    pub base: Money,
    /// The tax.
    pub amount: Money,
}

/// A line's figures.
#[derive(SimpleObject)]
pub struct TaxedLine {
    /// Quantity × price less the line discount (gross for inclusive prices).
    pub amount: Money,
    /// Its share of the document discount.
    pub document_discount: Money,
    /// Net of tax, after discounts.
    pub net: Money,
    /// Its taxes (rounded per line).
    pub taxes: Vec<LineTaxAmount>,
    /// Net plus its taxes.
    pub total: Money,
}

/// A tax code's total on the document.
#[derive(SimpleObject)]
pub struct TaxAmount {
    /// The tax rate's code.
    pub code: String,
    /// Standard, zero-rated or exempt.
    pub kind: TaxKind,
    /// The rate in percent.
    pub rate: Decimal,
    /// Σ of the amounts it was levied on.
    pub base: Money,
    /// The tax, rounded by the tenant's policy.
    pub amount: Money,
}

/// A document's figures: `net + tax + rounding = total`, exactly.
#[derive(SimpleObject)]
pub struct TaxComputation {
    /// Per line.
    pub lines: Vec<TaxedLine>,
    /// Per tax code, in first-use order.
    pub taxes: Vec<TaxAmount>,
    /// Σ line nets.
    pub net: Money,
    /// Σ taxes.
    pub tax: Money,
    /// What reconciles rounded figures with the shelf prices, plus cash rounding.
    pub rounding: Money,
    /// What the customer pays.
    pub total: Money,
}

/// Tax queries.
#[derive(Default)]
pub struct TaxesQuery;

#[Object]
impl TaxesQuery {
    /// Computes a document's taxes and totals with the tenant's tax rates and rounding policy
    /// (what an invoice of these lines will show); writes nothing.
    #[graphql(guard = "Require(DATA_READ)")]
    async fn compute_taxes(
        &self,
        ctx: &Context<'_>,
        input: ComputeTaxesInput,
    ) -> Result<TaxComputation> {
        let lines = input
            .lines
            .into_iter()
            .enumerate()
            .map(|(i, l)| {
                let ids = l
                    .tax_rate_ids
                    .iter()
                    .enumerate()
                    .map(|(j, id)| parse_id(id, &format!("input.lines[{i}].taxRateIds[{j}]")))
                    .collect::<Result<_, AppError>>()?;
                Ok(LineInput {
                    quantity: l.quantity.as_str().to_owned(),
                    unit_price: l.unit_price.as_str().to_owned(),
                    discount: l.discount.map(|d| d.as_str().to_owned()),
                    tax_rate_ids: ids,
                })
            })
            .collect::<Result<Vec<_>, AppError>>()
            .gql()?;
        let document = DocumentInput {
            date: input.date.0,
            currency: input.currency,
            lines,
            discount: input.discount.map(|d| d.as_str().to_owned()),
        };
        let req = ctx.request()?;
        let db = req.tenant_db().await.gql()?;
        let (totals, currency, digits) = taxes::compute(db.conn(), &document).await.gql()?;
        let money = |minor: i64| Money::new(minor, &currency, digits);
        Ok(TaxComputation {
            lines: totals
                .lines
                .iter()
                .map(|l| TaxedLine {
                    amount: money(l.amount_minor),
                    document_discount: money(l.document_discount_minor),
                    net: money(l.net_minor),
                    taxes: l
                        .taxes
                        .iter()
                        .map(|t| LineTaxAmount {
                            code: t.code.clone(),
                            base: money(t.base_minor),
                            amount: money(t.amount_minor),
                        })
                        .collect(),
                    total: money(l.total_minor),
                })
                .collect(),
            taxes: totals
                .taxes
                .iter()
                .map(|t| TaxAmount {
                    code: t.code.clone(),
                    kind: match t.kind {
                        tax::TaxKind::Standard => TaxKind::Standard,
                        tax::TaxKind::ZeroRated => TaxKind::ZeroRated,
                        tax::TaxKind::Exempt => TaxKind::Exempt,
                    },
                    rate: Decimal::trimmed(t.rate_micros, MICRO_SCALE),
                    base: money(t.base_minor),
                    amount: money(t.amount_minor),
                })
                .collect(),
            net: money(totals.net_minor),
            tax: money(totals.tax_minor),
            rounding: money(totals.rounding_minor),
            total: money(totals.total_minor),
        })
    }
}
