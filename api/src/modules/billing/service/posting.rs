//! Posting an invoice or credit note, all in the caller's one transaction: the lock dates
//! are checked first, the lines are computed again with the rates valid on the document's
//! date (what posts is frozen: later rate changes never touch it), the gapless number is
//! drawn (`INV` or `CN` series per fiscal year), the journal entry is posted through
//! `ledger::post`, and the document becomes `POSTED`. Any refusal rolls all of it back, the
//! number included.
//!
//! The entry, in the company currency (each line keeping its foreign amount and the
//! document's rate): an invoice debits the receivable (the customer on the line) with the
//! total and credits sales with the net, output tax per code, and rounding; a credit note
//! does the reverse and settles its invoice (an allocation dated the credit note's date).
//! Converting each part separately can leave a cent between the receivable and the parts:
//! it goes to the rounding account on a line of its own.
//!
//! An invoice made from a sales order counts on the order's lines in the same transaction
//! (`sales::service::invoicing::posted`), which refuses to bill more than is left; its
//! credit notes give back there what they return (`invoicing::credited`).
//!
//! Posting a posted document returns it unchanged: a retried posting has one effect.

use chrono::Utc;
use entities::billing::invoice::{self, InvoiceKind, InvoiceStatus};
use entities::billing::{invoice_line, invoice_tax, payment_allocation};
use entities::finance::journal::JournalKind;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

use crate::authz::catalog::{INVOICE_POST, INVOICE_READ};
use crate::error::AppError;
use crate::kit::resource::can_read;
use crate::kit::{Write, write};
use crate::modules::billing::service::invoices;
use crate::modules::billing::service::lines::{self, Line};
use crate::modules::billing::service::{rule, status_after};
use crate::modules::finance::seed::role;
use crate::modules::finance::service::ledger::{self, Foreign, NewEntry, NewLine};
use crate::modules::finance::service::{accounts, numbering, periods};
use crate::modules::master::service::reference::{base_currency, currency_digits};
use crate::money::convert_minor;

/// The series of invoice numbers (`INV-2026-000123`).
pub const INVOICE_SERIES: &str = "INV";
/// The series of credit note numbers (`CN-2026-000004`).
pub const CREDIT_NOTE_SERIES: &str = "CN";

/// Document `id` for a holder of `billing.invoice.post`; `NOT_FOUND` when there is none, or
/// when the caller reads invoices at scope `OWN` and it is not theirs. Posting is the
/// accountant's right over every document, as posting journal entries is: it needs no read
/// permission of its own.
async fn for_posting(w: &Write<'_>, id: Uuid) -> Result<invoice::Model, AppError> {
    w.access().require(INVOICE_POST)?;
    invoice::Entity::find_by_id(id)
        .one(w.tx().await?)
        .await?
        .filter(|row| {
            w.access().scope(INVOICE_READ).is_none() || can_read::<invoice::Entity>(w.access(), row)
        })
        .ok_or(AppError::NotFound { entity: "invoice" })
}

/// `amount` minor units of the document's currency in the company currency.
fn company(amount: i64, digits: u32, company_digits: u32, rate: i64) -> Result<i64, AppError> {
    i64::try_from(convert_minor(amount, digits, company_digits, rate))
        .map_err(|_| AppError::validation("input", "the amount is too large"))
}

