//! Unit tests of each rule, plus the fixture helpers `golden` and `props` share.

#![allow(clippy::unwrap_used)]

use chrono::NaiveDate;

use crate::{
    Document, Line, Policy, RoundingLevel, RoundingMode, TaxCode, TaxError, TaxKind, Totals,
    compute,
};

/// The date every fixture is computed on unless it says otherwise.
pub(crate) fn date() -> NaiveDate {
    day(2026, 3, 15)
}

pub(crate) fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// A decimal string in micros, without floats: "9.99" → 9_990_000, "-1" → -1_000_000.
pub(crate) fn dec(s: &str) -> i64 {
    let (neg, s) = s.strip_prefix('-').map_or((false, s), |r| (true, r));
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    assert!(frac.len() <= 6, "{s}: more than 6 decimals");
    let v = int.parse::<i64>().unwrap() * 1_000_000 + format!("{frac:0<6}").parse::<i64>().unwrap();
    if neg { -v } else { v }
}

/// A standard exclusive tax valid from 2000-01-01, open-ended.
pub(crate) fn tax(code: &str, rate_percent: &str) -> TaxCode {
    TaxCode {
        code: code.into(),
        rate_micros: dec(rate_percent),
        kind: TaxKind::Standard,
        inclusive: false,
        compound: false,
        valid_from: day(2000, 1, 1),
        valid_to: None,
    }
}

pub(crate) fn incl(code: &str, rate_percent: &str) -> TaxCode {
    TaxCode {
        inclusive: true,
        ..tax(code, rate_percent)
    }
}

pub(crate) fn compound(t: TaxCode) -> TaxCode {
    TaxCode {
        compound: true,
        ..t
    }
}

pub(crate) fn zero_rated(code: &str) -> TaxCode {
    TaxCode {
        kind: TaxKind::ZeroRated,
        ..tax(code, "0")
    }
}

pub(crate) fn exempt(code: &str) -> TaxCode {
    TaxCode {
        kind: TaxKind::Exempt,
        ..tax(code, "0")
    }
}

pub(crate) fn line(qty: &str, price: &str, taxes: Vec<TaxCode>) -> Line {
    Line {
        quantity_micros: dec(qty),
        unit_price_micros: dec(price),
        discount_micros: 0,
        taxes,
    }
}

pub(crate) fn discounted(percent: &str, l: Line) -> Line {
    Line {
        discount_micros: dec(percent),
        ..l
    }
}

pub(crate) fn policy(level: RoundingLevel, mode: RoundingMode) -> Policy {
    Policy {
        level,
        mode,
        cash_increment_minor: 1,
    }
}

/// A document on [`date`] with the default policy (per line, half up, no cash rounding).
pub(crate) fn doc(digits: u32, lines: Vec<Line>) -> Document {
    Document {
        date: date(),
        digits,
        policy: Policy::default(),
        lines,
        discount_minor: 0,
    }
}

pub(crate) fn with_policy(level: RoundingLevel, mode: RoundingMode, d: Document) -> Document {
    Document {
        policy: policy(level, mode),
        ..d
    }
}

/// The identities every result must satisfy, whatever the input.
pub(crate) fn assert_identities(t: &Totals) {
    assert_eq!(t.net_minor + t.tax_minor + t.rounding_minor, t.total_minor);
    assert_eq!(
        t.net_minor,
        t.lines.iter().map(|l| l.net_minor).sum::<i64>()
    );
    assert_eq!(
        t.tax_minor,
        t.taxes.iter().map(|c| c.amount_minor).sum::<i64>()
    );
    for l in &t.lines {
        let taxes: i64 = l.taxes.iter().map(|x| x.amount_minor).sum();
        assert_eq!(l.net_minor + taxes, l.total_minor);
    }
}

fn ok(d: &Document) -> Totals {
    let t = compute(d).unwrap();
    assert_identities(&t);
    t
}

