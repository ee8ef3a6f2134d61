//! GraphQL face of finance, merged into [`FinanceQuery`] and [`FinanceMutation`].

pub mod accounts;
pub mod entries;
pub mod reports;
pub mod taxes;
pub mod types;

use async_graphql::MergedObject;

/// Queries of finance.
#[derive(MergedObject, Default)]
pub struct FinanceQuery(
    accounts::AccountsQuery,
    entries::EntriesQuery,
    reports::ReportsQuery,
    taxes::TaxesQuery,
);

/// Mutations of finance.
#[derive(MergedObject, Default)]
pub struct FinanceMutation(
    accounts::AccountsMutation,
    accounts::AccountArchiveMutation,
    entries::EntriesMutation,
    entries::DraftMutation,
    entries::PostingMutation,
);
