//! Exact rationals over `i128`, with checked arithmetic and the two rounding modes.
//!
//! Every value is kept reduced with a positive denominator: reduction is what keeps chained
//! products (amount × discount × rate ÷ inclusive factor) inside `i128` for real documents,
//! and a failed checked operation surfaces as `None`, which the engine reports as "too large".

use crate::RoundingMode;

/// A reduced fraction `num / den` with `den > 0`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Ratio {
    num: i128,
    den: i128,
}

/// Greatest common divisor on magnitudes (`u128`, so `i128::MIN` cannot trip `abs`).
fn gcd(a: i128, b: i128) -> i128 {
    let (mut a, mut b) = (a.unsigned_abs(), b.unsigned_abs());
    while b != 0 {
        (a, b) = (b, a % b);
    }
    // Both inputs come from reduced fractions or small constants; the gcd of two i128
    // magnitudes fits i128 unless both are i128::MIN, which checked ops never produce.
    i128::try_from(a).unwrap_or(1)
}

impl Ratio {
    pub(crate) const ZERO: Ratio = Ratio { num: 0, den: 1 };
    pub(crate) const ONE: Ratio = Ratio { num: 1, den: 1 };

    /// An integer.
    pub(crate) fn int(n: i128) -> Self {
        Ratio { num: n, den: 1 }
    }

    /// `num / den`, reduced; `None` for a zero denominator or an unrepresentable sign flip.
    pub(crate) fn new(num: i128, den: i128) -> Option<Self> {
        if den == 0 {
            return None;
        }
        let (num, den) = if den < 0 {
            (num.checked_neg()?, den.checked_neg()?)
        } else {
            (num, den)
        };
        let g = gcd(num, den).max(1);
        Some(Ratio {
            num: num / g,
            den: den / g,
        })
    }

    pub(crate) fn checked_add(self, o: Ratio) -> Option<Ratio> {
        // Common denominator via the lcm, not the product: sums over many lines sharing a
        // rate stay at that rate's denominator instead of growing with every term.
        let g = gcd(self.den, o.den);
        let lcm = (self.den / g).checked_mul(o.den)?;
        let a = self.num.checked_mul(lcm / self.den)?;
        let b = o.num.checked_mul(lcm / o.den)?;
        Ratio::new(a.checked_add(b)?, lcm)
    }

    pub(crate) fn checked_mul(self, o: Ratio) -> Option<Ratio> {
        // Cross-cancel before multiplying so intermediate products stay as small as the
        // result allows (a 100 % discount times a huge amount must give 0, not overflow).
        let g1 = gcd(self.num, o.den).max(1);
        let g2 = gcd(o.num, self.den).max(1);
        let num = (self.num / g1).checked_mul(o.num / g2)?;
        let den = (self.den / g2).checked_mul(o.den / g1)?;
        Ratio::new(num, den)
    }

    pub(crate) fn checked_div(self, o: Ratio) -> Option<Ratio> {
        if o.num == 0 {
            return None;
        }
        self.checked_mul(Ratio::new(o.den, o.num)?)
    }

    /// Nearest integer, ties broken by `mode`.
    pub(crate) fn round(self, mode: RoundingMode) -> i128 {
        let q = self.num.div_euclid(self.den);
        let r = self.num.rem_euclid(self.den);
        // Compare r with den − r rather than 2r with den: no doubling, no overflow.
        let rest = self.den - r;
        if r < rest {
            q
        } else if r > rest {
            q + 1
        } else {
            match mode {
                // q is the floor, so for a negative tie "away from zero" is q itself.
                RoundingMode::HalfUp => {
                    if self.num > 0 {
                        q + 1
                    } else {
                        q
                    }
                }
                RoundingMode::HalfEven => {
                    if q.rem_euclid(2) == 0 {
                        q
                    } else {
                        q + 1
                    }
                }
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn r(n: i128, d: i128) -> Ratio {
        Ratio::new(n, d).unwrap()
    }

    #[test]
    fn fractions_are_kept_reduced_with_a_positive_denominator() {
        assert_eq!(r(6, -4), Ratio { num: -3, den: 2 });
        assert_eq!(r(0, 7), Ratio::ZERO);
        assert!(Ratio::new(1, 0).is_none());
    }

    #[test]
    fn arithmetic_is_exact() {
        assert_eq!(r(1, 6).checked_add(r(1, 3)).unwrap(), r(1, 2));
        assert_eq!(r(1, 2).checked_add(r(-3, 4)).unwrap(), r(-1, 4));
        assert_eq!(r(2, 3).checked_mul(r(9, 4)).unwrap(), r(3, 2));
        assert_eq!(r(2, 3).checked_div(r(4, 9)).unwrap(), r(3, 2));
        assert!(r(1, 1).checked_div(Ratio::ZERO).is_none());
    }

    #[test]
    fn overflow_is_reported_not_wrapped() {
        let big = Ratio::int(i128::MAX / 2 + 1);
        assert!(big.checked_add(big).is_none());
        assert!(big.checked_mul(Ratio::int(2)).is_none());
    }

    #[test]
    fn cross_cancelling_keeps_a_full_discount_of_a_huge_amount_at_zero() {
        let huge = Ratio::int(10i128.pow(37));
        assert_eq!(huge.checked_mul(Ratio::ZERO).unwrap(), Ratio::ZERO);
        assert_eq!(
            huge.checked_mul(r(1, 10i128.pow(30))).unwrap(),
            Ratio::int(10i128.pow(7))
        );
    }

    #[test]
    fn half_up_rounds_ties_away_from_zero() {
        let m = RoundingMode::HalfUp;
        assert_eq!(r(5, 2).round(m), 3);
        assert_eq!(r(-5, 2).round(m), -3);
        assert_eq!(r(249, 100).round(m), 2);
        assert_eq!(r(-251, 100).round(m), -3);
        assert_eq!(r(7, 1).round(m), 7);
    }

    #[test]
    fn half_even_rounds_ties_to_the_even_neighbour() {
        let m = RoundingMode::HalfEven;
        assert_eq!(r(5, 2).round(m), 2);
        assert_eq!(r(7, 2).round(m), 4);
        assert_eq!(r(-5, 2).round(m), -2);
        assert_eq!(r(-7, 2).round(m), -4);
        assert_eq!(r(251, 100).round(m), 3);
    }
}
