//! Why a document cannot be computed, in words a client can act on.
//!
//! Messages name the line (1-based, as a user counts them) and the tax code, and quote the
//! offending value in the user's units (percent, units, dates) rather than in micros.

use std::fmt;

use chrono::NaiveDate;

use crate::{MAX_DIGITS, TaxKind};

/// A document the engine refuses. `line` fields are 1-based.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaxError {
    /// The document has no line.
    NoLines,
    /// More currency decimals than [`MAX_DIGITS`].
    DigitsOutOfRange { digits: u32 },
    /// A cash rounding increment below 1 or above [`crate::MAX_MINOR`].
    CashIncrementOutOfRange { increment_minor: i64 },
    /// |quantity| above [`crate::MAX_INPUT_MICROS`].
    QuantityOutOfRange { line: usize, quantity_micros: i64 },
    /// |unit price| above [`crate::MAX_INPUT_MICROS`].
    UnitPriceOutOfRange { line: usize, unit_price_micros: i64 },
    /// A line discount outside 0..=100 %.
    LineDiscountOutOfRange { line: usize, discount_micros: i64 },
    /// A tax with an empty code.
    EmptyTaxCode { line: usize },
    /// A tax used outside its validity window.
    TaxNotValid {
        line: usize,
        code: String,
        date: NaiveDate,
        valid_from: NaiveDate,
        valid_to: Option<NaiveDate>,
    },
    /// A rate below 0 or above [`crate::MAX_RATE_MICROS`].
    RateOutOfRange {
        line: usize,
        code: String,
        rate_micros: i64,
    },
    /// An exempt or zero-rated code with a rate other than 0.
    NonZeroRate {
        line: usize,
        code: String,
        kind: TaxKind,
        rate_micros: i64,
    },
    /// An exempt code next to another tax on the same line.
    ExemptWithOtherTax {
        line: usize,
        exempt: String,
        other: String,
    },
    /// The same code twice on one line.
    DuplicateTax { line: usize, code: String },
    /// Inclusive and exclusive taxes mixed on one line.
    MixedInclusive {
        line: usize,
        inclusive: String,
        exclusive: String,
    },
    /// One code with two different definitions in one document.
    InconsistentTaxCode {
        code: String,
        first_line: usize,
        line: usize,
    },
    /// A negative document discount.
    NegativeDocumentDiscount { discount_minor: i64 },
    /// A document discount larger than the lines' amounts.
    DocumentDiscountTooLarge {
        discount_minor: i64,
        lines_minor: i64,
    },
    /// A document discount on a document whose lines sum to 0 or less.
    DocumentDiscountWithoutPositiveTotal {
        discount_minor: i64,
        lines_minor: i64,
    },
    /// A result beyond ±[`crate::MAX_MINOR`] or beyond exact `i128` arithmetic.
    TooLarge { line: Option<usize> },
}

impl TaxError {
    /// The 1-based line the error is about, if it is about one (callers name the input
    /// field, e.g. `input.lines[2]`).
    pub fn line(&self) -> Option<usize> {
        match self {
            Self::QuantityOutOfRange { line, .. }
            | Self::UnitPriceOutOfRange { line, .. }
            | Self::LineDiscountOutOfRange { line, .. }
            | Self::EmptyTaxCode { line }
            | Self::TaxNotValid { line, .. }
            | Self::RateOutOfRange { line, .. }
            | Self::NonZeroRate { line, .. }
            | Self::ExemptWithOtherTax { line, .. }
            | Self::DuplicateTax { line, .. }
            | Self::MixedInclusive { line, .. }
            | Self::InconsistentTaxCode { line, .. } => Some(*line),
            Self::TooLarge { line } => *line,
            Self::NoLines
            | Self::DigitsOutOfRange { .. }
            | Self::CashIncrementOutOfRange { .. }
            | Self::NegativeDocumentDiscount { .. }
            | Self::DocumentDiscountTooLarge { .. }
            | Self::DocumentDiscountWithoutPositiveTotal { .. } => None,
        }
    }
}

/// Micros as a plain decimal without floats: 20_500_000 → "20.5".
fn micros(v: i64) -> String {
    let sign = if v < 0 { "-" } else { "" };
    let v = v.unsigned_abs();
    let (int, frac) = (v / 1_000_000, v % 1_000_000);
    if frac == 0 {
        format!("{sign}{int}")
    } else {
        let frac = format!("{frac:06}");
        format!("{sign}{int}.{}", frac.trim_end_matches('0'))
    }
}

