//! Reference data: currencies, dated exchange rates, units, tax rates, payment terms, product
//! categories, warehouses.
//!
//! Tax rates, payment terms, categories, warehouses and exchange rates are kit resources
//! (`crate::kit`): reads start from `kit::resource::visible`, creates go through
//! `kit::write::insert` (a unique code or name taken, also by a concurrent create, is a
//! `CONFLICT`, never `INTERNAL`), and every audit entry is the row diff. These tables have no
//! `version` column, so the one change there is (an exchange rate set again for its date) is
//! written here and audited with `kit::audit::diff`.

use chrono::{NaiveDate, Utc};
use entities::master::{
    currency, exchange_rate, payment_term, product_category, tax_rate, unit_of_measure, warehouse,
};
use entities::platform::tenant_setting;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Select,
    Set,
};
use uuid::Uuid;

use crate::authz::Access;
use crate::authz::catalog::{DATA_READ, DATA_WRITE};
use crate::error::AppError;
use crate::kit::audit::diff;
use crate::kit::resource::visible;
use crate::kit::{Write, write};
use crate::modules::common::text;
use crate::modules::master::seed::BASE_CURRENCY_KEY;
use crate::money::{Dec, MICRO_SCALE};

/// Active currencies, by code.
pub async fn currencies<C: ConnectionTrait>(
    db: &C,
    access: &Access,
) -> Result<Vec<currency::Model>, AppError> {
    access.require(DATA_READ)?;
    Ok(currency::Entity::find()
        .filter(currency::Column::IsActive.eq(true))
        .order_by_asc(currency::Column::Code)
        .all(db)
        .await?)
}

/// The minor digits of an active currency (through the write's cache, [`Write::table`]); an
/// unknown one is a `VALIDATION` error on `field`.
pub async fn currency_digits(
    w: &Write<'_>,
    code: &str,
    field: &str,
) -> Result<(String, u32), AppError> {
    let code = code.trim().to_uppercase();
    let found = w
        .table::<currency::Entity>()
        .await?
        .iter()
        .find(|c| c.code == code)
        .cloned();
    usable_currency(found, code, field)
}

/// [`currency_digits`] read on `db`, outside a write.
pub async fn currency_digits_on<C: ConnectionTrait>(
    db: &C,
    code: &str,
    field: &str,
) -> Result<(String, u32), AppError> {
    let code = code.trim().to_uppercase();
    let found = currency::Entity::find_by_id(code.clone()).one(db).await?;
    usable_currency(found, code, field)
}

fn usable_currency(
    found: Option<currency::Model>,
    code: String,
    field: &str,
) -> Result<(String, u32), AppError> {
    let found = found.filter(|c| c.is_active).ok_or_else(|| {
        AppError::validation(field, format!("`{code}` is not a currency of this tenant"))
    })?;
    Ok((code, u32::try_from(found.minor_digits).unwrap_or(2)))
}

/// The tenant's base currency.
pub async fn base_currency<C: ConnectionTrait>(db: &C) -> Result<String, AppError> {
    let setting = tenant_setting::Entity::find_by_id(BASE_CURRENCY_KEY)
        .one(db)
        .await?;
    Ok(setting
        .and_then(|s| serde_json::from_str::<String>(&s.value).ok())
        .unwrap_or_else(|| "USD".to_owned()))
}

/// Units of measure, by code.
pub async fn units<C: ConnectionTrait>(
    db: &C,
    access: &Access,
) -> Result<Vec<unit_of_measure::Model>, AppError> {
    access.require(DATA_READ)?;
    Ok(unit_of_measure::Entity::find()
        .order_by_asc(unit_of_measure::Column::Code)
        .all(db)
        .await?)
}

/// The exchange rates of `currency` visible to `access`.
pub fn exchange_rates(
    access: &Access,
    currency: &str,
) -> Result<Select<exchange_rate::Entity>, AppError> {
    Ok(visible::<exchange_rate::Entity>(access)?
        .filter(exchange_rate::Column::Currency.eq(currency.trim().to_uppercase())))
}

