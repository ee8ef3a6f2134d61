//! Sales and billing change streams: `salesOrderChanged`, `invoiceChanged` (see
//! [`crate::kit::changes`]).

use async_graphql::{Context, ID, Subscription};
use entities::billing::invoice;
use entities::sales::sales_order;
use futures_util::Stream;

use crate::kit::changes::{ChangeStream, changes};

crate::change_type!(
    SalesOrderChange,
    "A sales order that changed: refetch it through `salesOrder(id)`."
);
crate::change_type!(
    InvoiceChange,
    "An invoice or credit note that changed: refetch it through `invoice(id)`."
);

/// `salesOrderChanged`.
pub const SALES_ORDER_CHANGED: ChangeStream =
    ChangeStream::of::<sales_order::Entity>("salesOrderChanged", "SalesOrderChange");
/// `invoiceChanged`.
pub const INVOICE_CHANGED: ChangeStream =
    ChangeStream::of::<invoice::Entity>("invoiceChanged", "InvoiceChange");

/// Subscriptions of sales and billing.
#[derive(Default)]
pub struct SalesSubscription;

#[Subscription]
impl SalesSubscription {
    /// Sales orders that change from now on (only order `id`, if given) that the caller may
    /// read: with scope `OWN`, their own customers'. Needs `sales.order.read`.
    async fn sales_order_changed(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
    ) -> async_graphql::Result<impl Stream<Item = async_graphql::Result<SalesOrderChange>>> {
        changes::<SalesOrderChange>(ctx, id, &SALES_ORDER_CHANGED)
    }

    /// Invoices and credit notes that change from now on (only document `id`, if given)
    /// that the caller may read: posted, paid, credited. Needs `billing.invoice.read`.
    async fn invoice_changed(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
    ) -> async_graphql::Result<impl Stream<Item = async_graphql::Result<InvoiceChange>>> {
        changes::<InvoiceChange>(ctx, id, &INVOICE_CHANGED)
    }
}
