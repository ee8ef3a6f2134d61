//! What goes on a printed invoice or quotation: the rows read under the caller's rights, then
//! formatted for a reader into a [`Document`] for the renderer.
//!
//! The document is read exactly as `invoice(id:)` / `quotation(id:)` would read it (the kit's
//! `read::get`: permission and scope), so a link never shows what the API would hide. The
//! customer's name and address are printed only when the caller may read the customer, as the
//! `customer` field would answer `null`.

use entities::billing::invoice::{self, InvoiceKind, InvoiceStatus};
use entities::billing::{invoice_line, invoice_tax};
use entities::master::{currency, customer};
use entities::sales::quotation::{self, QuotationStatus};
use entities::sales::quotation_line;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::authz::Access;
use crate::documents::pdf::{Document, Line};
use crate::error::AppError;
use crate::kit::read::get;
use crate::modules::master::seed::iso_minor_digits;
use crate::money::{MICRO_SCALE, format_fixed, format_trimmed};
use crate::tenancy::pools::TenantDb;

/// The printable invoice or credit note `id`, or `NOT_FOUND` when `access` may not read it.
pub async fn invoice(db: &TenantDb, access: &Access, id: Uuid) -> Result<Document, AppError> {
    let row = get::<invoice::Entity, _>(db.conn(), access, id)
        .await?
        .ok_or(AppError::NotFound { entity: "invoice" })?;
    let lines = invoice_line::Entity::find()
        .filter(invoice_line::Column::InvoiceId.eq(id))
        .order_by_asc(invoice_line::Column::LineNo)
        .all(db.conn())
        .await?;
    let taxes = invoice_tax::Entity::find()
        .filter(invoice_tax::Column::InvoiceId.eq(id))
        .order_by_asc(invoice_tax::Column::Code)
        .all(db.conn())
        .await?;
    let digits = minor_digits(db, &row.currency).await?;
    let amount = |minor: i64| format_fixed(minor, digits);
    let title = match row.kind {
        InvoiceKind::Invoice => "Invoice",
        InvoiceKind::CreditNote => "Credit note",
    };
    let status = match row.status {
        InvoiceStatus::Draft => "Draft (not valid as an invoice)",
        InvoiceStatus::Posted => "Posted",
        InvoiceStatus::PartiallyPaid => "Partially paid",
        InvoiceStatus::Paid => "Paid",
    };
    let due = if row.status == InvoiceStatus::Draft {
        0
    } else {
        row.total_minor - row.paid_minor
    };
    let mut facts = vec![
        ("Date".to_owned(), row.invoice_date.to_string()),
        ("Due date".to_owned(), row.due_date.to_string()),
        ("Currency".to_owned(), row.currency.clone()),
        ("Status".to_owned(), status.to_owned()),
    ];
    if let Some(credited) = row.credited_invoice_id
        && let Some(original) = get::<invoice::Entity, _>(db.conn(), access, credited).await?
    {
        facts.push((
            "Corrects".to_owned(),
            original.number.unwrap_or_else(|| "a draft".to_owned()),
        ));
    }
    let mut totals = vec![("Subtotal".to_owned(), amount(row.subtotal_minor))];
    if row.discount_minor != 0 {
        totals.insert(
            0,
            ("Document discount".to_owned(), amount(row.discount_minor)),
        );
    }
    totals.push(("Tax".to_owned(), amount(row.tax_minor)));
    if row.rounding_minor != 0 {
        totals.push(("Rounding".to_owned(), amount(row.rounding_minor)));
    }
    totals.push((
        "Total".to_owned(),
        format!("{} {}", row.currency, amount(row.total_minor)),
    ));
    let emphasis = Some(totals.len() - 1);
    if row.paid_minor != 0 {
        totals.push(("Paid".to_owned(), amount(row.paid_minor)));
    }
    totals.push(("Amount due".to_owned(), amount(due)));
    Ok(Document {
        title: title.to_owned(),
        number: row.number.unwrap_or_else(|| "Draft".to_owned()),
        issuer: db.tenant().name.clone(),
        recipient: recipient(db, access, row.customer_id).await?,
        facts,
        lines: lines
            .iter()
            .map(|l| {
                line(
                    &l.description,
                    l.quantity_micros,
                    l.unit_price_micros,
                    l.discount_micros,
                    amount(l.net_minor),
                    digits,
                )
            })
            .collect(),
        taxes: taxes
            .iter()
            .map(|t| {
                (
                    format!(
                        "{} {} % on {}",
                        t.code,
                        format_trimmed(t.rate_micros, MICRO_SCALE),
                        amount(t.base_minor)
                    ),
                    amount(t.amount_minor),
                )
            })
            .collect(),
        totals,
        emphasis,
        note: row.memo,
    })
}

