//! The tax engine (the `tax` crate) on the tenant's data: tax rates from master data and the
//! rounding policy from the ledger's settings. Sales and purchasing compute their documents
//! with [`compute`]; `computeTaxes` lets a client preview a document's totals the same way,
//! so a form and the posted invoice never disagree by a cent.

use std::collections::HashMap;

use chrono::NaiveDate;
use entities::finance::ledger_setting;
use entities::master::tax_rate::{self, TaxKind};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::error::AppError;
use crate::modules::master::service::reference::currency_digits_on;
use crate::money::{Dec, MICRO_SCALE};

/// The engine's tax code of a stored rate.
pub fn code_of(rate: &tax_rate::Model) -> tax::TaxCode {
    tax::TaxCode {
        code: rate.code.clone(),
        rate_micros: rate.rate_micros,
        kind: match rate.kind {
            TaxKind::Standard => tax::TaxKind::Standard,
            TaxKind::ZeroRated => tax::TaxKind::ZeroRated,
            TaxKind::Exempt => tax::TaxKind::Exempt,
        },
        inclusive: rate.inclusive,
        compound: rate.compound,
        valid_from: rate.valid_from,
        valid_to: rate.valid_to,
    }
}

/// The tenant's rounding policy, from the ledger's settings.
pub fn policy_of(settings: &ledger_setting::Model) -> tax::Policy {
    tax::Policy {
        level: if settings.tax_rounding == PER_DOCUMENT {
            tax::RoundingLevel::PerDocument
        } else {
            tax::RoundingLevel::PerLine
        },
        mode: if settings.rounding_mode == HALF_EVEN {
            tax::RoundingMode::HalfEven
        } else {
            tax::RoundingMode::HalfUp
        },
        cash_increment_minor: settings.cash_increment_minor,
    }
}

/// `tax_rounding` of a tenant rounding once per document.
pub const PER_DOCUMENT: &str = "PER_DOCUMENT";
/// `tax_rounding` of a tenant rounding each line's tax.
pub const PER_LINE: &str = "PER_LINE";
/// `rounding_mode`: halves away from zero.
pub const HALF_UP: &str = "HALF_UP";
/// `rounding_mode`: halves to even.
pub const HALF_EVEN: &str = "HALF_EVEN";

/// A document line as typed: decimal text, tax rates by id in the order they apply.
#[derive(Clone, Debug, Default)]
pub struct LineInput {
    /// Quantity, e.g. `"2.5"`.
    pub quantity: String,
    /// Price per unit in the document's currency.
    pub unit_price: String,
    /// Line discount in percent.
    pub discount: Option<String>,
    /// Tax rates applied, in order.
    pub tax_rate_ids: Vec<Uuid>,
}

/// A document as typed.
#[derive(Clone, Debug, Default)]
pub struct DocumentInput {
    /// The document's date (tax rates must be valid on it).
    pub date: NaiveDate,
    /// Its currency.
    pub currency: String,
    /// Its lines.
    pub lines: Vec<LineInput>,
    /// A discount on the whole document, in the currency.
    pub discount: Option<String>,
}

/// The most lines one document is computed with.
pub const MAX_LINES: usize = 1_000;

fn micros(text: &str, field: &str) -> Result<i64, AppError> {
    Dec::parse(text)
        .and_then(|d| d.to_scaled(MICRO_SCALE))
        .map_err(|e| AppError::validation(field, e))
}

/// Computes `input` with the tenant's rates and policy (two statements: the rates named and
/// the settings); the totals, in minor units of the returned currency with its digits.
pub async fn compute<C: ConnectionTrait>(
    db: &C,
    input: &DocumentInput,
) -> Result<(tax::Totals, String, u32), AppError> {
    if input.lines.len() > MAX_LINES {
        return Err(AppError::validation(
            "input.lines",
            format!("at most {MAX_LINES} lines"),
        ));
    }
    let (currency, digits) = currency_digits_on(db, &input.currency, "input.currency").await?;
    let ids: Vec<Uuid> = input
        .lines
        .iter()
        .flat_map(|l| l.tax_rate_ids.iter().copied())
        .collect();
    let rates: HashMap<Uuid, tax_rate::Model> = if ids.is_empty() {
        HashMap::new()
    } else {
        tax_rate::Entity::find()
            .filter(tax_rate::Column::Id.is_in(ids))
            .all(db)
            .await?
            .into_iter()
            .map(|r| (r.id, r))
            .collect()
    };
    let settings = ledger_setting::Entity::find()
        .one(db)
        .await?
        .ok_or_else(|| AppError::Internal("the ledger has no settings row".into()))?;
    let mut lines = Vec::with_capacity(input.lines.len());
    for (i, line) in input.lines.iter().enumerate() {
        let at = |name: &str| format!("input.lines[{i}].{name}");
        let mut taxes = Vec::with_capacity(line.tax_rate_ids.len());
        for (j, id) in line.tax_rate_ids.iter().enumerate() {
            let rate = rates.get(id).ok_or_else(|| {
                AppError::validation(at(&format!("taxRateIds[{j}]")), "no such tax rate")
            })?;
            taxes.push(code_of(rate));
        }
        lines.push(tax::Line {
            quantity_micros: micros(&line.quantity, &at("quantity"))?,
            unit_price_micros: micros(&line.unit_price, &at("unitPrice"))?,
            discount_micros: match &line.discount {
                Some(d) => micros(d, &at("discount"))?,
                None => 0,
            },
            taxes,
        });
    }
    let discount_minor = match &input.discount {
        Some(d) => Dec::parse(d)
            .and_then(|v| v.to_scaled(digits))
            .map_err(|e| AppError::validation("input.discount", e))?,
        None => 0,
    };
    let document = tax::Document {
        date: input.date,
        digits,
        policy: policy_of(&settings),
        lines,
        discount_minor,
    };
    let totals = tax::compute(&document).map_err(|e| {
        let field = match e.line() {
            Some(line) => format!("input.lines[{}]", line.saturating_sub(1)),
            None => "input".to_owned(),
        };
        AppError::validation(field, e.to_string())
    })?;
    Ok((totals, currency, digits))
}
