//! GraphQL face of master data, merged into [`MasterQuery`] and [`MasterMutation`].

pub mod changes;
pub mod contacts;
pub mod customers;
pub mod products;
pub mod reference;
pub mod setup;
pub mod suppliers;
pub mod types;

use async_graphql::MergedObject;

/// Queries of master data.
#[derive(MergedObject, Default)]
pub struct MasterQuery(
    reference::ReferenceQuery,
    setup::SetupQuery,
    customers::CustomersQuery,
    contacts::ContactsQuery,
    suppliers::SuppliersQuery,
    products::ProductsQuery,
);

/// Mutations of master data.
#[derive(MergedObject, Default)]
pub struct MasterMutation(
    reference::ReferenceMutation,
    setup::SetupMutation,
    customers::CustomersMutation,
    contacts::ContactsMutation,
    suppliers::SuppliersMutation,
    products::ProductsMutation,
);
