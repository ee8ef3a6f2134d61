//! Input checks that need no arithmetic: bounds, validity dates, and the combinations of
//! tax codes a line may carry. They run before any computation so that an error names the
//! first offending line and code, never a symptom further down (an overflow, a wrong sum).

use crate::{
    Document, HUNDRED_PERCENT_MICROS, Line, MAX_DIGITS, MAX_INPUT_MICROS, MAX_MINOR,
    MAX_RATE_MICROS, TaxError, TaxKind,
};

/// Document-wide checks: lines present, digits and cash increment supported, discount ≥ 0.
pub(crate) fn validate_document(doc: &Document) -> Result<(), TaxError> {
    if doc.lines.is_empty() {
        return Err(TaxError::NoLines);
    }
    if doc.digits > MAX_DIGITS {
        return Err(TaxError::DigitsOutOfRange { digits: doc.digits });
    }
    let increment = doc.policy.cash_increment_minor;
    if !(1..=MAX_MINOR).contains(&increment) {
        return Err(TaxError::CashIncrementOutOfRange {
            increment_minor: increment,
        });
    }
    if doc.discount_minor < 0 {
        return Err(TaxError::NegativeDocumentDiscount {
            discount_minor: doc.discount_minor,
        });
    }
    Ok(())
}

/// Checks one line on its own; `n` is its 1-based number.
pub(crate) fn validate_line(doc: &Document, n: usize, line: &Line) -> Result<(), TaxError> {
    // unsigned_abs: `i64::MIN.abs()` would panic.
    let limit = MAX_INPUT_MICROS.unsigned_abs();
    if line.quantity_micros.unsigned_abs() > limit {
        return Err(TaxError::QuantityOutOfRange {
            line: n,
            quantity_micros: line.quantity_micros,
        });
    }
    if line.unit_price_micros.unsigned_abs() > limit {
        return Err(TaxError::UnitPriceOutOfRange {
            line: n,
            unit_price_micros: line.unit_price_micros,
        });
    }
    if !(0..=HUNDRED_PERCENT_MICROS).contains(&line.discount_micros) {
        return Err(TaxError::LineDiscountOutOfRange {
            line: n,
            discount_micros: line.discount_micros,
        });
    }
    for (k, tax) in line.taxes.iter().enumerate() {
        let code = || tax.code.clone();
        if tax.code.is_empty() {
            return Err(TaxError::EmptyTaxCode { line: n });
        }
        if doc.date < tax.valid_from || tax.valid_to.is_some_and(|to| doc.date > to) {
            return Err(TaxError::TaxNotValid {
                line: n,
                code: code(),
                date: doc.date,
                valid_from: tax.valid_from,
                valid_to: tax.valid_to,
            });
        }
        if !(0..=MAX_RATE_MICROS).contains(&tax.rate_micros) {
            return Err(TaxError::RateOutOfRange {
                line: n,
                code: code(),
                rate_micros: tax.rate_micros,
            });
        }
        if tax.kind != TaxKind::Standard && tax.rate_micros != 0 {
            return Err(TaxError::NonZeroRate {
                line: n,
                code: code(),
                kind: tax.kind,
                rate_micros: tax.rate_micros,
            });
        }
        if line.taxes[..k].iter().any(|t| t.code == tax.code) {
            return Err(TaxError::DuplicateTax {
                line: n,
                code: code(),
            });
        }
    }
    // Exempt means "outside the tax": any other tax on the same supply contradicts it.
    if let Some(exempt) = line.taxes.iter().find(|t| t.kind == TaxKind::Exempt)
        && let Some(other) = line.taxes.iter().find(|t| t.code != exempt.code)
    {
        return Err(TaxError::ExemptWithOtherTax {
            line: n,
            exempt: exempt.code.clone(),
            other: other.code.clone(),
        });
    }
    if let Some(inc) = line.taxes.iter().find(|t| t.inclusive)
        && let Some(exc) = line.taxes.iter().find(|t| !t.inclusive)
    {
        return Err(TaxError::MixedInclusive {
            line: n,
            inclusive: inc.code.clone(),
            exclusive: exc.code.clone(),
        });
    }
    Ok(())
}
