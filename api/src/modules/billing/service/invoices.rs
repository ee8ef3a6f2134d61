//! Invoices and credit notes as drafts: created with their lines (checked and computed by
//! `service::lines`), listed and deleted while drafts. Posting is `service::posting`.
//!
//! A line gives a product (its name, sale price and tax rate are the defaults) or a free
//! description; a quantity, a unit price, a discount in percent and the tax rates it
//! applies, in order. The document may carry a discount in its currency, spread over the
//! lines by the engine. The currency is the customer's unless given; a foreign one needs a
//! rate (given, or master data's rate on the document's date), kept on the document.

use chrono::{Duration, NaiveDate, Utc};
use entities::billing::invoice::{self, InvoiceKind, InvoiceStatus};
use entities::master::{customer, payment_term};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Select, Set};
use uuid::Uuid;

use crate::authz::Access;
use crate::error::AppError;
use crate::kit::resource::visible as scoped;
use crate::kit::{Write, write};
use crate::modules::billing::service::lines::{self, micros};
pub use crate::modules::billing::service::lines::{MAX_LINES, NewLine};
use crate::modules::billing::service::rule;
use crate::modules::common::optional_text;
use crate::modules::master::service::reference::{base_currency, currency_digits, rate_on};
use crate::money::{Dec, MICRO_SCALE, format_trimmed};

/// An invoice or credit note as typed.
#[derive(Clone, Debug, Default)]
pub struct NewInvoice {
    /// The customer.
    pub customer_id: Uuid,
    /// The document date.
    pub date: NaiveDate,
    /// When it falls due (none: the date plus the customer's payment term, or the date).
    pub due_date: Option<NaiveDate>,
    /// The currency (none: the customer's).
    pub currency: Option<String>,
    /// Company currency per unit of a foreign currency (none: master data's on the date).
    pub rate: Option<String>,
    /// A discount on the whole document, in its currency.
    pub discount: Option<String>,
    /// A note printed on it.
    pub memo: Option<String>,
    /// One line or more.
    pub lines: Vec<NewLine>,
}

/// The company currency per unit of `currency` on `date`: 1 for the company currency, the
/// typed rate, or master data's.
pub(crate) async fn rate_of(
    w: &Write<'_>,
    currency: &str,
    typed: Option<&str>,
    date: NaiveDate,
    field: &str,
) -> Result<i64, AppError> {
    let base = base_currency(w.tx().await?).await?;
    if currency == base {
        if typed.is_some_and(|r| micros(r, field).ok() != Some(1_000_000)) {
            return Err(AppError::validation(
                field,
                "the company currency's rate is 1",
            ));
        }
        return Ok(1_000_000);
    }
    let rate = match typed {
        Some(r) => micros(r, field)?,
        None => rate_on(w.tx().await?, currency, date)
            .await?
            .ok_or_else(|| {
                AppError::validation(
                    field,
                    format!("no rate of {currency} on or before {date}; give one"),
                )
            })?,
    };
    if rate <= 0 {
        return Err(AppError::validation(field, "a rate is greater than zero"));
    }
    Ok(rate)
}

