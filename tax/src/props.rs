//! Property tests over random documents: the identities hold for every digits, level, mode,
//! price kind, discount and compound chain, rounding stays bounded, and nothing panics.

#![allow(clippy::unwrap_used)]

use proptest::prelude::*;

use crate::tests::{assert_identities, compound, date, exempt, incl, tax, zero_rated};
use crate::{
    Document, Line, Policy, RoundingLevel, RoundingMode, TaxCode, TaxError, Totals, compute,
};

/// Realistic codes; each name has one definition, as the engine requires per document.
/// Realistic rates reduce to small denominators, so exact sums never approach `i128`.
fn pool(inclusive: bool) -> Vec<TaxCode> {
    let mk = |code: &str, rate: &str| {
        let t = tax(code, rate);
        if inclusive {
            incl(&format!("I{code}"), rate)
        } else {
            t
        }
    };
    let zero = if inclusive {
        TaxCode {
            inclusive: true,
            ..zero_rated("IZ0")
        }
    } else {
        zero_rated("Z0")
    };
    vec![
        mk("S20", "20"),
        mk("S5", "5"),
        compound(mk("Q9975", "9.975")),
        mk("S7", "7"),
        mk("S19", "19"),
        zero,
        mk("S85", "8.5"),
        compound(mk("C1", "1")),
        mk("S12", "12"),
        mk("S0", "0"),
    ]
}

/// A line's taxes: none, a lone exempt code, or 1–3 distinct pool codes in random order.
fn taxes(inclusive: bool) -> impl Strategy<Value = Vec<TaxCode>> {
    let pool = pool(inclusive);
    let n = pool.len();
    prop_oneof![
        1 => Just(Vec::new()),
        1 => Just(vec![if inclusive {
            TaxCode { inclusive: true, ..exempt("IEX") }
        } else {
            exempt("EX")
        }]),
        6 => proptest::sample::subsequence((0..n).collect::<Vec<_>>(), 1..=3)
            .prop_shuffle()
            .prop_map(move |ix| ix.into_iter().map(|i| pool[i].clone()).collect()),
    ]
}

fn line() -> impl Strategy<Value = Line> {
    (
        // −1000 … 10000 units with six decimals: returns included.
        -1_000_000_000i64..=10_000_000_000,
        // Up to 1,000,000 currency units, often with sub-cent precision.
        0i64..=1_000_000_000_000,
        prop_oneof![Just(0i64), 0i64..=100_000_000],
        any::<bool>().prop_flat_map(taxes),
    )
        .prop_map(|(q, p, d, taxes)| Line {
            quantity_micros: q,
            unit_price_micros: p,
            discount_micros: d,
            taxes,
        })
}

fn document() -> impl Strategy<Value = (Document, u32)> {
    (
        prop_oneof![Just(0u32), Just(2), Just(3)],
        prop_oneof![
            Just(RoundingLevel::PerLine),
            Just(RoundingLevel::PerDocument)
        ],
        prop_oneof![Just(RoundingMode::HalfUp), Just(RoundingMode::HalfEven)],
        prop_oneof![Just(1i64), Just(5), Just(10), Just(100)],
        proptest::collection::vec(line(), 1..=6),
        // Document discount as per-mille of the lines' total (0 = none).
        prop_oneof![Just(0u32), 0u32..=1000],
    )
        .prop_map(|(digits, level, mode, cash, lines, permille)| {
            let doc = Document {
                date: date(),
                digits,
                policy: Policy {
                    level,
                    mode,
                    cash_increment_minor: cash,
                },
                lines,
                discount_minor: 0,
            };
            (doc, permille)
        })
}

/// Applies the per-mille discount, using the engine's own line amounts as the total.
fn with_discount(mut doc: Document, permille: u32) -> Document {
    let t = compute(&doc).unwrap();
    let sum: i64 = t.lines.iter().map(|l| l.amount_minor).sum();
    if sum > 0 {
        doc.discount_minor = sum / 1000 * i64::from(permille);
    }
    doc
}

