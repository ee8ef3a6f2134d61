//! `receivablesAging(asOf:)`: what customers owe as of a date, by how overdue it is, in the
//! company currency (`service::receivables`); `customerStatement`: one customer's lines of
//! the receivable account over a range, from the ledger.

use async_graphql::{Context, ID, Object, Result};
use entities::finance::account;
use entities::master::{currency, customer};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::authz::Require;
use crate::authz::catalog::{CUSTOMER_READ, RECEIVABLE_READ};
use crate::error::{AppError, GqlResult};
use crate::graphql::context::ContextExt;
use crate::graphql::parse_id;
use crate::graphql::scalars::{Date, Money};
use crate::kit::read::{prefetch, reference, relation};
use crate::modules::billing::graphql::types::{CustomerAging, CustomerStatement, ReceivablesAging};
use crate::modules::billing::service::receivables::{self, BUCKETS};
use crate::modules::finance::graphql::reports::Company;
use crate::modules::finance::graphql::types::company_currency;
use crate::modules::finance::seed::role;
use crate::modules::finance::service::reports;
use crate::modules::master::graphql::types::Customer;
use crate::modules::master::seed::iso_minor_digits;

/// Receivables queries.
#[derive(Default)]
pub struct ReceivablesQuery;

fn line(
    customer: Option<Customer>,
    buckets: [i64; BUCKETS],
    credit: i64,
    open_invoices: i64,
    money: &dyn Fn(i64) -> Money,
) -> CustomerAging {
    CustomerAging {
        customer,
        current: money(buckets[0]),
        days1_to30: money(buckets[1]),
        days31_to60: money(buckets[2]),
        days61_to90: money(buckets[3]),
        over90: money(buckets[4]),
        credit: money(credit),
        balance: money(buckets.iter().sum::<i64>() - credit),
        open_invoices,
    }
}

#[Object]
impl ReceivablesQuery {
    /// A customer's statement from `from` to `to`: the opening balance, every posted line
    /// the ledger's receivable account holds for the customer (invoices, credit notes,
    /// payments, realised exchange differences) with the running balance, and the closing
    /// balance, in the company currency. `null` when the customer does not exist.
    #[graphql(guard = "Require(RECEIVABLE_READ)")]
    async fn customer_statement(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The customer.")] customer_id: ID,
        #[graphql(desc = "First day.")] from: Date,
        #[graphql(desc = "Last day.")] to: Date,
    ) -> Result<Option<CustomerStatement>> {
        let id = parse_id(&customer_id, "customerId").gql()?;
        if to.0 < from.0 {
            return Err(AppError::validation(
                "to",
                "the range ends before it starts",
            ))
            .gql();
        }
        let req = ctx.request()?;
        let db = req.tenant_db().await.gql()?;
        let exists = customer::Entity::find_by_id(id)
            .one(db.conn())
            .await
            .map_err(AppError::from)
            .gql()?;
        if exists.is_none() {
            return Ok(None);
        }
        // Like the aging's: the customer itself shows to those who may read it.
        let customer = if req.access().gql()?.scope(CUSTOMER_READ).is_some() {
            relation::<customer::Entity>(ctx, Some(id))
                .await?
                .map(Customer)
        } else {
            None
        };
        let receivable = account::Entity::find()
            .filter(account::Column::Role.eq(role::RECEIVABLE))
            .one(db.conn())
            .await
            .map_err(AppError::from)
            .gql()?
            .ok_or_else(|| AppError::Internal("the chart has no receivable account".into()))
            .gql()?;
        let (opening, rows) =
            reports::ledger_lines(db.conn(), receivable.id, Some(id), from.0, to.0)
                .await
                .gql()?;
        let c = Company::of(ctx).await?;
        let (lines, closing) = c.ledger(opening, rows);
        Ok(Some(CustomerStatement {
            customer,
            from,
            to,
            opening_balance: c.money(opening),
            lines,
            closing_balance: c.money(closing),
        }))
    }

    /// The receivables aging as of a date: per customer, open invoices by days past due
    /// (not yet due, 1–30, 31–60, 61–90, over 90) and unallocated credit, from the posted
    /// documents and the payments and credit notes allocated by then, valued at the rates
    /// they were booked at (`balance` per customer equals the receivable account's).
    #[graphql(guard = "Require(RECEIVABLE_READ)")]
    async fn receivables_aging(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The last day counted.")] as_of: Date,
    ) -> Result<ReceivablesAging> {
        let req = ctx.request()?;
        let db = req.tenant_db().await.gql()?;
        let (company, company_digits) = company_currency(ctx).await?;
        let currencies = reference::<currency::Entity>(ctx).await?;
        let digits = |code: &str| {
            iso_minor_digits(code).unwrap_or_else(|| {
                currencies
                    .iter()
                    .find(|c| c.code == code)
                    .map_or(2, |c| u32::try_from(c.minor_digits).unwrap_or(2))
            })
        };
        let rows = receivables::aging(db.conn(), as_of.0, &digits, company_digits, None)
            .await
            .gql()?;
        let money = |minor: i64| Money::new(minor, &company, company_digits);
        prefetch::<customer::Entity>(ctx, rows.iter().map(|r| r.customer_id)).await?;
        let mut total = ([0i64; BUCKETS], 0i64, 0i64);
        let mut customers = Vec::with_capacity(rows.len());
        for row in rows {
            for (sum, amount) in total.0.iter_mut().zip(row.buckets) {
                *sum += amount;
            }
            total.1 += row.credit;
            total.2 += row.open_invoices;
            let customer = relation::<customer::Entity>(ctx, Some(row.customer_id))
                .await?
                .map(Customer);
            customers.push(line(
                customer,
                row.buckets,
                row.credit,
                row.open_invoices,
                &money,
            ));
        }
        customers.sort_by(|a, b| {
            let name = |c: &CustomerAging| c.customer.as_ref().map(|c| c.0.name.clone());
            name(a).cmp(&name(b))
        });
        Ok(ReceivablesAging {
            as_of,
            customers,
            total: line(None, total.0, total.1, total.2, &money),
        })
    }
}
