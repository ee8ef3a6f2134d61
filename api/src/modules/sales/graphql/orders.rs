//! `salesOrders`, `salesOrder`, `salesSettings`, `createSalesOrder`, `updateSalesOrder`,
//! `confirmSalesOrder`, `deliverSalesOrder`, `cancelSalesOrder`, `closeSalesOrder`,
//! `createInvoiceFromOrder`, `updateSalesSettings`.

use async_graphql::{Context, ID, InputObject, Object, Result};
use entities::master::{customer, product};
use entities::sales::sales_order;

use crate::authz::Require;
use crate::authz::catalog::{INVOICE_WRITE, ORDER_READ, ORDER_WRITE, SALES_SETTINGS_WRITE};
use crate::error::GqlResult;
use crate::graphql::context::ContextExt;
use crate::graphql::edit::filter_input;
use crate::graphql::resolve::{by_id, list, mutations, queries, write};
use crate::graphql::scalars::{Date, Decimal};
use crate::graphql::{parse_id, parse_opt_id};
use crate::kit::children;
use crate::kit::read::{feed, prefetch_selected};
use crate::modules::billing::graphql::invoices::{InvoiceLineInput, lines_of};
use crate::modules::billing::graphql::types::Invoice;
use crate::modules::sales::graphql::types::{
    InvoicePolicy, ORDER_LINES, SalesOrder, SalesOrderStatus, SalesSettings,
};
use crate::modules::sales::service::DraftChanges;
use crate::modules::sales::service::invoicing::{self, FromOrder};
use crate::modules::sales::service::orders::{self, NewOrder, OrderFilter};
use crate::modules::sales::service::settings::{self, SettingsPatch};

/// Sales order queries.
#[derive(Default)]
pub struct OrdersQuery;

queries! { OrdersQuery, guard = "Require(ORDER_READ)";
    /// Sales orders you may see (a sales rep: their own customers'), in creation order.
    list sales_orders(
        #[graphql(desc = "Which orders.")] filter: Option<SalesOrderFilterInput>,
    ) -> SalesOrder |ctx, args| {
        let req = ctx.request()?;
        let filter = SalesOrderFilterInput::service(filter).gql()?;
        let query = orders::visible(req.access().gql()?, &filter);
        let page = list(ctx, query, args, SalesOrder).await?;
        prefetch(ctx, page.edges.iter().map(|e| &e.node.0)).await?;
        Ok(page)
    }

    /// One sales order, or `null` when it does not exist or you may not see it.
    field sales_order(
        #[graphql(desc = "The order's id.")] id: ID,
    ) -> Option<SalesOrder> |ctx| {
        Ok(by_id::<sales_order::Entity>(ctx, &id).await?.map(SalesOrder))
    }

    /// The sales settings: invoicing policy and quotation validity.
    field sales_settings() -> SalesSettings |ctx| {
        let db = ctx.request()?.tenant_db().await.gql()?;
        Ok(SalesSettings(settings::current(db.conn()).await.gql()?))
    }
}

/// Loads what the request selects on a page of orders, one statement each whatever the
/// page's length: customers, lines and their products.
async fn prefetch<'a>(
    ctx: &Context<'_>,
    rows: impl Iterator<Item = &'a sales_order::Model> + Clone,
) -> Result<()> {
    let customers: Vec<_> = rows.clone().map(|o| Some(o.customer_id)).collect();
    let ids: Vec<_> = rows.clone().map(|o| o.id).collect();
    feed::<sales_order::Entity>(ctx, rows).await;
    prefetch_selected::<customer::Entity>(ctx, &["customer"], customers).await?;
    let lines = children::prefetch(ctx, "lines", ORDER_LINES, ids.into_iter()).await?;
    let products = lines.iter().map(|l| l.product_id);
    prefetch_selected::<product::Entity>(ctx, &["lines", "nodes", "product"], products).await
}

filter_input! {
    /// Which orders `salesOrders` lists.
    SalesOrderFilterInput => OrderFilter;
    /// Only these statuses.
    any status: SalesOrderStatus;
    /// One customer.
    one customer_id: ID;
    /// Dated on or after.
    one date_from: Date;
    /// Dated on or before.
    one date_to: Date;
}