fn err(d: &Document) -> String {
    compute(d).unwrap_err().to_string()
}

use RoundingLevel::{PerDocument, PerLine};
use RoundingMode::{HalfEven, HalfUp};

// --- rule 1: line amount -------------------------------------------------------------------

#[test]
fn line_amount_is_rounded_once_from_the_exact_product() {
    // 1 × 0.125 − 50 % = 0.0625 → 0.06; rounding the price first would give 0.13 × 0.5 →
    // 0.065 → 0.07.
    let t = ok(&doc(2, vec![discounted("50", line("1", "0.125", vec![]))]));
    assert_eq!(t.lines[0].amount_minor, 6);
}

#[test]
fn line_amount_ties_follow_the_rounding_mode() {
    // 1.5 × 0.99 = 1.485: half up 1.49, half even 1.48.
    let lines = vec![line("1.5", "0.99", vec![])];
    assert_eq!(ok(&doc(2, lines.clone())).total_minor, 149);
    let even = with_policy(PerLine, HalfEven, doc(2, lines));
    assert_eq!(ok(&even).total_minor, 148);
}

#[test]
fn line_amount_scales_to_the_currency_digits() {
    let lines = vec![line("2.5", "1.2345", vec![])];
    // 3.08625 → JPY 3, EUR 3.09, BHD 3.086.
    assert_eq!(ok(&doc(0, lines.clone())).total_minor, 3);
    assert_eq!(ok(&doc(2, lines.clone())).total_minor, 309);
    assert_eq!(ok(&doc(3, lines)).total_minor, 3086);
}

#[test]
fn a_full_line_discount_leaves_nothing_to_tax() {
    let t = ok(&doc(
        2,
        vec![discounted(
            "100",
            line("3", "19.99", vec![tax("VAT", "20")]),
        )],
    ));
    assert_eq!((t.net_minor, t.tax_minor, t.total_minor), (0, 0, 0));
    assert_eq!(t.taxes[0].base_minor, 0);
}

// --- rule 2: document discount -------------------------------------------------------------

#[test]
fn document_discount_is_spread_in_proportion_with_the_leftover_on_the_largest_line() {
    // 1.00 over 10.00, 30.00, 20.00: 16.66→16, 50, 33.33→33, Σ 99, leftover 1 to line 2.
    let mut d = doc(
        2,
        vec![
            line("1", "10", vec![]),
            line("1", "30", vec![]),
            line("1", "20", vec![]),
        ],
    );
    d.discount_minor = 100;
    let t = ok(&d);
    let shares: Vec<i64> = t.lines.iter().map(|l| l.document_discount_minor).collect();
    assert_eq!(shares, [16, 51, 33]);
    assert_eq!(t.net_minor, 5900);
}

#[test]
fn document_discount_leftover_goes_to_the_first_of_equal_largest_lines() {
    let mut d = doc(2, vec![line("1", "5", vec![]), line("1", "5", vec![])]);
    d.discount_minor = 1;
    let shares: Vec<i64> = ok(&d)
        .lines
        .iter()
        .map(|l| l.document_discount_minor)
        .collect();
    assert_eq!(shares, [1, 0]);
}

#[test]
fn document_discount_may_not_exceed_the_lines() {
    let mut d = doc(2, vec![line("1", "5", vec![])]);
    d.discount_minor = 501;
    assert_eq!(
        err(&d),
        "document discount 501 exceeds the lines' total 500 (minor units)"
    );
    d.discount_minor = 500;
    assert_eq!(ok(&d).total_minor, 0);
}

#[test]
fn document_discount_needs_a_positive_document() {
    let mut d = doc(2, vec![line("1", "5", vec![]), line("-1", "5", vec![])]);
    d.discount_minor = 1;
    assert!(matches!(
        compute(&d),
        Err(TaxError::DocumentDiscountWithoutPositiveTotal {
            discount_minor: 1,
            lines_minor: 0
        })
    ));
    d.discount_minor = -1;
    assert!(matches!(
        compute(&d),
        Err(TaxError::NegativeDocumentDiscount { .. })
    ));
}

