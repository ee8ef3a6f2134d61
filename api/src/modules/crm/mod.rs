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

use futures_util::future::BoxFuture;
use sea_orm::DatabaseTransaction;

use crate::authz::catalog::{
    ACTIVITY_READ, ACTIVITY_WRITE, LEAD_READ, LEAD_WRITE, OPPORTUNITY_READ, OPPORTUNITY_WRITE,
    PIPELINE_WRITE,
};
use crate::error::AppError;
use crate::modules::Module;

/// The CRM in the module registry (`crate::modules::MODULES`); its seed adds the default
/// pipeline stages to a tenant that has none.
pub const MODULE: Module = Module {
    name: "crm",
    permissions: &[
        (LEAD_READ, "Read leads."),
        (
            LEAD_WRITE,
            "Create, update, qualify, disqualify and convert leads.",
        ),
        (
            OPPORTUNITY_READ,
            "Read opportunities and the pipeline forecast.",
        ),
        (
            OPPORTUNITY_WRITE,
            "Create, update, move, win and lose opportunities.",
        ),
        (ACTIVITY_READ, "Read activities."),
        (ACTIVITY_WRITE, "Create, update and complete activities."),
        (PIPELINE_WRITE, "Define the pipeline's stages."),
    ],
    resources: resources::RESOURCES,
    seed: Some(seed),
};

fn seed(txn: &DatabaseTransaction) -> BoxFuture<'_, Result<(), AppError>> {
    Box::pin(service::stages::seed_stages(txn))
}