/// Sets the rate of `currency` (in base-currency units per unit) from `valid_from` on,
/// replacing a rate set for that same date.
pub async fn set_exchange_rate(
    w: &Write<'_>,
    currency: &str,
    rate: &str,
    valid_from: NaiveDate,
) -> Result<exchange_rate::Model, AppError> {
    w.access().require(DATA_WRITE)?;
    let rate_micros = Dec::parse(rate)
        .and_then(|d| d.to_scaled(MICRO_SCALE))
        .map_err(|e| AppError::validation("input.rate", e))?;
    if rate_micros <= 0 {
        return Err(AppError::validation(
            "input.rate",
            "a rate is greater than zero",
        ));
    }
    let db = w.tx().await?;
    let (code, _) = currency_digits(w, currency, "input.currency").await?;
    if code == base_currency(db).await? {
        return Err(AppError::validation(
            "input.currency",
            "the base currency has no exchange rate",
        ));
    }
    let existing = exchange_rate::Entity::find()
        .filter(exchange_rate::Column::Currency.eq(code.as_str()))
        .filter(exchange_rate::Column::ValidFrom.eq(valid_from))
        .one(db)
        .await?;
    let row = match &existing {
        Some(r) => {
            let mut row: exchange_rate::ActiveModel = r.clone().into();
            row.rate_micros = Set(rate_micros);
            row.update(db).await?
        }
        None => {
            exchange_rate::ActiveModel {
                id: Set(Uuid::now_v7()),
                currency: Set(code),
                rate_micros: Set(rate_micros),
                valid_from: Set(valid_from),
                created_at: Set(Utc::now()),
            }
            .insert(db)
            .await?
        }
    };
    w.record(
        "exchange_rate",
        row.id,
        "set",
        diff::<exchange_rate::Entity>(existing.as_ref(), &row),
    )
    .await?;
    Ok(row)
}

/// The rate of `currency` on `date` (the latest set on or before it), or `None`.
pub async fn rate_on<C: ConnectionTrait>(
    db: &C,
    currency: &str,
    date: NaiveDate,
) -> Result<Option<i64>, AppError> {
    Ok(exchange_rate::Entity::find()
        .filter(exchange_rate::Column::Currency.eq(currency))
        .filter(exchange_rate::Column::ValidFrom.lte(date))
        .order_by_desc(exchange_rate::Column::ValidFrom)
        .one(db)
        .await?
        .map(|r| r.rate_micros))
}

/// A new tax rate.
#[derive(Debug)]
pub struct NewTaxRate {
    /// Unique code, e.g. `VAT20`.
    pub code: String,
    /// Name.
    pub name: String,
    /// Percentage text, e.g. `20` or `7.5`.
    pub rate: String,
    /// Prices include the tax.
    pub inclusive: bool,
    /// First day of validity.
    pub valid_from: NaiveDate,
    /// Last day of validity.
    pub valid_to: Option<NaiveDate>,
    /// Standard, zero-rated or exempt.
    pub kind: tax_rate::TaxKind,
    /// Levied on the price plus the line's earlier taxes.
    pub compound: bool,
}

/// The tax rates visible to `access`.
pub fn tax_rates(access: &Access) -> Result<Select<tax_rate::Entity>, AppError> {
    visible::<tax_rate::Entity>(access)
}

