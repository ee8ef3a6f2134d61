//! `payments`, `payment`, `recordPayment`.

use async_graphql::{Context, Enum, ID, InputObject, Object, Result};
use entities::billing::{invoice, payment};
use entities::finance::journal_entry;
use entities::master::customer;

use crate::authz::Require;
use crate::authz::catalog::{PAYMENT_READ, PAYMENT_WRITE};
use crate::error::{AppError, GqlResult};
use crate::graphql::context::ContextExt;
use crate::graphql::edit::filter_input;
use crate::graphql::resolve::{by_id, list, queries, write};
use crate::graphql::scalars::{Date, Decimal, MoneyInput};
use crate::graphql::{parse_id, parse_opt_id};
use crate::kit::children;
use crate::kit::read::{feed, prefetch_selected};
use crate::modules::billing::graphql::types::{PAYMENT_ALLOCATIONS, Payment};
use crate::modules::billing::service::payments::{
    self, Allocation, Method, NewPayment, PaymentFilter,
};
use crate::money::Money;

/// Payment queries.
#[derive(Default)]
pub struct PaymentsQuery;

queries! { PaymentsQuery, guard = "Require(PAYMENT_READ)";
    /// Customer payments you may see (a sales rep: their own customers'), in creation order.
    list payments(
        #[graphql(desc = "Which payments.")] filter: Option<PaymentFilterInput>,
    ) -> Payment |ctx, args| {
        let req = ctx.request()?;
        let filter = PaymentFilterInput::service(filter).gql()?;
        let query = payments::visible(req.access().gql()?, &filter);
        let page = list(ctx, query, args, Payment).await?;
        let rows = page.edges.iter().map(|e| &e.node.0);
        feed::<payment::Entity>(ctx, rows.clone()).await;
        prefetch_selected::<customer::Entity>(ctx, &["customer"], rows.clone().map(|p| Some(p.customer_id))).await?;
        let entries = rows.clone().map(|p| p.journal_entry_id);
        prefetch_selected::<journal_entry::Entity>(ctx, &["journalEntry"], entries).await?;
        let allocations = children::prefetch(ctx, "allocations", PAYMENT_ALLOCATIONS, rows.map(|p| p.id)).await?;
        let invoices = allocations.iter().map(|a| Some(a.invoice_id));
        prefetch_selected::<invoice::Entity>(ctx, &["allocations", "nodes", "invoice"], invoices).await?;
        Ok(page)
    }

    /// One payment, or `null` when it does not exist or you may not see it.
    field payment(
        #[graphql(desc = "The payment's id.")] id: ID,
    ) -> Option<Payment> |ctx| {
        Ok(by_id::<payment::Entity>(ctx, &id).await?.map(Payment))
    }
}

filter_input! {
    /// Which payments `payments` lists.
    PaymentFilterInput => PaymentFilter;
    /// One customer.
    one customer_id: ID;
    /// Dated on or after.
    one date_from: Date;
    /// Dated on or before.
    one date_to: Date;
}

/// Where the money came in.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum PaymentMethod {
    /// A bank transfer: the bank journal and account.
    Bank,
    /// Cash: the cash journal and account.
    Cash,
}

/// Part of a payment settling one invoice.
#[derive(InputObject)]
pub struct AllocationInput {
    /// An open invoice of the payment's customer, in the payment's currency.
    pub invoice_id: ID,
    /// How much of the payment settles it (at most what it has open).
    pub amount: Decimal,
}

/// Input of `recordPayment`.
#[derive(InputObject)]
pub struct RecordPaymentInput {
    /// Your id for the payment (UUID): repeating the call with it records it once.
    pub id: Option<ID>,
    /// Who paid.
    pub customer_id: ID,
    /// Bank (the default) or cash.
    pub method: Option<PaymentMethod>,
    /// When the money came in.
    pub date: Date,
    /// How much, in which currency.
    pub amount: MoneyInput,
    /// Company currency per unit of a foreign currency (omitted: master data's on the date).
    pub rate: Option<Decimal>,
    /// The bank's reference (at most 200 characters).
    pub reference: Option<String>,
    /// A note (at most 2,000 characters).
    pub memo: Option<String>,
    /// The invoices it settles (at most 200; together at most the amount: the rest stays as
    /// the customer's credit).
    pub allocations: Option<Vec<AllocationInput>>,
}

impl RecordPaymentInput {
    fn into_service(self) -> Result<(Option<uuid::Uuid>, NewPayment), AppError> {
        let allocations = self
            .allocations
            .unwrap_or_default()
            .into_iter()
            .enumerate()
            .map(|(i, a)| {
                Ok(Allocation {
                    invoice_id: parse_id(
                        &a.invoice_id,
                        &format!("input.allocations[{i}].invoiceId"),
                    )?,
                    amount: a.amount.as_str().to_owned(),
                })
            })
            .collect::<Result<_, AppError>>()?;
        Ok((
            parse_opt_id(self.id.as_ref(), "input.id")?,
            NewPayment {
                customer_id: parse_id(&self.customer_id, "input.customerId")?,
                method: match self.method {
                    Some(PaymentMethod::Cash) => Method::Cash,
                    _ => Method::Bank,
                },
                date: self.date.0,
                amount: Money {
                    amount: self.amount.amount.as_str().to_owned(),
                    currency: self.amount.currency,
                },
                rate: self.rate.map(|r| r.as_str().to_owned()),
                reference: self.reference,
                memo: self.memo,
                allocations,
            },
        ))
    }
}

/// Payment mutations.
#[derive(Default)]
pub struct PaymentsMutation;

#[Object]
impl PaymentsMutation {
    /// Records a customer payment and posts it (bank or cash journal, `PAY-2026-000012`):
    /// the money account debited, the receivable credited. Each allocation settles an open
    /// invoice (partly or in full); what is not allocated stays as the customer's credit. An
    /// invoice in a foreign currency settled at another rate posts the realised exchange
    /// difference. Repeating the call with the same `id` records nothing more.
    #[graphql(guard = "Require(PAYMENT_WRITE)")]
    async fn record_payment(
        &self,
        ctx: &Context<'_>,
        input: RecordPaymentInput,
    ) -> Result<Payment> {
        let (id, content) = input.into_service().gql()?;
        let row = write(ctx, |w| Box::pin(payments::record(w, id, content))).await?;
        Ok(Payment(row))
    }
}
