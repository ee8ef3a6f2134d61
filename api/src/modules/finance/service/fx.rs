//! Realised exchange differences: when a receivable or payable booked in a foreign currency
//! at one rate is settled at another, the control account is cleared at the booked amount,
//! the bank moves at the settlement amount, and the difference posts to exchange gains or
//! losses (the chart's `FX_GAIN` and `FX_LOSS` roles). Billing and purchasing build their
//! payment entries with [`settlement_lines`].

use uuid::Uuid;

use crate::error::AppError;
use crate::kit::Write;
use crate::modules::finance::seed::role;
use crate::modules::finance::service::accounts;
use crate::modules::finance::service::ledger::{Foreign, NewLine};
use crate::money::convert_minor;

/// What is settled: money coming in for a receivable, or going out for a payable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// A customer pays: the bank is debited, the receivable credited.
    Receivable,
    /// We pay a supplier: the payable is debited, the bank credited.
    Payable,
}

/// A settlement of `amount_minor` (> 0) of a foreign currency.
#[derive(Clone, Debug)]
pub struct Settlement {
    /// Receivable or payable.
    pub side: Side,
    /// The receivable or payable account being cleared.
    pub control_account: Uuid,
    /// The bank or cash account the money moves through.
    pub money_account: Uuid,
    /// The foreign currency.
    pub currency: String,
    /// Its minor digits.
    pub currency_digits: u32,
    /// The company currency's minor digits.
    pub company_digits: u32,
    /// The amount settled, in minor units of `currency`, positive.
    pub amount_minor: i64,
    /// The rate the receivable or payable was booked at (company per unit, × 10^6).
    pub booked_rate_micros: i64,
    /// The rate of the settlement.
    pub settled_rate_micros: i64,
    /// The customer or supplier, on the control line.
    pub partner: Partner,
}

/// Whom a control line concerns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Partner {
    /// A customer.
    Customer(Uuid),
    /// A supplier.
    Supplier(Uuid),
    /// Nobody in particular.
    None,
}

/// The settlement's amounts in the company currency: (booked, settled, gain). A positive
/// gain is income (a customer's euros worth more, a supplier's worth less than booked).
pub fn amounts(s: &Settlement) -> Result<(i64, i64, i64), AppError> {
    let convert = |rate| {
        i64::try_from(convert_minor(
            s.amount_minor,
            s.currency_digits,
            s.company_digits,
            rate,
        ))
        .map_err(|_| AppError::validation("amount", "the amount is too large"))
    };
    let booked = convert(s.booked_rate_micros)?;
    let settled = convert(s.settled_rate_micros)?;
    let gain = match s.side {
        Side::Receivable => settled - booked,
        Side::Payable => booked - settled,
    };
    Ok((booked, settled, gain))
}

/// The lines of a settlement: the money line at the settled amount, the control line at the
/// booked amount, and the exchange difference when there is one (balanced by construction).
pub async fn settlement_lines(w: &Write<'_>, s: &Settlement) -> Result<Vec<NewLine>, AppError> {
    if s.amount_minor <= 0 {
        return Err(AppError::validation("amount", "a settlement is positive"));
    }
    let (booked, settled, gain) = amounts(s)?;
    let foreign = |signed: i64, rate| {
        Some(Foreign {
            currency: s.currency.clone(),
            amount_minor: signed,
            rate_micros: rate,
        })
    };
    let (customer_id, supplier_id) = match s.partner {
        Partner::Customer(id) => (Some(id), None),
        Partner::Supplier(id) => (None, Some(id)),
        Partner::None => (None, None),
    };
    let (money, control) = match s.side {
        Side::Receivable => (
            NewLine {
                account_id: s.money_account,
                debit_minor: settled,
                foreign: foreign(s.amount_minor, s.settled_rate_micros),
                ..Default::default()
            },
            NewLine {
                account_id: s.control_account,
                credit_minor: booked,
                foreign: foreign(-s.amount_minor, s.booked_rate_micros),
                customer_id,
                supplier_id,
                ..Default::default()
            },
        ),
        Side::Payable => (
            NewLine {
                account_id: s.money_account,
                credit_minor: settled,
                foreign: foreign(-s.amount_minor, s.settled_rate_micros),
                ..Default::default()
            },
            NewLine {
                account_id: s.control_account,
                debit_minor: booked,
                foreign: foreign(s.amount_minor, s.booked_rate_micros),
                customer_id,
                supplier_id,
                ..Default::default()
            },
        ),
    };
    let mut lines = vec![money, control];
    if gain > 0 {
        lines.push(NewLine {
            account_id: accounts::for_role(w, role::FX_GAIN).await?.id,
            credit_minor: gain,
            label: Some(format!("Realised exchange gain on {}", s.currency)),
            ..Default::default()
        });
    } else if gain < 0 {
        lines.push(NewLine {
            account_id: accounts::for_role(w, role::FX_LOSS).await?.id,
            debit_minor: -gain,
            label: Some(format!("Realised exchange loss on {}", s.currency)),
            ..Default::default()
        });
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settlement(side: Side, booked: i64, settled: i64) -> Settlement {
        Settlement {
            side,
            control_account: Uuid::nil(),
            money_account: Uuid::nil(),
            currency: "EUR".into(),
            currency_digits: 2,
            company_digits: 2,
            amount_minor: 100_000,
            booked_rate_micros: booked,
            settled_rate_micros: settled,
            partner: Partner::None,
        }
    }

    #[test]
    fn a_customer_paying_euros_worth_more_than_booked_is_a_gain() {
        // 1,000.00 EUR booked at 1.08 (1,080.00) and received at 1.10 (1,100.00): +20.00.
        let s = settlement(Side::Receivable, 1_080_000, 1_100_000);
        assert_eq!(amounts(&s).unwrap(), (108_000, 110_000, 2_000));
        // Paid to a supplier at the higher rate instead: a loss of 20.00.
        let s = settlement(Side::Payable, 1_080_000, 1_100_000);
        assert_eq!(amounts(&s).unwrap(), (108_000, 110_000, -2_000));
    }

    #[test]
    fn the_same_rate_gives_no_difference_and_yen_round_once() {
        let s = settlement(Side::Receivable, 1_080_000, 1_080_000);
        assert_eq!(amounts(&s).unwrap().2, 0);
        // 12,345 JPY (no decimals) at 0.006512 and 0.006498 USD: 80.39 and 80.22.
        let s = Settlement {
            currency: "JPY".into(),
            currency_digits: 0,
            amount_minor: 12_345,
            ..settlement(Side::Receivable, 6_512, 6_498)
        };
        assert_eq!(amounts(&s).unwrap(), (8_039, 8_022, -17));
    }
}
