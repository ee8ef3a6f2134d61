//! Exact decimals for money, quantities, prices and rates (DESIGN.md §6).
//!
//! No floats anywhere: a money amount is an `i64` count of its currency's minor units
//! (`*_minor`: cents for USD, yen for JPY, fils for KWD); quantities, unit prices and rates are
//! `i64` scaled by 10^6 (`*_micros`). Text in and out is the API's `Decimal` string. Parsing
//! refuses more decimal places than the target scale holds instead of rounding silently;
//! rounding happens only where a rule asks for it ([`round_half_up`]), on `i128`.

/// An amount as a client writes it: decimal text in a currency (ISO 4217 code), parsed
/// against that currency's digits by the service that stores it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Money {
    /// The amount, e.g. `"1234.50"`.
    pub amount: String,
    /// The currency's code.
    pub currency: String,
}

/// Scale of `*_micros` values.
pub const MICRO_SCALE: u32 = 6;

/// A parsed decimal: `units × 10^-scale`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dec {
    /// The digits as an integer.
    pub units: i128,
    /// Digits after the point.
    pub scale: u32,
}

/// The largest magnitude of any stored amount at its scale (10^16: a hundred trillion at two
/// decimals, ten billion at micro scale). Inputs are bounded by it so that a sum over even
/// billions of rows, computed in `i128`, cannot overflow.
pub const MAX_SCALED: i64 = 10_000_000_000_000_000;

impl Dec {
    /// Parses `[-]digits[.digits]` (no exponent, no grouping, at most 30 digits).
    pub fn parse(text: &str) -> Result<Self, String> {
        let t = text.trim();
        let (negative, body) = match t.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, t.strip_prefix('+').unwrap_or(t)),
        };
        let (int, frac) = body.split_once('.').unwrap_or((body, ""));
        let valid = !int.is_empty()
            && int.bytes().all(|b| b.is_ascii_digit())
            && frac.bytes().all(|b| b.is_ascii_digit())
            && (!body.contains('.') || !frac.is_empty());
        if !valid || int.len() + frac.len() > 30 {
            return Err(format!("`{text}` is not a decimal number like 1234.50"));
        }
        let digits = format!("{int}{frac}");
        let units: i128 = digits
            .parse()
            .map_err(|_| format!("`{text}` is too large"))?;
        Ok(Self {
            units: if negative { -units } else { units },
            scale: u32::try_from(frac.len()).unwrap_or(u32::MAX),
        })
    }

    /// The value as an integer at `scale` (e.g. 2 for cents), exactly: more significant
    /// decimal places than `scale` is an error, not a rounding.
    pub fn to_scaled(self, scale: u32) -> Result<i64, String> {
        let value = if self.scale <= scale {
            self.units.checked_mul(10i128.pow(scale - self.scale))
        } else {
            let factor = 10i128.pow(self.scale - scale);
            if self.units % factor != 0 {
                return Err(format!("at most {scale} decimal places are allowed"));
            }
            Some(self.units / factor)
        };
        match value {
            Some(v) if v.abs() <= i128::from(MAX_SCALED) => Ok(v as i64),
            _ => Err(format!(
                "the number is too large; at most {} is allowed",
                format_trimmed(MAX_SCALED, scale)
            )),
        }
    }
}

/// `value × 10^-scale` as text with exactly `scale` decimals (money: `1234.50`).
pub fn format_fixed(value: impl Into<i128>, scale: u32) -> String {
    let value: i128 = value.into();
    let factor = 10u128.pow(scale);
    let magnitude = value.unsigned_abs();
    let sign = if value < 0 { "-" } else { "" };
    if scale == 0 {
        return format!("{sign}{magnitude}");
    }
    format!(
        "{sign}{}.{:0width$}",
        magnitude / factor,
        magnitude % factor,
        width = scale as usize
    )
}