/// Creates a tax rate.
pub async fn create_tax_rate(
    w: &Write<'_>,
    input: NewTaxRate,
) -> Result<tax_rate::Model, AppError> {
    w.access().require(DATA_WRITE)?;
    let code = text(&input.code, "input.code", 32)?.to_uppercase();
    let name = text(&input.name, "input.name", 100)?;
    let rate_micros = Dec::parse(&input.rate)
        .and_then(|d| d.to_scaled(MICRO_SCALE))
        .map_err(|e| AppError::validation("input.rate", e))?;
    if !(0..=100_000_000).contains(&rate_micros) {
        return Err(AppError::validation(
            "input.rate",
            "a tax rate is between 0 and 100 percent",
        ));
    }
    if input.valid_to.is_some_and(|to| to < input.valid_from) {
        return Err(AppError::validation(
            "input.validTo",
            "ends before it starts",
        ));
    }
    if input.kind != tax_rate::TaxKind::Standard && rate_micros != 0 {
        return Err(AppError::validation(
            "input.rate",
            "a zero-rated or exempt tax has the rate 0",
        ));
    }
    if input.kind == tax_rate::TaxKind::Exempt && input.compound {
        return Err(AppError::validation(
            "input.compound",
            "an exempt tax is not compound",
        ));
    }
    let row = tax_rate::ActiveModel {
        id: Set(Uuid::now_v7()),
        code: Set(code),
        name: Set(name),
        rate_micros: Set(rate_micros),
        inclusive: Set(input.inclusive),
        valid_from: Set(input.valid_from),
        valid_to: Set(input.valid_to),
        kind: Set(input.kind),
        compound: Set(input.compound),
        created_at: Set(Utc::now()),
    };
    write::insert::<tax_rate::Entity>(w, row, false).await
}

/// Payment terms visible to `access`.
pub fn payment_terms(access: &Access) -> Result<Select<payment_term::Entity>, AppError> {
    visible::<payment_term::Entity>(access)
}

/// Creates payment terms: invoices fall due `due_days` after their date.
pub async fn create_payment_term(
    w: &Write<'_>,
    code: &str,
    name: &str,
    due_days: i32,
) -> Result<payment_term::Model, AppError> {
    w.access().require(DATA_WRITE)?;
    let code = text(code, "input.code", 32)?.to_uppercase();
    let name = text(name, "input.name", 100)?;
    if !(0..=3650).contains(&due_days) {
        return Err(AppError::validation(
            "input.dueDays",
            "between 0 and 3650 days",
        ));
    }
    let row = payment_term::ActiveModel {
        id: Set(Uuid::now_v7()),
        code: Set(code),
        name: Set(name),
        due_days: Set(due_days),
        created_at: Set(Utc::now()),
    };
    write::insert::<payment_term::Entity>(w, row, false).await
}

/// Product categories visible to `access`.
pub fn product_categories(access: &Access) -> Result<Select<product_category::Entity>, AppError> {
    visible::<product_category::Entity>(access)
}

/// Creates a product category (names are unique).
pub async fn create_product_category(
    w: &Write<'_>,
    name: &str,
) -> Result<product_category::Model, AppError> {
    w.access().require(DATA_WRITE)?;
    let name = text(name, "input.name", 100)?;
    let row = product_category::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(name),
        created_at: Set(Utc::now()),
    };
    write::insert::<product_category::Entity>(w, row, false).await
}

/// Warehouses visible to `access`.
pub fn warehouses(access: &Access) -> Result<Select<warehouse::Entity>, AppError> {
    visible::<warehouse::Entity>(access)
}

/// Creates a warehouse (codes are unique).
pub async fn create_warehouse(
    w: &Write<'_>,
    code: &str,
    name: &str,
    address: Option<&str>,
) -> Result<warehouse::Model, AppError> {
    w.access().require(DATA_WRITE)?;
    let code = text(code, "input.code", 32)?.to_uppercase();
    let name = text(name, "input.name", 100)?;
    let address = crate::modules::common::optional_text(address, "input.address", 1000)?;
    let row = warehouse::ActiveModel {
        id: Set(Uuid::now_v7()),
        code: Set(code),
        name: Set(name),
        address: Set(address),
        is_active: Set(true),
        created_at: Set(Utc::now()),
    };
    write::insert::<warehouse::Entity>(w, row, false).await
}
