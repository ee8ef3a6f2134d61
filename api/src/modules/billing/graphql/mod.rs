//! GraphQL face of billing, merged into [`BillingQuery`] and [`BillingMutation`].

pub mod invoices;
pub mod payments;
pub mod receivables;
pub mod types;

use async_graphql::MergedObject;

/// Queries of billing.
#[derive(MergedObject, Default)]
pub struct BillingQuery(
    invoices::InvoicesQuery,
    payments::PaymentsQuery,
    receivables::ReceivablesQuery,
);

/// Mutations of billing.
#[derive(MergedObject, Default)]
pub struct BillingMutation(
    invoices::InvoicesMutation,
    invoices::InvoiceDraftsMutation,
    invoices::InvoicePostingMutation,
    payments::PaymentsMutation,
);