/// `value × 10^-scale` as text without trailing zeros (quantities, prices: `12.5`, `3`).
pub fn format_trimmed(value: i64, scale: u32) -> String {
    let fixed = format_fixed(value, scale);
    if scale == 0 {
        return fixed;
    }
    fixed.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// `value` at scale `from` rounded half away from zero to scale `to` (`to < from`).
pub fn round_half_up(value: i128, from: u32, to: u32) -> i128 {
    if to >= from {
        return value * 10i128.pow(to - from);
    }
    let factor = 10i128.pow(from - to);
    let (q, r) = (value / factor, value % factor);
    if r.abs() * 2 >= factor {
        q + value.signum()
    } else {
        q
    }
}

/// Converts an amount in minor units of one currency to another at `rate_micros` (units of
/// the target per unit of the source, × 10^6), rounding once, half up.
pub fn convert_minor(
    amount_minor: i64,
    from_digits: u32,
    to_digits: u32,
    rate_micros: i64,
) -> i128 {
    // amount × rate: scale from_digits + 6; then move to to_digits.
    let product = i128::from(amount_minor) * i128::from(rate_micros);
    round_half_up(product, from_digits + MICRO_SCALE, to_digits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parsing_is_exact_and_strict() {
        assert_eq!(
            Dec::parse("1234.50").unwrap().to_scaled(2).unwrap(),
            123_450
        );
        assert_eq!(Dec::parse("-0.5").unwrap().to_scaled(2).unwrap(), -50);
        assert_eq!(Dec::parse("7").unwrap().to_scaled(0).unwrap(), 7);
        assert_eq!(
            Dec::parse("12345678901234.56")
                .unwrap()
                .to_scaled(2)
                .unwrap(),
            1_234_567_890_123_456
        );
        assert_eq!(
            Dec::parse("1.230").unwrap().to_scaled(2).unwrap(),
            123,
            "trailing zeros are fine"
        );
        assert!(
            Dec::parse("1.234").unwrap().to_scaled(2).is_err(),
            "no silent rounding"
        );
        for bad in [
            "", "-", ".5", "5.", "1e3", "1,000", "1.2.3", "abc", " 1 2", "NaN", "0x10",
        ] {
            assert!(Dec::parse(bad).is_err(), "{bad:?}");
        }
        assert!(
            Dec::parse("99999999999999999999")
                .unwrap()
                .to_scaled(2)
                .is_err(),
            "overflow"
        );
        assert!(
            Dec::parse("100000000000000.00")
                .unwrap()
                .to_scaled(2)
                .is_ok(),
            "the bound itself"
        );
        let err = Dec::parse("100000000000000.01")
            .unwrap()
            .to_scaled(2)
            .unwrap_err();
        assert!(err.contains("at most 100000000000000"), "{err}");
        assert!(
            Dec::parse("-10000000000.000001")
                .unwrap()
                .to_scaled(6)
                .is_err()
        );
    }

    #[test]
    fn formatting_keeps_the_currency_digits() {
        assert_eq!(format_fixed(123_450, 2), "1234.50");
        assert_eq!(format_fixed(-5, 2), "-0.05");
        assert_eq!(format_fixed(1500, 0), "1500");
        assert_eq!(format_fixed(1_234_567, 3), "1234.567");
        assert_eq!(format_trimmed(12_500_000, 6), "12.5");
        assert_eq!(format_trimmed(3_000_000, 6), "3");
        assert_eq!(format_fixed(i64::MIN, 2), "-92233720368547758.08");
    }

    #[test]
    fn rounding_is_half_away_from_zero() {
        assert_eq!(round_half_up(125, 2, 1), 13);
        assert_eq!(round_half_up(124, 2, 1), 12);
        assert_eq!(round_half_up(-125, 2, 1), -13);
        assert_eq!(round_half_up(5, 1, 0), 1);
    }

    #[test]
    fn conversion_rounds_once() {
        // 100.00 EUR at 1.087654 USD/EUR = 108.7654 USD → 108.77
        assert_eq!(convert_minor(10_000, 2, 2, 1_087_654), 10_877);
        // 1000 JPY at 0.006512 USD/JPY = 6.512 USD → 6.51
        assert_eq!(convert_minor(1_000, 0, 2, 6_512), 651);
        // 10.000 KWD at 3.25 USD/KWD = 32.50 USD
        assert_eq!(convert_minor(10_000, 3, 2, 3_250_000), 3_250);
    }

    proptest! {
        #[test]
        fn fixed_text_parses_back_to_the_same_integer(value in -MAX_SCALED..=MAX_SCALED, scale in 0u32..=4) {
            let text = format_fixed(value, scale);
            prop_assert_eq!(Dec::parse(&text).unwrap().to_scaled(scale).unwrap(), value);
        }

        #[test]
        fn trimmed_text_parses_back_to_the_same_micros(value in -(1i64 << 53)..(1i64 << 53)) {
            let text = format_trimmed(value, MICRO_SCALE);
            prop_assert_eq!(Dec::parse(&text).unwrap().to_scaled(MICRO_SCALE).unwrap(), value);
        }

        #[test]
        fn rounding_moves_at_most_half_a_unit(value in -(1i128 << 80)..(1i128 << 80), drop in 1u32..8) {
            let rounded = round_half_up(value, drop, 0);
            let back = rounded * 10i128.pow(drop);
            prop_assert!((back - value).abs() * 2 <= 10i128.pow(drop));
        }
    }
}