/// Input of `createSalesOrder`.
#[derive(InputObject)]
pub struct CreateSalesOrderInput {
    /// Your id for the new order (UUID), to repeat the call safely.
    pub id: Option<ID>,
    /// The customer.
    pub customer_id: ID,
    /// The order date.
    pub date: Date,
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

/// Input of `updateSalesOrder`: what changes on a draft (omitted: as it is).
#[derive(InputObject)]
pub struct UpdateSalesOrderInput {
    /// The version you read (`CONFLICT` when someone changed it since).
    pub expected_version: i32,
    /// The order date.
    pub date: Option<Date>,
    /// Company currency per unit of a foreign currency.
    pub rate: Option<Decimal>,
    /// A note printed on it (empty: none; at most 2,000 characters).
    pub memo: Option<String>,
    /// All of its lines (1 to 500), replacing the ones it has.
    pub lines: Option<Vec<InvoiceLineInput>>,
}

/// The changes of a draft as typed (`updateSalesOrder`, `updateQuotation`).
pub(crate) fn draft_changes(
    expected_version: i32,
    date: Option<Date>,
    rate: Option<Decimal>,
    memo: Option<String>,
    lines: Option<Vec<InvoiceLineInput>>,
) -> Result<DraftChanges> {
    Ok(DraftChanges {
        expected_version,
        date: date.map(|d| d.0),
        rate: rate.map(|r| r.as_str().to_owned()),
        memo,
        lines: lines.map(lines_of).transpose().gql()?,
    })
}

/// A line's quantity in `deliverSalesOrder`.
#[derive(InputObject)]
pub struct DeliveryLineInput {
    /// The order line.
    pub line_id: ID,
    /// How much was delivered now, greater than zero.
    pub quantity: Decimal,
}

/// Input of `deliverSalesOrder`.
#[derive(InputObject)]
pub struct DeliverSalesOrderInput {
    /// The order.
    pub order_id: ID,
    /// What was delivered (1 to 500 lines).
    pub lines: Vec<DeliveryLineInput>,
}

/// A line's quantity in `createInvoiceFromOrder`.
#[derive(InputObject)]
pub struct InvoiceOrderLineInput {
    /// The order line.
    pub order_line_id: ID,
    /// How much to invoice, greater than zero.
    pub quantity: Decimal,
}

/// Input of `createInvoiceFromOrder`.
#[derive(InputObject)]
pub struct CreateInvoiceFromOrderInput {
    /// Your id for the new invoice (UUID), to repeat the call safely.
    pub id: Option<ID>,
    /// The confirmed order.
    pub order_id: ID,
    /// The invoice date.
    pub date: Date,
    /// When it falls due (omitted: the date plus the customer's payment term).
    pub due_date: Option<Date>,
    /// What to invoice (omitted: everything left to invoice).
    pub lines: Option<Vec<InvoiceOrderLineInput>>,
    /// A note printed on it (at most 2,000 characters).
    pub memo: Option<String>,
}

/// Input of `updateSalesSettings`.
#[derive(InputObject)]
pub struct UpdateSalesSettingsInput {
    /// What an order line is invoiced up to.
    pub invoice_policy: Option<InvoicePolicy>,
    /// How many days a new quotation is valid (1 to 3650).
    pub quotation_validity_days: Option<i32>,
    /// The version you read (`CONFLICT` when someone changed them since).
    pub expected_version: i32,
}

/// Orders that take input objects.
#[derive(Default)]
pub struct OrdersMutation;

#[Object]
impl OrdersMutation {
    /// Prepares a sales order as a draft, its lines computed by the tax engine. Repeating
    /// it with the same `id` and content returns the same draft; other content is a
    /// `CONFLICT`.
    #[graphql(guard = "Require(ORDER_WRITE)")]
    async fn create_sales_order(
        &self,
        ctx: &Context<'_>,
        input: CreateSalesOrderInput,
    ) -> Result<SalesOrder> {
        let id = parse_opt_id(input.id.as_ref(), "input.id").gql()?;
        let content = NewOrder {
            customer_id: parse_id(&input.customer_id, "input.customerId").gql()?,
            date: input.date.0,
            currency: input.currency,
            rate: input.rate.map(|r| r.as_str().to_owned()),
            memo: input.memo,
            lines: lines_of(input.lines).gql()?,
        };
        let row = write(ctx, |w| Box::pin(orders::create(w, id, content))).await?;
        Ok(SalesOrder(row))
    }

    /// Changes a draft order (its date, rate, memo or all of its lines), computed again by
    /// the tax engine with the rates valid on its date. `expectedVersion` must be the version
    /// you read (`CONFLICT` otherwise); a confirmed order is not edited (`BUSINESS_RULE
    /// sales.order_status`).
    #[graphql(guard = "Require(ORDER_WRITE)")]
    async fn update_sales_order(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The order's id.")] id: ID,
        input: UpdateSalesOrderInput,
    ) -> Result<SalesOrder> {
        let id = parse_id(&id, "id").gql()?;
        let changes = draft_changes(
            input.expected_version,
            input.date,
            input.rate,
            input.memo,
            input.lines,
        )?;
        let row = write(ctx, |w| Box::pin(orders::update(w, id, changes))).await?;
        Ok(SalesOrder(row))
    }