#[test]
fn a_return_line_takes_a_negative_share_of_the_document_discount() {
    // 0.30 over +2.00 and −0.50 (Σ 1.50): +40, −10, exact.
    let mut d = doc(2, vec![line("1", "2", vec![]), line("-1", "0.5", vec![])]);
    d.discount_minor = 30;
    let t = ok(&d);
    assert_eq!(t.lines[0].document_discount_minor, 40);
    assert_eq!(t.lines[1].document_discount_minor, -10);
    assert_eq!(t.net_minor, 120);
}

// --- rule 3: exclusive prices --------------------------------------------------------------

#[test]
fn a_compound_tax_is_levied_on_the_net_plus_the_earlier_rounded_taxes() {
    // 10.01: A 5 % = 0.5005 → 0.50; B compound 10 % on 10.51 = 1.051 → 1.05.
    let t = ok(&doc(
        2,
        vec![line(
            "1",
            "10.01",
            vec![tax("A", "5"), compound(tax("B", "10"))],
        )],
    ));
    assert_eq!(t.lines[0].taxes[1].base_minor, 1051);
    assert_eq!(t.lines[0].taxes[1].amount_minor, 105);
    assert_eq!(t.total_minor, 1001 + 50 + 105);
}

#[test]
fn per_document_compound_tax_uses_the_exact_earlier_tax() {
    // 0.10 × 5 lines; A 5 % = 0.005 each (shown 0.01); B compound 10 % on 0.105 = 0.0105.
    // Document: A = 0.025 → 0.03; B = 0.0525 → 0.05 (not 5 × 0.01 on a 0.11 base).
    let lines = vec![line("1", "0.1", vec![tax("A", "5"), compound(tax("B", "10"))]); 5];
    let t = ok(&with_policy(PerDocument, HalfUp, doc(2, lines)));
    assert_eq!(t.taxes[0].amount_minor, 3);
    assert_eq!(t.taxes[1].amount_minor, 5);
    assert_eq!(t.lines[0].taxes[0].amount_minor, 1);
    assert_eq!(t.lines[0].taxes[1].amount_minor, 1);
}

#[test]
fn a_compound_tax_first_on_its_line_is_levied_on_the_net() {
    let t = ok(&doc(
        2,
        vec![line("1", "50", vec![compound(tax("L", "3"))])],
    ));
    assert_eq!(t.lines[0].taxes[0].base_minor, 5000);
    assert_eq!(t.tax_minor, 150);
}

#[test]
fn per_line_document_tax_is_the_sum_of_the_rounded_line_taxes() {
    // 3 × 1.05 at 7 %: 0.0735 → 0.07 per line, 0.21 in all (exact would be 0.2205).
    let lines = vec![line("1", "1.05", vec![tax("V7", "7")]); 3];
    let t = ok(&doc(2, lines.clone()));
    assert_eq!(t.tax_minor, 21);
    let sum: i64 = t.lines.iter().map(|l| l.total_minor).sum();
    assert_eq!(sum, t.total_minor);
    // Per document the exact 0.2205 rounds once, to 0.22, while lines still show 0.07.
    let t = ok(&with_policy(PerDocument, HalfUp, doc(2, lines)));
    assert_eq!(t.tax_minor, 22);
    assert_eq!(t.lines[0].taxes[0].amount_minor, 7);
    assert_eq!(t.rounding_minor, 0);
}

// --- rule 4: inclusive prices --------------------------------------------------------------

#[test]
fn per_line_inclusive_lines_add_up_to_their_shelf_price() {
    // 19.99 incl. 19 %: tax 3.1917 → 3.19, net 16.80.
    let t = ok(&doc(2, vec![line("1", "19.99", vec![incl("V19", "19")])]));
    assert_eq!((t.lines[0].net_minor, t.tax_minor), (1680, 319));
    assert_eq!((t.lines[0].total_minor, t.total_minor), (1999, 1999));
}

