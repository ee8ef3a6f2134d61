//! Receivables as of a date: what each customer owes, by how overdue it is.
//!
//! From the posted invoices and the dated allocations only (payments and credit notes
//! allocated on or before the date): an invoice's open amount is its total less what was
//! allocated to it by then, valued in the company currency at the rate it was booked at (the
//! value the receivable account holds for it). Unallocated payments and credit notes are the
//! customer's credit. So `Σ open − Σ credit` equals the receivable account's balance for the
//! customer. One statement for the invoices and one for the credits, whatever their number.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use entities::billing::invoice::InvoiceKind;
use sea_orm::{ConnectionTrait, DbBackend, FromQueryResult, Statement};
use uuid::Uuid;

use crate::error::AppError;
use crate::money::convert_minor;

/// The aging buckets by days past due: not yet due, 1–30, 31–60, 61–90, over 90.
pub const BUCKETS: usize = 5;

/// One customer's receivable as of the date, in minor units of the company currency.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CustomerAging {
    /// The customer.
    pub customer_id: Uuid,
    /// Open amounts by bucket (see [`BUCKETS`]).
    pub buckets: [i64; BUCKETS],
    /// Unallocated payments and credit notes.
    pub credit: i64,
    /// Open invoices.
    pub open_invoices: i64,
}

impl CustomerAging {
    /// Σ buckets − credit: what the customer owes, net.
    pub fn balance(&self) -> i64 {
        self.buckets.iter().sum::<i64>() - self.credit
    }
}

/// The bucket of an amount `days` past due.
pub fn bucket(days: i64) -> usize {
    match days {
        ..=0 => 0,
        1..=30 => 1,
        31..=60 => 2,
        61..=90 => 3,
        _ => 4,
    }
}

#[derive(FromQueryResult)]
struct OpenRow {
    kind: InvoiceKind,
    customer_id: Uuid,
    due_date: NaiveDate,
    rate_micros: i64,
    total_minor: i64,
    settled: Option<i64>,
    currency: String,
}

#[derive(FromQueryResult)]
struct CreditRow {
    customer_id: Uuid,
    currency: String,
    rate_micros: i64,
    amount_minor: i64,
    allocated: Option<i64>,
}

/// The aging of every customer (or only customer `only`) with something open or a credit as
/// of `as_of`, by customer (`digits`: each currency's minor digits; `company_digits`: the
/// company currency's).
pub async fn aging<C: ConnectionTrait>(
    db: &C,
    as_of: NaiveDate,
    digits: &(dyn Fn(&str) -> u32 + Sync),
    company_digits: u32,
    only: Option<Uuid>,
) -> Result<Vec<CustomerAging>, AppError> {
    // What was allocated by the date to each invoice (settled) and from each credit note
    // (used), and from each payment.
    let backend = db.get_database_backend();
    let p = |n: usize| match backend {
        DbBackend::Postgres => format!("${n}"),
        _ => "?".to_owned(),
    };
    // One customer: a third parameter.
    let customer = |column: &str| match only {
        Some(_) => format!(" AND {column} = {}", p(3)),
        None => String::new(),
    };
    let mut values: Vec<sea_orm::Value> = vec![as_of.into(), as_of.into()];
    if let Some(id) = only {
        values.push(id.into());
    }
    let documents = OpenRow::find_by_statement(Statement::from_sql_and_values(
        backend,
        format!(
            "SELECT i.kind, i.customer_id, i.due_date, i.rate_micros, i.total_minor, i.currency, \
                    (SELECT CAST(sum(a.amount_minor) AS BIGINT) FROM payment_allocation a \
                      WHERE (CASE WHEN i.kind = 'INVOICE' THEN a.invoice_id ELSE a.credit_note_id END) = i.id \
                        AND a.allocated_on <= {}) AS settled \
               FROM invoice i WHERE i.status <> 'DRAFT' AND i.invoice_date <= {}{}",
            p(1),
            p(2),
            customer("i.customer_id")
        ),
        values.clone(),
    ))
    .all(db)
    .await?;
    let payments = CreditRow::find_by_statement(Statement::from_sql_and_values(
        backend,
        format!(
            "SELECT p.customer_id, p.currency, p.rate_micros, p.amount_minor, \
                    (SELECT CAST(sum(a.amount_minor) AS BIGINT) FROM payment_allocation a \
                      WHERE a.payment_id = p.id AND a.allocated_on <= {}) AS allocated \
               FROM payment p WHERE p.journal_entry_id IS NOT NULL AND p.payment_date <= {}{}",
            p(1),
            p(2),
            customer("p.customer_id")
        ),
        values,
    ))
    .all(db)
    .await?;
    let value = |amount: i64, currency: &str, rate: i64| -> Result<i64, AppError> {
        i64::try_from(convert_minor(
            amount,
            digits(currency),
            company_digits,
            rate,
        ))
        .map_err(|_| AppError::Internal("a receivable out of range".into()))
    };
    let mut by_customer: BTreeMap<Uuid, CustomerAging> = BTreeMap::new();
    for d in documents {
        let open = d.total_minor - d.settled.unwrap_or(0);
        if open <= 0 {
            continue;
        }
        let amount = value(open, &d.currency, d.rate_micros)?;
        let a = of(&mut by_customer, d.customer_id);
        match d.kind {
            InvoiceKind::Invoice => {
                a.buckets[bucket((as_of - d.due_date).num_days())] += amount;
                a.open_invoices += 1;
            }
            InvoiceKind::CreditNote => a.credit += amount,
        }
    }
    for p in payments {
        let open = p.amount_minor - p.allocated.unwrap_or(0);
        if open > 0 {
            of(&mut by_customer, p.customer_id).credit += value(open, &p.currency, p.rate_micros)?;
        }
    }
    Ok(by_customer.into_values().collect())
}

/// The aging line of customer `id`, added when missing.
fn of(map: &mut BTreeMap<Uuid, CustomerAging>, id: Uuid) -> &mut CustomerAging {
    map.entry(id).or_insert_with(|| CustomerAging {
        customer_id: id,
        ..Default::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_past_due_fall_in_their_bucket() {
        let cases = [
            (-5, 0),
            (0, 0),
            (1, 1),
            (30, 1),
            (31, 2),
            (60, 2),
            (61, 3),
            (90, 3),
            (91, 4),
            (4000, 4),
        ];
        for (days, expected) in cases {
            assert_eq!(bucket(days), expected, "{days} days");
        }
    }
}
