//! Customer payments: recorded and posted at once (bank or cash journal, `PAY-…` numbers),
//! allocated to open invoices of the same customer and currency; what is not allocated stays
//! on the receivable as the customer's credit.
//!
//! Posting: the bank (or cash) account is debited, the receivable credited. An allocation to
//! an invoice in a foreign currency clears the receivable at the invoice's rate and posts
//! the realised difference to the payment's rate (`finance::service::fx`).
//!
//! Replays. The payment row is the write's first change: with a client id, a concurrent or
//! later repeat waits for it (PostgreSQL's unique index; SQLite's one writer) and finds it
//! stored with its posting, so it returns the stored payment without touching an invoice
//! again: 50 replays, one payment, one entry, one allocation each.

use chrono::{NaiveDate, Utc};
use entities::billing::invoice::{self, InvoiceKind, InvoiceStatus};
use entities::billing::{payment, payment_allocation};
use entities::finance::journal::JournalKind;
use entities::master::customer;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Select, Set};
use uuid::Uuid;

use crate::authz::Access;
use crate::error::AppError;
use crate::kit::resource::visible as scoped;
use crate::kit::{Write, write};
use crate::modules::billing::service::invoices::rate_of;
use crate::modules::billing::service::{rule, status_after};
use crate::modules::common::optional_text;
use crate::modules::finance::seed::role;
use crate::modules::finance::service::fx::{self, Partner, Settlement, Side};
use crate::modules::finance::service::ledger::{self, Foreign, NewEntry, NewLine};
use crate::modules::finance::service::{accounts, numbering, periods};
use crate::modules::master::service::reference::{base_currency, currency_digits};
use crate::money::{Dec, Money, convert_minor};

/// The series of payment numbers (`PAY-2026-000012`).
pub const SERIES: &str = "PAY";

/// The most invoices one payment is allocated to.
pub const MAX_ALLOCATIONS: usize = 200;

/// Where the money came in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Method {
    /// A bank transfer (the bank journal and account).
    #[default]
    Bank,
    /// Cash (the cash journal and account).
    Cash,
}

/// Part of a payment settling one invoice.
#[derive(Clone, Debug, Default)]
pub struct Allocation {
    /// An open invoice of the payment's customer, in the payment's currency.
    pub invoice_id: Uuid,
    /// How much of it, e.g. `"40.00"`.
    pub amount: String,
}

/// A payment as typed.
#[derive(Clone, Debug, Default)]
pub struct NewPayment {
    /// Who paid.
    pub customer_id: Uuid,
    /// Bank or cash.
    pub method: Method,
    /// When the money came in.
    pub date: NaiveDate,
    /// How much, in which currency.
    pub amount: Money,
    /// Company currency per unit of a foreign currency (none: master data's on the date).
    pub rate: Option<String>,
    /// The bank's reference.
    pub reference: Option<String>,
    /// A note.
    pub memo: Option<String>,
    /// The invoices it settles (at most the amount in all).
    pub allocations: Vec<Allocation>,
}