#[test]
fn non_compound_inclusive_taxes_add_their_rates() {
    // 11.00 incl. 5 % + 5 %: net 10.00, 0.50 each.
    let t = ok(&doc(
        2,
        vec![line("1", "11", vec![incl("A", "5"), incl("B", "5")])],
    ));
    assert_eq!(t.lines[0].net_minor, 1000);
    assert_eq!((t.taxes[0].amount_minor, t.taxes[1].amount_minor), (50, 50));
}

#[test]
fn compound_inclusive_taxes_multiply() {
    // 11.55 incl. 5 % then compound 10 %: factor 1.05 × 1.1 = 1.155, net 10.00, A 0.50, B 1.05.
    let t = ok(&doc(
        2,
        vec![line(
            "1",
            "11.55",
            vec![incl("A", "5"), compound(incl("B", "10"))],
        )],
    ));
    assert_eq!(t.lines[0].net_minor, 1000);
    assert_eq!(
        (t.taxes[0].amount_minor, t.taxes[1].amount_minor),
        (50, 105)
    );
    assert_eq!(t.lines[0].taxes[1].base_minor, 1050);
}

#[test]
fn per_document_inclusive_rounding_difference_is_booked_not_hidden() {
    // 3 × 0.20 incl. 10 %: exact nets 0.1818 → 0.18 each (Σ 0.54), tax exact 3 × 0.0182 =
    // 0.0545 → 0.05; 0.54 + 0.05 = 0.59 loses a cent against 0.60 of shelf prices, so the
    // cent is booked as rounding and the total stays 0.60.
    let lines = vec![line("1", "0.2", vec![incl("V10", "10")]); 3];
    let t = ok(&with_policy(PerDocument, HalfUp, doc(2, lines)));
    assert_eq!((t.net_minor, t.tax_minor, t.rounding_minor), (54, 5, 1));
    assert_eq!(t.total_minor, 60);
}

#[test]
fn a_line_may_not_mix_inclusive_and_exclusive_taxes() {
    let d = doc(
        2,
        vec![
            line("1", "1", vec![]),
            line("1", "1", vec![incl("A", "5"), tax("B", "5")]),
        ],
    );
    assert_eq!(
        err(&d),
        "line 2: tax A is included in the price but tax B is not; a line's taxes must be all \
         inclusive or all exclusive"
    );
}

#[test]
fn inclusive_and_exclusive_lines_may_share_a_document() {
    // 1.10 incl. 10 % (net 1.00, tax 0.10) and 1.00 excl. 20 % (tax 0.20).
    for level in [PerLine, PerDocument] {
        let d = doc(
            2,
            vec![
                line("1", "1.1", vec![incl("I10", "10")]),
                line("1", "1", vec![tax("E20", "20")]),
            ],
        );
        let t = ok(&with_policy(level, HalfUp, d));
        assert_eq!((t.net_minor, t.tax_minor, t.total_minor), (200, 30, 230));
    }
}

// --- rule 5: cash rounding -----------------------------------------------------------------

#[test]
fn cash_rounding_moves_the_total_to_the_increment_and_books_the_difference() {
    let mut d = doc(2, vec![line("1", "10.02", vec![])]);
    d.policy.cash_increment_minor = 5;
    let t = ok(&d);
    assert_eq!((t.total_minor, t.rounding_minor), (1000, -2));
    d.lines[0].unit_price_micros = dec("-10.03");
    let t = ok(&d);
    assert_eq!((t.total_minor, t.rounding_minor), (-1005, -2));
}