    /// Records deliveries of a confirmed order's lines, each within what is left to
    /// deliver (`BUSINESS_RULE sales.over_delivered`). The order becomes partially
    /// delivered or delivered. No stock moves yet: inventory will issue them here.
    #[graphql(guard = "Require(ORDER_WRITE)")]
    async fn deliver_sales_order(
        &self,
        ctx: &Context<'_>,
        input: DeliverSalesOrderInput,
    ) -> Result<SalesOrder> {
        let id = parse_id(&input.order_id, "input.orderId").gql()?;
        let lines = input
            .lines
            .into_iter()
            .enumerate()
            .map(|(i, l)| {
                Ok((
                    parse_id(&l.line_id, &format!("input.lines[{i}].lineId"))?,
                    l.quantity.as_str().to_owned(),
                ))
            })
            .collect::<Result<Vec<_>, crate::error::AppError>>()
            .gql()?;
        let row = write(ctx, |w| Box::pin(orders::deliver(w, id, lines))).await?;
        Ok(SalesOrder(row))
    }

    /// Prepares a draft invoice of a confirmed order's lines: the lines given, or all that
    /// are left to invoice, up to what was ordered or delivered (the invoicing policy;
    /// `BUSINESS_RULE sales.over_invoiced` beyond). Posting it counts it on the order.
    /// Needs `billing.invoice.write`; an order you may not read is `VALIDATION` on
    /// `input.orderId` ("no such sales order").
    #[graphql(guard = "Require(INVOICE_WRITE)")]
    async fn create_invoice_from_order(
        &self,
        ctx: &Context<'_>,
        input: CreateInvoiceFromOrderInput,
    ) -> Result<Invoice> {
        let id = parse_opt_id(input.id.as_ref(), "input.id").gql()?;
        let content = FromOrder {
            order_id: parse_id(&input.order_id, "input.orderId").gql()?,
            date: input.date.0,
            due_date: input.due_date.map(|d| d.0),
            lines: input
                .lines
                .map(|lines| {
                    lines
                        .into_iter()
                        .enumerate()
                        .map(|(i, l)| {
                            Ok((
                                parse_id(
                                    &l.order_line_id,
                                    &format!("input.lines[{i}].orderLineId"),
                                )?,
                                l.quantity.as_str().to_owned(),
                            ))
                        })
                        .collect::<Result<Vec<_>, crate::error::AppError>>()
                })
                .transpose()
                .gql()?,
            memo: input.memo,
        };
        let row = write(ctx, |w| Box::pin(invoicing::from_order(w, id, content))).await?;
        Ok(Invoice(row))
    }

    /// Changes the sales settings.
    #[graphql(guard = "Require(SALES_SETTINGS_WRITE)")]
    async fn update_sales_settings(
        &self,
        ctx: &Context<'_>,
        input: UpdateSalesSettingsInput,
    ) -> Result<SalesSettings> {
        let patch = SettingsPatch {
            invoice_policy: input.invoice_policy.map(InvoicePolicy::as_str),
            quotation_validity_days: input.quotation_validity_days,
        };
        let version = input.expected_version;
        let row = write(ctx, |w| Box::pin(settings::update(w, patch, version))).await?;
        Ok(SalesSettings(row))
    }
}

/// Moving orders on.
#[derive(Default)]
pub struct OrderStepsMutation;

mutations! { OrderStepsMutation => SalesOrder, guard = "Require(ORDER_WRITE)", id = "The order's id.";
    /// Confirms a draft order: checks the customer's credit limit (open receivables plus
    /// their other confirmed, uninvoiced orders plus this one, in the company currency;
    /// over it needs `sales.order.approve_over_limit`, else `BUSINESS_RULE
    /// sales.credit_limit_exceeded`) and gives it its number (`SO-2026-000042`).
    /// Confirming a confirmed order returns it unchanged.
    by_id confirm_sales_order() |w, id| orders::confirm(w, id);
    /// Calls off a draft or confirmed order nothing of which was delivered or invoiced
    /// (`BUSINESS_RULE sales.order_in_progress` otherwise: close it).
    by_id cancel_sales_order() |w, id| orders::cancel(w, id);
    /// Ends a confirmed order: nothing more is delivered or invoiced, and what is left of
    /// it no longer counts against the customer's credit.
    by_id close_sales_order() |w, id| orders::close(w, id);
}