/// `recordPayment` (see the module header).
pub async fn record(
    w: &Write<'_>,
    id: Option<Uuid>,
    input: NewPayment,
) -> Result<payment::Model, AppError> {
    let customer =
        write::reference_row::<customer::Entity>(w, input.customer_id, "input.customerId").await?;
    let (currency, digits) =
        currency_digits(w, &input.amount.currency, "input.amount.currency").await?;
    let amount_minor = Dec::parse(&input.amount.amount)
        .and_then(|d| d.to_scaled(digits))
        .map_err(|e| AppError::validation("input.amount.amount", e))?;
    if amount_minor <= 0 {
        return Err(AppError::validation(
            "input.amount.amount",
            "a payment is greater than zero",
        ));
    }
    if input.allocations.len() > MAX_ALLOCATIONS {
        return Err(AppError::validation(
            "input.allocations",
            format!("a payment settles at most {MAX_ALLOCATIONS} invoices"),
        ));
    }
    let mut allocations = Vec::with_capacity(input.allocations.len());
    for (i, a) in input.allocations.iter().enumerate() {
        let field = format!("input.allocations[{i}].amount");
        let minor = Dec::parse(&a.amount)
            .and_then(|d| d.to_scaled(digits))
            .map_err(|e| AppError::validation(&field, e))?;
        if minor <= 0 {
            return Err(AppError::validation(
                field,
                "an allocation is greater than zero",
            ));
        }
        if allocations.iter().any(|(id, _)| *id == a.invoice_id) {
            return Err(AppError::validation(
                format!("input.allocations[{i}].invoiceId"),
                "an invoice is named once per payment",
            ));
        }
        allocations.push((a.invoice_id, minor));
    }
    let allocated: i64 = allocations.iter().map(|(_, m)| m).sum();
    if allocated > amount_minor {
        return Err(AppError::validation(
            "input.allocations",
            "the allocations exceed the payment",
        ));
    }
    let rate_micros = rate_of(
        w,
        &currency,
        input.rate.as_deref(),
        input.date,
        "input.rate",
    )
    .await?;
    let (journal_kind, money_role) = match input.method {
        Method::Bank => (JournalKind::Bank, role::BANK),
        Method::Cash => (JournalKind::Cash, role::CASH),
    };
    let journal = ledger::journal_of(w, journal_kind).await?;
    let settings = periods::settings_for_posting(w).await?;
    periods::check_open(w, &settings, input.date)?;
    let now = Utc::now();
    // The number and the posting are set by the update below: left out here, so a replay
    // compares only what the caller gave.
    let row = payment::ActiveModel {
        id: Set(id.unwrap_or_else(Uuid::now_v7)),
        customer_id: Set(customer.id),
        owner_id: Set(customer.owner_id),
        journal_id: Set(journal.id),
        payment_date: Set(input.date),
        currency: Set(currency.clone()),
        amount_minor: Set(amount_minor),
        rate_micros: Set(rate_micros),
        allocated_minor: Set(allocated),
        reference: Set(optional_text(
            input.reference.as_deref(),
            "input.reference",
            200,
        )?),
        memo: Set(optional_text(input.memo.as_deref(), "input.memo", 2000)?),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    let stored = write::insert::<payment::Entity>(w, row, id.is_some()).await?;
    if stored.journal_entry_id.is_some() {
        // A replay of a payment recorded (and posted) before.
        return Ok(stored);
    }
    let open = open_invoices(w, &stored, &allocations).await?;
    let company_digits = ledger::company_digits(w).await?;
    let base = base_currency(w.tx().await?).await?;
    let receivable = accounts::for_role(w, role::RECEIVABLE).await?.id;
    let money_account = accounts::for_role(w, money_role).await?.id;
    let mut lines = Vec::new();
    let mut rows = Vec::with_capacity(open.len());
    for (invoice, minor) in &open {
        if currency == base {
            push_plain(
                &mut lines,
                money_account,
                receivable,
                customer.id,
                *minor,
                None,
            );
        } else {
            lines.extend(
                fx::settlement_lines(
                    w,
                    &Settlement {
                        side: Side::Receivable,
                        control_account: receivable,
                        money_account,
                        currency: currency.clone(),
                        currency_digits: digits,
                        company_digits,
                        amount_minor: *minor,
                        booked_rate_micros: invoice.rate_micros,
                        settled_rate_micros: rate_micros,
                        partner: Partner::Customer(customer.id),
                    },
                )
                .await?,
            );
        }
        let paid = invoice.paid_minor + minor;
        write::update::<invoice::Entity>(
            w,
            invoice,
            invoice::ActiveModel {
                paid_minor: Set(paid),
                status: Set(status_after(invoice.total_minor, paid)),
                ..Default::default()
            },
            invoice.version,
            "pay",
        )
        .await?;
        rows.push(payment_allocation::ActiveModel {
            id: Set(Uuid::now_v7()),
            payment_id: Set(Some(stored.id)),
            credit_note_id: Set(None),
            invoice_id: Set(invoice.id),
            allocated_on: Set(stored.payment_date),
            amount_minor: Set(*minor),
            created_at: Set(now),
        });
    }
    let credit = amount_minor - allocated;
    if credit > 0 {
        // Kept on the receivable as the customer's credit, at the payment's rate.
        let foreign = (currency != base).then(|| (currency.clone(), rate_micros));
        let company = if currency == base {
            credit
        } else {
            i64::try_from(convert_minor(credit, digits, company_digits, rate_micros))
                .map_err(|_| AppError::validation("input.amount", "the amount is too large"))?
        };
        push_plain(
            &mut lines,
            money_account,
            receivable,
            customer.id,
            company,
            foreign.map(|(c, r)| (c, r, credit)),
        );
    }
    if !rows.is_empty() {
        payment_allocation::Entity::insert_many(rows)
            .exec_without_returning(w.tx().await?)
            .await?;
    }
    let year = periods::fiscal_year(&settings, stored.payment_date);
    let number = numbering::format(
        SERIES,
        year,
        numbering::next(w.tx().await?, SERIES, year).await?,
    );
    let entry = ledger::post(
        w,
        None,
        &NewEntry {
            journal_id: journal.id,
            date: stored.payment_date,
            reference: Some(number.clone()),
            source: Some(("payment".to_owned(), stored.id)),
            memo: stored.reference.clone(),
            lines,
        },
    )
    .await?;
    write::update::<payment::Entity>(
        w,
        &stored,
        payment::ActiveModel {
            number: Set(Some(number)),
            journal_entry_id: Set(Some(entry.id)),
            ..Default::default()
        },
        stored.version,
        "post",
    )
    .await
}

/// A money line and a receivable line of `company` minor units of the company currency
/// (`foreign`: the currency, rate and amount they came from).
fn push_plain(
    lines: &mut Vec<NewLine>,
    money_account: Uuid,
    receivable: Uuid,
    customer_id: Uuid,
    company: i64,
    foreign: Option<(String, i64, i64)>,
) {
    let part = |signed: i64| {
        foreign.as_ref().map(|(currency, rate, amount)| Foreign {
            currency: currency.clone(),
            amount_minor: signed * amount,
            rate_micros: *rate,
        })
    };
    lines.push(NewLine {
        account_id: money_account,
        debit_minor: company,
        foreign: part(1),
        ..Default::default()
    });
    lines.push(NewLine {
        account_id: receivable,
        credit_minor: company,
        foreign: part(-1),
        customer_id: Some(customer_id),
        ..Default::default()
    });
}

/// The invoices `allocations` name, each checked: visible to the caller, the payment's
/// customer and currency, posted and open for at least the amount, not dated after it.
async fn open_invoices(
    w: &Write<'_>,
    payment: &payment::Model,
    allocations: &[(Uuid, i64)],
) -> Result<Vec<(invoice::Model, i64)>, AppError> {
    if allocations.is_empty() {
        return Ok(Vec::new());
    }
    let found = scoped::<invoice::Entity>(w.access())?
        .filter(invoice::Column::Id.is_in(allocations.iter().map(|(id, _)| *id)))
        .all(w.tx().await?)
        .await?;
    let mut open = Vec::with_capacity(allocations.len());
    for (i, (id, minor)) in allocations.iter().enumerate() {
        let field = format!("input.allocations[{i}].invoiceId");
        let invoice = found
            .iter()
            .find(|inv| inv.id == *id && inv.kind == InvoiceKind::Invoice)
            .ok_or_else(|| AppError::validation(&field, "no such invoice"))?;
        if invoice.customer_id != payment.customer_id {
            return Err(AppError::validation(
                field,
                "the invoice is another customer's",
            ));
        }
        if invoice.currency != payment.currency {
            return Err(AppError::validation(
                field,
                format!(
                    "the invoice is in {}, the payment in {}",
                    invoice.currency, payment.currency
                ),
            ));
        }
        if invoice.invoice_date > payment.payment_date {
            return Err(AppError::validation(
                field,
                "the invoice is dated after the payment",
            ));
        }
        let number = invoice.number.as_deref().unwrap_or("the draft");
        match invoice.status {
            InvoiceStatus::Draft => {
                return Err(rule(
                    "billing.invoice_not_posted",
                    "a draft is posted before it is paid",
                ));
            }
            InvoiceStatus::Paid => {
                return Err(rule(
                    "billing.overpaid",
                    format!("{number} is paid in full"),
                ));
            }
            InvoiceStatus::Posted | InvoiceStatus::PartiallyPaid => {}
        }
        let due = invoice.total_minor - invoice.paid_minor;
        if *minor > due {
            return Err(rule(
                "billing.overpaid",
                format!(
                    "{number} has {} minor units open; allocate at most that (the rest of the \
                     payment stays as the customer's credit)",
                    due
                ),
            ));
        }
        open.push((invoice.clone(), *minor));
    }
    Ok(open)
}

/// Filter of the payment list.
#[derive(Debug, Default)]
pub struct PaymentFilter {
    /// One customer.
    pub customer_id: Option<Uuid>,
    /// Dated on or after.
    pub date_from: Option<NaiveDate>,
    /// Dated on or before.
    pub date_to: Option<NaiveDate>,
}

/// Payments `access` may see (scope applied), filtered.
pub fn visible(
    access: &Access,
    filter: &PaymentFilter,
) -> Result<Select<payment::Entity>, AppError> {
    let mut query = scoped::<payment::Entity>(access)?;
    if let Some(id) = filter.customer_id {
        query = query.filter(payment::Column::CustomerId.eq(id));
    }
    if let Some(date) = filter.date_from {
        query = query.filter(payment::Column::PaymentDate.gte(date));
    }
    if let Some(date) = filter.date_to {
        query = query.filter(payment::Column::PaymentDate.lte(date));
    }
    Ok(query)
}
