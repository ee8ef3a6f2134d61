//! The computation: validate, price each line, spread the document discount, tax each line,
//! aggregate per code, reconcile inclusive prices, cash-round.
//!
//! Every tax is carried twice: the figure *shown* on its line (rounded there) and the
//! *exact* rational the document sums per code. Per line, the exact value is the shown one,
//! so one aggregation rule (round the exact per-code sum once) serves both levels.

use crate::ratio::Ratio;
use crate::validate::{validate_document, validate_line};
use crate::{
    Document, HUNDRED_PERCENT_MICROS, Line, LineTax, LineTotals, MAX_MINOR, RoundingLevel,
    RoundingMode, TaxCode, TaxError, TaxTotal, Totals,
};

/// A rate in micros of a percent over this is the fraction: 20_000_000 / 10^8 = 0.2.
const RATE_DEN: i128 = 100_000_000;
/// Micros × micros (quantity × unit price) over this is currency units.
const QTY_PRICE_DEN: i128 = 1_000_000_000_000;

/// A tax code seen in the document, with its per-document accumulators.
struct CodeEntry<'a> {
    tax: &'a TaxCode,
    first_line: usize,
    base: i128,
    exact: Ratio,
}

/// One tax of one line: base and amount as shown, and the exact value the document sums.
struct TaxWork {
    base: i128,
    shown: i128,
    exact: Ratio,
}

/// Computes a document's totals; see the crate documentation for the invariants.
///
/// Per-document rounding: a code's document amount is the exact sum over lines rounded
/// once, so Σ `taxes[].amount_minor` may differ from Σ of the line taxes, and the lines'
/// `total_minor` may not add up to the document's. Per line they always do (up to cash
/// rounding, which only `rounding_minor` carries).
pub fn compute(doc: &Document) -> Result<Totals, TaxError> {
    validate_document(doc)?;
    let mode = doc.policy.mode;

    let mut codes: Vec<CodeEntry<'_>> = Vec::new();
    let mut line_codes = Vec::with_capacity(doc.lines.len());
    let mut amounts = Vec::with_capacity(doc.lines.len());
    for (i, line) in doc.lines.iter().enumerate() {
        let n = i + 1;
        validate_line(doc, n, line)?;
        line_codes.push(register(&mut codes, n, line)?);
        let amount = line_amount(line, doc.digits, mode)
            .filter(|a| a.unsigned_abs() <= u128::from(MAX_MINOR.unsigned_abs()))
            .ok_or(TaxError::TooLarge { line: Some(n) })?;
        amounts.push(amount);
    }
    let shares = spread_discount(doc.discount_minor, &amounts)?;

    let mut lines = Vec::with_capacity(doc.lines.len());
    let (mut net_sum, mut inclusive_gross_minus_net) = (0i128, 0i128);
    for (i, line) in doc.lines.iter().enumerate() {
        let n = i + 1;
        let too_large = TaxError::TooLarge { line: Some(n) };
        let after_discount = amounts[i] - shares[i];
        let inclusive = line.taxes.first().is_some_and(|t| t.inclusive);
        let (net, taxes) = if inclusive {
            inclusive_taxes(after_discount, &line.taxes, doc.policy.level, mode)
        } else {
            exclusive_taxes(after_discount, &line.taxes, doc.policy.level, mode)
        }
        .ok_or_else(|| too_large.clone())?;

        let mut shown = Vec::with_capacity(taxes.len());
        let mut line_tax = 0i128;
        for (work, &code) in taxes.iter().zip(&line_codes[i]) {
            let entry = &mut codes[code];
            entry.base += work.base;
            entry.exact = entry
                .exact
                .checked_add(work.exact)
                .ok_or_else(|| too_large.clone())?;
            line_tax += work.shown;
            shown.push(LineTax {
                code: entry.tax.code.clone(),
                base_minor: minor(work.base, Some(n))?,
                amount_minor: minor(work.shown, Some(n))?,
            });
        }
        net_sum += net;
        if inclusive {
            inclusive_gross_minus_net += after_discount - net;
        }
        lines.push(LineTotals {
            amount_minor: minor(amounts[i], Some(n))?,
            document_discount_minor: minor(shares[i], Some(n))?,
            net_minor: minor(net, Some(n))?,
            taxes: shown,
            total_minor: minor(net + line_tax, Some(n))?,
        });
    }

    let mut taxes = Vec::with_capacity(codes.len());
    let (mut tax_sum, mut inclusive_tax) = (0i128, 0i128);
    for entry in &codes {
        // Per line `exact` holds the shown (integer) amounts, so this rounds nothing there.
        let amount = entry.exact.round(mode);
        tax_sum += amount;
        if entry.tax.inclusive {
            inclusive_tax += amount;
        }
        taxes.push(TaxTotal {
            code: entry.tax.code.clone(),
            kind: entry.tax.kind,
            rate_micros: entry.tax.rate_micros,
            base_minor: minor(entry.base, None)?,
            amount_minor: minor(amount, None)?,
        });
    }

    // Inclusive lines must cost exactly their shelf prices: whatever separately rounded nets
    // and per-code taxes lose or gain against Σ gross is booked here, not hidden in a tax.
    // Exclusive codes never appear on inclusive lines (validated), so this is exact.
    let mut rounding = inclusive_gross_minus_net - inclusive_tax;
    debug_assert!(doc.policy.level == RoundingLevel::PerDocument || rounding == 0);
    let mut total = net_sum + tax_sum + rounding;
    let increment = i128::from(doc.policy.cash_increment_minor);
    if increment > 1 {
        let cash = Ratio::new(total, increment)
            .ok_or(TaxError::TooLarge { line: None })?
            .round(mode)
            * increment;
        rounding += cash - total;
        total = cash;
    }
    debug_assert_eq!(net_sum + tax_sum + rounding, total);

    Ok(Totals {
        lines,
        taxes,
        net_minor: minor(net_sum, None)?,
        tax_minor: minor(tax_sum, None)?,
        rounding_minor: minor(rounding, None)?,
        total_minor: minor(total, None)?,
    })
}

