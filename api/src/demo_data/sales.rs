//! The demo's sales: quotations and orders of the last two months, through the sales
//! service, on the customers in the company currency and the products priced in it.
//!
//! 36 quotations, one every few days: a quarter stay drafts, a quarter are sent and wait, a
//! quarter are rejected, and a quarter are accepted while still valid; each accepted one's
//! order is confirmed, and in turn delivered and invoiced in full (the invoice posted), half
//! delivered, or left confirmed. 12 more orders are taken directly, confirmed and delivered.

use chrono::Days;
use entities::master::{product, tax_rate};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::{Ctx, Customer, internal};
use crate::error::AppError;
use crate::modules::billing::service::lines::NewLine;
use crate::modules::billing::service::posting;
use crate::modules::master::service::reference::base_currency;
use crate::modules::sales::service::invoicing::{self, FromOrder};
use crate::modules::sales::service::orders::{self, NewOrder};
use crate::modules::sales::service::quotations::{self, NewQuotation};
use crate::money::{MICRO_SCALE, format_trimmed};

const QUOTATIONS: u64 = 36;
const DIRECT_ORDERS: u64 = 12;

impl Ctx<'_> {
    /// Quotations and orders (see the module header).
    pub(super) async fn sales(&mut self, customers: &[Customer]) -> Result<(), AppError> {
        let company = base_currency(self.db).await?;
        let buyers: Vec<&Customer> = customers.iter().filter(|c| c.currency == company).collect();
        let goods: Vec<product::Model> = product::Entity::find()
            .filter(product::Column::Currency.eq(company.as_str()))
            .all(self.db)
            .await?;
        let vat = tax_rate::Entity::find()
            .filter(tax_rate::Column::Code.eq("VAT20"))
            .one(self.db)
            .await?
            .ok_or_else(|| internal("the demo's VAT rate"))?
            .id;
        if buyers.is_empty() || goods.is_empty() {
            return Err(internal("no customers or products in the company currency"));
        }
        let today = chrono::Utc::now().date_naive();
        for n in 0..QUOTATIONS + DIRECT_ORDERS {
            let days_ago = (QUOTATIONS + DIRECT_ORDERS - n) * 55 / (QUOTATIONS + DIRECT_ORDERS);
            let date = today
                .checked_sub_days(Days::new(days_ago))
                .ok_or_else(|| internal("a date"))?;
            let buyer = self.rng.pick(&buyers).id;
            let lines: Vec<NewLine> = (0..1 + self.rng.below(3))
                .map(|_| {
                    let item = self.rng.pick(&goods);
                    NewLine {
                        product_id: Some(item.id),
                        quantity: format_trimmed(self.rng.range(1, 12) * 1_000_000, MICRO_SCALE),
                        discount: Some(["0", "0", "5", "10"][self.rng.below(4)].into()),
                        tax_rate_ids: Some(vec![vat]),
                        ..Default::default()
                    }
                })
                .collect();
            // What this write made: quotations, orders, invoices.
            let mut made = (0, 0, 0);
            let w = self.write().await?;
            let order = if n < QUOTATIONS {
                let q = quotations::create(
                    &w,
                    None,
                    NewQuotation {
                        customer_id: Some(buyer),
                        date,
                        // Valid long enough to be accepted today.
                        valid_until: date.checked_add_days(Days::new(60)),
                        lines,
                        ..Default::default()
                    },
                )
                .await?;
                made.0 += 1;
                match n % 4 {
                    0 => None,
                    1 => {
                        quotations::send(&w, q.id).await?;
                        None
                    }
                    2 => {
                        quotations::send(&w, q.id).await?;
                        quotations::reject(&w, q.id).await?;
                        None
                    }
                    _ => {
                        quotations::send(&w, q.id).await?;
                        Some(quotations::accept(&w, q.id, Some(date)).await?)
                    }
                }
            } else {
                Some(
                    orders::create(
                        &w,
                        None,
                        NewOrder {
                            customer_id: buyer,
                            date,
                            lines,
                            ..Default::default()
                        },
                    )
                    .await?,
                )
            };
            if let Some(order) = order {
                made.1 += 1;
                let order = orders::confirm(&w, order.id).await?;
                let lines = orders::lines_of(w.tx().await?, order.id).await?;
                let (deliver, invoice) = match n % 3 {
                    _ if n >= QUOTATIONS => (true, false),
                    0 => (true, true),
                    1 => (true, false),
                    _ => (false, false),
                };
                if deliver {
                    // Half the order when it is not invoiced, else all of it.
                    let part = |q: i64| if invoice { q } else { (q / 2).max(1_000_000) };
                    let deliveries: Vec<(Uuid, String)> = lines
                        .iter()
                        .map(|l| (l.id, format_trimmed(part(l.quantity_micros), MICRO_SCALE)))
                        .collect();
                    orders::deliver(&w, order.id, deliveries).await?;
                }
                if invoice {
                    let draft = invoicing::from_order(
                        &w,
                        None,
                        FromOrder {
                            order_id: order.id,
                            date,
                            ..Default::default()
                        },
                    )
                    .await?;
                    posting::post(&w, draft.id).await?;
                    made.2 += 1;
                }
            }
            w.commit().await?;
            self.counts.quotations += made.0;
            self.counts.sales_orders += made.1;
            self.counts.invoices += made.2;
            self.counts.journal_entries += made.2;
        }
        Ok(())
    }
}