#[test]
fn cash_rounding_ties_follow_the_rounding_mode() {
    // 0.15 to 0.10: half up 0.20, half even 0.20 (2 is even); 0.25: 0.30 vs 0.20.
    let mut d = doc(2, vec![line("1", "0.25", vec![])]);
    d.policy.cash_increment_minor = 10;
    assert_eq!(ok(&d).total_minor, 30);
    d.policy.mode = HalfEven;
    assert_eq!(ok(&d).total_minor, 20);
    d.lines[0].unit_price_micros = dec("0.15");
    assert_eq!(ok(&d).total_minor, 20);
}

#[test]
fn a_cash_increment_below_one_is_refused() {
    let mut d = doc(2, vec![line("1", "1", vec![])]);
    d.policy.cash_increment_minor = 0;
    assert!(matches!(
        compute(&d),
        Err(TaxError::CashIncrementOutOfRange { .. })
    ));
}

// --- rule 7: validation --------------------------------------------------------------------

#[test]
fn a_tax_before_its_first_day_is_refused_with_its_window() {
    let mut d = doc(
        2,
        vec![
            line("1", "1", vec![]),
            line("1", "1", vec![tax("VAT20", "20")]),
        ],
    );
    d.date = day(2026, 1, 5);
    d.lines[1].taxes[0].valid_from = day(2026, 2, 1);
    assert_eq!(
        err(&d),
        "line 2: tax VAT20 is not valid on 2026-01-05 (valid from 2026-02-01)"
    );
}

#[test]
fn a_tax_is_valid_on_its_first_and_last_day() {
    let mut t = tax("V", "10");
    t.valid_from = date();
    t.valid_to = Some(date());
    assert_eq!(ok(&doc(2, vec![line("1", "1", vec![t])])).tax_minor, 10);
}

#[test]
fn exempt_and_zero_rated_codes_must_have_a_zero_rate() {
    let mut t = zero_rated("Z");
    t.rate_micros = dec("5");
    assert_eq!(
        err(&doc(2, vec![line("1", "1", vec![t])])),
        "line 1: tax Z is zero-rated but has rate 5 % (must be 0 %)"
    );
    let mut t = exempt("E");
    t.rate_micros = 1;
    assert!(matches!(
        compute(&doc(2, vec![line("1", "1", vec![t])])),
        Err(TaxError::NonZeroRate {
            kind: TaxKind::Exempt,
            ..
        })
    ));
}

#[test]
fn an_exempt_code_stands_alone_on_its_line() {
    let d = doc(2, vec![line("1", "1", vec![tax("V", "5"), exempt("EX")])]);
    assert_eq!(
        err(&d),
        "line 1: tax EX is exempt and cannot be combined with tax V"
    );
}

#[test]
fn a_code_twice_on_a_line_is_refused() {
    let d = doc(2, vec![line("1", "1", vec![tax("V", "5"), tax("V", "5")])]);
    assert_eq!(err(&d), "line 1: tax V is applied twice");
}

#[test]
fn rates_outside_zero_to_a_thousand_percent_are_refused() {
    let d = doc(2, vec![line("1", "1", vec![tax("NEG", "-1")])]);
    assert_eq!(
        err(&d),
        "line 1: tax NEG has rate -1 %, outside 0 % to 1000 %"
    );
    let d = doc(2, vec![line("1", "1", vec![tax("HUGE", "1000.000001")])]);
    assert!(matches!(compute(&d), Err(TaxError::RateOutOfRange { .. })));
}

#[test]
fn line_discounts_outside_zero_to_a_hundred_percent_are_refused() {
    let d = doc(2, vec![discounted("100.5", line("1", "1", vec![]))]);
    assert_eq!(err(&d), "line 1: discount 100.5 % is outside 0 % to 100 %");
    let d = doc(2, vec![discounted("-1", line("1", "1", vec![]))]);
    assert!(matches!(
        compute(&d),
        Err(TaxError::LineDiscountOutOfRange { line: 1, .. })
    ));
}