/// An `i128` result as `i64` minor units within ±[`MAX_MINOR`].
fn minor(v: i128, line: Option<usize>) -> Result<i64, TaxError> {
    i64::try_from(v)
        .ok()
        .filter(|v| v.unsigned_abs() <= MAX_MINOR.unsigned_abs())
        .ok_or(TaxError::TooLarge { line })
}

/// Records the line's codes in first-use order and returns their indices. A code must mean
/// the same on every line, or its per-document sum would mix two taxes under one name.
fn register<'a>(
    codes: &mut Vec<CodeEntry<'a>>,
    n: usize,
    line: &'a Line,
) -> Result<Vec<usize>, TaxError> {
    let mut indices = Vec::with_capacity(line.taxes.len());
    for tax in &line.taxes {
        match codes.iter().position(|c| c.tax.code == tax.code) {
            Some(i) => {
                let known = codes[i].tax;
                if (
                    known.rate_micros,
                    known.kind,
                    known.inclusive,
                    known.compound,
                ) != (tax.rate_micros, tax.kind, tax.inclusive, tax.compound)
                {
                    return Err(TaxError::InconsistentTaxCode {
                        code: tax.code.clone(),
                        first_line: codes[i].first_line,
                        line: n,
                    });
                }
                indices.push(i);
            }
            None => {
                indices.push(codes.len());
                codes.push(CodeEntry {
                    tax,
                    first_line: n,
                    base: 0,
                    exact: Ratio::ZERO,
                });
            }
        }
    }
    Ok(indices)
}

/// Rule 1: `qty × price × (1 − discount)` in minor units, rounded once.
fn line_amount(line: &Line, digits: u32, mode: RoundingMode) -> Option<i128> {
    // |qty|, |price| ≤ 10^16, so the product (≤ 10^32) cannot overflow i128.
    let qty_price = i128::from(line.quantity_micros) * i128::from(line.unit_price_micros);
    let kept = i128::from(HUNDRED_PERCENT_MICROS - line.discount_micros);
    let exact = Ratio::new(qty_price, QTY_PRICE_DEN)?
        .checked_mul(Ratio::new(kept, i128::from(HUNDRED_PERCENT_MICROS))?)?
        .checked_mul(Ratio::int(10i128.pow(digits)))?;
    Some(exact.round(mode))
}