/// The journal entry of invoice or credit note `doc` with its taxes, numbered `number`.
async fn entry_of(
    w: &Write<'_>,
    doc: &invoice::Model,
    taxes: &[invoice_tax::Model],
    number: &str,
) -> Result<NewEntry, AppError> {
    let (_, digits) = currency_digits(w, &doc.currency, "currency").await?;
    let company_digits = ledger::company_digits(w).await?;
    let foreign_currency = doc.currency != base_currency(w.tx().await?).await?;
    let invoice = doc.kind == InvoiceKind::Invoice;
    let receivable = accounts::for_role(w, role::RECEIVABLE).await?.id;
    let sales = accounts::for_role(w, role::SALES).await?.id;
    let rounding = accounts::for_role(w, role::ROUNDING).await?.id;
    let vat = if taxes.iter().any(|t| t.amount_minor != 0) {
        Some(accounts::for_role(w, role::VAT_OUTPUT).await?.id)
    } else {
        None
    };
    // Parts on the side opposite the receivable: (account, signed amount, label); positive
    // is opposite the receivable (a credit on an invoice).
    let mut parts: Vec<(Uuid, i64, String)> = vec![(sales, doc.subtotal_minor, "Sales".into())];
    for t in taxes.iter().filter(|t| t.amount_minor != 0) {
        parts.push((
            vat.unwrap_or(sales),
            t.amount_minor,
            format!("Tax {}", t.code),
        ));
    }
    parts.push((rounding, doc.rounding_minor, "Rounding".into()));
    let receivable_company = company(doc.total_minor, digits, company_digits, doc.rate_micros)?;
    let foreign = |signed: i64| {
        foreign_currency.then(|| Foreign {
            currency: doc.currency.clone(),
            amount_minor: signed,
            rate_micros: doc.rate_micros,
        })
    };
    // On an invoice the receivable is a debit (positive foreign amount), on a credit note
    // a credit; the parts mirror it.
    let side = |company_amount: i64, on_receivable_side: bool| -> (i64, i64) {
        if on_receivable_side == invoice {
            (company_amount, 0)
        } else {
            (0, company_amount)
        }
    };
    let sign = if invoice { 1 } else { -1 };
    let mut lines = Vec::with_capacity(parts.len() + 2);
    let (debit, credit) = side(receivable_company, true);
    lines.push(NewLine {
        account_id: receivable,
        debit_minor: debit,
        credit_minor: credit,
        foreign: foreign(sign * doc.total_minor),
        customer_id: Some(doc.customer_id),
        label: Some(number.to_owned()),
        ..Default::default()
    });
    let mut opposite = 0i64;
    for (account, amount, label) in parts {
        if amount == 0 {
            continue;
        }
        let value = company(amount.abs(), digits, company_digits, doc.rate_micros)?;
        // A negative part (rounding down) sits on the receivable's side.
        let with_receivable = amount < 0;
        opposite += if with_receivable { -value } else { value };
        let (debit, credit) = side(value, with_receivable);
        let signed = if with_receivable {
            amount.abs()
        } else {
            -amount.abs()
        };
        lines.push(NewLine {
            account_id: account,
            debit_minor: debit,
            credit_minor: credit,
            foreign: foreign(sign * signed),
            label: Some(label),
            ..Default::default()
        });
    }
    let difference = receivable_company - opposite;
    if difference != 0 {
        let (debit, credit) = side(difference.abs(), difference < 0);
        lines.push(NewLine {
            account_id: rounding,
            debit_minor: debit,
            credit_minor: credit,
            label: Some("Currency conversion rounding".into()),
            ..Default::default()
        });
    }
    Ok(NewEntry {
        journal_id: ledger::journal_of(w, JournalKind::Sales).await?.id,
        date: doc.invoice_date,
        reference: Some(number.to_owned()),
        source: Some(("invoice".to_owned(), doc.id)),
        memo: None,
        lines,
    })
}

/// Computes the draft's stored lines again (rates as valid on its date, the policy of now)
/// and rewrites the amounts that changed; returns the taxes to post.
async fn freeze(
    w: &Write<'_>,
    doc: &invoice::Model,
) -> Result<(invoice::ActiveModel, Vec<invoice_tax::Model>), AppError> {
    let stored = lines::stored_lines(w, doc.id).await?;
    let lines: Vec<Line> = stored
        .iter()
        .map(|(l, rates)| Line {
            product_id: l.product_id,
            description: l.description.clone(),
            quantity_micros: l.quantity_micros,
            unit_price_micros: l.unit_price_micros,
            discount_micros: l.discount_micros,
            tax_rate_ids: rates.clone(),
        })
        .collect();
    let (_, digits) = currency_digits(w, &doc.currency, "currency").await?;
    let computed = lines::compute(
        w,
        doc.id,
        doc.invoice_date,
        &doc.currency,
        doc.discount_minor,
        digits,
        &lines,
    )
    .await?;
    let tx = w.tx().await?;
    for ((before, _), now) in stored.iter().zip(&computed.lines) {
        if (before.net_minor, before.tax_minor, before.total_minor)
            != (now.net_minor, now.tax_minor, now.total_minor)
        {
            invoice_line::Entity::update(invoice_line::ActiveModel {
                id: Set(before.id),
                net_minor: Set(now.net_minor),
                tax_minor: Set(now.tax_minor),
                total_minor: Set(now.total_minor),
                ..Default::default()
            })
            .exec(tx)
            .await?;
        }
    }
    let stored_taxes = invoice_tax::Entity::find()
        .filter(invoice_tax::Column::InvoiceId.eq(doc.id))
        .order_by_asc(invoice_tax::Column::Position)
        .all(tx)
        .await?;
    let same_taxes = stored_taxes.len() == computed.taxes.len()
        && stored_taxes.iter().zip(&computed.taxes).all(|(a, b)| {
            invoice_tax::Model {
                id: b.id,
                ..a.clone()
            } == *b
        });
    let taxes = if same_taxes {
        stored_taxes
    } else {
        invoice_tax::Entity::delete_many()
            .filter(invoice_tax::Column::InvoiceId.eq(doc.id))
            .exec(tx)
            .await?;
        lines::insert_taxes(w, &computed.taxes).await?;
        computed.taxes
    };
    let t = &computed.totals;
    let row = invoice::ActiveModel {
        subtotal_minor: Set(t.net_minor),
        tax_minor: Set(t.tax_minor),
        rounding_minor: Set(t.rounding_minor),
        total_minor: Set(t.total_minor),
        ..Default::default()
    };
    Ok((row, taxes))
}

