//! `invoices`, `invoice`, `createInvoice`, `createCreditNote`, `deleteInvoice`,
//! `postInvoice`.

use async_graphql::{Context, ID, InputObject, Object, Result};
use entities::billing::{invoice, payment};
use entities::finance::journal_entry;
use entities::master::{customer, product};

use crate::authz::Require;
use crate::authz::catalog::{INVOICE_POST, INVOICE_READ, INVOICE_WRITE};
use crate::error::{AppError, GqlResult};
use crate::graphql::context::ContextExt;
use crate::graphql::edit::filter_input;
use crate::graphql::resolve::{by_id, list, mutations, queries, write};
use crate::graphql::scalars::{Date, Decimal};
use crate::graphql::{parse_id, parse_ids, parse_opt_id};
use crate::kit::children;
use crate::kit::read::{feed, prefetch_selected};
use crate::modules::billing::graphql::types::{
    INVOICE_LINES, INVOICE_PAYMENTS, INVOICE_TAXES, Invoice, InvoiceKind, InvoiceStatus,
};
use crate::modules::billing::service::invoices::{self, InvoiceFilter, NewInvoice, NewLine};
use crate::modules::billing::service::posting;

/// Invoice queries.
#[derive(Default)]
pub struct InvoicesQuery;

queries! { InvoicesQuery, guard = "Require(INVOICE_READ)";
    /// Invoices and credit notes you may see (a sales rep: their own customers'), in
    /// creation order.
    list invoices(
        #[graphql(desc = "Which documents.")] filter: Option<InvoiceFilterInput>,
    ) -> Invoice |ctx, args| {
        let req = ctx.request()?;
        let filter = InvoiceFilterInput::service(filter).gql()?;
        let query = invoices::visible(req.access().gql()?, &filter);
        let page = list(ctx, query, args, Invoice).await?;
        prefetch(ctx, page.edges.iter().map(|e| &e.node.0)).await?;
        Ok(page)
    }

    /// One invoice or credit note, or `null` when it does not exist or you may not see it.
    field invoice(
        #[graphql(desc = "The document's id.")] id: ID,
    ) -> Option<Invoice> |ctx| {
        Ok(by_id::<invoice::Entity>(ctx, &id).await?.map(Invoice))
    }
}

/// Loads what the request selects on a page of documents, one statement each whatever the
/// page's length: customers, corrected invoices, journal entries, lines and their products,
/// taxes, settlements and their payments.
async fn prefetch<'a>(
    ctx: &Context<'_>,
    rows: impl Iterator<Item = &'a invoice::Model> + Clone,
) -> Result<()> {
    feed::<invoice::Entity>(ctx, rows.clone()).await;
    let ids = rows.clone().map(|i| i.id);
    let (lines, _, settlements) = futures_util::try_join!(
        children::prefetch(ctx, "lines", INVOICE_LINES, ids.clone()),
        children::prefetch(ctx, "taxes", INVOICE_TAXES, ids.clone()),
        children::prefetch(ctx, "payments", INVOICE_PAYMENTS, ids),
    )?;
    futures_util::try_join!(
        prefetch_selected::<customer::Entity>(
            ctx,
            &["customer"],
            rows.clone().map(|i| Some(i.customer_id))
        ),
        prefetch_selected::<invoice::Entity>(
            ctx,
            &["creditedInvoice"],
            rows.clone().map(|i| i.credited_invoice_id)
        ),
        prefetch_selected::<journal_entry::Entity>(
            ctx,
            &["journalEntry"],
            rows.clone().map(|i| i.journal_entry_id)
        ),
        prefetch_selected::<product::Entity>(
            ctx,
            &["lines", "nodes", "product"],
            lines.iter().map(|l| l.product_id)
        ),
        prefetch_selected::<payment::Entity>(
            ctx,
            &["payments", "nodes", "payment"],
            settlements.iter().map(|a| a.payment_id)
        ),
    )?;
    Ok(())
}

filter_input! {
    /// Which documents `invoices` lists.
    InvoiceFilterInput => InvoiceFilter;
    /// Only these statuses.
    any status: InvoiceStatus;
    /// Invoices or credit notes only.
    any kind: InvoiceKind;
    /// One customer.
    one customer_id: ID;
    /// Dated on or after.
    one date_from: Date;
    /// Dated on or before.
    one date_to: Date;
    /// Invoices posted, not fully paid, and due before this date.
    one overdue_on: Date;
}

/// A document line: of `createInvoice`, `createCreditNote`, `createQuotation` and
/// `createSalesOrder`.
#[derive(InputObject)]
pub struct InvoiceLineInput {
    /// A product: its name, sale price (when in the document's currency) and tax rate are
    /// the defaults of what you leave out.
    pub product_id: Option<ID>,
    /// What is sold, at most 500 characters (required without a product).
    pub description: Option<String>,
    /// Quantity, greater than zero.
    pub quantity: Decimal,
    /// Price per unit in the document's currency (required without a product).
    pub unit_price: Option<Decimal>,
    /// Discount in percent, 0 to 100.
    pub discount: Option<Decimal>,
    /// Tax rates applied in order (omitted: the product's rate, if any; `[]`: none).
    pub tax_rate_ids: Option<Vec<ID>>,
}

