//! Pure tax engine: turns a priced document (lines, tax codes, discounts, tenant rounding
//! policy) into the amounts an invoice prints and a VAT return reports.
//!
//! It owns *every* rounding decision of a sales or purchase document, so that the order, the
//! invoice and the ledger never compute the same figure twice in two different ways (the
//! root of the one-cent bugs of Odoo, ERPNext and Saleor that `golden.rs` reproduces). It does
//! no I/O and knows nothing of tenants or storage: callers look tax codes up and pass them in.
//!
//! Invariants kept by [`compute`]:
//! - Integer and rational arithmetic only, no floats. Money is `i64` minor units; quantities,
//!   prices, rates and percentages are `i64` scaled by 10^6. Products are formed in `i128`
//!   and every figure is rounded **once**, from its exact rational value, at a defined point.
//! - `net_minor + tax_minor + rounding_minor == total_minor`, always (debug-asserted and
//!   property-tested), with `net_minor` = Σ line nets and `tax_minor` = Σ per-code amounts.
//! - Inclusive (shelf) prices are honoured exactly: the customer pays the sum of the shelf
//!   prices, whatever the rounding level; any difference is shown in `rounding_minor`.
//! - Every input is validated and every overflow is an error ([`TaxError::TooLarge`]); the
//!   engine never panics on caller data.

mod compute;
mod error;
mod ratio;
mod validate;

#[cfg(test)]
mod golden;
#[cfg(test)]
mod props;
#[cfg(test)]
mod tests;

use chrono::NaiveDate;

pub use compute::compute;
pub use error::TaxError;

/// Largest accepted |quantity| and |unit price|, in micros (10^10 units).
pub const MAX_INPUT_MICROS: i64 = 10_000_000_000_000_000;
/// Largest |amount| any result may reach, in minor units; beyond it [`compute`] refuses
/// rather than risk an overflow further down the line (ledgers sum these amounts).
pub const MAX_MINOR: i64 = 10_000_000_000_000_000;
/// Largest accepted tax rate, in micros of a percent (1000 %). No real tax comes close; the
/// bound keeps exact intermediate products inside `i128`.
pub const MAX_RATE_MICROS: i64 = 1_000_000_000;
/// 100 % in micros: the upper bound of a line discount.
pub const HUNDRED_PERCENT_MICROS: i64 = 100_000_000;
/// Most decimals a currency may have; 10^6 keeps `10^digits × micros` products in range.
pub const MAX_DIGITS: u32 = 6;

/// How a value exactly halfway between two minor units is rounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum RoundingMode {
    /// Half away from zero ("commercial" rounding): 2.5 → 3, −2.5 → −3.
    #[default]
    HalfUp,
    /// Half to even ("banker's" rounding): 2.5 → 2, 3.5 → 4, −2.5 → −2.
    HalfEven,
}

/// Where taxes are rounded: a tenant policy, because tax authorities differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum RoundingLevel {
    /// Each line's tax is rounded; a document's tax per code is the sum of those.
    #[default]
    PerLine,
    /// Each code's tax is summed exactly over the document and rounded once.
    PerDocument,
}

/// A tenant's rounding policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Policy {
    /// Per line or per document (see [`RoundingLevel`]).
    pub level: RoundingLevel,
    /// Tie-breaking for every rounding, including cash rounding.
    pub mode: RoundingMode,
    /// Cash rounding step of the total, in minor units: 1 = none, 5 = CHF 0.05.
    pub cash_increment_minor: i64,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            level: RoundingLevel::PerLine,
            mode: RoundingMode::HalfUp,
            cash_increment_minor: 1,
        }
    }
}

/// What a tax code means for reporting; exempt and zero-rated both charge nothing, but a VAT
/// return reports them in different boxes (zero-rated supplies keep the right to deduct).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TaxKind {
    /// A taxed supply at `rate_micros` (which may itself be any rate ≥ 0).
    Standard,
    /// Taxable at 0 %; the rate must be 0.
    ZeroRated,
    /// Outside the tax; the rate must be 0 and no other tax may apply to the line.
    Exempt,
}

/// One tax as it applies on a given line, resolved by the caller from its tax tables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaxCode {
    /// Identifier; the document aggregates per code, so one code must mean one thing.
    pub code: String,
    /// Rate in micros of a percent: 20 % = 20_000_000.
    pub rate_micros: i64,
    /// Reporting kind.
    pub kind: TaxKind,
    /// The line price already contains this tax (shelf price).
    pub inclusive: bool,
    /// Levied on the net plus the line's earlier taxes (tax on tax) instead of the net.
    pub compound: bool,
    /// First day the code may be used.
    pub valid_from: NaiveDate,
    /// Last day (inclusive) the code may be used; `None` = open-ended.
    pub valid_to: Option<NaiveDate>,
}

/// One document line as entered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// Quantity in micros; negative for returns.
    pub quantity_micros: i64,
    /// Unit price in micros of a currency unit (net, or gross if the taxes are inclusive).
    pub unit_price_micros: i64,
    /// Line discount in micros of a percent, 0..=100 %.
    pub discount_micros: i64,
    /// Taxes in application order (matters for compound taxes).
    pub taxes: Vec<TaxCode>,
}

/// A document to compute: an order, an invoice, a credit note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// Date that decides which tax codes are valid.
    pub date: NaiveDate,
    /// Decimals of the document currency (JPY 0, EUR 2, KWD 3), at most [`MAX_DIGITS`].
    pub digits: u32,
    /// The tenant's rounding policy.
    pub policy: Policy,
    /// At least one line.
    pub lines: Vec<Line>,
    /// Document-level discount in minor units, ≥ 0, spread over the lines before tax.
    pub discount_minor: i64,
}

/// The computed document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Totals {
    /// One entry per input line, same order.
    pub lines: Vec<LineTotals>,
    /// One entry per tax code, in first-use order (line order, then tax order).
    pub taxes: Vec<TaxTotal>,
    /// Σ line nets.
    pub net_minor: i64,
    /// Σ `taxes[].amount_minor`.
    pub tax_minor: i64,
    /// Inclusive-price reconciliation (per-document level) plus cash rounding.
    pub rounding_minor: i64,
    /// What the customer pays: `net_minor + tax_minor + rounding_minor`.
    pub total_minor: i64,
}

/// One computed line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineTotals {
    /// `qty × price × (1 − discount)` rounded once, before the document discount: the net
    /// for exclusive prices, the gross (shelf) amount for inclusive prices.
    pub amount_minor: i64,
    /// This line's share of the document discount (subtracted from `amount_minor`).
    pub document_discount_minor: i64,
    /// Net of the line after all discounts.
    pub net_minor: i64,
    /// Taxes of the line, rounded per line, in application order.
    pub taxes: Vec<LineTax>,
    /// `net_minor + Σ taxes[].amount_minor`.
    pub total_minor: i64,
}

/// One tax on one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineTax {
    /// Tax code.
    pub code: String,
    /// Base: the line net, plus earlier shown taxes for a compound tax.
    pub base_minor: i64,
    /// Tax amount rounded on this line.
    pub amount_minor: i64,
}

/// One tax code summed over the document, as a tax return needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaxTotal {
    /// Tax code.
    pub code: String,
    /// Reporting kind.
    pub kind: TaxKind,
    /// Rate in micros of a percent.
    pub rate_micros: i64,
    /// Σ line bases.
    pub base_minor: i64,
    /// Σ line amounts (per line) or the once-rounded exact sum (per document).
    pub amount_minor: i64,
}