fn check_properties(doc: &Document, t: &Totals) {
    assert_identities(t);
    let inc = doc.policy.cash_increment_minor;
    // Pre-cash rounding is Σ (exact − rounded) over inclusive nets and codes, each within
    // half a unit; cash rounding adds at most half an increment.
    let (lines, codes) = (t.lines.len() as i64, t.taxes.len() as i64);
    assert!(2 * t.rounding_minor.abs() <= lines + codes + inc, "{t:?}");
    assert!(t.rounding_minor.abs() <= lines * codes.max(1) + inc);
    assert_eq!(t.total_minor % inc, 0);
    if inc == 1 {
        // What the customer pays: shelf prices for inclusive lines, net plus the document's
        // exclusive taxes otherwise. The identity alone cannot see a dropped reconciliation.
        let mut expected = 0;
        for (l, input) in t.lines.iter().zip(&doc.lines) {
            expected += if input.taxes.first().is_some_and(|x| x.inclusive) {
                l.amount_minor - l.document_discount_minor
            } else {
                l.net_minor
            };
        }
        let exclusive: i64 = t
            .taxes
            .iter()
            .filter(|c| {
                let def = doc
                    .lines
                    .iter()
                    .flat_map(|l| &l.taxes)
                    .find(|x| x.code == c.code);
                def.is_some_and(|x| !x.inclusive)
            })
            .map(|c| c.amount_minor)
            .sum();
        assert_eq!(t.total_minor, expected + exclusive, "{t:?}");
    }
    let shares: i64 = t.lines.iter().map(|l| l.document_discount_minor).sum();
    assert_eq!(shares, doc.discount_minor);
    for (l, input) in t.lines.iter().zip(&doc.lines) {
        if input.taxes.first().is_some_and(|x| x.inclusive)
            && doc.policy.level == RoundingLevel::PerLine
        {
            // A per-line inclusive line costs exactly its (discounted) shelf price.
            assert_eq!(l.total_minor, l.amount_minor - l.document_discount_minor);
        }
    }
    match doc.policy.level {
        RoundingLevel::PerLine => {
            let sum: i64 = t.lines.iter().map(|l| l.total_minor).sum();
            assert_eq!(sum + t.rounding_minor, t.total_minor);
            assert!(2 * t.rounding_minor.abs() <= inc);
        }
        RoundingLevel::PerDocument => {
            // A code's once-rounded amount stays within half a unit per line of the
            // per-line figures (each line half a unit off the exact value, the sum half).
            for c in &t.taxes {
                let (uses, shown) = t
                    .lines
                    .iter()
                    .flat_map(|l| &l.taxes)
                    .filter(|x| x.code == c.code)
                    .fold((0i64, 0i64), |(n, s), x| (n + 1, s + x.amount_minor));
                assert!(2 * (c.amount_minor - shown).abs() <= uses + 1, "{t:?}");
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn random_documents_keep_every_identity((doc, permille) in document()) {
        let doc = with_discount(doc, permille);
        let t = compute(&doc).unwrap();
        check_properties(&doc, &t);
    }

    #[test]
    fn negating_every_quantity_negates_every_figure((doc, _) in document()) {
        // Both modes are symmetric around zero, so a credit note mirrors its invoice.
        let t = compute(&doc).unwrap();
        let mut neg = doc.clone();
        for l in &mut neg.lines {
            l.quantity_micros = -l.quantity_micros;
        }
        let n = compute(&neg).unwrap();
        prop_assert_eq!(n.net_minor, -t.net_minor);
        prop_assert_eq!(n.tax_minor, -t.tax_minor);
        prop_assert_eq!(n.rounding_minor, -t.rounding_minor);
        prop_assert_eq!(n.total_minor, -t.total_minor);
        for (a, b) in n.taxes.iter().zip(&t.taxes) {
            prop_assert_eq!(a.amount_minor, -b.amount_minor);
            prop_assert_eq!(a.base_minor, -b.base_minor);
        }
    }

    #[test]
    fn exclusive_documents_per_document_need_no_rounding_line((doc, _) in document()) {
        let mut doc = doc;
        doc.policy.level = RoundingLevel::PerDocument;
        doc.policy.cash_increment_minor = 1;
        for l in &mut doc.lines {
            for t in &mut l.taxes {
                t.inclusive = false;
                t.code = format!("X{}", t.code);
            }
        }
        let t = compute(&doc).unwrap();
        prop_assert_eq!(t.rounding_minor, 0);
    }

    #[test]
    fn arbitrary_rates_compute_exactly_or_refuse_as_too_large(
        rates in proptest::collection::vec((0i64..=100_000_000, any::<bool>()), 1..=4),
        inclusive in any::<bool>(),
        qty in -10_000_000_000i64..=10_000_000_000,
        price in 0i64..=10_000_000_000,
        level in prop_oneof![Just(RoundingLevel::PerLine), Just(RoundingLevel::PerDocument)],
        lines in 1usize..=4,
    ) {
        // Random micro rates keep large denominators: exactness may run out of i128, which
        // must be reported, never wrapped or panicked on.
        let taxes: Vec<TaxCode> = rates
            .iter()
            .enumerate()
            .map(|(i, &(r, c))| TaxCode {
                rate_micros: r,
                compound: c,
                inclusive,
                ..tax(&format!("R{i}"), "0")
            })
            .collect();
        let l = Line { quantity_micros: qty, unit_price_micros: price, discount_micros: 0, taxes };
        // Later lines drop leading taxes, so codes appear with different companions.
        let doc = Document {
            date: date(),
            digits: 2,
            policy: Policy { level, ..Policy::default() },
            lines: (0..lines)
                .map(|k| Line { taxes: l.taxes[k.min(l.taxes.len() - 1)..].to_vec(), ..l.clone() })
                .collect(),
            discount_minor: 0,
        };
        match compute(&doc) {
            Ok(t) => check_properties(&doc, &t),
            Err(e) => prop_assert!(matches!(e, TaxError::TooLarge { .. }), "{e}"),
        }
    }

    #[test]
    fn arbitrary_inputs_never_panic(
        q in any::<i64>(), p in any::<i64>(), d in any::<i64>(), r in any::<i64>(),
        digits in 0u32..=8, cash in any::<i64>(), discount in any::<i64>(),
        inclusive in any::<bool>(), comp in any::<bool>(),
    ) {
        let t = TaxCode { rate_micros: r, inclusive, compound: comp, ..tax("T", "0") };
        let doc = Document {
            date: date(),
            digits,
            policy: Policy { cash_increment_minor: cash, ..Policy::default() },
            lines: vec![
                Line { quantity_micros: q, unit_price_micros: p, discount_micros: d, taxes: vec![t.clone()] };
                2
            ],
            discount_minor: discount,
        };
        if let Ok(t) = compute(&doc) {
            check_properties(&doc, &t);
        }
    }
}
