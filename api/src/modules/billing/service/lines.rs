//! A document's lines: checking them as typed (products' defaults filled in), computing
//! them with the tax engine (`finance::service::taxes::compute`: the tenant's rates and
//! rounding policy) into the rows that are stored (lines, their tax rates in order, the
//! document's taxes per code), and reading them back. Invoices and credit notes share it;
//! posting computes a draft's stored lines again.

use chrono::NaiveDate;
use entities::billing::{invoice_line, invoice_line_tax, invoice_tax};
use entities::master::{product, tax_rate};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::error::AppError;
use crate::kit::Write;
use crate::modules::common::text;
use crate::modules::finance::service::taxes::{self, DocumentInput, LineInput};
use crate::money::{Dec, MICRO_SCALE, format_trimmed};

/// The most lines a document has.
pub const MAX_LINES: usize = 500;

/// A line as typed.
#[derive(Clone, Debug, Default)]
pub struct NewLine {
    /// A product: its name, sale price and tax rate are the defaults of the fields left out.
    pub product_id: Option<Uuid>,
    /// What is sold (required without a product).
    pub description: Option<String>,
    /// Quantity, e.g. `"2.5"`, greater than zero.
    pub quantity: String,
    /// Price per unit in the document's currency (without a product: required).
    pub unit_price: Option<String>,
    /// Discount in percent, 0 to 100.
    pub discount: Option<String>,
    /// Tax rates applied in order (none given: the product's rate, if any).
    pub tax_rate_ids: Option<Vec<Uuid>>,
}

/// A line ready to be computed and stored.
#[derive(Clone, Debug)]
pub(crate) struct Line {
    pub product_id: Option<Uuid>,
    pub description: String,
    pub quantity_micros: i64,
    pub unit_price_micros: i64,
    pub discount_micros: i64,
    pub tax_rate_ids: Vec<Uuid>,
}

/// The rows a document's computation gives: lines with their amounts and tax rates, and the
/// taxes per code.
pub(crate) struct Computed {
    pub totals: tax::Totals,
    pub lines: Vec<invoice_line::Model>,
    pub line_taxes: Vec<invoice_line_tax::Model>,
    pub taxes: Vec<invoice_tax::Model>,
}

fn line_field(i: usize, name: &str) -> String {
    format!("input.lines[{i}].{name}")
}

pub(crate) fn micros(text: &str, field: &str) -> Result<i64, AppError> {
    Dec::parse(text)
        .and_then(|d| d.to_scaled(MICRO_SCALE))
        .map_err(|e| AppError::validation(field, e))
}