pub(crate) fn lines_of(lines: Vec<InvoiceLineInput>) -> Result<Vec<NewLine>, AppError> {
    lines
        .into_iter()
        .enumerate()
        .map(|(i, l)| {
            let at = |name: &str| format!("input.lines[{i}].{name}");
            Ok(NewLine {
                product_id: parse_opt_id(l.product_id.as_ref(), &at("productId"))?,
                description: l.description,
                quantity: l.quantity.as_str().to_owned(),
                unit_price: l.unit_price.map(|d| d.as_str().to_owned()),
                discount: l.discount.map(|d| d.as_str().to_owned()),
                tax_rate_ids: l
                    .tax_rate_ids
                    .map(|ids| parse_ids(&ids, &at("taxRateIds")))
                    .transpose()?,
            })
        })
        .collect()
}

/// Input of `createInvoice`.
#[derive(InputObject)]
pub struct CreateInvoiceInput {
    /// Your id for the new invoice (UUID), to repeat the call safely.
    pub id: Option<ID>,
    /// The customer.
    pub customer_id: ID,
    /// The invoice date.
    pub date: Date,
    /// When it falls due (omitted: the date plus the customer's payment term).
    pub due_date: Option<Date>,
    /// Its currency (omitted: the customer's).
    pub currency: Option<String>,
    /// Company currency per unit of a foreign currency (omitted: the rate of master data
    /// on the date).
    pub rate: Option<Decimal>,
    /// A discount on the whole invoice in its currency, spread over the lines by net.
    pub discount: Option<Decimal>,
    /// A note printed on it (at most 2,000 characters).
    pub memo: Option<String>,
    /// One line or more (at most 500).
    pub lines: Vec<InvoiceLineInput>,
}

/// Input of `createCreditNote`.
#[derive(InputObject)]
pub struct CreateCreditNoteInput {
    /// Your id for the new credit note (UUID), to repeat the call safely.
    pub id: Option<ID>,
    /// The posted invoice it corrects.
    pub invoice_id: ID,
    /// The credit note's date (on or after the invoice's).
    pub date: Date,
    /// What it credits (omitted: every line of the invoice, with its discount).
    pub lines: Option<Vec<InvoiceLineInput>>,
    /// Why (at most 2,000 characters).
    pub memo: Option<String>,
}

/// Creating drafts.
#[derive(Default)]
pub struct InvoicesMutation;

#[Object]
impl InvoicesMutation {
    /// Prepares an invoice as a draft (no number, not in the ledger): its lines computed by
    /// the tax engine with the tenant's rates and rounding policy. Repeating it with the
    /// same `id` and content returns the same draft; other content is a `CONFLICT`.
    #[graphql(guard = "Require(INVOICE_WRITE)")]
    async fn create_invoice(
        &self,
        ctx: &Context<'_>,
        input: CreateInvoiceInput,
    ) -> Result<Invoice> {
        let id = parse_opt_id(input.id.as_ref(), "input.id").gql()?;
        let content = NewInvoice {
            customer_id: parse_id(&input.customer_id, "input.customerId").gql()?,
            date: input.date.0,
            due_date: input.due_date.map(|d| d.0),
            currency: input.currency,
            rate: input.rate.map(|r| r.as_str().to_owned()),
            discount: input.discount.map(|d| d.as_str().to_owned()),
            memo: input.memo,
            lines: lines_of(input.lines).gql()?,
        };
        let row = write(ctx, |w| Box::pin(invoices::create(w, id, content))).await?;
        Ok(Invoice(row))
    }

    /// Prepares a credit note for a posted invoice, as a draft: the invoice's customer,
    /// currency and rate, the lines you give or all of the invoice's. What the invoice's
    /// credit notes credit together never exceeds its total
    /// (`BUSINESS_RULE billing.credit_exceeds_invoice`).
    #[graphql(guard = "Require(INVOICE_WRITE)")]
    async fn create_credit_note(
        &self,
        ctx: &Context<'_>,
        input: CreateCreditNoteInput,
    ) -> Result<Invoice> {
        let id = parse_opt_id(input.id.as_ref(), "input.id").gql()?;
        let invoice_id = parse_id(&input.invoice_id, "input.invoiceId").gql()?;
        let lines = input.lines.map(lines_of).transpose().gql()?;
        let (date, memo) = (input.date.0, input.memo);
        let row = write(ctx, |w| {
            Box::pin(invoices::create_credit_note(
                w, id, invoice_id, date, lines, memo,
            ))
        })
        .await?;
        Ok(Invoice(row))
    }
}

/// Deleting drafts.
#[derive(Default)]
pub struct InvoiceDraftsMutation;

mutations! { InvoiceDraftsMutation => Invoice, guard = "Require(INVOICE_WRITE)", id = "The document's id.";
    /// Deletes a draft invoice or credit note with its lines (audited as `delete`); returns
    /// it as it was. A posted one is a `BUSINESS_RULE` error (`billing.posted_immutable`):
    /// a credit note corrects it.
    by_id delete_invoice() |w, id| invoices::delete_draft(w, id);
}

/// Posting.
#[derive(Default)]
pub struct InvoicePostingMutation;

mutations! { InvoicePostingMutation => Invoice, guard = "Require(INVOICE_POST)", id = "The document's id.";
    /// Posts a draft invoice or credit note (audited as `post`), in one transaction: checks
    /// the lock dates (`ledger.period_locked`), computes its lines again with the rates
    /// valid on its date and freezes them, gives it the next gapless number of its fiscal
    /// year (`INV-2026-000123`, `CN-…`) and posts its journal entry (receivable, sales,
    /// output tax, rounding). A credit note then settles its invoice. When anything is
    /// refused nothing changes and no number is used. Posting a posted document returns it
    /// unchanged.
    by_id post_invoice() |w, id| posting::post(w, id);
}