#[test]
fn digits_above_six_and_empty_documents_are_refused() {
    assert_eq!(
        err(&doc(7, vec![line("1", "1", vec![])])),
        "currency digits 7 are not supported (at most 6)"
    );
    assert_eq!(err(&doc(2, vec![])), "the document has no lines");
}

#[test]
fn an_empty_tax_code_is_refused() {
    let d = doc(2, vec![line("1", "1", vec![tax("", "5")])]);
    assert_eq!(err(&d), "line 1: a tax has an empty code");
}

#[test]
fn one_code_must_mean_the_same_on_every_line() {
    let d = doc(
        2,
        vec![
            line("1", "1", vec![tax("V", "5")]),
            line("1", "1", vec![tax("V", "7")]),
        ],
    );
    assert_eq!(
        err(&d),
        "line 2: tax V differs from its definition on line 1 (rate, kind, inclusive or \
         compound)"
    );
}

#[test]
fn inputs_beyond_the_bounds_are_refused_without_panicking() {
    let mut d = doc(2, vec![line("1", "1", vec![])]);
    d.lines[0].quantity_micros = i64::MIN;
    assert!(matches!(
        compute(&d),
        Err(TaxError::QuantityOutOfRange { line: 1, .. })
    ));
    d.lines[0].quantity_micros = 1;
    d.lines[0].unit_price_micros = i64::MAX;
    assert!(matches!(
        compute(&d),
        Err(TaxError::UnitPriceOutOfRange { line: 1, .. })
    ));
}

#[test]
fn results_beyond_ten_to_the_sixteen_minor_units_are_too_large() {
    // 10^10 × 10^10 units is far past the bound at any digits.
    let d = doc(6, vec![line("10000000000", "10000000000", vec![])]);
    assert_eq!(
        err(&d),
        "line 1: amounts are too large (limit ±10^16 minor units)"
    );
    // Each line fits, their sum does not.
    let big = line("1", "9000000000", vec![]);
    let d = doc(6, vec![big.clone(), big]);
    assert_eq!(compute(&d), Err(TaxError::TooLarge { line: None }));
    // A full discount of the same huge product is fine: it is exactly zero.
    let d = doc(
        6,
        vec![discounted(
            "100",
            line("10000000000", "10000000000", vec![]),
        )],
    );
    assert_eq!(ok(&d).total_minor, 0);
}

// --- rule 8 and aggregation ----------------------------------------------------------------

#[test]
fn exempt_and_zero_rated_supplies_are_reported_with_their_bases() {
    let t = ok(&doc(
        2,
        vec![
            line("1", "100", vec![exempt("EX")]),
            line("2", "25", vec![zero_rated("Z")]),
        ],
    ));
    assert_eq!(t.tax_minor, 0);
    assert_eq!(t.taxes[0].kind, TaxKind::Exempt);
    assert_eq!((t.taxes[0].base_minor, t.taxes[0].amount_minor), (10000, 0));
    assert_eq!(t.taxes[1].kind, TaxKind::ZeroRated);
    assert_eq!((t.taxes[1].base_minor, t.taxes[1].amount_minor), (5000, 0));
}

#[test]
fn document_taxes_are_listed_in_first_use_order() {
    let t = ok(&doc(
        2,
        vec![
            line("1", "1", vec![tax("B", "5")]),
            line("1", "1", vec![tax("A", "7"), tax("B", "5")]),
            line("1", "1", vec![tax("C", "1")]),
        ],
    ));
    let order: Vec<&str> = t.taxes.iter().map(|c| c.code.as_str()).collect();
    assert_eq!(order, ["B", "A", "C"]);
    assert_eq!(t.taxes[0].base_minor, 200);
}

#[test]
fn lines_without_taxes_are_plain_nets() {
    let t = ok(&doc(2, vec![line("3", "1.11", vec![])]));
    assert!(t.taxes.is_empty());
    assert_eq!((t.net_minor, t.total_minor), (333, 333));
}
