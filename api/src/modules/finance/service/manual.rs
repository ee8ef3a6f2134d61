//! Manual journal entries as people type them: amounts as decimal text in the company
//! currency, an optional foreign amount whose rate defaults to the dated rate of master
//! data, the general journal unless another is named. [`entry`] turns one into the ledger's
//! [`NewEntry`], which `ledger::check` then checks like any other.

use chrono::NaiveDate;
use entities::finance::journal::JournalKind;
use uuid::Uuid;

use crate::error::AppError;
use crate::kit::Write;
use crate::modules::finance::service::ledger::{self, Foreign, MAX_LINES, NewEntry, NewLine};
use crate::modules::master::service::reference::{currency_digits, rate_on};
use crate::money::{Dec, MICRO_SCALE, Money, convert_minor};

/// A foreign amount as typed: the amount in its currency and the rate (none: the rate of
/// master data on the entry's date). With the line's debit or credit given, its sign does
/// not matter; alone, a positive amount is a debit and a negative one a credit.
#[derive(Clone, Debug, Default)]
pub struct ManualForeign {
    /// The amount in its currency.
    pub amount: Money,
    /// Company currency per unit, e.g. `1.0875`.
    pub rate: Option<String>,
}

/// A line as typed. Give `debit` or `credit`; with `foreign` both may be left out, and the
/// company amount is the foreign amount at the rate.
#[derive(Clone, Debug, Default)]
pub struct ManualLine {
    /// The account.
    pub account_id: Uuid,
    /// Debit, e.g. `"100.00"`.
    pub debit: Option<String>,
    /// Credit.
    pub credit: Option<String>,
    /// The foreign amount the line came from.
    pub foreign: Option<ManualForeign>,
    /// The customer it concerns.
    pub customer_id: Option<Uuid>,
    /// The supplier it concerns.
    pub supplier_id: Option<Uuid>,
    /// What it is for.
    pub label: Option<String>,
}

/// An entry as typed.
#[derive(Clone, Debug, Default)]
pub struct ManualEntry {
    /// The journal (none: the general journal).
    pub journal_id: Option<Uuid>,
    /// The accounting date.
    pub date: NaiveDate,
    /// A reference.
    pub reference: Option<String>,
    /// A note.
    pub memo: Option<String>,
    /// The lines.
    pub lines: Vec<ManualLine>,
}

fn field(i: usize, name: &str) -> String {
    format!("input.lines[{i}].{name}")
}

/// A positive amount at `digits`, or none when not given.
fn amount(text: Option<&str>, digits: u32, field: &str) -> Result<Option<i64>, AppError> {
    let Some(text) = text else { return Ok(None) };
    let minor = Dec::parse(text)
        .and_then(|d| d.to_scaled(digits))
        .map_err(|e| AppError::validation(field, e))?;
    if minor <= 0 {
        return Err(AppError::validation(
            field,
            "an amount is greater than zero",
        ));
    }
    Ok(Some(minor))
}

/// The ledger entry of `input`.
pub async fn entry(w: &Write<'_>, input: ManualEntry) -> Result<NewEntry, AppError> {
    if input.lines.len() > MAX_LINES {
        return Err(AppError::validation(
            "input.lines",
            format!("a journal entry has at most {MAX_LINES} lines"),
        ));
    }
    let digits = ledger::company_digits(w).await?;
    let journal_id = match input.journal_id {
        Some(id) => id,
        None => ledger::journal_of(w, JournalKind::General).await?.id,
    };
    let mut lines = Vec::with_capacity(input.lines.len());
    for (i, line) in input.lines.into_iter().enumerate() {
        let mut debit = amount(line.debit.as_deref(), digits, &field(i, "debit"))?;
        let mut credit = amount(line.credit.as_deref(), digits, &field(i, "credit"))?;
        if debit.is_some() && credit.is_some() {
            return Err(AppError::validation(
                field(i, "credit"),
                "a line is a debit or a credit, not both",
            ));
        }
        let foreign = match line.foreign {
            None => None,
            Some(f) => {
                let (code, foreign_digits) =
                    currency_digits(w, &f.amount.currency, &field(i, "foreign.amount.currency"))
                        .await?;
                let amount_field = field(i, "foreign.amount.amount");
                let typed = Dec::parse(&f.amount.amount)
                    .and_then(|d| d.to_scaled(foreign_digits))
                    .map_err(|e| AppError::validation(&amount_field, e))?;
                if typed == 0 {
                    return Err(AppError::validation(amount_field, "an amount is not zero"));
                }
                let minor = typed.abs();
                let rate_micros = match &f.rate {
                    Some(rate) => Dec::parse(rate)
                        .and_then(|d| d.to_scaled(MICRO_SCALE))
                        .map_err(|e| AppError::validation(field(i, "foreign.rate"), e))?,
                    None => rate_on(w.tx().await?, &code, input.date)
                        .await?
                        .ok_or_else(|| {
                            AppError::validation(
                                field(i, "foreign.rate"),
                                format!("no rate of {code} on or before {}; give one", input.date),
                            )
                        })?,
                };
                if debit.is_none() && credit.is_none() {
                    let company = convert_minor(minor, foreign_digits, digits, rate_micros);
                    let company = i64::try_from(company).map_err(|_| {
                        AppError::validation(field(i, "foreign.amount"), "too large")
                    })?;
                    // Alone, the foreign amount's sign is the side: positive debits.
                    if typed > 0 {
                        debit = Some(company);
                    } else {
                        credit = Some(company);
                    }
                }
                let signed = if credit.is_some() { -minor } else { minor };
                Some(Foreign {
                    currency: code,
                    amount_minor: signed,
                    rate_micros,
                })
            }
        };
        lines.push(NewLine {
            account_id: line.account_id,
            debit_minor: debit.unwrap_or_default(),
            credit_minor: credit.unwrap_or_default(),
            foreign,
            customer_id: line.customer_id,
            supplier_id: line.supplier_id,
            label: line.label,
        });
    }
    Ok(NewEntry {
        journal_id,
        date: input.date,
        reference: input.reference,
        source: None,
        memo: input.memo,
        lines,
    })
}
