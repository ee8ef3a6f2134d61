//! `quotations`, `quotation`, `createQuotation`, `updateQuotation`, `sendQuotation`,
//! `acceptQuotation`, `rejectQuotation`, `deleteQuotation`.

use async_graphql::{Context, ID, InputObject, Object, Result};
use entities::crm::opportunity;
use entities::master::{customer, product};
use entities::sales::{quotation, sales_order};

use crate::authz::Require;
use crate::authz::catalog::{QUOTATION_READ, QUOTATION_WRITE};
use crate::error::GqlResult;
use crate::graphql::context::ContextExt;
use crate::graphql::edit::filter_input;
use crate::graphql::parse_opt_id;
use crate::graphql::resolve::{by_id, list, mutations, queries, write};
use crate::graphql::scalars::{Date, Decimal};
use crate::kit::children;
use crate::kit::read::{feed, prefetch_selected};
use crate::modules::billing::graphql::invoices::{InvoiceLineInput, lines_of};
use crate::modules::sales::graphql::orders::draft_changes;
use crate::modules::sales::graphql::types::{
    QUOTATION_LINES, Quotation, QuotationStatus, SalesOrder,
};
use crate::modules::sales::service::quotations::{self, NewQuotation, QuotationFilter};

/// Quotation queries.
#[derive(Default)]
pub struct QuotationsQuery;

queries! { QuotationsQuery, guard = "Require(QUOTATION_READ)";
    /// Quotations you may see (a sales rep: their own customers'), in creation order.
    list quotations(
        #[graphql(desc = "Which quotations.")] filter: Option<QuotationFilterInput>,
    ) -> Quotation |ctx, args| {
        let req = ctx.request()?;
        let filter = QuotationFilterInput::service(filter).gql()?;
        let query = quotations::visible(req.access().gql()?, &filter);
        let page = list(ctx, query, args, Quotation).await?;
        prefetch(ctx, page.edges.iter().map(|e| &e.node.0)).await?;
        Ok(page)
    }

    /// One quotation, or `null` when it does not exist or you may not see it.
    field quotation(
        #[graphql(desc = "The quotation's id.")] id: ID,
    ) -> Option<Quotation> |ctx| {
        Ok(by_id::<quotation::Entity>(ctx, &id).await?.map(Quotation))
    }
}

/// Loads what the request selects on a page of quotations, one statement each whatever the
/// page's length: customers, opportunities, orders, lines and their products.
async fn prefetch<'a>(
    ctx: &Context<'_>,
    rows: impl Iterator<Item = &'a quotation::Model> + Clone,
) -> Result<()> {
    let customers: Vec<_> = rows.clone().map(|q| Some(q.customer_id)).collect();
    let orders: Vec<_> = rows.clone().map(|q| q.sales_order_id).collect();
    let opportunities: Vec<_> = rows.clone().map(|q| q.opportunity_id).collect();
    let ids: Vec<_> = rows.clone().map(|q| q.id).collect();
    feed::<quotation::Entity>(ctx, rows).await;
    prefetch_selected::<customer::Entity>(ctx, &["customer"], customers).await?;
    prefetch_selected::<sales_order::Entity>(ctx, &["salesOrder"], orders).await?;
    prefetch_selected::<opportunity::Entity>(ctx, &["opportunity"], opportunities).await?;
    let lines = children::prefetch(ctx, "lines", QUOTATION_LINES, ids.into_iter()).await?;
    let products = lines.iter().map(|l| l.product_id);
    prefetch_selected::<product::Entity>(ctx, &["lines", "nodes", "product"], products).await
}

filter_input! {
    /// Which quotations `quotations` lists.
    QuotationFilterInput => QuotationFilter;
    /// Only these statuses.
    any status: QuotationStatus;
    /// One customer.
    one customer_id: ID;
    /// One opportunity.
    one opportunity_id: ID;
    /// Dated on or after.
    one date_from: Date;
    /// Dated on or before.
    one date_to: Date;
}

/// Input of `createQuotation`.
#[derive(InputObject)]
pub struct CreateQuotationInput {
    /// Your id for the new quotation (UUID), to repeat the call safely.
    pub id: Option<ID>,
    /// The customer (omitted: the opportunity's).
    pub customer_id: Option<ID>,
    /// The opportunity it is made for.
    pub opportunity_id: Option<ID>,
    /// Its date.
    pub date: Date,
    /// The last day it may be accepted (omitted: the date plus the settings' validity).
    pub valid_until: Option<Date>,
    /// Its currency (omitted: the customer's).
    pub currency: Option<String>,
    /// Company currency per unit of a foreign currency (omitted: master data's rate on
    /// the date).
    pub rate: Option<Decimal>,
    /// A note printed on it (at most 2,000 characters).
    pub memo: Option<String>,
    /// One line or more (at most 500).
    pub lines: Vec<InvoiceLineInput>,
}