/// The draft document's row and computed rows for `input` (`credited`: the invoice a credit
/// note corrects).
async fn draft(
    w: &Write<'_>,
    id: Option<Uuid>,
    kind: InvoiceKind,
    input: NewInvoice,
    credited: Option<&invoice::Model>,
) -> Result<invoice::Model, AppError> {
    let customer =
        write::reference_row::<customer::Entity>(w, input.customer_id, "input.customerId").await?;
    let currency_typed = input
        .currency
        .clone()
        .unwrap_or_else(|| customer.currency.clone());
    let (currency, digits) = currency_digits(w, &currency_typed, "input.currency").await?;
    let rate_micros = match credited {
        // A credit note reverses its invoice at the invoice's rate.
        Some(original) if input.rate.is_none() && original.currency == currency => {
            original.rate_micros
        }
        _ => {
            rate_of(
                w,
                &currency,
                input.rate.as_deref(),
                input.date,
                "input.rate",
            )
            .await?
        }
    };
    let discount_minor = match &input.discount {
        Some(d) => Dec::parse(d)
            .and_then(|v| v.to_scaled(digits))
            .map_err(|e| AppError::validation("input.discount", e))?,
        None => 0,
    };
    if discount_minor < 0 {
        return Err(AppError::validation(
            "input.discount",
            "a discount is not negative",
        ));
    }
    let due_date = match input.due_date {
        Some(due) if due < input.date => {
            return Err(AppError::validation(
                "input.dueDate",
                "a document falls due on or after its date",
            ));
        }
        Some(due) => due,
        None => match customer.payment_term_id {
            Some(term) => {
                let days = payment_term::Entity::find_by_id(term)
                    .one(w.tx().await?)
                    .await?
                    .map_or(0, |t| t.due_days);
                input.date + Duration::days(i64::from(days.max(0)))
            }
            None => input.date,
        },
    };
    let lines = lines::check(w, &input.lines, &currency).await?;
    let invoice_id = id.unwrap_or_else(Uuid::now_v7);
    let computed = lines::compute(
        w,
        invoice_id,
        input.date,
        &currency,
        discount_minor,
        digits,
        &lines,
    )
    .await?;
    let now = Utc::now();
    let t = &computed.totals;
    let row = invoice::ActiveModel {
        id: Set(invoice_id),
        kind: Set(kind),
        number: Set(None),
        customer_id: Set(customer.id),
        owner_id: Set(customer.owner_id),
        status: Set(InvoiceStatus::Draft),
        invoice_date: Set(input.date),
        due_date: Set(due_date),
        currency: Set(currency),
        rate_micros: Set(rate_micros),
        discount_minor: Set(discount_minor),
        subtotal_minor: Set(t.net_minor),
        tax_minor: Set(t.tax_minor),
        rounding_minor: Set(t.rounding_minor),
        total_minor: Set(t.total_minor),
        paid_minor: Set(0),
        credited_invoice_id: Set(credited.map(|c| c.id)),
        journal_entry_id: Set(None),
        fiscal_year: Set(None),
        memo: Set(optional_text(input.memo.as_deref(), "input.memo", 2000)?),
        posted_at: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let stored = write::insert::<invoice::Entity>(w, row, id.is_some()).await?;
    if id.is_some() {
        // A replay the kit matched column by column: its lines must match too (a stored
        // document always has its lines, written in its own transaction).
        let before = lines::stored_lines(w, stored.id).await?;
        if !before.is_empty() {
            let same = before.len() == computed.lines.len()
                && before
                    .iter()
                    .zip(lines.iter().zip(&computed.lines))
                    .all(|((b, rates), (l, c))| lines::same_line(b, c) && *rates == l.tax_rate_ids);
            if !same {
                return Err(AppError::Conflict(
                    "a document with this id exists with other lines".into(),
                ));
            }
            return Ok(stored);
        }
    }
    lines::insert_rows(w, &computed).await?;
    Ok(stored)
}

/// `createInvoice`: a draft invoice (no number, not in the ledger). Repeating it with the
/// same `id` and content returns the same draft.
pub async fn create(
    w: &Write<'_>,
    id: Option<Uuid>,
    input: NewInvoice,
) -> Result<invoice::Model, AppError> {
    draft(w, id, InvoiceKind::Invoice, input, None).await
}

/// `createCreditNote`: a draft credit note correcting posted invoice `invoice_id` (same
/// customer and currency; its lines as typed, or all of the invoice's when none are given).
/// Its total may not exceed what the invoice's earlier credit notes left
/// (`billing.credit_exceeds_invoice`, checked again when it posts).
pub async fn create_credit_note(
    w: &Write<'_>,
    id: Option<Uuid>,
    invoice_id: Uuid,
    date: NaiveDate,
    lines: Option<Vec<NewLine>>,
    memo: Option<String>,
) -> Result<invoice::Model, AppError> {
    let original = write::reference_row::<invoice::Entity>(w, invoice_id, "input.invoiceId")
        .await
        .and_then(|i| {
            if i.kind == InvoiceKind::Invoice && i.status != InvoiceStatus::Draft {
                Ok(i)
            } else {
                Err(rule(
                    "billing.credit_needs_posted_invoice",
                    "a credit note corrects a posted invoice",
                ))
            }
        })?;
    if date < original.invoice_date {
        return Err(AppError::validation(
            "input.date",
            "a credit note is dated on or after its invoice",
        ));
    }
    let whole = lines.is_none();
    let lines = match lines {
        Some(lines) => lines,
        None => lines::stored_lines(w, original.id)
            .await?
            .into_iter()
            .map(|(l, rates)| NewLine {
                product_id: l.product_id,
                description: Some(l.description),
                quantity: format_trimmed(l.quantity_micros, MICRO_SCALE),
                unit_price: Some(format_trimmed(l.unit_price_micros, MICRO_SCALE)),
                discount: Some(format_trimmed(l.discount_micros, MICRO_SCALE)),
                tax_rate_ids: Some(rates),
            })
            .collect(),
    };
    let (_, digits) = currency_digits(w, &original.currency, "input.invoiceId").await?;
    let input = NewInvoice {
        customer_id: original.customer_id,
        date,
        due_date: Some(date),
        currency: Some(original.currency.clone()),
        rate: None,
        // An invoice credited whole carries its discount over.
        discount: (whole && original.discount_minor != 0)
            .then(|| format_trimmed(original.discount_minor, digits)),
        memo,
        lines,
    };
    let note = draft(w, id, InvoiceKind::CreditNote, input, Some(&original)).await?;
    check_credit(w, &original, &note).await?;
    Ok(note)
}

/// Refuses credit note `note` when, with the invoice's other credit notes (drafts aside),
/// it would credit more than the invoice's total.
pub(crate) async fn check_credit(
    w: &Write<'_>,
    original: &invoice::Model,
    note: &invoice::Model,
) -> Result<(), AppError> {
    let others: i64 = invoice::Entity::find()
        .filter(invoice::Column::CreditedInvoiceId.eq(original.id))
        .filter(invoice::Column::Id.ne(note.id))
        .filter(invoice::Column::Status.ne(InvoiceStatus::Draft))
        .all(w.tx().await?)
        .await?
        .iter()
        .map(|n| n.total_minor)
        .sum();
    if others + note.total_minor > original.total_minor {
        return Err(rule(
            "billing.credit_exceeds_invoice",
            format!(
                "the invoice's credit notes would credit more than its total ({} minor units left)",
                original.total_minor - others
            ),
        ));
    }
    Ok(())
}

/// `deleteInvoice`: removes a draft with its lines (audited as `delete`). A posted document
/// stays (`billing.posted_immutable`): a credit note corrects it.
pub async fn delete_draft(w: &Write<'_>, id: Uuid) -> Result<invoice::Model, AppError> {
    let before = write::find_for_write::<invoice::Entity>(w, id).await?;
    if before.status != InvoiceStatus::Draft {
        return Err(rule(
            "billing.posted_immutable",
            format!(
                "{} is posted; a credit note corrects it",
                before.number.as_deref().unwrap_or_default()
            ),
        ));
    }
    write::delete::<invoice::Entity>(w, &before).await?;
    Ok(before)
}

/// Filter of the invoice list.
#[derive(Debug, Default)]
pub struct InvoiceFilter {
    /// These statuses only.
    pub status: Vec<InvoiceStatus>,
    /// Invoices or credit notes only.
    pub kind: Vec<InvoiceKind>,
    /// One customer.
    pub customer_id: Option<Uuid>,
    /// Dated on or after.
    pub date_from: Option<NaiveDate>,
    /// Dated on or before.
    pub date_to: Option<NaiveDate>,
    /// Posted, not fully paid and due before this date.
    pub overdue_on: Option<NaiveDate>,
}

/// Documents `access` may see (scope applied), filtered.
pub fn visible(
    access: &Access,
    filter: &InvoiceFilter,
) -> Result<Select<invoice::Entity>, AppError> {
    let mut query = scoped::<invoice::Entity>(access)?;
    if !filter.status.is_empty() {
        query = query.filter(invoice::Column::Status.is_in(filter.status.iter().copied()));
    }
    if !filter.kind.is_empty() {
        query = query.filter(invoice::Column::Kind.is_in(filter.kind.iter().copied()));
    }
    if let Some(id) = filter.customer_id {
        query = query.filter(invoice::Column::CustomerId.eq(id));
    }
    if let Some(date) = filter.date_from {
        query = query.filter(invoice::Column::InvoiceDate.gte(date));
    }
    if let Some(date) = filter.date_to {
        query = query.filter(invoice::Column::InvoiceDate.lte(date));
    }
    if let Some(date) = filter.overdue_on {
        query = query
            .filter(invoice::Column::Kind.eq(InvoiceKind::Invoice))
            .filter(
                invoice::Column::Status
                    .is_in([InvoiceStatus::Posted, InvoiceStatus::PartiallyPaid]),
            )
            .filter(invoice::Column::DueDate.lt(date));
    }
    Ok(query)
}