/// Checks the typed lines and fills in the products' defaults (one statement for all
/// products named).
pub(crate) async fn check(
    w: &Write<'_>,
    input: &[NewLine],
    currency: &str,
) -> Result<Vec<Line>, AppError> {
    if input.is_empty() {
        return Err(AppError::validation(
            "input.lines",
            "a document has one line or more",
        ));
    }
    if input.len() > MAX_LINES {
        return Err(AppError::validation(
            "input.lines",
            format!("a document has at most {MAX_LINES} lines"),
        ));
    }
    let ids: Vec<Uuid> = input.iter().filter_map(|l| l.product_id).collect();
    let products: Vec<product::Model> = if ids.is_empty() {
        Vec::new()
    } else {
        product::Entity::find()
            .filter(product::Column::Id.is_in(ids))
            .all(w.tx().await?)
            .await?
    };
    let mut lines = Vec::with_capacity(input.len());
    for (i, l) in input.iter().enumerate() {
        let product = match l.product_id {
            Some(id) => Some(
                products
                    .iter()
                    .find(|p| p.id == id && p.is_active)
                    .ok_or_else(|| {
                        AppError::validation(line_field(i, "productId"), "no such product")
                    })?,
            ),
            None => None,
        };
        let description = match (&l.description, product) {
            (Some(d), _) => text(d, &line_field(i, "description"), 500)?,
            (None, Some(p)) => p.name.clone(),
            (None, None) => {
                return Err(AppError::validation(
                    line_field(i, "description"),
                    "a line without a product needs a description",
                ));
            }
        };
        let quantity_micros = micros(&l.quantity, &line_field(i, "quantity"))?;
        if quantity_micros <= 0 {
            return Err(AppError::validation(
                line_field(i, "quantity"),
                "a quantity is greater than zero",
            ));
        }
        let unit_price_micros = match (&l.unit_price, product) {
            (Some(p), _) => micros(p, &line_field(i, "unitPrice"))?,
            (None, Some(p)) if p.currency == currency => p.sale_price_micros,
            (None, Some(p)) => {
                return Err(AppError::validation(
                    line_field(i, "unitPrice"),
                    format!(
                        "the product is priced in {}, the document in {currency}: give the price",
                        p.currency
                    ),
                ));
            }
            (None, None) => {
                return Err(AppError::validation(
                    line_field(i, "unitPrice"),
                    "a line without a product needs a unit price",
                ));
            }
        };
        if unit_price_micros < 0 {
            return Err(AppError::validation(
                line_field(i, "unitPrice"),
                "a unit price is not negative (a credit note corrects an invoice)",
            ));
        }
        let discount_micros = match &l.discount {
            Some(d) => micros(d, &line_field(i, "discount"))?,
            None => 0,
        };
        if !(0..=100 * 1_000_000).contains(&discount_micros) {
            return Err(AppError::validation(
                line_field(i, "discount"),
                "a discount is between 0 and 100 percent",
            ));
        }
        let tax_rate_ids = match (&l.tax_rate_ids, product) {
            (Some(ids), _) => ids.clone(),
            (None, Some(p)) => p.tax_rate_id.into_iter().collect(),
            (None, None) => Vec::new(),
        };
        if tax_rate_ids.len() > 5 {
            return Err(AppError::validation(
                line_field(i, "taxRateIds"),
                "a line applies at most 5 tax rates",
            ));
        }
        lines.push(Line {
            product_id: l.product_id,
            description,
            quantity_micros,
            unit_price_micros,
            discount_micros,
            tax_rate_ids,
        });
    }
    Ok(lines)
}

/// Computes `lines` of document `invoice_id` dated `date` in `currency` with the tenant's
/// rates and policy, as the rows to store (new ids).
pub(crate) async fn compute(
    w: &Write<'_>,
    invoice_id: Uuid,
    date: NaiveDate,
    currency: &str,
    discount_minor: i64,
    digits: u32,
    lines: &[Line],
) -> Result<Computed, AppError> {
    let input = DocumentInput {
        date,
        currency: currency.to_owned(),
        lines: lines
            .iter()
            .map(|l| LineInput {
                quantity: format_trimmed(l.quantity_micros, MICRO_SCALE),
                unit_price: format_trimmed(l.unit_price_micros, MICRO_SCALE),
                discount: Some(format_trimmed(l.discount_micros, MICRO_SCALE)),
                tax_rate_ids: l.tax_rate_ids.clone(),
            })
            .collect(),
        discount: (discount_minor != 0).then(|| format_trimmed(discount_minor, digits)),
    };
    let (totals, _, _) = taxes::compute(w.tx().await?, &input).await?;
    let mut rows = Vec::with_capacity(lines.len());
    let mut line_taxes = Vec::new();
    for (i, (line, t)) in lines.iter().zip(&totals.lines).enumerate() {
        let id = Uuid::now_v7();
        rows.push(invoice_line::Model {
            id,
            invoice_id,
            line_no: i32::try_from(i + 1).unwrap_or(i32::MAX),
            product_id: line.product_id,
            description: line.description.clone(),
            quantity_micros: line.quantity_micros,
            unit_price_micros: line.unit_price_micros,
            discount_micros: line.discount_micros,
            net_minor: t.net_minor,
            tax_minor: t.taxes.iter().map(|x| x.amount_minor).sum(),
            total_minor: t.total_minor,
        });
        for (position, rate) in line.tax_rate_ids.iter().enumerate() {
            line_taxes.push(invoice_line_tax::Model {
                id: Uuid::now_v7(),
                line_id: id,
                position: i32::try_from(position).unwrap_or(i32::MAX),
                tax_rate_id: *rate,
            });
        }
    }
    // The engine names taxes by code; the rates' ids come from the lines that use them.
    let rates: Vec<tax_rate::Model> = {
        let ids: Vec<Uuid> = lines
            .iter()
            .flat_map(|l| l.tax_rate_ids.iter().copied())
            .collect();
        if ids.is_empty() {
            Vec::new()
        } else {
            tax_rate::Entity::find()
                .filter(tax_rate::Column::Id.is_in(ids))
                .all(w.tx().await?)
                .await?
        }
    };
    let mut taxes = Vec::with_capacity(totals.taxes.len());
    for (position, t) in totals.taxes.iter().enumerate() {
        let rate = rates
            .iter()
            .find(|r| r.code == t.code)
            .ok_or_else(|| AppError::Internal(format!("tax {} without its rate", t.code)))?;
        taxes.push(invoice_tax::Model {
            id: Uuid::now_v7(),
            invoice_id,
            position: i32::try_from(position).unwrap_or(i32::MAX),
            tax_rate_id: rate.id,
            code: t.code.clone(),
            kind: match t.kind {
                tax::TaxKind::Standard => "STANDARD",
                tax::TaxKind::ZeroRated => "ZERO_RATED",
                tax::TaxKind::Exempt => "EXEMPT",
            }
            .to_owned(),
            rate_micros: t.rate_micros,
            base_minor: t.base_minor,
            amount_minor: t.amount_minor,
        });
    }
    Ok(Computed {
        totals,
        lines: rows,
        line_taxes,
        taxes,
    })
}

