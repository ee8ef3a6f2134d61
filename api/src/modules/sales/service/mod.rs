//! Sales' rules and transactions: what quotations and orders share (`prepare`: a
//! document's lines checked and computed by billing's line code and the tax engine),
//! quotations (`quotations`), orders (`orders`) and their credit check (`credit`), invoices made from
//! orders (`invoicing`) and the settings (`settings`).

pub mod credit;
pub mod invoicing;
pub mod orders;
pub mod quotations;
pub mod settings;

use chrono::NaiveDate;
use entities::master::customer;
use uuid::Uuid;

use crate::error::AppError;
use crate::kit::resource::{Resource, new_owner};
use crate::kit::{Write, write};
use crate::modules::billing::service::invoices::rate_of;
use crate::modules::billing::service::lines::{self, NewLine};
use crate::modules::master::service::reference::currency_digits;
use crate::money::{MICRO_SCALE, format_trimmed};

/// A `BUSINESS_RULE` error of sales.
pub(crate) fn rule(rule: &'static str, message: impl Into<String>) -> AppError {
    AppError::BusinessRule {
        rule,
        message: message.into(),
    }
}

/// A line of a quotation or order as stored, before it names its document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct DocLine {
    pub product_id: Option<Uuid>,
    pub description: String,
    pub quantity_micros: i64,
    pub unit_price_micros: i64,
    pub discount_micros: i64,
    pub tax_rate_ids: String,
    pub net_minor: i64,
    pub tax_minor: i64,
    pub total_minor: i64,
}

impl DocLine {
    /// The line as typed again (to copy it to an order or an invoice), for `quantity_micros`.
    pub fn typed(&self, quantity_micros: i64) -> NewLine {
        NewLine {
            product_id: self.product_id,
            description: Some(self.description.clone()),
            quantity: format_trimmed(quantity_micros, MICRO_SCALE),
            unit_price: Some(format_trimmed(self.unit_price_micros, MICRO_SCALE)),
            discount: Some(format_trimmed(self.discount_micros, MICRO_SCALE)),
            tax_rate_ids: Some(rate_ids(&self.tax_rate_ids)),
        }
    }
}

/// The tax rate ids of a stored line, in order.
pub(crate) fn rate_ids(stored: &str) -> Vec<Uuid> {
    stored
        .split_whitespace()
        .filter_map(|id| Uuid::parse_str(id).ok())
        .collect()
}

/// The changes to a draft quotation or order as typed (each `None`: as it is). The draft is
/// computed again with the tax rates valid on its (new) date.
#[derive(Clone, Debug, Default)]
pub struct DraftChanges {
    /// The version read (optimistic locking: another one is a `CONFLICT`).
    pub expected_version: i32,
    /// The document date.
    pub date: Option<NaiveDate>,
    /// Company currency per unit of a foreign currency.
    pub rate: Option<String>,
    /// The note printed on it (empty: none).
    pub memo: Option<String>,
    /// All of its lines, replacing the ones it has.
    pub lines: Option<Vec<NewLine>>,
}

/// Computes draft `before` (of `customer_id`, in `currency` at `rate_micros`, dated `date`,
/// with `stored` lines) again with `changes`: what [`prepare`] makes of it, and the memo.
pub(crate) async fn reprepare<R: Resource>(
    w: &Write<'_>,
    (customer_id, currency, rate_micros, date): (Uuid, &str, i64, NaiveDate),
    stored: Vec<DocLine>,
    changes: DraftChanges,
    memo: Option<String>,
) -> Result<(Prepared, Option<String>), AppError> {
    let lines = match changes.lines {
        Some(lines) => lines,
        None => stored.iter().map(|l| l.typed(l.quantity_micros)).collect(),
    };
    let rate = changes
        .rate
        .unwrap_or_else(|| format_trimmed(rate_micros, MICRO_SCALE));
    let date = changes.date.unwrap_or(date);
    let doc = prepare::<R>(w, customer_id, Some(currency), Some(&rate), date, &lines).await?;
    let memo = match changes.memo {
        Some(m) => crate::modules::common::optional_text(Some(&m), "input.memo", 2000)?,
        None => memo,
    };
    Ok((doc, memo))
}

/// A quotation or order as computed: its customer and owner, currency, rate, totals and
/// lines.
pub(crate) struct Prepared {
    pub customer: customer::Model,
    pub owner_id: Option<Uuid>,
    pub currency: String,
    pub rate_micros: i64,
    pub totals: tax::Totals,
    pub lines: Vec<DocLine>,
}

/// Checks and computes a document of `customer_id` dated `date` (currency: the customer's
/// unless given; a foreign one's rate: given, or master data's on the date). Document `R`
/// belongs to the customer's owner (`kit::resource::new_owner`: with scope `OWN` on `R`'s
/// write permission, only to the caller's own customers, `FORBIDDEN` otherwise).
pub(crate) async fn prepare<R: Resource>(
    w: &Write<'_>,
    customer_id: Uuid,
    currency: Option<&str>,
    rate: Option<&str>,
    date: NaiveDate,
    typed: &[NewLine],
) -> Result<Prepared, AppError> {
    let customer =
        write::reference_row::<customer::Entity>(w, customer_id, "input.customerId").await?;
    let owner_id = new_owner::<R>(w.access(), customer.owner_id)?;
    let wanted = currency.unwrap_or(&customer.currency).to_owned();
    let (currency, digits) = currency_digits(w, &wanted, "input.currency").await?;
    let rate_micros = rate_of(w, &currency, rate, date, "input.rate").await?;
    let checked = lines::check(w, typed, &currency).await?;
    let computed = lines::compute(w, Uuid::nil(), date, &currency, 0, digits, &checked).await?;
    let lines = checked
        .iter()
        .zip(&computed.lines)
        .map(|(l, c)| DocLine {
            product_id: l.product_id,
            description: l.description.clone(),
            quantity_micros: l.quantity_micros,
            unit_price_micros: l.unit_price_micros,
            discount_micros: l.discount_micros,
            tax_rate_ids: l
                .tax_rate_ids
                .iter()
                .map(Uuid::to_string)
                .collect::<Vec<_>>()
                .join(" "),
            net_minor: c.net_minor,
            tax_minor: c.tax_minor,
            total_minor: c.total_minor,
        })
        .collect();
    Ok(Prepared {
        customer,
        owner_id,
        currency,
        rate_micros,
        totals: computed.totals,
        lines,
    })
}
