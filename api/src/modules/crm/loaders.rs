//! DataLoaders of the CRM, built per request (see `crate::graphql::loaders`). Rows by id
//! (leads, opportunities, stages) come from the kit's generic loader (`crate::kit::read`),
//! nested lists (activities of an opportunity, opportunities of a customer) from its grouped
//! loader (`crate::kit::children`): the CRM has no loader of its own left.

use sea_orm::DatabaseConnection;

/// The request's CRM loaders (none beyond the kit's, for now).
pub struct CrmLoaders;

impl CrmLoaders {
    /// Loaders on `db`.
    pub fn new(_db: DatabaseConnection) -> Self {
        Self
    }
}
