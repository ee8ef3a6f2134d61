//! GraphQL face of sales, merged into [`SalesQuery`] and [`SalesMutation`];
//! [`changes::SalesSubscription`] holds the sales and billing change streams.

pub mod changes;
pub mod orders;
pub mod quotations;
pub mod types;

use async_graphql::MergedObject;

/// Queries of sales.
#[derive(MergedObject, Default)]
pub struct SalesQuery(quotations::QuotationsQuery, orders::OrdersQuery);

/// Mutations of sales.
#[derive(MergedObject, Default)]
pub struct SalesMutation(
    quotations::QuotationsMutation,
    quotations::QuotationStepsMutation,
    orders::OrdersMutation,
    orders::OrderStepsMutation,
);