fn kind(k: TaxKind) -> &'static str {
    match k {
        TaxKind::Standard => "standard",
        TaxKind::ZeroRated => "zero-rated",
        TaxKind::Exempt => "exempt",
    }
}

impl fmt::Display for TaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TaxError::NoLines => write!(f, "the document has no lines"),
            TaxError::DigitsOutOfRange { digits } => write!(
                f,
                "currency digits {digits} are not supported (at most {MAX_DIGITS})"
            ),
            TaxError::CashIncrementOutOfRange { increment_minor } => write!(
                f,
                "cash rounding increment {increment_minor} is invalid (use 1 for none, \
                 or a positive number of minor units such as 5)"
            ),
            TaxError::QuantityOutOfRange {
                line,
                quantity_micros,
            } => write!(
                f,
                "line {line}: quantity {} is out of range (at most ±10000000000)",
                micros(*quantity_micros)
            ),
            TaxError::UnitPriceOutOfRange {
                line,
                unit_price_micros,
            } => write!(
                f,
                "line {line}: unit price {} is out of range (at most ±10000000000)",
                micros(*unit_price_micros)
            ),
            TaxError::LineDiscountOutOfRange {
                line,
                discount_micros,
            } => write!(
                f,
                "line {line}: discount {} % is outside 0 % to 100 %",
                micros(*discount_micros)
            ),
            TaxError::EmptyTaxCode { line } => write!(f, "line {line}: a tax has an empty code"),
            TaxError::TaxNotValid {
                line,
                code,
                date,
                valid_from,
                valid_to,
            } => {
                write!(
                    f,
                    "line {line}: tax {code} is not valid on {date} (valid from {valid_from}"
                )?;
                match valid_to {
                    Some(to) => write!(f, " to {to})"),
                    None => write!(f, ")"),
                }
            }
            TaxError::RateOutOfRange {
                line,
                code,
                rate_micros,
            } => write!(
                f,
                "line {line}: tax {code} has rate {} %, outside 0 % to 1000 %",
                micros(*rate_micros)
            ),
            TaxError::NonZeroRate {
                line,
                code,
                kind: k,
                rate_micros,
            } => write!(
                f,
                "line {line}: tax {code} is {} but has rate {} % (must be 0 %)",
                kind(*k),
                micros(*rate_micros)
            ),
            TaxError::ExemptWithOtherTax {
                line,
                exempt,
                other,
            } => write!(
                f,
                "line {line}: tax {exempt} is exempt and cannot be combined with tax {other}"
            ),
            TaxError::DuplicateTax { line, code } => {
                write!(f, "line {line}: tax {code} is applied twice")
            }
            TaxError::MixedInclusive {
                line,
                inclusive,
                exclusive,
            } => write!(
                f,
                "line {line}: tax {inclusive} is included in the price but tax {exclusive} \
                 is not; a line's taxes must be all inclusive or all exclusive"
            ),
            TaxError::InconsistentTaxCode {
                code,
                first_line,
                line,
            } => write!(
                f,
                "line {line}: tax {code} differs from its definition on line {first_line} \
                 (rate, kind, inclusive or compound)"
            ),
            TaxError::NegativeDocumentDiscount { discount_minor } => write!(
                f,
                "document discount {discount_minor} (minor units) is negative"
            ),
            TaxError::DocumentDiscountTooLarge {
                discount_minor,
                lines_minor,
            } => write!(
                f,
                "document discount {discount_minor} exceeds the lines' total {lines_minor} \
                 (minor units)"
            ),
            TaxError::DocumentDiscountWithoutPositiveTotal {
                discount_minor,
                lines_minor,
            } => write!(
                f,
                "document discount {discount_minor} cannot be spread: the lines' total is \
                 {lines_minor} (minor units), not positive"
            ),
            TaxError::TooLarge { line: Some(line) } => write!(
                f,
                "line {line}: amounts are too large (limit ±10^16 minor units)"
            ),
            TaxError::TooLarge { line: None } => write!(
                f,
                "document totals are too large (limit ±10^16 minor units)"
            ),
        }
    }
}

impl std::error::Error for TaxError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn micros_print_as_plain_decimals() {
        assert_eq!(micros(20_000_000), "20");
        assert_eq!(micros(9_975_000), "9.975");
        assert_eq!(micros(-2_500_000), "-2.5");
        assert_eq!(micros(1), "0.000001");
    }
}
