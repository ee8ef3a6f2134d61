//! The credit check of a confirmation ([`exposure`]): what the customer owes on posted
//! documents net of their credit (billing's receivables, from the documents and their
//! allocations), plus the uninvoiced part of their other confirmed orders, plus this order,
//! each valued in the company currency at its own rate, against the customer's credit limit
//! valued at today's rate. The customer's row is locked first (PostgreSQL `FOR UPDATE`;
//! SQLite's write transactions hold the writer lock from their first statement), so a
//! second confirmation of the same customer waits for the first and then sees its order.

use chrono::{NaiveDate, Utc};
use entities::master::{currency, customer};
use entities::sales::sales_order;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::error::AppError;
use crate::kit::{Write, write};
use crate::modules::billing::service::receivables;
use crate::modules::master::service::reference::{base_currency, rate_on};
use crate::modules::sales::service::orders::OPEN;
use crate::modules::sales::service::rule;
use crate::money::convert_minor;

/// What a customer's credit check counts, in minor units of the company currency.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Exposure {
    /// Open receivables net of the customer's credit.
    pub receivable: i64,
    /// The uninvoiced part of the customer's other open orders.
    pub orders: i64,
    /// This order.
    pub this_order: i64,
    /// The credit limit (none: no limit).
    pub limit: Option<i64>,
}

impl Exposure {
    /// Whether the total goes over the limit.
    pub fn over(&self) -> bool {
        self.limit
            .is_some_and(|l| self.receivable + self.orders + self.this_order > l)
    }
}

/// The credit check's figures for confirming `order` (see the module header), with the
/// customer's row locked.
pub async fn exposure(w: &Write<'_>, order: &sales_order::Model) -> Result<Exposure, AppError> {
    let customer = write::locked::<customer::Entity>(w, order.customer_id)
        .await?
        .ok_or(AppError::NotFound { entity: "customer" })?;
    let tx = w.tx().await?;
    let base = base_currency(tx).await?;
    let currencies = w.table::<currency::Entity>().await?;
    let digits = |code: &str| {
        currencies
            .iter()
            .find(|c| c.code == code)
            .map_or(2, |c| u32::try_from(c.minor_digits).unwrap_or(2))
    };
    let company_digits = digits(&base);
    let value = |amount: i64, code: &str, rate: i64| -> Result<i64, AppError> {
        i64::try_from(convert_minor(amount, digits(code), company_digits, rate))
            .map_err(|_| AppError::Internal("an amount out of range".into()))
    };
    let today = Utc::now().date_naive();
    let limit = match customer.credit_limit_minor {
        None => None,
        Some(l) if customer.currency == base => Some(l),
        Some(l) => {
            let rate = rate_on(tx, &customer.currency, today)
                .await?
                .ok_or_else(|| {
                    rule(
                        "sales.credit_limit_unvalued",
                        format!(
                            "the credit limit is in {} and there is no rate of it on {today}",
                            customer.currency
                        ),
                    )
                })?;
            Some(value(l, &customer.currency, rate)?)
        }
    };
    let receivable = receivables::aging(
        tx,
        // Everything posted, whatever its date.
        NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or(NaiveDate::MAX),
        &digits,
        company_digits,
        Some(customer.id),
    )
    .await?
    .iter()
    .map(receivables::CustomerAging::balance)
    .sum();
    let mut orders = 0;
    for o in sales_order::Entity::find()
        .filter(sales_order::Column::CustomerId.eq(customer.id))
        .filter(sales_order::Column::Status.is_in(OPEN))
        .filter(sales_order::Column::Id.ne(order.id))
        .all(tx)
        .await?
    {
        orders += value(
            (o.total_minor - o.invoiced_minor).max(0),
            &o.currency,
            o.rate_micros,
        )?;
    }
    Ok(Exposure {
        receivable,
        orders,
        this_order: value(order.total_minor, &order.currency, order.rate_micros)?,
        limit,
    })
}