/// Inserts the computed rows of a new document (its lines, their tax rates, its taxes).
pub(crate) async fn insert_rows(w: &Write<'_>, computed: &Computed) -> Result<(), AppError> {
    let tx = w.tx().await?;
    invoice_line::Entity::insert_many(
        computed
            .lines
            .iter()
            .cloned()
            .map(invoice_line::ActiveModel::from),
    )
    .exec_without_returning(tx)
    .await?;
    if !computed.line_taxes.is_empty() {
        invoice_line_tax::Entity::insert_many(
            computed
                .line_taxes
                .iter()
                .cloned()
                .map(invoice_line_tax::ActiveModel::from),
        )
        .exec_without_returning(tx)
        .await?;
    }
    insert_taxes(w, &computed.taxes).await
}

/// Inserts a document's taxes per code.
pub(crate) async fn insert_taxes(
    w: &Write<'_>,
    taxes: &[invoice_tax::Model],
) -> Result<(), AppError> {
    if !taxes.is_empty() {
        invoice_tax::Entity::insert_many(taxes.iter().cloned().map(invoice_tax::ActiveModel::from))
            .exec_without_returning(w.tx().await?)
            .await?;
    }
    Ok(())
}

/// The stored lines of document `id` in order, each with its tax rates in order.
pub(crate) async fn stored_lines(
    w: &Write<'_>,
    id: Uuid,
) -> Result<Vec<(invoice_line::Model, Vec<Uuid>)>, AppError> {
    let tx = w.tx().await?;
    let lines = invoice_line::Entity::find()
        .filter(invoice_line::Column::InvoiceId.eq(id))
        .order_by_asc(invoice_line::Column::LineNo)
        .all(tx)
        .await?;
    let taxes = invoice_line_tax::Entity::find()
        .filter(invoice_line_tax::Column::LineId.is_in(lines.iter().map(|l| l.id)))
        .order_by_asc(invoice_line_tax::Column::Position)
        .all(tx)
        .await?;
    Ok(lines
        .into_iter()
        .map(|l| {
            let rates = taxes
                .iter()
                .filter(|t| t.line_id == l.id)
                .map(|t| t.tax_rate_id)
                .collect();
            (l, rates)
        })
        .collect())
}

/// Two lines with the same content (ids aside).
pub(crate) fn same_line(a: &invoice_line::Model, b: &invoice_line::Model) -> bool {
    invoice_line::Model {
        id: b.id,
        invoice_id: b.invoice_id,
        ..a.clone()
    } == *b
}
