//! CRM: pipeline stages, leads, opportunities, activities, lead conversion and the weighted
//! pipeline forecast.
//!
//! Row scopes: a grant with scope `OWN` (the sales rep's) reaches only the leads and
//! opportunities the caller owns and the activities they own or are assigned to, in lists, by
//! id, in `totalCount`, nested under other rows, and in the forecast.

pub mod graphql;
pub mod loaders;
pub mod resources;
pub mod service;