/// Input of `updateQuotation`: what changes on a draft (omitted: as it is).
#[derive(InputObject)]
pub struct UpdateQuotationInput {
    /// The version you read (`CONFLICT` when someone changed it since).
    pub expected_version: i32,
    /// Its date.
    pub date: Option<Date>,
    /// The last day it may be accepted.
    pub valid_until: Option<Date>,
    /// Company currency per unit of a foreign currency.
    pub rate: Option<Decimal>,
    /// A note printed on it (empty: none; at most 2,000 characters).
    pub memo: Option<String>,
    /// All of its lines (1 to 500), replacing the ones it has.
    pub lines: Option<Vec<InvoiceLineInput>>,
}

/// Creating quotations.
#[derive(Default)]
pub struct QuotationsMutation;

#[Object]
impl QuotationsMutation {
    /// Prepares a quotation as a draft, its lines computed by the tax engine. Repeating it
    /// with the same `id` and content returns the same draft; other content is a
    /// `CONFLICT`.
    #[graphql(guard = "Require(QUOTATION_WRITE)")]
    async fn create_quotation(
        &self,
        ctx: &Context<'_>,
        input: CreateQuotationInput,
    ) -> Result<Quotation> {
        let id = parse_opt_id(input.id.as_ref(), "input.id").gql()?;
        let content = NewQuotation {
            customer_id: parse_opt_id(input.customer_id.as_ref(), "input.customerId").gql()?,
            opportunity_id: parse_opt_id(input.opportunity_id.as_ref(), "input.opportunityId")
                .gql()?,
            date: input.date.0,
            valid_until: input.valid_until.map(|d| d.0),
            currency: input.currency,
            rate: input.rate.map(|r| r.as_str().to_owned()),
            memo: input.memo,
            lines: lines_of(input.lines).gql()?,
        };
        let row = write(ctx, |w| Box::pin(quotations::create(w, id, content))).await?;
        Ok(Quotation(row))
    }

    /// Changes a draft quotation (its date, validity, rate, memo or all of its lines),
    /// computed again by the tax engine with the rates valid on its date. `expectedVersion`
    /// must be the version you read (`CONFLICT` otherwise); a sent one is not edited
    /// (`BUSINESS_RULE sales.quotation_status`).
    #[graphql(guard = "Require(QUOTATION_WRITE)")]
    async fn update_quotation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The quotation's id.")] id: ID,
        input: UpdateQuotationInput,
    ) -> Result<Quotation> {
        let id = crate::graphql::parse_id(&id, "id").gql()?;
        let valid_until = input.valid_until.map(|d| d.0);
        let changes = draft_changes(
            input.expected_version,
            input.date,
            input.rate,
            input.memo,
            input.lines,
        )?;
        let row = write(ctx, |w| {
            Box::pin(quotations::update(w, id, changes, valid_until))
        })
        .await?;
        Ok(Quotation(row))
    }

    /// The customer accepts a sent quotation that is still valid (`BUSINESS_RULE
    /// sales.quotation_expired` after its `validUntil`): its sales order is made as a draft,
    /// with its lines, prices and rate, dated `date` (omitted: today). Accepting an accepted
    /// quotation returns its order. Making the order needs `sales.order.write` as well.
    #[graphql(guard = "Require(QUOTATION_WRITE)")]
    async fn accept_quotation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The quotation's id.")] id: ID,
        #[graphql(desc = "The order's date (omitted: today).")] date: Option<Date>,
    ) -> Result<SalesOrder> {
        let id = crate::graphql::parse_id(&id, "id").gql()?;
        let date = date.map(|d| d.0);
        let row = write(ctx, |w| Box::pin(quotations::accept(w, id, date))).await?;
        Ok(SalesOrder(row))
    }
}

/// Moving quotations on.
#[derive(Default)]
pub struct QuotationStepsMutation;

mutations! { QuotationStepsMutation => Quotation, guard = "Require(QUOTATION_WRITE)", id = "The quotation's id.";
    /// Sends a draft quotation: gives it its number (`SQ-2026-000012`). Sending a sent one
    /// returns it unchanged; an expired one is `BUSINESS_RULE sales.quotation_expired`.
    by_id send_quotation() |w, id| quotations::send(w, id);
    /// The customer turned a sent quotation down.
    by_id reject_quotation() |w, id| quotations::reject(w, id);
    /// Deletes a draft quotation with its lines; returns it as it was. Any other is a
    /// `BUSINESS_RULE` error (`sales.quotation_status`).
    by_id delete_quotation() |w, id| quotations::delete_draft(w, id);
}