/// Rule 2: the document discount in proportion to the line amounts, each share rounded
/// down, the leftover to the largest line (the first of equals) so the shares sum exactly.
fn spread_discount(discount: i64, amounts: &[i128]) -> Result<Vec<i128>, TaxError> {
    let mut shares = vec![0i128; amounts.len()];
    if discount == 0 {
        return Ok(shares);
    }
    let total: i128 = amounts.iter().sum();
    let lines_minor = i64::try_from(total).unwrap_or(i64::MAX);
    if total <= 0 {
        return Err(TaxError::DocumentDiscountWithoutPositiveTotal {
            discount_minor: discount,
            lines_minor,
        });
    }
    let d = i128::from(discount);
    if d > total {
        return Err(TaxError::DocumentDiscountTooLarge {
            discount_minor: discount,
            lines_minor,
        });
    }
    // d ≤ 9.3·10^18 and |amount| ≤ 10^16: the product fits i128. A return line (negative
    // amount) gets a negative share: the discount is a fraction of the signed document.
    let mut largest = 0;
    for (i, &a) in amounts.iter().enumerate() {
        shares[i] = (d * a).div_euclid(total);
        if a > amounts[largest] {
            largest = i;
        }
    }
    shares[largest] += d - shares.iter().sum::<i128>();
    Ok(shares)
}

fn rate(tax: &TaxCode) -> Option<Ratio> {
    Ratio::new(i128::from(tax.rate_micros), RATE_DEN)
}

/// Rule 3: taxes on a net. Per line, a compound tax's base is the net plus the earlier
/// *rounded* taxes (what the invoice prints); per document, the exact earlier taxes.
fn exclusive_taxes(
    net: i128,
    taxes: &[TaxCode],
    level: RoundingLevel,
    mode: RoundingMode,
) -> Option<(i128, Vec<TaxWork>)> {
    let mut out = Vec::with_capacity(taxes.len());
    let (mut shown_before, mut exact_before) = (0i128, Ratio::ZERO);
    for tax in taxes {
        let r = rate(tax)?;
        let base = if tax.compound {
            net + shown_before
        } else {
            net
        };
        let exact = match level {
            RoundingLevel::PerLine => Ratio::int(base).checked_mul(r)?,
            RoundingLevel::PerDocument => {
                let exact_base = if tax.compound {
                    Ratio::int(net).checked_add(exact_before)?
                } else {
                    Ratio::int(net)
                };
                exact_base.checked_mul(r)?
            }
        };
        let shown = exact.round(mode);
        shown_before += shown;
        let exact = match level {
            RoundingLevel::PerLine => Ratio::int(shown),
            RoundingLevel::PerDocument => {
                exact_before = exact_before.checked_add(exact)?;
                exact
            }
        };
        out.push(TaxWork { base, shown, exact });
    }
    Some((net, out))
}

/// Rule 4: taxes inside a gross. With t = 1 + Σ coefficients, where a plain tax's
/// coefficient is its rate and a compound tax's is (t so far) × rate, net = gross / t and
/// tax_k = net × coefficient_k exactly; each is rounded once from that exact value.
fn inclusive_taxes(
    gross: i128,
    taxes: &[TaxCode],
    level: RoundingLevel,
    mode: RoundingMode,
) -> Option<(i128, Vec<TaxWork>)> {
    let mut factor = Ratio::ONE;
    let mut coefficients = Vec::with_capacity(taxes.len());
    for tax in taxes {
        let r = rate(tax)?;
        let c = if tax.compound {
            factor.checked_mul(r)?
        } else {
            r
        };
        factor = factor.checked_add(c)?;
        coefficients.push(c);
    }
    // factor ≥ 1 (rates are ≥ 0), so the division is defined.
    let exact_net = Ratio::int(gross).checked_div(factor)?;
    let mut exacts = Vec::with_capacity(taxes.len());
    for c in coefficients {
        let e = exact_net.checked_mul(c)?;
        exacts.push((e, e.round(mode)));
    }
    let net = match level {
        // The line itself must add up to its shelf price: the net takes the remainder.
        RoundingLevel::PerLine => gross - exacts.iter().map(|(_, s)| s).sum::<i128>(),
        RoundingLevel::PerDocument => exact_net.round(mode),
    };
    let mut out = Vec::with_capacity(taxes.len());
    let mut shown_before = 0i128;
    for (tax, (exact, shown)) in taxes.iter().zip(exacts) {
        let base = if tax.compound {
            net + shown_before
        } else {
            net
        };
        shown_before += shown;
        let exact = match level {
            RoundingLevel::PerLine => Ratio::int(shown),
            RoundingLevel::PerDocument => exact,
        };
        out.push(TaxWork { base, shown, exact });
    }
    Some((net, out))
}