/// The printable quotation `id`, or `NOT_FOUND` when `access` may not read it.
pub async fn quotation(db: &TenantDb, access: &Access, id: Uuid) -> Result<Document, AppError> {
    let row = get::<quotation::Entity, _>(db.conn(), access, id)
        .await?
        .ok_or(AppError::NotFound {
            entity: "quotation",
        })?;
    let lines = quotation_line::Entity::find()
        .filter(quotation_line::Column::QuotationId.eq(id))
        .order_by_asc(quotation_line::Column::LineNo)
        .all(db.conn())
        .await?;
    let digits = minor_digits(db, &row.currency).await?;
    let amount = |minor: i64| format_fixed(minor, digits);
    let status = match row.status {
        QuotationStatus::Draft => "Draft",
        QuotationStatus::Sent => "Sent",
        QuotationStatus::Accepted => "Accepted",
        QuotationStatus::Rejected => "Rejected",
        QuotationStatus::Expired => "Expired",
    };
    let mut totals = vec![
        ("Subtotal".to_owned(), amount(row.subtotal_minor)),
        ("Tax".to_owned(), amount(row.tax_minor)),
    ];
    if row.rounding_minor != 0 {
        totals.push(("Rounding".to_owned(), amount(row.rounding_minor)));
    }
    totals.push((
        "Total".to_owned(),
        format!("{} {}", row.currency, amount(row.total_minor)),
    ));
    let emphasis = Some(totals.len() - 1);
    Ok(Document {
        title: "Quotation".to_owned(),
        number: row.number.unwrap_or_else(|| "Draft".to_owned()),
        issuer: db.tenant().name.clone(),
        recipient: recipient(db, access, row.customer_id).await?,
        facts: vec![
            ("Date".to_owned(), row.quotation_date.to_string()),
            ("Valid until".to_owned(), row.valid_until.to_string()),
            ("Currency".to_owned(), row.currency.clone()),
            ("Status".to_owned(), status.to_owned()),
        ],
        lines: lines
            .iter()
            .map(|l| {
                line(
                    &l.description,
                    l.quantity_micros,
                    l.unit_price_micros,
                    l.discount_micros,
                    amount(l.net_minor),
                    digits,
                )
            })
            .collect(),
        taxes: Vec::new(),
        totals,
        emphasis,
        note: row.memo,
    })
}

/// The customer's name and billing address, when `access` may read the customer.
async fn recipient(db: &TenantDb, access: &Access, id: Uuid) -> Result<Vec<String>, AppError> {
    let row = match get::<customer::Entity, _>(db.conn(), access, id).await {
        Ok(row) => row,
        Err(AppError::Forbidden { .. }) => None,
        Err(e) => return Err(e),
    };
    let Some(row) = row else {
        return Ok(vec!["(customer not visible to you)".to_owned()]);
    };
    let mut lines = vec![row.name];
    if let Some(address) = row.billing_address {
        lines.extend(address.lines().map(str::to_owned));
    }
    if let Some(tax_id) = row.tax_id {
        lines.push(format!("Tax id {tax_id}"));
    }
    Ok(lines)
}

/// A printed line: quantity as entered, the price with at least the currency's decimals.
fn line(
    description: &str,
    quantity_micros: i64,
    unit_price_micros: i64,
    discount_micros: i64,
    net: String,
    digits: u32,
) -> Line {
    let digits = digits.min(MICRO_SCALE);
    let price = format_trimmed(unit_price_micros, MICRO_SCALE);
    let decimals = price.split_once('.').map_or(0, |(_, d)| d.len());
    let unit_price = if decimals < digits as usize {
        format_fixed(unit_price_micros / 10i64.pow(MICRO_SCALE - digits), digits)
    } else {
        price
    };
    Line {
        description: description.to_owned(),
        quantity: format_trimmed(quantity_micros, MICRO_SCALE),
        unit_price,
        discount: if discount_micros == 0 {
            String::new()
        } else {
            format!("{} %", format_trimmed(discount_micros, MICRO_SCALE))
        },
        net,
    }
}

/// The decimals of `code` (ISO 4217, else the tenant's currency table).
async fn minor_digits(db: &TenantDb, code: &str) -> Result<u32, AppError> {
    if let Some(digits) = iso_minor_digits(code) {
        return Ok(digits);
    }
    let currencies = db.cache().table::<currency::Entity, _>(db.conn()).await?;
    Ok(currencies
        .iter()
        .find(|c| c.code == code)
        .map_or(2, |c| u32::try_from(c.minor_digits).unwrap_or(2)))
}