/// `postInvoice`: posts draft invoice or credit note `id` (see the module header).
pub async fn post(w: &Write<'_>, id: Uuid) -> Result<invoice::Model, AppError> {
    let before = for_posting(w, id).await?;
    if before.status != InvoiceStatus::Draft {
        return Ok(before);
    }
    let settings = periods::settings_for_posting(w).await?;
    periods::check_open(w, &settings, before.invoice_date)?;
    let (mut row, taxes) = freeze(w, &before).await?;
    let mut doc = before.clone();
    doc.subtotal_minor = *row.subtotal_minor.as_ref();
    doc.tax_minor = *row.tax_minor.as_ref();
    doc.rounding_minor = *row.rounding_minor.as_ref();
    doc.total_minor = *row.total_minor.as_ref();
    if doc.total_minor <= 0 {
        return Err(rule(
            "billing.empty_document",
            "a document's total is greater than zero",
        ));
    }
    let credited = match doc.credited_invoice_id {
        Some(original) if doc.kind == InvoiceKind::CreditNote => {
            // Locked: two credit notes of one invoice post one after the other, so together
            // they never credit more than its total nor give back more than it billed.
            let original = write::locked::<invoice::Entity>(w, original)
                .await?
                .ok_or(AppError::NotFound { entity: "invoice" })?;
            invoices::check_credit(w, &original, &doc).await?;
            Some(original)
        }
        _ => None,
    };
    let year = periods::fiscal_year(&settings, doc.invoice_date);
    let series = match doc.kind {
        InvoiceKind::Invoice => INVOICE_SERIES,
        InvoiceKind::CreditNote => CREDIT_NOTE_SERIES,
    };
    let number = numbering::format(
        series,
        year,
        numbering::next(w.tx().await?, series, year).await?,
    );
    let entry = entry_of(w, &doc, &taxes, &number).await?;
    let posted = ledger::post(w, None, &entry).await?;
    // A credit note settles what its invoice still owes, up to its own total.
    let mut settled = 0;
    if let Some(original) = credited {
        let open = original.total_minor - original.paid_minor;
        settled = open.min(doc.total_minor);
        if settled > 0 {
            let paid = original.paid_minor + settled;
            write::update::<invoice::Entity>(
                w,
                &original,
                invoice::ActiveModel {
                    paid_minor: Set(paid),
                    status: Set(status_after(original.total_minor, paid)),
                    ..Default::default()
                },
                original.version,
                "credit",
            )
            .await?;
            payment_allocation::Entity::insert(payment_allocation::ActiveModel {
                id: Set(Uuid::now_v7()),
                payment_id: Set(None),
                credit_note_id: Set(Some(doc.id)),
                invoice_id: Set(original.id),
                allocated_on: Set(doc.invoice_date),
                amount_minor: Set(settled),
                created_at: Set(Utc::now()),
            })
            .exec_without_returning(w.tx().await?)
            .await?;
        }
    }
    // An invoice made from a sales order counts on the order's lines; its credit notes give
    // back what they return.
    match doc.kind {
        InvoiceKind::Invoice => crate::modules::sales::service::invoicing::posted(w, &doc).await?,
        InvoiceKind::CreditNote => {
            crate::modules::sales::service::invoicing::credited(w, &doc).await?;
        }
    }
    row.number = Set(Some(number));
    row.fiscal_year = Set(Some(year));
    row.journal_entry_id = Set(Some(posted.id));
    row.posted_at = Set(Some(Utc::now()));
    row.paid_minor = Set(settled);
    row.status = Set(status_after(doc.total_minor, settled));
    write::update::<invoice::Entity>(w, &before, row, before.version, "post").await
}
